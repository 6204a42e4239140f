"""Next steps and support: what to send where, the dates that matter, and help that fits the case.

Helplines are chosen from tags the case earns (intimate images, threats, money demands …), so a
person is not handed the IWF unless child abuse material is involved, nor Report Fraud unless
there is a financial or hacking element.
"""

from __future__ import annotations

from typing import Any

from ..law import helplines_for
from ..law.deadlines import civil_limit, summary_limit
from .common import CaseView

TITLE = "Next steps and support"

SEND_TO = {
    "chronology": ("Keep a copy; give it to the police and any solicitor", "Send it with every "
                   "report so the whole pattern is seen, not one message at a time."),
    "witness_statement": ("A solicitor, then the court with your application", "Check every "
                          "paragraph is true and in your own words before you sign it."),
    "ofcom_report": ("Ofcom, through its online reporting route", "Ofcom uses it to check the "
                     "platform; it will not reply or remove posts. Report to the platform first."),
    "psd_complaint": ("The force's Professional Standards Department", "Use the force's online "
                      "complaint form or email; keep the acknowledgement and the handler's name."),
    "injunction_application": ("The County Court hearing centre", "File it with the draft order, "
                               "your statement and exhibits, and the fee or fee help form."),
    "draft_order": ("The County Court, with the application", "The judge may change it; only the "
                    "sealed order the court gives you is binding."),
    "evidence_schedule": ("With every document above", "Bring the original files too; their "
                          "fingerprints (SHA-256) show they have not been changed."),
}  # fmt: skip

EVIDENCE_TIPS = [
    "Do not delete messages, posts or accounts, even upsetting ones: they are your evidence.",
    "Take screenshots that show the date, the time and the account name or web address.",
    "Keep the original files; add new ones with harassment-pack so they are fingerprinted.",
    "Keep a backup copy somewhere the person harassing you cannot reach.",
]


def applies(view: CaseView) -> str | None:
    return None


def case_tags(view: CaseView) -> set[str]:
    """Which kinds of help this case calls for (matched against the helplines' 'when' tags)."""
    kinds = {kind for incident in view.case.incidents for kind in incident.kinds}
    tags = {"always"}
    if kinds & {"monitoring", "contact", "doxxing", "publishing"} or len(view.incidents) >= 2:
        tags.add("stalking")
    if kinds & {"intimate_image", "intimate_image_threat", "sexual"}:
        tags.add("intimate_image_adult")
    if kinds & {"financial_demand", "hacking"}:
        tags.add("financial")
    if "hacking" in kinds:
        tags.add("cyber")
    if kinds & {"threat_to_kill", "doxxing"}:
        tags.add("high_risk")
    return tags


def build(view: CaseView) -> dict[str, Any]:
    law = view.law
    case = view.case
    send = [
        {"document": title, "to": SEND_TO[name][0], "how": SEND_TO[name][1]}
        for name, title in view.applicable.items()
        if name in SEND_TO
    ]
    skipped = [f"Not prepared: {title}, because {reason}." for title, reason in view.skipped]

    deadlines = []
    summary = summary_limit(case, law)
    if summary:
        deadlines.append({"date": view.when_text(summary.due), "text": summary.text})
    civil = civil_limit(case, law)
    if civil:
        deadlines.append({"date": view.when_text(civil.due), "text": civil.text})

    helplines = []
    for line in helplines_for(law, case_tags(view)):
        contact = " / ".join(str(c) for c in (line.get("tel"), line.get("web")) if c)
        helplines.append(
            {
                "name": line["name"],
                "contact": contact,
                "hours": line.get("hours") or "",
                "scope": line["scope"],
            }
        )

    fees = []
    if case.injunction and case.injunction.sought:
        for key in (
            "county_court_injunction_claim_issue",
            "application_without_notice_or_consent",
            "application_on_notice",
        ):
            fee = law["fees"][key]
            fees.append(
                f"{fee['description']}: \u00a3{fee['gbp']} (from {view.when_text(fee['from'])})"
            )
    help_with_fees = law["help_with_fees"]
    fees.append(
        f"Help with court fees: form {help_with_fees['form']} (guidance "
        f"{help_with_fees['guidance']}), or online at {help_with_fees['web']}."
    )
    funding = [law["fees_note"]["text"], *(n["text"] for n in law["funding_notes"].values())]

    emergency = law["helplines"]["police_emergency"]
    return {
        "short_title": TITLE,
        "emergency": {
            "tel": emergency["tel"],
            "text": "For anything that is not an emergency, call the police on "
            f"{law['helplines']['police_non_emergency']['tel']} or report online.",
        },
        "send": send,
        "skipped": skipped,
        "deadlines": deadlines,
        "helplines": helplines,
        "fees": fees,
        "funding": funding,
        "evidence_tips": EVIDENCE_TIPS,
    }
