"""Discord's data package ("Request all of my data"), as the zip, its folder, or one channel's file.

Layout (import-formats.md §5): ``messages/c<channel id>/messages.json`` with ``channel.json``
beside it and ``messages/index.json`` naming every channel. Older packages have folders without
the ``c`` and ``messages.csv`` (``ID,Timestamp,Contents,Attachments``, quoted fields that may hold
line breaks, read with the csv module); packages from 2025 capitalise ``Messages/``. The CSV is
read row by row and the JSON with ijson record by record, so a channel of any size is never
held in memory whole.

Discord puts only the requester's own messages in the package: the other side of the
conversation is not there. Those messages name no sender, so the sender is the account's
username from ``account/user.json`` (or "You" without it), and its user id goes in
``sender_alias``.

Times are UTC: newer packages write ``2021-10-13 15:35:46`` without an offset, older ones
``2020-08-25 22:54:05.726000+00:00``. Each message ID is a snowflake that also encodes when it
was sent, so the time is cross-checked against it and any disagreement is said in
``timezone_basis``. Attachments stay on Discord's servers; their addresses go in ``links``.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harassment_pack.errors import UserError
from harassment_pack.importers._common import OWNER, ExportTree, bounded, stream_records
from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.platform_urls import discord_time

_CHANNEL_FILE = re.compile(r"(?:^|/)(?:messages/)?c?(\d+)/messages\.(json|csv)$", re.IGNORECASE)
_INDEX = re.compile(r"(?:^|/)messages/index\.json$", re.IGNORECASE)
_USER = re.compile(r"(?:^|/)account/user\.json$", re.IGNORECASE)
_USER_FIELD = re.compile(rb'"(id|username)"\s*:\s*"([^"]*)"')
_TOLERANCE = timedelta(seconds=2)
# An ID a spreadsheet has rounded when the CSV was opened and saved again ("7.73264E+18").
_ROUNDED_ID = re.compile(r"\d(?:\.\d+)?E\+\d+", re.IGNORECASE)


class DiscordImporter:
    name = "discord"
    platform = "Discord"

    def detect(self, path: Path) -> bool:
        """A package folder or zip with messages/index.json, or one channel's messages file."""
        path = Path(path)
        if path.is_dir():
            return any((path / m / "index.json").is_file() for m in ("messages", "Messages"))
        if path.suffix.lower() == ".zip":
            try:
                return any(_INDEX.search(n) for n in ExportTree(path).names())
            except UserError:
                return False
        return path.is_file() and bool(_CHANNEL_FILE.search(path.as_posix()))

    def parse(self, path: Path, options: ParseOptions) -> Iterator[Message | Unreadable]:
        """Every channel in the package, each in the order Discord wrote it."""
        tree = ExportTree(Path(path))
        names = tree.names()
        if tree.is_single_file:
            channel_id = tree.path.parent.name.lstrip("cC")
            files = [(channel_id, names[0])] if channel_id.isdigit() else []
        else:
            files = [(m[1], n) for n in names if (m := _CHANNEL_FILE.search(n))]
        if not files:
            raise UserError(
                f"{path}: no Discord messages found (messages/c<number>/messages.json); give the "
                "package zip Discord sent you or its unpacked folder"
            )
        index = self._index(tree, [n for n in names if _INDEX.search(n)])
        user = self._user(tree, [n for n in names if _USER.search(n)])
        for channel_id, name in files:
            channel = self._channel(tree, posixpath.join(posixpath.dirname(name), "channel.json"))
            yield from self._channel_messages(tree, name, channel_id, channel, index, user)

    def _channel_messages(
        self,
        tree: ExportTree,
        name: str,
        channel_id: str,
        channel: dict[str, Any],
        index: dict[str, str],
        user: tuple[str, str | None],
    ) -> Iterator[Message | Unreadable]:
        guild = channel.get("guild") if isinstance(channel.get("guild"), dict) else {}
        place = str(guild.get("id", "@me"))
        title = index.get(channel_id) or channel.get("name") or f"channel {channel_id}"
        for item in _rows(tree, name):
            if isinstance(item, Unreadable):
                yield item
                continue
            record, row = item
            message = _message(row, f"{name} {record}") if isinstance(row, dict) else None
            if message is None:
                yield Unreadable(f"{name} {record}", repr(row)[:200], "not a message shape I know")
                continue
            if isinstance(message, Unreadable):
                yield message
                continue
            when, original, basis, snowflake, text, links = message
            yield Message(
                timestamp=when,
                sender=user[0],
                sender_alias=user[1],
                text=text,
                record=record,
                original_time=original,
                timezone_basis=basis,
                platform=self.platform,
                conversation=str(title),
                url=f"https://discord.com/channels/{place}/{channel_id}/{snowflake}"
                if snowflake
                else None,
                links=links,
                source_file=tree.source_file(name),
            )

    def _index(self, tree: ExportTree, names: list[str]) -> dict[str, str]:
        for name in names:
            try:
                data = tree.load_json(name)
            except ValueError:
                continue  # only names channels; each channel's own file still gives its id
            if isinstance(data, dict):
                return {str(k): v for k, v in data.items() if isinstance(v, str)}
        return {}

    def _channel(self, tree: ExportTree, name: str) -> dict[str, Any]:
        if not tree.exists(name):
            return {}
        try:
            data = tree.load_json(name)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _user(self, tree: ExportTree, names: list[str]) -> tuple[str, str | None]:
        """The account's username and id, from the start of user.json (it can be 100 MB+)."""
        for name in names:
            with tree.open(name) as handle:
                head = handle.read(65536)
            fields: dict[bytes, bytes] = {}
            for match in _USER_FIELD.finditer(head):
                fields.setdefault(match[1], match[2])
            if b"username" in fields:
                user_id = fields.get(b"id")
                return fields[b"username"].decode(), user_id.decode() if user_id else None
        return OWNER, None


