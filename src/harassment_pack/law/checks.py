"""Checks on a case: what is urgent, which dates matter, what may apply and what is missing.

People act too late or on the wrong law: the 6-month limit for summary offences runs from the
last incident, a single incident is not a course of conduct, and a court will notice an exhibit
that is never referred to. ``check_case`` reads the case file against the legal data and returns
a :class:`Report` grouped by severity, which ``harassment-pack check`` prints and the documents
(next steps, the police complaint) reuse, so every place gives the same dates and advice.

Every legal fact (numbers, sections, time limits, wording) comes from the law data; this module
only decides which facts apply. "Today" is passed in, never read from the clock, so a report is
reproducible and testable.
"""

from __future__ import annotations

import difflib
import json
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from ..case import EXHIBIT_LABEL, Case, Incident, PoliceReport, exhibit_label
from ..dates import ApproxDate, split_by_day, uk_date, uk_day, uk_month
from . import dated, load_data
from .deadlines import (
    Deadline,
    civil_limit,
    review_window,
    s127_evidence,
    s127_limit,
    summary_limit,
)
from .offences import OffenceMatch, offence_matches
from .routes import court_papers, plan_routes, route_title

Level = Literal["alert", "warning", "note", "ok"]

SECTIONS: dict[str, str] = {
    "urgent": "Urgent",
    "routes": "Which route fits, best first",
    "jurisdiction": "Where you live",
    "deadlines": "Deadlines",
    "course_of_conduct": "Course of conduct",
    "may_apply": "What may apply",
    "gaps": "Gaps",
}
"""Report sections in the order they are shown; 'jurisdiction' appears only outside E&W.
Urgent (with 999) stays at the top: what keeps a person safe comes before which court to use."""

INTRO = (
    "This check helps you and a solicitor see what to do next. It gives information, not legal "
    "advice, and it can only see what is in your case file."
)
MAY_APPLY_INTRO = (
    "Information, not advice: these are offences that may be relevant, for the police or a "
    "solicitor to consider. Each says what in your case file makes it so (the kinds of incident, "
    "how many there were, how you know the person) and what else would have to be shown. Only "
    "the police, prosecutors or a court can decide whether an offence was committed."
)

THREAT_KINDS = {"threat", "threat_to_kill", "threat_serious_harm"}
IMAGE_KINDS = {"intimate_image", "intimate_image_threat"}

NAME_SIMILARITY = 0.8
"""How alike two name-like words must be (difflib ratio) to be flagged as a possible misspelling."""
_NAME_WORD = re.compile(r"\b[A-Z][a-z]{2,}(?:['\u2019]s)?\b")
_NOT_NAMES = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}


@dataclass(frozen=True)
class Finding:
    """One thing the check found: a short title, plain sentences, and optional detail lines."""

    code: str
    title: str
    text: str
    level: Level = "note"
    items: tuple[str, ...] = ()
    due: date | None = None


@dataclass
class Report:
    """The findings for a case, grouped by section (see :data:`SECTIONS`)."""

    today: date
    jurisdiction: str
    sections: dict[str, list[Finding]] = field(
        default_factory=lambda: {name: [] for name in SECTIONS}
    )
    intros: dict[str, list[str]] = field(default_factory=dict)
    """Lines shown at the top of a section before its findings (e.g. 'call 999')."""
    unverified_offences: list[dict[str, Any]] = field(default_factory=list)
    """Offences whose elements match but whose data is unverified: in --json only, never shown."""
    court_papers: dict[str, Any] | None = None
    """Which route the court papers are for (``routes.CourtPapers``); None without papers."""

    def add(self, section: str, finding: Finding) -> None:
        self.sections[section].append(finding)

    def findings(self, section: str) -> list[Finding]:
        return self.sections[section]

    def codes(self, section: str | None = None) -> list[str]:
        chosen = [section] if section else list(self.sections)
        return [finding.code for name in chosen for finding in self.sections[name]]

    def get(self, code: str) -> Finding | None:
        return next((f for fs in self.sections.values() for f in fs if f.code == code), None)

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``: dates in ISO form and, beside them, in words."""
        sections = []
        for name, findings in self.sections.items():
            if not findings and name not in self.intros:
                continue
            rows = []
            for finding in findings:
                row = asdict(finding)
                row["items"] = list(finding.items)
                row["due"] = finding.due.isoformat() if finding.due else None
                row["due_text"] = uk_date(finding.due) if finding.due else None
                rows.append(row)
            sections.append(
                {
                    "id": name,
                    "title": SECTIONS[name],
                    "intro": self.intros.get(name, []),
                    "findings": rows,
                }
            )
        return {
            "today": self.today.isoformat(),
            "jurisdiction": self.jurisdiction,
            "intro": INTRO,
            "sections": sections,
            "court_papers": self.court_papers,
            "unverified_offences": self.unverified_offences,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_text(self, colour: bool = False, width: int = 88) -> str:
        """The report as the terminal shows it; ANSI colour only when asked (a TTY)."""
        paint = _painter(colour)
        out = [paint(f"Checked on {uk_date(self.today)}", "bold"), *_wrap(INTRO, width, "")]
        marks = {"alert": "[!]", "warning": "[!]", "note": "[i]", "ok": "[ok]"}
        styles = {"alert": "red", "warning": "yellow", "note": "", "ok": "green"}
        for name, findings in self.sections.items():
            intro = self.intros.get(name, [])
            if not findings and not intro:
                continue
            out.append("")
            out.append(paint(SECTIONS[name].upper(), "bold red" if name == "urgent" else "bold"))
            for line in intro:
                out.extend(
                    paint(row, "bold" if name == "urgent" else "")
                    for row in _wrap(line, width, "  ")
                )
            for finding in findings:
                mark = marks[finding.level]
                head = f"  {mark} {finding.title}"
                if finding.due:
                    head += f": {uk_date(finding.due)}"
                out.append(paint(head, f"bold {styles[finding.level]}".strip()))
                out.extend(_wrap(finding.text, width, "      "))
                for item in finding.items:
                    out.extend(_wrap(item, width, "      - ", "        "))
        return "\n".join(out) + "\n"


def _wrap(text: str, width: int, first: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


_ANSI = {"bold": "1", "red": "31", "yellow": "33", "green": "32"}


def _painter(colour: bool):
    def paint(text: str, style: str) -> str:
        codes = [_ANSI[word] for word in style.split()]
        if not colour or not codes:
            return text
        return f"\033[{';'.join(codes)}m{text}\033[0m"

    return paint


# ---------------------------------------------------------------------------- helpers


class _Refs:
    """Incident references as the chronology shows them: 'C5 (3 July 2026)'."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.ordered = case.incidents_in_order()
        self.number = case.incident_numbers()

    def one(self, incident: Incident) -> str:
        return f"{self.number[incident.id]} ({uk_date(incident.when)})"

    def many(self, incidents: Sequence[Incident], limit: int = 8) -> str:
        shown = [self.one(i) for i in incidents[:limit]]
        if len(incidents) > limit:
            shown.append(f"and {len(incidents) - limit} more")
        return ", ".join(shown)

    def name(self, respondent_id: str | None) -> str:
        respondent = self.case.respondent(respondent_id)
        if respondent is None or not respondent.known:
            return "an unknown person"
        return respondent.name

    def by_respondent(self) -> dict[str | None, list[Incident]]:
        groups: dict[str | None, list[Incident]] = {}
        for incident in self.ordered:
            groups.setdefault(incident.respondent, []).append(incident)
        return groups


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _helpline(law: dict[str, Any], key: str) -> str:
    """'Name: 0345 6000 459 (Monday to Friday, 10am to 4pm), web' from the law data."""
    line = law["helplines"][key]
    tel = line.get("tel") and dated(line, line["tel"], "number", "tel")
    contact = ", ".join(str(c) for c in (tel, line.get("web")) if c)
    hours = f" ({dated(line, line['hours'], 'hours', 'hours')})" if line.get("hours") else ""
    return f"{line['name']}: {contact}{hours}" if contact else line["name"]


