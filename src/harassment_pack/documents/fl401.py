"""Non-molestation order route (Family Law Act 1996 Part 4): the FL401 application.

For an "associated person" (s.62) the usual first step is the family court's non-molestation
order: no fee, available without notice (s.45), breach an offence (s.42A). No copy of the current
paper form (FL401 02.23) could be read, so the application is laid out in the sections and
numbered questions of the newest edition read, FL401 (07.21), which HMCTS's own FL401 service
also follows; ``law/court_papers.yaml`` keeps them word for word with the repository, commit and
date they were read, and the document names the edition. Every question the form would ask
this applicant is shown in its place, so a solicitor can copy the draft onto the form question
by question: those the case file cannot answer are marked to be completed on the form and listed
by number for the solicitor. Dates of partly verified wording (the edition, the s.62 category)
go in the solicitor's note, never in the form's body. The applicant's contact details go on
form C8 when they must be kept from the respondent; how she knows him is the relationship
category she chose, never her own words; the orders are the same structured terms as the civil
route, phrased for the family court. The statement of truth is worded for whoever signs it.
"""

from __future__ import annotations

import re
from typing import Any

from ..law.routes import court_route, load_routes
from ..order_terms import MANDATORY, load_terms
from ..render import paragraphs
from .common import CaseView
from .injunction import contact_accounts, injunction_of, papers, respondent_address, terms_of
from .witness_statement import ordinal, s45_grounds

TITLE = "Application for a non-molestation order (FL401)"
TICKED, EMPTY = "\u2612", "\u2610"
PHONE = re.compile(r"^\+?[\d ()-]{10,}$")
"""A messaging handle that is a phone number (a Telegram @name is not)."""


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


def _question_number(part: dict[str, Any], question: dict[str, str]) -> str:
    """'2.2'; an unnumbered question by its words and heading ("'How old are you?' (Before
    you start)")."""
    number = question["text"].split()[0]
    return number if number[:1].isdigit() else f"'{question['text']}' ({part['heading']})"


def _sections(rules: dict[str, Any], answers: dict[str, Any]) -> tuple[list[dict], list[str]]:
    """The form's parts and questions in order, each with its answer from ``answers`` (keyed
    'part.question'), or marked for the solicitor to complete on the form; and the numbers of
    those left to complete. A question answered ``None`` is one the form routes past."""
    sections, left = [], []
    for part in rules["parts"]:
        questions = []
        for question in part["questions"]:
            answer = answers.get(f"{part['id']}.{question['id']}", "")
            if answer is None:
                continue
            if answer == "":
                when = question.get("when")
                answer = (
                    rules["to_complete_when"].format(when=when) if when else rules["to_complete"]
                )
                left.append(_question_number(part, question))
            if isinstance(answer, str):
                answer = {"answer": answer}
            questions.append(
                {"text": question["text"], "answer": "", "items": [], "notes": [], **answer}
            )
        sections.append({"heading": part["heading"], "questions": questions})
    return sections, left


