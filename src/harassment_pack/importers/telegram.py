"""Telegram Desktop's "Export chat history" / "Export Telegram data" in machine-readable JSON.

``result.json`` is either one chat (``{"name", "type", "messages": [...]}``) or the whole account
(``{"chats": {"list": [...]}, "left_chats": {"list": [...]}}``); see import-formats.md §4. It is a
single JSON document, so it is loaded whole.

Times: since Telegram Desktop 3.7.6 every message has ``date_unixtime`` (UTC, as a string), which
is used. Older exports only have ``date``, the clock of the computer that made the export with no
zone; that is read in the zone the user gives (``--tz``, else Europe/London) and the message says
so, including when a clock change makes the hour uncertain.

Text is either a string or a list of plain strings and ``{"type", "text"}`` pieces (bold, links,
mentions…); the pieces are joined with nothing in between, which gives back exactly what was sent.
Service messages (calls, people joining, pinned messages) are notices from the app, not messages.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from harassment_pack.dates import DateFormatError, local_to_utc
from harassment_pack.errors import UserError
from harassment_pack.importers._common import ExportTree, from_epoch_s, posix_join
from harassment_pack.importers.base import Message, ParseOptions, Unreadable

_NOT_INCLUDED = "(File not included."
_FILE_KEYS = ("photo", "file")
_MARKERS = (b'"date_unixtime"', b'"from_id"', b'"personal_information"', b'"type": "message"')


def flatten_text(text: Any) -> str | None:
    """The message's words from Telegram's string-or-list ``text``; None for an unknown shape."""
    if isinstance(text, str):
        return text
    if not isinstance(text, list):
        return None
    parts: list[str] = []
    for piece in text:
        if isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict) and isinstance(piece.get("text"), str):
            parts.append(piece["text"])
        else:
            return None
    return "".join(parts)


class TelegramImporter:
    name = "telegram"
    platform = "Telegram"

    def detect(self, path: Path) -> bool:
        """``result.json`` (or a folder holding it) whose first 4 KB looks like Telegram's JSON."""
        path = Path(path)
        if path.is_dir():
            path = path / "result.json"
        if not path.is_file() or path.suffix.lower() != ".json":
            return False
        with path.open("rb") as handle:
            head = handle.read(4096)
        return any(marker in head for marker in _MARKERS)

    def parse(self, path: Path, options: ParseOptions) -> Iterator[Message | Unreadable]:
        """Every chat in the file, each in the order Telegram wrote it (oldest first)."""
        tree = ExportTree(Path(path))
        candidates = [n for n in tree.names() if posixpath.basename(n) == "result.json"]
        if tree.is_single_file:
            candidates = tree.names()
        if not candidates:
            raise UserError(
                f"{path}: there is no result.json here; in Telegram Desktop export the chat with "
                'format "Machine-readable JSON" and give the result.json file'
            )
        name = min(candidates, key=lambda n: n.count("/"))
        try:
            document = tree.load_json(name)
        except ValueError as exc:
            raise UserError(
                f"{tree.label(name)}: this file is damaged ({exc}); export the chat again"
            ) from None
        chats = _chats(document)
        if chats is None:
            raise UserError(
                f"{tree.label(name)}: this is not a Telegram export (it has no messages); in "
                'Telegram Desktop export the chat with format "Machine-readable JSON"'
            )
        zone = options.tz or "Europe/London"
        folder = posixpath.dirname(name)
        for prefix, chat in chats:
            title = chat.get("name") if isinstance(chat.get("name"), str) else None
            for index, raw in enumerate(chat["messages"]):
                record = f"{prefix}[{index}]"
                if isinstance(raw, dict) and "id" in raw:
                    record += f" (id {raw['id']})"
                kind = raw.get("type") if isinstance(raw, dict) else None
                if kind == "service":
                    continue
                message = (
                    self._message(raw, record, title, zone, folder) if kind == "message" else None
                )
                if isinstance(message, Message):
                    message = replace(message, source_file=tree.source_file(name))
                yield message or Unreadable(record, repr(raw)[:200], "not a message shape I know")

    def _message(
        self, raw: dict[str, Any], record: str, title: str | None, zone: str, folder: str
    ) -> Message | Unreadable | None:
        sender = raw.get("from") if isinstance(raw.get("from"), str) else raw.get("from_id")
        text = flatten_text(raw.get("text", ""))
        if not isinstance(sender, str) or text is None:
            return None
        when = _when(raw, zone)
        if when is None:
            return None
        timestamp, original, basis = when
        attachments: list[str] = []
        omitted = False
        for key in _FILE_KEYS:
            value = raw.get(key)
            if not isinstance(value, str):
                continue
            if value.startswith(_NOT_INCLUDED):
                omitted = True
                continue
            local = posix_join(folder, value)
            if local is None:
                return Unreadable(
                    record, value, "an attached file's path points outside the export"
                )
            attachments.append(local)
        from_id = raw.get("from_id")
        return Message(
            timestamp=timestamp,
            sender=sender,
            sender_alias=from_id if isinstance(from_id, str) and from_id != sender else None,
            text=text,
            record=record,
            original_time=original,
            timezone_basis=basis,
            platform=self.platform,
            attachments=tuple(attachments),
            conversation=title,
            kind="media_omitted" if omitted and not text and not attachments else "message",
        )


def _when(raw: dict[str, Any], zone: str) -> tuple[datetime, str, str] | None:
    """UTC time, the string it came from, and how its zone was decided."""
    unix = raw.get("date_unixtime")
    if isinstance(unix, str) and unix.isdigit():
        return from_epoch_s(int(unix)), unix, "UTC in the export (date_unixtime)"
    local = raw.get("date")
    if not isinstance(local, str):
        return None
    try:
        naive = datetime.fromisoformat(local)
        if naive.tzinfo is not None:
            return naive, local, "the offset written in the export"
        timestamp, note = local_to_utc(naive, zone)
    except DateFormatError as exc:
        raise UserError(f"--tz: {exc}") from None
    except ValueError:
        return None
    basis = (
        f"the clock of the computer that made the export, with no zone written (Telegram "
        f"Desktop before 3.7.6); taken as {zone}"
    )
    return timestamp, local, f"{basis}; {note}" if note else basis


def _chats(document: Any) -> list[tuple[str, dict[str, Any]]] | None:
    """Each chat with where its messages are in the file; None when there are none at all."""
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("messages"), list):
        return [("messages", document)]
    found: list[tuple[str, dict[str, Any]]] = []
    for section in ("chats", "left_chats"):
        listing = document.get(section)
        chats = listing.get("list") if isinstance(listing, dict) else None
        for index, chat in enumerate(chats if isinstance(chats, list) else []):
            if isinstance(chat, dict) and isinstance(chat.get("messages"), list):
                found.append((f"{section}.list[{index}].messages", chat))
    return found if found or "chats" in document else None


telegram = TelegramImporter()