def _before(first: date | datetime, second: date | datetime) -> bool:
    """Whether ``first`` is earlier than ``second``, by the clock when both have times."""
    if isinstance(first, datetime) and isinstance(second, datetime):
        return first < second
    return uk_day(first) < uk_day(second)


# ---------------------------------------------------------------------------- Victims' Code


@dataclass(frozen=True)
class UnmetRight:
    """A Victims' Code right that the recorded facts suggest was not met, and why."""

    number: int
    text: str
    why: str


def victims_code_in_force(law: dict[str, Any], day: date) -> bool:
    """Whether ``day`` falls in the window in which the edition of the Victims' Code that the
    rights were read from is known to be the Code in operation: from its start to its end, or,
    while no end is known, to the last date a source confirmed it. Outside it, nobody can say
    from the data which Code applies, so the rights are not cited as current."""
    edition = law["statutes"]["victims_code"]["edition"]
    end = edition["in_force_until"]
    if end is not None:
        return edition["in_force_from"] <= day < end
    return edition["in_force_from"] <= day <= edition["confirmed_current_on"]


def victims_code_words(law: dict[str, Any], key: str, day: date) -> str:
    """The Victims' Code sentence ``key`` ('not_current', 'recheck') filled in from the data."""
    code = law["statutes"]["victims_code"]
    edition = code["edition"]
    return code[key].format(
        edition=edition["name"],
        start=uk_date(edition["in_force_from"]),
        confirmed=uk_date(edition["confirmed_current_on"]),
        today=uk_date(day),
    )


def unmet_victims_rights(reports: Sequence[PoliceReport], law: dict[str, Any]) -> list[UnmetRight]:
    """Rights 2, 3, 4 and 6 that the police reports suggest were not met, in right order.

    Only facts the person recorded count (``False``, not unknown), so nothing is alleged that
    the case file does not say.
    """
    texts = {right["number"]: right["text"] for right in law["victims_code_rights"]}
    found: dict[int, str] = {}
    for report in sorted(reports, key=lambda r: r.date):
        when = uk_date(report.date)
        if not report.crime_reference:
            found.setdefault(2, f"No crime reference number was given for the report of {when}.")
        if report.written_confirmation is False:
            found.setdefault(3, f"No written confirmation was given of the report of {when}.")
        if report.referred_to_support is False:
            found.setdefault(4, "No referral to a support service has been made.")
        if report.updates_given is False:
            since = f" since {uk_date(report.last_contact)}" if report.last_contact else ""
            found.setdefault(6, f"No information about the investigation has been given{since}.")
    return [UnmetRight(n, texts[n], why) for n, why in sorted(found.items())]


# ---------------------------------------------------------------------------- the check


def check_case(
    case: Case,
    law: dict[str, Any],
    today: date,
    folder: str | None = None,
    parts: Mapping[str, str] | None = None,
) -> Report:
    """Check ``case`` against the legal data as it stands on ``today``.

    ``folder`` is the case folder as the person typed it, for the commands the report gives;
    for the web pages ``parts`` (each part's title, by section) names the part of the questions
    to answer instead of a command (``routes.answer_where``).
    """
    report = Report(today=today, jurisdiction=case.jurisdiction)
    refs = _Refs(case)
    _routes(case, report, folder, parts)
    _urgent(case, law, refs, report)
    _jurisdiction(case, law, report)
    _deadlines(case, law, refs, report, today)
    _course_of_conduct(case, law, refs, report)
    _may_apply(case, law, refs, report)
    _gaps(case, refs, report, today)
    return report


