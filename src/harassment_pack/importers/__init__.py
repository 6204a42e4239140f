"""Import a platform's own export into a case: the registry of formats and the one import call.

Victims have hundreds or thousands of messages and nobody can type them in. ``import_export``
reads an export with the format's parser, shows who sent how many messages, and turns the
messages of the people named (the person or people harassing) into incidents carrying the exact
words, the time in UTC with the verbatim original, how the time zone was decided, and a pointer
back to the file and line. The export file itself and the attachments of the chosen messages are
registered as exhibits, so the chronology can cite them. A few messages either side from other
people are kept as context.

Importing is safe to repeat: each message has a content key (platform, sender, time, words), so
the same export twice, or two overlapping exports, add nothing twice. It is all or nothing: the
export is read completely in memory (only the chosen messages and their context are kept), and
the case changes only at the end; if anything fails, case.yaml and evidence/ are put back.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..case import (
    CASE_FILENAME,
    Account,
    Case,
    CaseWrite,
    ContextMessage,
    Evidence,
    Incident,
    Respondent,
    Source,
    bulk_objects,
    case_file,
    load_case,
    message_line,
)
from ..dates import LONDON, DateFormatError, parse_date, uk_date, zone_named
from ..errors import UserError
from ..evidence import MAX_FILE_BYTES, register_evidence
from ..files import FILE_MODE, make_private_dir
from ..lock import case_lock
from ..transaction import Transaction
from ._common import ExportTree
from .base import Importer, Message, ParseOptions, Unreadable
from .discord import discord as discord_importer
from .email import email as email_importer
from .meta import instagram as instagram_importer
from .meta import messenger as messenger_importer
from .sms import sms as sms_importer
from .telegram import telegram as telegram_importer
from .whatsapp import WhatsAppImporter
from .x import x as x_importer

IMPORTERS: dict[str, Importer] = {
    "whatsapp": WhatsAppImporter(),
    "instagram": instagram_importer,
    "messenger": messenger_importer,
    "x": x_importer,
    "telegram": telegram_importer,
    "discord": discord_importer,
    "sms": sms_importer,
    "email": email_importer,
}
"""Every export format by the name the command line uses; ``auto`` tries each one's detect."""

CONTEXT_AROUND = 2
"""Messages from other people kept before and after each imported one, for context: enough to
show what a message answered, without copying a whole busy group chat into the case file."""

SHOWN_RECORDS = 5
"""How many unreadable line or record numbers the summary lists (all are counted)."""

Confirm = Callable[["ImportPreview"], Sequence[str] | None]
"""Shows the preview and returns the senders to import (None or empty: stop, write nothing)."""


@dataclass
class ImportPreview:
    """What an export holds, shown before anything is written."""

    path: Path
    platform: str
    senders: dict[str, int]
    """Every sender with the number of messages, most first."""
    aliases: dict[str, str] = field(default_factory=dict)
    chosen: list[str] = field(default_factory=list)
    """The senders whose messages become incidents (from --from, as the export spells them)."""
    unreadable: int = 0
    unreadable_records: list[str] = field(default_factory=list)

    def sender_label(self, sender: str) -> str:
        alias = self.aliases.get(sender)
        return f"{sender} ({alias})" if alias else sender

    def lines(self) -> list[str]:
        total = sum(self.senders.values())
        out = [f"{self.path} ({self.platform}): {total} message(s) from {len(self.senders)} "
               "sender(s):"]  # fmt: skip
        out += [f"  {self.sender_label(name)}: {count}" for name, count in self.senders.items()]
        if self.unreadable:
            out.append(_unreadable_line(self.unreadable, self.unreadable_records))
        return out


