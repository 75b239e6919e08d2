"""Tests for cosa.dates: every accepted form, every refusal, and ISO round trips."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosa import dates
from cosa.dates import (
    iso,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_minutes,
    parse_quarter,
    parse_time,
)
from cosa.errors import ExitCode, UserError

THU = date(2026, 11, 26)  # a Thursday
MON = date(2026, 11, 23)


def test_reference_weekdays() -> None:
    assert THU.weekday() == 3
    assert MON.weekday() == 0


# --- parse_date --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "future", "expected"),
    [
        # ISO
        ("2026-11-26", THU, False, date(2026, 11, 26)),
        ("1999-01-01", THU, False, date(1999, 1, 1)),
        ("2026-1-5", THU, False, date(2026, 1, 5)),
        ("2024-02-29", THU, False, date(2024, 2, 29)),  # leap year
        ("2000-02-29", THU, False, date(2000, 2, 29)),  # divisible by 400: leap
        # words
        ("today", THU, False, THU),
        ("yesterday", THU, False, date(2026, 11, 25)),
        ("tomorrow", THU, False, date(2026, 11, 27)),
        ("tomorrow", date(2026, 12, 31), False, date(2027, 1, 1)),
        ("yesterday", date(2024, 3, 1), False, date(2024, 2, 29)),
        # whitespace and case
        ("  2026-11-26\t", THU, False, date(2026, 11, 26)),
        ("TODAY", THU, False, THU),
        (" Yesterday ", THU, False, date(2026, 11, 25)),
        ("MONDAY", THU, False, MON),
        ("Fri", THU, False, date(2026, 11, 20)),
        # weekdays, past (default): most recent before today
        ("monday", THU, False, MON),
        ("mon", THU, False, MON),
        ("wednesday", THU, False, date(2026, 11, 25)),
        ("wed", THU, False, date(2026, 11, 25)),
        ("thursday", THU, False, date(2026, 11, 19)),  # same weekday = a week ago
        ("thu", THU, False, date(2026, 11, 19)),
        ("friday", THU, False, date(2026, 11, 20)),
        ("sat", THU, False, date(2026, 11, 21)),
        ("sunday", THU, False, date(2026, 11, 22)),
        ("tue", THU, False, date(2026, 11, 24)),
        ("monday", MON, False, date(2026, 11, 16)),
        ("sunday", MON, False, date(2026, 11, 22)),
        # weekdays, future: next on or after today
        ("monday", THU, True, date(2026, 11, 30)),
        ("mon", THU, True, date(2026, 11, 30)),
        ("thursday", THU, True, THU),  # same weekday = today
        ("friday", THU, True, date(2026, 11, 27)),
        ("wednesday", THU, True, date(2026, 12, 2)),
        ("sun", THU, True, date(2026, 11, 29)),
        ("monday", MON, True, MON),
        ("sunday", MON, True, date(2026, 11, 29)),
        ("tue", date(2026, 12, 31), True, date(2027, 1, 5)),
        # future only affects weekday names
        ("yesterday", THU, True, date(2026, 11, 25)),
        ("-3d", THU, True, date(2026, 11, 23)),
        ("2020-01-01", THU, True, date(2020, 1, 1)),
        # day and week offsets
        ("-3d", THU, False, date(2026, 11, 23)),
        ("+3d", THU, False, date(2026, 11, 29)),
        ("3d", THU, False, date(2026, 11, 29)),  # unsigned = forward
        ("+0d", THU, False, THU),
        ("+2w", THU, False, date(2026, 12, 10)),
        ("-2w", THU, False, date(2026, 11, 12)),
        ("2W", THU, False, date(2026, 12, 10)),
        (" -3D ", THU, False, date(2026, 11, 23)),
        ("+10d", date(2026, 12, 25), False, date(2027, 1, 4)),
        ("+1d", date(2024, 2, 28), False, date(2024, 2, 29)),
        ("+1d", date(2026, 2, 28), False, date(2026, 3, 1)),
        ("-365d", THU, False, date(2025, 11, 26)),
        ("3 days", THU, False, date(2026, 11, 29)),
        ("-2 weeks", THU, False, date(2026, 11, 12)),
        # month offsets, clamped to month end
        ("+1m", THU, False, date(2026, 12, 26)),
        ("+1m", date(2026, 1, 31), False, date(2026, 2, 28)),
        ("+1m", date(2024, 1, 31), False, date(2024, 2, 29)),  # leap year
        ("-1m", date(2026, 3, 31), False, date(2026, 2, 28)),
        ("+1m", date(2026, 3, 31), False, date(2026, 4, 30)),
        ("+2m", date(2026, 12, 15), False, date(2027, 2, 15)),
        ("-12m", THU, False, date(2025, 11, 26)),
        ("+13m", date(2026, 1, 31), False, date(2027, 2, 28)),
        ("-1m", date(2026, 1, 15), False, date(2025, 12, 15)),
        ("6 months", THU, False, date(2027, 5, 26)),
        # year offsets
        ("+1y", THU, False, date(2027, 11, 26)),
        ("-1y", date(2024, 2, 29), False, date(2023, 2, 28)),  # clamped
        ("+4y", date(2024, 2, 29), False, date(2028, 2, 29)),
        ("2y", THU, False, date(2028, 11, 26)),
        # UK order, slashes, dots or dashes; two-digit years are 20YY
        ("26/11/2026", THU, False, date(2026, 11, 26)),
        ("26.11.2026", THU, False, date(2026, 11, 26)),
        ("26-11-2026", THU, False, date(2026, 11, 26)),
        ("1/2/26", THU, False, date(2026, 2, 1)),
        ("01/02/2026", THU, False, date(2026, 2, 1)),  # both readings valid: day first
        ("3/4/26", THU, True, date(2026, 4, 3)),
        # a date and a time where only the day is kept
        ("2026-11-26 18:30", THU, False, date(2026, 11, 26)),
        ("2026-11-26T18:30", THU, False, date(2026, 11, 26)),
        ("26/11/2026 6pm", THU, False, date(2026, 11, 26)),
        # day and month names; no year = the nearest in the event's direction
        ("1 dec", THU, False, date(2025, 12, 1)),
        ("1 dec", THU, True, date(2026, 12, 1)),
        ("26 nov", THU, False, THU),  # today counts
        ("26 nov", THU, True, THU),
        ("1 December 2026", THU, False, date(2026, 12, 1)),
        ("1st Dec 2026", THU, False, date(2026, 12, 1)),
        ("dec 1", THU, True, date(2026, 12, 1)),
        ("December 1, 2026", THU, False, date(2026, 12, 1)),
        ("3 sept", THU, False, date(2026, 9, 3)),
        ("29 feb", THU, False, date(2024, 2, 29)),  # the last leap day
        ("29 feb", THU, True, date(2028, 2, 29)),
        # last/next: strictly before/after today, whatever the direction
        ("last tue", THU, False, date(2026, 11, 24)),
        ("last thursday", THU, True, date(2026, 11, 19)),
        ("next tue", THU, False, date(2026, 12, 1)),
        ("next thu", THU, False, date(2026, 12, 3)),
        ("Next  Monday", MON, False, date(2026, 11, 30)),
    ],
)
def test_parse_date(text: str, today: date, future: bool, expected: date) -> None:
    assert parse_date(text, today=today, future=future) == expected


def test_parse_date_defaults_to_real_today() -> None:
    assert parse_date("today") == date.today()
    assert parse_date("+1d") == date.today() + timedelta(days=1)


# --- parse_time --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", time(18, 30)),
        ("9:05", time(9, 5)),
        ("09:05", time(9, 5)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("18.30", time(18, 30)),
        ("18:30:15", time(18, 30, 15)),
        ("6pm", time(18, 0)),
        ("6PM", time(18, 0)),
        ("6 pm", time(18, 0)),
        ("6am", time(6, 0)),
        ("6:30pm", time(18, 30)),
        ("6.30 p.m.", time(18, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15am", time(0, 15)),
        ("12:15pm", time(12, 15)),
        ("11:59pm", time(23, 59)),
        ("  18:30 ", time(18, 30)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


# --- parse_datetime ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "future", "expected"),
    [
        ("2026-11-26", False, datetime(2026, 11, 26, 0, 0)),
        ("2026-11-26 18:30", False, datetime(2026, 11, 26, 18, 30)),
        ("2026-11-26T18:30", False, datetime(2026, 11, 26, 18, 30)),
        ("2026-11-26t18:30", False, datetime(2026, 11, 26, 18, 30)),
        ("2026-11-26 18:30:15", False, datetime(2026, 11, 26, 18, 30, 15)),
        ("2026-11-26T18:30:15", False, datetime(2026, 11, 26, 18, 30, 15)),
        ("2026-11-26   6:30pm", False, datetime(2026, 11, 26, 18, 30)),
        ("yesterday 18:30", False, datetime(2026, 11, 25, 18, 30)),
        ("Yesterday 6pm", False, datetime(2026, 11, 25, 18, 0)),
        ("today", False, datetime(2026, 11, 26, 0, 0)),
        ("mon 9:05", False, datetime(2026, 11, 23, 9, 5)),
        ("thu 9:05", False, datetime(2026, 11, 19, 9, 5)),
        ("26/11/2026 18:30", False, datetime(2026, 11, 26, 18, 30)),
        ("1 dec 9:05", True, datetime(2026, 12, 1, 9, 5)),
        ("mon 9:05", True, datetime(2026, 11, 30, 9, 5)),
        ("monday 6 pm", False, datetime(2026, 11, 23, 18, 0)),
        ("thu 9:05", True, datetime(2026, 11, 26, 9, 5)),
        ("-3d 18.30", False, datetime(2026, 11, 23, 18, 30)),
        ("+2w 10:00", False, datetime(2026, 12, 10, 10, 0)),
        ("3 days 10:00", False, datetime(2026, 11, 29, 10, 0)),
        ("18:30", False, datetime(2026, 11, 26, 18, 30)),  # bare time = today
        ("6pm", True, datetime(2026, 11, 26, 18, 0)),
        (" 2026-11-26 18:30 ", False, datetime(2026, 11, 26, 18, 30)),
    ],
)
def test_parse_datetime(text: str, future: bool, expected: datetime) -> None:
    assert parse_datetime(text, today=THU, future=future) == expected


def test_parse_datetime_default_time() -> None:
    at_nine = time(9, 0)
    assert parse_datetime("tomorrow", today=THU, default_time=at_nine) == datetime(
        2026, 11, 27, 9, 0
    )
    assert parse_datetime("tomorrow 18:00", today=THU, default_time=at_nine) == datetime(
        2026, 11, 27, 18, 0
    )


def test_parse_datetime_returns_naive() -> None:
    assert parse_datetime("2026-11-26 18:30").tzinfo is None
    assert parse_datetime("18:30").date() == date.today()


# --- parse_duration / parse_minutes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("1h30", timedelta(minutes=90)),  # minutes implied after hours
        ("1H30M", timedelta(minutes=90)),
        ("90s", timedelta(seconds=90)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("90", timedelta(minutes=90)),  # bare number = minutes
        (" 90 ", timedelta(minutes=90)),
        ("+90", timedelta(minutes=90)),
        ("1.5h", timedelta(minutes=90)),
        ("1.1h", timedelta(minutes=66)),
        (".5h", timedelta(minutes=30)),
        ("1:30", timedelta(minutes=90)),
        ("0:45", timedelta(minutes=45)),
        ("90 min", timedelta(minutes=90)),
        ("2 hours", timedelta(hours=2)),
        ("1 hour 15 minutes", timedelta(minutes=75)),
        ("1d12h", timedelta(hours=36)),
        ("1w1d", timedelta(days=8)),
        ("0h5m", timedelta(minutes=5)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", 90),
        ("1h30m", 90),
        ("1h30", 90),
        ("1.5h", 90),
        ("45m", 45),
        ("2h", 120),
        ("1:30", 90),
        ("120s", 2),
        ("1d", 1440),
    ],
)
def test_parse_minutes(text: str, expected: int) -> None:
    result = parse_minutes(text)
    assert result == expected
    assert type(result) is int


# --- parse_quarter -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-Q1", (date(2026, 1, 1), date(2026, 3, 31))),
        ("2026-Q2", (date(2026, 4, 1), date(2026, 6, 30))),
        ("2026-Q3", (date(2026, 7, 1), date(2026, 9, 30))),
        ("2026q3", (date(2026, 7, 1), date(2026, 9, 30))),
        ("2026-Q4", (date(2026, 10, 1), date(2026, 12, 31))),
        ("2026 Q4", (date(2026, 10, 1), date(2026, 12, 31))),
        ("Q3 2026", (date(2026, 7, 1), date(2026, 9, 30))),
        ("q3-2026", (date(2026, 7, 1), date(2026, 9, 30))),
        (" 2024-q1 ", (date(2024, 1, 1), date(2024, 3, 31))),
    ],
)
def test_parse_quarter(text: str, expected: tuple[date, date]) -> None:
    assert parse_quarter(text) == expected


# --- iso ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (date(2026, 11, 26), "2026-11-26"),
        (date(999, 1, 2), "0999-01-02"),
        (datetime(2026, 11, 26, 18, 30), "2026-11-26 18:30:00"),
        (datetime(2026, 11, 26, 18, 30, 15, 999_999), "2026-11-26 18:30:15"),
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02 03:04:05"),
    ],
)
def test_iso(value: date | datetime | None, expected: str | None) -> None:
    assert iso(value) == expected


def test_iso_aware_datetime_is_stored_as_local_naive() -> None:
    aware = datetime(2026, 11, 26, 18, 30, tzinfo=timezone(timedelta(hours=5)))
    text = iso(aware)
    assert text == aware.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert text is not None and "+" not in text


# --- errors ------------------------------------------------------------------------------------

Parser = Callable[[str], Any]


def _date(text: str) -> date:
    return parse_date(text, today=THU)


def _datetime(text: str) -> datetime:
    return parse_datetime(text, today=THU)


@pytest.mark.parametrize(
    ("parse", "text", "fragment"),
    [
        (_date, "", "invalid date '': no date given"),
        (_date, "   ", "no date given"),
        (_date, "garbage", "invalid date 'garbage': not a date"),
        (_date, "2026-02-30", "invalid date '2026-02-30': day is out of range for month"),
        (_date, "2025-02-29", "day is out of range for month"),  # not a leap year
        (_date, "1900-02-29", "day is out of range for month"),  # century, not a leap year
        (_date, "2026-13-01", "invalid date '2026-13-01': month must be in 1..12"),
        (_date, "2026-00-10", "month must be in 1..12"),
        (_date, "0000-01-01", "year 0 is out of range"),
        (_date, "+0x", "invalid date '+0x': offset unit must be d, w, m (months) or y"),
        (_date, "3h", "offset unit"),
        (_date, "+d", "not a date"),
        (_date, "11/26/2026", "refused the month-first reading 26 November 2026"),
        (_date, "12/31/26", "refused the month-first reading 31 December 2026"),
        (_date, "31/11/2026", "day is out of range for month"),
        (_date, "13/13/2026", "month must be in 1..12"),
        (_date, "26/11", "give the year too"),
        (_date, "31 nov", "day is out of range for month"),
        (_date, "30 feb 2026", "day is out of range for month"),
        (_date, "1 foo 2026", "unknown month 'foo'"),
        (_date, "last foo", "'foo' is not a weekday"),
        (_date, "next", "not a date"),
        (_date, "26/11/2026 25:00", "invalid time '25:00': hour must be 0 to 23"),
        (_date, "18:30", "this is a time"),
        (_date, "mo", "not a date"),
        (_date, "+99999999d", "outside years 1 to 9999"),
        (_date, "-9999y", "outside years 1 to 9999"),
        (_date, "+200000m", "outside years 1 to 9999"),
        (_date, "9" * 5000 + "d", "outside years 1 to 9999"),
        (_date, "a\nb", r"invalid date 'a\nb'"),  # control characters escaped
        (_date, "x" * 200, "…"),  # long input shortened
        (parse_time, "", "invalid time '': no time given"),
        (parse_time, "25:00", "invalid time '25:00': hour must be 0 to 23"),
        (parse_time, "24:00", "hour must be 0 to 23"),
        (parse_time, "18:60", "minute must be 0 to 59"),
        (parse_time, "18:30:60", "second must be 0 to 59"),
        (parse_time, "13pm", "hour must be 1 to 12 with am/pm"),
        (parse_time, "0am", "hour must be 1 to 12 with am/pm"),
        (parse_time, "18", "not a time"),
        (parse_time, "9:5", "not a time"),
        (parse_time, "noonish", "not a time"),
        (_datetime, "", "no date given"),
        (_datetime, "garbage", "invalid date 'garbage': not a date"),
        (_datetime, "2026-02-30 18:30", "invalid date '2026-02-30': day is out of range"),
        (_datetime, "2026-11-26 25:00", "invalid time '25:00': hour must be 0 to 23"),
        (_datetime, "25:00", "invalid time '25:00'"),
        (_datetime, "mon 13pm", "hour must be 1 to 12"),
        (_datetime, "foo 18:30", "invalid date 'foo': not a date"),
        (_datetime, "Foo 18:30", "invalid date 'Foo': not a date"),
        (_datetime, "Mon 25:00PM", "invalid time '25:00PM'"),
        (_datetime, "2026-11-26 18", "not a date"),
        (parse_duration, "", "invalid duration '': no duration given"),
        (parse_duration, "0", "must be more than zero"),
        (parse_duration, "0m", "must be more than zero"),
        (parse_duration, "0h0m", "must be more than zero"),
        (parse_duration, "-5m", "must be more than zero"),
        (parse_duration, "-90", "must be more than zero"),
        (parse_duration, "abc", "not a duration"),
        (parse_duration, "5x", "unknown unit 'x'"),
        (parse_duration, "2y", "unknown unit 'y'"),
        (parse_duration, "30m1", "number without a unit"),
        (parse_duration, "1h30 2", "number without a unit"),
        (parse_duration, "1:75", "minutes must be 0 to 59"),
        (parse_duration, "1.2.3h", "number without a unit"),
        (parse_duration, "9" * 5000, "too long"),
        (parse_duration, "999999999999w", "too long"),
        (parse_minutes, "90s", "must be a whole number of minutes"),
        (parse_minutes, "30s", "must be a whole number of minutes"),
        (parse_minutes, "0", "must be more than zero"),
        (parse_minutes, "", "no duration given"),
        (parse_quarter, "", "invalid quarter '': no quarter given"),
        (parse_quarter, "2026-Q5", "quarter must be 1 to 4"),
        (parse_quarter, "2026-Q0", "quarter must be 1 to 4"),
        (parse_quarter, "0000-Q1", "year must be 1 to 9999"),
        (parse_quarter, "2026", "not a quarter"),
        (parse_quarter, "Q3", "not a quarter"),
        (parse_quarter, "26-Q3", "not a quarter"),
    ],
)
def test_errors(parse: Parser, text: str, fragment: str) -> None:
    with pytest.raises(UserError) as info:
        parse(text)
    err = info.value
    assert fragment in err.message
    assert "\n" not in err.message and "\r" not in err.message
    assert str(err) == err.message
    assert err.hint and "\n" not in err.hint
    assert err.exit_code == ExitCode.USER_ERROR


def test_date_error_message_and_hint() -> None:
    with pytest.raises(UserError) as info:
        parse_date("2026-02-30")
    assert info.value.message == "invalid date '2026-02-30': day is out of range for month"
    assert info.value.hint == dates.DATE_HINT


def test_errors_are_not_chained_tracebacks() -> None:
    with pytest.raises(UserError) as info:
        parse_date("2026-02-30")
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


# --- properties --------------------------------------------------------------------------------

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(DATES)
def test_iso_date_round_trip(d: date) -> None:
    assert parse_date(d.isoformat()) == d
    text = iso(d)
    assert text == d.isoformat()
    assert parse_date(text) == d


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31, 23, 59)))
def test_iso_datetime_round_trip(dt: datetime) -> None:
    text = iso(dt)
    assert text is not None
    assert parse_datetime(text) == dt.replace(microsecond=0)


@given(DATES, st.integers(min_value=-600, max_value=600))
def test_month_offset_clamps(d: date, months: int) -> None:
    result = parse_date(f"{months:+d}m", today=d)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    assert result.day <= d.day
    if result.day < d.day:  # clamped: must be the last day of the month
        assert (result + timedelta(days=1)).day == 1


@given(DATES, st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sunday"]))
def test_weekday_window(d: date, name: str) -> None:
    past = parse_date(name, today=d)
    future = parse_date(name, today=d, future=True)
    assert past.weekday() == future.weekday()
    assert 1 <= (d - past).days <= 7
    assert 0 <= (future - d).days <= 6
