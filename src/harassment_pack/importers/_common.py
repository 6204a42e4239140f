"""Helpers shared by the importers of exports that come as a folder or zip of files.

Platforms hand their exports over as a zip, which the user may or may not have unpacked, and a
user may also point at one file inside it. ``ExportTree`` gives the parsers one view of all three,
so each parser finds its files by name the same way and attachment paths are always relative to
the same root: the folder given, the zip's member names, or the folder of the single file given.
Nothing here extracts or writes anything; zip members are only read.

JSON exports are read with ijson, one record at a time, so memory stays bounded by the largest
record rather than the file: a Telegram result.json or an X tweets.js can be gigabytes.
"""

from __future__ import annotations

import collections
import io
import itertools
import os
import re
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any

import ijson

from harassment_pack.errors import UserError
from harassment_pack.importers.base import Unreadable

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OWNER = "You"
"""The sender of messages the export's owner sent, when the export does not name them."""


_CHUNK = 65536
_BOM = b"\xef\xbb\xbf"
_AFTER_X_JSON = b" \t\r\n;"
_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))
_JSON_PROBLEMS = {
    "premature EOF": "the file ends too soon",
    "trailing garbage": "there is more after the end",
    "invalid char in json text": "a character that cannot be there",
    "integer overflow": "a number too long to read",
}
"""ijson's (yajl's) words for the usual kinds of damage, in plain English."""


class DamagedJson(ValueError):
    """A JSON file that cannot be read; the message says what is wrong and where, in plain words."""


class _TooDeep(Exception):
    """A JSON file nested more deeply than ``MAX_JSON_DEPTH``: made to hurt, so it stops the
    import (as a ``UserError`` naming the file) instead of being one unreadable file."""


def from_epoch_ms(value: int) -> datetime:
    """UTC for milliseconds since 1970, exact to the millisecond (no float rounding)."""
    return EPOCH + timedelta(milliseconds=value)


def from_epoch_s(value: int) -> datetime:
    """UTC for whole seconds since 1970."""
    return EPOCH + timedelta(seconds=value)


MAX_EXPORT_MB_ENV = "HARASSMENT_PACK_MAX_EXPORT_MB"
EXPORT_LIMITS_MB = {"text": 2048, "csv": 2048, "json": 4096, "xml": 16384}
"""The largest file of each kind of export read (one chat, mailbox, JSON or CSV file, SMS backup),
checked before it is read; ``HARASSMENT_PACK_MAX_EXPORT_MB`` sets one limit for all of them.
SMS backups carry their photos and videos inside the XML, so theirs is the largest."""
_KIND_NAMES = {"text": "chat or email", "csv": "CSV", "json": "JSON", "xml": "SMS backup"}
MAX_LINE_BYTES = 8 * 1024**2
"""A text export (WhatsApp chat, email, Discord CSV) is read line by line; a line longer than this
is not a message but a file of NULs or a sparse file, and would otherwise fill the memory."""
MAX_JSON_DEPTH = 64
"""How deeply a JSON export may nest. The real exports nest at most 8 levels (Telegram's
result.json, X's direct-messages.js); ijson's memory grows with the square of the depth, so
40 KB nested 20,000 deep took a gigabyte before any limit of Python's was reached."""


def export_limit(kind: str) -> int:
    """The size limit in bytes for one file of this ``kind`` (a key of ``EXPORT_LIMITS_MB``)."""
    raw = os.environ.get(MAX_EXPORT_MB_ENV, "").strip()
    if raw:
        try:
            return max(1, int(raw)) * 1024**2
        except ValueError:
            raise UserError(
                f"{MAX_EXPORT_MB_ENV}={raw!r} is not a whole number of megabytes (e.g. 8192)"
            ) from None
    return EXPORT_LIMITS_MB[kind] * 1024**2


def refuse_oversized(size: int, kind: str, label: str) -> None:
    """One line, before anything is read, when a file is larger than its kind's limit."""
    limit = export_limit(kind)
    if size > limit:
        raise UserError(
            f"{label}: this file is {size / 1024**2:,.0f} MB, more than the {limit // 1024**2:,} "
            f"MB any {_KIND_NAMES[kind]} export holds, so nothing was imported (check you chose "
            f"the right file; if it really is the export, set {MAX_EXPORT_MB_ENV} to more MB)"
        )