@dataclass
class ImportSummary:
    """What an import did (or would have done, when it was stopped at the preview)."""

    preview: ImportPreview
    cancelled: bool = False
    added: int = 0
    already: int = 0
    """Chosen messages already in the case from an earlier import (not added twice)."""
    outside_dates: int = 0
    context_added: int = 0
    respondents_added: list[str] = field(default_factory=list)
    exhibits: list[str] = field(default_factory=list)
    """Labels of the export's own file(s) as exhibits."""
    attachments_added: int = 0
    attachment_problems: list[str] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None

    def lines(self) -> list[str]:
        if self.cancelled:
            return ["Stopped: nothing was imported and the case is unchanged."]
        who = ", ".join(self.preview.sender_label(s) for s in self.preview.chosen)
        out = [f"Imported {self.added} message(s) from {who} as incidents."]
        if self.first and self.last:
            out.append(f"  They run from {uk_date(self.first)} to {uk_date(self.last)}.")
        if self.already:
            out.append(f"  {self.already} were already in the case from an earlier import.")
        if self.outside_dates:
            out.append(f"  {self.outside_dates} were outside --since/--until and were left out.")
        if self.context_added:
            out.append(f"  {self.context_added} message(s) from others kept as context.")
        if self.respondents_added:
            out.append(f"  New person/people in the case: {', '.join(self.respondents_added)} "
                       "(add their real name in case.yaml if you know it).")  # fmt: skip
        if self.exhibits:
            out.append(f"  The export is exhibit {', '.join(self.exhibits)}.")
        if self.attachments_added:
            out.append(f"  {self.attachments_added} attached file(s) added as exhibits.")
        out += [f"  Not added: {problem}" for problem in self.attachment_problems]
        if self.preview.unreadable:
            out.append("  " + _unreadable_line(self.preview.unreadable,
                                               self.preview.unreadable_records))  # fmt: skip
        if self.added:
            out.append(
                "  Next: give each incident its kinds (threat, abuse …): the imported ones are "
                "in the imported-*.jsonl file beside case.yaml, one to a line; then run "
                "'harassment-pack build' on the case to see them in the chronology."
            )
        return out


def _unreadable_line(count: int, records: list[str]) -> str:
    more = ", …" if count > len(records) else ""
    return (f"{count} line(s) or record(s) could not be read and were not imported "
            f"({', '.join(records)}{more}); check them in the export.")  # fmt: skip


# --------------------------------------------------------------------------- choosing a format


def detect_format(path: Path) -> str:
    """The format of an export, from its content (``import auto``); each importer decides."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or folder (check the name and where it is)")
    for name, importer in IMPORTERS.items():
        if importer.detect(path):
            return name
    raise UserError(
        f"{path}: harassment-pack does not recognise this export (name the format instead of "
        f"auto: one of {', '.join(IMPORTERS)})"
    )


def _importer(fmt: str, path: Path) -> tuple[str, Importer]:
    name = detect_format(path) if fmt == "auto" else fmt
    importer = IMPORTERS.get(name)
    if importer is None:
        raise UserError(f'"{fmt}" is not an export format I know (use one of: '
                        f"{', '.join(IMPORTERS)}, or auto)")  # fmt: skip
    return name, importer


def refuse_unsafe_zip(path: Path) -> None:
    """Refuse a zip whose entries would land outside the folder they are unpacked into.

    A platform's export never has such entries (``../x``, ``/etc/x``, ``C:\\x``); a zip that
    does has been tampered with, so nothing from it is used.
    """
    if not path.is_file() or not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserError(
            f"{path}: this zip file is damaged ({exc}); download the export again"
        ) from None
    _refuse_zip_bomb(path, entries)
    for name in (entry.filename for entry in entries):
        windows = PureWindowsPath(name)
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or windows.drive or ".." in parts:
            raise UserError(
                f'{path}: the zip holds an entry named "{name}" that would land outside the case '
                "folder, so nothing was imported (download the export again from the platform)"
            )


MAX_ZIP_ENTRY_BYTES = 2 * 1024**3
MAX_ZIP_TOTAL_BYTES = 8 * 1024**3
MAX_ZIP_RATIO = 200
"""An entry over 50 MB unpacking to more than 200 times its packed size is a zip bomb: text
exports pack about 10:1, pictures and videos hardly at all."""


def _refuse_zip_bomb(path: Path, entries: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip by the sizes its entries declare, before anything is unpacked.

    Python's zipfile never yields more than an entry declares, so checking the declared sizes
    bounds what is written; attachments are further limited while copied (``_Files``).
    """
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if (
            entry.file_size > MAX_ZIP_ENTRY_BYTES
            or total > MAX_ZIP_TOTAL_BYTES
            or (entry.file_size > 50 * 1024**2 and ratio > MAX_ZIP_RATIO)
        ):
            raise UserError(
                f"{path}: the zip says it unpacks to {entry.file_size / 1024**2:,.0f} MB for "
                f'"{entry.filename}" ({total / 1024**2:,.0f} MB so far), far more than a '
                "platform's export holds, so nothing was imported (download the export again)"
            )


