"""UK dates and times: one parser for everything a person or a case file may write, one formatter.

People in England and Wales write dates day first ("03/09/2026", "14/3/26", "3 Sept 2026"); the
case file stores ISO 8601 with an offset so that a message sent at 21:14 during British Summer Time
is never confused with 21:14 GMT. Every clock time without an offset is taken as Europe/London
local time. People often remember only roughly when something happened ("March 2026", "early June
2026"): that is an ``ApproxDate``, kept with its precision and never shown as an exact day.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date

UK_ZONE = "Europe/London"
LONDON = ZoneInfo(UK_ZONE)
LOCALE = "en_GB"

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_CLOCK = r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?"
_WITH_TIME = re.compile(rf"^(.*?)[\s,]+(?:at\s+)?({_CLOCK})$", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2})(?::(\d{2}))?)?\s*([ap]\.?m\.?)?$", re.IGNORECASE)
_PART = {"early": "early", "beginning of": "early", "start of": "early", "mid": "mid",
         "middle of": "mid", "late": "late", "end of": "late"}  # fmt: skip
_ROUGH = re.compile(rf"^(?:({'|'.join(_PART)})[\s-]+)?([A-Za-z]+)\.?,?\s+(\d{{4}})$", re.IGNORECASE)
_ROUGH_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(early|mid|late))?$")
_RELATIVE = {"today": 0, "yesterday": 1}

DATE_HINT = "write it as DD/MM/YYYY, for example 03/09/2026"
TIME_HINT = "write it as HH:MM on the 24-hour clock, for example 21:14, or 10pm"
ROUGH_HINT = 'if you do not know the day, write the month, for example "March 2026"'
NOT_EXACT = "exact day not known"


class DateFormatError(ValueError):
    """A date or time that cannot be read; the message says how to write it."""


class ApproxDate(date):
    """A day known only roughly: a month ("March 2026") or a part of one ("early June 2026").

    Why a ``date``: everything that orders, compares or counts from a date (the chronology,
    deadlines, "not in the future") works on it unchanged, using the first day it can be: the
    earliest, so a time limit is never counted as later than it may be. Only the formatters
    below look at ``precision``, so no document ever prints an exact day that was not given.
    Arithmetic gives plain dates (a deadline counted from it is an exact day).
    """

    RANGES: ClassVar[dict[str, tuple[int, int | None]]] = {
        "month": (1, None), "early": (1, 10), "mid": (11, 20), "late": (21, None)
    }  # fmt: skip
    precision: str

    def __new__(cls, year: int, month: int, precision: str = "month") -> ApproxDate:
        if precision not in cls.RANGES:
            raise ValueError(f"unknown date precision {precision!r}")
        self = super().__new__(cls, year, month, cls.RANGES[precision][0])
        self.precision = precision
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.year, self.month, self.precision))

    def exact(self) -> date:
        return date(self.year, self.month, self.day)

    def __add__(self, other: timedelta) -> date:  # type: ignore[override]
        return self.exact() + other

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:  # type: ignore[override]
        return self.exact() - (other.exact() if isinstance(other, ApproxDate) else other)

    def isoformat(self) -> str:
        """'2026-03' (ISO 8601 for a month) or '2026-06-early': how the case file keeps it."""
        part = "" if self.precision == "month" else f"-{self.precision}"
        return f"{self.year:04d}-{self.month:02d}{part}"

    __str__ = isoformat

    def said(self) -> str:
        """'March 2026' or 'early June 2026': the words a person would use."""
        month = format_date(self, "MMMM y", locale=LOCALE)
        return month if self.precision == "month" else f"{self.precision} {month}"


def parse_date(text: str | date, today: date | None = None) -> date:
    """Read a UK date: 03/09/2026, 14/3/26, 2026-09-03, 3 September 2026, 3 Sept 2026.

    With ``today`` (a person answering now), "today" and "yesterday" are read too; a case file
    is read without it, so its dates never move.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    raw = str(text).strip()
    if today is not None and raw.lower() in _RELATIVE:
        return today - timedelta(days=_RELATIVE[raw.lower()])
    if m := _NUMERIC.match(raw):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        year += 2000 if len(m[3]) == 2 else 0
    elif m := _ISO.match(raw):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _WORDS.match(raw):
        month_name = m[2].lower()
        if not _is_month_name(month_name):
            raise DateFormatError(f'"{raw}" is not a date I can read ({DATE_HINT})')
        month = _month_number(month_name)
        day, year = int(m[1]), int(m[3])
    else:
        raise DateFormatError(f'"{raw}" is not a date I can read ({DATE_HINT})')
    try:
        return date(year, month, day)
    except ValueError:
        raise DateFormatError(f'"{raw}" is not a real date ({DATE_HINT})') from None


