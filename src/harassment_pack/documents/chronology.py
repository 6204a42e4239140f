"""Harassment chronology: every incident, oldest first, grouped by month.

One table per month keeps LibreOffice fast (it lays out a single long table in superlinear time)
and gives a reader natural landmarks.
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
    for row in incident_rows(view):
        local = row.pop("sort").astimezone(LONDON)
        title = format_date(local.date(), "MMMM y", locale=LOCALE)
        if title != current:
            current = title
            months.append({"title": title, "rows": []})
        elif len(months[-1]["rows"]) >= MAX_TABLE_ROWS:
            months.append({"title": f"{title} (continued)", "rows": []})
        months[-1]["rows"].append(row)
    return {"months": months}
