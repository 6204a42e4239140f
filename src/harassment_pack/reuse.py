"""Reusing a document's DOCX and PDF when nothing that made them has changed.

Why: LibreOffice takes most of a build's time, and after one incident is changed several
documents come out exactly as before. Two keys, kept beside the PDFs in the output folder:

* the *context* key: the template's bytes, everything filled into it (the document's context,
  which is plain data: text, numbers, dates, lists) and the renderer's code and versions. When it
  matches and the DOCX and PDF are still the files written then, the document is neither rendered
  nor converted again. A context holding anything else gets no key, and is always rendered.
* the *content* key: the rendered DOCX (compared inside the zip, so that the zip's own
  timestamps do not count). A document rendered again to the same content keeps its PDF.

Both include which LibreOffice converts, so a new LibreOffice converts everything again.

The record also says which served DOCX passed the served-documents check, for which details
(``served_check_key``): a rebuild reads again only the served documents whose content changed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

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


class _NotPlain(TypeError):
    """A context value whose text form might not show every change (no key, render instead)."""


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple):
        return list(value)
    raise _NotPlain(type(value).__name__)


@functools.cache
def _renderer() -> bytes:
    """The code and library versions that turn a context into a DOCX."""
    import docx
    import docxtpl
    import jinja2

    from . import render

    versions = [getattr(module, "__version__", "") for module in (docxtpl, jinja2, docx)]
    source = Path(render.__file__).read_bytes()
    return hashlib.sha256(json.dumps(versions).encode() + source).digest()


def context_key(template: Path, context: Mapping[str, Any], converter: str) -> str | None:
    """The template, its context, the renderer and the converter as one SHA-256; None when the
    context holds something other than plain data."""
    try:
        data = json.dumps(
            context, default=_plain, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
    except (_NotPlain, TypeError, ValueError):
        return None
    digest = hashlib.sha256(converter.encode("utf-8"))
    digest.update(_renderer())
    digest.update(hashlib.sha256(Path(template).read_bytes()).digest())
    digest.update(data.encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@functools.cache
def _checker() -> bytes:
    """The code and library that read a served DOCX for private details."""
    import docx

    from . import served

    source = Path(served.__file__).read_bytes()
    return hashlib.sha256(getattr(docx, "__version__", "").encode() + b"\0" + source).digest()


def served_check_key(items: Sequence[object]) -> str:
    """The private details searched for (every field of each) and the checking code, as one
    SHA-256: a served DOCX that passed the check for this key passes it again while its content
    is the same."""
    digest = hashlib.sha256(_checker())
    digest.update(repr(list(items)).encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()


class PdfReuse:
    """The output folder's record of what each DOCX and PDF was made from."""

    def __init__(self, out_dir: Path, converter: str) -> None:
        self.path = out_dir / KEYS_FILE
        self.converter = converter
        try:
            known = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        self.known: dict = known if isinstance(known, dict) else {}
        self.keys: dict[str, str] = {}
        self.contexts: dict[str, str | None] = {}
        self.served: dict[str, str] = {}

    def unchanged(self, docx: Path, key: str | None) -> bool:
        """Whether ``docx`` and its PDF were made from the context with this ``key`` and are
        still the files written then (so neither is made again)."""
        self.contexts[docx.name] = key
        before = self.known.get(docx.name)
        if (
            key is None
            or not isinstance(before, dict)
            or before.get("context") != key
            or not isinstance(before.get("docx"), str)
            or before.get("file") != _file_sha256(docx)
            or before.get("pdf") != _file_sha256(docx.with_suffix(".pdf"))
        ):
            return False
        self.keys[docx.name] = before["docx"]
        return True

    def stale(self, docx_files: Sequence[Path]) -> list[Path]:
        """The rendered DOCX files whose PDF must be made again (the others are reused)."""
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

    def _served(self, docx: Path, check: str) -> str:
        return hashlib.sha256(f"{check} {self.keys[docx.name]}".encode("ascii")).hexdigest()

    def checked(self, docx: Path, check: str) -> bool:
        """Whether ``docx`` (rendered or reused by this build) passed the served check for
        ``check`` (``served_check_key``) with the content it has now."""
        before = self.known.get(docx.name)
        return isinstance(before, dict) and before.get("served") == self._served(docx, check)

    def passed(self, docx: Path, check: str) -> None:
        """Record that ``docx`` passed the served check for ``check`` (no private detail)."""
        self.served[docx.name] = self._served(docx, check)

    def remember(self, docx_files: Sequence[Path]) -> None:
        """Record the DOCX and PDF files now in the output folder (after a successful build)."""
        record = {
            docx.name: {
                "context": self.contexts.get(docx.name),
                "docx": self.keys[docx.name],
                "file": _file_sha256(docx),
                "pdf": _file_sha256(docx.with_suffix(".pdf")),
                "served": self.served.get(docx.name),
            }
            for docx in docx_files
        }
        write_private(self.path, json.dumps(record, indent=1).encode("utf-8"))