def _routes(
    case: Case, report: Report, folder: str | None, parts: Mapping[str, str] | None
) -> None:
    """The legal routes that fit, best first (law/routes.yaml), which one the court papers are
    for and why, and why the other routes do not fit."""
    plan = plan_routes(case, folder=folder, parts=parts)
    if case.jurisdiction != "england_wales":
        return
    report.intros["routes"] = [
        "Information, not advice: these are the ways the law can protect you that fit what "
        "your case file says, the best fit first. A solicitor can confirm which to use.",
        *plan.notes,
    ]
    for number, route in enumerate(plan.routes, start=1):
        text = f"{route.court}. Who applies: {route.who_applies.rstrip('.')}. Cost: {route.cost}."
        level: Level = "warning" if number == 1 else "note"
        title = f"{number}. {route_title(route)}"
        items = (*route.reasons, *route.caveats)
        report.add("routes", Finding(f"route:{route.id}", title, text, level, items))
    papers = court_papers(case, folder, parts)
    if papers is not None:
        # Right after the first route, so nobody reads route 1 and files papers for another.
        report.court_papers = papers.to_dict()
        level = "warning" if papers.route != papers.best or not papers.drafted else "note"
        finding = Finding("court_papers", "Your court papers", papers.text, level)
        report.sections["routes"].insert(min(1, len(report.sections["routes"])), finding)
    if plan.not_fitting:
        items = tuple(f"{name}: {why}." for name, why in plan.not_fitting)
        report.add(
            "routes",
            Finding("routes_not_fitting", "Routes that do not fit (yet)", "", "note", items),
        )


def _urgent(case: Case, law: dict[str, Any], refs: _Refs, report: Report) -> None:
    helplines = law["helplines"]
    emergency = helplines["police_emergency"]["tel"]
    report.intros["urgent"] = [f"If you are in immediate danger, call {emergency}."]
    threats = [i for i in refs.ordered if THREAT_KINDS & set(i.kinds)]
    images = [i for i in refs.ordered if IMAGE_KINDS & set(i.kinds)]
    stalking_kinds = set(law["offence_elements"]["stalking_behaviour"]["test"]["kinds"])
    stalking = {}
    for rid, incidents in refs.by_respondent().items():
        hits = [i for i in incidents if stalking_kinds & set(i.kinds)]
        if rid is not None and len(hits) >= 2:
            stalking[rid] = hits

    if threats:
        to_kill = [i for i in threats if "threat_to_kill" in i.kinds]
        other = [i for i in threats if i not in to_kill]
        parts = []
        if to_kill:
            noun = "a threat" if len(to_kill) == 1 else "threats"
            parts.append(f"{noun} to kill you: {refs.many(to_kill)}")
        if other:
            parts.append(f"{'other threats' if to_kill else 'threats'}: {refs.many(other)}")
        text = (
            f"Your case file records {'; and '.join(parts)}. Take threats seriously. If you "
            f"think the person may act on a threat, call {emergency}. Give the police the "
            "exact words of every threat and the date and time it was sent."
        )
        title = "Threats to kill you" if to_kill else "Threats against you"
        report.add("urgent", Finding("threats", title, text, "alert"))

    if images:
        shared = any("intimate_image" in i.kinds for i in images)
        what = "intimate images of you being shared" if shared else "threats to share"
        what += "" if shared else " intimate images of you"
        text = (
            f"Your case file records {what}: {refs.many(images)}. Specialist services can "
            "help to get images taken down and stop them being shared. Keep your evidence, but "
            "do not send the images to anyone yourself."
        )
        items = (
            f"If you are 18 or over: {_helpline(law, 'revenge_porn_helpline')}. "
            f"{helplines['revenge_porn_helpline']['scope']}",
            f"If you are under 18: {_helpline(law, 'report_remove')}. "
            f"{helplines['report_remove']['scope']}",
        )
        title = "Intimate images shared or threatened"
        report.add("urgent", Finding("intimate_images", title, text, "alert", items))

    for rid, hits in stalking.items():
        name = refs.name(rid)
        items = [
            f"{_helpline(law, 'national_stalking_helpline')}. "
            f"{helplines['national_stalking_helpline']['scope']}"
        ]
        if threats or any("doxxing" in i.kinds for i in hits):
            items.append(f"{_helpline(law, 'paladin')}. {helplines['paladin']['scope']}")
        spo = f" {law['wording']['spo_request']['text']}" if case.jurisdiction != "scotland" else ""
        text = (
            f"Your case file records {_plural(len(hits), 'incident')} in which {name} "
            "contacted you, watched or monitored you, posted about you or where you live, or "
            f"pretended to be you: {refs.many(hits)}. This pattern can be stalking, and "
            f"stalking can get worse. Tell the police you think it may be stalking.{spo}"
        )
        title = f"A pattern that may be stalking ({name})"
        report.add("urgent", Finding(f"stalking_pattern:{rid}", title, text, "alert", tuple(items)))

    if not (threats or images or stalking):
        report.intros["urgent"].append("Nothing in your case file needs urgent action.")
        return
    if case.jurisdiction == "england_wales":
        first = plan_routes(case).first
        court = (
            "the family court for a non-molestation order"
            if first is not None and first.id == "non_molestation"
            else "the County Court for an injunction"
        )
        text = (
            f"A solicitor can help you ask {court} without notice "
            "(without telling the other person first) when the danger is real and urgent. "
            + law["wording"]["no_timescale"]["text"]
        )
        injunction = case.injunction
        papers = court_papers(case)
        if papers is not None and injunction is not None and injunction.without_notice:
            chosen = ", the court papers you chose" if papers.switch_to else ""
            text += (
                " Your case file already asks for an order without notice: harassment-pack "
                f"prepares the application for {papers.name} and a draft order{chosen}."
                if papers.drafted
                else " Your case file already asks for an order without notice: harassment-pack "
                f"drafts the application for {papers.name} once the order says what they must "
                'stop doing (see "Your court papers").'
            )
        title = "Consider an urgent court order"
    else:
        place = law["jurisdictions"][case.jurisdiction]["name"]
        text = (
            f"Courts in {place} can also protect you, but the forms and the law are different "
            "from England and Wales. Ask a solicitor where you live about urgent protection."
        )
        title = "Consider urgent protection from a court"
    report.add("urgent", Finding("urgent_injunction", title, text, "warning"))


