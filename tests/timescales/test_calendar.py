"""Working days and working hours: weekends and England's bank holidays do not count, and
neither does time outside WORKING_DAY_START to WORKING_DAY_END (09:00 to 17:00)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from threadline.timescales.calendar import (
    add_months,
    add_working_days,
    add_working_hours,
    is_working_day,
)

LONDON = ZoneInfo("Europe/London")


def london(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2026, 12, 18), True),  # Friday
        (dt.date(2026, 12, 19), False),  # Saturday
        (dt.date(2026, 12, 20), False),  # Sunday
        (dt.date(2026, 12, 24), True),  # Christmas Eve is a working day
        (dt.date(2026, 12, 25), False),  # Christmas Day
        (dt.date(2026, 12, 28), False),  # substitute for Boxing Day, a Saturday
        (dt.date(2026, 12, 29), True),
        (dt.date(2026, 4, 3), False),  # Good Friday
        (dt.date(2026, 4, 6), False),  # Easter Monday
        (dt.date(2026, 8, 31), False),  # summer bank holiday in England (not Scotland's)
        (dt.date(2026, 8, 3), True),  # Scotland's summer bank holiday is not England's
    ],
)
def test_working_days_skip_weekends_and_england_bank_holidays(day, working):
    assert is_working_day(day) is working


def test_add_working_days_over_christmas_and_new_year():
    # Thursday 24 December; then 25, 26, 27, 28 December go by without counting.
    assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 29)
    # 29, 30, 31 December, then 1 January 2027 (a bank holiday, in the next year), 4 January.
    assert add_working_days(dt.date(2026, 12, 24), 4) == dt.date(2027, 1, 4)


def test_working_hours_stop_on_friday_evening_and_resume_on_monday():
    assert add_working_hours(london(2026, 11, 27, 16), 8) == london(2026, 11, 30, 16)


def test_time_outside_working_hours_starts_the_count_at_opening():
    assert add_working_hours(london(2026, 11, 28, 11), 2) == london(2026, 11, 30, 11)  # Sat
    assert add_working_hours(london(2026, 11, 30, 7, 30), 1) == london(2026, 11, 30, 10)
    assert add_working_hours(london(2026, 11, 30, 18), 1) == london(2026, 12, 1, 10)


def test_a_whole_working_day_ends_at_closing_time():
    assert add_working_hours(london(2026, 11, 30, 9), 8) == london(2026, 11, 30, 17)


def test_working_hours_skip_the_christmas_bank_holidays():
    # 16:30 Thursday 24 December: half an hour, then nothing until Tuesday 29 December.
    due = add_working_hours(london(2026, 12, 24, 16, 30), 8)
    assert due == london(2026, 12, 29, 16, 30)


def test_working_hours_skip_easter():
    # Thursday 2 April 2026, 15:00: two hours that day, six on Tuesday 7 April.
    assert add_working_hours(london(2026, 4, 2, 15), 8) == london(2026, 4, 7, 15)


@pytest.mark.parametrize(
    ("start", "due_utc"),
    [
        # Clocks go forward on Sunday 29 March 2026: Monday 16:00 is BST, 15:00 UTC.
        (london(2026, 3, 27, 16), dt.datetime(2026, 3, 30, 15, tzinfo=dt.UTC)),
        # Clocks go back on Sunday 25 October 2026: Monday 16:00 is GMT, 16:00 UTC.
        (london(2026, 10, 23, 16), dt.datetime(2026, 10, 26, 16, tzinfo=dt.UTC)),
    ],
)
def test_a_clock_change_over_the_weekend_changes_no_working_hours(start, due_utc):
    due = add_working_hours(start, 8)
    assert due == due_utc
    assert due.astimezone(LONDON).hour == 16


def test_a_start_in_utc_is_counted_in_london_time():
    # 08:30 UTC on a summer Monday is 09:30 in London: one hour later is 10:30 there.
    start = dt.datetime(2026, 6, 1, 8, 30, tzinfo=dt.UTC)
    assert add_working_hours(start, 1) == london(2026, 6, 1, 10, 30)


def test_fractional_hours():
    assert add_working_hours(london(2026, 11, 30, 16, 45), 0.5) == london(2026, 12, 1, 9, 15)


def test_working_hours_that_never_open_are_refused(settings):
    settings.WORKING_DAY_START = dt.time(17)
    settings.WORKING_DAY_END = dt.time(9)
    with pytest.raises(ImproperlyConfigured):
        add_working_hours(london(2026, 11, 30, 10), 1)


def test_local_closure_days_are_not_working_days(settings):
    settings.LOCAL_CLOSURE_DAYS = frozenset({dt.date(2026, 12, 29), dt.date(2026, 12, 30)})
    assert not is_working_day(dt.date(2026, 12, 29))
    # 24 December + 2 working days: the 31st (after Christmas and the closure), then 4 January.
    assert add_working_days(dt.date(2026, 12, 24), 2) == dt.date(2027, 1, 4)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 3, 2), 12, dt.date(2027, 3, 2)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),  # no 30 February: its last day
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2027, 3, 2), -1, dt.date(2027, 2, 2)),  # a month before an expiry
        (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 31)),  # over the year end
    ],
)
def test_calendar_months(day, months, expected):
    assert add_months(day, months) == expected
