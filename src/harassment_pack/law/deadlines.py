"""Dates by which something must happen, worked out from the case and the time-limit rules.

The rules themselves (how many months, from what) live in the legal data file; this module only
does the calendar arithmetic, so that the next-steps sheet, the PSD complaint and the check
report give the same dates. Nothing here reads the clock: "today" is always passed in, so a
date in a document or a test never depends on when it was produced.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from ..case import Case, Incident
from ..dates import uk_day
from .offences import offence_matches

State = Literal["passed", "soon", "open"]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    """A date by which something must happen, counted from ``start``.

    ``warn_from`` is the day from which the deadline counts as close (the data's
    ``warn_after_months``); ``None`` when the data gives no warning point.
    """

    rule: str
    due: date
    text: str
    start: date
    """The day the period counts from (last incident, report, outcome letter …)."""
    warn_from: date | None = None

    def state(self, today: date) -> State:
        """'passed' after the due date, 'soon' from the warning point, else 'open'."""
        if today > self.due:
            return "passed"
        if self.warn_from is not None and today >= self.warn_from:
            return "soon"
        return "open"


def last_incident_date(case: Case, incidents: Sequence[Incident] | None = None) -> date | None:
    chosen = case.incidents if incidents is None else incidents
    return uk_day(max(chosen, key=lambda i: i.sort_key).when) if chosen else None


def first_incident_date(case: Case, incidents: Sequence[Incident] | None = None) -> date | None:
    chosen = case.incidents if incidents is None else incidents
    return uk_day(min(chosen, key=lambda i: i.sort_key).when) if chosen else None


def summary_limit(
    case: Case, law: dict[str, Any], incidents: Sequence[Incident] | None = None
) -> Deadline | None:
    """6 months from the last incident for the summary-only PHA offences (ss.2, 2A).

    ``incidents`` narrows the course of conduct (for example to one respondent); by default
    every incident in the case counts.
    """
    last = last_incident_date(case, incidents)
    if last is None:
        return None
    rule = law["time_limits"]["summary_6_months_from_last_incident"]
    warn = rule.get("warn_after_months")
    return Deadline(
        "summary_6_months_from_last_incident",
        add_months(last, int(rule["months"])),
        rule["description"],
        start=last,
        warn_from=add_months(last, int(warn)) if warn is not None else None,
    )


def s127_incidents(case: Case, law: dict[str, Any]) -> list[Incident]:
    """Incidents that may be a CA 2003 s.127 offence, by the offence rules (law.offences)."""
    ids = {
        incident.id
        for match in offence_matches(case, law)
        if match.shown and match.offence["time_limit"] == "s127_3y_6m"
        for incident in match.incidents
    }
    return [incident for incident in case.incidents if incident.id in ids]


def s127_limit(case: Case, law: dict[str, Any]) -> Deadline | None:
    """CA 2003 s.127(5): 3 years from the offence (counted here from the earliest message).

    Each message is its own offence, so the earliest one reaches its 3-year limit first. The
    second limb (6 months from the prosecutor having enough evidence) is :func:`s127_evidence`.
    The data states s.127(5) for England, Wales and Northern Ireland only, so Scotland gets none.
    """
    if case.jurisdiction == "scotland":
        return None
    first = first_incident_date(case, s127_incidents(case, law))
    if first is None:
        return None
    rule = law["time_limits"]["s127_3y_6m"]
    return Deadline("s127_3y_6m", add_months(first, 12 * int(rule["years"])), rule["description"],
                    start=first)  # fmt: skip


def s127_evidence(case: Case, law: dict[str, Any]) -> Deadline | None:
    """The earliest the s.127 '6 months from enough evidence' limb could fall.

    Only the prosecutor knows when they had enough evidence; the earliest possible day is the
    first report to the police, so this is a "could be as early as" date, never a firm one.
    """
    if s127_limit(case, law) is None or not case.police_reports:
        return None
    reported = min(report.date for report in case.police_reports)
    rule = law["time_limits"]["s127_3y_6m"]
    due = add_months(reported, int(rule["months"]))
    return Deadline("s127_3y_6m", due, rule["description"], start=reported,
                    warn_from=add_months(due, -1))  # fmt: skip


def civil_limit(case: Case, law: dict[str, Any]) -> Deadline | None:
    """6 years for a civil claim for damages under PHA s.3 (3 years in Scotland).

    Counted from the first incident, because when time starts to run (each act, or the last
    act of the course of conduct) is not settled in the data. Northern Ireland gets no date:
    its limit has not been checked.
    """
    first = first_incident_date(case)
    if first is None or case.jurisdiction == "northern_ireland":
        return None
    rule = law["time_limits"]["civil_pha_6_years"]
    years = int(rule["scotland_years"] if case.jurisdiction == "scotland" else rule["years"])
    due = add_months(first, 12 * years)
    # The data's warning point is for 6 years (66 months): keep the same margin before the end.
    margin = 12 * int(rule["years"]) - int(rule.get("warn_after_months", 12 * int(rule["years"])))
    return Deadline("civil_pha_6_years", due, rule["description"], start=first,
                    warn_from=add_months(due, -margin) if margin else None)  # fmt: skip


def review_window(case: Case, law: dict[str, Any]) -> Deadline | None:
    """Last day to ask for a review of a police complaint outcome (reg 29: 28 days).

    The 28 days start with the day after the outcome was given, so day 28 is the outcome date
    plus 28 days. ``None`` until the outcome letter's date is in the case file.
    """
    complaint = case.psd_complaint
    if complaint is None or complaint.outcome_letter_date is None:
        return None
    rule = law["time_limits"]["police_complaint_review_28_days"]
    given = complaint.outcome_letter_date
    return Deadline("police_complaint_review_28_days", given + timedelta(days=int(rule["days"])),
                    rule["description"], start=given,
                    warn_from=given + timedelta(days=int(rule["days"]) - 7))  # fmt: skip
