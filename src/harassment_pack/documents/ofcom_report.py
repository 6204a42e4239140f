"""Report to Ofcom about a platform's compliance with its Online Safety Act duties.

Ofcom does not resolve individual complaints, so the report is framed as information about the
platform's compliance, says plainly that no individual response will come, and names only the
duties that the recorded facts suggest were not met (s.10, s.20, s.21).
"""

from __future__ import annotations

from typing import Any

from ..case import Incident, PlatformReport
from ..dates import sort_key
from ..law.offences import OffenceMatch, offence_matches
from ..render import breakable, lines, paragraphs
from .common import CaseView, join_words

TITLE = "Report to Ofcom about the platform"


def applies(view: CaseView) -> str | None:
    case = view.case
    if not case.platform_reports:
        return (
            "no report to a platform is recorded (Ofcom expects you to report to the "
            "platform first)"
        )
    if case.ofcom_report is not None and not case.ofcom_report.wanted:
        return "you chose not to send a report to Ofcom"
    return None


def _platforms(view: CaseView) -> list[str]:
    chosen = view.case.ofcom_report.platforms if view.case.ofcom_report else []
    reported = []
    for report in view.case.platform_reports:
        if report.platform not in reported:
            reported.append(report.platform)
    return [p for p in reported if not chosen or p in chosen]


def _duties(view: CaseView, reports: list[PlatformReport]) -> list[dict[str, str]]:
    statutes = view.law["statutes"]
    duties: list[dict[str, str]] = []

    def add(key: str, why: str) -> None:
        duties.append({"cite": statutes[key]["short"], "text": statutes[key]["duty"], "why": why})

    still_up = [r for r in reports if r.content_removed is not True]
    if still_up:
        dates = join_words([view.when_text(r.date) for r in still_up])
        add(
            "osa_2023_s10",
            f"the content I reported on {dates} was not taken down after I reported it.",
        )
    hard = [r for r in reports if r.difficulties]
    if hard:
        add("osa_2023_s20", " ".join(r.difficulties or "" for r in hard))
    unanswered = [r for r in reports if not r.response]
    if unanswered:
        days = [(view.today - r.date).days for r in unanswered]
        refs = join_words(
            [f"{view.when_text(r.date)}" + (f" (ref. {r.reference})" if r.reference else "")
             for r in unanswered]
        )  # fmt: skip
        add(
            "osa_2023_s21",
            f"I have had no response to my report of {refs}, after {max(days)} days.",
        )
    return duties


def _what_reported(view: CaseView, report: PlatformReport) -> str:
    """What was reported, how, and which incidents (numbered as in the chronology)."""
    parts = [report.what_reported or ""]
    if report.how:
        parts.append(f"How: {report.how}.")
    if report.incidents:
        parts.append(f"{view.incident_list(report.incidents)} in the chronology.")
    return " ".join(part for part in parts if part)


def _offences(view: CaseView, matches: list[OffenceMatch], incident: Incident) -> list[str]:
    """Offences that may be relevant to this item, each with the element that makes it so.

    Offences about one message come first, each with what the item was recorded as; those that
    need a course of conduct (harassment, stalking) follow in one line, because what makes them
    relevant is the other incidents from the same person. Only offences whose elements all hold
    are named (law.offences).
    """
    law = view.law
    found = [m for m in matches if m.shown and incident in m.incidents]
    single = [m for m in found if not m.offence["course_of_conduct"]]
    course = [m for m in found if m.offence["course_of_conduct"]]
    lines = []
    for match in single:
        why = law["offence_elements"][match.elements[0]]["short"]
        lines.append(f"{match.offence['name']} ({_short(law, match)}): recorded as {why}.")
    if course:
        cites = "; ".join(dict.fromkeys(_short(law, m) for m in course))
        lines.append(f"With the other incidents from the same person: {cites}.")
    return lines or ["None identified from what is recorded."]


def _short(law: dict[str, Any], match: OffenceMatch) -> str:
    statute = law["statutes"].get(match.offence["section"])
    return statute["short"] if statute else match.offence["section"]


