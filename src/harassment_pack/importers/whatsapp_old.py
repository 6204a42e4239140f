"""WhatsApp's "Export chat": the .txt file, or the .zip with the chat text and its media.

WhatsApp writes each message as one line starting with a date and time in the phone's own
format (day or month first, 12- or 24-hour clock, brackets on iPhones, dots in German …), with
no time zone. Lines that do not start that way belong to the message above (messages can run over
several lines). Invisible direction marks and byte order marks are scattered through real
exports; they are ignored for reading but the evidence copy of the file keeps every byte.

Day/month order is taken from the file itself (any first number over 12 means day first, any
second number over 12 means month first); when the file cannot decide, the person is asked,
because a wrong guess would put messages on the wrong dates in a court document.

Exports can hold hundreds of thousands of lines, so the file is read line by line and only the
message being read is held in memory.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import MISSING, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO
from zoneinfo import ZoneInfo

from ..dates import UK_ZONE, DateFormatError, local_to_utc, zone_named
from ..errors import UserError
from ._common import posix_join
from .base import Message, ParseOptions, Unreadable

NAME = "whatsapp"
PLATFORM = "WhatsApp"

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_DELETE_MARKS = str.maketrans("", "", _MARKS)
"""Left-to-right and right-to-left marks, direction embeddings and byte order marks."""

_HEADER = re.compile(
    r"\[?"
    r"((\d{1,4})([-/.])\s?(\d{1,4})\3\s?(\d{1,4})\.?,?\s+(?:[^\W\d_]{1,4}\.?\s+)?"
    r"(\d{1,2})[:.](\d\d)(?:[:.](\d\d))?(?:\s?([aApP])\.?\s?[mM]\.?)?)"
    r"(?:\]\s?|\s[-~]\s|:\s)"
)
"""A message's first line: optional '[', date, optional word ('à', 'klo'), time, optional am/pm,
then '] ' (iPhone), ' - ' (Android) or ': ' (old versions). Group 1 is the timestamp verbatim."""

_MESSAGE_DEFAULTS = {f.name: f.default for f in fields(Message) if f.default is not MISSING}
"""Every optional field of ``Message`` with its default (see ``_parse_lines`` for why)."""

_EMPTY_BODY = re.compile(r"([^:\"“”]+):\.?")
"""'Name:' or 'Name:.' with nothing after it: a view-once or disappearing message."""

_SYSTEM_OPENINGS = (
    "Messages and calls are end-to-end encrypted",
    "Messages to this group are now secured with end-to-end encryption",
    "Messages you send to this chat and calls are now secured with end-to-end encryption",
    "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
    "Nachrichten, die du in diesem Chat sendest",
    "Los mensajes y las llamadas están cifrados de extremo a extremo",
    "Les messages et les appels sont chiffrés de bout en bout",
)
"""Notices an iPhone export attributes to the chat's own name, as if someone had written them."""

_SYSTEM_EVENT = re.compile(
    r" (?:added|removed|left|joined using this group's invite link|created group|created this"
    r" group|changed the subject|changed this group's|changed the group|changed their phone"
    r" number|turned (?:on|off) disappearing messages)\b|security code|end-to-end encrypted"
    r"| hinzugefügt| entfernt| hat die Gruppe| verlassen|Sicherheitsnummer|Ende-zu-Ende",
)
"""Group events that an iPhone export writes as 'Chat name: ‎event' (with a direction mark)."""

_SPECIAL_BODIES = {
    **dict.fromkeys(
        [
            "<Media omitted>", "<Medien ausgeschlossen>", "<Multimedia omitido>",
            "<multimedia omitido>", "<Médias omis>", "<médias omis>", "image omitted",
            "video omitted", "audio omitted", "document omitted", "GIF omitted",
            "sticker omitted", "Contact card omitted", "Bild weggelassen", "Video weggelassen",
            "Audio weggelassen", "GIF weggelassen", "Sticker weggelassen", "Dokument weggelassen",
        ],
        "media_omitted",
    ),
    **dict.fromkeys(
        [
            "This message was deleted", "This message was deleted.", "You deleted this message",
            "You deleted this message.", "Diese Nachricht wurde gelöscht",
            "Diese Nachricht wurde gelöscht.", "Du hast diese Nachricht gelöscht",
            "Du hast diese Nachricht gelöscht.", "Se eliminó este mensaje.",
            "Eliminaste este mensaje.", "Ce message a été supprimé",
            "Vous avez supprimé ce message",
        ],
        "deleted",
    ),
}  # fmt: skip

_ATTACHED = re.compile(
    r"<(?:attached|Anhang|adjunto|pièce jointe): ([^>\n]+)>"
    r"|^(.+?\.\w{1,6}) \((?:file attached|Datei angehängt|archivo adjunto|fichier joint)\)$"
    r"|^(\S+\.\w{1,6}) <attached>$",
    re.MULTILINE,
)
"""Files named in a message: iPhone '<attached: x.jpg>', Android 'x.jpg (file attached)', and
the old iPhone 'x.jpg <attached>'."""

_ATTACHMENT_HINTS = ("attached", "Anhang", "angehängt", "adjunto", "pièce jointe", "fichier joint")


class WhatsAppImporter:
    """The ``whatsapp`` format: a chat exported from the WhatsApp app (.txt or .zip)."""

    name = NAME
    platform = PLATFORM

    def detect(self, path: Path) -> bool:
        path = Path(path)
        if not path.is_file():
            return False
        try:
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    member = _chat_member(archive, path, quiet=True)
                    if member is None:
                        return False
                    with archive.open(member) as raw:
                        head = raw.read(8192)
            else:
                with path.open("rb") as raw:
                    head = raw.read(8192)
        except (OSError, zipfile.BadZipFile):
            return False
        text = head.decode(_encoding(head), errors="replace").translate(_DELETE_MARKS)
        return any(_HEADER.match(line) for line in text.splitlines()[:20])

    def parse(self, path: Path, options: ParseOptions) -> Iterator[Message | Unreadable]:
        path = Path(path)
        zone_name = options.tz or UK_ZONE
        try:
            zone = zone_named(zone_name)
        except DateFormatError as exc:
            raise UserError(f"--tz {exc}") from None
        source = _Source(path)
        dayfirst, decided_by = _day_order(source, options.dayfirst)
        basis = _basis(zone_name, options.tz is not None, dayfirst, decided_by)
        return _parse_lines(source, zone, zone_name, dayfirst, basis, path.stem)


class _Source:
    """The chat text of an export: the .txt itself, or the chat file inside the .zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.member: str | None = None
        if not path.is_file():
            raise UserError(f"{path}: no such file (check the name and the folder it is in)")
        if zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as archive:
                    self.member = _chat_member(archive, path, quiet=False)
            except zipfile.BadZipFile as exc:
                raise UserError(
                    f"{path}: this zip file is damaged ({exc}); export the chat again"
                ) from None

    def where(self, line: int) -> str:
        inside = f" ({self.member})" if self.member else ""
        return f"{self.path}{inside} line {line}"

    def open_text(self) -> _Lines:
        return _Lines(self)


class _Lines:
    """The chat's lines as text, whatever the line endings (CRLF, LF or CR).

    A byte that is not UTF-8 raises ``UnicodeDecodeError`` in the reading loop, which knows the
    line number and turns it into ``_not_utf8``.
    """

    def __init__(self, source: _Source) -> None:
        self._archive: zipfile.ZipFile | None = None
        raw: IO[bytes]
        if source.member is not None:
            self._archive = zipfile.ZipFile(source.path)
            raw = self._archive.open(source.member)
        else:
            raw = source.path.open("rb")
        head = raw.read(4)
        raw.seek(0)
        self.raw = raw
        self._text = io.TextIOWrapper(raw, encoding=_encoding(head), newline=None)

    def __enter__(self) -> Iterator[str]:
        return iter(self._text)

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._text.close()
        if self._archive is not None:
            self._archive.close()


def _not_utf8(source: _Source) -> UserError:
    """The error for a file that is not UTF-8 text, naming the first line that is not.

    Text is decoded in blocks, so the reading loop does not know the line; the file is read
    again, line by line, to find it (this happens only for a broken file).
    """
    line = 0
    reader = _Lines(source)
    try:
        for line, data in enumerate(reader.raw, start=1):  # noqa: B007 (the number is the result)
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                break
    finally:
        reader.close()
    return UserError(
        f"{source.where(line)}: this is not UTF-8 text, so the file may have been re-saved by "
        "another program (export the chat again from WhatsApp and import that file)"
    )


def _encoding(head: bytes) -> str:
    """UTF-16 when the file starts with its byte order mark (re-saved in Notepad), else UTF-8."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def _chat_member(archive: zipfile.ZipFile, path: Path, *, quiet: bool) -> str | None:
    """The chat text inside a WhatsApp zip: ``_chat.txt`` (iPhone), else the one .txt file."""
    texts = [
        info.filename
        for info in archive.infolist()
        if not info.is_dir() and info.filename.lower().endswith(".txt")
    ]
    for name in texts:
        if PurePosixPath(name).name == "_chat.txt":
            return name
    if len(texts) == 1:
        return texts[0]
    if quiet:
        return None
    if not texts:
        raise UserError(
            f"{path}: this zip has no chat text file (.txt) in it, so it is not a WhatsApp chat "
            "export (in WhatsApp open the chat, tap ⋮ or the name, then 'Export chat')"
        )
    raise UserError(
        f"{path}: this zip holds several text files ({', '.join(texts[:4])}); unzip it and "
        "import the chat's .txt file itself"
    )


def _day_order(source: _Source, given: bool | None) -> tuple[bool, str]:
    """Day first or month first, from the first line that decides it; the flag must agree.

    Reads only as far as the first date whose first or second number is over 12, so a normal
    file costs a few lines; a file where no date decides is read to the end, then the person is
    asked.
    """
    first_example = ""
    with source.open_text() as lines:
        try:
            for number, line in enumerate(lines, start=1):
                match = _HEADER.match(line.translate(_DELETE_MARKS) if not line.isascii() else line)
                if match is None or len(match[2]) == 4:
                    continue
                first, second = int(match[2]), int(match[4])
                stamp = match[1]
                if not first_example:
                    first_example = f'line {number}: "{stamp}"'
                found: bool | None = True if first > 12 else False if second > 12 else None
                if found is None:
                    continue
                evidence = f'line {number}: "{stamp}"'
                if given is not None and given != found:
                    wrong, right = (
                        ("--dayfirst", "--monthfirst") if given else ("--monthfirst", "--dayfirst")
                    )
                    raise UserError(
                        f'{source.where(number)}: the date "{stamp}" cannot be read with '
                        f"{wrong}, because {max(first, second)} cannot be a month (use {right}, "
                        "or leave the flag out and the file's own dates decide)"
                    )
                return found, evidence
        except UnicodeDecodeError:
            raise _not_utf8(source) from None
    if given is not None:
        return given, "--dayfirst" if given else "--monthfirst"
    if not first_example:
        return True, ""  # only year-first dates, or no dates at all: the order is never used
    raise UserError(
        f"{source.path}: the dates in this chat could be day first or month first (for example "
        f"{first_example}); say which with --dayfirst (03/04 is 3 April) or --monthfirst "
        "(03/04 is 4 March), as your phone shows dates"
    )


def _basis(zone_name: str, given: bool, dayfirst: bool, decided_by: str) -> str:
    """How the times were read, in plain words, for every imported message's source note."""
    how = "given with --tz" if given else "the default; use --tz if the phone was set to another"
    basis = f"WhatsApp writes no time zone: the phone's local time, taken as {zone_name} ({how})"
    if decided_by.startswith("--"):
        basis += f"; dates read {'day' if dayfirst else 'month'} first ({decided_by})"
    elif decided_by:
        basis += f"; dates read {'day' if dayfirst else 'month'} first (decided by {decided_by})"
    return basis


def _day_offset(day: date, zone: ZoneInfo) -> timedelta | None:
    """The zone's UTC offset for the whole of ``day``, or None when the clocks change that day."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    end = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=zone, fold=1)
    offset = start.utcoffset()
    if offset != end.utcoffset() or offset != start.replace(fold=1).utcoffset():
        return None
    return offset


def _changeover_utc(
    local: datetime, zone: ZoneInfo, zone_name: str, previous: datetime | None
) -> tuple[datetime, str | None]:
    """UTC on a day the clocks change; an hour that happened twice is placed by file order.

    ``local_to_utc`` takes the first of the two; when that would put this message before the
    one above it in the file, the second is the one that fits.
    """
    utc, note = local_to_utc(local, zone_name)
    if note is None:
        return utc, None
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    repeated = second > utc and second.astimezone(zone).replace(tzinfo=None) == local
    if repeated and previous is not None and utc < previous <= second:
        return second, (
            "this clock time happened twice when the clocks went back; the second was assumed, "
            "because the message above it is later than the first"
        )
    return utc, note


def _parse_lines(
    source: _Source,
    zone: ZoneInfo,
    zone_name: str,
    dayfirst: bool,
    basis: str,
    conversation: str,
) -> Iterator[Message | Unreadable]:
    """The parse loop, written for speed: one regex match per line, dates cached per day."""
    member = source.member
    header = _HEADER.match
    fast: Callable[[str], re.Match[str] | None] = header
    delete_marks = _DELETE_MARKS
    defaults = {**_MESSAGE_DEFAULTS, "platform": PLATFORM, "conversation": conversation,
                "source_file": member}  # fmt: skip
    last_stamp = ""
    utc = datetime.min.replace(tzinfo=UTC)
    days: dict[tuple[str, str, str], tuple[datetime | None, int, int, int] | str] = {}
    clocks: dict[tuple[str, str, str | None, str | None], timedelta | None] = {}
    folder = str(PurePosixPath(member).parent) if member else ""
    seen_header = False
    previous_utc: datetime | None = None
    # The message being read: its line, time, stamp, sender, first line and any further lines.
    p_line = 0
    p_time: datetime | None = None
    p_stamp = ""
    p_basis = basis
    p_sender: str | None = None
    p_text = ""
    p_more: list[str] | None = None

    try:
        with source.open_text() as lines:
            for number, raw in enumerate(lines, start=1):
                line = raw.rstrip("\n")
                clean = line if line.isascii() else line.translate(delete_marks)
                match = fast(clean) or header(clean)
                if match is None:
                    if p_sender is not None:
                        if p_more is None:
                            p_more = [clean]
                        else:
                            p_more.append(clean)
                    elif not seen_header and clean.strip():
                        yield Unreadable(
                            f"line {number}",
                            line,
                            "text before the first dated message of the chat",
                        )
                    continue
                if p_sender is not None:
                    yield _message(
                        defaults, folder, p_line, p_time, p_stamp, p_basis, p_sender, p_text, p_more
                    )
                    p_sender = None
                if not seen_header:
                    seen_header = True
                    fast = _fast_header(clean, match)
                stamp = match[1]
                if stamp != last_stamp:  # messages in the same minute share one time: read it once
                    last_stamp = ""
                    _, a, _sep, b, c, hour, minute, second, ampm = match.groups()
                    day = days.get((a, b, c))
                    if day is None:
                        day = days[(a, b, c)] = _read_day(a, b, c, dayfirst, zone)
                    if isinstance(day, str):
                        yield Unreadable(f"line {number}", line, day)
                        continue
                    clock = clocks.get((hour, minute, second, ampm))
                    if clock is None:
                        clock = clocks[(hour, minute, second, ampm)] = _read_clock(
                            hour, minute, second, ampm
                        )
                    if clock is None:
                        yield Unreadable(f"line {number}", line, f'"{stamp}" is not a real time')
                        continue
                    midnight, year, month, dom = day
                    if midnight is not None:
                        utc = midnight + clock
                        p_basis = basis
                    else:
                        local = datetime(year, month, dom) + clock
                        utc, note = _changeover_utc(local, zone, zone_name, previous_utc)
                        p_basis = f"{basis}; {note}" if note else basis
                    previous_utc = utc
                    last_stamp = stamp
                rest = clean[match.end() :]
                split = rest.find(": ")
                if split < 0:
                    empty = _EMPTY_BODY.fullmatch(rest)
                    if empty is None:
                        continue  # a system line: "Sam added Ana", "You were added" …
                    sender, text = empty[1], rest[len(empty[1]) + 1 :]
                else:
                    sender, text = rest[:split], rest[split + 2 :]
                    if '"' in sender or "“" in sender or text.startswith(_SYSTEM_OPENINGS):
                        continue  # "X changed the subject to "a: b"", encryption notices
                    if line is not clean and _is_ios_event(line, text):
                        continue
                p_line, p_time, p_stamp, p_sender, p_text, p_more = (
                    number,
                    utc,
                    stamp,
                    sender,
                    text,
                    None,
                )
    except UnicodeDecodeError:
        raise _not_utf8(source) from None
    if p_sender is not None:
        yield _message(defaults, folder, p_line, p_time, p_stamp, p_basis, p_sender, p_text, p_more)
    if not seen_header:
        raise UserError(
            f"{source.path}: no line starts with a date and time, so this is not a WhatsApp chat "
            "export (in WhatsApp open the chat, tap ⋮ or the name, then 'Export chat')"
        )


def _message(
    defaults: dict[str, object],
    folder: str,
    line: int,
    moment: datetime,
    stamp: str,
    basis: str,
    sender: str,
    text: str,
    more: list[str] | None,
) -> Message:
    """One message from its header and lines; its kind and attached files from its words.

    Built by filling the frozen dataclass's fields directly: through ``__init__`` (one
    ``object.__setattr__`` per field) building them took more time than all the reading, and a
    million-line export should import in a few seconds. Every field is set, the defaults from
    the class itself (``defaults``), so the result equals ``Message(...)``.
    """
    if more is not None:
        text = "\n".join([text, *more])
    kind = _SPECIAL_BODIES.get(text, "message")
    attachments: tuple[str, ...] = ()
    if ("<" in text or "(" in text) and any(hint in text for hint in _ATTACHMENT_HINTS):
        attachments = tuple(
            posix_join(folder, (m[1] or m[2] or m[3]).strip()) or ""
            for m in _ATTACHED.finditer(text)
        )
    elif kind == "message" and (not text or text == "."):
        kind = "empty"
    message = object.__new__(Message)
    values = defaults.copy()
    values["timestamp"] = moment
    values["sender"] = sender
    values["text"] = text
    values["record"] = f"line {line}"
    values["original_time"] = stamp
    values["timezone_basis"] = basis
    values["attachments"] = attachments
    values["kind"] = kind
    vars(message).update(values)
    return message


def _fast_header(line: str, match: re.Match[str]) -> Callable[[str], re.Match[str] | None]:
    """A matcher for exactly this file's header layout, with the same groups as ``_HEADER``.

    A chat export keeps one layout throughout, and the exact pattern matches in less than half
    the time of the general one; lines it does not match still go through ``_HEADER``.
    """
    escape = re.escape
    seconds = r"[:.](\d\d)" if match[8] else "()"
    ampm = r"(?:\s?([aApP])\.?\s?[mM]\.?)" if match[9] else "()"
    pattern = (
        f"{escape(line[: match.start(1)])}((\\d{{1,4}})({escape(match[3])})(\\d{{1,4}})"
        f"{escape(match[3])}(\\d{{1,4}}){escape(line[match.end(5) : match.start(6)])}"
        f"(\\d{{1,2}}){escape(line[match.end(6) : match.start(7)])}(\\d\\d){seconds}{ampm})"
        f"{escape(line[match.end(1) : match.end()])}"
    )
    return re.compile(pattern).match


def _is_ios_event(line: str, text: str) -> bool:
    """An iPhone group event: the chat's name as sender, a direction mark, then the event."""
    start = line.find(": \u200e")
    return start >= 0 and _SYSTEM_EVENT.search(text) is not None


def _read_day(
    a: str, b: str, c: str, dayfirst: bool, zone: ZoneInfo
) -> tuple[datetime | None, int, int, int] | str:
    """The UTC time of the day's local midnight (None when the clocks change that day) and the
    year, month and day; or why the date cannot be read."""
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif dayfirst:
        day, month, year = int(a), int(b), int(c)
    else:
        month, day, year = int(a), int(b), int(c)
    if year < 100:
        year += 2000
    try:
        when = date(year, month, day)
    except ValueError:
        order = "year/month/day" if len(a) == 4 else "day/month" if dayfirst else "month/day"
        return f'"{a}/{b}/{c}" is not a real date when read as {order}'
    offset = _day_offset(when, zone)
    midnight = None if offset is None else datetime(year, month, day, tzinfo=UTC) - offset
    return midnight, year, month, day


def _read_clock(hour: str, minute: str, second: str | None, ampm: str | None) -> timedelta | None:
    """Time since midnight for a clock time (12-hour ones included: 12:05 am is 00:05)."""
    h, m, s = int(hour), int(minute), int(second or 0)
    if ampm:
        if h > 12:
            return None
        h = h % 12 + (12 if ampm in "pP" else 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return timedelta(hours=h, minutes=m, seconds=s)
