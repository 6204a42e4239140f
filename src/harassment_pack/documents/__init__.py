"""The document registry: which documents exist, in what order, and when each applies.

Each document is a template plus a context builder, an applies-when check (returning the reason
it does not apply, or None) and a title. Adding a document is one module with ``build`` and
``applies`` and one line in ``DOCUMENTS``; its position is its place in the pack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..law.offences import course_of_conduct
from . import (
    chronology,
    claim_form,
    confidential_schedule,
    court_letter,
    evidence_schedule,
    fl401,
    injunction,
    next_steps,
    ofcom_report,
    psd_complaint,
    solicitor_notes,
    supporting_statements,
    witness_statement,
)
from .common import CaseView


@dataclass(frozen=True)
class Document:
    name: str
    title: str
    build: Callable[[CaseView], dict[str, Any]]
    applies: Callable[[CaseView], str | None]
    for_court: bool = False
    """Filed at court and served on the other side, so it goes in the court bundle too. Letters
    to the police or Ofcom and the next-steps sheet hold private contact details and advice."""
    needs_course_of_conduct: bool = False
    """A harassment claim document: not prepared before there is conduct on two occasions,
    unless asked for by name (--only)."""
    to_court: bool = False
    """Goes to the court but is not served (the covering letter, the confidential schedule)."""

    @property
    def template(self) -> str:
        return f"{self.name}.docx"

    def context(self, view: CaseView) -> dict[str, Any]:
        """The shared context plus this document's own, with a footer title by default.

        For filing (``build --for-filing``) a court document loses its DRAFT banner and footer
        notice; everything else (letters, next steps) stays marked as a draft.
        """
        own = self.build(view)
        if self.for_court or self.to_court:
            view.court_drafts[self.name] = (self.title, own)
        context = {**view.base, "short_title": self.title, **own}
        if view.for_filing and self.for_court:
            context.update(draft_notice="", disclaimer="")
        context["pdf_title"] = f"{self.title} \u2013 {view.case.applicant.full_name}"
        return context


DOCUMENTS: list[Document] = [
    Document("chronology", chronology.TITLE, chronology.build, chronology.applies, True),
    Document("witness_statement", witness_statement.TITLE, witness_statement.build,
             witness_statement.applies, True, True),
    Document("supporting_statements", supporting_statements.TITLE, supporting_statements.build,
             supporting_statements.applies, True),
    Document("fl401_application", fl401.TITLE, fl401.build, fl401.applies, True,
             True),
    Document("injunction_application", injunction.APPLICATION_TITLE,
             injunction.build_application, injunction.applies, True, True),
    Document("draft_order", injunction.ORDER_TITLE, injunction.build_order, injunction.applies,
             True, True),
    Document("confidential_schedule", confidential_schedule.TITLE, confidential_schedule.build,
             confidential_schedule.applies, to_court=True),
    Document("claim_form", claim_form.TITLE, claim_form.build, claim_form.applies, True,
             True),
    Document("court_letter", court_letter.TITLE, court_letter.build, court_letter.applies,
             to_court=True),
    Document("solicitor_notes", solicitor_notes.TITLE, solicitor_notes.build,
             solicitor_notes.applies, False, True),
    Document("ofcom_report", ofcom_report.TITLE, ofcom_report.build, ofcom_report.applies),
    Document("psd_complaint", psd_complaint.TITLE, psd_complaint.build, psd_complaint.applies),
    Document("evidence_schedule", evidence_schedule.TITLE, evidence_schedule.build,
             evidence_schedule.applies, True),
    Document("next_steps", next_steps.TITLE, next_steps.build, next_steps.applies),
]  # fmt: skip

BY_NAME = {document.name: document for document in DOCUMENTS}


def select(names: Iterable[str] | None) -> list[Document]:
    """The documents asked for with --only (all by default), in pack order."""
    if not names:
        return list(DOCUMENTS)
    wanted = list(names)
    unknown = [name for name in wanted if name not in BY_NAME]
    if unknown:
        raise UserError(
            f"--only {unknown[0]}: there is no document called that (choose from: "
            f"{', '.join(BY_NAME)})"
        )
    return [document for document in DOCUMENTS if document.name in wanted]


NO_COURSE_OF_CONDUCT = (
    "a harassment claim needs conduct on at least two occasions involving the same person, "
    "and your case file does not show that yet"
)
ASK_BY_NAME = " (to prepare it anyway, name it with --only)"
"""Said only to a build started in a terminal: the web pages have no --only to give."""


def plan(
    view: CaseView, documents: list[Document], *, asked: bool = False
) -> list[tuple[Document, str | None]]:
    """Each document with the reason it does not apply (None when it does).

    ``asked`` means the documents were named with --only: a court document is then prepared
    even before there is a course of conduct, because the person (or their solicitor) chose it.
    The view learns the outcome too, so the next-steps sheet can say what was prepared and why
    the rest was not.
    """
    gated = not asked and not course_of_conduct(view.case, view.law)

    def reason(document: Document) -> str | None:
        why = document.applies(view)
        if why is None and gated and document.needs_course_of_conduct:
            return NO_COURSE_OF_CONDUCT + (ASK_BY_NAME if view.parts is None else "")
        return why

    outcome = [(document, reason(document)) for document in documents]
    view.applicable = {d.name: d.title for d, reason in outcome if reason is None}
    view.skipped = [(d.title, reason) for d, reason in outcome if reason is not None]
    return outcome


@dataclass
class Templates:
    """Which template file each document is rendered from.

    A firm's ``--templates DIR`` need only hold the documents it restyles: any other document
    falls back to the default template, and ``from_firm`` says which ones came from DIR.
    """

    defaults: Path
    firm: Path | None = None

    def __post_init__(self) -> None:
        if self.firm is not None and not self.firm.is_dir():
            raise UserError(
                f"--templates {self.firm}: no such folder (give the folder that holds your .docx "
                "templates, or build without --templates to use the defaults)"
            )

    def path(self, document: Document) -> Path:
        if self.firm is not None and (self.firm / document.template).is_file():
            return self.firm / document.template
        path = self.defaults / document.template
        if not path.is_file():
            raise UserError(f"{path}: default template missing (reinstall harassment-pack)")
        return path

    def from_firm(self, documents: Iterable[Document]) -> list[str]:
        """The template files of ``documents`` taken from the firm's folder, in pack order."""
        return [d.template for d in documents if self.path(d).parent == self.firm]

    def unused(self) -> list[str]:
        """.docx files in the firm's folder that no document is called (a misspelt name)."""
        if self.firm is None:
            return []
        known = {d.template for d in DOCUMENTS}
        return sorted(p.name for p in self.firm.glob("*.docx") if p.name not in known)