def build(view: CaseView) -> dict[str, Any]:
    case = view.case
    law = view.law
    platforms = []
    matches = offence_matches(case, law)
    for number, name in enumerate(_platforms(view), start=2):
        incidents = [i for i in view.incidents if i.platform.lower() == name.lower()]
        reports = [r for r in case.platform_reports if r.platform == name]
        accounts = list(dict.fromkeys(i.account for i in incidents if i.account))
        rows = [
            {
                "when": view.when_text(i.when),
                "summary": i.summary,
                "words": lines(i.exact_words),
                "url": breakable(i.url),
                "offences": _offences(view, matches, i),
            }
            for i in incidents
        ]
        report_rows = [
            {
                "date": view.when_text(r.date),
                "reference": r.reference or "none given",
                "what": _what_reported(view, r),
                "response": (
                    f"{r.response} ({view.when_text(r.response_date)})"
                    if r.response and r.response_date
                    else r.response or f"No response after {(view.today - r.date).days} days"
                )
                + (" I asked them to look at it again (appeal)." if r.appealed else ""),
            }
            for r in reports
        ]
        dates = [i.when for i in incidents]
        first = view.when_text(min(dates, key=sort_key)) if dates else ""
        last = view.when_text(max(dates, key=sort_key)) if dates else ""
        source = (
            f" from the account{'s' if len(accounts) > 1 else ''} {join_words(accounts)}"
            if accounts
            else ""
        )
        content = (
            f"On {first}, 1 item of content or contact was directed at me on {name}{source}."
            if len(incidents) == 1
            else f"Between {first} and {last}, {len(incidents)} items of content or contact "
            f"were directed at me on {name}{source}."
        )
        platforms.append(
            {
                "number": number,
                "name": name,
                "content_text": content,
                "rows": rows,
                "reports": report_rows,
                "duties": _duties(view, reports)
                or [
                    {
                        "cite": "None identified",
                        "text": "The facts recorded do not show a failed duty.",
                        "why": "Add what went wrong with your reports, if anything did.",
                    }
                ],
            }
        )
    names = join_words([p["name"] for p in platforms])
    sender = view.base["sender"]
    applicant = view.base["applicant"]
    target = applicant["name"] if sender["on_behalf"] else "me"
    several = len(platforms) > 1
    subject, their = ("these services are", "their") if several else ("the service is", "its")
    crns = [r for r in case.police_reports if r.crime_reference]
    police_note = (
        "I have reported this to the police: "
        + join_words([f"{r.force} (crime reference {r.crime_reference})" for r in crns])
        + "."
        if crns
        else "I have not been given a crime reference number by the police."
    )
    notes = paragraphs(case.ofcom_report.notes) if case.ofcom_report else []
    return {
        "short_title": "Report to Ofcom",
        "sender_line": (
            f"{sender['described']}. Contact: {sender['contact']}."
            if sender["on_behalf"]
            else f"{applicant['name']}. Contact: {applicant['contact']}."
        ),
        "platforms_text": f"{names}",
        "platforms": platforms,
        # Ofcom assesses the platform: it does not need medical details or sick leave.
        "impact": view.impact_paragraphs(medical=False),
        "notes": notes,
        "ofcom": {
            "quote": law["wording"]["ofcom_no_individual"]["quote"],
            "expectation": (
                f"This report gives Ofcom information about how {names} dealt with content "
                f"directed at {target}, so that Ofcom can assess whether {subject} meeting "
                f"{their} duties. It does not ask Ofcom to resolve an individual complaint: Ofcom "
                "does not resolve individual complaints, it will not reply about this report, and "
                "it will not order particular posts to be removed."
            ),
            "police_note": police_note,
            "ask_heading": sender["words"]["ask_heading"],
            "ask": (
                f"Please take this information into account when you assess whether {names} "
                f"{subject.split()[-1]} meeting {their} duties to protect users from illegal "
                f"content and to deal with reports and complaints. {sender['words']['no_reply']}"
            ),
        },
    }
