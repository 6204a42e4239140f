"""WhatsApp's "Export chat": the .txt file, or the .zip with the chat text and its media.

WhatsApp writes each message as one line starting with a date and time in the phone's own
format (day or month first, 12- or 24-hour clock, brackets on iPhones, dots in German, Arabic
digits, time before date in Vietnamese, Buddhist or Japanese era years, "9:15 in the morning"),
with no time zone. Lines that do not start that way belong to the message above (messages can
run over several lines). Invisible direction marks and byte order marks are scattered through
real exports; they are ignored for reading but the evidence copy of the file keeps every byte.

What WhatsApp itself writes into the chat, in each language (its notices, the placeholders for
deleted messages and left-out media, call entries, attachment markers), and the date and time
layouts, are data: ``whatsapp_strings.yaml``, with the source of every string. A new language or
layout is a line there. A notice is never a person's words; a placeholder or call is imported
with its own kind, never as what the sender said.

Day/month order is taken from the file itself (any first number over 12 means day first, any
second number over 12 means month first); when the file cannot decide, the person is asked,
because a wrong guess would put messages on the wrong dates in a court document.

Exports can hold hundreds of thousands of lines, so the file is read a block of text at a time
and only the message being read is held in memory; messages are handed over unbuilt (``scan``),
and only the ones an import keeps are built.
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
from typing import IO, Any
from zoneinfo import ZoneInfo

import yaml

from ..dates import UK_ZONE, DateFormatError, local_to_utc, zone_named
from ..errors import UserError
from ._common import bounded, posix_join
from .base import Message, ParseOptions, Unreadable

NAME = "whatsapp"
PLATFORM = "WhatsApp"

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_DELETE_MARKS = str.maketrans("", "", _MARKS)
"""Left-to-right and right-to-left marks, direction embeddings and byte order marks."""

_STRINGS_FILE = Path(__file__).with_name("whatsapp_strings.yaml")
"""WhatsApp's own words per language, and the date and time layouts: data, with their sources."""

_BLOCK = 1 << 20
"""Characters of text read at a time by the parse loop (a changed value changes nothing else)."""


