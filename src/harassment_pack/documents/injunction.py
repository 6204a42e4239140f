"""PHA 1997 s.3 route: the N16A application box by box, the draft order and what they share.

The application follows form N16A one box to one paragraph, with the form's guidance to the
person who receives it; the statement of truth is worded for whoever signs it (a party says "I
believe", a solicitor "The Claimant believes"). Terms are legal phrasing built from structured
choices (``order_terms``); the person's own sentences never reach a box, and service details that
read like a sentence ("I think he is staying at his mum's") become a placeholder. The Human Rights
Act 1998 s.12 box, the statement's s.12 paragraphs and the order's recitals all follow from the
terms. The draft order carries the penal notice, the recital that the conduct is harassment
(needed for the s.3(6) offence), the statement by name and date, the right duration, liberty to
apply, alternative service and Schedules A (undertakings) and B (material to take down, after
keeping a copy). Wording that is law or practice comes from ``law/court_papers.yaml``.
"""

from __future__ import annotations

import re
import string
from typing import Any

from ..case import Injunction
from ..law import load_data
from ..law.routes import court_route
from ..order_terms import MANDATORY, Term, build_terms, has_terms, restrains_speech
from ..render import paragraphs
from .common import CaseView

APPLICATION_TITLE = "Application for an injunction (N16A)"
ORDER_TITLE = "Draft order (injunction)"

TICKED, EMPTY = "\u2612", "\u2610"

SENTENCE_LIKE = re.compile(
    r"(?<![\w'])(?:i|i'm|i've|i'd|me|my|we|our|think|maybe|probably|perhaps|not sure|"
    r"don't know|dont know)(?![\w'])|\?",
    re.IGNORECASE,
)
"""Words that show an answer is the person's own sentence, not an address for a form box."""


def applies(view: CaseView) -> str | None:
    case = view.case
    if case.jurisdiction != "england_wales":
        return "this court application is for England and Wales only"
    if case.injunction is None or not case.injunction.sought:
        return "you have not asked for an injunction"
    if court_route(case) != "pha_injunction":
        return "the court papers are for a non-molestation order in the family court instead"
    if not has_terms(case.injunction):
        return "no orders are listed in the injunction section (say what he must stop doing)"
    return None


def papers() -> dict[str, Any]:
    return load_data("court_papers")


def injunction_of(view: CaseView) -> Injunction:
    injunction = view.case.injunction
    assert injunction is not None  # applies() guarantees it
    return injunction


def terms_of(view: CaseView) -> list[Term]:
    """The order's terms for this case (confidential addresses never named)."""
    applicant = view.case.applicant
    home = None
    if not applicant.keep_address_confidential and applicant.address:
        home = ", ".join(p for p in [*paragraphs(applicant.address), applicant.postcode or ""] if p)
    injunction = injunction_of(view)
    # An exclusion-zone address is named only when he already knows it and the user says so;
    # otherwise the order refers to the confidential schedule, which holds it.
    unknown_zone = bool(injunction.exclusion_address) and not injunction.exclusion_address_known
    return build_terms(injunction, applicant.keep_address_confidential or unknown_zone, home)


def form_value(text: str | None, placeholder: str) -> str:
    """``text`` for a form box, unless it reads like the person's own sentence (then a
    placeholder for the solicitor): "I think he is staying at his mum's" never reaches a form."""
    if not text or SENTENCE_LIKE.search(text):
        return placeholder
    return ", ".join(paragraphs(text))


def respondent_address(view: CaseView) -> str:
    """Where the Defendant is to be served, for box (7) and the claim form."""
    respondent = view.main_respondent
    injunction = injunction_of(view)
    given = injunction.service_address or (respondent.address if respondent else None)
    return form_value(given, "[the Defendant's address for service: to be confirmed]")


def claimant_service(view: CaseView) -> dict[str, Any]:
    """The Claimant's address for service (CPR 6.23) and how it was chosen.

    A solicitor's office first; then a safe address she can give; then her own address if it
    need not be kept from him; otherwise the address goes to the court separately and a letter
    asks the court to keep it from him.
    """
    applicant = view.case.applicant
    injunction = injunction_of(view)
    rep = view.case.legal_representative
    rules = papers()["address_for_service"]
    if rep is not None:
        ref = f" (ref. {rep.reference})" if rep.reference else ""
        office = [rep.organisation or "", *paragraphs(rep.address)]
        text = ", ".join(part for part in office if part) + ref
        return {"text": text, "how": "solicitor", "withheld": False, "filed_by": "solicitors"}
    if injunction.claimant_service_address:
        text = form_value(injunction.claimant_service_address, "[a safe address for service]")
        return {"text": text, "how": "safe_address", "withheld": False, "filed_by": "claimant"}
    if not applicant.keep_address_confidential and applicant.address:
        parts = [*paragraphs(applicant.address), applicant.postcode or ""]
        text = ", ".join(p for p in parts if p)
        return {"text": text, "how": "own_address", "withheld": False, "filed_by": "claimant"}
    return {"text": rules["withheld"], "how": "withheld", "withheld": True, "filed_by": "claimant"}


