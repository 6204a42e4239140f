"""Complaint to a police force's Professional Standards Department (legal-reference §5.2).

A complaint under Police Reform Act 2002 Sch 3 with the complainant's safe contact details, the
crime references, a chronology of police contact, the Victims' Code rights that the recorded
facts suggest were not met, the summary time limit, the impact and the outcome sought.
"""

from __future__ import annotations

from typing import Any

from ..case import PoliceReport
from ..law import dated
from ..law.checks import unmet_victims_rights, victims_code_in_force, victims_code_words
from ..law.deadlines import summary_limit
from ..law.offences import connection, offence_matches
from ..render import paragraphs
from .common import CaseView, join_words

TITLE = "Complaint to the police Professional Standards Department"

DEFAULT_OUTCOMES = [
    "Allocate an investigating officer and tell me their name and how to contact them.",
    "Record every incident I reported, under the crime reference number(s) above.",
    "Take a full statement from me.",
    "Consider arrest, and consider applying for a Stalking Protection Order.",
    "Give me regular updates at an agreed frequency.",
]


def applies(view: CaseView) -> str | None:
    case = view.case
    if case.jurisdiction != "england_wales":
        return "police complaints in Scotland and Northern Ireland follow a different route"
    if not case.police_reports:
        return "no report to the police is recorded"
    if case.psd_complaint is None or not case.psd_complaint.wanted:
        return "you have not asked to complain about the police"
    return None


def _rights(view: CaseView, reports: list[PoliceReport]) -> list[dict[str, Any]]:
    """Victims' Code rights the recorded facts suggest were not met (the same rule as ``check``),
    then Right 12, which this complaint uses."""
    texts = {right["number"]: right["text"] for right in view.law["victims_code_rights"]}
    rights = [
        {"number": right.number, "text": right.text, "why": right.why}
        for right in unmet_victims_rights(reports, view.law)
    ]
    rights.append(
        {"number": 12, "text": texts[12], "why": "I am using this right by making this complaint."}
    )
    return rights


def _rights_intro(view: CaseView) -> str:
    """The rights are cited as current only when the build date falls in the window in which
    their edition of the Victims' Code is known to be in operation (law data)."""
    law = view.law
    if victims_code_in_force(law, view.today):
        return f"Under the {law['statutes']['victims_code']['cite']}, I have these rights:"
    return victims_code_words(law, "not_current", view.today)


def _time_limit(view: CaseView) -> str:
    """The 6-month summary limit for the main respondent's conduct, and whether it is close."""
    case = view.case
    respondent = view.main_respondent
    incidents = [i for i in view.incidents if respondent and i.respondent == respondent.id]
    deadline = summary_limit(case, view.law, incidents or view.incidents)
    if deadline is None:
        return ""
    text = (
        f"The last incident was on {view.when_text(deadline.start)}. "
        f"{deadline.text} For these incidents that date is {view.when_text(deadline.due)}, "
        "so delay may mean that some offences can no longer be charged."
    )
    state = deadline.state(view.today)
    if state == "soon":
        text += " That is less than a month away, so I ask you to act before then."
    elif state == "passed":
        text += " That date has now passed for the incidents so far."
    return text


_REPORT_FACTS = (
    ("written_confirmation", "I was given written confirmation.", "No written confirmation."),
    ("statement_taken", "A statement was taken from me.", "No statement has been taken."),
    ("referred_to_support", "I was referred to support.", "Not referred to support."),
    ("updates_given", "I have been kept updated.", "Not kept updated."),
)


def _what_reported(view: CaseView, report: PoliceReport) -> str:
    """What was reported, which incidents (numbered as in the chronology), and what was done."""
    parts = [report.what_reported or ""]
    if report.incidents:
        parts.append(f"{view.incident_list(report.incidents)} in the chronology.")
    if report.promised:
        parts.append(f"What I was told would happen: \u201c{report.promised.rstrip('.')}.\u201d")
    for field, yes, no in _REPORT_FACTS:
        value = getattr(report, field)
        if value is not None:
            parts.append(yes if value else no)
    return " ".join(part for part in parts if part)


def _concerns(reports: list[PoliceReport]) -> list[str]:
    concerns = []
    for report in reports:
        if report.updates_given is False:
            concerns.append("I have not been kept informed about the investigation.")
        if report.statement_taken is False:
            concerns.append("No statement has been taken from me.")
        if report.referred_to_support is False:
            concerns.append("I have not been referred to support.")
    return list(dict.fromkeys(concerns)) or ["[Say what went wrong with the police response.]"]


def _safety_asks(view: CaseView) -> list[str]:
    """Where the facts show domestic abuse (a partner or relative) or stalking: ask for a risk
    assessment and a referral to an independent advocate (Victims' Code Right 4)."""
    law = view.law
    matches = offence_matches(view.case, law)
    stalking = any(m.shown and m.id in {"pha_s2a", "pha_s4a"} for m in matches)
    domestic = any(connection(law, r) for r in view.case.respondents)
    if not (stalking or domestic):
        return []
    asks = law["wording"]["psd_risk_assessment"]
    # Only the advocate the facts fit: never an IDVA for a stranger, whose conduct may be
    # stalking but is not domestic abuse.
    who = [asks[f"advocate_{kind}"] for kind, shown in
           (("domestic", domestic), ("stalking", stalking)) if shown]  # fmt: skip
    return [asks["text"], asks["advocate"].format(who=" or ".join(who))]


def _voiced(entry: dict[str, Any], field: str, voice: str) -> str:
    """The closing request ``field`` of a law entry in the sender's voice: her own words
    (``letter``), or ``letter_firm`` / ``letter_adviser`` when someone writes for her, as the
    closing after her account is theirs (law/letters.yaml ``account_end``)."""
    return entry.get(f"{field}_{voice}", entry[field])