# --------------------------------------------------------------------------- reading


def _sender_key(name: str) -> str:
    """How --from names are compared: case-insensitively, any kind of space alike."""
    return " ".join(name.split()).casefold()


@dataclass
class _Reading:
    """One pass over an export: the counts for the preview, and the chosen messages."""

    preview: ImportPreview
    chosen: list[Message] = field(default_factory=list)
    context: list[Message] = field(default_factory=list)
    outside_dates: int = 0


def _read(
    importer: Importer,
    fmt: str,
    path: Path,
    options: ParseOptions,
    wanted: frozenset[str],
    start: datetime | None,
    end: datetime | None,
) -> _Reading:
    """Read the whole export once, keeping only the messages of ``wanted`` senders and context.

    Memory stays bounded by what is kept: the counts per sender, the chosen messages, and at
    most ``CONTEXT_AROUND`` messages either side of each.
    """
    try:
        return _read_all(importer, fmt, path, options, wanted, start, end)
    except RecursionError:
        raise UserError(
            f"{path}: the export nests its data more deeply than any platform writes, so it "
            "may be damaged or made to crash programs; nothing was imported (download it again)"
        ) from None


def _read_all(
    importer: Importer,
    fmt: str,
    path: Path,
    options: ParseOptions,
    wanted: frozenset[str],
    start: datetime | None,
    end: datetime | None,
) -> _Reading:
    """``_read`` itself."""
    counts: dict[str, int] = {}
    aliases: dict[str, str] = {}
    is_wanted: dict[str, bool] = {}
    unreadable = 0
    unreadable_records: list[str] = []
    chosen: list[Message] = []
    context: list[Message] = []
    before: deque[Message | tuple] = deque(maxlen=CONTEXT_AROUND)
    after = 0
    last_conversation: str | None = None
    outside = 0
    # A format may hand over plain messages unbuilt (WhatsApp's ``scan``): built when kept.
    scan = getattr(importer, "scan", importer.parse)
    build = getattr(importer, "build", None)
    for record in scan(path, options):
        kind = type(record)
        if kind is tuple:
            sender, alias = record[0], None
        elif kind is Unreadable:
            unreadable += 1
            if len(unreadable_records) < SHOWN_RECORDS:
                unreadable_records.append(record.record)
            continue
        else:
            sender, alias = record.sender, record.sender_alias
        chosen_sender = is_wanted.get(sender)
        if chosen_sender is None:  # the sender's first message
            counts[sender] = 0
            if alias:
                aliases[sender] = alias
            chosen_sender = is_wanted[sender] = bool(wanted) and (
                _sender_key(sender) in wanted or (bool(alias) and _sender_key(alias) in wanted)
            )
        counts[sender] += 1
        if not chosen_sender:
            if after and _conversation(record) == last_conversation:
                context.append(build(record) if kind is tuple else record)
                after -= 1
            else:
                before.append(record)
            continue
        conversation = _conversation(record)
        message = build(record) if kind is tuple else record
        moment = message.timestamp
        if (start is not None and moment < start) or (end is not None and moment >= end):
            outside += 1
            continue
        for earlier in before:
            if _conversation(earlier) == conversation:
                context.append(build(earlier) if type(earlier) is tuple else earlier)
        before.clear()
        chosen.append(message)
        after, last_conversation = CONTEXT_AROUND, conversation
    ordered = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold())))
    preview = ImportPreview(
        path=path,
        platform=importer.platform,
        senders=ordered,
        aliases=aliases,
        unreadable=unreadable,
        unreadable_records=unreadable_records,
    )
    return _Reading(preview, chosen, context, outside)


