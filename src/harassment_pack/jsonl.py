"""JSON Lines files: many records of one model, one to a line, each mistake named by its line.

Why: an import adds tens of thousands of messages to a case. YAML is for what people type, and
reading that many records from it took seconds; JSON is read by pydantic's own parser, record by
record, straight into the model. One record to a line keeps the file readable and editable in
any text editor (one message is one line) and lets every mistake be reported by its line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .errors import UserError
from .files import write_private_with
from .strict_yaml import check_size


class _RepeatedKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        keys = [key for key, _value in pairs]
        raise _RepeatedKey(next(key for key in keys if keys.count(key) > 1))
    return record


def read_records(
    path: Path,
    adapter: TypeAdapter[Any],
    describe: Callable[[list[Any]], str],
    checked: str | None = None,
) -> tuple[list[tuple[int, Any]], str]:
    """Every non-blank line of ``path`` validated by ``adapter``, with its line number, and the
    file's SHA-256.

    A mistake is a UserError, "FILE line N: field: what is wrong (how to fix it)", with
    ``describe`` saying the part after the line from a pydantic error list. A key written twice
    in one record is refused as case.yaml refuses it (the second would silently replace the
    first), unless the file is byte for byte the one whose SHA-256 is ``checked``: written by
    harassment-pack, or read and checked before (parsing every line a second time to look for
    repeated keys took a third of a load).
    """
    check_size(path)
    raw = path.read_bytes()
    sha256 = hashlib.sha256(raw).hexdigest()
    look_for_repeats = sha256 != checked
    records: list[tuple[int, Any]] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, adapter.validate_json(line)))
            if look_for_repeats:
                json.loads(line, object_pairs_hook=_unique_keys)
        except ValidationError as exc:
            raise UserError(f"{path} line {number}: {describe(exc.errors())}") from None
        except _RepeatedKey as exc:
            raise UserError(
                f'{path} line {number}: "{exc}" appears twice in the same record; the second '
                "would replace the first, so keep one"
            ) from None
    return records, sha256


def write_records(path: Path, lines: Iterable[bytes]) -> None:
    """Write one record per line (each already JSON), atomically and private like every file."""

    def write(handle: Any) -> None:
        for line in lines:
            handle.write(line)
            handle.write(b"\n")

    write_private_with(path, write)
