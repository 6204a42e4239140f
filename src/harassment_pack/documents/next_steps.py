"""Next steps and support: what to send where, the dates that matter, and help that fits the case.

The urgent points and every deadline come from the same check that ``harassment-pack check``
prints (law.checks), so the sheet and the terminal never disagree. Helplines are chosen from
tags the case earns (intimate images, threats, money demands …) and from where the person lives,
so nobody is handed the IWF (it is only for child sexual abuse material), nor Report Fraud
unless there is a financial or hacking element, nor a service that does not cover their part of
the UK.
"""

from __future__ import annotations

from typing import Any

from ..case import Respondent
from ..dates import uk_date
from ..law import dated, helplines_for
from ..law.checks import Report, check_case
from ..law.offences import connection, course_of_conduct
from ..law.routes import court_route, interview_command, load_routes, plan_routes, route_title
from ..render import breakable
from .common import CaseView
from .injunction import solicitor_notes
from .supporting_statements import drafted

TITLE = "Next steps and support"
_NOBODY = Respondent(id="-", name="Unknown")

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
    "solicitor_notes": ("Your solicitor only", "Not for the court or the other side: it lists "
                        "the wording in the court papers to check before they are filed."),
    "evidence_schedule": ("With every document above", "Bring the original files too; their "
                          "fingerprints (SHA-256) show they have not been changed."),
}  # fmt: skip

CHECK_HINT = (
    "To see gaps in your case file, such as incidents without evidence, run "
    "'harassment-pack check' followed by your case folder."
)
CHECK_HINT_WEB = (
    'To see gaps in your case file, such as incidents without evidence, open "See what is '
    "urgent and your deadlines\" on your case's page."
)
"""The same hint for a pack made on the web pages: the button there, never a command."""