def _jurisdiction(case: Case, law: dict[str, Any], report: Report) -> None:
    if case.jurisdiction == "england_wales":
        return
    place = law["jurisdictions"][case.jurisdiction]
    text = (
        f"Your case file says you are in {place['name']}. harassment-pack prepares court "
        "documents and police complaints for England and Wales only, so those are not in your "
        f"pack. This is what differs in {place['name']}:"
    )
    title = f"The law in {place['name']} is different"
    report.add(
        "jurisdiction", Finding("jurisdiction", title, text, "warning", tuple(place["differences"]))
    )


def _deadline_finding(
    code: str, title: str, deadline: Deadline, today: date, text: str, *, passed: str, soon: str
) -> Finding:
    """A dated finding whose level and last sentence follow the deadline's state on ``today``."""
    state = deadline.state(today)
    extra = {"passed": passed, "soon": soon, "open": ""}[state]
    level: Level = {"passed": "alert", "soon": "warning", "open": "note"}[state]
    return Finding(code, title, f"{text} {extra}".strip(), level, due=deadline.due)


def _deadlines(case: Case, law: dict[str, Any], refs: _Refs, report: Report, today: date) -> None:
    if case.jurisdiction == "england_wales":
        _summary_deadlines(case, law, refs, report, today)
    elif case.incidents:
        place = law["jurisdictions"][case.jurisdiction]["name"]
        text = (
            f"harassment-pack does not hold the time limits for criminal charges in {place}, so "
            "apart from any date below it cannot work them out. Report to the police without "
            "delay, and tell them about every new incident."
        )
        title = f"Criminal charges in {place}"
        report.add("deadlines", Finding("criminal_limits_unchecked", title, text, "warning"))
    _s127_deadline(case, law, report, today)
    _civil_deadline(case, law, report, today)
    if case.jurisdiction == "england_wales" and case.psd_complaint and case.psd_complaint.wanted:
        _review_deadline(case, law, report, today)


def _summary_deadlines(
    case: Case, law: dict[str, Any], refs: _Refs, report: Report, today: date
) -> None:
    """The 6-month limit per person: each course of conduct has its own last incident.

    Only for people whose incidents may be a summary-only offence under the offence rules: one
    insult is not a course of conduct, so no harassment time limit is counted for it.
    """
    statutes = law["statutes"]
    summary = {
        m.respondent
        for m in offence_matches(case, law)
        if m.shown and m.offence["time_limit"] == "summary_6_months_from_last_incident"
    }
    groups = {rid: hits for rid, hits in refs.by_respondent().items() if rid is not None}
    for rid, hits in (groups or refs.by_respondent()).items():
        if rid not in summary:
            continue
        deadline = summary_limit(case, law, hits)
        if deadline is None:
            continue
        who = f" involving {refs.name(rid)}" if len(groups) > 1 else ""
        text = (
            f"{deadline.text} The last incident{who} was {refs.one(hits[-1])}, so the 6 months "
            f"end on {uk_date(deadline.due)}. A new incident starts the 6 months again."
        )
        passed = (
            "That date has passed: unless there is a newer incident, the police can no longer "
            "charge the summary-only offences of harassment and stalking "
            f"({statutes['pha_s2']['short']} and {statutes['pha_s2a']['short']}) for this "
            f"conduct. {law['time_limits']['none']['description']}"
        )
        soon = (
            "Less than a month is left. If the police have not acted, tell them about this "
            "date now, in writing."
        )
        title = f"Summary-only charges such as harassment or stalking{who} (6-month limit)"
        finding = _deadline_finding(
            f"summary_limit:{rid}", title, deadline, today, text, passed=passed, soon=soon
        )
        report.add("deadlines", finding)


def _s127_deadline(case: Case, law: dict[str, Any], report: Report, today: date) -> None:
    longstop = s127_limit(case, law)
    if longstop is None:
        return
    evidence = s127_evidence(case, law)
    text = (
        f"{longstop.text} The earliest message that may be covered was sent on "
        f"{uk_date(longstop.start)}, so its 3 years end on "
        f"{uk_date(longstop.due)}; later messages have later dates."
    )
    if evidence is not None:
        text += (
            " Only the prosecutor knows when they had enough evidence. If that was when you "
            f"first reported to the police ({uk_date(evidence.start)}), the "
            f"6 months would end on {uk_date(evidence.due)}."
        )
    title = f"Offensive or menacing messages ({law['statutes']['ca_2003_s127']['short']})"
    passed = "That date has passed for the earliest message."
    finding = _deadline_finding("s127_limit", title, longstop, today, text, passed=passed, soon="")
    if evidence is not None:
        # Dated by the earliest day it may fall (acting late is the greater harm), and a
        # warning as soon as that earlier limb is near.
        level = "warning" if finding.level == "note" and evidence.state(today) != "open" else None
        finding = replace(
            finding, level=level or finding.level, due=min(evidence.due, longstop.due)
        )
    report.add("deadlines", finding)


