"""What every importer yields: messages read from a platform's own export, and unreadable lines.

Parsers only read; they never write to the case. Each yields ``Message`` records (in file order)
and ``Unreadable`` records for lines or records that match no known shape, so the caller can
count and report them by line number instead of silently dropping them. Parsers read files
incrementally, so memory stays bounded whatever the size of the export.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Message:
    """One message or post, exactly as the export gives it."""

    timestamp: datetime
    """Aware datetime in UTC."""
    sender: str
    """Display name, handle or number exactly as the export writes it."""
    text: str
    """The exact words (may be empty for media-only messages)."""
    record: str
    """Where it is in the source: 'line 12' or 'messages[3]' or 'messages/inbox/x/message_1.json
    messages[3]'."""
    original_time: str
    """The timestamp string verbatim as it appears in the export."""
    timezone_basis: str
    """How the time zone was decided, in plain words, e.g. 'UTC in the export (ISO 8601 "Z")'."""
    platform: str
    attachments: tuple[str, ...] = ()
    """Paths of attached files inside the export (relative to the export's root: the folder given,
    the zip's member names, or the folder of the single file given). Formats that embed files in
    the export itself (SMS Backup & Restore) give references instead, which that importer's
    ``extract_attachments(path, destinations)`` writes out."""
    conversation: str | None = None
    kind: str = "message"
    """'message', 'post', 'deleted' (a 'This message was deleted' placeholder), 'media_omitted',
    'call' and 'missed_call' (the export has no words for them), 'reaction' (the platform's own
    notice that someone reacted, e.g. "Reacted ❤ to your message": not their words), 'edited'
    (the final words of an edited message, without the platform's edit marker), 'welcome' (an
    automatic welcome message an X account set up), 'empty' (the export names the sender but
    shows no content: a view-once or disappearing message). The platforms' own notices (joins,
    encryption, security codes) are never messages at all."""
    sender_alias: str | None = None
    """Another name the export gives for the same sender, shown beside ``sender``: the @handle
    for an X account number, the phone number for an SMS contact name."""
    url: str | None = None
    """This message's own web address when the export gives one (a post on X, a Discord message)."""
    links: tuple[str, ...] = ()
    """Web addresses the message points to that are not files in the export: a link shared on
    Messenger, a Discord attachment kept on Discord's servers."""
    source_file: str | None = None
    """The file inside the export that holds this message (relative to the export's root), when
    the export is a folder or zip: it is registered as the evidence copy that ``record`` points
    into. None when the export given is itself that file."""


@dataclass(frozen=True)
class Unreadable:
    """A line or record that matched no known shape: counted and reported, never dropped."""

    record: str
    text: str
    reason: str


@dataclass(frozen=True)
class ParseOptions:
    tz: str | None = None
    """IANA zone for exports whose times carry no zone (WhatsApp); None = Europe/London."""
    dayfirst: bool | None = None
    """Day/month order for ambiguous numeric dates; None = infer from the file, ask if unsure."""


class Importer(Protocol):
    """One export format. Registered by name in ``harassment_pack.importers.IMPORTERS``."""

    name: str
    platform: str

    def detect(self, path: Path) -> bool:
        """True when ``path`` looks like this format (for ``import auto``); cheap, no full read."""
        ...

    def parse(self, path: Path, options: ParseOptions) -> Iterator[Message | Unreadable]:
        """Yield every message and every unreadable record, in file order, reading incrementally."""
        ...
