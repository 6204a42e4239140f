"""A covering letter to the court office: what is enclosed, and an urgent listing or a date.

It goes to the court only, never into the served court bundle: it may ask the court to keep the
applicant's address from the respondent, and it carries her contact details for the court. It
fits both court routes: the County Court claim and the family court's non-molestation order.
"""

from __future__ import annotations

from typing import Any

from ..render import paragraphs
from . import fl401
from .common import CaseView
from .injunction import applies as injunction_applies
from .injunction import claimant_service, injunction_of, papers, statement_identity
from .supporting_statements import drafted

TITLE = "Covering letter to the court office"


def applies(view: CaseView) -> str | None:
    civil, family = injunction_applies(view), fl401.applies(view)
    return None if civil is None or family is None else civil


def build(view: CaseView) -> dict[str, Any]:
    injunction = injunction_of(view)
    rules = papers()
    words = rules["covering_letter"]
    other = view.base["parties"]["respondent"]
    family = fl401.applies(view) is None
    rep = view.case.legal_representative
    if family:  # named as form FL401 names it: her supporting witness statement
        statement = fl401.supporting_statement(view)
    else:
        statement = (
            statement_identity(view, starts_sentence=True)
            + f", with exhibits ({view.exhibit_range})"
        )
    if "supporting_statements" in view.applicable:
        witnesses = [w.full_name for w in drafted(view.case)]
        kind = "witness statement" if family else "supporting witness statement"
        plural = "s" if len(witnesses) > 1 else ""
        statement += f", and the {kind}{plural} of {', '.join(witnesses)}"
    confidential: list[str] = []
    if family:
        form = rules["fl401"]
        enclosed = [fl401.TITLE, statement, "Chronology and evidence schedule"]
        if view.case.applicant.keep_address_confidential:
            enclosed.append(f"Form {form['confidential_form']}")
        # Said to a person applying herself; a solicitor knows the court serves the papers.
        notes = [] if rep else [form["no_self_service"]]
    else:
        enclosed = [
            view.applicable.get("injunction_application", "Application for an injunction"),
            "Draft order, also as a Word file for the judge to edit",
        ]
        if "claim_form" in view.applicable:
            enclosed.append(view.applicable["claim_form"])
        enclosed += [
            statement,
            "Chronology and evidence schedule",
            "The court fee, or an application for help with fees",
        ]
        notes = []
        if claimant_service(view)["withheld"]:
            confidential = [
                f"My address must not be given to the {other}: I am afraid of what he would do "
                "if he knew where I live. It is given to the court separately, in the "
                "confidential schedule. I ask the court to keep it from him and to tell me how "
                "it wishes to send me papers.",
                rules["address_for_service"]["rule"],
            ]
    party = view.base["parties"]["applicant"]
    voice = words["solicitor" if rep else "applicant"]
    ask = (voice["urgent"] if injunction.without_notice else voice["on_notice"]).format(other=other)
    opening = voice["opening"].format(party=party, name=view.case.applicant.full_name)
    if rep is None:
        sender = [view.case.applicant.full_name]
        contact = view.base["applicant"]["contact"]
        signature = [view.case.applicant.full_name, party]
    else:
        sender = [part for part in (rep.organisation, *paragraphs(rep.address)) if part]
        contact = ", ".join(part for part in (rep.email, rep.phone) if part)
        if rep.reference:
            contact += f"{', ' if contact else ''}Our ref: {rep.reference}"
        role = ", ".join(part for part in (rep.role, rep.organisation) if part)
        signature = [rep.name or "", *([role] if role else []), voice["signed"].format(party=party)]
    return {
        "short_title": TITLE,
        "other": other,
        "sender": sender,
        "contact": contact,
        "opening": opening,
        "enclosed": enclosed,
        "ask": ask,
        "confidential": [*confidential, *notes],
        "signature": [line for line in signature if line],
    }
