"""Working days and working hours: the only place Threadline does calendar arithmetic
for statutory timescales and escalation.

A working day is Monday to Friday except England and Wales bank holidays (the
`holidays` package's England subdivision, which shares its bank holidays with Wales) and
the local closure days in LOCAL_CLOSURE_DAYS (e.g. the days between Christmas and New
Year some councils close).
Working hours are WORKING_DAY_START to WORKING_DAY_END, Europe/London."""

import datetime as dt
from functools import cache

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return (
        day.weekday() < 5
        and day not in _bank_holidays(day.year)
        and day not in settings.LOCAL_CLOSURE_DAYS
    )


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The working day `days` working days after `day` (a referral received on Friday
    with one working day to decide is due on Monday, or Tuesday after a bank holiday)."""
    while days > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (or earlier), or the month's last day
    if it has no such day: three months after 30 November is 28 (or 29) February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def working_days_before(day: dt.date, days: int) -> dt.date:
    """The working day `days` working days before `day` (reports due three working days
    before a Monday meeting are due the Wednesday before)."""
    while days > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def _hours() -> tuple[dt.time, dt.time]:
    opens, closes = settings.WORKING_DAY_START, settings.WORKING_DAY_END
    if opens >= closes:  # else add_working_hours would never find an hour to count
        raise ImproperlyConfigured("WORKING_DAY_START must be before WORKING_DAY_END.")
    return opens, closes


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` working hours after `start` (aware). Time outside working hours
    does not count: a notice sent at 16:00 on Friday with eight hours to acknowledge is
    due at 16:00 on Monday. Working hours are wall-clock hours in Europe/London, so a
    clock change overnight neither adds nor takes away one."""
    opens, closes = _hours()
    tz = timezone.get_default_timezone()
    local = timezone.localtime(start, tz)
    remaining = dt.timedelta(hours=hours)
    day = local.date()
    cursor = local.time()
    while True:
        if is_working_day(day):
            begin = max(cursor, opens)
            if begin < closes:
                available = dt.datetime.combine(day, closes) - dt.datetime.combine(day, begin)
                if remaining <= available:
                    return dt.datetime.combine(day, begin, tz) + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        cursor = dt.time.min