class _Tables:
    """Everything ``whatsapp_strings.yaml`` says, compiled once for the parse loop.

    Placeholders, deletions and call entries are looked up by their exact words (ignoring case
    and a final full stop), so an ordinary message costs two dictionary look-ups. Notices are
    looked up by their first twelve characters and then matched whole, because an iPhone export
    attributes them to the chat's name as if someone had written them.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.layouts: list[tuple[str, str, re.Pattern[str]]] = []
        self.long_notices: set[str] = set()
        periods = data["day_periods"]
        self.am = {_period_key(w) for w in periods["am"]}
        self.pm = {_period_key(w) for w in periods["pm"]}
        period = "|".join(
            _loose(w) for w in sorted([*periods["am"], *periods["pm"]], key=len, reverse=True)
        )
        eras = data["eras"]
        self.eras_before: dict[str, int] = eras["before_year"]
        self.eras_after: dict[str, int] = eras["after_year"]
        self.buddhist_from: int = eras["buddhist_without_marker_from"]
        year = (
            data["year"]
            .replace("{era}", "|".join(map(re.escape, self.eras_before)))
            .replace("{era_after}", "|".join(map(re.escape, self.eras_after)))
        )
        date = data["date"].replace("{year}", year)
        time = data["time"].replace("{period}", f"(?i:{period})")
        self.parts = {"year": year, "period": f"(?i:{period})"}
        for layout in data["layouts"]:
            pattern = layout["pattern"].replace("{date}", date).replace("{time}", time)
            self.layouts.append((layout["name"], layout["example"], re.compile(pattern)))
        self.kinds: dict[str, str] = {}
        self.kinds_as_written: list[str] = []
        self.notice_heads: dict[str, list[str]] = {}
        self._compiled: dict[str, list[re.Pattern[str]]] = {}
        attached: list[str] = []
        self.edited: tuple[str, ...] = ()
        for table in data["languages"].values():
            for kind in ("deleted", "media_omitted", "call", "missed_call"):
                for words in table.get(kind, {}):
                    self.kinds.setdefault(_body_key(words), kind)
                    self.kinds_as_written.append(words)
            for words in table.get("notice", {}):
                self._add_notice(words)
            attached += [_template(t, r"([^>\n]+?)") for t in table.get("attached", {})]
            self.edited += tuple(table.get("edited", {}))
        self.openings = {
            variant
            for words in self.kinds_as_written
            for variant in (words[:3], words[:3].lower(), words[:3].upper(), words[:3].title())
        }
        attached.append(r"^(\S+\.\w{1,6}) <attached>$")  # older iPhones: 'x.jpg <attached>'
        self.attached = re.compile("|".join(attached), re.MULTILINE)

    def _add_notice(self, words: str) -> None:
        first = re.split(r"(?<=[.。।؟!])\s", words, maxsplit=1)[0]
        # More may follow the notice's first sentence ("Tap to learn more."), after its full stop.
        pattern = _template(first.rstrip(".。"), ".+?") + r"(?:[.。](?:\s.*)?)?"
        fixed = re.split(r"%\d?\$?[@s]", first, maxsplit=1)[0]
        # A notice that starts with a name ("%@ left") is filed under "" and tried in turn.
        head = fixed[:12] if len(fixed) >= 12 else ""
        self.notice_heads.setdefault(head, []).append(pattern)
        if len(words) >= 40 and head:
            self.long_notices.add(head)

    def notice(self, text: str, marked: bool) -> bool:
        """True when ``text`` is one of WhatsApp's own notices.

        Short notices ("You left", "Sam added Ana") count only when the export marked the body
        as the app's own (an iPhone writes a direction mark before it), so a person who types
        those words is still read; the long encryption and security-code notices always count.
        """
        head = text[:12]
        if (
            head in self.notice_heads
            and (marked or head in self.long_notices)
            and any(p.fullmatch(text) for p in self._patterns(head))
        ):
            return True
        return marked and any(p.fullmatch(text) for p in self._patterns(""))

    def _patterns(self, head: str) -> list[re.Pattern[str]]:
        """The notices filed under ``head``, compiled the first time they are needed (there are
        thousands, and most chats need none of them)."""
        compiled = self._compiled.get(head)
        if compiled is None:
            compiled = self._compiled[head] = [
                re.compile(p, re.DOTALL) for p in self.notice_heads.get(head, ())
            ]
        return compiled

    def kind(self, text: str) -> str | None:
        """'deleted', 'media_omitted', 'call' or 'missed_call' for WhatsApp's own placeholder,
        else None.

        Most messages are ruled out by their first three letters, without building a key.
        """
        if text[:3] not in self.openings or len(text) > 120:
            return None
        found = self.kinds.get(_body_key(text))
        if found is None and ("," in text or ". " in text):  # "Missed voice call, Tap to call back"
            found = self.kinds.get(_body_key(re.split(r",|\. ", text, maxsplit=1)[0]))
            found = found if found in ("call", "missed_call") else None
        return found


def _body_key(text: str) -> str:
    return text.strip().rstrip(".。").casefold()


def _period_key(word: str) -> str:
    return re.sub(r"[\s.]", "", word).casefold()


def _loose(word: str) -> str:
    """A word as a pattern in which any space may be missing or be a no-break space."""
    return r"\s?".join(re.escape(part) for part in word.split(" "))


def _template(words: str, name: str) -> str:
    """A pattern for one of WhatsApp's sentences, with %@ / %1$@ / %s standing for ``name``."""
    parts = re.split(r"%\d?\$?[@s]", words)
    return name.join(r"\s?".join(map(re.escape, p.split(" "))) for p in parts)


_TABLES: _Tables | None = None


def _tables() -> _Tables:
    """The compiled tables, read from the data file on first use."""
    global _TABLES
    if _TABLES is None:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with _STRINGS_FILE.open(encoding="utf-8") as handle:
            _TABLES = _Tables(yaml.load(handle, Loader=loader))
    return _TABLES


_MESSAGE_DEFAULTS = {f.name: f.default for f in fields(Message) if f.default is not MISSING}
"""Every optional field of ``Message`` with its default (see ``_parse_lines`` for why)."""

_EMPTY_BODY = re.compile(r"([^:\"“”«»„]+):\.?")
"""'Name:' or 'Name:.' with nothing after it: a view-once or disappearing message."""