def _conversation(record: Message | tuple) -> str | None:
    """The conversation of a message, or of a message a format hands over unbuilt (a tuple whose
    second item holds the fields every message of its chat shares)."""
    return record[1]["conversation"] if type(record) is tuple else record.conversation


def _day_bounds(since: str | date | None, until: str | date | None) -> tuple[datetime | None, ...]:
    """--since and --until as UK days: from the start of the first to the end of the last."""

    def day(value: str | date, flag: str) -> date:
        try:
            return parse_date(value)
        except DateFormatError as exc:
            raise UserError(f"{flag}: {exc}") from None

    start = datetime.combine(day(since, "--since"), time(0), LONDON) if since else None
    end = None
    if until:
        end = datetime.combine(day(until, "--until") + timedelta(days=1), time(0), LONDON)
    if start and end and end <= start:
        raise UserError(f"--until {until} is before --since {since} (swap them)")
    return start, end


# --------------------------------------------------------------------------- the import


def import_export(
    case_dir: Path,
    fmt: str,
    path: Path,
    *,
    senders: Sequence[str] = (),
    since: str | date | None = None,
    until: str | date | None = None,
    tz: str | None = None,
    dayfirst: bool | None = None,
    assume_yes: bool = False,
    confirm: Confirm | None = None,
    person: str | None = None,
) -> ImportSummary:
    """Import one export into the case at ``case_dir``; nothing is written unless all of it works.

    ``person`` names someone already in the case (their id, r1, or their name) whose messages
    these are: an export names people as the phone saved them ("Sam", "❤️"), so without it the
    sender becomes a new person, and her former partner could appear as a stranger, which changes
    the route the documents lead with.

    ``senders`` are the people whose messages become incidents. Without ``assume_yes`` the
    preview goes to ``confirm`` first (the command line asks the person); with no ``confirm``
    (no terminal) the import stops with a message saying to pass --yes. With no ``senders``,
    ``confirm`` chooses them; without it the message lists the senders to choose from.
    """
    case_dir, path = Path(case_dir), Path(path)
    case_file(case_dir)  # a wrong case folder is said before a lock file is made in it
    with case_lock(case_dir, "import"):
        return _import_locked(
            case_dir, fmt, path, senders=senders, since=since, until=until, tz=tz,
            dayfirst=dayfirst, assume_yes=assume_yes, confirm=confirm, person=person,
        )  # fmt: skip


