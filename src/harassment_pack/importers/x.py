"""X (Twitter): the account archive, as the downloaded .zip, its unpacked folder, or one data/*.js.

Every data file is JSON wrapped in a JavaScript assignment, ``window.YTD.<name>.part0 = [ … ]``
(import-formats.md §3). Posts come from ``tweets.js`` (``tweet.js`` before 2022, ``tweets-partN.js``
for big accounts, ``data/js/tweets/YYYY_MM.js`` in pre-2018 archives); direct messages from
``direct-messages.js`` and group conversations from ``direct-messages-group.js``. A big account's
tweets.js can be hundreds of megabytes, so each file is read with ijson one record at a time: a
post, or one direct-message conversation (held whole because X writes it newest first and the
chronology wants it oldest first).

Direct messages name people only by account number (``senderId``). The numbers are kept as the
sender exactly as X wrote them, because they never change while handles do; when ``account.js``
is there, the archive owner's number is paired with their @handle in ``sender_alias``.

A post's own address (https://x.com/i/status/<id>) goes in ``url``. Media that is in the archive is
given as attachment paths; media that is not (a link to X's servers only) goes in ``links``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harassment_pack.dates import parse_date
from harassment_pack.errors import UserError
from harassment_pack.importers._common import OWNER, DamagedJson, ExportTree, stream_records
from harassment_pack.importers.base import Message, ParseOptions, Unreadable

_TWEETS = re.compile(r"(?:^|/)(?:tweets?(?:-part\d+)?\.js|js/tweets/\d{4}_\d{2}\.js)$")
_DMS = re.compile(r"(?:^|/)direct-messages(-group)?(?:-part\d+)?\.js$")
_ACCOUNT = re.compile(r"(?:^|/)account\.js$")
_YTD_NAME = re.compile(rb"window\.YTD\.(\w+)\.part\d+\s*=")
_TWEET_TIME = re.compile(
    r"^(?:\w{3} (?P<mon>\w{3}) (?P<day>\d{1,2}) (?P<hms>\d\d:\d\d:\d\d) (?P<off>[+-]\d{4}) "
    r"(?P<year>\d{4})|(?P<iso>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?P<off2>[+-]\d{4}))$"
)
# Conversation events that are not words anyone sent: known, and deliberately not messages.
_DM_MESSAGES = ("messageCreate", "welcomeMessageCreate")
"""Direct-message events with words: a message, or the automatic welcome message an account set
up, which X sends for it when a conversation starts."""
_DM_EVENTS = {
    "joinConversation",
    "participantsJoin",
    "participantsLeave",
    "conversationNameUpdate",
    "conversationAvatarUpdate",
    "reactionCreate",
}


def status_url(tweet_id: str) -> str:
    """The address of a post that works whatever the author's handle is now."""
    return f"https://x.com/i/status/{tweet_id}"


def _parse_tweet_time(raw: str) -> tuple[datetime, str] | None:
    """UTC and the offset as written, for "Sat Jun 27 16:34:46 +0000 2020" (month names read
    here, not by strptime, whose %b depends on the computer's language) or the older
    "2014-11-13 03:18:13 +0000"."""
    match = _TWEET_TIME.match(raw)
    if match is None:
        return None
    try:
        if match["iso"]:
            naive, offset = datetime.fromisoformat(match["iso"]), match["off2"]
        else:
            day = parse_date(f"{match['day']} {match['mon']} {match['year']}")
            naive = datetime.combine(day, time.fromisoformat(match["hms"]))
            offset = match["off"]
    except ValueError:  # DateFormatError included
        return None
    minutes = int(offset[1:3]) * 60 + int(offset[3:])
    zone = timezone(timedelta(minutes=-minutes if offset[0] == "-" else minutes))
    return naive.replace(tzinfo=zone).astimezone(UTC), offset