def _month_number(word: str) -> int:
    return _MONTHS[word[:4] if word.startswith("sept") else word[:3]]


def _is_month_name(word: str) -> bool:
    full = [
        "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december",
    ]  # fmt: skip
    return any(name.startswith(word) for name in full) and len(word) >= 3


_MONTH_WORD = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MENTION = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<month>{_MONTH_WORD})\b"
    r"(?:,?\s+(?P<year>\d{4})(?![-/\d]))?"
    rf"|\b(?P<month2>{_MONTH_WORD})\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<year2>\d{4})(?![-/\d]))?"
    r"|\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4}|\d{2})\b"
    r"|\b(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})\b",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"(?:(?:at|around|about|just|shortly|before|after|\s)+\d{1,2}(?:[:.]\d{2})?\s*"
    r"(?:am|pm|a\.m\.|p\.m\.)?,?\s+)?"  # 'At 21:40 on', 'At about 10pm on'
    r"(?:(?:early|late)\s+)?(?:(?:on|in|during|by|from)\s+)?"
    r"(?:(?:the\s+)?(?:morning|afternoon|evening|night|early\s+hours)\s+of\s+)?"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:the\s+)?",
    re.IGNORECASE,
)
"""What may come before the day a sentence opens with: when on that day ('On the evening of',
'At 21:40 on', 'In the early hours of', 'On Wednesday'), nothing that makes the day a mere
mention ('After I blocked him on', 'He came back on')."""


def _mention_day(match: re.Match[str], near: date) -> date | None:
    """The day one ``_MENTION`` match names, or None if it is not a real date."""
    try:
        if match["d"]:
            year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
            return date(year, int(match["m"]), int(match["d"]))
        if match["iy"]:
            return date(int(match["iy"]), int(match["im"]), int(match["id"]))
        name = (match["month"] or match["month2"]).lower()
        year_text = match["year"] or match["year2"]
        day = date(
            int(year_text) if year_text else near.year,
            _month_number(name),
            int(match["day"] or match["day2"]),
        )
    except ValueError:
        return None
    if not year_text and day > near + timedelta(days=183):
        day = day.replace(year=day.year - 1)  # "on 28 December", told in January
    return day


def mentioned_days(text: str, near: date) -> list[date]:
    """The calendar days a person's free text names ('3 June 2026', 'June 3rd', '03/06/2026',
    '2026-06-03'), in order. A day given without its year is taken in ``near``'s year (or the
    year before, when that would put it more than six months after ``near``)."""
    days = (_mention_day(match, near) for match in _MENTION.finditer(text))
    return [day for day in days if day is not None]


def leading_day(sentence: str, near: date) -> date | None:
    """The day a sentence opens with ('On 3 June 2026 at 08:05 I asked …'): such a sentence
    tells what happened on that day. None when it opens otherwise."""
    for match in _MENTION.finditer(sentence):
        if not _LEAD_IN.fullmatch(sentence[: match.start()].lstrip()):
            return None
        day = _mention_day(match, near)
        if day is not None:
            return day
    return None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"\u201c\u2018'])")


