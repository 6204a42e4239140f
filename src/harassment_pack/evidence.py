"""Evidence files: registered once, kept byte for byte, fingerprinted and labelled for good.

Why: a screenshot is only evidence if it can be shown to be the same file the victim saved.
So files are copied into ``CASE/evidence/`` exactly as they are (never resized or re-encoded),
their SHA-256 is recorded, and ``verify_evidence`` can prove later that nothing changed. Exhibit
labels (JS/1, JS/2 …) are cited in every document and a court bundle, so once given a label never
changes and is never reused, even after an exhibit is removed.

Child sexual abuse material is never opened, copied or embedded: ``csam_guidance`` tells the
person to report it to the police and the Internet Watch Foundation instead.
"""

from __future__ import annotations

import functools
import hashlib
import io
import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from .case import (
    CASE_FILENAME,
    EVIDENCE_DIRNAME,
    Case,
    Evidence,
    Incident,
    case_file,
    exhibit_label,
    exhibit_number,
    load_case,
    save_case,
)
from .dates import DateFormatError, parse_moment, uk_date, uk_day
from .errors import UserError
from .files import file_sha256
from .law import load_law
from .lock import case_lock
from .pictures import check_pixels
from .transaction import Transaction

MAX_FILE_BYTES = 200 * 1024 * 1024
"""Largest file accepted (200 MB): bigger ones are usually whole-phone backups or long videos."""

IMAGE_TYPES = ("image/png", "image/jpeg", "image/heic", "image/webp", "image/gif")
SHOWN_TYPES = (*IMAGE_TYPES, "application/pdf")
"""Types reproduced in the pack; anything else is an exhibit "produced separately"."""
TEXT_TYPES = {"text/plain", "text/csv"}
"""Text exports (chats, e-mail text, CSV): printed as an extract in the pack, attached in full."""

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_OTHER_IMAGE_EXTENSIONS = {".bmp", ".tif", ".tiff", ".svg", ".psd", ".avif", ".jxl", ".raw",
                           ".cr2", ".nef", ".dng", ".ico"}  # fmt: skip
_FTYP_MEDIA = {
    b"M4A ": "audio/mp4", b"M4B ": "audio/mp4", b"qt  ": "video/quicktime",
    b"3gp4": "video/3gpp", b"3gp5": "video/3gpp", b"3gp6": "video/3gpp",
}  # fmt: skip

Notify = Callable[[str], None]


# --------------------------------------------------------------------------- file types


def sniff_media_type(data: bytes, name: str) -> str:
    """The file's type from its first bytes (what it is), falling back to its name.

    A screenshot renamed ``.jpg`` is still a PNG; the bytes decide.
    """
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        brands = {head[8:12]} | {
            data[i : i + 4] for i in range(16, min(box_size, 256), 4) if i + 4 <= len(data)
        }
        if brands & _HEIF_BRANDS:
            return "image/heic"
        if b"avif" in brands or b"avis" in brands:
            return "image/avif"
        return _FTYP_MEDIA.get(head[8:12], "video/mp4")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    # Named like a picture or PDF, but the bytes are not one: do not trust the name.
    return "application/octet-stream" if guessed in SHOWN_TYPES else guessed


def _check_content(path: Path, data: bytes, media_type: str) -> None:
    """Refuse files that claim to be a picture or PDF but cannot be opened as one."""
    guessed = mimetypes.guess_type(path.name)[0] or ""
    suffix = path.suffix.lower()
    if (
        media_type.startswith("image/") and media_type not in IMAGE_TYPES
    ) or suffix in _OTHER_IMAGE_EXTENSIONS:
        raise UserError(
            f"{path}: this kind of picture ({suffix or media_type}) is not supported (save it "
            "as PNG or JPEG, for example by taking a screenshot of it, and add that instead)"
        )
    if guessed in SHOWN_TYPES and guessed != media_type and media_type not in SHOWN_TYPES:
        raise UserError(
            f"{path}: the file is named like a {guessed.split('/')[-1].upper()} but its "
            "contents are not one, so it may be damaged (copy it again from your phone or "
            "computer and add the copy)"
        )
    if media_type == "image/heic":
        _check_heic(path, data)
    elif media_type in IMAGE_TYPES:
        _check_image(path, data)
    elif media_type == "application/pdf":
        _check_pdf(path, data)


