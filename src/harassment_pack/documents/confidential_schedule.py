"""Confidential schedule: what the court needs but the person served must never see.

The applicant's address, an exclusion-zone address he does not know, safe contact details,
workplace, children's school, routines and anything else marked private. It goes into the
applicant's own pack (to hand to the court) and never into ``court-bundle.pdf``; the served
documents say "address provided to the court separately" and the served order refers to "the
address in the confidential schedule". ``served.py`` checks that none of it leaks.
"""

from __future__ import annotations

from typing import Any

from ..render import paragraphs
from .common import CaseView

TITLE = "Confidential schedule (for the court only: not to be served)"
REFERENCE = "the address in the confidential schedule"
"""How served documents (the draft order's exclusion zone) refer to an address kept here."""


def _rows(view: CaseView) -> list[dict[str, Any]]:
    """Each detail kept from him, named with the parties as the court's papers name them
    (Claimant and Defendant in the County Court; Applicant and Respondent in the family court)."""
    applicant = view.case.applicant
    injunction = view.case.injunction
    parties = view.base["parties"]
    me, him = parties["applicant"], parties["respondent"]
    rows: list[dict[str, Any]] = []

    def row(what: str, lines: list[str]) -> None:
        lines = [line for line in lines if line]
        if lines:
            rows.append({"what": what, "lines": lines})

    if applicant.keep_address_confidential:
        row(f"The {me}'s address", [*paragraphs(applicant.address), applicant.postcode or ""])
    if injunction and injunction.exclusion_address and not injunction.exclusion_address_known:
        row("The address of the exclusion zone in the draft order (\u201c" + REFERENCE + "\u201d)",
            paragraphs(injunction.exclusion_address))  # fmt: skip
    row(
        f"How to contact the {me} safely",
        [
            f"Email: {applicant.email}" if applicant.email else "",
            f"Phone: {applicant.phone}" if applicant.phone else "",
            applicant.safe_contact or "",
            "" if applicant.voicemail_safe else "Please do not leave voicemails.",
        ]
        if applicant.email or applicant.phone or applicant.safe_contact
        else [],
    )
    row(f"Where the {me} works", paragraphs(applicant.workplace))
    row(f"The school or nursery of the {me}'s children", paragraphs(applicant.children_school))
    row(
        f"The {me}'s routines and the steps taken for the {me}'s safety",
        paragraphs(applicant.routines),
    )
    row(
        f"Other details the {him} must not learn",
        [f"\u2022 {d}" for d in applicant.private_details],
    )
    return rows


def applies(view: CaseView) -> str | None:
    if view.case.jurisdiction != "england_wales":
        return "the confidential schedule goes with a court application in England and Wales"
    rows = _rows(view)
    contact = f"How to contact the {view.base['parties']['applicant']} safely"
    if not any(r["what"] != contact for r in rows):
        return "nothing in the case is marked to be kept from the person harassing you"
    return None


def build(view: CaseView) -> dict[str, Any]:
    return {"short_title": "Confidential schedule", "rows": _rows(view)}
