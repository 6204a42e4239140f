"""Instagram and Facebook Messenger: Meta's "Download your information" export in JSON.

Both apps write the same files (import-formats.md §2): one folder per conversation holding
``message_1.json``, ``message_2.json`` … (newest first, so ``message_10`` sorts after
``message_9`` by number, not by name), plus ``photos/``, ``videos/``, ``audio/``, ``files/``. The
end-to-end-encrypted Messenger export is a flat ``<Name>_<n>.json`` per conversation in camelCase
beside a shared ``media/`` folder. A conversation's files are merged and given oldest first.

Files are read with ijson one message at a time, in two passes per conversation (see
``MetaImporter._conversation``): memory holds a few thousand messages and one small sort key per
message, never a whole file, whatever the size of the conversation or the export.

Meta writes every non-ASCII byte of the UTF-8 text as its own ``\\u00XX`` escape (the mojibake of
§2.3: "café" arrives as "cafÃ©"). The repair is decided per conversation: it is applied only when
every non-ASCII string in it round-trips (Latin-1 bytes that are valid UTF-8). A file that holds
real accented text, or was already repaired by another tool, is left exactly as it is.

HTML exports are refused with a message saying how to download JSON instead: the HTML has no time
zone and only minute precision, which is not good enough for a court chronology.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from harassment_pack.errors import UserError
from harassment_pack.importers._common import (
    DamagedJson,
    ExportTree,
    build_items,
    from_epoch_ms,
    posix_join,
)
from harassment_pack.importers.base import Message, ParseOptions, Unreadable

_THREAD_FILE = re.compile(r"(?:^|/)message_(\d+)\.(json|html)$")
_E2EE_FILE = re.compile(r"(?:^|/)(?:messages|encrypted)/[^/]+_\d+\.json$")
_MEDIA_KEYS = ("photos", "videos", "audio_files", "gifs", "files")
_SYSTEM_TYPES = {"Subscribe", "Unsubscribe"}
_ROOTS = (
    "",
    "messages",
    "your_activity_across_facebook/messages",
    "your_facebook_activity/messages",
    "your_instagram_activity/messages",
)
_BASIS = "UTC in the export (milliseconds since 1970)"
_REACTION = re.compile(
    r"(?:.{1,80} )?(?:[Rr]eacted .{1,12} to (?:your|a|their) message|Liked a message)"
)
"""Instagram's and Messenger's notice of a reaction ("Reacted ❤ to your message"), which the
export writes as the message's text although nobody typed it."""
_HTML_HELP = (
    "this is the HTML version of Meta's download, which has no time zone; download your "
    'information again and choose "Format: JSON" (Accounts Centre > Your information and '
    "permissions > Download your information), then import the JSON"
)

_MESSAGE = frozenset({"messages.item"})
_TITLES = ("title", "threadName")
_WINDOW = 2000
"""Messages held at once while a conversation is given in time order (see ``_conversation``)."""
_MASK = (1 << 32) - 1

Repair = Callable[[str], str]


def repair_mojibake(text: str) -> str:
    """The text Meta meant, when ``text`` is UTF-8 bytes read as Latin-1; otherwise unchanged."""
    if text.isascii() or max(text) > "\xff":
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return text


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass
class _File:
    """What the first pass learns about one file of a conversation, keeping none of its messages."""

    name: str
    order: int
    """Its place among the conversation's files: 0 for message_1.json, the newest."""
    titles: dict[str, str] = field(default_factory=dict)
    """The conversation's name as the file gives it ("title", or "threadName" in E2EE files)."""
    keys: list[int] = field(default_factory=list)
    """One ``_sort_key`` per message to give, in file order."""
    unreadable: list[Unreadable] = field(default_factory=list)
    non_ascii: bool = False
    mojibake_only: bool = True
    """Every non-ASCII string seen round-trips, so it may be Meta's mojibake (``_repair_for``)."""

    def see(self, text: str) -> None:
        if text.isascii():
            return
        self.non_ascii = True
        if self.mojibake_only and repair_mojibake(text) == text:
            self.mojibake_only = False