def _civil_deadline(case: Case, law: dict[str, Any], report: Report, today: date) -> None:
    civil = civil_limit(case, law)
    if civil is None:
        if case.jurisdiction == "northern_ireland" and case.incidents:
            text = (
                "harassment-pack does not hold the time limit for a civil harassment claim in "
                "Northern Ireland. Ask a solicitor soon."
            )
            report.add("deadlines", Finding("civil_limit", "A civil claim", text, "warning"))
        return
    start = civil.start
    text = (
        f"{civil.text} Counting from the first incident, {uk_date(start)}, the limit ends on "
        f"{uk_date(civil.due)}. Ask a solicitor when the time starts to run; this counts from "
        "the first incident to be safe."
    )
    passed = (
        "That date has passed for the earliest incidents; ask a solicitor which incidents a "
        "claim can still cover."
    )
    soon = "Less than six months are left: speak to a solicitor now."
    title = f"A civil claim for damages ({civil.due.year - start.year}-year limit)"
    finding = _deadline_finding("civil_limit", title, civil, today, text, passed=passed, soon=soon)
    report.add("deadlines", finding)


def _review_deadline(case: Case, law: dict[str, Any], report: Report, today: date) -> None:
    window = review_window(case, law)
    title = "Review of your police complaint (28 days)"
    if window is None:
        text = (
            f"{law['time_limits']['police_complaint_review_28_days']['description']} When you "
            "get the outcome letter, note its date: harassment-pack can then work out your "
            "last day (it goes in the police complaint section of your case)."
        )
        report.add("deadlines", Finding("review_window", title, text))
        return
    text = (
        f"{window.text} You were given the outcome on {uk_date(window.start)}, "
        f"so the last day to ask is {uk_date(window.due)}."
    )
    passed = (
        "That date has passed. Ask a solicitor or the review body named in the outcome letter "
        "what you can still do."
    )
    soon = "There is less than a week left: ask for the review now."
    finding = _deadline_finding(
        "review_window", title, window, today, text, passed=passed, soon=soon
    )
    report.add("deadlines", finding)


def _course_of_conduct(case: Case, law: dict[str, Any], refs: _Refs, report: Report) -> None:
    rule = law["wording"]["course_of_conduct"]["text"].rstrip(".")
    section = f"{law['statutes']['pha_s7']['short']}(3)"
    groups = refs.by_respondent()
    linked = {rid: hits for rid, hits in groups.items() if rid is not None}
    met = {rid: hits for rid, hits in linked.items() if len(hits) >= 2}
    where = ""
    if case.jurisdiction != "england_wales":
        where = " This is the rule in England and Wales; check the rule where you live."
    for rid, hits in met.items():
        name = refs.name(rid)
        text = (
            f"{_plural(len(hits), 'incident')} involving {name}, from {uk_date(hits[0].when)} "
            f"to {uk_date(hits[-1].when)}. {rule} ({section}). There are enough occasions "
            "here; whether the conduct amounts to harassment is for the police or a court to "
            f"decide.{where}"
        )
        title = f"{name}: {_plural(len(hits), 'incident')}"
        report.add("course_of_conduct", Finding(f"course_of_conduct:{rid}", title, text, "ok"))
    if not met:
        count = len(case.incidents)
        if count <= 1:
            recorded = "only one incident" if count else "no incidents yet"
        elif len(linked) == 1:
            name = refs.name(next(iter(linked)))
            recorded = f"{count} incidents, but only one is linked to {name}"
        else:
            recorded = f"{count} incidents, but no two involve the same person"
        single = (
            "Other offences can still apply to a single message (see What may apply)."
            if any(m.shown for m in offence_matches(case, law))
            else "Some offences can apply to a single message, such as a threat or grossly "
            "offensive content, but none fits what is recorded so far."
        )
        text = (
            f"Your case file has {recorded}. {rule} ({section}). So, for now, a harassment "
            f"claim or charge would be weak. {single} If it happens again, record each new "
            f"incident: a second one involving the same person can make a course of conduct."
            f"{where}"
        )
        title = "Not yet a course of conduct"
        report.add("course_of_conduct", Finding("course_of_conduct_weak", title, text, "warning"))
    unlinked = groups.get(None, [])
    if unlinked:
        text = (
            f"{refs.many(unlinked)} {'is' if len(unlinked) == 1 else 'are'} not linked to "
            "anyone in your case file, so cannot count towards a course of conduct. If you "
            "believe you know who was responsible, add them as the respondent and say why in "
            "the summary."
        )
        title = "Incidents not linked to a person"
        report.add("course_of_conduct", Finding("unlinked_incidents", title, text))


