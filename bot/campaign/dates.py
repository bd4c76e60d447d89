"""Reading the dates people type, and writing dates the way British readers expect."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator

from bot.errors import UserError

_ORDINAL = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b", re.IGNORECASE)
_WEEKDAY = re.compile(r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+", re.IGNORECASE)
_WITH_YEAR = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
_WITHOUT_YEAR = ("%d %b", "%d %B", "%d/%m", "%b %d", "%B %d")
MAX_DATE_TEXT = 40
# 12:30, 12.30, 1230, 6pm, 6.30 pm, 6:30PM; noon and midday on their own.
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h]?(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_NOON = frozenset({"noon", "12 noon", "midday", "12 midday"})


def known_zone(value: str) -> str:
    """`value` if it names a time zone (e.g. Europe/London), else ValueError."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


ZoneName = Annotated[str, AfterValidator(known_zone)]


def parse_date(text: str, default_year: int) -> date:
    """Parse `2019-10-01`, `1 Oct`, `1 October`, `1st October 2019`, `1/10/2019`, `Tue 1 Oct`.

    Day comes before month, as in the UK. A date with no year takes `default_year`.
    Raises UserError with a specific message when the text is not a date.
    """
    raw = text.strip()
    if not raw:
        raise UserError("Please give a date, for example 30 September or 2019-09-30.")
    if len(raw) > MAX_DATE_TEXT:
        raise UserError("That date is too long to be a date. Try 30 September or 2019-09-30.")
    cleaned = _WEEKDAY.sub("", _ORDINAL.sub(r"\1", raw)).replace(",", " ")
    cleaned = " ".join(cleaned.split())
    cleaned = re.sub(r"(?i)\bsept\b", "Sep", cleaned)
    for fmt in _WITH_YEAR:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    for fmt in _WITHOUT_YEAR:
        try:
            # Parse with the year attached so 29 February is judged in the right year.
            return datetime.strptime(f"{cleaned} {default_year}", f"{fmt} %Y").date()
        except ValueError:
            continue
    raise UserError(f"I couldn't read {raw!r} as a date. Try 30 September, 30 Sep or 2019-09-30.")


def parse_clock(text: str) -> time:
    """Parse a time of day: `12:30`, `12.30`, `18:00`, `6pm`, `6.30pm`, `noon`.

    Raises UserError with a specific message when the text is not a time.
    """
    raw = text.strip()
    example = "Try 12:30, 1pm or 18:00."
    if not raw:
        raise UserError(f"Please give a time. {example}")
    if len(raw) > 20:
        raise UserError(f"That is too long to be a time. {example}")
    word = " ".join(raw.lower().split())
    if word in _NOON:
        return time(12, 0)
    found = _CLOCK.match(word)
    if found is None:
        raise UserError(f"I couldn't read {raw!r} as a time. {example}")
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    half = (found.group(3) or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise UserError(f"{raw!r}: with am or pm the hour is 1 to 12. {example}")
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif found.group(2) is None:
        raise UserError(f"{raw!r}: is that am or pm? {example}")
    if hour > 23 or minute > 59:
        raise UserError(f"{raw!r} is not a time of day. {example}")
    return time(hour, minute)


def day_name(d: date) -> str:
    """`Monday 14 October 2019`."""
    return f"{d:%A} {d.day} {d:%B %Y}"


def short_day(d: date) -> str:
    """`Mon 14 Oct`."""
    return f"{d:%a} {d.day} {d:%b}"


def clock_time(moment: datetime | time) -> str:
    """`5pm`, `12 noon`, `9:30am`, `midnight`."""
    hour, minute = moment.hour, moment.minute
    if minute == 0 and hour == 12:
        return "12 noon"
    if minute == 0 and hour == 0:
        return "midnight"
    suffix = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    return f"{twelve}{suffix}" if minute == 0 else f"{twelve}:{minute:02d}{suffix}"


def days_between(start: date, end: date) -> int:
    return (end - start).days


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def add_days(d: date, days: int) -> date:
    return d + timedelta(days=days)