def _repair_for(files: list[_File]) -> Repair:
    """``repair_mojibake`` when every non-ASCII string of the conversation needs it, else identity.

    Deciding per conversation, not per string, protects real text: one correctly written "é"
    anywhere shows the file is not mojibake, and then nothing in it is touched.
    """
    if any(f.non_ascii for f in files) and all(f.mojibake_only for f in files):
        return repair_mojibake
    return _unchanged


def _sort_key(stamp: int, order: int, index: int) -> int:
    """One int that sorts like (time, newest file last, newest in file last): about 50 bytes a
    message rather than a tuple's 150, since a conversation's keys are all held at once."""
    return (stamp << 64) | ((_MASK - order) << 32) | (_MASK - index)


def _unpack(key: int) -> tuple[int, int]:
    """The file order and message index of a ``_sort_key`` (its time is ``key >> 64``)."""
    return _MASK - ((key >> 32) & _MASK), _MASK - (key & _MASK)


def _unchanged(text: str) -> str:
    return text


def _is_instagram(path: Path, names: list[str] | None = None) -> bool:
    if "instagram" in str(path).lower():
        return True
    return any(n.startswith("your_instagram_activity/") for n in names or ())


class MetaImporter:
    """One of Meta's two messaging apps; they share the export format and this parser."""

    def __init__(self, name: str, platform: str, instagram: bool) -> None:
        self.name = name
        self.platform = platform
        self._instagram = instagram

    def detect(self, path: Path) -> bool:
        """Meta-shaped (folders, zip names or first 4 KB) and this app rather than the other."""
        path = Path(path)
        names: list[str] | None = None
        if path.is_dir():
            found = (path / "message_1.json").is_file() or any(
                (path / root / "inbox").is_dir() or _has_e2ee_files(path / root) for root in _ROOTS
            )
        elif path.suffix.lower() == ".zip":
            try:
                names = ExportTree(path).names()
            except UserError:
                return False
            found = any(_THREAD_FILE.search(n) for n in names)
        elif path.is_file():
            found = bool(_THREAD_FILE.search(path.name)) or _looks_like_meta_json(path)
        else:
            found = False
        return found and _is_instagram(path, names) == self._instagram

    def parse(self, path: Path, options: ParseOptions) -> Iterator[Message | Unreadable]:
        """Every conversation in the export, each oldest message first."""
        tree = ExportTree(Path(path))
        threads: dict[str, list[tuple[int, str]]] = {}
        html: dict[str, str] = {}
        flat: list[str] = []
        for name in tree.names():
            if match := _THREAD_FILE.search(name):
                folder = posixpath.dirname(name)
                if match[2] == "json":
                    threads.setdefault(folder, []).append((int(match[1]), name))
                else:
                    html.setdefault(folder, name)
            elif _E2EE_FILE.search(name) or (tree.is_single_file and name.endswith(".json")):
                flat.append(name)
            elif tree.is_single_file and name.lower().endswith((".html", ".htm")):
                html[""] = name
        for folder, name in html.items():
            if folder not in threads:
                raise UserError(f"{tree.label(name)}: {_HTML_HELP}")
        if not threads and not flat:
            raise UserError(
                f"{path}: no {self.platform} conversations found (they are the message_1.json "
                "files inside the messages folder); give the downloaded zip or its unpacked folder"
            )
        for folder in sorted(threads):
            files = [name for _n, name in sorted(threads[folder])]
            yield from self._conversation(tree, files)
        for name in flat:
            yield from self._conversation(tree, [name])

    def _conversation(self, tree: ExportTree, files: list[str]) -> Iterator[Message | Unreadable]:
        """One conversation: its files checked, then merged and given oldest first.

        Two passes, so memory does not grow with the conversation. The first reads every file
        once, keeping only a sort key per message: it finds damaged files and records of unknown
        shape (reported before any message, as one file's damage means none of its messages are
        given), the conversation's name, and whether to repair mojibake, which depends on every
        string in the conversation. The second gives the messages in time order. Meta writes
        them newest first, so that order is found by reading the files again, ``_WINDOW``
        messages at a time, and only those messages are held.
        """
        read: list[_File] = []
        for name in files:
            scanned = _File(name, len(read))
            try:
                is_conversation = self._scan(tree, scanned)
            except DamagedJson as exc:
                if tree.is_single_file:
                    raise UserError(
                        f"{tree.label(name)}: this file is damaged ({exc}); "
                        "download your information again"
                    ) from None
                yield Unreadable(name, "", f"the whole file could not be read: {exc}")
                continue
            if not is_conversation:
                if tree.is_single_file:
                    raise UserError(
                        f"{tree.label(name)}: this is not a {self.platform} conversation file "
                        "(it has no list of messages); give the message_1.json file or the "
                        "downloaded folder"
                    )
                yield Unreadable(name, "", "not a conversation file: it has no list of messages")
                continue
            read.append(scanned)
        for scanned in read:
            yield from scanned.unreadable
        fix = _repair_for(read)
        keys = sorted(key for scanned in read for key in scanned.keys)
        for start in range(0, len(keys), _WINDOW):
            yield from self._window(tree, read, keys[start : start + _WINDOW], fix)

    def _scan(self, tree: ExportTree, scanned: _File) -> bool:
        """The first pass over one file; False when it is not a conversation file at all."""
        is_map = has_list = False
        index = 0
        for prefix, event, value in build_items(tree.json_events(scanned.name), _MESSAGE):
            if event == "item":
                for text in _strings(value):
                    scanned.see(text)
                stamp = _timestamp(value)
                if stamp is None:
                    reason = "no sender or no time in milliseconds"
                    record = f"{scanned.name} messages[{index}]"
                    scanned.unreadable.append(Unreadable(record, _excerpt(value), reason))
                elif value.get("type") not in _SYSTEM_TYPES:  # "X left the group": a notice
                    scanned.keys.append(_sort_key(stamp, scanned.order, index))
                index += 1
            elif event in ("string", "map_key"):
                scanned.see(value)
                if prefix in _TITLES and event == "string":
                    scanned.titles[prefix] = value
            elif prefix == "" and event == "start_map":
                is_map = True
            elif prefix == "messages" and event == "start_array":
                has_list = True
        return is_map and has_list

    def _window(
        self, tree: ExportTree, read: list[_File], keys: list[int], fix: Repair
    ) -> Iterator[Message | Unreadable]:
        """One window of the second pass: these messages fetched from their files, then given in
        the keys' order. Each file is read only as far as the last message it is needed for."""
        wanted: dict[int, set[int]] = {}
        for key in keys:
            order, index = _unpack(key)
            wanted.setdefault(order, set()).add(index)
        found: dict[tuple[int, int], Any] = {}
        for order, indices in wanted.items():
            last = max(indices)
            with closing(tree.json_items(read[order].name, "messages.item")) as items:
                for index, raw in enumerate(items):
                    if index in indices:
                        found[order, index] = raw
                    if index >= last:
                        break
        for key in keys:
            order, index = _unpack(key)
            yield self._message(tree, read[order], index, key >> 64, found[order, index], fix)

    def _message(
        self,
        tree: ExportTree,
        file: _File,
        index: int,
        stamp: int,
        raw: dict[str, Any],
        fix: Repair,
    ) -> Message | Unreadable:
        json_name = file.name
        e2ee = "senderName" in raw
        sender = raw["senderName" if e2ee else "sender_name"]
        text = raw.get("text" if e2ee else "content")
        text = fix(text) if isinstance(text, str) else ""
        record = f"messages[{index}]"
        uris: list[str] = []
        if e2ee:
            uris += [m["uri"] for m in raw.get("media") or [] if isinstance(m, dict) and "uri" in m]
        else:
            for key in _MEDIA_KEYS:
                uris += [m["uri"] for m in raw.get(key) or [] if isinstance(m, dict) and "uri" in m]
            if isinstance(raw.get("sticker"), dict) and "uri" in raw["sticker"]:
                uris.append(raw["sticker"]["uri"])
        attachments: list[str] = []
        links: list[str] = []
        for uri in (fix(u) for u in uris if isinstance(u, str)):
            if uri.startswith(("http://", "https://")):
                links.append(uri)
            elif (local := _attachment_path(tree, json_name, uri)) is not None:
                attachments.append(local)
            else:
                reason = "an attached file's path points outside the export"
                return Unreadable(f"{json_name} {record}", uri, reason)
        share = raw.get("share")
        if isinstance(share, dict) and isinstance(share.get("link"), str):
            links.append(fix(share["link"]))
        if raw.get("isUnsent" if e2ee else "is_unsent"):
            kind = "deleted"
        elif raw.get("type") == "Call":
            kind = "missed_call" if raw.get("missed") else "call"
        elif _REACTION.fullmatch(text.strip()):
            kind = "reaction"
        else:
            kind = "message"
        if kind == "message" and not (text or attachments or links):
            reason = "a message with no text, file or link"
            return Unreadable(f"{json_name} {record}", _excerpt(raw), reason)
        title = file.titles.get("threadName" if e2ee else "title")
        return Message(
            timestamp=from_epoch_ms(stamp),
            sender=fix(sender),
            text=text,
            record=record,
            original_time=str(stamp),
            timezone_basis=_BASIS,
            platform=self.platform,
            attachments=tuple(attachments),
            conversation=fix(title)
            if isinstance(title, str)
            else posixpath.dirname(json_name) or None,
            kind=kind,
            links=tuple(links),
            source_file=tree.source_file(json_name),
        )