def _import_locked(
    case_dir: Path,
    fmt: str,
    path: Path,
    *,
    senders: Sequence[str],
    since: str | date | None,
    until: str | date | None,
    tz: str | None,
    dayfirst: bool | None,
    assume_yes: bool,
    confirm: Confirm | None,
    person: str | None,
) -> ImportSummary:
    """``import_export`` while holding the case's lock: the case read here is the one written."""
    case = load_case(case_dir)
    person_id = _person(case, person, case_dir) if person else None
    if not path.exists():
        raise UserError(f"{path}: no such file or folder (check the name and where it is)")
    name, importer = _importer(fmt, path)
    start, end = _day_bounds(since, until)
    refuse_unsafe_zip(path)
    if senders and not assume_yes and confirm is None:
        raise UserError(
            f"{path}: nothing was imported, because there is no one here to confirm the preview "
            "(run it in a terminal, or add --yes to import without being asked)"
        )
    if tz:
        try:
            zone_named(tz)  # one check for every format, before anything is read
        except DateFormatError as exc:
            raise UserError(f"--tz {exc}") from None
    options = ParseOptions(tz=tz, dayfirst=dayfirst)
    wanted = frozenset(_sender_key(s) for s in senders)
    with bulk_objects():
        reading = _read(importer, name, path, options, wanted, start, end)
    preview = reading.preview
    if not preview.senders:
        raise UserError(f"{path}: this export holds no messages to import")
    preview.chosen = _match_senders(senders, preview)
    if not senders:
        if assume_yes or confirm is None:
            listed = "; ".join(f"{preview.sender_label(s)} ({n})" for s, n in
                               list(preview.senders.items())[:12])  # fmt: skip
            raise UserError(
                f"{path}: say whose messages to import with --from NAME (the senders, with their "
                f"number of messages: {listed})"
            )
        picked = list(confirm(preview) or [])
        if not picked:
            return ImportSummary(preview, cancelled=True)
        preview.chosen = _match_senders(picked, preview)
        wanted = frozenset(_sender_key(s) for s in picked)
        reading = _read(importer, name, path, options, wanted, start, end)
        reading.preview.chosen = preview.chosen
    elif not assume_yes:
        assert confirm is not None
        if not confirm(preview):
            return ImportSummary(preview, cancelled=True)
    with bulk_objects():
        return _apply(case_dir, case, importer, path, reading, person_id)


def _person(case: Case, wanted: str, case_dir: Path) -> str:
    """The id of the person in the case called ``wanted`` (an id such as r1, or their name)."""
    key = wanted.strip().casefold()
    for respondent in case.respondents:
        if key in (respondent.id.casefold(), (respondent.name or "").strip().casefold()):
            return respondent.id
    known = "; ".join(f"{r.id} ({r.name})" for r in case.respondents) or "nobody yet"
    raise UserError(
        f'--person "{wanted}": {Path(case_dir) / CASE_FILENAME} has no one by that name or id '
        f"(the people in it: {known}; or leave --person out to add the sender as someone new)"
    )


def _match_senders(names: Iterable[str], preview: ImportPreview) -> list[str]:
    """The export's spelling of each name given; a name not in the export is an error."""
    by_key: dict[str, str] = {}
    for sender in preview.senders:
        by_key.setdefault(_sender_key(sender), sender)
        alias = preview.aliases.get(sender)
        if alias:
            by_key.setdefault(_sender_key(alias), sender)
    found: list[str] = []
    for name in names:
        sender = by_key.get(_sender_key(name))
        if sender is None:
            listed = "; ".join(preview.sender_label(s) for s in list(preview.senders)[:12])
            raise UserError(
                f'--from "{name}": no messages from that name in {preview.path} (the senders '
                f"are: {listed}; copy the name exactly as it appears)"
            )
        if sender not in found:
            found.append(sender)
    return found


# --------------------------------------------------------------------------- writing


def content_key(message: Message) -> str:
    """A fingerprint of a message's content, the same in any export that holds it."""
    parts = [message.platform, message.sender, message.timestamp.isoformat(), message.kind,
             message.text]  # fmt: skip
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _keyed(messages: Iterable[Message]) -> list[tuple[str, Message]]:
    """Content keys, numbered when the same words come twice at the same time ("answer me")."""
    seen: dict[str, int] = {}
    keyed = []
    for message in messages:
        key = content_key(message)
        seen[key] = seen.get(key, 0) + 1
        keyed.append((key if seen[key] == 1 else f"{key}#{seen[key]}", message))
    return keyed


