"""Claim form N208 (CPR Part 8) with details of claim, for the PHA 1997 s.3 route.

CPR 65.28 puts a harassment claim under Part 8, so the claim form states the question for the
court, the remedies (an injunction; damages under s.3(2) with heads of loss taken from the impact
answers; costs), the enactment, and the written evidence relied on (CPR 8.5). It is a statement of
case, so it is in the third person: the person's own first-person words are turned into "the
Claimant" or left for the solicitor, and how she knows him comes from the category she chose,
never from her own description.
"""

from __future__ import annotations

import re
from typing import Any

from ..law.routes import load_routes
from ..order_terms import restrains_speech
from .common import CaseView
from .injunction import (
    applies as injunction_applies,
)
from .injunction import (
    claimant_service,
    form_value,
    injunction_of,
    papers,
    respondent_address,
    signer,
    statement_identity,
    terms_of,
)

TITLE = "Claim form N208 (Part 8) and details of claim"


def _defendant_address(view: CaseView) -> str:
    """The form asks for the Defendant's own address: where he lives, when she knows it, even
    if the papers are to be served somewhere else (box (7) of the application says where)."""
    respondent = view.main_respondent
    if respondent and respondent.address:
        return form_value(respondent.address, respondent_address(view))
    return respondent_address(view)


FINANCIAL = re.compile(
    r"\b(?:cost|costs|£|paid|pay|bought|fitted|locks?|doorbell|earnings|wages|salary|off work|"
    r"time off|unpaid|travel|taxi|moved|removal|rent|fees?)\b",
    re.IGNORECASE,
)
"""Words that make an effect a head of financial loss rather than anxiety and distress."""
MINE = {"my": "the Claimant's", "me": "the Claimant", "myself": "the Claimant"}
STILL_FIRST_PERSON = re.compile(r"(?<![\w'])(?:I|I'm|I've|I'd|we|our|us)(?![\w'])")


def applies(view: CaseView) -> str | None:
    reason = injunction_applies(view)
    if reason:
        return reason
    if injunction_of(view).claim_issued:
        return "the claim form has already been issued"
    return None


def third_person(text: str) -> str | None:
    """'Cost of my doorbell' -> "Cost of the Claimant's doorbell"; None when it cannot be."""
    out = text.strip().rstrip(".")
    for mine, theirs in MINE.items():
        out = re.sub(rf"(?<![\w']){mine}(?![\w'])", theirs, out, flags=re.IGNORECASE)
    return None if STILL_FIRST_PERSON.search(out) else out


def heads_of_loss(view: CaseView) -> dict[str, list[str]]:
    """The impact answers sorted into the two heads s.3(2) names: anxiety, and financial loss."""
    heads: dict[str, list[str]] = {"anxiety": [], "financial": []}
    for effect in view.case.impact.effects:
        phrased = third_person(effect) or "[an effect to be described by the solicitor]"
        heads["financial" if FINANCIAL.search(effect) else "anxiety"].append(phrased)
    return heads


def build(view: CaseView) -> dict[str, Any]:
    law = view.law
    base = view.base
    rules = papers()["n208"]
    case = view.case
    respondent = view.main_respondent
    association = (
        load_routes()["associations"].get(respondent.association) if respondent else None
    ) or {}
    damages = case.wishes.damages is not False
    heads = heads_of_loss(view) if damages else {"anxiety": [], "financial": []}
    his = [i for i in view.incidents if respondent is None or i.respondent == respondent.id]
    numbers = [view.numbers[i.id] for i in his]
    listed = ", ".join(numbers) if len(numbers) <= 6 else f"{numbers[0]} to {numbers[-1]}"
    if len(numbers) > 6:  # a range says which numbers in it are not his ("16 … (C1 to C17)")
        ordered = [view.numbers[i.id] for i in view.incidents]
        between = ordered[ordered.index(numbers[0]) : ordered.index(numbers[-1]) + 1]
        others = [number for number in between if number not in numbers]
        if others:
            listed += f", except {', '.join(others)}"
    count = f"{len(his)} incident" + ("" if len(his) == 1 else "s")
    first = view.when_parts(his[0].when)[0] if his else base["first_date"]
    last = view.when_parts(his[-1].when)[0] if his else base["last_date"]
    details = [
        f"The Claimant is {base['applicant']['name']}. The Defendant is "
        f"{base['respondent']['name']}."
        + (f" {association['third_person']}" if association.get("third_person") else ""),
        f"Between {first} and {last} the Defendant pursued a course of conduct against the "
        f"Claimant, on at least two occasions, consisting of the {count} attributed to him in "
        f"the chronology and in {statement_identity(view)} ({listed}).",
        "That conduct amounts to harassment of the Claimant, which the Defendant knew or ought "
        f"to have known amounted to harassment, contrary to {law['statutes']['pha_s1']['cite']}. "
        "The Claimant fears that it will continue unless the court restrains it.",
    ]
    remedies = [rules["injunction_remedy"]]
    if damages:
        remedies.append(rules["damages_remedy"])
    remedies.append(rules["costs_remedy"])
    fee = law["fees"]["county_court_injunction_claim_issue"]
    header = {
        "court": base["court"],
        "claim_number": base["claim_number"],
        "claimant": base["applicant"]["name"],
        "defendant": base["respondent"]["name"],
    }
    speech = restrains_speech(terms_of(view))
    return {
        "short_title": "Claim form (N208)",
        "header_rows": [header],
        "hra": "Yes: the injunction sought would restrain what the Defendant may publish, so "
        "section 12 of the Human Rights Act 1998 applies (see the application and the evidence)."
        if speech
        else "No",
        "form": rules,
        "part8_rule": rules["part8_rule"],
        "question": rules["question"],
        "remedies": [f"({chr(97 + i)}) {text}" for i, text in enumerate(remedies)],
        "enactment": f"{law['statutes']['pha_s3']['cite']}; CPR 65.28 and Part 8",
        "details": [{"number": n, "text": t} for n, t in enumerate(details, start=1)],
        "damages": damages,
        "damages_heading": "Damages under section 3(2) of the "
        + law["statutes"]["pha_1997"]["cite"],
        "anxiety": heads["anxiety"],
        "financial": heads["financial"],
        "evidence": rules["evidence"].format(
            name=base["applicant"]["name"], date="[date of signing]"
        ),
        "defendant_address": _defendant_address(view),
        "address_for_service": claimant_service(view)["text"],
        "fee": f"\u00a3{fee['gbp']}",
        "truth": signer(view, "claim form"),
    }