def sentences(text: str) -> list[str]:
    """A person's text split into sentences, never inside quotation marks, so a quoted message
    such as "Fine. Ignore me." stays whole."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()]
        if before.count('"') % 2 == 0 and before.count("\u201c") <= before.count("\u201d"):
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def split_by_day(text: str, day: date) -> tuple[str, list[tuple[date, str]], list[date]]:
    """A person's description of what happened on ``day``, taken apart so that a statement can
    tell events in the order they happened (PD 32 para 19.2).

    Returns the text that stays with the event; the sentences that open with another day ('On
    3 June 2026 I asked him to stop.'), to be told on that day; and the other days the text
    that stays still names ('After I blocked him on 27 August …'), for a solicitor to look at.
    A text that is all about other days stays whole, and the day after ``day`` counts as the
    same event when the text names ``day`` too ('from 23:12 on 14 June to 01:40 on 15 June').
    """
    own: list[str] = []
    told: list[tuple[date, str]] = []
    for sentence in sentences(text):
        lead = leading_day(sentence, day)
        if lead is not None and lead != day:
            told.append((lead, sentence))
        else:
            own.append(sentence)
    rest = " ".join(own) if own and told else text
    if not own:
        told = []
    named = mentioned_days(rest, day)
    span = day + timedelta(days=1) if day in named else day
    return rest, told, [d for d in dict.fromkeys(named) if d not in (day, span)]


def parse_time(text: str | time) -> time:
    """Read a clock time: 21:14, 21.14, 21:14:05, 9:14 pm, 12:05 am."""
    if isinstance(text, time):
        return text
    raw = str(text).strip()
    m = _TIME.match(raw)
    if not m or not (m[2] or m[4]):
        raise DateFormatError(f'"{raw}" is not a time I can read ({TIME_HINT})')
    hour, minute, second = int(m[1]), int(m[2] or 0), int(m[3] or 0)
    if m[4]:
        if not 1 <= hour <= 12:
            raise DateFormatError(f'"{raw}" is not a real time ({TIME_HINT})')
        pm = m[4].lower().startswith("p")
        hour = (hour % 12) + (12 if pm else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        raise DateFormatError(f'"{raw}" is not a real time ({TIME_HINT})') from None


def parse_rough(raw: str) -> ApproxDate | None:
    """A month or part of one ("March 2026", "early June 2026", "2026-06-early"), else None."""
    if m := _ROUGH_ISO.match(raw):
        year, month, part = int(m[1]), int(m[2]), m[3] or "month"
    elif (m := _ROUGH.match(raw)) and _is_month_name(m[2].lower()):
        year, month = int(m[3]), _month_number(m[2].lower())
        part = _PART[m[1].lower()] if m[1] else "month"
    else:
        return None
    if not 1 <= month <= 12:
        raise DateFormatError(f'"{raw}" is not a real month ({DATE_HINT})')
    return ApproxDate(year, month, part)


def parse_moment(text: str | datetime | date, today: date | None = None) -> datetime | date:
    """Read when something happened: a date, a date with a time, or a rough date.

    ISO 8601 with an offset (what the case file stores) is read exactly; a clock time without an
    offset is UK local time. A date alone stays a date, so the documents never invent a time;
    a month stays an ``ApproxDate``, so they never invent a day. ``today`` as for parse_date.
    """
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=LONDON)
    if isinstance(text, date):
        return text
    raw = str(text).strip()
    if (rough := parse_rough(raw)) is not None:
        return rough
    if _ISO_MOMENT.match(raw):
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            raise DateFormatError(f'"{raw}" is not a real date and time ({DATE_HINT})') from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)
    if m := _WITH_TIME.match(raw):
        return datetime.combine(parse_date(m[1], today), parse_time(m[2]), tzinfo=LONDON)
    if _TIME.match(raw) and re.search(r"[:.apAP]", raw):
        raise DateFormatError(f'"{raw}" is a time: give the day too, for example "yesterday {raw}"')
    try:
        return parse_date(raw, today)
    except DateFormatError as exc:
        raise DateFormatError(f"{exc}; {ROUGH_HINT}") from None


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
    """'3 September 2026' (the form letters and court documents use).

    A rough date is shown as it was given: 'March 2026 (exact day not known)'.
    """
    if isinstance(day, ApproxDate):
        return f"{day.said()} ({NOT_EXACT})"
    return _long_date(uk_day(day))


@functools.lru_cache(maxsize=4096)
def _long_date(day: date) -> str:
    """Babel takes a tenth of a millisecond a date; a case with 10,000 messages repeats days.

    Never given an ApproxDate: it equals (and hashes as) its first day.
    """
    return format_date(day, "d MMMM y", locale=LOCALE)


def uk_month(day: date | datetime) -> str:
    """'July 2026': when a fact in the law data was checked, shown beside partly checked data."""
    return format_date(uk_day(day), "MMMM y", locale=LOCALE)


def uk_date_figures(day: date | datetime, sep: str = "/") -> str:
    """'03/09/2026': dates in figures, as CPR PD 32 para 19.1 asks of witness statements.

    A rough date has no figures to give, so it is shown in words as ``uk_date`` does.
    """
    if isinstance(day, ApproxDate):
        return uk_date(day)
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
