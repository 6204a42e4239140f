"""Harassment chronology: every incident, oldest first, grouped by month.

One table per month keeps LibreOffice fast (it lays out a single long table in superlinear time)
and gives a reader natural landmarks. In a long chronology each month after the first starts
on a new page (``NEW_PAGE_INCIDENTS``).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from babel.dates import format_date

from ..case import Incident
from ..dates import LOCALE, LONDON, uk_datetime
from ..platform_urls import parse_url, time_differs
from ..render import breakable, lines
from .common import CaseView

TITLE = "Harassment chronology"
MAX_TABLE_ROWS = 100
"""Rows per table: LibreOffice lays out one long table in superlinear time (design.md §7)."""
NEW_PAGE_INCIDENTS = 1000
"""From this many incidents (about 80 pages) each month after the first starts on a new page.

Why: a chronology this long is read and cited by month. A solicitor or judge turning to a
month's bookmark finds its heading at the top of the page; one month's pages can be printed or
handed up on their own; and an incident added later moves the pages of its own month and of
the months after it by whole pages, so that a later row keeps its place on its month's pages
(a page cited as "March, second page" still shows the same rows). It costs about half a page a
month (about 6 pages in 850 for a year of 10,000 incidents); a short chronology keeps its
months running on, where a page per month would be mostly blank. It also lets LibreOffice
convert a long chronology in parts cut at those page breaks (``split.py``) with the same pages
as one conversion."""


def applies(view: CaseView) -> str | None:
    return None if view.case.incidents else "no incidents are recorded yet"


def incident_rows(view: CaseView) -> list[dict[str, Any]]:
    """One row per incident, numbered C1, C2 … in date order (the same numbers everywhere)."""
    rows = []
    for incident in view.incidents:
        date_text, time_text = view.when_parts(incident.when)
        rows.append(
            {
                "number": view.numbers[incident.id],
                "id": incident.id,
                "date": date_text,
                "time": time_text or "time not known",
                "when": view.when_text(incident.when),
                "platform": incident.platform,
                "account": breakable(view.account_for(incident)),
                "summary": incident.summary,
                "words": lines(incident.exact_words),
                "url": breakable(incident.url),
                **platform_details(incident, view),
                "exhibits": ", ".join(view.exhibit_citations(incident)) or "\u2013",
                "sort": incident.sort_key,
            }
        )
    return rows


PLAIN_KIND = {"profile": "account", "channel": "channel", "space": "Space"}
"""How a link's kind reads in a court document ('Instagram account id', not 'profile')."""


def platform_details(incident: Incident, view: CaseView) -> dict[str, str]:
    """What the link itself proves: the platform's lasting id for the content (what a request
    to preserve or disclose it names) and the time that id encodes, flagged if far from ours."""
    now = datetime.combine(view.today, time.max, tzinfo=UTC)
    link = parse_url(incident.url, now) if incident.url else None
    details = {"platform_id": "", "platform_time": ""}
    if link is None:
        return details
    kind = PLAIN_KIND.get(link.kind, link.kind)
    if link.content_id:
        # 'x:status:2086…' is the tool's key; the reader gets the platform's own id in words.
        details["platform_id"] = f"{link.platform} {kind} id: {link.content_id.split(':', 2)[-1]}"
    if link.created is not None:
        text = f"Time {link.platform} recorded for the {kind}: {uk_datetime(link.created)}"
        if time_differs(link.created, incident.when):
            text += " \u26a0 differs from the time given by more than a day"
        details["platform_time"] = text
    return details


def build(view: CaseView) -> dict[str, Any]:
    months: list[dict[str, Any]] = []
    current = ""
    rows = incident_rows(view)
    long = len(rows) >= NEW_PAGE_INCIDENTS
    for row in rows:
        local = row.pop("sort").astimezone(LONDON)
        title = format_date(local.date(), "MMMM y", locale=LOCALE)
        if title != current:
            current = title
            months.append({"title": title, "rows": [], "new_page": long and bool(months)})
        elif len(months[-1]["rows"]) >= MAX_TABLE_ROWS:
            months.append({"title": f"{title} (continued)", "rows": [], "new_page": False})
        months[-1]["rows"].append(row)
    return {"months": months}