def _may_apply(case: Case, law: dict[str, Any], refs: _Refs, report: Report) -> None:
    matches = offence_matches(case, law)
    by_offence: dict[str, list[OffenceMatch]] = {}
    for match in matches:
        by_offence.setdefault(match.id, []).append(match)
    for group in by_offence.values():
        offence = group[0].offence
        if not group[0].shown:
            report.unverified_offences.append(
                {
                    "id": offence["id"],
                    "name": offence["name"],
                    "status": offence["status"],
                    "incidents": [refs.number[i.id] for m in group for i in m.incidents],
                    "why_hidden": "Its legal details are not verified, so it is not shown to "
                    "users until they are checked.",
                }
            )
            continue
        if not report.intros.get("may_apply"):
            report.intros["may_apply"] = [MAY_APPLY_INTRO]
        statute = law["statutes"].get(offence["section"], {})
        notes = [offence["covers"]]
        mode = offence["mode"]
        if mode == "summary":
            notes.append(law["time_limits"][offence["time_limit"]]["description"])
        elif mode == "either_way":
            notes.append(law["time_limits"]["none"]["description"])
        if offence["status"] == "partly_verified":
            notes.append(f"(Details as checked in {uk_month(offence['checked'])}.)")
        items = []
        for match in group:
            who = f" ({refs.name(match.respondent)})" if len(group) > 1 else ""
            items.append(f"May be relevant{who} because {'; and '.join(match.because)}.")
        if offence.get("also_needs"):
            items.append(
                f"Also needed, for the police or a court to decide: {offence['also_needs']}"
            )
        cited = {i.id for m in group for i in m.incidents}  # ids: comparing models is O(n²)
        hits = [i for i in refs.ordered if i.id in cited]
        items.append(f"Incidents: {refs.many(hits)}")
        report.add(
            "may_apply",
            Finding(
                f"offence:{offence['id']}",
                f"{offence['name']} ({statute.get('short', offence['section'])})",
                " ".join(notes),
                "note",
                tuple(items),
            ),
        )

    if case.jurisdiction == "england_wales" and case.police_reports:
        if not victims_code_in_force(law, report.today):
            report.add(
                "may_apply",
                Finding(
                    "victims_code_recheck",
                    "Check which Victims' Code is in force",
                    victims_code_words(law, "recheck", report.today),
                    "warning",
                ),
            )
        unmet = unmet_victims_rights(case.police_reports, law)
        if unmet:
            report.add(
                "may_apply",
                Finding(
                    "victims_code",
                    "Victims' Code rights that appear not to have been met",
                    f"From what your case file says about the police, these rights under the "
                    f"{law['statutes']['victims_code']['cite']} may not have been met. You can "
                    "complain about this (Right 12).",
                    "warning",
                    tuple(f"Right {r.number}: {r.text} {r.why}" for r in unmet),
                ),
            )


# ---------------------------------------------------------------------------- gaps


def _gaps(case: Case, refs: _Refs, report: Report, today: date) -> None:
    labels = case.exhibit_labels()
    found = [
        _no_evidence(refs),
        _no_kind(refs),
        _missing_ids(case, refs),
        _uncited(case, labels),
        _platform_refs(case),
        _police_refs(case),
        _label_gaps(case, labels),
        _dates(case, refs, labels, today),
        _other_days(refs),
        _names(case, refs, labels),
        _representative(case),
        _safety_words(case),
    ]
    found = [finding for finding in found if finding is not None]
    for finding in found:
        report.add("gaps", finding)
    if not found:
        report.add(
            "gaps",
            Finding(
                "no_gaps",
                "No gaps found",
                "Every incident has evidence, every exhibit is referred to, and the references, "
                "labels, dates and names this check looks at are consistent.",
                "ok",
            ),
        )


def _safety_words(case: Case) -> Finding | None:
    """Served answers with words that may tell him how she keeps safe (``served.safety_words``)."""
    from ..served import safety_words

    found = safety_words(case)
    if not found:
        return None
    data = load_data("served_words")
    text = " ".join(data["text"].split())
    items = tuple(w.line() for w in found)
    return Finding("served_safety_words", data["title"], text, "warning", items)


def _representative(case: Case) -> Finding | None:
    """A representative the letters cannot come from yet, and what is missing for it."""
    rep = case.representative
    if rep is None or not rep.acting:
        return None
    missing = [
        text
        for text, given in (
            ("their name", rep.name),
            ("that you have given them authority to act for you", rep.authority),
            ("an address for letters to them", rep.address),
            ("their email or phone number", rep.email or rep.phone),
        )
        if not given
    ]
    if not missing:
        return None
    who = rep.name or "The person acting for you"
    now = (
        "Your letters come from you, not from them, until this is added"
        if case.acting_representative is None
        else f"Your letters come from {rep.name} on your behalf, but details are missing"
    )
    return Finding(
        "representative_incomplete",
        f"{who}: details missing",
        f"{now}: see below. You can add it with 'harassment-pack interview CASE --section "
        "about_you'.",
        "warning",
        tuple(f"Missing: {text}" for text in missing),
    )


def _no_evidence(refs: _Refs) -> Finding | None:
    return _incidents_without(
        refs,
        [i for i in refs.ordered if not i.evidence],
        "no_evidence",
        "without evidence",
        "No evidence file is linked to these incidents. If you have screenshots, exports, "
        "emails or a witness, add them. If you have nothing, say why in the summary (for "
        "example, the post was deleted): a court will want to know.",
    )


def _no_kind(refs: _Refs) -> Finding | None:
    """An incident with no kind ticked: the labels of what may be relevant, the stalking pattern
    and the material a court order would cover are all read from the kinds."""
    return _incidents_without(
        refs,
        [i for i in refs.ordered if not i.kinds],
        "no_kind",
        "without a kind",
        "Nothing is ticked for what kind of thing happened (a threat, insults, posting about "
        "you, contact after you asked them to stop …). Without it, this check cannot say which "
        "laws may be relevant, and a court order may leave it out.",
    )


def _incidents_without(
    refs: _Refs, bare: list[Incident], code: str, lacking: str, text: str
) -> Finding | None:
    """A warning listing the incidents that lack something (by chronology number and platform)."""
    if not bare:
        return None
    return Finding(
        code,
        f"{_plural(len(bare), 'incident')} {lacking}",
        text,
        "warning",
        tuple(f"{refs.one(i)}, {i.platform}" for i in bare),
    )


def _missing_ids(case: Case, refs: _Refs) -> Finding | None:
    evidence_ids = {item.id for item in case.evidence}
    incident_ids = {i.id for i in case.incidents}
    problems = []
    for incident in refs.ordered:
        for eid in incident.evidence:
            if eid not in evidence_ids:
                problems.append(
                    f"{refs.one(incident)} refers to evidence '{eid}', which is not "
                    "in the evidence list."
                )
        if incident.respondent and case.respondent(incident.respondent) is None:
            problems.append(
                f"{refs.one(incident)} names respondent '{incident.respondent}', who "
                "is not in the respondents list."
            )
    for kind, reports in (("platform", case.platform_reports), ("police", case.police_reports)):
        for rep in reports:
            for iid in rep.incidents:
                if iid not in incident_ids:
                    problems.append(
                        f"The {kind} report '{rep.id}' refers to incident '{iid}', "
                        "which is not in the incidents list."
                    )
    if not problems:
        return None
    return Finding(
        "unknown_ids",
        "References to things not in the case file",
        "These parts of your case file point to an id that does not exist. Check the spelling "
        "of the id, or add the missing entry.",
        "warning",
        tuple(problems),
    )


