"""A covering letter to the court office: what is enclosed, and an urgent listing or a date.

It goes to the court only, never into the served court bundle: it may ask the court to keep the
applicant's address from the respondent, and it carries her contact details for the court. It
fits both court routes: the County Court claim and the family court's non-molestation order.
"""

from __future__ import annotations

from typing import Any

from . import fl401
from .common import CaseView
from .injunction import applies as injunction_applies
from .injunction import claimant_service, injunction_of, papers, statement_identity

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
    statement = statement_identity(view).capitalize() + f", with exhibits ({view.exhibit_range})"
    confidential: list[str] = []
    if family:
        form = rules["fl401"]
        enclosed = [fl401.TITLE, statement, "Chronology and evidence schedule"]
        if view.case.applicant.keep_address_confidential:
            enclosed.append(f"Form {form['confidential_form']} (confidential contact details)")
        notes = [form["no_self_service"]]
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
    ask = (words["urgent"] if injunction.without_notice else words["on_notice"]).format(other=other)
    rep = injunction.legal_representative
    sender = [rep.firm, rep.address] if rep else [view.case.applicant.full_name]
    return {
        "short_title": TITLE,
        "other": other,
        "sender": sender,
        "contact": view.base["applicant"]["contact"] if rep is None else (rep.email or ""),
        "enclosed": enclosed,
        "ask": ask,
        "confidential": [*confidential, *notes],
        "signer": rep.name if rep else view.case.applicant.full_name,
    }