def _rows(tree: ExportTree, name: str) -> Iterator[tuple[str, Any] | Unreadable]:
    """Each message record with where it is in its file: ``[3]`` (JSON) or ``line 4`` (CSV)."""
    if name.lower().endswith(".json"):
        # A list of messages; anything else is read as one record, to be reported if it is not
        # a message. (A file that does not start like JSON is left to stream_records to report.)
        prefix = "item" if tree.json_is_list(name) else ""
        records = stream_records(tree, name, prefix, again="request your data again")
        for index, row in enumerate(records):
            yield row if isinstance(row, Unreadable) else (f"[{index}]", row)
        return
    with tree.open(name) as raw:  # size and line length bounded, as for chats and email
        text = io.TextIOWrapper(bounded(raw, tree.label(name), "csv"), "utf-8-sig", newline="")
        reader = csv.DictReader(text)
        line = 2
        try:
            for row in reader:
                yield f"line {line}", row
                line = reader.line_num + 1
        except csv.Error as exc:  # a field over 128 KB: Discord's messages are 4,000 characters
            raise UserError(
                f"{tree.label(name)}: line {line}: this file is damaged ({exc}); nothing was "
                "imported (request your data again)"
            ) from None


def _message(
    row: dict[str, Any], record: str
) -> tuple[datetime, str, str, str | None, str, tuple[str, ...]] | Unreadable | None:
    """The message's time, original stamp, time basis, ID, words and links.

    A CSV that went through a spreadsheet has its IDs rounded ("7.73264E+18"): the message is
    still read from its time and words, and its basis says the ID cannot check the time.
    """
    snowflake, stamp, text = row.get("ID"), row.get("Timestamp"), row.get("Contents")
    rounded = None
    if isinstance(snowflake, str) and snowflake.isdigit():
        snowflake = int(snowflake)
    elif isinstance(snowflake, str) and _ROUNDED_ID.fullmatch(snowflake):
        rounded, snowflake = snowflake, None
    if (
        not (isinstance(snowflake, int) or rounded)
        or not isinstance(stamp, str)
        or not isinstance(text, str)
    ):
        return None
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    attachments = row.get("Attachments") or ""
    links = tuple(attachments.split()) if isinstance(attachments, str) else ()
    if not text and not links:
        return Unreadable(
            record, repr(row)[:200], "no words and no attachment (a sticker or embed)"
        )
    if parsed.tzinfo is None:
        when, basis = parsed.replace(tzinfo=UTC), "UTC (Discord writes its package times in UTC)"
    else:
        when, basis = parsed.astimezone(UTC), f"UTC in the export ({parsed:%z})"
    if snowflake is None:
        basis += (
            f"; the message ID was rounded by a spreadsheet ({rounded}), so it cannot confirm "
            "the time or link to the message"
        )
        return when, stamp, basis, None, text, links
    from_id = discord_time(snowflake)
    if from_id is not None and abs(from_id - when) > _TOLERANCE:
        basis += f"; the message ID says {from_id:%Y-%m-%d %H:%M:%S} UTC instead"
    return when, stamp, basis, str(snowflake), text, links


discord = DiscordImporter()