def _uncited(case: Case, labels: dict[str, str]) -> Finding | None:
    cited = {eid for incident in case.incidents for eid in incident.evidence}
    unused = [item for item in case.evidence if item.id not in cited]
    if not unused:
        return None
    return Finding(
        "evidence_not_cited",
        f"{_plural(len(unused), 'exhibit')} never referred to",
        "These exhibits are not linked to any incident, so your statement never refers to them. "
        "Link each one to the incident it shows, or remove it if it does not belong.",
        "warning",
        tuple(f"{labels[item.id]}: {item.description}" for item in unused),
    )


def _platform_refs(case: Case) -> Finding | None:
    missing = [r for r in case.platform_reports if not r.reference]
    if not missing:
        return None
    return Finding(
        "platform_no_reference",
        "Platform reports without a reference number",
        "Look in the confirmation email or the app's support inbox for a reference or case "
        "number and add it: Ofcom and the police can then match your report.",
        "warning",
        tuple(f"{r.platform}, reported on {uk_date(r.date)}" for r in missing),
    )


def _police_refs(case: Case) -> Finding | None:
    missing = [
        r for r in case.police_reports if not r.crime_reference and not r.no_reference_reason
    ]
    if not missing:
        return None
    return Finding(
        "police_no_reference",
        "Police reports without a crime reference number",
        "Ask the police for the crime reference number, in writing. If they gave you only an "
        "incident or log number, or none at all, add it or write why in no_reference_reason.",
        "warning",
        tuple(f"{r.force}, reported on {uk_date(r.date)}" for r in missing),
    )


def _label_gaps(case: Case, labels: dict[str, str]) -> Finding | None:
    initials = case.applicant.exhibit_initials
    problems: list[str] = []
    numbers: dict[int, str] = {}
    for item in case.evidence:
        label = labels[item.id]
        match = EXHIBIT_LABEL.match(label)
        if not match:
            problems.append(f"{label} ({item.id}) is not in the form {initials}/1.")
            continue
        if match[1] != initials:
            problems.append(f"{label} ({item.id}) does not start with your initials, {initials}.")
        number = int(match[2])
        if number in numbers:
            problems.append(f"{label} is used twice ({numbers[number]} and {item.id}).")
        numbers[number] = item.id
    if numbers:
        missing = [n for n in range(1, max(numbers) + 1) if n not in numbers]
        if missing:
            shown = ", ".join(exhibit_label(initials, n) for n in missing)
            problems.append(f"Missing from the numbering: {shown}.")
        if list(numbers) != sorted(numbers):
            problems.append("The labels are not in the same order as the evidence list.")
    if not problems:
        return None
    return Finding(
        "exhibit_labels",
        "Exhibit labels need attention",
        "Exhibits should be numbered one after another with no gaps or repeats (JS/1, JS/2, "
        "JS/3 ...), so a judge can find each one. Leave a label empty and harassment-pack will "
        "number it for you.".replace("JS", initials),
        "warning",
        tuple(problems),
    )


def _other_days(refs: _Refs) -> Finding | None:
    """Descriptions that still name another day inside them, for the solicitor: the witness
    statement tells events in the order they happened (PD 32 para 19.2). A sentence that opens
    with another day is already told on that day; one that only mentions it stays in place."""
    items = []
    for incident in refs.ordered:
        if isinstance(incident.when, ApproxDate):
            continue
        day = uk_day(incident.when)
        for other in split_by_day(incident.summary, day)[2]:
            when = "before" if other < day else "after"
            items.append(
                f"{refs.one(incident)} also mentions {uk_date(other)}, {when} the incident "
                "itself. If something else happened that day, add it as its own incident or "
                "start its own sentence with the date ('On 3 June 2026 …') so the witness "
                "statement tells it on that day."
            )
    if not items:
        return None
    return Finding(
        "other_days",
        "Descriptions that mention another day",
        "A witness statement should tell events in the order they happened. These descriptions "
        "mention another day inside them; a solicitor may want to move those parts.",
        "note",
        tuple(items),
    )


