"""Email: one message saved as .eml, or a mailbox in mbox format (Thunderbird, Google Takeout).

Read with the standard library's email parser (import-formats.md §7). An mbox is split at its
``From `` separator lines while it is read, line by line, so only one email is in memory at a
time and each is cited by the line it starts on. (A body line starting "From " after a blank
line is read as a new email, as every mbox reader does; mboxrd's ">From " quoting is kept as
written.)

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
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from harassment_pack.dates import UK_ZONE, DateFormatError, local_to_utc
from harassment_pack.errors import UserError
from harassment_pack.files import write_private
from harassment_pack.importers._common import embedded_ref, parse_embedded_ref
from harassment_pack.importers.base import Message, ParseOptions, Unreadable

_HEADER_LINE = re.compile(rb"^[A-Za-z0-9-]+:")
_PARSER = BytesParser(policy=policy.default)


def _emails(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(position, start line, raw bytes) of each email: the file itself, or each in an mbox."""
    try:
        with path.open("rb") as handle:
            first = handle.readline()
            if not first.startswith(b"From "):
                yield 0, 1, first + handle.read()
                return
            lines: list[bytes] = []
            start, number, previous_blank, count = 2, 1, True, 0
            for line in handle:
                number += 1
                if line.startswith(b"From ") and previous_blank:
                    # The blank line before a separator belongs to the mbox, not to the email.
                    yield count, start, b"".join(lines[:-1] if lines else lines)
                    count += 1
                    lines, start = [], number + 1
                else:
                    lines.append(line)
                previous_blank = line in (b"\n", b"\r\n")
            yield count, start, b"".join(lines)
    except OSError as exc:
        raise UserError(f"{path}: cannot read this file ({exc.strerror})") from None


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


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # unknown charset or broken transfer encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
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
            message = _PARSER.parsebytes(raw)
            assert isinstance(message, EmailMessage)
            addresses = getattr(message["From"], "addresses", ()) if message["From"] else ()
            when = _when(message, zone)
            if not addresses or when is None:
                yield Unreadable(
                    where,
                    str(message.get("Subject", ""))[:200],
                    "an email without a From address or a time I can read",
                )
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
                text=_body(message),
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
    for position, _line, raw in _emails(Path(path)):
        targets = wanted.pop(position, None)
        if targets:
            message = _PARSER.parsebytes(raw)
            assert isinstance(message, EmailMessage)
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
