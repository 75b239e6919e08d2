"""Parsing the dates, times and durations users type, and formatting them for storage.

Accepted date forms (case-insensitive, surrounding whitespace ignored), tried in this order:

* ISO `2026-11-26` (a time after it, `2026-11-26 18:30` or `2026-11-26T18:30`, is allowed
  and dropped where only the day is kept);
* UK order with slashes, dots or dashes: `26/11/2026`, `26.11.2026`, `1/2/26` (day first; a
  two-digit year is 20YY). A date that only reads month-first (`11/26/2026`) is refused,
  naming the reading it refused;
* a day and a month name: `1 dec`, `1st December 2026`, `dec 1`, `December 1, 2026`; with
  no year, the nearest such day in the right direction (see `future`);
* `today`, `yesterday`, `tomorrow`;
* weekday names and 3-letter abbreviations (`tuesday`, `tue`): for a past event the most
  recent one *before* today (`tue` on a Tuesday is a week ago: `today` is today), or with
  `future=True` (due dates) the next one on or after today; `last tue` (before today) and
  `next tue` (after today) say the direction outright;
* offsets from today `-3d`, `+2w`, `3d` (unsigned means forward); units `d`, `w`, `m` (months,
  the day clamped to the month's end) and `y` (29 February clamps to 28 February).

Note that in a date offset `m` means months, while in a duration (`parse_duration`) it means
minutes. Datetimes are naive local time. Stdlib only: python-dateutil's parser costs ~25 ms to
import and dateparser ~100 ms, neither knows "last tue", and both guess silently where this
module refuses and says why.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from cosa.errors import UserError

__all__ = [
    "iso",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "parse_minutes",
    "parse_quarter",
    "parse_time",
]

DATE_HINT = (
    "use YYYY-MM-DD, DD/MM/YYYY, 1 dec, today, yesterday, a weekday (last tue, next tue),"
    " or an offset like -3d or +2w; see `cosa help dates`"
)
DATETIME_HINT = (
    "use a date (YYYY-MM-DD, today, yesterday, tomorrow, a weekday name, or an offset like -3d)"
    " optionally followed by a time like 18:30, e.g. '2026-11-26 18:30' or 'mon 9:05'"
)
TIME_HINT = "use HH:MM on the 24-hour clock (18:30, 9:05, 18.30) or 6pm / 6:30pm"
DURATION_HINT = "use minutes (90) or units s, m, h, d, w, e.g. 15m, 2h, 1h30m, 1.5h, 7d, 2w"
MINUTES_HINT = "use minutes (90) or hours and minutes, e.g. 45m, 2h, 1h30m, 1.5h"
QUARTER_HINT = "use YYYY-QN with N from 1 to 4, e.g. 2026-Q3"

_WEEKDAYS = {
    name: number
    for number, full in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
    for name in (full, full[:3])
}
_RELATIVE = {"today": 0, "yesterday": -1, "tomorrow": 1}
_MONTH_NAMES = [
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
]
_MONTHS = {
    name: number
    for number, full in enumerate(_MONTH_NAMES, start=1)
    for name in (full, full[:3], *(("sept",) if number == 9 else ()))
}

# Regex sources, compiled on first use by `_rx` (re caches them), not at import.
_ISO_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_UK_DATE = r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})"
_DAY_MONTH = r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?(?:\s+(\d{4}))?"
_MONTH_DAY = r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?"
_LAST_NEXT = r"(last|next)\s+([a-z]+)"
_OFFSET = r"([+-]?)\s*(\d+)\s*(d|days?|w|wks?|weeks?|m|mos?|months?|y|yrs?|years?)"
# A time of day: 18:30, 18.30, 18:30:15, 6pm, 6:30pm, 6.30 p.m.
_TIME_SRC = (
    r"(?:(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([ap])\.?m\.?)?"
    r"|(\d{1,2})\s*([ap])\.?m\.?)"
)
# A date followed by a time: separated by whitespace, or by `T` straight after an ISO date.
_DATE_THEN_TIME = rf"(.+?)(?:\s+|(?<=\d)t)({_TIME_SRC})"
_BARE_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_HOURS_MINUTES = r"(\d{1,4}):(\d{2})"
_DURATION_PART = r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*"
_QUARTER = r"(\d{4})\s*[-/ ]?\s*q(\d)|q(\d)\s*[-/ ]?\s*(\d{4})"

_SECOND = 1
_MINUTE = 60
_HOUR = 3600
_DAY = 86400
_DURATION_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), _SECOND),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), _MINUTE),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), _HOUR),
    **dict.fromkeys(("d", "day", "days"), _DAY),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7 * _DAY),
}


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - timedelta(days=1)).day


def _show(text: str) -> str:
    """Quote user input for a one-line message: control characters escaped, long input cut."""
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text.strip())
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return f"'{shown}'"


def _invalid(kind: str, text: str, reason: str, hint: str) -> UserError:
    return UserError(f"invalid {kind} {_show(text)}: {reason}", hint=hint)


def _add_months(start: date, months: int) -> date:
    """`start` moved by `months` calendar months, the day clamped to the target month's end."""
    years, month0 = divmod(start.month - 1 + months, 12)
    year = start.year + years
    if not 1 <= year <= 9999:
        raise OverflowError("date value out of range")
    day = min(start.day, _days_in_month(year, month0 + 1))
    return date(year, month0 + 1, day)