def _summary(message: Message) -> str:
    who = f"{message.sender} ({message.sender_alias})" if message.sender_alias else message.sender
    on = message.platform
    text = {
        "post": f"Post by {who} on {on}",
        "deleted": f"{who} deleted a message on {on} (the export shows only that it was deleted)",
        "media_omitted": f"{who} sent a picture, video or other file on {on} (the export does "
        "not include the file)",
        "call": f"Call from {who} on {on}",
        "missed_call": f"Missed call from {who} on {on}",
        "reaction": f"{who} reacted to a message on {on} ({message.text.strip()})",
        "edited": f"Message from {who} on {on}, edited (the export shows only the final words)",
        "welcome": f"Automatic welcome message that {who} set up on {on}",
        "empty": f"{who} sent a view-once or disappearing message on {on} (the export does not "
        "show what it was)",
    }.get(message.kind, f"Message from {who} on {on}")
    if message.attachments:
        text += f", with {len(message.attachments)} attached file(s)"
    if message.links:
        text += f". Links: {', '.join(message.links)}"
    return text


def _words(message: Message) -> str | None:
    if message.kind in ("deleted", "media_omitted", "call", "missed_call", "reaction", "empty"):
        return None
    return message.text if message.text.strip() else None


def _next_id(prefix: str, taken: Iterable[str]) -> Callable[[], str]:
    """Ids like i12, r3: one more than the highest in use, so ids are never reused."""
    numbers = [int(t[len(prefix) :]) for t in taken if t.startswith(prefix) and
               t[len(prefix) :].isdigit()]  # fmt: skip
    counter = iter(range(max(numbers, default=0) + 1, sys.maxsize))
    return lambda: f"{prefix}{next(counter)}"


def _handle_key(handle: str | None) -> str:
    return _sender_key((handle or "").lstrip("@"))


def _respondent_for(case: Case, message: Message, new_id: Callable[[], str]) -> tuple[str, bool]:
    """The respondent whose accounts hold this sender on this platform; a new one if none does."""
    names = {_handle_key(message.sender), _handle_key(message.sender_alias)} - {""}
    platform = message.platform.casefold()
    for respondent in case.respondents:
        for account in respondent.accounts:
            if account.platform.casefold() == platform and _handle_key(account.handle) in names:
                return respondent.id, False
    accounts = [Account(platform=message.platform, handle=message.sender)]
    if message.sender_alias:
        accounts.append(Account(platform=message.platform, handle=message.sender_alias))
    respondent = Respondent(
        id=new_id(),
        name=message.sender,
        accounts=accounts,
        description=f"Added by importing a {message.platform} export: the name is as the export "
        "shows it; replace it with their real name if you know it.",
    )
    case.respondents.append(respondent)
    return respondent.id, True


def _join_accounts(case: Case, person_id: str, message: Message) -> str:
    """Record the sender's account on the person it belongs to, so later imports find them."""
    respondent = next(r for r in case.respondents if r.id == person_id)
    for handle in (message.sender, message.sender_alias):
        if handle and not any(
            a.platform.casefold() == message.platform.casefold()
            and _handle_key(a.handle) == _handle_key(handle)
            for a in respondent.accounts
        ):
            respondent.accounts.append(Account(platform=message.platform, handle=handle))
    return person_id


