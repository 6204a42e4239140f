"""Dates by which something must happen, worked out from the case and the time-limit rules.

The rules themselves (how many months, from what) live in the legal data file; this module only
does the calendar arithmetic, so that the next-steps sheet, the PSD complaint and the check
report give the same dates.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from ..case import Case
from ..dates import LONDON


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    rule: str
    due: date
    text: str


def _local_date(moment) -> date:
    return moment.astimezone(LONDON).date() if hasattr(moment, "astimezone") else moment


def last_incident_date(case: Case) -> date | None:
    incidents = case.incidents_in_order()
    return _local_date(incidents[-1].when) if incidents else None


def first_incident_date(case: Case) -> date | None:
    incidents = case.incidents_in_order()
    return _local_date(incidents[0].when) if incidents else None


def summary_limit(case: Case, law: dict) -> Deadline | None:
    """6 months from the last incident for the summary-only PHA offences (ss.2, 2A)."""
    last = last_incident_date(case)
    if last is None:
        return None
    rule = law["time_limits"]["summary_6_months_from_last_incident"]
    return Deadline(
        "summary_6_months_from_last_incident",
        add_months(last, int(rule["months"])),
        rule["description"],
    )


def civil_limit(case: Case, law: dict) -> Deadline | None:
    """6 years for a civil claim for damages under PHA s.3 (3 years in Scotland)."""
    first = first_incident_date(case)
    if first is None:
        return None
    rule = law["time_limits"]["civil_pha_6_years"]
    years = int(rule["scotland_years"] if case.jurisdiction == "scotland" else rule["years"])
    return Deadline("civil_pha_6_years", add_months(first, 12 * years), rule["description"])