_QUOTED = re.compile('["“”«»„「]').search
"""A sender's name never holds quotes; a line whose 'name' does is an event quoting a subject."""


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
        return _find_layout(text.splitlines()[:20]) is not None

    def parse(self, path: Path, options: ParseOptions) -> Iterator[Message | Unreadable]:
        return (_build(r) if type(r) is tuple else r for r in self.scan(path, options))

    @staticmethod
    def build(plain: Plain) -> Message:
        """The ``Message`` of a ``Plain`` tuple from ``scan``."""
        return _build(plain)

    def scan(self, path: Path, options: ParseOptions) -> Iterator[Unreadable | Plain]:
        """``parse``, but each message comes as a ``Plain`` tuple, built into its ``Message`` by
        ``build`` only if the import keeps it: a million-line chat keeps a few thousand, and
        building the rest took a fifth of the read.
        """
        path = Path(path)
        zone_name = options.tz or UK_ZONE
        try:
            zone = zone_named(zone_name)
        except DateFormatError as exc:
            raise UserError(f"--tz {exc}") from None
        source = _Source(path)
        header = _layout(source)
        dayfirst, decided_by = _day_order(source, header, options.dayfirst)
        basis = _basis(zone_name, options.tz is not None, dayfirst, decided_by)
        return _parse_lines(source, header, zone, zone_name, dayfirst, basis, path.stem)


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
        label = str(source.path) + (f" ({source.member})" if source.member else "")
        self._text = io.TextIOWrapper(bounded(raw, label), encoding=_encoding(head), newline=None)

    def __enter__(self) -> Iterator[str]:
        return iter(self._text)

    def blocks(self) -> Iterator[list[str]]:
        """The lines (without their line ends) a block of text at a time: splitting a block in
        one call costs far less than reading line by line."""
        read = self._text.read
        rest = ""
        while block := read(_BLOCK):
            lines = (rest + block).split("\n")
            rest = lines.pop()
            yield lines
        if rest:
            yield [rest]

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


def _find_layout(lines: list[str]) -> re.Pattern[str] | None:
    """The first layout in the data that one of ``lines`` (marks taken out) starts with."""
    for _name, _example, pattern in _tables().layouts:
        if any(pattern.match(line) for line in lines):
            return pattern
    return None


def _layout(source: _Source) -> re.Pattern[str]:
    """The header layout of this chat, from its first 50 lines; a clear error when none fits."""
    first: list[str] = []
    with source.open_text() as lines:
        try:
            for line in lines:
                first.append(line.rstrip("\n").translate(_DELETE_MARKS))
                if len(first) == 50:
                    break
        except UnicodeDecodeError:
            raise _not_utf8(source) from None
    found = _find_layout(first)
    if found is not None:
        return found
    opening = next((line.strip() for line in first if line.strip()), "")
    quoted = f'"{opening[:80]}{"…" if len(opening) > 80 else ""}"' if opening else "empty"
    shapes = " or ".join(
        f'"{match["stamp"]}"'
        for _name, example, pattern in _tables().layouts
        if (match := pattern.match(example))
    )
    raise UserError(
        f"{source.where(1)}: the first line is {quoted}; it does not start with a date and "
        f"time in a layout WhatsApp writes (such as {shapes}), so this is not a WhatsApp chat "
        "export I can read. If it is one, export the chat again from WhatsApp; if it came from "
        f"another app, import it with that app's format{_other_format(source)}"
    )


def _other_format(source: _Source) -> str:
    """Which import format to pick, when another importer recognises the file."""
    from . import IMPORTERS  # the registry imports this module: read it only when needed

    for name, importer in IMPORTERS.items():
        if name != NAME and importer.detect(source.path):
            return f' (it looks like "{name}": harassment-pack import {name} {source.path.name})'
    return " (instagram, messenger, telegram, x, discord, sms or email)"


def _day_order(source: _Source, header: re.Pattern[str], given: bool | None) -> tuple[bool, str]:
    """Day first or month first, from the first line that decides it; the flag must agree.

    Reads only as far as the first date whose first or second number is over 12, so a normal
    file costs a few lines; a file where no date decides is read to the end, then the person is
    asked.
    """
    first_example = ""
    with source.open_text() as lines:
        try:
            for number, line in enumerate(lines, start=1):
                match = header.match(line.translate(_DELETE_MARKS) if not line.isascii() else line)
                if match is None or len(match["a"]) == 4:
                    continue
                first, second = int(match["a"]), int(match["b"])
                stamp = match["stamp"]
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