class _Files:
    """Files taken out of the export into a private folder, then registered as exhibits."""

    def __init__(self, stage: Transaction, importer: Importer, path: Path) -> None:
        self.stage = stage
        self.folder = stage.scratch()  # inside the transaction: a killed import's are found
        self.path = path
        self.importer = importer
        self._tree: ExportTree | None = None
        self._count = 0

    @property
    def tree(self) -> ExportTree:
        if self._tree is None:
            self._tree = ExportTree(self.path)
        return self._tree

    def slot(self, name: str) -> Path:
        """A fresh path named ``name`` (its own subfolder, so equal names never collide)."""
        self._count += 1
        folder = self.folder / str(self._count)
        make_private_dir(folder)
        return folder / PurePosixPath(name.replace("\\", "/")).name

    def copy_member(self, name: str, target: Path) -> bool:
        """Stream one file of the export to ``target``; False when the export does not have it."""
        if not self.tree.exists(name):
            return False
        with self.tree.open(name) as source, target.open("xb") as out:
            target.chmod(FILE_MODE)
            copied = 0
            while block := source.read(1024 * 1024):
                copied += len(block)
                if copied > MAX_FILE_BYTES:  # stop writing at the limit, whatever it declared
                    raise UserError(
                        f"{self.tree.label(name)}: larger than the {MAX_FILE_BYTES // 1024**2} MB "
                        "an exhibit may be, so nothing was imported (keep it safe yourself)"
                    )
                out.write(block)
        return True

    def extract(self, refs: Sequence[str]) -> dict[str, Path]:
        """Attachment files by reference; a reference the export does not have is left out."""
        found: dict[str, Path] = {}
        embedded = _embedded_extractor(self.importer)
        if embedded is not None:
            targets = {ref: self.slot(ref.rsplit("/", 1)[-1]) for ref in refs}
            embedded(self.path, targets)
            return {ref: target for ref, target in targets.items() if target.is_file()}
        for ref in refs:
            target = self.slot(ref)
            if self.copy_member(ref, target):
                found[ref] = target
        return found

    def close(self) -> None:
        self._tree = None  # closes the zip, if the export is one
        shutil.rmtree(self.folder, ignore_errors=True)


def _embedded_extractor(importer: Importer) -> Callable[[Path, dict[str, Path]], None] | None:
    """The format's ``extract_attachments`` (SMS, email keep files inside the export itself)."""
    return getattr(importer, "extract_attachments", None)


def _apply(
    case_dir: Path,
    case: Case,
    importer: Importer,
    path: Path,
    reading: _Reading,
    person_id: str | None = None,
) -> ImportSummary:
    """Add the new incidents, context and exhibits; put everything back if anything fails."""
    summary = ImportSummary(reading.preview, outside_dates=reading.outside_dates)
    known = {i.source.content_key for i in case.incidents if i.source.content_key}
    known |= {c.source.content_key for c in case.context if c.source.content_key}
    new = [(key, m) for key, m in _keyed(reading.chosen) if key not in known]
    context = [(key, m) for key, m in _keyed(reading.context) if key not in known]
    summary.already = len(reading.chosen) - len(new)
    if new:
        summary.first = min(m.timestamp for _, m in new)
        summary.last = max(m.timestamp for _, m in new)
    if not new and not context:
        return summary  # nothing new: the case is left exactly as it was

    with Transaction(case_dir, "import") as stage:
        files = _Files(stage, importer, path)
        try:
            lines = _add(case, case_dir, path, files, new, context, summary, person_id)
            write = CaseWrite(case, case_dir, lines)
            stage.commit(write.commit)  # the one write of case.yaml
        finally:
            files.close()
    summary.added = len(new)
    summary.context_added = len(context)
    return summary