class BoundedReader(io.RawIOBase):
    """A text export's bytes, stopping with one line before a huge file or line fills memory.

    The size of a file on disk is checked before the first byte is read; a zip member's is
    bounded by what its entry declares (``_refuse_zip_bomb``) and counted while read.
    """

    def __init__(self, raw: IO[bytes], label: str, kind: str = "text") -> None:
        self.raw = raw
        self.label = label
        self.kind = kind
        self.limit = export_limit(kind)
        self.total = 0
        self.since_newline = 0
        try:
            size = os.fstat(raw.fileno()).st_size
        except (AttributeError, OSError, io.UnsupportedOperation):
            size = 0  # a zip member
        refuse_oversized(size, kind, label)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        data = self.raw.read(min(len(view), 1024 * 1024))
        count = len(data)
        view[:count] = data
        self.total += count
        newline = data.rfind(b"\n")
        self.since_newline = count - newline - 1 if newline >= 0 else self.since_newline + count
        if self.since_newline > MAX_LINE_BYTES:
            raise UserError(
                f"{self.label}: a line is longer than any {_KIND_NAMES[self.kind]} export has "
                f"(over {MAX_LINE_BYTES // 1024**2} MB), so it is not one; nothing was imported "
                "(check you chose the right file)"
            )
        if self.total > self.limit:
            refuse_oversized(self.total, self.kind, self.label)
        return count


def bounded(raw: IO[bytes], label: str, kind: str = "text") -> io.BufferedReader:
    """``raw`` read through ``BoundedReader``, buffered so lines are read quickly."""
    return io.BufferedReader(BoundedReader(raw, label, kind), buffer_size=1024 * 1024)


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

    def size(self, name: str) -> int:
        """The file's size in bytes (a zip member's as its entry declares: zipfile never gives
        more than that), known before anything is read."""
        if self._zip is not None:
            return self._zip.getinfo(name).file_size
        assert self.root is not None
        return (self.root / name).stat().st_size

    def source_file(self, name: str) -> str | None:
        """``Message.source_file`` for a message read from ``name``: None for a single file."""
        return None if self.is_single_file else name

    def label(self, name: str) -> str:
        """How to name a file inside this export in a message to the user."""
        if self.is_single_file:
            return str(self.path)
        return f"{self.path}/{name}" if self._zip is None else f"{self.path} ({name})"

    def load_json(self, name: str, *, prefix_to_strip: bool = False) -> Any:
        """One small JSON document decoded whole: account.js, channel.json, index.json.

        Read like every other JSON file here (``json_items``), so the same damage gets the same
        description; raises ``DamagedJson``, and the caller decides whether that stops the import
        or is reported as one unreadable file. With ``prefix_to_strip`` the JavaScript assignment
        that X wraps around its JSON (``window.YTD.tweets.part0 = [...]``) is skipped.
        """
        (document,) = self.json_items(name, "", wrapped=prefix_to_strip)
        return document

    def json_items(
        self, name: str, prefix: str, *, wrapped: bool = False
    ) -> Generator[Any, None, None]:
        """Each value at ``prefix`` (ijson's dotted path: "messages.item"), built one at a time.

        Numbers keep JSON's meaning: whole numbers are exact ints (millisecond times, ids) and
        the rest floats, as ``json.loads`` gives. Raises ``DamagedJson`` where the file goes
        wrong, after the values before that point; ``wrapped`` reads X's ``window.YTD`` files.
        """
        return self._read_json(name, wrapped, lambda s: ijson.items(s, prefix, use_float=True))

    def json_events(
        self, name: str, *, wrapped: bool = False
    ) -> Generator[tuple[str, str, Any], None, None]:
        """ijson's ``(prefix, event, value)`` parse events, for files where the records at more
        than one path, or what surrounds them, matter; see ``build_items``."""
        return self._read_json(name, wrapped, lambda s: ijson.parse(s, use_float=True))

    def check_json(self, name: str, *, wrapped: bool = False) -> None:
        """Read the whole file without keeping anything; ``DamagedJson`` if it is not valid.

        For a file inside a folder or zip, whose damage is reported as one unreadable file
        rather than stopping the import: checking first means none of its records are taken.
        """
        collections.deque(self._read_json(name, wrapped, ijson.basic_parse), maxlen=0)

    def json_is_list(self, name: str, *, wrapped: bool = False) -> bool:
        """True when the file's JSON value is a list (it starts with "[")."""
        with self.open(name) as handle:
            stream = _JsonBytes(handle, wrapped=wrapped, depth_limit=None)  # only its start
            while chunk := stream.read(_CHUNK):
                if chunk := chunk.lstrip():
                    return chunk.startswith(b"[")
        return False

    def _read_json(
        self, name: str, wrapped: bool, parser: Callable[[_JsonBytes], Iterable[Any]]
    ) -> Generator[Any, None, None]:
        refuse_oversized(self.size(name), "json", self.label(name))
        with self.open(name) as handle:
            stream = _JsonBytes(handle, wrapped=wrapped)
            try:
                yield from parser(stream)
                return
            except _TooDeep as exc:
                raise UserError(f"{self.label(name)}: {exc}") from None
            except ijson.JSONError as exc:
                first_error, last_chunk = exc, stream.given - stream.last_read
        raise self._locate(name, wrapped, first_error, last_chunk)

    def _locate(self, name: str, wrapped: bool, error: Exception, start: int) -> DamagedJson:
        """Where the file goes wrong: it is read again, one byte at a time from ``start`` (the
        chunk in which the first reading failed), so the line and column are exact."""
        with self.open(name) as handle:
            stream = _JsonBytes(handle, wrapped=wrapped, slow_from=start, depth_limit=None)
            try:
                collections.deque(ijson.basic_parse(stream), maxlen=0)
            except ijson.JSONError as again:
                return DamagedJson(_json_problem(again, stream))
        return DamagedJson(_json_problem(error, None))


