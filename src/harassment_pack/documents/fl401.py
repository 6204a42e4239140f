"""Non-molestation order route (Family Law Act 1996 Part 4): the FL401 application.

For an "associated person" (s.62) the usual first step is the family court's non-molestation
order: no fee, available without notice (s.45), breach an offence (s.42A). No copy of the current
paper form (FL401 02.23) could be read, so the application is laid out in the sections and
numbered questions of the newest edition read, FL401 (07.21), which HMCTS's own FL401 service
also follows; ``law/court_papers.yaml`` keeps them word for word with the repository, commit and
date they were read, and the document names the edition. The applicant's contact details go on
form C8 when they must be kept from the respondent; how she knows him is the relationship
category she chose, never her own words; the orders are the same structured terms as the civil
route, phrased for the family court. The statement of truth is worded for whoever signs it.
"""

from __future__ import annotations

import re
from typing import Any

from ..dates import uk_month
from ..law import checked_note
from ..law.routes import court_route, load_routes
from ..order_terms import MANDATORY, load_terms
from ..render import paragraphs
from .common import CaseView
from .injunction import injunction_of, papers, respondent_address, statement_identity, terms_of

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
    """Civil phrasing for the family court: the Claimant is the Applicant, and so on; a place
    whose address is confidential is not said to be in a schedule to an order."""
    for civil, family in (("Claimant", "Applicant"), ("Defendant", "Respondent")):
        text = text.replace(civil, family)
    schedule = load_terms()["terms"]["approach"]["confidential_place"].format(place="").strip()
    return text.replace(schedule, papers()["fl401"]["confidential_place"])


def _yes_no(yes: bool, no: str = "No") -> str:
    return f"{TICKED if yes else EMPTY} Yes    {EMPTY if yes else TICKED} {no}"


def signature(view: CaseView) -> dict[str, Any]:
    """The FL401 statement of truth for whoever signs it: the applicant, or her solicitor for
    her (FL401 07.21 has both; FPR PD 17A para 2.1)."""
    truth = papers()["family_statement_of_truth"]
    form = papers()["fl401"]
    rep = view.case.legal_representative
    applicant, representative = form["signer_boxes"]
    if injunction_of(view).signed_by == "legal_representative":
        answers = [
            rep.name if rep else None,
            rep.organisation if rep else None,
            rep.role if rep else None,
        ]
        lines = [
            f"{label}: {answer or '....................................'}"
            for label, answer in zip(form["representative_lines"], answers, strict=True)
        ]
        return {
            "text": truth["fl401_legal_representative"],
            "lines": lines,
            "boxes": f"{EMPTY} {applicant}    {TICKED} {representative}",
        }
    return {
        "text": truth["fl401_applicant"],
        "lines": [f"Full name: {view.case.applicant.full_name}"],
        "boxes": f"{TICKED} {applicant}    {EMPTY} {representative}",
    }


def _citation(factor: str) -> str:
    """'(s.45(2)(a))' from the end of a without-notice factor in the law data."""
    found = re.search(r"\((s\.45\(2\)\([a-c]\))\)\.?$", factor)
    return f" ({found.group(1)})" if found else ""


def build(view: CaseView) -> dict[str, Any]:
    case = view.case
    rules = papers()["fl401"]
    parts = {part["id"]: part for part in rules["parts"]}
    applicant = case.applicant
    respondent = view.main_respondent
    injunction = injunction_of(view)
    routes = load_routes()["associations"]
    key = respondent.association if respondent else None
    association = routes.get(key) if key else None
    confidential = applicant.keep_address_confidential
    if confidential:
        withheld = f"Not given here: see form {rules['confidential_form']}, filed with this form."
        address = phone = email = withheld
    else:
        address = ", ".join(p for p in [*paragraphs(applicant.address), applicant.postcode] if p)
        address = address or "[address]"
        phone = applicant.phone or "[telephone]"
        email = applicant.email or "[email address, if any]"
    rep = case.legal_representative
    solicitor = (
        ", ".join(part for part in (rep.name, rep.organisation, *paragraphs(rep.address)) if part)
        + (f" (ref. {rep.reference})" if rep.reference else "")
        if rep
        else ""
    )
    terms = [t for t in terms_of(view) if t.kind != MANDATORY]
    threats = any({"threat", "threat_to_kill"} & set(i.kinds) for i in view.incidents)
    identity = statement_identity(view)
    documents = [f"{identity[:1].upper()}{identity[1:]}, with its exhibits ({view.exhibit_range})"]
    if confidential:
        documents.append(f"Form {rules['confidential_form']}")
    relationship = (
        family_words(association["third_person"])
        if association
        else "[choose the relationship on the form]"
    )
    law = (
        f"Family Law Act 1996 {association['fla_s62']}{checked_note(routes)}"
        if association and association.get("fla_s62")
        else ""
    )
    paper = rules["paper_form"]
    situation = parts["situation"]
    return {
        "short_title": TITLE,
        "rules": rules,
        "part": parts,
        "source_note": (
            f"Set out in the sections and questions of form {paper['seen']}, the newest edition "
            f"seen (checked {uk_month(paper['checked'])}); HMCTS's own FL401 service asks the "
            f"same questions. The current edition is {paper['current']}: copy each answer to "
            "the matching question on it."
        ),
        "truth_note": (
            f"Statements of truth worded as form {paper['seen']} and FPR Practice Direction 17A "
            f"word them (checked {uk_month(papers()['family_statement_of_truth']['checked'])})."
        ),
        "applicant_name": applicant.full_name,
        "applicant_address": address,
        "applicant_phone": phone,
        "applicant_email": email,
        "shared": _yes_no(not confidential, parts["applicant"]["shared_no"]),
        "represented": _yes_no(rep is not None),
        "solicitor": solicitor,
        "respondent_name": view.base["respondent"]["name"],
        "respondent_address": respondent_address(view),
        "orders_asked": f"{TICKED} {situation['options'][0]}    {EMPTY} {situation['options'][1]}",
        "without_notice": _yes_no(injunction.without_notice),
        "factors": [
            {"box": TICKED if (i == 0 and threats) else EMPTY, "text": text + _citation(factor)}
            for i, (text, factor) in enumerate(
                zip(situation["reason_options"], rules["without_notice_factors"], strict=True)
            )
        ]
        if injunction.without_notice
        else [],
        "relationship": relationship,
        "relationship_law": law,
        "relationship_options": rules["relationship_options"].get(key or "", []),
        "non_molestation": _yes_no(True),
        "occupation": _yes_no(False),
        "orders": [
            {"letter": chr(97 + i), "text": family_words(term.text)} for i, term in enumerate(terms)
        ],
        "documents": documents,
        "unchecked": [
            f"The current form {paper['current']} was not seen: check each answer against its "
            f"numbering and wording (this draft follows {paper['seen']}).",
            f"{parts['behaviour']['heading']}: the form has tick boxes; tick those the orders "
            "listed match, and give the rest as the form's question on anything else.",
            *(
                [
                    "Taking material down: asked for, but left out here (it is not a 'must not' "
                    "term); decide whether to ask for it"
                ]
                if any(t.kind == MANDATORY for t in terms_of(view))
                else []
            ),
        ],
        "truth": signature(view),
        "unticked": EMPTY,
        "in_person": rep is None,
    }