def _add(
    case: Case,
    case_dir: Path,
    path: Path,
    files: _Files,
    new: list[tuple[str, Message]],
    context: list[tuple[str, Message]],
    summary: ImportSummary,
    person_id: str | None,
) -> list[bytes]:
    """Put the new exhibits and people on the case in memory (files are staged), and return the
    new incidents and context as lines of the imported-messages file: each is validated as its
    model and kept only as its line, so a big import holds bytes, not tens of thousands of
    models."""
    exhibits = [m for _, m in new + context]
    exports = _register_exports(case, case_dir, files, exhibits, summary)
    attachments = _register_attachments(case, case_dir, files, [m for _, m in new], summary)
    new_respondent = _next_id("r", [r.id for r in case.respondents])
    new_incident = _next_id("i", [i.id for i in case.incidents])
    respondents: dict[str, str] = {}
    lines: list[bytes] = []
    for key, message in new:
        if message.sender not in respondents and person_id is not None:
            respondents[message.sender] = _join_accounts(case, person_id, message)
        if message.sender not in respondents:
            rid, created = _respondent_for(case, message, new_respondent)
            respondents[message.sender] = rid
            if created:
                summary.respondents_added.append(f"{rid} ({message.sender})")
        export = exports.get(message.source_file)
        lines.append(message_line(
            Incident(
                id=new_incident(),
                when=message.timestamp,
                platform=message.platform,
                respondent=respondents[message.sender],
                summary=_summary(message),
                exact_words=_words(message),
                url=message.url,
                evidence=[e.id for e in [export, *attachments.get(id(message), [])] if e],
                source=_source(message, export, key, path),
            )
        ))  # fmt: skip
    for key, message in context:
        lines.append(message_line(
            ContextMessage(
                when=message.timestamp,
                platform=message.platform,
                sender=message.sender,
                text=message.text,
                conversation=message.conversation,
                source=_source(message, exports.get(message.source_file), key, path, brief=True),
            )
        ))  # fmt: skip
    return lines


def _source(
    message: Message, export: Evidence | None, key: str, path: Path, *, brief: bool = False
) -> Source:
    """Where a message came from; context messages (``brief``) leave out what their exhibit and
    the incidents around them already say (the file's hash, how the time zone was decided)."""
    return Source(
        kind="imported",
        file=export.file if export else str(path),
        file_sha256=None if brief or export is None else export.sha256,
        record=message.record,
        original_time=message.original_time,
        timezone_basis=None if brief else message.timezone_basis,
        content_key=key,
    )


def _register_exports(
    case: Case, case_dir: Path, files: _Files, messages: list[Message], summary: ImportSummary
) -> dict[str | None, Evidence]:
    """The file(s) the messages were read from, as exhibits (the same file is found again)."""
    exports: dict[str | None, Evidence] = {}
    platform = summary.preview.platform
    for member in dict.fromkeys(m.source_file for m in messages):
        if member is None:
            if not files.path.is_file():
                continue
            source, what = files.path, files.path.name
        else:
            name = f"{files.path.stem} - {PurePosixPath(member).name}"
            source, what = files.slot(name), f"{PurePosixPath(member).name} from {files.path.name}"
            files.copy_member(member, source)
        [record] = register_evidence(
            case, case_dir, [source], stage=files.stage, description=f"{platform} export: "
            f"{what} (imported messages point to its line or record numbers)"
        ).evidence  # fmt: skip
        exports[member] = record
        summary.exhibits.append(record.label or record.id)
    return exports


def _register_attachments(
    case: Case, case_dir: Path, files: _Files, messages: list[Message], summary: ImportSummary
) -> dict[int, list[Evidence]]:
    """Attached files of the chosen messages as exhibits; each problem is reported, not fatal."""
    refs = list(dict.fromkeys(ref for m in messages for ref in m.attachments))
    if not refs:
        return {}
    extracted = files.extract(refs)
    added: dict[str, Evidence] = {}
    by_message: dict[int, list[Evidence]] = {}
    for message in messages:
        for ref in message.attachments:
            shown = PurePosixPath(ref).name
            if ref not in added:
                target = extracted.get(ref)
                if target is None:
                    summary.attachment_problems.append(
                        f"{shown} ({message.record}) is named in the message but is not in the "
                        "export (export again with media included, or add it with "
                        "'harassment-pack evidence add')"
                    )
                    continue
                try:
                    [added[ref]] = register_evidence(
                        case, case_dir, [target], stage=files.stage,
                        description=f"Sent by {message.sender} on {message.platform} "
                        f"({message.original_time}, {message.record})",
                    ).evidence  # fmt: skip
                except UserError as exc:
                    summary.attachment_problems.append(f"{shown} ({message.record}): {exc}")
                    continue
                summary.attachments_added += 1
            by_message.setdefault(id(message), []).append(added[ref])
    return by_message
