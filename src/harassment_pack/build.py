"""Build a case's documents and pack: case file → DOCX → PDF (one LibreOffice run) → pack.pdf.

This is the library call behind ``harassment-pack build``. A failed build leaves no pack.pdf
behind, so a person never mistakes half a bundle for a complete one.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib
import mimetypes
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .case import load_case, save_case
from .convert import (
    PROFILES_DIRNAME,
    READER_THREAD,
    Conversion,
    Progress,
    clear_stale_files,
    find_soffice,
)
from .dates import uk_date
from .documents import BY_NAME, Document, Templates, plan, select
from .documents.common import CaseView
from .errors import UserError
from .evidence import AcceptChanged, check_registered_files, fingerprint_text
from .files import make_private_dir
from .law import load_data, load_law
from .law.routes import court_papers, load_routes, plan_routes, route_title
from .render import render_docx
from .reuse import PdfReuse, context_key, converter_identity, served_check_key
from .served import (
    Hit,
    Protected,
    SafetyWords,
    ServedExhibitText,
    ServedLeakError,
    allowed,
    check_bundle,
    document_hits,
    protected_details,
    safety_words,
)
from .shipped import shipped_dir
from .warm import hold as hold_warm

if TYPE_CHECKING:  # the pack's libraries (pypdf, reportlab) load while LibreOffice converts
    from .pack import PackExhibit, PackResult, PreparedExhibit

COURT_BUNDLE_ORDER = (
    "fl401_application",
    "injunction_application",
    "draft_order",
    "claim_form",
    "witness_statement",
    "supporting_statements",
)
"""What a judge reads first: the application and the order sought, the claim, then evidence."""
COURT_BUNDLE_CLOSING = ("chronology", "evidence_schedule")
"""After the exhibits: the chronology and the schedule that index them."""

SPLITTABLE = ("chronology",)
"""Documents LibreOffice may convert in parts when they are big (``split.py``): cut at their
month headings, with nothing that runs from one month into the next. Only with the default
template, whose layout the cutting knows."""

APPLICATIONS = ("fl401_application", "injunction_application")
"""A court bundle is made when one of these is prepared."""

PACK_NAME = "pack.pdf"
COURT_BUNDLE_NAME = "court-bundle.pdf"

UNCHECKED = ".{}.unchecked.tmp"
"""A bundle is written under this name (a temporary file's, tidied by the next build) and takes
its own name only after the court bundle passed the served check."""
SIDE_BY_SIDE_INCIDENTS = 300
"""Documents of a case with at most this many incidents are rendered by two processes at once
(a bigger case's contexts are big, and a second copy of them would cost more than it saves)."""
PARALLEL_BYTES = 16 * 1024 * 1024
"""Bundles whose documents and exhibits are smaller than this are assembled side by side, in a
forked copy of the build; a bigger build assembles them in turn, so that two copies of its
memory never exist at once."""

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
    safety_words: list[SafetyWords] = field(default_factory=list)
    """Served answers with words that may tell him how she keeps safe: warned of, not stopped."""


def default_templates_dir() -> Path:
    """The templates folder shipped with harassment-pack (source checkout or installed copy)."""
    found = shipped_dir("templates")
    if found is not None:
        return found
    raise UserError(
        "the default templates folder was not found; pass --templates DIR pointing to a folder "
        "of .docx templates"
    )


def _exhibits(view: CaseView, case_dir: Path, hashes: dict[str, str]) -> list[PackExhibit]:
    from .pack import PackExhibit

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
                sha256=hashes[item.id],
                fingerprint=fingerprint_text(item, hashes[item.id]),
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


def _check_served(
    court: PackResult,
    served: list[PreparedExhibit],
    docx_hits: list[Hit],
    protected: list[Protected],
    case_dir: Path,
) -> None:
    """Read the court bundle back and stop if it discloses anything private (nothing is left)."""
    parts = [(e.title, e.page) for e in court.entries if e.title != "Exhibits"]
    parts += [
        (f"Exhibit {p.exhibit.label}", child.page)
        for entry in court.entries
        if entry.title == "Exhibits"
        for p, child in zip(served, entry.children, strict=True)
    ]
    hits = check_bundle(
        court.path,
        parts=sorted(parts, key=lambda part: part[1]),
        document_hits=docx_hits,
        exhibit_texts=[ServedExhibitText(p.exhibit.label, p.ocr) for p in served],
        items=protected,
        case_ref=str(case_dir),
    )
    if hits:
        court.path.unlink(missing_ok=True)
        raise ServedLeakError(court.path.parent / COURT_BUNDLE_NAME, hits)


def _docx_hits(
    documents: Sequence[Document], out_dir: Path, protected: list[Protected], reuse: PdfReuse
) -> list[Hit]:
    """The served check of each served document's DOCX text; a DOCX whose content passed it
    for the same private details in an earlier build (``PdfReuse.checked``) is not read again."""
    check = served_check_key(protected)
    hits = []
    for document in documents:
        docx = out_dir / document.template
        if reuse.checked(docx, check):
            continue
        found = document_hits([(document.title, docx)], protected)
        if not found:
            reuse.passed(docx, check)
        hits.extend(found)
    return hits


class _Forked:
    """``work()`` run in a forked copy of this process, its result read back through a pipe.

    Why: assembling a bundle is pure Python (pypdf), so a thread would wait for the other
    bundle's GIL; a fork assembles the two bundles on two cores. The copy dies with the build
    (``PR_SET_PDEATHSIG``), writes nothing but its own file and its answer, and leaves through
    ``os._exit``, so the build's clean-up runs once, in the build.
    """

    def __init__(self, work: Callable[[], object]) -> None:
        parent = os.getpid()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the forked copy; its result is checked by the parent)
            status = 1
            try:
                os.close(read)
                with contextlib.suppress(OSError, AttributeError):
                    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
                if os.getppid() == parent:
                    try:
                        answer: tuple[str, object] = ("done", work())
                        status = 0
                    except Exception as exc:  # handed to the build, which raises it
                        answer = ("error", exc)
                    try:
                        data = pickle.dumps(answer)
                        pickle.loads(data)  # an error whose class cannot be rebuilt is sent as text
                    except Exception:
                        data = pickle.dumps(("error", RuntimeError(repr(answer[1]))))
                    with os.fdopen(write, "wb") as handle:
                        handle.write(data)
            finally:
                os._exit(status)
        os.close(write)
        self.pid = pid
        self._read = read

    def result(self) -> object:
        """Wait for the copy; return what ``work()`` returned or raise what it raised."""
        with os.fdopen(self._read, "rb") as handle:
            data = handle.read()
        os.waitpid(self.pid, 0)
        self.pid = 0
        if not data:
            raise UserError(
                "the build's second process stopped before it finished (perhaps stopped by the "
                "system for lack of memory); run the build again"
            )
        kind, value = pickle.loads(data)
        if kind == "error":
            raise value
        return value

    def stop(self) -> None:
        """Stop the copy if it is still working (the build failed or was interrupted)."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            with contextlib.suppress(OSError):
                os.close(self._read)
            self.pid = 0


Render = tuple[Path, Mapping[str, Any], Path]
"""A template, its context and the DOCX it is rendered into."""


def _render_in_turn(renders: Sequence[tuple[int, Render]]) -> tuple[int, Exception] | None:
    """Render each in order; the first failure (its place in the build's order and its error)
    stops the rest."""
    for index, (template, context, out) in renders:
        try:
            render_docx(template, context, out)
        except Exception as exc:  # a firm template's mistake: reported as the build would
            return index, exc
    return None


def _render_all(renders: Sequence[Render], *, side_by_side: bool) -> None:
    """Render every document; with four or more on two cores, half of them in a forked copy.

    Rendering is pure Python (Jinja, lxml, zip), so a thread would wait for the GIL; the fork
    renders while this process renders the other half, and LibreOffice starts sooner. Every
    document is written by one process only; a failure is reported for the first document in
    the build's order, as when they are rendered in turn.
    """
    numbered = list(enumerate(renders))
    forked = None
    if len(renders) >= 4 and side_by_side and _side_by_side(()):
        forked = _Forked(functools.partial(_render_in_turn, numbered[1::2]))
        numbered = numbered[0::2]
    try:
        failures = [_render_in_turn(numbered)]
        if forked:
            failures.append(forked.result())  # type: ignore[arg-type]
    finally:
        if forked:
            forked.stop()
    found = sorted((f for f in failures if f is not None), key=lambda failure: failure[0])
    if found:
        raise found[0][1]


def _small(inputs: Iterable[Path]) -> bool:
    """Whether these documents and exhibits are small enough (``PARALLEL_BYTES``) that two
    pieces of work may hold their memory at once."""
    total = 0
    for path in inputs:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total < PARALLEL_BYTES


def _side_by_side(inputs: Iterable[Path]) -> bool:
    """Whether two pieces of work can run at once in a fork: two cores, no other thread but
    those reading a lingering soffice's output, and inputs ``_small`` enough that a second copy
    of the build costs little memory."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return False
    others = [
        thread
        for thread in threading.enumerate()
        if thread is not threading.current_thread() and thread.name != READER_THREAD
    ]  # a thread holding a lock when the fork is made would leave it held in the copy
    if cores < 2 or others or not hasattr(os, "fork"):
        return False
    return _small(inputs)


def _lingering(build: Callable[..., BuildResult]) -> Callable[..., BuildResult]:
    """Give ``build`` an ExitStack (``lingering=``) closed when it returns or fails, on which
    the conversion leaves soffice to quit while the bundles are assembled."""

    @functools.wraps(build)
    def run(*args: Any, **kwargs: Any) -> BuildResult:
        with contextlib.ExitStack() as lingering:
            return build(*args, lingering=lingering, **kwargs)

    return run


CHANGED_ON_THE_WEB = (
    "put the original file back in the case's evidence folder, or take this exhibit out of "
    'your documents and add the file again, under "Add screenshots and files" on your case\'s '
    "page"
)
"""What to do about a changed evidence file, said to a build started on the web pages (which
have no --accept-changed to give)."""


@_lingering
def build_case(
    case_dir: Path,
    out_dir: Path | None = None,
    *,
    only: Iterable[str] | None = None,
    templates_dir: Path | None = None,
    include_sensitive: bool = False,
    for_filing: bool = False,
    today: date | None = None,
    timeout: float | None = None,
    notify: Notify | None = None,
    progress: Progress | None = None,
    allow_disclosure: Sequence[str] = (),
    accept_changed: AcceptChanged | None = None,
    parts: Mapping[str, str] | None = None,
    lingering: contextlib.ExitStack | None = None,
) -> BuildResult:
    """Render every applicable document, convert them in one LibreOffice run, assemble the pack.

    ``timeout`` limits the LibreOffice run in seconds (default: ``HARASSMENT_PACK_TIMEOUT``, else
    300).

    The court bundle is checked for private details before the pack is written
    (``served.check_bundle``); a hit raises ``ServedLeakError`` and leaves neither PDF behind.

    ``parts`` says the build was started from the private web pages (the title of each part of
    the questions there, by section): the pack's cover and next steps then name the part of the
    case's page to answer, never a terminal command its reader cannot type.
    """
    case_dir = Path(case_dir)
    out_dir = Path(out_dir) if out_dir else case_dir / "out"
    say = notify or (lambda _message: None)
    case = load_case(case_dir)
    # LibreOffice starts now, while the documents are rendered, unless one is kept warm.
    warm = (
        lingering.enter_context(hold_warm(case_dir / PROFILES_DIRNAME, find_soffice()))
        if lingering is not None
        else None
    )
    protected = allowed(protected_details(case), allow_disclosure)
    registered = [item.sha256 for item in case.evidence]
    hashes = check_registered_files(
        case, case_dir, accept_changed, remedy=None if parts is None else CHANGED_ON_THE_WEB
    )
    if registered != [item.sha256 for item in case.evidence]:
        save_case(case, case_dir)
        say("The changed evidence files are registered as they are now (see case.yaml).")
    templates = Templates(default_templates_dir(), Path(templates_dir) if templates_dir else None)
    documents = select(only)
    count = len(case.incidents)
    say(f"Building the documents for {case_dir} ({count} incident{'' if count == 1 else 's'}) …")
    view = CaseView(
        case,
        load_law(),
        today or date.today(),
        for_filing=for_filing,
        folder=case_dir.resolve().name,
        parts=parts,
    )
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
        how = (
            f"with 'harassment-pack interview {case_dir}'"
            if parts is None
            else f'in the part "{parts.get("incidents", "incidents")}" of your case\'s page'
        )
        raise UserError(f"{case_dir}: no document applies to this case yet (add incidents {how})")

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
    clear_stale_files(out_dir)  # bundles a killed build left unchecked
    reuse = PdfReuse(out_dir, converter_identity(find_soffice()))
    docx_files, renders = [], []
    for document in chosen:
        out = out_dir / document.template
        context = document.context(view)
        template = templates.path(document)
        docx_files.append(out)
        if not reuse.unchanged(out, context_key(template, context, reuse.converter)):
            renders.append((template, context, out))
    _render_all(renders, side_by_side=len(case.incidents) <= SIDE_BY_SIDE_INCIDENTS)
    stale = reuse.stale([out for _template, _context, out in renders])
    del renders, context  # a big case's contexts are tens of MB, of no use from here on
    if len(stale) < len(docx_files):
        say(f"Reusing the PDFs of {len(docx_files) - len(stale)} unchanged document(s).")
    from .ocr import OcrGate

    small = lingering is not None and _small(case_dir / item.file for item in case.evidence)
    gate = OcrGate(converting=bool(stale), small=small)

    def converted(done: int, total: int, name: str) -> None:
        if progress:
            progress(done, total, name)
        if small and done == total:
            gate.widen()  # a small case's pictures are read while soffice quits, on every core

    with Conversion(
        stale,
        out_dir,
        timeout=timeout,
        progress=converted,
        profiles=case_dir / PROFILES_DIRNAME,
        splittable=[
            out_dir / d.template
            for d in chosen
            if d.name in SPLITTABLE and d.template not in firm_templates
        ],
        linger=small,
        warm=warm,
    ) as conversion:
        # While LibreOffice converts: the pack's libraries load (in a thread of their own, so
        # that Ctrl-C, which lands in this thread, never stops an import half-way), the served
        # documents' text is checked, and tesseract reads the screenshots in other threads.
        loading = threading.Thread(
            target=importlib.import_module, args=(f"{__package__}.pack",), daemon=True
        )
        loading.start()
        court_bundle = any(d.name in APPLICATIONS for d in chosen)
        court = {d.name: d for d in chosen if d.for_court} if court_bundle else {}
        served_docs = [court[name] for name in COURT_BUNDLE_ORDER if name in court]
        closing_docs = [court[name] for name in COURT_BUNDLE_CLOSING if name in court]
        docx_hits = _docx_hits(served_docs + closing_docs, out_dir, protected, reuse)
        from .pack import OCR_CACHE_DIRNAME, ExhibitPages, PackDocument, PackResult, assemble

        exhibits = _exhibits(view, case_dir, hashes)
        # The served copies of pictures with redaction boxes are drawn (and read) on their own.
        boxes = {
            view.labels[item.id]: tuple((r.left, r.top, r.width, r.height) for r in item.redactions)
            for item in case.evidence
            if item.redactions and court_bundle
        }
        redacted = [replace(e, redactions=boxes[e.label]) for e in exhibits if e.label in boxes]
        ocr_cache = case_dir / OCR_CACHE_DIRNAME
        with (
            ExhibitPages(
                exhibits, include_sensitive=include_sensitive, ocr_cache=ocr_cache, gate=gate
            ) as pages,
            ExhibitPages(
                redacted, include_sensitive=include_sensitive, ocr_cache=ocr_cache, gate=gate
            ) as again,
        ):
            # Exhibit pages are drawn once LibreOffice has finished, so that the two never
            # hold their memory at the same time; a small case's (``linger``) while it converts.
            if not conversion.linger:
                conversion.wait()
                gate.widen()
            prepared = pages.prepare()
            by_label = {p.exhibit.label: p for p in again.prepare()}
            served = [by_label.get(p.exhibit.label, p) for p in prepared]
            if conversion.linger:
                conversion.wait()
    if lingering is not None:
        lingering.enter_context(conversion.lingering)  # soffice quits while the bundles are made
    reuse.remember(docx_files)
    loading.join()
    pdfs = [docx.with_suffix(".pdf") for docx in docx_files]

    applicant = case.applicant.full_name
    base = view.base
    title = f"{applicant} v {base['respondent']['name']}"
    # Served copies carry labels, sizes and hashes only: a file name can say too much.
    served_manifest = {
        "case": title,
        "generated_by": "harassment-pack",
        "exhibits": [
            {"label": e.label, "sha256": e.sha256, "size": e.file.stat().st_size} for e in exhibits
        ],
    }
    manifest = {
        **served_manifest,
        "exhibits": [
            {**entry, "file": item.file, "sensitive": item.sensitive}
            for entry, item in zip(served_manifest["exhibits"], case.evidence, strict=True)
        ],
    }

    pdfs_by_name = {d.name: pdf for d, pdf in zip(chosen, pdfs, strict=True)}
    joined = conversion.joined  # the chronology joined from parts: the first bundle takes it

    def document(d: Document) -> PackDocument:
        pdf = pdfs_by_name[d.name]
        return PackDocument(d.title, pdf, uk_date(view.today), joined.pop(pdf, None))

    def bundle(
        path: Path,
        bundle_title: str,
        subtitle: list[str],
        docs: list[Document],
        shown: list[PreparedExhibit],
        listed: dict,
        closing: list[Document] | None = None,
        notice: str = base["disclaimer"],
        about: Sequence[str] = (),
    ) -> PackResult:
        """One PDF of ``docs``, the exhibits, then ``closing`` (exhibits drawn once, shared)."""
        return assemble(
            path,
            title=bundle_title,
            subtitle=subtitle,
            about=about,
            notice=notice,
            author=applicant,
            documents=[document(d) for d in docs],
            exhibits=shown,
            manifest=listed,
            closing=[document(d) for d in closing or []],
        )

    own_copy = (
        f"Your own copy: it also holds your letters and next steps. For the court, use "
        f"{COURT_BUNDLE_NAME}."
        if court_bundle
        else ""
    )
    first = plan_routes(case).first
    papers = court_papers(case, view.folder, view.parts)
    # The court papers' paragraphs name the best court route; the best route is said apart
    # only when it is another (the police's, for someone who would rather the police acted),
    # or when no court papers are drafted yet (those paragraphs name no best route).
    best = (
        [load_routes()["court_papers"]["cover"]["best_route"].format(route=route_title(first))]
        if first and (papers is None or not papers.drafted or first.id != papers.best)
        else []
    )

    def own_pack() -> PackResult:
        return bundle(
            out_dir / UNCHECKED.format(PACK_NAME),
            f"Bundle: {title}",
            [f"Harassment: documents prepared for {applicant}", f"Prepared {base['today']}"],
            chosen,
            prepared,
            manifest,
            about=[*best, *(papers.cover if papers else ()), *([own_copy] if own_copy else [])],
        )

    # The court bundle is assembled and checked here while a forked copy assembles the pack;
    # each is written under a temporary name and renamed only once the check has passed.
    inputs = [*pdfs, *(e.file for e in exhibits)]
    forked = _Forked(own_pack) if court_bundle and _side_by_side(inputs) else None
    court_result = None
    try:
        if court_bundle:
            court_result = bundle(
                out_dir / UNCHECKED.format(COURT_BUNDLE_NAME),
                f"Court bundle: {title}",
                [
                    base["court"],
                    f"{base['parties']['number']} {base['claim_number']}",
                    f"Prepared {base['today']}",
                ],
                served_docs,
                served,
                served_manifest,
                closing_docs,
                notice="" if for_filing else base["disclaimer"],
            )
            _check_served(court_result, served, docx_hits, protected, case_dir)
        result = forked.result() if forked else own_pack()
    except BaseException:
        if forked:
            forked.stop()
        (out_dir / UNCHECKED.format(PACK_NAME)).unlink(missing_ok=True)
        (out_dir / UNCHECKED.format(COURT_BUNDLE_NAME)).unlink(missing_ok=True)
        raise
    assert isinstance(result, PackResult)
    if court_result is not None:
        os.replace(court_result.path, court_path)
        court_result = replace(court_result, path=court_path)
    os.replace(result.path, pack_path)
    result = replace(result, path=pack_path)
    served_titles = {load_data("served_words")["documents"].get(d.name) for d in served_docs}
    return BuildResult(
        out_dir,
        result,
        chosen,
        skipped,
        court_bundle=court_result,
        firm_templates=firm_templates,
        safety_words=[w for w in safety_words(case) if w.document in served_titles],
    )


def check_served(
    case_dir: Path, *, allow_disclosure: Sequence[str] = (), notify: Notify | None = None
) -> tuple[int | None, list[SafetyWords]]:
    """``harassment-pack check-served``: the served-documents check without keeping any output.

    Builds in a private temporary folder (the check reads the real bundle, not a guess at it)
    and returns the court bundle's page count, None when the case has no court bundle, and the
    served answers with words about her safety (warnings); a hit raises ``ServedLeakError``.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="harassment-pack-served-") as folder:
        result = build_case(
            case_dir, Path(folder) / "out", allow_disclosure=allow_disclosure, notify=notify
        )
        pages = result.court_bundle.page_count if result.court_bundle else None
        return pages, result.safety_words