Matcher = Callable[[str], re.Match[str] | None]


def _never(_line: str) -> None:
    """The fast pattern before the first header has been seen: no line matches it."""
    return None


def _parse_lines(
    source: _Source,
    header_layout: re.Pattern[str],
    zone: ZoneInfo,
    zone_name: str,
    dayfirst: bool,
    basis: str,
    conversation: str,
) -> Iterator[Unreadable | Plain]:
    """The parse loop, written for speed: a block of lines split at once, one regex match per
    line, days and clock times each read once, and messages handed over unbuilt."""
    tables = _tables()
    header = header_layout.match
    fast: Matcher = _never
    day_group = clock_group = 0
    delete_marks = _DELETE_MARKS
    notice = tables.notice
    heads = tables.notice_heads
    quoted = _QUOTED
    empty_body = _EMPTY_BODY.fullmatch
    defaults = {**_MESSAGE_DEFAULTS, "platform": PLATFORM, "conversation": conversation,
                "source_file": source.member}  # fmt: skip
    last_stamp = ""
    utc = datetime.min.replace(tzinfo=UTC)
    # What each date and clock time as written means: keyed by the fast pattern's "day" and
    # "clock" text, or by the general pattern's numbers (a tuple) for the rare other lines.
    days: dict[object, tuple[datetime | None, int, int, int]] = {}
    clocks: dict[object, timedelta | None] = {}
    seen_header = False
    previous_utc: datetime | None = None
    # The message being read, as the tuple ``scan`` hands over, and its further lines.
    message: Plain | None = None
    more: list[str] | None = None
    time_basis = basis
    number = 0
    # Why lines that follow are not a message's words: after a line whose date or time could not
    # be read, or after WhatsApp's own notice; "" once a message starts. Such lines are reported.
    lost = ""

    reader = source.open_text()
    with reader:
        blocks = reader.blocks()
        while True:
            try:
                lines = next(blocks, None)
            except UnicodeDecodeError:
                raise _not_utf8(source) from None
            if lines is None:
                break
            # Marks are taken out of a whole block at once; they are never line ends, so the
            # block's clean lines pair up with its lines as written.
            cleans = lines
            if not all(map(str.isascii, lines)):
                cleans = "\n".join(lines).translate(delete_marks).split("\n")
            for line, clean in zip(lines, cleans, strict=True):
                number += 1
                match = fast(clean)
                if match is not None:
                    stamp, day_key, clock_key = match.group("stamp", day_group, clock_group)
                else:
                    match = header(clean)
                    if match is None:
                        if message is not None:
                            if more is None:
                                more = [clean]
                            else:
                                more.append(clean)
                        elif not seen_header and clean.strip():
                            yield Unreadable(
                                f"line {number}",
                                line,
                                "text before the first dated message of the chat",
                            )
                        elif lost and clean.strip():  # further lines of what is no message
                            yield Unreadable(f"line {number}", line, lost)
                        continue
                    if not seen_header:
                        fast, day_group, clock_group = _fast_header(clean, match)
                        seen_header = True
                    stamp = match["stamp"]
                    day_key = match.group("a", "b", "c")
                    clock_key = match.group("h", "m", "s", "ap1", "ap2")
                if message is not None:
                    yield message if more is None else (*message[:7], more)
                    message = more = None
                lost = ""
                if stamp != last_stamp:  # messages in the same minute share one time: read it once
                    last_stamp = ""
                    day = days.get(day_key)
                    if day is None:
                        day = _read_day(tables, match["a"], match["b"], match["c"], dayfirst, zone)
                        if isinstance(day, str):  # not kept: read (and reported) every time
                            yield Unreadable(f"line {number}", line, day)
                            lost = f"a further line of line {number}, whose date could not be read"
                            continue
                        days[day_key] = day
                    clock = clocks.get(clock_key)
                    if clock is None:
                        clock = clocks[clock_key] = _read_clock(
                            tables, match["h"], match["m"], match["s"], match["ap1"] or match["ap2"]
                        )
                    if clock is None:
                        yield Unreadable(f"line {number}", line, f'"{stamp}" is not a real time')
                        lost = f"a further line of line {number}, whose time could not be read"
                        continue
                    midnight = day[0]
                    if midnight is not None:
                        utc = midnight + clock
                        time_basis = basis
                    else:
                        local = datetime(*day[1:]) + clock
                        utc, note = _changeover_utc(local, zone, zone_name, previous_utc)
                        time_basis = f"{basis}; {note}" if note else basis
                    previous_utc = utc
                    last_stamp = stamp
                end = match.end()
                split = clean.find(": ", end)
                if split < 0:
                    empty = empty_body(clean, end)
                    if empty is None:
                        lost = f"a further line after WhatsApp's own notice at line {number}"
                        continue  # a system line: "Sam added Ana", "You were added" …
                    sender, text = empty[1], clean[end + len(empty[1]) + 1 :]
                else:
                    sender, text = clean[end:split], clean[split + 2 :]
                    if '"' in sender or (not sender.isascii() and quoted(sender)):
                        lost = f"a further line after WhatsApp's own notice at line {number}"
                        continue  # 'X changed the subject to "a: b"'
                    # An iPhone marks WhatsApp's own words with a direction mark after "Name: ".
                    # Looked up by their opening words first: most messages cost two dict look-ups.
                    marked = line is not clean and (": \u200e" in line or ": \u200f" in line)
                    # (A "sender" longer than any name is an Android notice with a colon in it.)
                    if (
                        marked
                        or text[:12] in heads
                        or (split - end > 40 and clean[end : end + 12] in heads)
                    ) and (notice(text, marked) or notice(clean[end:], False)):
                        lost = f"a further line after WhatsApp's own notice at line {number}"
                        continue
                message = (sender, defaults, utc, text, number, stamp, time_basis, None)
    if message is not None:
        yield message if more is None else (*message[:7], more)
    if not seen_header:
        raise UserError(
            f"{source.path}: no line starts with a date and time, so this is not a WhatsApp chat "
            "export (in WhatsApp open the chat, tap ⋮ or the name, then 'Export chat')"
        )