def signer(view: CaseView, document: str) -> dict[str, Any]:
    """The statement of truth for ``document`` worded for whoever signs it (PD 22 para 2.1)."""
    injunction = injunction_of(view)
    truth = papers()["statement_of_truth"]
    rep = view.case.legal_representative
    if injunction.signed_by == "legal_representative":
        name = rep.name if rep else "[name of the solicitor signing]"
        lines = [
            f"Full name: {name}",
            f"Firm: {(rep.organisation if rep else None) or '[firm]'}",
            f"Position or office held: {(rep.role if rep else None) or '[position]'}",
            "Signed on behalf of the Claimant as her legal representative",
        ]
        return {"text": truth["legal_representative"].format(document=document), "lines": lines}
    lines = [f"Full name: {view.case.applicant.full_name}", "Claimant"]
    return {"text": truth["party"].format(document=document), "lines": lines}


def statement_identity(view: CaseView, *, starts_sentence: bool = False) -> str:
    """'the first witness statement of Jane Smith dated [date of signing]' ('The first …' to
    start a sentence or a list entry: only the article changes, never the name's case)."""
    ordinal = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
    number = view.case.statement_number
    nth = ordinal.get(number, f"no. {number}")
    article = "The" if starts_sentence else "the"
    name = view.case.applicant.full_name
    return f"{article} {nth} witness statement of {name} dated [date of signing]"


def _lettered(terms: list[Term]) -> list[dict[str, str]]:
    return [
        {"letter": string.ascii_lowercase[i % 26], "text": term.text}
        for i, term in enumerate(terms)
    ]


MESSAGING = frozenset({"whatsapp", "sms", "text message", "signal", "telegram"})


def contact_accounts(view: CaseView) -> list[tuple[str, str]]:
    """(platform, handle) of his own email and messaging accounts, in the case file's order:
    where papers can reach him (never hers)."""
    respondent = view.main_respondent
    return [
        (account.platform, account.handle)
        for account in (respondent.accounts if respondent else [])
        if account.handle and account.platform.lower() in {"email", *MESSAGING}
    ]


def alternative_methods(view: CaseView) -> list[str]:
    """His own email address and messaging numbers, for an alternative-service order."""
    if not injunction_of(view).alternative_service:
        return []
    return [
        f"email to {handle}" if platform.lower() == "email" else f"a {platform} message to {handle}"
        for platform, handle in contact_accounts(view)
    ]


def build_application(view: CaseView) -> dict[str, Any]:
    law = view.law
    base = view.base
    injunction = injunction_of(view)
    terms = terms_of(view)
    rules = papers()
    hra = restrains_speech(terms)
    service = claimant_service(view)
    prohibitory = [t for t in terms if t.kind != MANDATORY]
    mandatory = [t for t in terms if t.kind == MANDATORY]
    without_notice = None
    if injunction.without_notice:
        without_notice = (
            "This application is made without notice to the Defendant. Why notice has not been "
            "given, and the matters that may count against the Claimant (full and frank "
            f"disclosure), are set out in {statement_identity(view)}."
        )
    forms = law["forms"]
    further = ["that the costs of this application be reserved"]
    if alternative_methods(view):
        further.append(
            "that the Claimant may serve the claim form, this application, the evidence and any "
            "order by the alternative methods set out in the draft order (CPR 6.15 and 6.27)"
        )
    filed_with = [
        f"Draft order ({forms['n16']['name']} style), also as a Word file for the judge to edit",
        f"{statement_identity(view, starts_sentence=True)}, with exhibits ({view.exhibit_range})",
    ]
    if not injunction.claim_issued:
        filed_with.append(f"Claim form {rules['n208']['form']} with details of claim")
    filed_with.append(
        f"The court fee, or an application for help with fees ({forms['ex160']['name']})"
    )
    return {
        "short_title": APPLICATION_TITLE,
        "form": forms["n16a"],
        "guidance": rules["n16a"]["recipient_guidance"],
        "heard_notice": law["wording"]["n16a_heard_notice"]["text"],
        "header_rows": [
            {
                "court": base["court"],
                "claim_number": base["claim_number"],
                "claimant": base["applicant"]["name"],
                "defendant": base["respondent"]["name"],
            }
        ],
        "box": {
            "pending": TICKED if injunction.claim_issued else EMPTY,
            "statute": TICKED,
            "part8": TICKED,
            "hra_yes": TICKED if hra else EMPTY,
            "hra_no": EMPTY if hra else TICKED,
        },
        "hra_reason": (
            "The terms at " + ", ".join(_letters_of(terms, prohibitory, mandatory)) + " would "
            "restrain what the Defendant may say or publish, so section 12 of the Human Rights "
            "Act 1998 applies; the evidence addresses section 12(2) and (3)."
            if hra
            else ""
        ),
        "prohibitory": _lettered(prohibitory),
        "mandatory": _lettered(mandatory),
        "schedule_b": [t for term in mandatory for t in term.schedule],
        "further": "And " + " and ".join(further) + ".",
        "grounds": law["wording"]["n16a_grounds"]["text"].format(
            name=base["applicant"]["name"], date="[date of signing]"
        ),
        "statement": statement_identity(view),
        "serve_on": f"{base['respondent']['name']}, {respondent_address(view)}",
        "filed_by": (
            "the Solicitors for the Claimant" if service["how"] == "solicitor" else "the Claimant"
        ),
        "address_for_service": service["text"],
        "without_notice": without_notice,
        "filed_with": filed_with,
        "truth": signer(view, "application notice"),
    }


