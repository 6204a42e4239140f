"""Email: one message saved as .eml, or a mailbox in mbox format (Thunderbird, Google Takeout).

Read with the standard library's email parser and its default policy (import-formats.md §7). An
mbox is split exactly where Python's ``mailbox`` splits it, at every line starting "From ", while
it is read line by line, so only one email is in memory at a time and each is cited by the line
it starts on (mboxrd's ">From " quoting is kept as written, as ``mailbox`` keeps it). Text is
decoded by its declared charset, or as UTF-8 when it plainly is UTF-8 (see ``_decoded``); an
email whose text is neither is reported as unreadable, by its number, never shown garbled.

The sender is the address in ``From:`` (display names are free text anyone can set, the address
is what identifies the account), with the display name in ``sender_alias``. The time is the
``Date:`` header with the offset the sender's computer wrote; a header without a readable zone
is read in the user's zone and the basis says so; with no readable ``Date:`` the time the
receiving server stamped in the newest ``Received:`` header is used. The subject is kept as the
conversation. The plain-text body is preferred; an HTML-only email is reduced to its text.

Attachments are inside the file, so they are references ``email:<email>/<part>/<file name>``
that ``extract_attachments`` writes out, like the SMS importer's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email import policy
from email.feedparser import BytesFeedParser
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from harassment_pack.dates import UK_ZONE, DateFormatError, local_to_utc
from harassment_pack.errors import UserError
from harassment_pack.files import write_private
from harassment_pack.importers._common import bounded, embedded_ref, parse_embedded_ref
from harassment_pack.importers.base import Message, ParseOptions, Unreadable

_HEADER_LINE = re.compile(rb"^[A-Za-z0-9-]+:")
_BOM = b"\xef\xbb\xbf"
_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
MAX_MIME_DEPTH = 32
"""Parts nested inside parts (multipart or attached emails) at most: real mail rarely passes 5."""
MAX_MIME_PARTS = 2000
"""Parts in one email at most: the standard parser takes about a millisecond per part, so an
email of 100,000 tiny parts (4.5 MB) would take over a minute; real mail has a handful."""


MAX_COMMENT_DEPTH = 32
"""Comments nested inside comments in one header field at most: "(a (b))" is 2. Python's header
parser reads each level by recursion, so 100,000 levels in a 200 KB header crash it."""


def _comment_depth_over_limit(raw: bytes) -> bool:
    """Whether any header field of any part nests comments more than ``MAX_COMMENT_DEPTH`` deep.

    Header fields are the lines that start "Name:" and their folded continuation lines; a
    backslash quotes the next character. Linear in the size of the email, and skipped at once
    for the usual email with too few parentheses to nest that deep.
    """
    if raw.count(b"(") <= MAX_COMMENT_DEPTH:
        return False
    depth = 0
    in_field = False
    for line in raw.split(b"\n"):
        if _HEADER_LINE.match(line):
            in_field, depth = True, 0
        elif not (in_field and line[:1] in (b" ", b"\t")):
            in_field = False
            continue
        if b"(" not in line:
            continue
        escaped = False
        for byte in line:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x28:  # (
                depth += 1
                if depth > MAX_COMMENT_DEPTH:
                    return True
            elif byte == 0x29 and depth:  # )
                depth -= 1
    return False


class _TooComplex(Exception):
    """An email whose parts nest too deep or are too many: the words say which."""


class _BoundedParser(BytesFeedParser):
    """The standard parser, stopped as soon as parts nest more than ``MAX_MIME_DEPTH`` deep or
    number more than ``MAX_MIME_PARTS``.

    The standard parser reads each nested part by a nested generator: an email nested 100,000
    deep takes time that grows with the square of the depth, and then crashes on Python's
    recursion limit. Each part, at every level, starts in ``_new_message`` with the parts that
    enclose it on ``_msgstack``, so counting there stops either bomb at the first part too many.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._parts = 0

    def _new_message(self) -> None:
        if len(self._msgstack) >= MAX_MIME_DEPTH:  # type: ignore[attr-defined]
            raise _TooComplex(f"nests its parts more than {MAX_MIME_DEPTH} deep")
        self._parts += 1
        if self._parts > MAX_MIME_PARTS:
            raise _TooComplex(f"has more than {MAX_MIME_PARTS} parts")
        super()._new_message()  # type: ignore[misc]


