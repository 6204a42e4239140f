"""Telegram Desktop's "Export chat history" / "Export Telegram data" in machine-readable JSON.

``result.json`` is either one chat (``{"name", "type", "messages": [...]}``) or the whole account
(``{"chats": {"list": [...]}, "left_chats": {"list": [...]}}``); see import-formats.md §4. A whole
account's file can be gigabytes, so it is read with ijson one message at a time: memory stays
bounded by the largest message, whatever the size of the file.

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
from collections.abc import Generator, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from harassment_pack.dates import UK_ZONE, DateFormatError, local_to_utc
from harassment_pack.errors import UserError
from harassment_pack.importers._common import (
    DamagedJson,
    ExportTree,
    build_items,
    from_epoch_s,
    posix_join,
)
from harassment_pack.importers.base import Message, ParseOptions, Unreadable

_NOT_INCLUDED = "(File not included."
_FILE_KEYS = ("photo", "file")
_MARKERS = (b'"date_unixtime"', b'"from_id"', b'"personal_information"', b'"type": "message"')
_SECTIONS = ("chats", "left_chats")
_CHAT = {f"{section}.list.item": section for section in _SECTIONS}
_CHAT_NAMES = frozenset(f"{section}.list.item.name" for section in _SECTIONS)
_CHAT_LISTS = frozenset(f"{section}.list.item.messages" for section in _SECTIONS)
_CHAT_MESSAGES = frozenset(f"{section}.list.item.messages.item" for section in _SECTIONS)


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


def link_targets(text: Any) -> tuple[str, ...]:
    """Where the message's links really go: a "text_link" shows words but points elsewhere
    (the words say "your photos", the link goes to a site), so the target is kept too."""
    if not isinstance(text, list):
        return ()
    return tuple(
        piece["href"]
        for piece in text
        if isinstance(piece, dict)
        and piece.get("type") == "text_link"
        and isinstance(piece.get("href"), str)
    )


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
        zone = options.tz or UK_ZONE
        folder = posixpath.dirname(name)
        try:
            for record, raw, title in _records(tree, name):
                if isinstance(raw, dict) and "id" in raw:
                    record += f" (id {raw['id']})"
                kind = raw.get("type") if isinstance(raw, dict) else None
                if kind == "service" and raw.get("action") != "phone_call":
                    continue  # joins, pins, title changes: Telegram's notices, not anyone's words
                message = (
                    self._message(raw, record, title, zone, folder)
                    if kind in ("message", "service")
                    else None
                )
                if isinstance(message, Message):
                    message = replace(message, source_file=tree.source_file(name))
                yield message or Unreadable(record, repr(raw)[:200], "not a message shape I know")
        except DamagedJson as exc:
            raise UserError(
                f"{tree.label(name)}: this file is damaged ({exc}); export the chat again"
            ) from None

    def _message(
        self, raw: dict[str, Any], record: str, title: str | None, zone: str, folder: str
    ) -> Message | Unreadable | None:
        call = raw.get("action") == "phone_call"
        sender_key = "actor" if call else "from"
        sender = raw.get(sender_key) if isinstance(raw.get(sender_key), str) else None
        sender = sender or raw.get("actor_id" if call else "from_id")
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
        from_id = raw.get("actor_id" if call else "from_id")
        if call:
            kind = "missed_call" if raw.get("discard_reason") == "missed" else "call"
        elif omitted and not text and not attachments:
            kind = "media_omitted"
        else:
            kind = "message"
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
            kind=kind,
            links=link_targets(raw.get("text")),
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
        raise UserError(f"--tz {exc}") from None
    except ValueError:
        return None
    basis = (
        f"the clock of the computer that made the export, with no zone written (Telegram "
        f"Desktop before 3.7.6); taken as {zone}"
    )
    return timestamp, local, f"{basis}; {note}" if note else basis


def _records(tree: ExportTree, name: str) -> Iterator[tuple[str, Any, str | None]]:
    """Each message record, where it is in the file and its chat's name, in file order.

    The file is recognised by its first top-level key that says what it is: ``messages`` (one
    chat, whose messages are then read again with ijson's fast builder) or ``chats`` /
    ``left_chats`` (the whole account, read from the same events). Telegram writes a chat's
    ``name`` before its messages; a name written after them is not known in time to be used.
    """
    events = tree.json_events(name)
    title: str | None = None
    for prefix, event, value in events:
        if prefix == "name" and event == "string":
            title = value
        elif prefix == "messages" and event == "start_array":
            events.close()
            for index, raw in enumerate(tree.json_items(name, "messages.item")):
                yield f"messages[{index}]", raw, title
            return
        elif prefix == "" and event == "map_key" and value in _SECTIONS:
            found = yield from _account_records(events, has_chats=value == "chats")
            if found:
                return
            break
    raise UserError(
        f"{tree.label(name)}: this is not a Telegram export (it has no messages); in "
        'Telegram Desktop export the chat with format "Machine-readable JSON"'
    )


def _account_records(
    events: Iterator[tuple[str, str, Any]], *, has_chats: bool
) -> Generator[tuple[str, Any, str | None], None, bool]:
    """The messages of every chat of a whole-account export, one at a time; returns whether the
    file is a Telegram export after all (it has a ``chats`` section or a chat with messages)."""
    chat_index = dict.fromkeys(_SECTIONS, -1)
    section, title, index = _SECTIONS[0], None, 0
    for prefix, event, value in build_items(events, _CHAT_MESSAGES):
        if event == "item":
            yield f"{section}.list[{chat_index[section]}].messages[{index}]", value, title
            index += 1
        elif prefix in _CHAT and event not in ("map_key", "end_map", "end_array"):
            section = _CHAT[prefix]  # a new chat (every list item counts, as in the record)
            chat_index[section] += 1
            title, index = None, 0
        elif prefix in _CHAT_NAMES and event == "string":
            title = value
        elif (prefix in _CHAT_LISTS and event == "start_array") or (
            prefix == "" and event == "map_key" and value == "chats"
        ):
            has_chats = True
    return has_chats


telegram = TelegramImporter()
