"""Non-molestation order route (Family Law Act 1996 Part 4): the FL401 application.

For an "associated person" (s.62) the usual first step is the family court's non-molestation
order: no fee, available without notice (s.45), breach an offence (s.42A). The application is laid
out in the sections of form FL401 as kept in ``law/court_papers.yaml`` (with the edition they were
read from); sections that could not be checked are not printed as fact but left to the solicitor.
The applicant's address and phone go on form C8 when they must be kept from the respondent, as
the form says; how she knows him is the FL401 relationship category she chose, never her own
words; the orders are the same structured terms as the civil route, phrased for the family court.
"""

from __future__ import annotations

from typing import Any

from ..law.routes import court_route, load_routes
from ..order_terms import MANDATORY
from ..render import paragraphs
from .common import CaseView
from .injunction import injunction_of, papers, respondent_address, terms_of

TITLE = "Application for a non-molestation order (FL401)"
TICKED, EMPTY = "\u2612", "\u2610"


def applies(view: CaseView) -> str | None:
    case = view.case
    if case.jurisdiction != "england_wales":
        return "the family court application is for England and Wales only"
    if case.injunction is None or not case.injunction.sought:
        return "you have not asked for a court order"
    if court_route(case) != "non_molestation":
        return "the court papers are for the harassment claim in the County Court instead"
    if not terms_of(view):
        return "no orders are listed in the injunction section (say what he must stop doing)"
    return None


def family_words(text: str) -> str:
    """Civil phrasing for the family court: the Claimant is the Applicant, and so on."""
    for civil, family in (("Claimant", "Applicant"), ("Defendant", "Respondent")):
        text = text.replace(civil, family)
    return text


def build(view: CaseView) -> dict[str, Any]:
    case = view.case
    rules = papers()["fl401"]
    applicant = case.applicant
    respondent = view.main_respondent
    injunction = injunction_of(view)
    association = (
        load_routes()["associations"].get(respondent.association) if respondent else None
    ) or {}
    confidential = applicant.keep_address_confidential
    if confidential:
        address = f"Not given here: see form {rules['confidential_form']}, filed with this form."
        phone = address
    else:
        parts = [*paragraphs(applicant.address), applicant.postcode or ""]
        address = ", ".join(p for p in parts if p) or "[address]"
        phone = applicant.phone or "[telephone]"
    rep = case.legal_representative
    solicitor = (
        ", ".join(part for part in (rep.name, rep.organisation, *paragraphs(rep.address)) if part)
        + (f" (ref. {rep.reference})" if rep.reference else "")
        if rep
        else "None: I am applying myself."
    )
    terms = [t for t in terms_of(view) if t.kind != MANDATORY]
    sections = {s["number"]: s for s in rules["sections"] if s["status"] == "verified"}
    factors = rules["without_notice_factors"]
    threats = any({"threat", "threat_to_kill"} & set(i.kinds) for i in view.incidents)
    return {
        "short_title": TITLE,
        "rules": rules,
        "s1": sections["1"],
        "s2": sections["2"],
        "s3": sections["3"],
        "s4": sections["4"],
        "applicant_name": applicant.full_name,
        "applicant_address": address,
        "applicant_phone": phone,
        "solicitor": solicitor,
        "respondent_name": view.base["respondent"]["name"],
        "respondent_address": respondent_address(view),
        "box": {
            "non_mol": TICKED,
            "occupation": EMPTY,
            "without_notice": TICKED if injunction.without_notice else EMPTY,
        },
        "relationship": family_words(
            association.get("third_person", "[choose the relationship on the form]")
        ),
        "relationship_law": (
            f"Family Law Act 1996 {association['fla_s62']}" if association.get("fla_s62") else ""
        ),
        "orders": [
            {"letter": chr(97 + i), "text": family_words(term.text)} for i, term in enumerate(terms)
        ],
        "factors": [
            {
                "box": TICKED if (i == 0 and threats and injunction.without_notice) else EMPTY,
                "text": text,
            }
            for i, text in enumerate(factors)
        ]
        if injunction.without_notice
        else [],
        "unchecked": [
            *(s["title"] for s in rules["sections"] if s["status"] != "verified"),
            *(
                [
                    "Taking material down: asked for, but left out here (it is not a 'must not' "
                    "term); decide whether to ask for it"
                ]
                if any(t.kind == MANDATORY for t in terms_of(view))
                else []
            ),
        ],
        "truth": papers()["statement_of_truth"]["fl401"],
    }