def _letters_of(terms: list[Term], prohibitory: list[Term], mandatory: list[Term]) -> list[str]:
    """'(4)(b)', '(3)(a)': the boxes and letters of the terms that restrain speech."""
    out = []
    for box, group in (("(3)", mandatory), ("(4)", prohibitory)):
        for i, term in enumerate(group):
            if term.speech:
                out.append(f"{box}({string.ascii_lowercase[i % 26]})")
    return out


def build_order(view: CaseView) -> dict[str, Any]:
    law = view.law
    base = view.base
    injunction = injunction_of(view)
    rules = papers()["order"]
    terms = terms_of(view)
    defendant = base["respondent"]["name"]
    by_others = law["wording"]["by_himself_or_others"]["text"]
    numbered = []
    for term in terms:
        if term.kind == MANDATORY:
            text = f"The Defendant, {defendant}, must {term.text}"
        else:
            text = f"The Defendant, {defendant}, is forbidden ({by_others}) from {term.text}"
        numbered.append(text if text.endswith(".") else text + ".")
    hra = restrains_speech(terms)
    recitals = [
        (
            "UPON ",
            "hearing the application of the Claimant made without notice to the Defendant"
            if injunction.without_notice
            else "hearing the application of the Claimant, the Defendant having been given notice",
        ),
        ("AND UPON ", f"reading {statement_identity(view)} and its exhibits"),
        ("AND UPON ", rules["harassment_recital"]),
    ]
    if hra:
        if injunction.without_notice:
            recitals.append(("AND UPON ", rules["hra_recital_notice"]))
        recitals.append(("AND UPON ", rules["hra_recital_likely"]))
    recitals.append(("AND UPON ", "the Claimant giving the undertakings set out in Schedule A"))
    if injunction.without_notice:
        duration = [
            rules["duration_without_notice"],
            rules["return_date"].format(court=base["court"]),
        ]
    else:
        duration = [rules["duration_on_notice"]]
    methods = alternative_methods(view)
    service = [rules["personal_service"]]
    if methods:
        joined = ", ".join(methods[:-1]) + " or " + methods[-1] if len(methods) > 1 else methods[0]
        service.append(rules["alternative_service"].format(methods=joined))
    undertakings = injunction.undertakings or law["wording"]["order_undertakings"]["points"]
    return {
        "short_title": "Draft order",
        "penal_notice": law["wording"]["penal_notice"]["text"].format(name=defendant.upper()),
        "third_party_notice": rules["third_party_notice"],
        "order_basis": "Injunction under " + law["statutes"]["pha_s3"]["cite"],
        "recitals": [{"lead": lead, "text": text} for lead, text in recitals],
        "terms": [{"number": n, "text": t} for n, t in enumerate(numbered, start=1)],
        "schedule_b": [t for term in terms for t in term.schedule],
        "duration_heading": "Duration and return date" if injunction.without_notice else "Duration",
        "duration": duration,
        "variation": rules["liberty_to_apply"],
        "service": service,
        "breach_note": law["wording"]["pha_breach_note"]["text"],
        "undertakings": [{"number": n, "text": t} for n, t in enumerate(undertakings, start=1)],
        "address_for_service": claimant_service(view)["text"],
    }


def solicitor_notes(view: CaseView) -> list[str]:
    """What the person wrote that could not go into a form box: for the solicitor only."""
    if applies(view) is not None:
        return []
    notes = []
    for number, term in enumerate(terms_of(view), start=1):
        if term.note:
            notes.append(
                f"Note {number} (order term): the applicant asked for this in her own words: "
                f"\u201c{term.note}\u201d. Draft it as a term, or leave it out."
            )
    respondent = view.main_respondent
    given = injunction_of(view).service_address or (respondent.address if respondent else None)
    if given and SENTENCE_LIKE.search(given):
        notes.append(
            f"The Defendant's address for service: the applicant wrote \u201c{given}\u201d. "
            "Confirm an address before the papers are filed."
        )
    return notes
