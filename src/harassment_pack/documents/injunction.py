"""Application for an injunction under PHA 1997 s.3 (in the style of form N16A) and its draft order.

The Human Rights Act box is ticked whenever any term would restrain posting or publication
(HRA 1998 s.12); a without-notice application carries its reasons and a full and frank
disclosure section; the draft order has the penal notice on its front (CPR 81.2).
"""

from __future__ import annotations

import string
from typing import Any

from ..case import Injunction
from ..render import paragraphs
from .common import CaseView

APPLICATION_TITLE = "Application for an injunction"
ORDER_TITLE = "Draft order (injunction)"

TICKED, EMPTY = "\u2612", "\u2610"


def applies(view: CaseView) -> str | None:
    case = view.case
    if case.jurisdiction != "england_wales":
        return "this court application is for England and Wales only"
    if case.injunction is None or not case.injunction.sought:
        return "you have not asked for an injunction"
    if not case.injunction.orders:
        return "no orders are listed in the injunction section (say what he must stop doing)"
    return None


def _injunction(view: CaseView) -> Injunction:
    injunction = view.case.injunction
    assert injunction is not None  # applies() guarantees it
    return injunction


def _lettered(orders: list[str]) -> list[dict[str, str]]:
    return [
        {"letter": string.ascii_lowercase[i % 26], "text": text} for i, text in enumerate(orders)
    ]


def _address_for_service(view: CaseView) -> str:
    applicant = view.case.applicant
    injunction = _injunction(view)
    if injunction.service_address and not applicant.keep_address_confidential:
        return injunction.service_address
    if applicant.keep_address_confidential:
        return "[an address for service that is safe to give, e.g. a solicitor's office]"
    parts = [*paragraphs(applicant.address), applicant.postcode or ""]
    return ", ".join(p for p in parts if p) or "[address for service]"


def build_application(view: CaseView) -> dict[str, Any]:
    law = view.law
    base = view.base
    injunction = _injunction(view)
    prohibitory = [o.text for o in injunction.orders if o.kind == "prohibitory"]
    mandatory = [o.text for o in injunction.orders if o.kind == "mandatory"]
    hra = injunction.restrains_publication
    respondent = view.main_respondent
    served_at = (respondent.address if respondent else None) or "[the Defendant's address]"
    without_notice = None
    if injunction.without_notice:
        without_notice = {
            "intro": (
                "This application is made without notice to the Defendant. The reasons are "
                "below and in the witness statement of " + base["applicant"]["name"] + "."
            ),
            "reasons": paragraphs(injunction.without_notice_reasons)
            or ["[Explain why the Defendant should not be told before the hearing.]"],
            "informal": paragraphs(injunction.informal_notice),
            "adverse": paragraphs(injunction.adverse_matters)
            or ["[Set out anything that may count against you. The court must be told.]"],
        }
    forms = law["forms"]
    return {
        "short_title": APPLICATION_TITLE,
        "form": forms["n16a"],
        "header_rows": [
            {
                "court": base["court"],
                "claim_number": base["claim_number"],
                "claimant": base["applicant"]["name"],
                "defendant": base["respondent"]["name"],
            }
        ],
        "box": {
            "pending": EMPTY,
            "statute": TICKED,
            "part8": TICKED,
            "hra_yes": TICKED if hra else EMPTY,
            "hra_no": EMPTY if hra else TICKED,
        },
        "hra_reason": (
            "The order sought would restrain posting or publication, so "
            f"{law['statutes']['hra_1998_s12']['cite']} applies."
            if hra
            else ""
        ),
        "prohibitory": _lettered(prohibitory),
        "mandatory": _lettered(mandatory),
        "grounds": law["wording"]["n16a_grounds"]["text"].format(
            name=base["applicant"]["name"], date="[date of signing]"
        ),
        "serve_on": f"{base['respondent']['name']}, {served_at}",
        "address_for_service": _address_for_service(view),
        "without_notice": without_notice,
        "filed_with": [
            f"Draft order ({forms['n16']['name']} style)",
            f"Witness statement of {base['applicant']['name']} with exhibits "
            f"({view.exhibit_range})",
            f"Claim form {forms['n208']['name']} (if the claim has not yet been issued)",
            f"The court fee, or an application for help with fees ({forms['ex160']['name']})",
        ],
    }


def build_order(view: CaseView) -> dict[str, Any]:
    law = view.law
    base = view.base
    injunction = _injunction(view)
    defendant = base["respondent"]["name"]
    by_others = law["wording"]["by_himself_or_others"]["text"]
    terms = []
    for order in injunction.orders:
        if order.kind == "prohibitory":
            text = f"The Defendant, {defendant}, is forbidden ({by_others}) from {order.text}"
        else:
            text = f"The Defendant, {defendant}, must {order.text}"
        terms.append(text if text.endswith(".") else text + ".")
    if injunction.exclusion_address:
        terms.append(
            f"The Defendant must not ({by_others}) go within [100] metres of "
            f"{injunction.exclusion_address}."
        )
    duration = ["This order lasts until [the return date] or further order of the court."]
    if injunction.without_notice:
        duration.append(
            "The court will consider the application again at a further hearing (the return "
            "date) at ........ o'clock on ........................, when the Defendant may attend."
        )
    undertakings = injunction.undertakings or law["wording"]["order_undertakings"]["points"]
    return {
        "short_title": "Draft order",
        "penal_notice": law["wording"]["penal_notice"]["text"].format(name=defendant.upper()),
        "order_basis": "Injunction under " + law["statutes"]["pha_s3"]["cite"],
        "recital_hearing": (
            "hearing the application of the Claimant made without notice to the Defendant"
            if injunction.without_notice
            else "hearing the application of the Claimant and the Defendant"
        ),
        "terms": [{"number": n, "text": t} for n, t in enumerate(terms, start=1)],
        "duration": duration,
        "variation": law["wording"]["order_variation"]["text"],
        "service": law["wording"]["order_service"]["text"],
        "breach_note": law["wording"]["pha_breach_note"]["text"],
        "undertakings": [{"number": n, "text": t} for n, t in enumerate(undertakings, start=1)],
        "address_for_service": _address_for_service(view),
    }
