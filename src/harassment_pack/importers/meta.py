"""Instagram and Facebook Messenger: Meta's "Download your information" export in JSON.

Both apps write the same files (import-formats.md §2): one folder per conversation holding
``message_1.json``, ``message_2.json`` … (newest first, so ``message_10`` sorts after
``message_9`` by number, not by name), plus ``photos/``, ``videos/``, ``audio/``, ``files/``. The
end-to-end-encrypted Messenger export is a flat ``<Name>_<n>.json`` per conversation in camelCase
beside a shared ``media/`` folder. A conversation's files are merged and given oldest first.

Each file is a single JSON document of at most about 10,000 messages, so it is loaded whole; only
one conversation is held in memory at a time, whatever the size of the whole export.

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
from pathlib import Path, PurePosixPath
from typing import Any

from harassment_pack.errors import UserError
from harassment_pack.importers._common import ExportTree, from_epoch_ms, posix_join
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
_HTML_HELP = (
    "this is the HTML version of Meta's download, which has no time zone; download your "
    'information again and choose "Format: JSON" (Accounts Centre > Your information and '
    "permissions > Download your information), then import the JSON"
)

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


def _repair_for(documents: list[Any]) -> Repair:
    """``repair_mojibake`` when every non-ASCII string of the conversation needs it, else identity.

    Deciding per conversation, not per string, protects real text: one correctly written "é"
    anywhere shows the file is not mojibake, and then nothing in it is touched.
    """
    seen_non_ascii = False
    for document in documents:
        for text in _strings(document):
            if text.isascii():
                continue
            if repair_mojibake(text) == text:
                return _unchanged
            seen_non_ascii = True
    return repair_mojibake if seen_non_ascii else _unchanged


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
        """One conversation: its files loaded, checked, merged oldest first."""
        documents: list[tuple[str, dict[str, Any]]] = []
        for name in files:
            try:
                document = tree.load_json(name)
            except ValueError as exc:
                if tree.is_single_file:
                    raise UserError(
                        f"{tree.label(name)}: this file is damaged ({exc}); "
                        "download your information again"
                    ) from None
                yield Unreadable(name, "", f"the whole file could not be read: {exc}")
                continue
            if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
                if tree.is_single_file:
                    raise UserError(
                        f"{tree.label(name)}: this is not a {self.platform} conversation file "
                        "(it has no list of messages); give the message_1.json file or the "
                        "downloaded folder"
                    )
                yield Unreadable(name, "", "not a conversation file: it has no list of messages")
                continue
            documents.append((name, document))
        if not documents:
            return
        fix = _repair_for([d for _n, d in documents])
        entries: list[tuple[int, int, int, str, Any, dict[str, Any]]] = []
        for order, (name, document) in enumerate(documents):
            for index, raw in enumerate(document["messages"]):
                stamp = _timestamp(raw)
                if stamp is None:
                    reason = "no sender or no time in milliseconds"
                    yield Unreadable(f"{name} messages[{index}]", _excerpt(raw), reason)
                    continue
                # Newest first within a file and message_1 is the newest file: reverse both.
                entries.append((stamp, -order, -index, name, raw, document))
        entries.sort(key=lambda e: e[:3])
        for stamp, _order, index, name, raw, document in entries:
            if raw.get("type") in _SYSTEM_TYPES:
                continue  # "X left the group": a notice from the app, not words anyone sent
            yield self._message(tree, name, -index, stamp, raw, document, fix)

    def _message(
        self,
        tree: ExportTree,
        json_name: str,
        index: int,
        stamp: int,
        raw: dict[str, Any],
        document: dict[str, Any],
        fix: Repair,
    ) -> Message | Unreadable:
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
            kind = "call"
        else:
            kind = "message"
        if kind == "message" and not (text or attachments or links):
            reason = "a message with no text, file or link"
            return Unreadable(f"{json_name} {record}", _excerpt(raw), reason)
        title = document.get("threadName" if e2ee else "title")
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