def _contacts(force: str, reports: list[PoliceReport]) -> list[tuple[Any, str]]:
    """Every contact with the police, oldest first, each once.

    A report is described in the person's own words when they recorded a contact on the day
    they reported; otherwise one plain sentence says it was made, and what was promised.
    """
    rows: list[tuple[Any, str]] = []
    for report in reports:
        own = {contact.date for contact in report.contacts}
        if report.date not in own:
            what = f"I reported the harassment to {force}"
            what += f" ({report.how})" if report.how else ""
            if report.crime_reference:
                what += f" and was given the crime reference {report.crime_reference}"
            what += "."
            if report.promised and not report.contacts:
                what += f" What I was told: \u201c{report.promised.rstrip('.')}.\u201d"
            rows.append((report.date, what))
        rows.extend((contact.date, contact.what) for contact in report.contacts)
    return sorted(dict.fromkeys(rows), key=lambda pair: pair[0])


def build(view: CaseView) -> dict[str, Any]:
    case = view.case
    law = view.law
    complaint = case.psd_complaint
    assert complaint is not None  # applies() guarantees it
    force = complaint.force or case.police_reports[0].force
    reports = sorted(
        (r for r in case.police_reports if r.force == force), key=lambda r: r.date
    ) or sorted(case.police_reports, key=lambda r: r.date)
    applicant = case.applicant

    contacts = _contacts(force, reports)
    adjustments = (complaint.adjustments or "").lower()
    sender = view.base["sender"]
    name = applicant.full_name
    own = view.base["applicant"]["contact"]
    safe = []
    # Said once: what the adjustments already ask for is not repeated in the contact line
    # (a voicemail being safe is always said: the adjustments may have been written before).
    client = sender["words"].get("client", "")
    if sender["on_behalf"]:
        # Replies go to the representative; the police may still need to reach the person.
        safe.append(
            f"If you need to contact {client} directly ({own}), please do so by "
            f"{applicant.safe_contact}."
            if applicant.safe_contact
            else f"If you need to contact {client} directly: {own}."
        )
        if applicant.voicemail_safe or "voicemail" not in adjustments:
            safe.append(
                f"It is safe to leave {client} a voicemail."
                if applicant.voicemail_safe
                else f"Please do not leave {client} voicemail messages."
            )
        write_to = sender["words"]["write_to"].format(contact=sender["contact"])
        contact_line = " ".join([write_to, *safe])
    else:
        if applicant.safe_contact and applicant.safe_contact.lower() not in adjustments:
            safe.append(f"Please contact me by {applicant.safe_contact}.")
        if applicant.voicemail_safe or "voicemail" not in adjustments:
            safe.append(
                "It is safe to leave me a voicemail."
                if applicant.voicemail_safe
                else "Please do not leave voicemail messages."
            )
        contact_line = " ".join([f"{name}. Contact: {own}.", *safe])

    enclosures = ["Harassment chronology", "Evidence schedule"]
    if case.evidence:
        enclosures.append(f"{sender['words']['evidence']} ({view.exhibit_range})")
    wording = law["wording"]
    return {
        "short_title": "Complaint to Professional Standards",
        "force": force,
        "crime_references": join_words([r.crime_reference for r in reports if r.crime_reference])
        or "none given (see below)",
        "contact_line": contact_line,
        "opening": sender["words"]["psd_opening"].format(
            law=law["statutes"]["pra_2002_sch3"]["cite"]
        ),
        "subject": (
            f"Complaint made on behalf of {name} about the police response to reports of harassment"
            if sender["on_behalf"]
            else "Complaint about the police response to my reports of harassment"
        ),
        "about_heading": (
            f"About {client} and safe contact"
            if sender["on_behalf"]
            else "About me and how to contact me safely"
        ),
        "adjustments": (
            (
                f"{sender['words']['adjustments']} \u201c{complaint.adjustments}\u201d"
                if sender["on_behalf"]
                else f"Adjustments I need: {complaint.adjustments}"
            )
            if complaint.adjustments
            else ""
        ),
        "reports": [
            {
                "date": view.when_text(r.date),
                "reference": r.crime_reference or (r.no_reference_reason or "none given"),
                "how": r.how or "",
                "officer": r.officer or "not known",
                "what": _what_reported(view, r),
            }
            for r in reports
        ],
        "contacts": [{"date": view.when_text(d), "what": w} for d, w in contacts],
        "concerns": [*complaint.concerns] or _concerns(reports),
        "rights": _rights(view, reports),
        "rights_intro": _rights_intro(view),
        "time_limit": _time_limit(view),
        "impact": view.impact_paragraphs()
        + (paragraphs(complaint.delay_explanation) if complaint.delay_explanation else []),
        "outcomes": [*(complaint.outcome_sought or DEFAULT_OUTCOMES), *_safety_asks(view)],
        "enclosures": enclosures,
        "psd": {
            "definition_line": (
                f"A complaint is \u201c{law['wording']['psd_definition']['quote']}\u201d "
                f"({law['wording']['psd_definition']['basis']}). "
                + (
                    f"The complaint is about the service {client} has received, not only about "
                    "any one officer."
                    if sender["on_behalf"]
                    else "My complaint is about the service I have received, not only about any "
                    "one officer."
                )
            ),
            "review_line": _voiced(wording["psd_review"], "letter", sender["voice"]),
            "pcc_line": dated(
                wording["psd_pcc_iopc"], _voiced(wording["psd_pcc_iopc"], "text", sender["voice"])
            ),
        },
    }
