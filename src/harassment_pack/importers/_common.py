"""Helpers shared by the importers of exports that come as a folder or zip of files.

Platforms hand their exports over as a zip, which the user may or may not have unpacked, and a
user may also point at one file inside it. ``ExportTree`` gives the parsers one view of all three,
so each parser finds its files by name the same way and attachment paths are always relative to
the same root: the folder given, the zip's member names, or the folder of the single file given.
Nothing here extracts or writes anything; zip members are only read.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any

from harassment_pack.errors import UserError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OWNER = "You"
"""The sender of messages the export's owner sent, when the export does not name them."""


def from_epoch_ms(value: int) -> datetime:
    """UTC for milliseconds since 1970, exact to the millisecond (no float rounding)."""
    return EPOCH + timedelta(milliseconds=value)


def from_epoch_s(value: int) -> datetime:
    """UTC for whole seconds since 1970."""
    return EPOCH + timedelta(seconds=value)


class ExportTree:
    """The files of one export, given as a folder, a zip file or a single file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        if self.path.is_dir():
            self.root: Path | None = self.path
            self._names = sorted(
                Path(folder, name).relative_to(self.path).as_posix()
                for folder, _dirs, files in os.walk(self.path)
                for name in files
            )
        elif self.path.is_file() and zipfile.is_zipfile(self.path):
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise UserError(
                    f"{self.path}: this zip file is damaged ({exc}); download the export again"
                ) from None
            self.root = None
            self._names = sorted(i.filename for i in self._zip.infolist() if not i.is_dir())
        elif self.path.is_file():
            self.root = self.path.parent
            self._names = [self.path.name]
        else:
            raise UserError(f"{self.path}: there is no such file or folder; check the path")
        self._name_set = frozenset(self._names)

    @property
    def is_single_file(self) -> bool:
        return self._zip is None and not self.path.is_dir()

    def names(self) -> list[str]:
        """Every file, as a POSIX path relative to the root, in sorted order."""
        return self._names

    def open(self, name: str) -> IO[bytes]:
        """Open one file for reading in binary."""
        if self._zip is not None:
            return self._zip.open(name)
        assert self.root is not None
        return (self.root / name).open("rb")

    def exists(self, name: str) -> bool:
        if self.is_single_file:
            assert self.root is not None
            return (self.root / name).is_file()
        return name in self._name_set

    def source_file(self, name: str) -> str | None:
        """``Message.source_file`` for a message read from ``name``: None for a single file."""
        return None if self.is_single_file else name

    def label(self, name: str) -> str:
        """How to name a file inside this export in a message to the user."""
        if self.is_single_file:
            return str(self.path)
        return f"{self.path}/{name}" if self._zip is None else f"{self.path} ({name})"

    def load_json(self, name: str, *, prefix_to_strip: bool = False) -> Any:
        """One JSON document, decoded whole (these formats are single documents per file).

        Raises ``ValueError`` with a plain description when the file is not valid JSON; the
        caller decides whether that stops the import or is reported as one unreadable file.
        With ``prefix_to_strip`` the JavaScript assignment that X wraps around its JSON
        (``window.YTD.tweets.part0 = [...]``) is removed first.
        """
        with self.open(name) as handle:
            raw = handle.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"it is not UTF-8 text (byte {exc.start})") from None
        if prefix_to_strip:
            start = min((i for i in (text.find("["), text.find("{")) if i >= 0), default=-1)
            if start < 0 or "=" not in text[:start]:
                raise ValueError("it does not start with the window.YTD wrapper X writes")
            text = text[start:].rstrip().removesuffix(";")
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None


def embedded_ref(scheme: str, record: int, part: int, file_name: str) -> str:
    """A reference to a file stored inside the export itself: ``<scheme>:<record>/<part>/<name>``.

    The name comes last, with any folder separators replaced, so the caller can use the part
    after the last "/" as the file's name when it writes the file out.
    """
    safe = file_name.replace("/", "_").replace("\\", "_").strip() or "attachment"
    return f"{scheme}:{record}/{part}/{safe}"


def parse_embedded_ref(scheme: str, ref: str) -> tuple[int, int]:
    """The record and part numbers of an ``embedded_ref``; ValueError when it is not one."""
    match = re.fullmatch(rf"{re.escape(scheme)}:(\d+)/(\d+)/.+", ref, re.DOTALL)
    if match is None:
        raise ValueError(f"not a {scheme} attachment reference: {ref!r}")
    return int(match[1]), int(match[2])


def posix_join(folder: str, relative: str) -> str | None:
    """``folder/relative`` normalised, or None when ``relative`` climbs out of the export."""
    parts: list[str] = [p for p in PurePosixPath(folder).parts if p not in (".", "")]
    for part in PurePosixPath(relative).parts:
        if part in (".", ""):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part == "/":
            return None
        else:
            parts.append(part)
    return "/".join(parts)