Plain = tuple[str, dict[str, object], datetime, str, int, str, str, list[str] | None]
"""A message not built yet: (sender, the fields every message of the chat shares, time, words of
its first line, line number, the time as written, time zone basis, its further lines or None)."""


def _build(plain: Plain) -> Message:
    """The ``Message`` of a ``Plain`` tuple: its kind and attached files from its words.

    Built by filling the frozen dataclass's fields directly: through ``__init__`` (one
    ``object.__setattr__`` per field) building them took more time than all the reading, and a
    million-line export should import in a few seconds. Every field is set, the defaults from
    the class itself (``defaults``), so the result equals ``Message(...)``.
    """
    sender, defaults, moment, text, line, stamp, basis, more = plain
    tables = _tables()
    if more is not None:
        while more and not more[-1].strip():  # blank lines before the next message: not words
            more.pop()
        text = "\n".join([text, *more]) if more else text
    kind = (text[:3] in tables.openings and tables.kind(text)) or "message"
    attachments: tuple[str, ...] = ()
    if text[-1:] == ">" and kind == "message" and text.endswith(tables.edited):
        text = text[: -len(next(e for e in tables.edited if text.endswith(e)))].rstrip()
        kind = "edited"
    if ("<" in text or "(" in text) and (found := tables.attached.findall(text)):
        member = defaults["source_file"]
        folder = str(PurePosixPath(member).parent) if isinstance(member, str) else ""
        attachments = tuple(
            posix_join(folder, next(part for part in parts if part).strip()) or ""
            for parts in (f if isinstance(f, tuple) else (f,) for f in found)
        )
    elif kind == "message" and (not text or text == "."):
        kind = "empty"
    message = object.__new__(Message)
    values = vars(message)
    values.update(defaults)
    values["timestamp"] = moment
    values["sender"] = sender
    values["text"] = text
    values["record"] = f"line {line}"
    values["original_time"] = stamp
    values["timezone_basis"] = basis
    values["attachments"] = attachments
    values["kind"] = kind
    return message