def supporting_statement(view: CaseView) -> str:
    """'The supporting witness statement of Jane Smith (1st statement), dated [date of
    signing], with exhibits JS/1-JS/6': the name form FL401 gives the statement filed with it,
    and the number its PD 22A heading gives it."""
    number = ordinal(view.case.statement_number)
    exhibits = view.exhibit_range
    return (
        f"The {papers()['fl401']['statement_name']} of {view.case.applicant.full_name} "
        f"({number} statement), dated [date of signing], with {exhibits[:1].lower()}{exhibits[1:]}"
    )


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
    terms = [t for t in terms_of(view) if t.kind != MANDATORY]
    grounds = s45_grounds(view)
    documents = [supporting_statement(view)]
    if confidential:
        documents.append(f"Form {rules['confidential_form']}")
    options = rules["relationship_options"].get(key or "", [])
    none_of_the_listed = any(option.startswith("None of the above") for option in options)
    listed = bool(options) and not none_of_the_listed
    relationship = {
        "answer": (
            family_words(association["third_person"])
            if association
            else "[choose the relationship on the form]"
        ),
        # The s.62 paragraph, undated here: its date goes in the solicitor's note.
        "notes": [
            *(
                [f"(Family Law Act 1996 {association['fla_s62']})"]
                if association and association.get("fla_s62")
                else []
            ),
            *(
                [f"On the form this is: {', or '.join(options)} (whichever is true now)."]
                if options
                else []
            ),
        ],
    }
    situation = parts["situation"]
    see = rules["see_statement"]
    factors = [
        f"{TICKED if i in grounds else EMPTY}  {text}{_citation(factor)}"
        for i, (text, factor) in enumerate(
            zip(situation["reason_options"], rules["without_notice_factors"], strict=True)
        )
    ]
    solicitor = (
        {
            "applicant.rep_name": rep.name or "",
            "applicant.rep_firm": rep.organisation or "",
            "applicant.rep_address": ", ".join(paragraphs(rep.address)),
            "applicant.rep_phone": rep.phone or "",
            "applicant.rep_email": rep.email or "",
            "applicant.rep_reference": rep.reference or "",
        }
        if rep
        else dict.fromkeys(
            (f"applicant.{q['id']}" for q in parts["applicant"]["questions"]
             if q["id"].startswith("rep_")),
            None,
        )
    )  # fmt: skip
    orders = {
        "answer": rules["orders_intro"].format(
            name=view.base["respondent"]["name"],
            by_himself=view.law["wording"]["by_himself_or_others"]["text"],
        ),
        "items": [f"{chr(97 + i)}) {family_words(term.text)}" for i, term in enumerate(terms)],
    }
    his = contact_accounts(view)  # his own numbers and email, for 3.6 and 3.7
    answers: dict[str, Any] = {
        "situation.orders": (
            f"{TICKED} {situation['options'][0]}    {EMPTY} {situation['options'][1]}"
        ),
        "situation.without_notice": _yes_no(injunction.without_notice),
        "situation.reasons": {"items": factors} if injunction.without_notice else None,
        "situation.why": see if injunction.without_notice else None,
        "situation.other": see,
        "applicant.name": applicant.full_name,
        "applicant.shared": _yes_no(not confidential, parts["applicant"]["shared_no"]),
        "applicant.address": address,
        "applicant.phone": phone,
        "applicant.email": email,
        "applicant.representative": _yes_no(rep is not None),
        **solicitor,
        "respondent.name": view.base["respondent"]["name"],
        "respondent.address": respondent_address(view),
        "respondent.phone": ", ".join(h for p, h in his if p.lower() != "email" and PHONE.match(h)),
        "respondent.email": ", ".join(h for p, h in his if p.lower() == "email"),
        "relationship.question": relationship,
        "relationship.dates": "" if listed or not options else None,
        "relationship.ceremony": "" if key in (None, "spouse") else None,
        "relationship.relative": "" if none_of_the_listed or not options else None,
        "behaviour.applying": _yes_no(True),
        "behaviour.question": orders,
        "home.question": _yes_no(False),
    }
    sections, left = _sections(rules, answers)
    paper = rules["paper_form"]
    edition = papers()["fl401_edition"]
    editions = {"seen": paper["seen"], "current": paper["current"]}
    return {
        "short_title": TITLE,
        "rules": rules,
        "sections": sections,
        "source_note": edition["text"].format(**editions),
        "documents": documents,
        "unchecked": [
            rules["left_for_the_form"].format(questions=", ".join(left)),
            *([] if paper["current_text_seen"] else [edition["not_seen"].format(**editions)]),
            f"{parts['behaviour']['heading']}: the form has tick boxes; tick those the orders "
            "listed match, and give the rest as the form's question on anything else.",
            *(
                [
                    "Taking material down: asked for, but left out here (it is not a 'must not' "
                    "term); decide whether to ask for it."
                ]
                if any(t.kind == MANDATORY for t in terms_of(view))
                else []
            ),
        ],
        "truth": signature(view),
        "in_person": rep is None,
    }
