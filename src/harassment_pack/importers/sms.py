"""Text messages from the Android app "SMS Backup & Restore" (SyncTech): its XML backup file.

Shape (import-formats.md §6.1): ``<smses>`` holding ``<sms>`` records (everything in attributes)
and ``<mms>`` records whose ``<parts>`` carry the text and the attached files as base64 in a
``data`` attribute; a call-log backup is ``<calls>`` of ``<call>``. Backups with photos reach
several gigabytes, so the file is read in 1 MB chunks by expat and only the record being read is
held in memory; line numbers come straight from the parser.

Times: ``date`` is milliseconds since 1970 in UTC; ``readable_date`` is the phone's display text
and is not used. ``type``/``msg_box`` 1 is received (the sender is the contact's saved name, or
the number when there is none, with the number in ``sender_alias``), 2 is sent by the phone's
owner ("You"); drafts were never sent and are left out.

Older versions of the app, and Signal's plaintext export that copies the format, write emoji as
two UTF-16 surrogate character references (``&#55357;&#56832;``) that no XML parser accepts;
they are joined into the one character they stand for before parsing (across chunk boundaries
too), and a stray half is replaced by U+FFFD so the rest of the backup can still be read.

Attached files are not files in the export but base64 inside it, so a message's attachments are
references ``mms:<record>/<part>/<file name>`` (record = position among the backup's records,
part = position among that record's parts). ``extract_attachments`` writes the chosen files.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from harassment_pack.errors import UserError
from harassment_pack.files import write_private
from harassment_pack.importers._common import (
    OWNER,
    embedded_ref,
    from_epoch_ms,
    parse_embedded_ref,
    refuse_oversized,
)
from harassment_pack.importers.base import Message, ParseOptions, Unreadable

CHUNK = 1 << 20
MAX_XML_DEPTH = 16
"""A backup nests 4 deep (<smses>, <mms>, <parts>, <part>); anything far deeper is not one."""
_BASIS = "UTC in the export (milliseconds since 1970)"
_CHAR_REF = re.compile(rb"&#(?:x([0-9a-fA-F]+)|([0-9]+));")
_REF_AT_END = re.compile(rb"&#x?[0-9a-fA-F]+;\Z")
_SKIPPED_PARTS = ("application/smil",)
_RECEIVED = "1"
_OWNER_BOXES = {"2", "4", "5", "6"}  # sent, outbox, failed, queued: all written by the owner
_DRAFT = "3"
_CALL_KINDS = {"1": "incoming", "2": "outgoing", "3": "missed", "4": "voicemail", "5": "rejected"}
_NO_NAME = {"", "null", "(Unknown)"}


@dataclass
class _Record:
    """One ``<sms>``, ``<mms>`` or ``<call>``: its attributes, and an MMS's parts and addresses."""

    index: int
    line: int
    tag: str
    attrs: dict[str, str]
    parts: list[dict[str, str]] = field(default_factory=list)
    addrs: list[dict[str, str]] = field(default_factory=list)


def _fix_char_refs(chunk: bytes) -> bytes:
    """Join surrogate-pair character references; replace the refs XML forbids with U+FFFD."""
    if b"&#" not in chunk:
        return chunk
    out: list[bytes] = []
    last = 0
    matches = list(_CHAR_REF.finditer(chunk))
    skip = False
    for position, match in enumerate(matches):
        if skip:
            skip = False
            continue
        value = int(match[1], 16) if match[1] else int(match[2])
        if 0xD800 <= value <= 0xDBFF and position + 1 < len(matches):
            following = matches[position + 1]
            low = int(following[1], 16) if following[1] else int(following[2])
            if following.start() == match.end() and 0xDC00 <= low <= 0xDFFF:
                combined = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                out += [chunk[last : match.start()], b"&#%d;" % combined]
                last, skip = following.end(), True
                continue
        if not _allowed_in_xml(value):
            out += [chunk[last : match.start()], b"&#65533;"]
            last = match.end()
    out.append(chunk[last:])
    return b"".join(out)


def _allowed_in_xml(value: int) -> bool:
    return (
        value in (0x9, 0xA, 0xD)
        or 0x20 <= value <= 0xD7FF
        or 0xE000 <= value <= 0xFFFD
        or 0x10000 <= value <= 0x10FFFF
    )


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    """The file in repaired chunks, never cutting through a reference or between a pair's halves.

    A block is held back from the last "&" near its end, and from any complete references just
    before that one, so both halves of a pair always reach ``_fix_char_refs`` together.
    """
    carry = b""
    while block := handle.read(CHUNK):
        data = carry + block
        cut = data.rfind(b"&", max(0, len(data) - 16))
        if cut < 0:
            cut = len(data)
        while (before := _REF_AT_END.search(data, max(0, cut - 16), cut)) is not None:
            cut = before.start()
        carry = data[cut:]
        yield _fix_char_refs(data[:cut])
    yield _fix_char_refs(carry)