def _timestamp(raw: Any) -> int | None:
    """The message's time in ms, or None when the record is not a message of a known shape."""
    if not isinstance(raw, dict):
        return None
    sender, stamp = raw.get("sender_name"), raw.get("timestamp_ms")
    if sender is None:
        sender, stamp = raw.get("senderName"), raw.get("timestamp")
    if not isinstance(sender, str) or isinstance(stamp, bool) or not isinstance(stamp, int):
        return None
    return stamp


def _attachment_path(tree: ExportTree, json_name: str, uri: str) -> str | None:
    """Where an attached file is, relative to the export's root; None if it points outside it.

    Meta writes media paths from the top of the download ("messages/inbox/x/photos/1.jpg" or
    "your_facebook_activity/messages/…"), and the E2EE export relative to the JSON file
    ("./media/1.jpg"). The user may have given the whole download, a folder inside it or one
    file, so the path is lined up with the JSON file's own folders. A file that is missing still
    gets its expected path, so the import can report it as missing instead of forgetting it.
    """
    folder = posixpath.dirname(json_name)
    direct = posix_join(folder, uri)
    if direct is not None and tree.exists(direct):
        return direct
    base = list(tree.root.resolve().parts) if tree.root is not None else []
    full = base + [p for p in folder.split("/") if p]
    wanted = [p for p in PurePosixPath(uri).parts if p not in (".", "/")]
    anchors = [i for i, part in enumerate(full) if wanted and part == wanted[0]]
    if anchors and ".." not in wanted:
        # The folder where the path starts: the one sharing most of its first components.
        start = max(anchors, key=lambda i: (_shared_prefix(full[i:], wanted), i))
        candidate = full[:start] + wanted
        if candidate[: len(base)] == base and len(candidate) > len(base):
            return "/".join(candidate[len(base) :])
    return direct


def _shared_prefix(left: list[str], right: list[str]) -> int:
    count = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        count += 1
    return count


def _has_e2ee_files(folder: Path) -> bool:
    """True when ``folder`` directly holds ``<Name>_<n>.json`` files (looks at 200 entries)."""
    if folder.name not in ("messages", "encrypted") or not folder.is_dir():
        return False
    with os.scandir(folder) as entries:
        for _seen, entry in zip(range(200), entries, strict=False):
            if entry.is_file() and re.fullmatch(r".+_\d+\.json", entry.name):
                return True
    return False


def _looks_like_meta_json(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    with path.open("rb") as handle:
        head = handle.read(4096)
    return b'"sender_name"' in head or (b'"senderName"' in head and b'"threadName"' in head)


def _excerpt(raw: Any) -> str:
    return repr(raw)[:200]


instagram = MetaImporter("instagram", "Instagram", instagram=True)
messenger = MetaImporter("messenger", "Facebook Messenger", instagram=False)