def _day(text: str, year: int, month: int, day: int, hint: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _invalid("date", text, str(exc), hint) from None


def _long(d: date) -> str:
    return f"{d.day} {_MONTH_NAMES[d.month - 1].capitalize()} {d.year}"


def _uk_date(text: str, m: re.Match[str], hint: str) -> date:
    """`26/11/2026`, `1/2/26`: day first; a month-first-only reading is refused by name."""
    first, second, year = int(m[1]), int(m[3]), int(m[4])
    if len(m[4]) == 2:
        year += 2000
    if not 1 <= second <= 12 and 1 <= first <= 12:
        try:
            us = date(year, first, second)
        except ValueError:
            pass
        else:
            raise _invalid(
                "date",
                text,
                f"dates are day first (DD/MM/YYYY), and month {second} does not exist;"
                f" refused the month-first reading {_long(us)}",
                f"type {us.day}/{us.month}/{us.year} or {us.isoformat()}",
            )
    return _day(text, year, second, first, hint)


def _named_month(
    text: str, day: int, month_name: str, year: str | None, base: date, future: bool, hint: str
) -> date:
    month = _MONTHS.get(month_name)
    if month is None:
        raise _invalid("date", text, f"unknown month '{month_name}'", hint)
    if year is not None:
        return _day(text, int(year), month, day, hint)
    if not 1 <= day <= 31 or day > (29 if month == 2 else _days_in_month(2001, month)):
        raise _invalid("date", text, "day is out of range for month", hint)
    # no year: the nearest such day in the direction of `future` (today counts)
    step = 1 if future else -1
    year_ = base.year
    for _ in range(9):  # 29 February needs up to 8 years
        try:
            found = date(year_, month, day)
        except ValueError:
            year_ += step
            continue
        if (found >= base) if future else (found <= base):
            return found
        year_ += step
    raise _invalid("date", text, "day is out of range for month", hint)  # pragma: no cover


def _weekday(base: date, weekday: int, future: bool, *, strict: bool = True) -> date:
    """The nearest `weekday` after (future) or before `base`; `strict=False` allows `base`."""
    if future:
        return base + timedelta(days=(weekday - base.weekday() - strict) % 7 + strict)
    return base - timedelta(days=(base.weekday() - weekday - 1) % 7 + 1)


def _parse_date(text: str, s: str, today: date | None, future: bool, hint: str) -> date:
    """Parse the lowered, stripped `s`; `text` is what the user typed, for messages."""
    if not s:
        raise _invalid("date", text, "no date given", hint)
    m = _rx(rf"(.+?)(?:\s+|(?<=\d)t){_TIME_SRC}").fullmatch(s)
    if m and (_rx(_ISO_DATE).fullmatch(m[1]) or _rx(_UK_DATE).fullmatch(m[1])):
        _parse_time(s[len(m[1]) :].strip(" t"), m.groups()[1:])  # still a valid time
        s = m[1]  # a time after a full date: the day is what is kept here
    if m := _rx(_ISO_DATE).fullmatch(s):
        return _day(text, int(m[1]), int(m[2]), int(m[3]), hint)
    if m := _rx(_UK_DATE).fullmatch(s):
        return _uk_date(text, m, hint)
    base = date.today() if today is None else today
    if (m := _rx(_DAY_MONTH).fullmatch(s)) and (m[2] in _MONTHS or m[3]):
        return _named_month(text, int(m[1]), m[2], m[3], base, future, hint)
    if (m := _rx(_MONTH_DAY).fullmatch(s)) and m[1] in _MONTHS:
        return _named_month(text, int(m[2]), m[1], m[3], base, future, hint)
    if s in _RELATIVE:
        return base + timedelta(days=_RELATIVE[s])
    if s in _WEEKDAYS:
        return _weekday(base, _WEEKDAYS[s], future, strict=not future)
    if m := _rx(_LAST_NEXT).fullmatch(s):
        if m[2] not in _WEEKDAYS:
            raise _invalid("date", text, f"'{m[2]}' is not a weekday", hint)
        return _weekday(base, _WEEKDAYS[m[2]], m[1] == "next")
    if m := _rx(_OFFSET).fullmatch(s):
        unit = m[3][0]
        try:
            n = int(m[2]) * (-1 if m[1] == "-" else 1)
            if unit == "d":
                return base + timedelta(days=n)
            if unit == "w":
                return base + timedelta(weeks=n)
            return _add_months(base, n if unit == "m" else 12 * n)
        except (OverflowError, ValueError):  # ValueError: int() of thousands of digits
            raise _invalid("date", text, "offset goes outside years 1 to 9999", hint) from None
    if _rx(_TIME_SRC).fullmatch(s):
        raise _invalid("date", text, "this is a time; a date is needed here", hint)
    if _rx(r"\d{1,2}[/.]\d{1,2}").fullmatch(s):
        raise _invalid("date", text, "give the year too (DD/MM/YYYY)", hint)
    if _rx(r"[+-]?\s*\d+\s*[a-z]+").fullmatch(s):
        raise _invalid("date", text, "offset unit must be d, w, m (months) or y", hint)
    raise _invalid("date", text, "not a date", hint)


def parse_date(text: str, *, today: date | None = None, future: bool = False) -> date:
    """Parse a date a user typed (see the module docstring for the accepted forms).

    `today` defaults to `date.today()`. `future` picks the direction for weekday names and
    yearless dates: False (past events) gives the most recent such day before today (on or
    before, for `1 dec`), True (due dates) the next one on or after today. Raises `UserError` for
    anything else, including impossible dates and month-first dates.
    """
    return _parse_date(text, text.strip().lower(), today, future, DATE_HINT)


def _parse_time(text: str, groups: tuple[str | None, ...]) -> time:
    """Validate the six groups of `_TIME_SRC`; `text` is what the user typed, for messages."""
    h, mi, sec, meridiem, bare_hour, bare_meridiem = groups
    if bare_hour is not None:  # 6pm
        hour, minute, second, meridiem = int(bare_hour), 0, 0, bare_meridiem
    else:
        hour, minute, second = int(h or 0), int(mi or 0), int(sec or 0)
    if meridiem is not None:
        if not 1 <= hour <= 12:
            raise _invalid("time", text, "hour must be 1 to 12 with am/pm", TIME_HINT)
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    elif hour > 23:
        raise _invalid("time", text, "hour must be 0 to 23", TIME_HINT)
    if minute > 59:
        raise _invalid("time", text, "minute must be 0 to 59", TIME_HINT)
    if second > 59:
        raise _invalid("time", text, "second must be 0 to 59", TIME_HINT)
    return time(hour, minute, second)


def parse_time(text: str) -> time:
    """Parse a time of day: `18:30`, `9:05`, `18.30`, `18:30:15`, `6pm`, `6:30pm`, `6.30 p.m.`."""
    s = text.strip().lower()
    if not s:
        raise _invalid("time", text, "no time given", TIME_HINT)
    m = _rx(_TIME_SRC).fullmatch(s)
    if m is None:
        raise _invalid("time", text, "not a time", TIME_HINT)
    return _parse_time(text, m.groups())


def parse_datetime(
    text: str,
    *,
    today: date | None = None,
    future: bool = False,
    default_time: time = time(0, 0),
) -> datetime:
    """Parse a date (as `parse_date`) optionally followed by a time (as `parse_time`).

    `2026-11-26 18:30`, `2026-11-26T18:30:15`, `yesterday 18:30`, `mon 9:05`. A bare time
    (`18:30`) means today at that time; a bare date gets `default_time`. The result is a naive
    local datetime. Weekday names are resolved by day only: with `future=False`, "mon 9:05" on
    a Monday is today at 09:05 even if that is later than now.
    """
    s = text.strip().lower()
    if not s:
        raise _invalid("date", text, "no date given", DATETIME_HINT)
    if m := _rx(_TIME_SRC).fullmatch(s):
        day = date.today() if today is None else today
        return datetime.combine(day, _parse_time(text, m.groups()))
    if m := _rx(_DATE_THEN_TIME).fullmatch(s):
        typed = text.strip()  # quote the user's own spelling of each part in messages
        if len(typed) != len(s):  # lower() changed the length (rare non-ASCII input)
            typed = s
        date_part, time_part = typed[m.start(1) : m.end(1)], typed[m.start(2) : m.end(2)]
        day = _parse_date(date_part, m[1], today, future, DATETIME_HINT)
        return datetime.combine(day, _parse_time(time_part, m.groups()[2:]))
    return datetime.combine(_parse_date(text, s, today, future, DATETIME_HINT), default_time)


def _scaled_microseconds(number: str, unit_seconds: int) -> int:
    """`number` (digits, optionally with a decimal point) times `unit_seconds`, in µs, exactly."""
    whole, _, frac = number.partition(".")
    scale: int = 10 ** len(frac)
    numerator = (int(whole or 0) * scale + int(frac or 0)) * unit_seconds * 1_000_000
    return (numerator + scale // 2) // scale  # exact; sub-microsecond digits round half up


def parse_duration(text: str) -> timedelta:
    """Parse a positive duration: `15m`, `2h`, `1h30m`, `1.5h`, `90s`, `7d`, `2w`, `1:30`.

    A bare number is minutes (`90`); `H:MM` and `1h30` are hours and minutes. Unit words are
    accepted too (`90 min`, `2 hours`). Zero and negative durations are refused.
    """
    s = text.strip().lower()
    if not s:
        raise _invalid("duration", text, "no duration given", DURATION_HINT)
    if s.startswith("-"):
        raise _invalid("duration", text, "must be more than zero", DURATION_HINT)
    s = s.removeprefix("+").lstrip()
    micros = 0
    try:
        if _rx(_BARE_NUMBER).fullmatch(s):
            micros = _scaled_microseconds(s, _MINUTE)
        elif m := _rx(_HOURS_MINUTES).fullmatch(s):
            if int(m[2]) > 59:
                raise _invalid("duration", text, "minutes must be 0 to 59 in H:MM", DURATION_HINT)
            micros = (int(m[1]) * _HOUR + int(m[2]) * _MINUTE) * 1_000_000
        else:
            pos, unit = 0, None
            while pos < len(s):
                part = _rx(_DURATION_PART).match(s, pos)
                if part is None:
                    raise _invalid("duration", text, "not a duration", DURATION_HINT)
                if not part[2]:  # a unitless number only as minutes after hours: 1h30
                    if unit != _HOUR or part.end() != len(s):
                        raise _invalid("duration", text, "number without a unit", DURATION_HINT)
                    unit = _MINUTE
                else:
                    unit = _DURATION_UNITS.get(part[2])
                if unit is None:
                    reason = f"unknown unit '{part[2]}'; use s, m, h, d or w"
                    raise _invalid("duration", text, reason, DURATION_HINT)
                micros += _scaled_microseconds(part[1], unit)
                pos = part.end()
        if micros <= 0:
            raise _invalid("duration", text, "must be more than zero", DURATION_HINT)
        return timedelta(microseconds=micros)
    except (OverflowError, ValueError):  # absurdly large numbers
        raise _invalid("duration", text, "too long", DURATION_HINT) from None


def parse_minutes(text: str) -> int:
    """Parse a duration (as `parse_duration`) that must be a whole number of minutes.

    `90`, `45m`, `1h30m`, `1.5h` -> 90. `90s` is refused rather than rounded.
    """
    duration = parse_duration(text)
    minutes, rest = divmod(duration, timedelta(minutes=1))
    if rest:
        raise _invalid("duration", text, "must be a whole number of minutes", MINUTES_HINT)
    return minutes


def parse_quarter(text: str) -> tuple[date, date]:
    """Parse a calendar quarter `2026-Q3` / `2026q3` / `Q3 2026` into (first day, last day)."""
    s = text.strip().lower()
    m = _rx(_QUARTER).fullmatch(s)
    if m is None:
        reason = "no quarter given" if not s else "not a quarter"
        raise _invalid("quarter", text, reason, QUARTER_HINT)
    year, quarter = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
    if not 1 <= quarter <= 4:
        raise _invalid("quarter", text, "quarter must be 1 to 4", QUARTER_HINT)
    if year < 1:
        raise _invalid("quarter", text, "year must be 1 to 9999", QUARTER_HINT)
    first_month = 3 * quarter - 2
    last_day = _days_in_month(year, first_month + 2)
    return date(year, first_month, 1), date(year, first_month + 2, last_day)


def iso(d: date | datetime | None) -> str | None:
    """Storage text: dates `YYYY-MM-DD`, datetimes `YYYY-MM-DD HH:MM:SS`; None stays None.

    Microseconds are dropped (truncated). An aware datetime is converted to local time first,
    and stored without an offset, like every other datetime.
    """
    if d is None:
        return None
    if isinstance(d, datetime):
        if d.tzinfo is not None:
            d = d.astimezone().replace(tzinfo=None)
        return d.replace(microsecond=0).isoformat(sep=" ")
    return d.isoformat()