_ESCAPED = re.compile(rb"\\.", re.DOTALL)
_NOT_MARKS = bytes(b for b in range(256) if b not in b'[]{}"')
_SQUARE = bytes.maketrans(b"{}", b"[]")
_STEP = [0] * 256
_STEP[ord("[")], _STEP[ord("]")] = 1, -1


class _DepthGauge:
    """How deeply the JSON handed to the parser so far nests, counted on its bytes as they pass.

    Why: ijson's time and memory grow with the square of the depth, so the depth is checked
    before the parser sees the bytes. Strings are skipped (a bracket inside one is text):
    escapes are removed first, then everything but quotes and brackets, then what is between
    quotes, with whether a string is open carried from one chunk to the next. Each chunk's
    deepest point is bounded cheaply (at most the rounds needed to remove its matched pairs,
    plus its unmatched opens beyond its unmatched closes; all in C) and counted exactly only
    when that bound is over the limit.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.escape = False
        """The chunk before ended with a lone backslash inside a string."""

    def feed(self, data: bytes) -> int | None:
        """Count one chunk; the depth it reaches when that is over the limit, else None."""
        if self.escape and data:
            data, self.escape = data[1:], False
        if b"\\" in data:
            if (len(data) - len(data.rstrip(b"\\"))) % 2:
                data, self.escape = data[:-1], True
            data = _ESCAPED.sub(b"", data)
        marks = data.translate(_SQUARE, _NOT_MARKS)  # quotes, and [ ] for every bracket
        # Two quotes side by side are an empty string or the seam of two strings: dropping them
        # leaves every bracket on the same side of a string's edge, and few quotes to split on.
        pieces = ((b'"' if self.in_string else b"") + marks).replace(b'""', b"").split(b'"')
        self.in_string = len(pieces) % 2 == 0
        brackets = b"".join(pieces[0::2])
        opens = brackets.count(b"[")
        start, self.depth = self.depth, self.depth + 2 * opens - len(brackets)
        if start + opens <= self.limit:
            return None
        rounds, rest = 0, brackets  # what is left is "]]]…[[[": unmatched closes, then opens
        while rounds <= self.limit and len(reduced := rest.replace(b"[]", b"")) < len(rest):
            rounds, rest = rounds + 1, reduced
        unmatched = rest.count(b"[")
        if start + rounds + max(0, 2 * unmatched - len(rest)) <= self.limit:
            return None
        deepest = max(itertools.accumulate(map(_STEP.__getitem__, brackets), initial=start))
        return deepest if deepest > self.limit else None


class _JsonBytes:
    """One JSON file's bytes as ijson reads them: without a UTF-8 BOM or X's JavaScript wrapper.

    X writes ``window.YTD.tweets.part0 = [ … ]``, sometimes with a final ";": the assignment is
    skipped (its end is in the first 4 KB) and the semicolon held back, so ijson sees plain JSON.
    The line and column reached are counted, and with ``slow_from`` the bytes from that offset
    on are handed over one at a time, so a damaged file can be reported by where it goes wrong.
    """

    def __init__(
        self,
        handle: IO[bytes],
        *,
        wrapped: bool,
        slow_from: int | None = None,
        depth_limit: int | None = MAX_JSON_DEPTH,
    ) -> None:
        self._handle = handle
        self._wrapped = wrapped
        self._slow_from = slow_from
        self.given = 0
        """Bytes of the file handed over or skipped so far."""
        self.last_read = 0
        self.line, self.column = 1, 1
        """Where the next byte is (the column counts characters, not bytes)."""
        self._buffer, self._offset, self._held, self._done = b"", 0, b"", False
        self._gauge = _DepthGauge(depth_limit) if depth_limit is not None else None
        head = handle.read(4096)
        start = len(_BOM) if head.startswith(_BOM) else 0
        if wrapped:
            opening = [i for i in (head.find(b"[", start), head.find(b"{", start)) if i >= 0]
            if not opening or b"=" not in head[start : min(opening)]:
                raise DamagedJson("it does not start with the window.YTD wrapper X writes")
            start = min(opening)
        self._count(head[:start])
        self._load(head[start:])

    @property
    def at_end(self) -> bool:
        return self._done and self._offset >= len(self._buffer)

    def read(self, size: int = -1) -> bytes:
        while self._offset >= len(self._buffer) and not self._done:
            self._load(self._handle.read(_CHUNK))
        end = len(self._buffer) if size < 0 else self._offset + size
        if self._slow_from is not None:
            end = min(end, self._offset + max(1, self._slow_from - self.given))
        data = self._buffer[self._offset : end]
        self._offset += len(data)
        self._count(data)
        self.last_read = len(data)
        if self._gauge is not None and (deepest := self._gauge.feed(data)) is not None:
            raise _TooDeep(
                f"it nests its data at least {deepest:,} levels deep by line {self.line}, where "
                f"no platform's export goes deeper than {self._gauge.limit}, so it may be damaged "
                "or made to crash programs; nothing was imported (download the export again)"
            )
        return data

    def _load(self, chunk: bytes) -> None:
        if not self._wrapped:
            self._buffer, self._offset, self._done = chunk, 0, not chunk
        elif chunk:
            chunk = self._held + chunk
            body = chunk.rstrip(_AFTER_X_JSON)
            self._buffer, self._offset, self._held = body, 0, chunk[len(body) :]
        else:  # the end: one ";" after the JSON is JavaScript's, not part of the data
            self._buffer, self._offset = self._held.rstrip().removesuffix(b";"), 0
            self._held, self._done = b"", True

    def _count(self, data: bytes) -> None:
        self.given += len(data)
        newline = data.rfind(b"\n")
        if newline >= 0:
            self.line += data.count(b"\n")
            self.column = 1
            data = data[newline + 1 :]
        self.column += len(data.translate(None, _UTF8_CONTINUATION))


def _json_problem(error: Exception, stream: _JsonBytes | None) -> str:
    """ijson's error in plain words, with the line and column when they are known."""
    text = error.args[0] if error.args else ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    what = str(text).split("\n", 1)[0].split(": ", 1)[-1].strip().rstrip(".")
    where = ""
    if stream is not None:
        # The byte that broke the parse was the last one handed over; at the end, the end.
        column = stream.column if stream.at_end else max(1, stream.column - 1)
        where = f"line {stream.line}, column {column}"
    if "UTF8" in what:
        return f"it is not UTF-8 text ({where})" if where else "it is not UTF-8 text"
    what = _JSON_PROBLEMS.get(what, what)
    return f"it is not valid JSON ({where}: {what})" if where else f"it is not valid JSON ({what})"


