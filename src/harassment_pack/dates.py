"""UK dates and times: one parser for everything a person or a case file may write, one formatter.

People in England and Wales write dates day first ("03/09/2026", "3 Sept 2026"); the case file
stores ISO 8601 with an offset so that a message sent at 21:14 during British Summer Time is never
confused with 21:14 GMT. Every clock time without an offset is taken as Europe/London local time.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date

UK_ZONE = "Europe/London"
LONDON = ZoneInfo(UK_ZONE)
LOCALE = "en_GB"

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_WITH_TIME = re.compile(
    r"^(.*?)[\s,]+(?:at\s+)?(\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)$", re.IGNORECASE
)
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)

DATE_HINT = "write it as DD/MM/YYYY, for example 03/09/2026"
TIME_HINT = "write it as HH:MM on the 24-hour clock, for example 21:14"


class DateFormatError(ValueError):
    """A date or time that cannot be read; the message says how to write it."""


def parse_date(text: str | date) -> date:
    """Read a UK date: 03/09/2026, 3.9.2026, 2026-09-03, 3 September 2026, 3 Sept 2026."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    raw = str(text).strip()
    if m := _NUMERIC.match(raw):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _ISO.match(raw):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _WORDS.match(raw):
        month_name = m[2].lower()
        month = _MONTHS.get(month_name[:4] if month_name.startswith("sept") else month_name[:3])
        if month is None or not _is_month_name(month_name):
            raise DateFormatError(f'"{raw}" is not a date I can read ({DATE_HINT})')
        day, year = int(m[1]), int(m[3])
    else:
        raise DateFormatError(f'"{raw}" is not a date I can read ({DATE_HINT})')
    try:
        return date(year, month, day)
    except ValueError:
        raise DateFormatError(f'"{raw}" is not a real date ({DATE_HINT})') from None


def _is_month_name(word: str) -> bool:
    full = [
        "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december",
    ]  # fmt: skip
    return any(name.startswith(word) for name in full) and len(word) >= 3


def parse_time(text: str | time) -> time:
    """Read a clock time: 21:14, 21.14, 21:14:05, 9:14 pm, 12:05 am."""
    if isinstance(text, time):
        return text
    raw = str(text).strip()
    m = _TIME.match(raw)
    if not m:
        raise DateFormatError(f'"{raw}" is not a time I can read ({TIME_HINT})')
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    if m[4]:
        if not 1 <= hour <= 12:
            raise DateFormatError(f'"{raw}" is not a real time ({TIME_HINT})')
        pm = m[4].lower().startswith("p")
        hour = (hour % 12) + (12 if pm else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        raise DateFormatError(f'"{raw}" is not a real time ({TIME_HINT})') from None


def parse_moment(text: str | datetime | date) -> datetime | date:
    """Read when something happened: a date, or a date with a time.

    ISO 8601 with an offset (what the case file stores) is read exactly; a clock time without an
    offset is UK local time. A date alone stays a date, so the documents never invent a time.
    """
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=LONDON)
    if isinstance(text, date):
        return text
    raw = str(text).strip()
    if _ISO_MOMENT.match(raw):
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            raise DateFormatError(f'"{raw}" is not a real date and time ({DATE_HINT})') from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)
    if m := _WITH_TIME.match(raw):
        return datetime.combine(parse_date(m[1]), parse_time(m[2]), tzinfo=LONDON)
    return parse_date(raw)


def zone_named(name: str) -> ZoneInfo:
    """The time zone for an IANA name (``--tz``), or a DateFormatError saying how to write one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DateFormatError(
            f"{name}: not a time zone I know (use a name such as Europe/London or "
            "Europe/Paris: the zone the phone or computer was set to)"
        ) from None


def local_to_utc(moment: datetime, zone: str = UK_ZONE) -> tuple[datetime, str | None]:
    """UTC for a clock time an export wrote without an offset, and a note when it is uncertain.

    Exports such as WhatsApp's and older Telegram ones write the wall clock of the device. When
    the clocks go back one hour happens twice, and when they go forward one hour never happens;
    the time is then read as the one before the change, and the note says so in plain words so
    the chronology can show it rather than hide it.
    """
    tz = zone_named(zone)
    first = moment.replace(tzinfo=tz, fold=0)
    if first.utcoffset() == moment.replace(tzinfo=tz, fold=1).utcoffset():
        return first.astimezone(UTC), None
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == moment.replace(tzinfo=None):
        note = "this clock time happened twice when the clocks went back; the first was assumed"
    else:
        note = "this clock time did not exist (the clocks went forward); read as before the change"
    return first.astimezone(UTC), note


def sort_key(moment: datetime | date) -> datetime:
    """An aware datetime for ordering; a date alone sorts at the start of its UK day."""
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment, time(0), tzinfo=LONDON)


def uk_day(moment: date | datetime) -> date:
    """The UK calendar day of a moment (a date alone is already one).

    23:30 GMT on 30 June is 1 July in London (BST): deadlines, "not in the future" checks and
    printed dates all count in UK days.
    """
    return moment.astimezone(LONDON).date() if isinstance(moment, datetime) else moment


def uk_date(day: date | datetime) -> str:
    """'3 September 2026' (the form letters and court documents use)."""
    return _long_date(uk_day(day))


@functools.lru_cache(maxsize=4096)
def _long_date(day: date) -> str:
    """Babel takes a tenth of a millisecond a date; a case with 10,000 messages repeats days."""
    return format_date(day, "d MMMM y", locale=LOCALE)


def uk_month(day: date | datetime) -> str:
    """'July 2026': when a fact in the law data was checked, shown beside partly checked data."""
    return format_date(uk_day(day), "MMMM y", locale=LOCALE)


def uk_date_figures(day: date | datetime, sep: str = "/") -> str:
    """'03/09/2026': dates in figures, as CPR PD 32 para 19.1 asks of witness statements."""
    return format_date(uk_day(day), f"dd{sep}MM{sep}y", locale=LOCALE)


def uk_time(moment: datetime) -> str:
    """'21:14 (BST)' or '09:02 (GMT)': UK local clock time with the zone it was in."""
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} ({local.tzname()})"


def uk_datetime(moment: datetime | date) -> str:
    """'3 September 2026, 21:14 (BST)', or the date alone when no time was given."""
    if not isinstance(moment, datetime):
        return uk_date(moment)
    return f"{uk_date(moment)}, {uk_time(moment)}"