def _parsed(raw: bytes, path: Path, position: int, line: int) -> EmailMessage:
    """One email parsed; one nested too deeply or in too many parts stops the import with a
    line naming it."""
    parser = _BoundedParser(policy=policy.default)
    try:
        if _comment_depth_over_limit(raw):
            raise _TooComplex(f"nests comments in a header more than {MAX_COMMENT_DEPTH} deep")
        parser.feed(raw)
        message = parser.close()
    except _TooComplex as too_complex:
        raise UserError(
            f"{path}: email {position + 1} (line {line}) {too_complex}, as no mail program "
            "writes, so it may be made to crash programs; nothing was imported (remove that "
            "email from the mailbox, or download the mail again)"
        ) from None
    assert isinstance(message, EmailMessage)
    return message


def _emails(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(position, start line, raw bytes) of each email: the file itself, or each in an mbox.

    An mbox is split exactly where Python's ``mailbox.mbox`` splits it: at every line that
    starts with "From ", whether or not a blank line comes before it (real mailboxes have
    unquoted "From " lines in bodies, and a reader that insists on the blank line merges the
    next email, headers and all, into the one before and credits it to the wrong person). As
    there, the one blank line before a separator belongs to the mbox, and anything before the
    first separator is not an email (position -1, reported). A UTF-8 byte order mark at the
    start is skipped. Lines are read one at a time; only one email is held in memory.
    """
    try:
        with path.open("rb") as opened, bounded(opened, str(path)) as handle:
            first = handle.readline()
            first = first.removeprefix(_BOM)
            if not first.startswith(b"From ") and path.suffix.lower() != ".mbox":
                yield 0, 1, first + handle.read()
                return
            lines: list[bytes] = []
            count, number, start = -1, 1, 1
            last_empty = False
            pending = [first]
            for line in _chain(pending, handle):
                if line.startswith(b"From "):
                    if count >= 0 or any(part.strip() for part in lines):
                        yield count, start, b"".join(lines[:-1] if last_empty else lines)
                    count += 1
                    lines, start = [], number + 1
                    last_empty = False
                else:
                    lines.append(line)
                    last_empty = line == b"\n"
                number += 1
            if count >= 0 or any(part.strip() for part in lines):
                yield count, start, b"".join(lines[:-1] if last_empty else lines)
    except OSError as exc:
        raise UserError(f"{path}: cannot read this file ({exc.strerror})") from None


def _chain(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


class _Text(HTMLParser):
    """The visible text of an HTML body: what the reader saw, without the markup."""

    _BREAKS: ClassVar[frozenset[str]] = frozenset(
        {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.hidden += 1
        elif tag in self._BREAKS and self.parts:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


class UnreadableText(ValueError):
    """A text part whose bytes are neither in its declared charset nor UTF-8."""


def _decoded(part: EmailMessage) -> str:
    """A text part's words, decoded by its declared charset, never by guessing.

    When the bytes are not valid in the declared charset, or when they are valid UTF-8 with
    letters beyond ASCII while the charset declared is another (a UTF-8 body labelled GB2312 or
    ISO-8859-1 decodes "successfully" into nonsense), they are read as UTF-8: real text in
    those other charsets is almost never valid UTF-8. Anything else raises ``UnreadableText``
    rather than put replacement characters or mojibake into a court document.
    """
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    declared = (part.get_content_charset() or "us-ascii").lower()
    try:
        utf8: str | None = payload.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None and (declared in _UTF8 or not payload.isascii()):
        return utf8
    try:
        return payload.decode(declared)
    except (LookupError, UnicodeDecodeError):
        raise UnreadableText(
            f"its text is declared as {declared} but is not, and it is not UTF-8 either"
        ) from None


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _decoded(part)  # type: ignore[arg-type]
    if part.get_content_subtype() == "html":
        reader = _Text()
        reader.feed(content)
        reader.close()
        content = re.sub(r"\n{3,}", "\n\n", "".join(reader.parts)).strip()
    return content


def _when(message: EmailMessage, zone: str) -> tuple[datetime, str, str] | None:
    """UTC time, the header text it came from, and how the zone was decided."""
    # The header as written: the parsed header re-writes it ("CEST" comes back as "-0000").
    raw = next((str(v).strip() for k, v in message.raw_items() if k.lower() == "date"), "")
    try:
        parsed: datetime | None = parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError, OverflowError):
        parsed = None
    if isinstance(parsed, datetime):
        if parsed.tzinfo is not None:
            return (
                parsed.astimezone(UTC),
                raw,
                f"the offset in the Date header ({parsed:%z}), as the sender's computer set it",
            )
        if raw.endswith("-0000"):
            return parsed.replace(tzinfo=UTC), raw, "UTC (the Date header says -0000)"
        try:
            when, note = local_to_utc(parsed, zone)
        except DateFormatError as exc:
            raise UserError(f"--tz {exc}") from None
        basis = f"the Date header has no zone I can read; taken as {zone}"
        return when, raw, f"{basis}; {note}" if note else basis
    for received in message.get_all("Received") or []:
        stamp = str(received).rsplit(";", 1)[-1].strip()
        try:
            parsed = parsedate_to_datetime(stamp)
        except (TypeError, ValueError, OverflowError):
            continue
        if parsed.tzinfo is not None:
            basis = "no readable Date header; the time the receiving mail server wrote"
            return parsed.astimezone(UTC), stamp, basis
    return None


class EmailImporter:
    name = "email"
    platform = "Email"

    def extract_attachments(self, path: Path, destinations: Mapping[str, Path]) -> None:
        """Write the chosen attachments, which this format keeps inside the export itself."""
        extract_attachments(path, destinations)

    def detect(self, path: Path) -> bool:
        """A .eml or .mbox file, or a file whose first line is an mbox separator or a header."""
        path = Path(path)
        if not path.is_file():
            return False
        if path.suffix.lower() in (".eml", ".mbox"):
            return True
        with path.open("rb") as handle:
            first = handle.readline(1024)
        return (first.startswith(b"From ") and b"@" in first) or (
            _HEADER_LINE.match(first) is not None
            and first.split(b":", 1)[0].lower()
            in (b"return-path", b"received", b"delivered-to", b"from", b"message-id")
        )

    def parse(self, path: Path, options: ParseOptions) -> Iterator[Message | Unreadable]:
        """Every email in the file, in file order."""
        zone = options.tz or UK_ZONE
        for position, line, raw in _emails(Path(path)):
            where = f"line {line}"
            if position < 0:
                reason = "text before the first email of the mailbox (no 'From ' line)"
                yield Unreadable(where, raw[:200].decode("utf-8", "replace"), reason)
                continue
            message = _parsed(raw, Path(path), position, line)
            addresses = getattr(message["From"], "addresses", ()) if message["From"] else ()
            when = _when(message, zone)
            subject_text = str(message.get("Subject", ""))[:200]
            if not raw.strip():
                where = f"line {line - 1}"  # an empty email: cite its "From " line
            if not addresses or when is None:
                yield Unreadable(
                    f"email {position + 1} ({where})",
                    subject_text,
                    "an email without a From address or a time I can read",
                )
                continue
            try:
                text = _body(message)
            except UnreadableText as exc:
                yield Unreadable(f"email {position + 1} ({where})", subject_text, str(exc))
                continue
            author: Address = addresses[0]
            attachments = [
                embedded_ref("email", position, number, part.get_filename() or "attachment")
                for number, part in enumerate(message.iter_attachments())
            ]
            subject = message.get("Subject")
            yield Message(
                timestamp=when[0],
                sender=author.addr_spec or author.display_name,
                sender_alias=author.display_name or None,
                text=text,
                record=where,
                original_time=when[1],
                timezone_basis=when[2],
                platform=self.platform,
                attachments=tuple(attachments),
                conversation=str(subject) if subject else None,
            )


def extract_attachments(path: Path, destinations: Mapping[str, Path]) -> None:
    """Write the attachments named by ``email:<email>/<part>/<name>`` references.

    One pass over the file; each file is written privately and atomically. A reference that is
    not in the file raises ValueError: parse() never hands out such references.
    """
    wanted: dict[int, dict[int, Path]] = {}
    for ref, dest in destinations.items():
        record, part = parse_embedded_ref("email", ref)
        wanted.setdefault(record, {})[part] = Path(dest)
    for position, line, raw in _emails(Path(path)):
        targets = wanted.pop(position, None)
        if targets:
            message = _parsed(raw, Path(path), position, line)
            parts = list(message.iter_attachments())
            for number, dest in targets.items():
                if number >= len(parts):
                    raise ValueError(f"no attachment {number} in email {position} of {path}")
                data = parts[number].get_payload(decode=True)
                write_private(dest, data if isinstance(data, bytes) else b"")
        if not wanted:
            return
    if wanted:
        raise ValueError(f"emails {sorted(wanted)} are not in {path}")


email = EmailImporter()