class _Collector:
    """expat handlers that gather each top-level record, to be handed out after every chunk."""

    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.depth = 0
        self.count = 0
        self.current: _Record | None = None
        self.done: list[_Record] = []
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.StartDoctypeDeclHandler = self.doctype

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise _TooDeep(self.parser.CurrentLineNumber)
        if self.depth == 1 and tag not in ("smses", "calls"):
            raise _NotABackup(tag)
        if self.depth == 2:
            self.current = _Record(self.count, self.parser.CurrentLineNumber, tag, attrs)
            self.count += 1
        elif self.current is not None and tag == "part":
            self.current.parts.append(attrs)
        elif self.current is not None and tag == "addr":
            self.current.addrs.append(attrs)

    def end(self, _tag: str) -> None:
        if self.depth == 2 and self.current is not None:
            self.done.append(self.current)
            self.current = None
        self.depth -= 1

    def doctype(self, *_args: object) -> None:
        # Backups never declare a DOCTYPE; refusing one (before its entity declarations are
        # read) keeps billion-laughs and external-entity tricks out of the parser.
        raise _Doctype(self.parser.CurrentLineNumber)


def _records(path: Path) -> Iterator[_Record | Unreadable]:
    """Every top-level record of the backup, in file order, with the line it starts on.

    A backup that simply stops (the phone ran out of space, the file was cut when it was sent)
    still gives every record before the cut, then one Unreadable saying where it stops; damage
    anywhere else means the file cannot be trusted, and that is a UserError.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    collector = _Collector(parser)
    try:
        with path.open("rb") as handle:
            refuse_oversized(os.fstat(handle.fileno()).st_size, "xml", str(path))
            for chunk in _chunks(handle):
                parser.Parse(chunk, False)
                yield from collector.done
                collector.done.clear()
        try:
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            yield from collector.done
            line = collector.current.line if collector.current else exc.lineno
            yield Unreadable(
                f"line {line}",
                "",
                "the backup stops here, in the middle of a record: the file was cut short. "
                "Everything before this line was read; make a new backup to get the rest",
            )
            return
        yield from collector.done
    except expat.ExpatError as exc:
        raise UserError(
            f"{path}: line {exc.lineno}: the backup file is damaged "
            f"({expat.ErrorString(exc.code)}); make a new backup with SMS Backup & Restore"
        ) from None
    except _Doctype as exc:
        raise UserError(
            f"{path}: line {exc.args[0]}: the file declares a DOCTYPE, which SMS Backup & "
            "Restore never writes and which can hide an entity bomb, so nothing was imported "
            "(choose the sms-….xml file the app saved)"
        ) from None
    except _TooDeep as exc:
        raise UserError(
            f"{path}: line {exc.args[0]}: elements are nested more than {MAX_XML_DEPTH} deep, "
            "where a backup nests 4 (<smses>, <mms>, <parts>, <part>), so it may be damaged or "
            "made to crash programs; nothing was imported (make a new backup with the app)"
        ) from None
    except _NotABackup as exc:
        raise UserError(
            f"{path}: this is not an SMS Backup & Restore file (it starts with <{exc.args[0]}>, "
            "not <smses>); choose the sms-….xml file the app saved"
        ) from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read this file ({exc.strerror})") from None


class _NotABackup(Exception):
    """Raised inside the expat handlers to stop at a file that is not a backup."""


class _Doctype(Exception):
    """Raised when the file declares a DOCTYPE (args: its line)."""


class _TooDeep(Exception):
    """Raised when elements nest more than ``MAX_XML_DEPTH`` deep (args: the line)."""


def _usable(value: str | None) -> str:
    return "" if value is None or value == "null" else value


def _decode(data: str) -> bytes | None:
    try:
        return base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


class SmsImporter:
    name = "sms"
    platform = "SMS"

    def extract_attachments(self, path: Path, destinations: Mapping[str, Path]) -> None:
        """Write the chosen attachments, which this format keeps inside the export itself."""
        extract_attachments(path, destinations)

    def detect(self, path: Path) -> bool:
        """An .xml file whose first 1 KB opens an ``<smses>`` (or ``<calls>``) backup."""
        path = Path(path)
        if not path.is_file() or path.suffix.lower() != ".xml":
            return False
        with path.open("rb") as handle:
            head = handle.read(1024)
        return b"<smses" in head or b"<calls" in head or b"SMS Backup & Restore" in head

    def parse(self, path: Path, options: ParseOptions) -> Iterator[Message | Unreadable]:
        """Every message and call in the backup, in file order."""
        for record in _records(Path(path)):
            if isinstance(record, Unreadable):
                yield record
            else:
                yield from self._record(record)

    def _record(self, record: _Record) -> Iterator[Message | Unreadable]:
        where = f"line {record.line}"
        attrs = record.attrs
        stamp = attrs.get("date", "")
        if record.tag not in ("sms", "mms", "call") or not stamp.isdigit():
            yield Unreadable(where, f"<{record.tag}>", "not a message record with a time I know")
            return
        box = attrs.get("msg_box" if record.tag == "mms" else "type", "")
        if record.tag != "call" and box == _DRAFT:
            return  # a draft was never sent
        name = _usable(attrs.get("contact_name"))
        number = _usable(attrs.get("number" if record.tag == "call" else "address"))
        other = name if name not in _NO_NAME else number
        if record.tag == "call":
            kind = _CALL_KINDS.get(box)
            sender, alias = (
                (OWNER, None) if box == "2" else (other, number if other != number else None)
            )
            text = ""
        elif box == _RECEIVED:
            sender, alias = other, number if other != number else None
            if record.tag == "mms":
                sender, alias = _mms_sender(record, name, number) or (sender, alias)
            kind = "message"
        elif box in _OWNER_BOXES:
            sender, alias, kind = OWNER, None, "message"
        else:
            kind = None
        if kind is None:
            yield Unreadable(where, f"<{record.tag}> type {box}", "a message type I do not know")
            return
        attachments: list[str] = []
        if record.tag == "sms":
            text = _usable(attrs.get("body"))
        elif record.tag == "mms":
            texts: list[str] = []
            for position, part in enumerate(record.parts):
                content_type = part.get("ct", "")
                if content_type in _SKIPPED_PARTS:
                    continue
                if content_type == "text/plain" and "data" not in part:
                    texts.append(_usable(part.get("text")))
                    continue
                label = _usable(part.get("name")) or _usable(part.get("cl")) or content_type
                if _decode(part.get("data", "")) is None:
                    yield Unreadable(
                        where,
                        label,
                        "an attached file is damaged in the backup (its data is not valid "
                        "base64) and cannot be recovered",
                    )
                    continue
                attachments.append(embedded_ref("mms", record.index, position, label))
            text = "\n".join(t for t in texts if t)
        yield Message(
            timestamp=from_epoch_ms(int(stamp)),
            sender=sender,
            sender_alias=alias,
            text=text,
            record=where,
            original_time=stamp,
            timezone_basis=_BASIS,
            platform=self.platform,
            attachments=tuple(attachments),
            conversation=other or None,
            kind=("missed_call" if kind == "missed" else "call") if record.tag == "call" else kind,
        )


def _mms_sender(record: _Record, name: str, number: str) -> tuple[str, str | None] | None:
    """The sender of a received MMS: its FROM address (type 137), named when it is the contact."""
    for addr in record.addrs:
        if addr.get("type") == "137" and (address := _usable(addr.get("address"))):
            if address == number and name not in _NO_NAME:
                return name, address
            return address, None
    return None


def extract_attachments(path: Path, destinations: Mapping[str, Path]) -> None:
    """Write the MMS files named by ``mms:<record>/<part>/<name>`` references to destinations.

    One streaming pass over the backup, however many files are wanted; each file is written
    privately and atomically (files.write_private). A reference that is not in the backup, or
    whose data is damaged, raises ValueError: parse() never hands out such references.
    """
    wanted: dict[int, dict[int, Path]] = {}
    for ref, dest in destinations.items():
        record, part = parse_embedded_ref("mms", ref)
        wanted.setdefault(record, {})[part] = Path(dest)
    for record in _records(Path(path)):
        if isinstance(record, Unreadable):
            continue
        for position, dest in wanted.pop(record.index, {}).items():
            if position >= len(record.parts):
                raise ValueError(f"no part {position} in record {record.index} of {path}")
            data = _decode(record.parts[position].get("data", ""))
            if data is None:
                raise ValueError(f"part {position} of record {record.index} is damaged")
            write_private(dest, data)
        if not wanted:
            return
    if wanted:
        raise ValueError(f"records {sorted(wanted)} are not in {path}")


sms = SmsImporter()