def build_items(
    events: Iterable[tuple[str, str, Any]], prefixes: frozenset[str]
) -> Iterator[tuple[str, str, Any]]:
    """Parse events with each value at one of ``prefixes`` built whole and given as a single
    ``(prefix, "item", value)`` event in place of the events inside it.

    Only one record is held at a time, while the caller still sees everything around the
    records (which Telegram chat a message is in, every string of a Meta conversation).
    """
    events = iter(events)
    for prefix, event, value in events:
        if prefix not in prefixes:
            yield prefix, event, value
        elif event in ("start_map", "start_array"):
            builder = ijson.ObjectBuilder()
            builder.event(event, value)
            depth = 1
            for _inner, inner_event, inner_value in events:
                builder.event(inner_event, inner_value)
                if inner_event in ("start_map", "start_array"):
                    depth += 1
                elif inner_event in ("end_map", "end_array"):
                    depth -= 1
                    if depth == 0:
                        break
            yield prefix, "item", builder.value
        else:
            yield prefix, "item", value


def stream_records(
    tree: ExportTree, name: str, prefix: str, *, wrapped: bool = False, again: str
) -> Iterator[Any]:
    """The values at ``prefix`` in one JSON file of an export, one at a time.

    A damaged file stops the import with a one-line ``UserError`` (ending with ``again``, how
    to get a good copy) when it is the file the user gave. Inside a folder or zip it is one
    ``Unreadable`` for the whole file instead, and because such a file is checked completely
    before its first record is given, none of its records are imported then.
    """
    try:
        if not tree.is_single_file:
            tree.check_json(name, wrapped=wrapped)
        yield from tree.json_items(name, prefix, wrapped=wrapped)
    except DamagedJson as exc:
        if tree.is_single_file:
            raise UserError(f"{tree.label(name)}: this file is damaged ({exc}); {again}") from None
        yield Unreadable(name, "", f"the whole file could not be read: {exc}")


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