def _dates(case: Case, refs: _Refs, labels: dict[str, str], today: date) -> Finding | None:
    problems: list[str] = []

    def future(when: date | datetime | None, what: str) -> None:
        if when is not None and uk_day(when) > today:
            problems.append(f"{what} is dated {uk_date(when)}, which is after today.")

    by_id = {i.id: i for i in case.incidents}
    for incident in refs.ordered:
        future(incident.when, refs.number[incident.id])
        for eid in incident.evidence:
            item = case.evidence_item(eid)
            if item and item.captured and _before(item.captured, incident.when):
                problems.append(
                    f"{labels[item.id]} was captured on {uk_date(item.captured)}, before the "
                    f"incident it shows, {refs.one(incident)}."
                )
    for item in case.evidence:
        future(item.captured, f"Exhibit {labels[item.id]}")
    for rep in case.platform_reports:
        what = f"The {rep.platform} report of {uk_date(rep.date)}"
        future(rep.date, f"The {rep.platform} report")
        future(rep.response_date, f"The reply to the {rep.platform} report")
        if rep.response_date and rep.response_date < rep.date:
            problems.append(
                f"{what} has a reply dated {uk_date(rep.response_date)}, before it was made."
            )
        _reported_before(rep.date, rep.incidents, by_id, refs, what, problems)
    for rep in case.police_reports:
        what = f"The report to {rep.force} of {uk_date(rep.date)}"
        future(rep.date, f"The report to {rep.force}")
        future(rep.last_contact, f"The last contact from {rep.force}")
        _reported_before(rep.date, rep.incidents, by_id, refs, what, problems)
        for contact in rep.contacts:
            future(contact.date, f"A contact with {rep.force}")
            if contact.date < rep.date:
                problems.append(
                    f"{what} lists police contact on {uk_date(contact.date)}, before "
                    "the report was made."
                )
        if rep.last_contact and rep.last_contact < rep.date:
            problems.append(
                f"{what} has its last contact on {uk_date(rep.last_contact)}, before "
                "the report was made."
            )
        latest = max((c.date for c in rep.contacts), default=None)
        if rep.last_contact and latest and rep.last_contact < latest:
            problems.append(
                f"{what} gives the last contact as {uk_date(rep.last_contact)}, but "
                f"lists a later contact on {uk_date(latest)}."
            )
    complaint = case.psd_complaint
    if complaint and complaint.outcome_letter_date:
        future(complaint.outcome_letter_date, "The police complaint outcome letter")
        first = min((r.date for r in case.police_reports), default=None)
        if first and complaint.outcome_letter_date < first:
            problems.append(
                f"The complaint outcome letter is dated {uk_date(complaint.outcome_letter_date)}, "
                f"before your first police report ({uk_date(first)})."
            )
    if case.fraud_report:
        future(case.fraud_report.date, "The fraud report")
    if not problems:
        return None
    return Finding(
        "dates",
        "Dates out of order or in the future",
        "These dates do not fit together. A wrong date can make a court doubt the rest of a "
        "statement, so check each one against your phone, emails or screenshots.",
        "warning",
        tuple(problems),
    )


def _reported_before(
    reported: date,
    incident_ids: Sequence[str],
    by_id: dict[str, Incident],
    refs: _Refs,
    what: str,
    problems: list[str],
) -> None:
    for iid in incident_ids:
        incident = by_id.get(iid)
        if incident and uk_day(incident.when) > reported:
            problems.append(f"{what} covers {refs.one(incident)}, which is after the report.")


def _user_texts(case: Case, refs: _Refs, labels: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(where, text) for every free-text answer in which a person's name might be written."""
    for incident in refs.ordered:
        for text in (incident.summary, incident.exact_words, incident.impact):
            if text:
                yield refs.number[incident.id], text
    for item in case.evidence:
        yield f"exhibit {labels[item.id]}", item.description
    for respondent in case.respondents:
        for text in (respondent.description, respondent.relationship):
            if text:
                yield f"respondent {respondent.id}", text
    for rep in case.platform_reports:
        for text in (rep.what_reported, rep.response, rep.difficulties):
            if text:
                yield f"{rep.platform} report", text
    for pol in case.police_reports:
        texts = [pol.what_reported, pol.promised, pol.outcome, *(c.what for c in pol.contacts)]
        for text in texts:
            if text:
                yield "police report", text
    if case.psd_complaint:
        for text in (*case.psd_complaint.concerns, *case.psd_complaint.outcome_sought):
            yield "police complaint", text
    if case.injunction:
        inj = case.injunction
        texts = [
            inj.without_notice_reasons,
            inj.informal_notice,
            inj.adverse_matters,
            *(o.text for o in inj.orders),
        ]
        for text in texts:
            if text:
                yield "injunction", text
    for text in (case.impact.statement, *case.impact.effects):
        if text:
            yield "impact", text


def _names(case: Case, refs: _Refs, labels: dict[str, str]) -> Finding | None:
    """Name-like words that nearly, but not exactly, match a name in the case (Davis/Davies).

    A simple, honest heuristic: it compares capitalised words with the words of the known
    names, so it can miss a misspelling and can flag a different person with a similar name.
    """
    people = [case.applicant.full_name, *(r.name for r in case.respondents if r.known)]
    known = {word.lower(): word for name in people for word in re.findall(r"[A-Za-z]{3,}", name)}
    problems: list[str] = []
    seen: set[str] = (
        set()
    )  # each word is compared once: imported cases repeat words thousands of times
    for where, text in _user_texts(case, refs, labels):
        for match in _NAME_WORD.finditer(text):
            word = re.sub(r"['\u2019]s$", "", match[0])
            lower = word.lower()
            if len(word) < 4 or lower in known or lower in _NOT_NAMES or lower in seen:
                continue
            seen.add(lower)
            close = difflib.get_close_matches(lower, known, n=1, cutoff=NAME_SIMILARITY)
            if close:
                problems.append(f'"{word}" in {where}: did you mean "{known[close[0]]}"?')
    respondents = [r for r in case.respondents if r.known]
    for index, first in enumerate(respondents):
        for second in respondents[index + 1 :]:
            ratio = difflib.SequenceMatcher(None, first.name.lower(), second.name.lower()).ratio()
            if first.name.lower() != second.name.lower() and ratio >= NAME_SIMILARITY:
                problems.append(
                    f'Respondents "{first.name}" ({first.id}) and "{second.name}" '
                    f"({second.id}) have very similar names: are they one person?"
                )
            elif first.name.lower() == second.name.lower():
                problems.append(
                    f"Respondents {first.id} and {second.id} are both called "
                    f'"{first.name}": are they one person?'
                )
    if not problems:
        return None
    return Finding(
        "names",
        "Names spelled differently",
        "A name spelled two ways can make it look like two different people. Check these "
        "(if a word is a different person or not a name at all, you can ignore it).",
        "warning",
        tuple(problems),
    )