def _check_image(path: Path, data: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            check_pixels(path, *image.size)  # before decoding: a decompression bomb stops here
            image.load()  # decodes every pixel: a cut-off download fails here
    except Image.DecompressionBombError:
        raise UserError(
            f"{path}: this picture has too many pixels to handle safely (take a smaller "
            "screenshot of the part that matters)"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        detail = "" if isinstance(exc, UnidentifiedImageError) else f" ({exc})"
        raise UserError(
            f"{path}: this picture cannot be read, it may be damaged or only partly copied"
            f"{detail}; copy it again from your phone or computer and add the copy"
        ) from None


@functools.cache
def enable_heic() -> None:
    """Teach Pillow to open HEIC, the format iPhones save photos in (once per process)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _check_heic(path: Path, data: bytes) -> None:
    """HEIC (iPhone photos): decoded fully, like every other picture."""
    enable_heic()
    _check_image(path, data)


def _check_pdf(path: Path, data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UserError(
                f"{path}: this PDF is protected by a password, so it cannot go into the pack "
                "(open it and save or print an unprotected copy, then add that)"
            )
        pages = len(reader.pages)
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise UserError(
            f"{path}: this PDF cannot be read, it may be damaged or only partly copied ({exc}); "
            "copy it again and add the copy"
        ) from None
    if pages == 0:
        raise UserError(f"{path}: this PDF has no pages (add the complete document)")


# --------------------------------------------------------------------------- adding


@dataclass
class _Incoming:
    source: Path
    data: bytes | None
    """The file's bytes when its content had to be checked (pictures, PDFs); None for other
    files, which are copied from ``source`` when staged: an imported chat export of a million
    lines is 70 MB, and never needs to be whole in memory."""
    size: int
    sha256: str
    media_type: str


def _read(path: Path) -> _Incoming:
    """Read and check one file; every problem is a one-line UserError before anything is kept."""
    if not path.exists():
        raise UserError(f"{path}: no such file (check the name and the folder it is in)")
    if path.is_dir():
        raise UserError(f"{path}: is a folder (add the files inside it, for example {path}/*)")
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"{path}: the file is empty (0 bytes); copy it again and add the copy")
    if size > MAX_FILE_BYTES:
        raise UserError(
            f"{path}: the file is {size / 1024 / 1024:.0f} MB, larger than the "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB harassment-pack accepts (keep it safe yourself "
            "and add a screenshot or a shorter clip of the part that matters)"
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
            media_type = sniff_media_type(head, path.name)
            if media_type not in SHOWN_TYPES:
                _check_content(path, head, media_type)  # by type and name only
                return _Incoming(path, None, size, _sha256(handle, head), media_type)
            data = head + handle.read()
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from None
    _check_content(path, data, media_type)
    return _Incoming(path, data, len(data), hashlib.sha256(data).hexdigest(), media_type)


def _sha256(handle: BinaryIO, head: bytes) -> str:
    """The SHA-256 of a file already read up to after ``head``, read on in blocks."""
    digest = hashlib.sha256(head)
    while block := handle.read(1024 * 1024):
        digest.update(block)
    return digest.hexdigest()


def _freeze_labels(case: Case) -> None:
    """Give every exhibit a stored label, so the labels documents already show never move.

    Exhibits written into case.yaml by hand may have no label; documents then show
    initials/position (``Case.exhibit_labels``). Storing exactly that keeps earlier drafts right.
    """
    shown = case.exhibit_labels()
    taken = {item.label for item in case.evidence if item.label}
    for item in case.evidence:
        if not item.label:
            label = shown[item.id]
            if label in taken:
                label = exhibit_label(case.applicant.exhibit_initials, _next_number(case))
            item.label = label
            taken.add(label)
    case.next_exhibit_number = _next_number(case)


def _next_number(case: Case) -> int:
    highest = max((exhibit_number(item.label) or 0 for item in case.evidence), default=0)
    return max(case.next_exhibit_number or 1, highest + 1)


def _target_name(evidence_dir: Path, source: Path, taken: set[str]) -> str:
    """A file name in evidence/ that is free: the original name, or name-2, name-3 …"""
    stem, suffix = source.stem, source.suffix
    name = source.name
    counter = 2
    while name in taken or (evidence_dir / name).exists():
        name = f"{stem}-{counter}{suffix}"
        counter += 1
    taken.add(name)
    return name


@dataclass
class Registration:
    """What ``register_evidence`` did: the exhibits (new or already there)."""

    evidence: list[Evidence]


def add_evidence(
    case_dir: Path,
    files: Iterable[Path],
    *,
    incident: str | None = None,
    description: str | None = None,
    captured: str | None = None,
    sensitive: bool = False,
    notify: Notify | None = None,
) -> list[Evidence]:
    """Copy files into ``CASE/evidence/`` and register them as exhibits; one Evidence per file.

    All files are checked before any is kept, and the case file is saved once at the end, so a
    bad file means nothing of this call is registered. A file already in the case (same
    SHA-256) is not added again; its existing exhibit is returned.
    """
    case_dir = Path(case_dir)
    case_file(case_dir)
    with case_lock(case_dir, "evidence add"):
        case = load_case(case_dir)
        with Transaction(case_dir, "evidence add") as stage:
            registration = register_evidence(
                case, case_dir, files, stage=stage, incident=incident, description=description,
                captured=captured, sensitive=sensitive, notify=notify,
            )  # fmt: skip
            stage.commit(lambda: save_case(case, case_dir))
    return registration.evidence


def register_evidence(
    case: Case,
    case_dir: Path,
    files: Iterable[Path],
    *,
    stage: Transaction,
    incident: str | None = None,
    description: str | None = None,
    captured: str | None = None,
    sensitive: bool = False,
    notify: Notify | None = None,
) -> Registration:
    """``add_evidence`` on a case already in memory: the caller commits ``stage``.

    An import registers its export and every attachment this way and saves the case once, rather
    than reading and writing a case file of thousands of incidents per file. The copies are
    staged in ``stage`` (out of sight, see ``transaction``) and reach ``evidence/`` only when the
    caller commits it with the write of the case.
    """
    say = notify or (lambda _message: None)
    target = find_incident(case, incident, case_dir) if incident is not None else None
    when = None
    if captured:
        try:
            when = parse_moment(captured)
        except DateFormatError as exc:
            raise UserError(f"--captured: {exc}") from None
    incoming = [_read(Path(f)) for f in files]
    if not incoming:
        raise UserError(f"name at least one file to add (for example: {case_dir}/Screenshot.png)")

    _freeze_labels(case)
    evidence_dir = Path(case_dir) / EVIDENCE_DIRNAME
    by_hash = {item.sha256: item for item in case.evidence if item.sha256}
    initials = case.applicant.exhibit_initials
    used_ids = {item.id for item in case.evidence}
    taken_names = {final.name for final in stage.staged}  # by earlier calls, not moved yet
    results: list[Evidence] = []
    copies: list[tuple[Path, _Incoming]] = []
    for item in incoming:
        existing = by_hash.get(item.sha256)
        if existing is not None:
            say(f"{item.source} is already exhibit {existing.label} ({existing.file}); "
                "not added again.")  # fmt: skip
            if sensitive and not existing.sensitive:
                existing.sensitive = True  # only ever towards more protection
                say(f"Exhibit {existing.label} is now marked sensitive.")
            results.append(existing)
            continue
        inside = _inside(item.source, evidence_dir)
        name = inside or _target_name(evidence_dir, item.source, taken_names)
        number = case.next_exhibit_number or 1  # kept current by _freeze_labels and below
        record = Evidence(
            id=_free_id(used_ids),
            file=f"{EVIDENCE_DIRNAME}/{name}",
            sha256=item.sha256,
            size=item.size,
            media_type=item.media_type,
            captured=when,
            description=description or item.source.name,
            registered=today(),
            label=exhibit_label(initials, number),
            sensitive=sensitive,
        )
        case.evidence.append(record)
        case.next_exhibit_number = number + 1
        by_hash[item.sha256] = record
        results.append(record)
        if not inside:
            copies.append((evidence_dir / name, item))
    if target is not None:
        for record in results:
            if record.id not in target.evidence:
                target.evidence.append(record.id)

    for destination, item in copies:
        if item.data is None:
            stage.stage_copy(destination, item.source, item.sha256)
        else:
            stage.stage(destination, item.data)
    return Registration(results)


def _inside(source: Path, evidence_dir: Path) -> str | None:
    """The file's name when it is already in the case's evidence folder (no copy needed)."""
    try:
        source.resolve().relative_to(evidence_dir.resolve())
    except ValueError:
        return None
    return source.resolve().relative_to(evidence_dir.resolve()).as_posix()


def _free_id(used: set[str]) -> str:
    number = 1
    while f"e{number}" in used:
        number += 1
    used.add(f"e{number}")
    return f"e{number}"


# ------------------------------------------------------------- finding, linking, removing


def find_incident(case: Case, number: str, case_dir: Path) -> Incident:
    """The incident numbered ``number`` (C3) as the chronology and ``check`` number them."""
    found = case.incident_numbered(number)
    if found is not None:
        return found
    count = len(case.incidents)
    known = f"C1 to C{count}" if count > 1 else ("only C1" if count else "none yet")
    raise UserError(
        f"--incident {number}: {Path(case_dir) / CASE_FILENAME} has no incident {number} "
        f"(incidents are numbered as in the chronology; this case has {known})"
    )


def find_exhibit(case: Case, label: str, case_dir: Path) -> Evidence:
    """The exhibit labelled ``label`` (JS/3), or a one-line error saying how to see the labels."""
    found = case.exhibit_labelled(label)
    if found is not None:
        return found
    raise UserError(
        f"{label}: {Path(case_dir) / CASE_FILENAME} has no exhibit with that label (see the "
        f"labels with 'harassment-pack evidence list {case_dir}')"
    )


def link_evidence(
    case_dir: Path, label: str, incidents: Iterable[str], *, unlink: bool = False
) -> tuple[Evidence, list[str]]:
    """Say which incidents an exhibit shows (or no longer shows); returns it and their numbers."""
    case_dir = Path(case_dir)
    case_file(case_dir)
    with case_lock(case_dir, "evidence unlink" if unlink else "evidence link"):
        case = load_case(case_dir)
        item = find_exhibit(case, label, case_dir)
        targets = [find_incident(case, number, case_dir) for number in incidents]
        for incident in targets:
            if unlink and item.id in incident.evidence:
                incident.evidence.remove(item.id)
            elif not unlink and item.id not in incident.evidence:
                incident.evidence.append(item.id)
        save_case(case, case_dir)
    numbers = case.incident_numbers()
    return item, [numbers[i.id] for i in targets]


def remove_evidence(
    case_dir: Path, label: str, *, delete_file: bool = False
) -> tuple[Evidence, bool]:
    """Take an exhibit out of the case; its label is retired and never given again.

    The file stays in ``evidence/`` unless ``delete_file``: removing an exhibit from the pack is
    not the same as destroying the evidence. Only a file inside ``evidence/`` that no other
    exhibit uses is deleted, and only after the case file is saved, so the case never points to
    a file that is gone. Returns the exhibit and whether its file was deleted.
    """
    case_dir = Path(case_dir)
    case_file(case_dir)
    with case_lock(case_dir, "evidence remove"):
        case = load_case(case_dir)
        _freeze_labels(case)  # the next label stays above this one, so it is never reused
        item = find_exhibit(case, label, case_dir)
        case.evidence.remove(item)
        for incident in case.incidents:
            if item.id in incident.evidence:
                incident.evidence.remove(item.id)
        save_case(case, case_dir)
        path = case_dir / item.file
        shared = any(other.file == item.file for other in case.evidence)
        deletable = _inside(path, case_dir / EVIDENCE_DIRNAME) is not None and not shared
        if delete_file and deletable:
            path.unlink(missing_ok=True)
    return item, delete_file and deletable


# --------------------------------------------------------------------------- redacting


def add_redaction(
    case_dir: Path, exhibit: str, boxes: Iterable[str], *, reason: str | None = None
) -> Evidence:
    """Register boxes to black out in the served copy of a picture exhibit (never in the file)."""
    from .case import Redaction

    case_dir = Path(case_dir)
    case = load_case(case_dir)
    item = find_exhibit(case, exhibit, case_dir)
    label = case.exhibit_labels()[item.id]
    media_type = item.media_type or mimetypes.guess_type(item.file)[0] or ""
    if media_type not in IMAGE_TYPES:
        raise UserError(
            f"exhibit {label}: redaction boxes work on pictures only; for this file add "
            "a redacted screenshot as a separate exhibit and mark this one sensitive"
        )
    with Image.open(case_dir / item.file) as image:
        width, height = image.size
    for text in boxes:
        parts = text.replace(" ", "").split(",")
        if len(parts) != 4 or not all(p.isdigit() for p in parts):
            raise UserError(
                f"--box {text}: write four whole numbers LEFT,TOP,WIDTH,HEIGHT in pixels, e.g. "
                "120,340,260,40"
            )
        left, top, box_w, box_h = (int(p) for p in parts)
        if box_w == 0 or box_h == 0 or left >= width or top >= height:
            raise UserError(
                f"--box {text}: the box is empty or outside the picture ({width} by {height} "
                "pixels)"
            )
        item.redactions.append(
            Redaction(left=left, top=top, width=box_w, height=box_h, reason=reason)
        )
    save_case(case, case_dir)
    return item


# --------------------------------------------------------------------------- verifying


def today() -> date:
    """Today in the UK: the day a file is registered."""
    return uk_day(datetime.now(UTC))


def fingerprint_text(item: Evidence, sha256: str | None = None) -> str:
    """What a SHA-256 shows, and no more: that the file matches the one registered on a day.

    It does not prove the file was never altered before it was registered, so the documents
    never say so.
    """
    if not item.sha256:
        if sha256:
            return f"SHA-256 {sha256} (no fingerprint was registered earlier to compare it with)"
        return "no fingerprint recorded"
    sha256 = sha256 or item.sha256
    if item.registered:
        return f"matches the file registered on {uk_date(item.registered)} (SHA-256 {sha256})"
    return f"matches the file registered in this case (SHA-256 {sha256})"


AcceptChanged = Callable[[Evidence, str], bool]
"""Asked about a changed evidence file (the exhibit, its new SHA-256): register it as it is now?"""


def check_registered_files(
    case: Case,
    case_dir: Path,
    accept_changed: AcceptChanged | None = None,
    *,
    remedy: str | None = None,
) -> dict[str, str]:
    """Every evidence file exists and still matches its registered SHA-256.

    A changed file stops the build with one line: a bundle would otherwise show a fingerprint
    the file no longer has. ``accept_changed`` (``build --accept-changed``) may re-register it
    after asking (the caller then saves the case). Returns the SHA-256 of each file as it is
    now, by evidence id: what the pack shows is the hash of the file actually included.
    ``remedy`` replaces the terminal's advice in that line (a build from the web pages).
    """
    origin = case_dir / CASE_FILENAME
    actual_hashes: dict[str, str] = {}
    for index, item in enumerate(case.evidence):
        path = case_dir / item.file
        if not path.is_file():
            raise UserError(
                f"{origin}: evidence[{index}].file: {item.file} does not exist (put the file in "
                f"{case_dir / EVIDENCE_DIRNAME} or correct the path)"
            )
        actual = actual_hashes[item.id] = file_sha256(path)
        if not item.sha256 or actual == item.sha256.lower():
            continue
        if accept_changed is None or not accept_changed(item, actual):
            when = f"on {uk_date(item.registered)}" if item.registered else "in this case"
            raise UserError(
                f"{path}: exhibit {item.label or item.id} no longer matches the file registered "
                f"{when} (SHA-256 {item.sha256[:12]}…, now {actual[:12]}…); "
                + (
                    remedy
                    or "restore the original file, or run build with --accept-changed to "
                    "register it as it is now"
                )
            )
        item.sha256 = actual
        item.size = path.stat().st_size
        item.registered = today()
    return actual_hashes


@dataclass
class VerifyReport:
    """What ``verify`` found: each registered file's state, and files nobody registered."""

    ok: list[Evidence] = field(default_factory=list)
    changed: list[Evidence] = field(default_factory=list)
    missing: list[Evidence] = field(default_factory=list)
    unrecorded: list[Evidence] = field(default_factory=list)
    """Registered, but no SHA-256 was ever recorded, so nothing can be proved."""
    unregistered: list[Path] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not (self.changed or self.missing)


def verify_evidence(case_dir: Path) -> VerifyReport:
    """Re-hash every registered file and compare it with the fingerprint in the case file."""
    case_dir = Path(case_dir)
    case = load_case(case_dir)
    report = VerifyReport()
    registered = set()
    for item in case.evidence:
        path = case_dir / item.file
        registered.add(path.resolve())
        if not path.is_file():
            report.missing.append(item)
        elif not item.sha256:
            report.unrecorded.append(item)
        elif file_sha256(path) != item.sha256.lower():
            report.changed.append(item)
        else:
            report.ok.append(item)
    evidence_dir = case_dir / EVIDENCE_DIRNAME
    if evidence_dir.is_dir():
        report.unregistered = sorted(
            path
            for path in evidence_dir.rglob("*")
            if path.is_file() and not path.name.startswith(".") and path.resolve() not in registered
        )
    return report


# --------------------------------------------------------------------------- CSAM


def csam_guidance() -> str:
    """What to do instead of adding child sexual abuse material; nothing is opened or copied."""
    return "\n".join(
        [
            "harassment-pack has not opened, copied or kept this file: images of children "
            "being sexually abused never go into a case or a bundle.",
            *csam_reporting(),
        ]
    )


def csam_reporting() -> list[str]:
    """How to report images of a child being abused, said wherever files can be added.

    The contacts come from the legal data file, like every phone number the tool shows.
    """
    helplines = load_law()["helplines"]
    iwf = helplines["iwf"]
    emergency = helplines["police_emergency"]
    police = helplines["police_non_emergency"]
    remove = helplines["report_remove"]
    return [
        "Please do not copy, forward or send the image itself to anyone.",
        f"Report it to the police: {emergency['tel']} if anyone is in danger now, "
        f"otherwise {police['tel']}. Tell them where the file is and where you saw it.",
        f"You can also report where you saw it online, anonymously, to the {iwf['name']}: "
        f"{iwf['web']}. {iwf['scope']}",
        f"If the images are of you and you are under 18: {remove['name']}. {remove['scope']}",
    ]