EVIDENCE_TIPS = [
    "Do not delete messages, posts or accounts, even upsetting ones: they are your evidence.",
    "Before you ask for anything to be taken down, capture it first: a screenshot that shows "
    "the date, the time and the account, the link (web address), and the platform's own copy "
    "(most platforms let you download your data or export a chat).",
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
    if _domestic(view):
        tags.add("domestic")
    return tags


def _domestic(view: CaseView) -> bool:
    """A current or former partner or a relative (law data ``relationships``)."""
    return any(connection(view.law, r) for r in view.case.respondents)


def _if_worse(view: CaseView) -> list[dict[str, Any]]:
    """What to do if things get worse: each item is law data with a source, dated (law.dated)
    where it is only partly verified. A list of points is dated once, in its title."""
    law = view.law
    case = view.case
    wording = law["wording"]
    items = [{"title": "If you cannot speak on a 999 call",
              "points": [dated(wording["silent_solution"])]}]  # fmt: skip
    if case.police_reports:
        # Any expression of dissatisfaction with the force counts as a complaint (PRA 2002).
        complain = "If that does not help, you can complain to the force. "
        items.append(
            {
                "title": "If it happens again",
                "points": [
                    dated(wording["new_incidents_same_crime_reference"]),
                    dated(wording["escalate_to_supervisor"]),
                    complain + dated(wording["psd_definition"]),
                ],
            }
        )
    if case.jurisdiction == "england_wales" and case.injunction and case.injunction.sought:
        # A non-molestation order is enforced under another Act, in another court, on another
        # form: what to do if it is broken follows the route the court papers are for.
        family = court_route(case) == "non_molestation"
        breach = wording["order_breached_family" if family else "order_breached"]
        points = list(breach["points"])
        form = law["forms"]["n600"]
        if not family and form["status"] != "unverified":  # shown once the number is checked
            points.append(dated(form, f"The form for a contempt application is {form['name']}."))
        items.append({"title": dated(breach, breach["title"]), "points": points})
    keep = wording["platform_preservation"]
    items.append({"title": keep["title"], "points": [dated(keep)]})
    unknown = [i for i in case.incidents if not (case.respondent(i.respondent) or _NOBODY).known]
    if unknown and case.jurisdiction == "england_wales":
        who = wording["unknown_account_holder"]
        items.append({"title": dated(who, who["title"]), "points": who["points"]})
    return items


def _helplines(view: CaseView) -> list[dict[str, str]]:
    """Helplines that fit the case's tags and cover the person's part of the UK."""
    rows = []
    for line in helplines_for(view.law, case_tags(view)):
        if view.case.jurisdiction not in line.get("jurisdictions", [view.case.jurisdiction]):
            continue
        tel = line.get("tel") and dated(line, line["tel"], "number", "tel")
        web = line.get("web") and breakable(str(line["web"]))  # never "…stalking.or⏎g"
        contact = " / ".join(str(c) for c in (tel, web) if c)
        hours = line.get("hours") and dated(line, line["hours"], "hours", "hours")
        rows.append(
            {
                "name": line["name"],
                "contact": contact,
                "hours": hours or "",
                "scope": line["scope"],
            }
        )
    return rows


def _costs(view: CaseView) -> tuple[list[str], list[str]]:
    """Court fees that apply, with the date each applies from, and funding notes to check."""
    law = view.law
    case = view.case
    if case.jurisdiction != "england_wales":
        place = law["jurisdictions"][case.jurisdiction]["name"]
        return [
            f"Court fees, help with fees and legal aid work differently in {place}. Ask a "
            "solicitor there what a court application would cost."
        ], []
    fees = []
    injunction = case.injunction
    if injunction and injunction.sought:
        application = (
            "application_without_notice_or_consent"
            if injunction.without_notice
            else "application_on_notice"
        )
        for key in ("county_court_injunction_claim_issue", application):
            fee = law["fees"][key]
            fees.append(
                dated(
                    fee,
                    f"{fee['description']}: \u00a3{fee['gbp']} (from {uk_date(fee['from'])})",
                    "fee",
                )
            )
    help_with_fees = law["help_with_fees"]
    fees.append(
        f"Help with court fees: form {help_with_fees['form']} (guidance "
        f"{help_with_fees['guidance']}), or online at {help_with_fees['web']}. "
        f"{help_with_fees['note']}"
    )
    # Unverified notes (legal aid scope, fee agreements) are not shown until they are checked.
    notes = [law["fees_note"], *law["funding_notes"].values()]
    funding = [
        "Information to check, not advice:",
        *(dated(n) for n in notes if n["status"] != "unverified"),
        "Ask a solicitor how a claim could be funded, including whether legal aid is available.",
    ]
    return fees, funding


def _keep_recording(view: CaseView, report: Report) -> list[str]:
    """What to record, and when a harassment claim becomes possible, before there is a course
    of conduct (PHA s.7(3)): the pack then holds no court documents unless asked for."""
    law = view.law
    folder = interview_command(load_routes(), "{folder}", view.folder)
    rule = law["wording"]["course_of_conduct"]["text"].rstrip(".")
    section = f"{law['statutes']['pha_s7']['short']}(3)"
    lines = [
        f"{rule} ({section}). Your case file does not show two incidents involving the same "
        "person yet, so this pack has no witness statement or court application.",
        "If it happens again, add each new incident to your case straight away: the date and "
        "time, the exact words, the account, number or address it came from, and a screenshot "
        "that shows the date and the link. Say who you believe sent it and why.",
        "A second incident involving the same person can make a course of conduct. "
        + ("Build the pack again then" if view.parts is None else "Make your documents again then")
        + ", and it will include the witness statement for a solicitor to check.",
        "If a solicitor asks for the court documents before then, "
        + (
            "build them by name, for example with this command:"
            if view.parts is None
            # Made on the web pages: no command its reader could type there.
            else "they can make them by name from your case folder with harassment-pack."
        ),
        *(
            # A line of its own, so that the page never breaks the command after "--".
            [f"harassment-pack build {folder} --only witness_statement"]
            if view.parts is None
            else []
        ),
        "A single message can still be a crime on its own: you can report it to the police now.",
    ]
    if report.get("civil_limit") is not None and view.case.jurisdiction == "england_wales":
        limit = law["time_limits"]["civil_pha_6_years"]["description"]
        lines.append(f"Once a claim is possible, it must be started in time. {limit}")
    return lines


def _witnesses(view: CaseView) -> tuple[list[dict[str, str]], list[str]]:
    """Who each supporting statement goes to, with how to reach them, and who declined.

    Their contact details are here, on her own sheet, and nowhere that is served.
    """
    title = view.applicable.get("supporting_statements")
    must_be = view.law["statement_of_truth"]["witness"]["must_be"]
    rows = [
        {
            "document": f"{title}: the statement of {witness.full_name}",
            "to": witness.full_name + (f" ({witness.contact})" if witness.contact else ""),
            "how": "Ask them to read the draft, correct anything that is not right or not in "
            f"their own words, and then sign it. {must_be}",
        }
        for witness in drafted(view.case)
        if title
    ]
    declined = [
        f"Not prepared: a statement for {witness.full_name}, because you said they do not "
        "want to give one. You can tell your solicitor what they saw."
        for witness in view.case.witnesses
        if witness.willing is False
    ]
    return rows, declined


def build(view: CaseView) -> dict[str, Any]:
    law = view.law
    case = view.case
    report = check_case(case, law, view.today, view.folder, view.parts)
    send = [
        {"document": title, "to": SEND_TO[name][0], "how": SEND_TO[name][1]}
        for name, title in view.applicable.items()
        if name in SEND_TO
    ]
    court = "injunction_application" in view.applicable
    for row in send:
        if row["document"] == view.applicable.get("witness_statement") and not court:
            row["to"] = "A solicitor, or the police with your report"
    if court:
        send.insert(0, {
            "document": "Court bundle (court-bundle.pdf)",
            "to": "The County Court hearing centre",
            "how": "Everything the court needs in one file. File this, not pack.pdf: the pack "
                   "also holds your letters to the police and Ofcom and this sheet.",
        })  # fmt: skip
    skipped = [f"Not prepared: {title}, because {reason}." for title, reason in view.skipped]
    rows, declined = _witnesses(view)
    send += rows
    skipped += declined
    urgent = [{"title": f.title, "text": f.text} for f in report.findings("urgent")]
    claim_possible = course_of_conduct(case, law)
    deadlines = [
        {"date": uk_date(f.due) if f.due else "Date not known yet", "title": f.title,
         "text": f.text}
        # Soonest first (a charge's 6 months before a claim's 6 years); an unknown date last.
        for f in sorted(report.findings("deadlines"), key=lambda f: (f.due is None, f.due or 0))
        # Before there is a course of conduct the civil limit is explained under "Keep
        # recording", as a date that matters once a claim becomes possible.
        if claim_possible or f.code != "civil_limit"
    ]  # fmt: skip
    place = law["jurisdictions"][case.jurisdiction]
    jurisdiction = (
        {"name": place["name"], "differences": place["differences"]}
        if case.jurisdiction != "england_wales"
        else None
    )
    fees, funding = _costs(view)
    emergency = law["helplines"]["police_emergency"]
    plan = plan_routes(case, folder=view.folder, parts=view.parts)
    routes = [
        {
            "title": f"{n}. {route_title(route)}",
            "text": f"{route.court}. Who applies: {route.who_applies.rstrip('.')}. "
            f"Cost: {route.cost}.",
            "reasons": [*route.reasons, *route.caveats],
        }
        for n, route in enumerate(plan.routes, start=1)
    ]
    return {
        "short_title": TITLE,
        "routes": routes,
        "court_papers": report.court_papers["text"] if report.court_papers else "",
        "solicitor_notes": solicitor_notes(view),
        "route_notes": list(plan.notes),
        "emergency": {
            "tel": emergency["tel"],
            "text": "For anything that is not an emergency, call the police on "
            f"{law['helplines']['police_non_emergency']['tel']} or report online.",
        },
        "urgent": urgent,
        "if_worse": _if_worse(view),
        "keep_recording": None if claim_possible else _keep_recording(view, report),
        "jurisdiction": jurisdiction,
        "send": send,
        "skipped": skipped,
        "deadlines": deadlines
        or [
            {
                "date": "None yet",
                "title": "No time limit found",
                "text": "harassment-pack found no deadline that applies to what is recorded so "
                "far. Add every new incident: it may start one.",
            }
        ],
        "check_hint": CHECK_HINT if view.parts is None else CHECK_HINT_WEB,
        "helplines": _helplines(view),
        "fees": fees,
        "funding": funding,
        "evidence_tips": EVIDENCE_TIPS,
    }