_GROUP_PATTERNS = {"a": r"\d{1,4}", "b": r"\d{1,4}", "h": r"\d{1,2}", "m": r"\d\d", "s": r"\d\d"}
_DAY_GROUPS = frozenset({"a", "sep", "b", "c"})


def _fast_header(line: str, match: re.Match[str]) -> tuple[Matcher, int, int]:
    """A matcher for exactly this file's header layout, and the numbers of its groups "day" and
    "clock" (the date and the clock time as written: keys for reading each once); the layout's
    named groups are inside them.

    A chat export keeps one layout throughout, and the exact pattern (the first header's own
    separators, with only its numbers left open) matches in less than half the time of the
    general one; lines it does not match still go through the general pattern.
    """
    tables = _tables()
    layout = match.re
    parts = [re.escape(line[: match.start("stamp")]), "(?P<stamp>"]
    position = match.start("stamp")
    opened = ""  # "day" or "clock": the group being written
    for name, _index in sorted(layout.groupindex.items(), key=lambda item: item[1]):
        if name == "stamp":
            continue
        start, end = match.span(name)
        part = "day" if name in _DAY_GROUPS else "clock"
        if part != opened:
            parts.append(f")(?P<{part}>" if opened else f"(?P<{part}>")
            opened = part
        if start < 0:
            parts.append(f"(?P<{name}>)")  # absent in this layout's first line: always empty
            continue
        parts.append(re.escape(line[position:start]))
        if name == "sep":
            parts.append(f"(?P<sep>{re.escape(match['sep'])})")
        elif name == "c":  # a plain year stays plain; an era year keeps the era pattern
            year = r"\d{1,4}" if match["c"].isdigit() else tables.parts["year"]
            parts.append(f"(?P<c>{year})")
        elif name in ("ap1", "ap2"):
            parts.append(f"(?P<{name}>{tables.parts['period']})")
        else:
            parts.append(f"(?P<{name}>{_GROUP_PATTERNS[name]})")
        position = end
    parts.append(")" + re.escape(line[position : match.end("stamp")]) + ")")
    parts.append(re.escape(line[match.end("stamp") : match.end()]))
    try:
        fast = re.compile("".join(parts))
    except re.error:
        return _never, 0, 0
    return fast.match, fast.groupindex["day"], fast.groupindex["clock"]


def _read_day(
    tables: _Tables, a: str, b: str, c: str, dayfirst: bool, zone: ZoneInfo
) -> tuple[datetime | None, int, int, int] | str:
    """The UTC time of the day's local midnight (None when the clocks change that day) and the
    year, month and day; or why the date cannot be read.

    Years may be written in an era (Japanese "R4", Buddhist "2565 BE"): the era table says how.
    """
    year_text = c.strip()
    year_offset = 0
    for marker, offset in tables.eras_after.items():
        if year_text.endswith(marker):
            year_text, year_offset = year_text[: -len(marker)].strip(), offset
    era_start = None
    if year_text[:1] in tables.eras_before:
        era_start, year_text = tables.eras_before[year_text[:1]], year_text[1:]
    if len(a) == 4:
        year, month, day = int(a), int(b), int(year_text)
    elif dayfirst:
        day, month, year = int(a), int(b), int(year_text)
    else:
        month, day, year = int(a), int(b), int(year_text)
    if era_start is not None:
        year = era_start + year - 1
    elif year_offset:
        year += year_offset
    elif year >= tables.buddhist_from:
        year -= 543
    elif year < 100:
        year += 2000
    try:
        when = date(year, month, day)
    except ValueError:
        order = "year/month/day" if len(a) == 4 else "day/month" if dayfirst else "month/day"
        return f'"{a}/{b}/{c}" is not a real date when read as {order}'
    offset = _day_offset(when, zone)
    midnight = None if offset is None else datetime(year, month, day, tzinfo=UTC) - offset
    return midnight, year, month, day


def _read_clock(
    tables: _Tables, hour: str, minute: str, second: str | None, ampm: str | None
) -> timedelta | None:
    """Time since midnight for a clock time (12-hour ones included: 12:05 am is 00:05)."""
    h, m, s = int(hour), int(minute), int(second or 0)
    if ampm:
        if h > 12:
            return None
        h = h % 12 + (12 if _period_key(ampm) in tables.pm else 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return timedelta(hours=h, minutes=m, seconds=s)
