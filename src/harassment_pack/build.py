"""Build a case's documents and pack: case file → DOCX → PDF (one LibreOffice run) → pack.pdf.

This is the library call behind ``harassment-pack build``. A failed build leaves no pack.pdf
behind, so a person never mistakes half a bundle for a complete one.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .case import Case, load_case
from .convert import Progress, convert_to_pdf, find_soffice
from .dates import uk_date
from .documents import BY_NAME, Document, Templates, plan, select
from .documents.common import CaseView
from .errors import UserError
from .files import make_private_dir
from .law import load_law
from .law.routes import plan_routes, route_title
from .pack import (
    OCR_CACHE_DIRNAME,
    ExhibitPages,
    PackDocument,
    PackExhibit,
    PackResult,
    assemble,
)
from .render import render_docx
from .reuse import PdfReuse, converter_identity
from .shipped import shipped_dir

PACK_NAME = "pack.pdf"
COURT_BUNDLE_NAME = "court-bundle.pdf"

Notify = Callable[[str], None]


@dataclass
class BuildResult:
    out_dir: Path
    pack: PackResult | None
    documents: list[Document] = field(default_factory=list)
    skipped: list[tuple[Document, str]] = field(default_factory=list)
    court_bundle: PackResult | None = None
    """Only the court documents and exhibits, made when a court application is prepared."""
    firm_templates: list[str] = field(default_factory=list)
    """Template files taken from ``--templates DIR``; every other document used the default."""


def default_templates_dir() -> Path:
    """The templates folder shipped with harassment-pack (source checkout or installed copy)."""
    found = shipped_dir("templates")
    if found is not None:
        return found
    raise UserError(
        "the default templates folder was not found; pass --templates DIR pointing to a folder "
        "of .docx templates"
    )


def check_evidence_files(case: Case, case_dir: Path) -> None:
    """Every evidence file named in the case file must exist before anything is written."""
    for index, item in enumerate(case.evidence):
        path = case_dir / item.file
        if not path.is_file():
            raise UserError(
                f"{case_dir / 'case.yaml'}: evidence[{index}].file: {item.file} does not exist "
                f"(put the file in {case_dir / 'evidence'} or correct the path)"
            )


def _exhibits(view: CaseView, case_dir: Path) -> list[PackExhibit]:
    numbers = view.numbers
    exhibits = []
    for item in view.case.evidence:
        path = case_dir / item.file
        media_type = (
            item.media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        exhibits.append(
            PackExhibit(
                label=view.labels[item.id],
                description=item.description,
                captured=view.when_text(item.captured) if item.captured else "not recorded",
                date=uk_date(item.captured) if item.captured else "",
                incidents=", ".join(numbers[i.id] for i in view.incidents_citing(item)) or "\u2013",
                sha256=item.sha256 or "not recorded",
                file=path,
                media_type=media_type,
                sensitive=item.sensitive,
                intro=(
                    f"This is the exhibit marked \u201c{view.labels[item.id]}\u201d referred to "
                    f"in the witness statement of {view.case.applicant.full_name}."
                ),
                cited_lines=view.cited_lines(item),
            )
        )
    return exhibits


def build_case(
    case_dir: Path,
    out_dir: Path | None = None,
    *,
    only: Iterable[str] | None = None,
    templates_dir: Path | None = None,
    include_sensitive: bool = False,
    today: date | None = None,
    timeout: float | None = None,
    notify: Notify | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Render every applicable document, convert them in one LibreOffice run, assemble the pack.

    ``timeout`` limits the LibreOffice run in seconds (default: ``HARASSMENT_PACK_TIMEOUT``, else
    300).
    """
    case_dir = Path(case_dir)
    out_dir = Path(out_dir) if out_dir else case_dir / "out"
    say = notify or (lambda _message: None)
    case = load_case(case_dir)
    check_evidence_files(case, case_dir)
    templates = Templates(default_templates_dir(), Path(templates_dir) if templates_dir else None)
    documents = select(only)
    say(f"Building the documents for {case_dir} ({len(case.incidents)} incidents) …")
    view = CaseView(case, load_law(), today or date.today())
    chosen: list[Document] = []
    skipped: list[tuple[Document, str]] = []
    for document, reason in plan(view, documents, asked=only is not None):
        if reason is None:
            templates.path(document)
            chosen.append(document)
        else:
            skipped.append((document, reason))
            say(f"Skipping {document.title}: {reason}.")
    if not chosen:
        raise UserError(
            f"{case_dir}: no document applies to this case yet (add incidents with "
            f"'harassment-pack interview {case_dir}')"
        )

    firm_templates = templates.from_firm(chosen)
    if templates.firm is not None:
        names = ", ".join(firm_templates) or "none of them"
        say(f"Templates from {templates.firm}: {names}; the default templates for the rest.")
        for name in templates.unused():
            say(
                f"{templates.firm / name}: not used, no document is called that (the names are "
                f"{', '.join(d.template for d in BY_NAME.values())})"
            )

    make_private_dir(out_dir)
    pack_path = out_dir / PACK_NAME
    court_path = out_dir / COURT_BUNDLE_NAME
    pack_path.unlink(missing_ok=True)
    court_path.unlink(missing_ok=True)
    docx_files = []
    for document in chosen:
        out = out_dir / document.template
        render_docx(templates.path(document), document.context(view), out)
        docx_files.append(out)
    exhibits = _exhibits(view, case_dir)
    # Tesseract reads the screenshots in other threads while LibreOffice converts.
    with ExhibitPages(
        exhibits, include_sensitive=include_sensitive, ocr_cache=case_dir / OCR_CACHE_DIRNAME
    ) as pages:
        reuse = PdfReuse(out_dir, converter_identity(find_soffice()))
        stale = reuse.stale(docx_files)
        if len(stale) < len(docx_files):
            say(f"Reusing the PDFs of {len(docx_files) - len(stale)} unchanged document(s).")
        convert_to_pdf(stale, out_dir, timeout=timeout, progress=progress)
        reuse.remember(docx_files)
        pdfs = [docx.with_suffix(".pdf") for docx in docx_files]
        prepared = pages.prepare()

    applicant = case.applicant.full_name
    base = view.base
    title = f"{applicant} v {base['respondent']['name']}"
    manifest = {
        "case": title,
        "generated_by": "harassment-pack",
        "exhibits": [
            {
                "label": e.label,
                "file": item.file,
                "sha256": item.sha256,
                "size": item.size,
                "sensitive": item.sensitive,
            }
            for e, item in zip(exhibits, case.evidence, strict=True)
        ],
    }

    pdfs_by_name = {d.name: pdf for d, pdf in zip(chosen, pdfs, strict=True)}

    def bundle(
        path: Path, bundle_title: str, subtitle: list[str], docs: list[Document]
    ) -> PackResult:
        """One PDF of ``docs`` and all the exhibits, drawn once above and shared."""
        return assemble(
            path,
            title=bundle_title,
            subtitle=subtitle,
            notice=base["disclaimer"],
            author=applicant,
            documents=[
                PackDocument(d.title, pdfs_by_name[d.name], uk_date(view.today)) for d in docs
            ],
            exhibits=prepared,
            manifest=manifest,
        )

    court_bundle = any(d.name == "injunction_application" for d in chosen)
    court_result = None
    if court_bundle:
        court_result = bundle(
            court_path,
            f"Court bundle: {title}",
            [base["court"], f"Claim No. {base['claim_number']}", f"Prepared {base['today']}"],
            [d for d in chosen if d.for_court],
        )
    own_copy = (
        f"Your own copy: it also holds your letters and next steps. For the court, use "
        f"{COURT_BUNDLE_NAME}."
        if court_bundle
        else ""
    )
    first = plan_routes(case).first
    best = f"The route that fits best: {route_title(first)}" if first else ""
    result = bundle(
        pack_path,
        f"Bundle: {title}",
        [
            f"Harassment: documents prepared for {applicant}",
            best,
            own_copy,
            f"Prepared {base['today']}",
        ],
        chosen,
    )
    return BuildResult(
        out_dir, result, chosen, skipped, court_bundle=court_result, firm_templates=firm_templates
    )
