"""Reusing a document's PDF when nothing that made it has changed.

Why: LibreOffice takes most of a build's time, and after one incident is changed several
documents come out exactly as before. A document's PDF is reused when its DOCX holds the same
content (the template and everything filled into it, compared inside the zip so that the
zip's own timestamps do not count), the same LibreOffice build would convert it, and the PDF
is still the file it wrote. The keys are kept beside the PDFs in the output folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

from .files import write_private

KEYS_FILE = ".pdf-keys.json"


def converter_identity(soffice: str) -> str:
    """Which LibreOffice converts: its version file (version and build id), else the binary's
    size and date (``soffice --version`` would cost a start of LibreOffice)."""
    program = Path(soffice).resolve().parent
    version = program / "versionrc"
    with contextlib.suppress(OSError):
        return version.read_text(encoding="utf-8", errors="replace")
    stat = Path(soffice).resolve().stat()
    return f"{program} {stat.st_size} {stat.st_mtime_ns}"


def docx_key(docx: Path, converter: str) -> str:
    """The content of a DOCX and the converter, as one SHA-256."""
    digest = hashlib.sha256(converter.encode("utf-8"))
    with zipfile.ZipFile(docx) as archive:
        for info in sorted(archive.infolist(), key=lambda item: item.filename):
            digest.update(info.filename.encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(archive.read(info)).digest())
    return digest.hexdigest()


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class PdfReuse:
    """The output folder's record of which DOCX content each PDF was converted from."""

    def __init__(self, out_dir: Path, converter: str) -> None:
        self.path = out_dir / KEYS_FILE
        self.converter = converter
        try:
            known = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        self.known: dict = known if isinstance(known, dict) else {}
        self.keys: dict[str, str] = {}

    def stale(self, docx_files: Sequence[Path]) -> list[Path]:
        """The DOCX files whose PDF must be made again (all the others are reused as they are)."""
        stale = []
        for docx in docx_files:
            key = self.keys[docx.name] = docx_key(docx, self.converter)
            before = self.known.get(docx.name)
            pdf = docx.with_suffix(".pdf")
            if (
                not isinstance(before, dict)
                or before.get("docx") != key
                or before.get("pdf") != _file_sha256(pdf)
            ):
                stale.append(docx)
        return stale

    def remember(self, docx_files: Sequence[Path]) -> None:
        """Record the PDFs now beside ``docx_files`` (after a successful conversion)."""
        record = {
            docx.name: {"docx": self.keys[docx.name], "pdf": _file_sha256(docx.with_suffix(".pdf"))}
            for docx in docx_files
        }
        write_private(self.path, json.dumps(record, indent=1).encode("utf-8"))