def _unescape(text: str) -> str:
    """Undo the three HTML escapes X applies to post text, so the words are exactly as typed.

    X escapes only ``&``, ``<`` and ``>``; ``&amp;`` is undone last so that a post which
    literally said "&lt;" (stored as "&amp;lt;") keeps its words.
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class XImporter:
    name = "x"
    platform = "X (Twitter)"

    def detect(self, path: Path) -> bool:
        """An archive zip or folder with data/*.js, or a single file in X's JavaScript wrapper."""
        path = Path(path)
        if path.is_dir():
            data = path / "data" if (path / "data").is_dir() else path
            return (data / "manifest.js").is_file() or any(
                (data / f).is_file() for f in ("tweets.js", "tweet.js", "direct-messages.js")
            )
        if path.suffix.lower() == ".zip":
            try:
                names = ExportTree(path).names()
            except UserError:
                return False
            return any(
                n.endswith("manifest.js") or _DMS.search(n) or _TWEETS.search(n) for n in names
            )
        if path.is_file() and path.suffix.lower() == ".js":
            with path.open("rb") as handle:
                return _YTD_NAME.search(handle.read(512)) is not None
        return False

    def parse(self, path: Path, options: ParseOptions) -> Iterator[Message | Unreadable]:
        """Posts in file order, then each conversation's direct messages oldest first."""
        tree = ExportTree(Path(path))
        names = tree.names()
        tweets = [n for n in names if _TWEETS.search(n)]
        dms = [n for n in names if _DMS.search(n)]
        if tree.is_single_file and not (tweets or dms):
            raise UserError(
                f"{path}: this is X's {_ytd_name(tree, names[0])} file, which has no posts "
                "or direct messages; give the archive .zip, its data folder, or data/tweets.js "
                "or data/direct-messages.js"
            )
        if not (tweets or dms):
            raise UserError(
                f"{path}: no posts or direct messages found (data/tweets.js, "
                "data/direct-messages.js); give the archive .zip X sent you or its unpacked folder"
            )
        owner = _owner(tree, [n for n in names if _ACCOUNT.search(n)])
        for name in tweets:
            yield from self._tweets(tree, name, owner)
        for name in dms:
            yield from self._direct_messages(tree, name, owner)

    def _records(self, tree: ExportTree, name: str) -> Iterator[Any]:
        """The records of one data file, one at a time; a damaged file or one that is not a list
        gives an ``Unreadable`` for the whole file (or stops the import when it was given)."""
        try:
            listed = tree.json_is_list(name, wrapped=True)
        except DamagedJson:
            listed = True  # stream_records reports the damage
        if not listed:
            yield Unreadable(name, "", "not a list of records")
            return
        yield from stream_records(
            tree, name, "item", wrapped=True, again="download your archive again"
        )

    def _tweets(
        self, tree: ExportTree, name: str, owner: tuple[str, str | None]
    ) -> Iterator[Message | Unreadable]:
        folder = posixpath.dirname(name)
        for index, item in enumerate(self._records(tree, name)):
            if isinstance(item, Unreadable):
                yield item
                continue
            record = f"{name} [{index}]"  # Unreadables carry the file name; messages cite it
            tweet = item.get("tweet", item) if isinstance(item, dict) else None
            if not isinstance(tweet, dict):
                yield Unreadable(record, repr(item)[:200], "not a post")
                continue
            tweet_id = tweet.get("id_str") or tweet.get("id")
            raw_time = tweet.get("created_at")
            text = tweet.get("full_text", tweet.get("text"))
            parsed = _parse_tweet_time(raw_time) if isinstance(raw_time, str) else None
            if not isinstance(tweet_id, str | int) or parsed is None or not isinstance(text, str):
                yield Unreadable(record, repr(tweet)[:200], "a post without an id, time or text")
                continue
            attachments, links = [], _expanded((tweet.get("entities") or {}).get("urls"))
            media = (tweet.get("extended_entities") or tweet.get("entities") or {}).get("media")
            for entry in media if isinstance(media, list) else []:
                url = entry.get("media_url_https") or entry.get("media_url")
                if not isinstance(url, str):
                    continue
                local = _local_media(tree, folder, ("tweets_media", "tweet_media"), tweet_id, url)
                (attachments if local else links).append(local or url)
            when, offset = parsed
            yield Message(
                timestamp=when,
                sender=owner[0],
                sender_alias=owner[1],
                text=_unescape(text),
                record=f"[{index}]",
                original_time=raw_time,
                timezone_basis=f"UTC in the export ({offset})"
                if offset in ("+0000", "-0000")
                else f"the offset written in the export ({offset})",
                platform=self.platform,
                attachments=tuple(attachments),
                kind="post",
                url=status_url(str(tweet_id)),
                links=tuple(links),
                source_file=tree.source_file(name),
            )

    def _direct_messages(
        self, tree: ExportTree, name: str, owner: tuple[str, str | None]
    ) -> Iterator[Message | Unreadable]:
        group = "-group" in posixpath.basename(name)
        media_folder = "direct_messages_group_media" if group else "direct_messages_media"
        for index, item in enumerate(self._records(tree, name)):
            if isinstance(item, Unreadable):
                yield item
                continue
            conversation = item.get("dmConversation") if isinstance(item, dict) else None
            events = conversation.get("messages") if isinstance(conversation, dict) else None
            if not isinstance(events, list):
                yield Unreadable(f"{name} [{index}]", repr(item)[:200], "not a conversation")
                continue
            conversation_id = str(conversation.get("conversationId", index))
            found: list[tuple[datetime, int, Message]] = []
            for position, event in enumerate(events):
                record = f"[{index}].messages[{position}]"
                kind = next(iter(event), None) if isinstance(event, dict) and event else None
                if kind in _DM_EVENTS:
                    continue
                body = event.get(kind) if kind in _DM_MESSAGES else None
                message = self._dm(tree, body, record, name, media_folder, conversation_id)
                if message is not None and kind == "welcomeMessageCreate":
                    message = replace(message, kind="welcome")
                if message is None:
                    reason = "not a message X's archive writes"
                    yield Unreadable(f"{name} {record}", repr(event)[:200], reason)
                    continue
                if owner[1] is not None and message.sender == owner[0]:
                    message = replace(message, sender_alias=owner[1])
                dm_id = body.get("id", "0") if body else "0"
                found.append(
                    (message.timestamp, int(dm_id) if str(dm_id).isdigit() else 0, message)
                )
            # X writes each conversation newest first; the chronology wants oldest first.
            found.sort(key=lambda f: (f[0], f[1]))
            for _when, _id, message in found:
                yield message

    def _dm(
        self,
        tree: ExportTree,
        body: Any,
        record: str,
        name: str,
        media_folder: str,
        conversation_id: str,
    ) -> Message | None:
        if not isinstance(body, dict):
            return None
        sender, raw_time, text = body.get("senderId"), body.get("createdAt"), body.get("text")
        if not (isinstance(sender, str) and isinstance(raw_time, str) and isinstance(text, str)):
            return None
        try:
            when = datetime.fromisoformat(raw_time)
        except ValueError:
            return None
        if when.tzinfo is None:
            return None
        dm_id = str(body.get("id", ""))
        attachments, links = [], _expanded(body.get("urls"), "expanded")
        for url in body.get("mediaUrls") or []:
            if isinstance(url, str):
                local = _local_media(tree, posixpath.dirname(name), (media_folder,), dm_id, url)
                (attachments if local else links).append(local or url)
        return Message(
            timestamp=when.astimezone(UTC),
            sender=sender,
            text=text,
            record=record,
            original_time=raw_time,
            timezone_basis='UTC in the export (ISO 8601 with "Z")'
            if raw_time.endswith("Z")
            else "the offset written in the export (ISO 8601)",
            platform=self.platform,
            attachments=tuple(attachments),
            conversation=f"direct messages {conversation_id}",
            links=tuple(links),
            source_file=tree.source_file(name),
        )


def _expanded(urls: Any, key: str = "expanded_url") -> list[str]:
    """The full addresses behind X's t.co short links, which the text shows instead: where a
    link really led is evidence the t.co address alone does not give."""
    if not isinstance(urls, list):
        return []
    return [u[key] for u in urls if isinstance(u, dict) and isinstance(u.get(key), str)]


def _local_media(
    tree: ExportTree, folder: str, media_folders: tuple[str, ...], owner_id: Any, url: str
) -> str | None:
    """The archive's copy of a media file: ``<media folder>/<post or message id>-<file name>``."""
    file_name = posixpath.basename(urlsplit(url).path)
    for media in media_folders:
        candidate = posixpath.join(folder, media, f"{owner_id}-{file_name}")
        if tree.exists(candidate):
            return candidate
    return None


def _ytd_name(tree: ExportTree, name: str) -> str:
    with tree.open(name) as handle:
        match = _YTD_NAME.search(handle.read(512))
    return f'"{match[1].decode()}"' if match else "something else"


def _owner(tree: ExportTree, account_files: list[str]) -> tuple[str, str | None]:
    """The archive owner's account number and @handle, from account.js when it is there."""
    for name in account_files:
        try:
            data = tree.load_json(name, prefix_to_strip=True)
            account = data[0]["account"]
            return str(account["accountId"]), f"@{account['username']}"
        except (ValueError, LookupError, TypeError):
            continue
    return OWNER, None


x = XImporter()
