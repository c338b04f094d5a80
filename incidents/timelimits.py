"""Deadlines from time limits (处置时限), in the four units of the standard.

Urgent hours and natural days run through nights and holidays. Working hours and working days
count only working time: WORKDAY_PERIODS on working days, where a working day is Monday to
Friday unless the calendar says otherwise (public holidays off, make-up days 调休 on).
A working day is one full day of working time, so "1 working day" from Friday 10:00 ends on
Monday 10:00.
"""

import logging
import time as time_module
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class TimeUnit(models.TextChoices):
    URGENT_HOURS = "urgent_hours", _("urgent hours")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    NATURAL_DAYS = "natural_days", _("natural days")


def _periods() -> list[tuple[time, time]]:
    return [(time.fromisoformat(start), time.fromisoformat(end)) for start, end in settings.WORKDAY_PERIODS]


def workday_seconds() -> float:
    return sum(
        (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()
        for start, end in _periods()
    )


# Every transition of a case counts working time, and the calendar changes a few times a year:
# each process keeps the days for CALENDAR_MEMO_SECONDS. Saving or deleting a day forgets them
# at once in the process that did it (incidents.apps); other processes see it within the memo.
CALENDAR_MEMO_SECONDS = 30
_calendar_memo: tuple[float, dict[date, bool]] | None = None


def calendar_days() -> dict[date, bool]:
    """Every exception of the working calendar."""
    global _calendar_memo
    from .models import CalendarDay

    if _calendar_memo is None or _calendar_memo[0] < time_module.monotonic():
        days = dict(CalendarDay.objects.values_list("date", "is_working_day"))
        _calendar_memo = (time_module.monotonic() + CALENDAR_MEMO_SECONDS, days)
    return _calendar_memo[1]


def forget_calendar(**_signal) -> None:
    global _calendar_memo
    _calendar_memo = None


class WorkingCalendar:
    """Which days are working days, from the weekday and the calendar's exceptions.

    `known_until` is the last day the exceptions are known for: the end of the last year whose
    New Year's Day is in them as a holiday. Every year's schedule starts with it, the State
    Council's and one entered by hand alike, while a single local day off does not make a year
    known. Past it, holidays are unknown and every weekday counts as a working day.
    """

    def __init__(self, exceptions: dict[date, bool], known_until: date | None = date.max):
        self.exceptions = exceptions
        self.known_until = known_until

    @classmethod
    def load(cls, start: date, days: int = 400) -> "WorkingCalendar":
        # From the start of its year, so that a known year is seen to be known however late in it.
        first, end = date(start.year, 1, 1), start + timedelta(days=days)
        exceptions = {day: working for day, working in calendar_days().items() if first <= day < end}
        known_years = [day.year for day, working in exceptions.items() if (day.month, day.day) == (1, 1) and not working]
        return cls(exceptions, date(max(known_years), 12, 31) if known_years else None)

    def is_working_day(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)


def add_working_seconds(start: datetime, seconds: float, calendar: WorkingCalendar) -> datetime:
    tz = timezone.get_current_timezone()
    cursor = timezone.localtime(start, tz)
    remaining = timedelta(seconds=seconds)
    day = cursor.date()
    for _day in range(3660):
        if calendar.is_working_day(day):
            for period_start, period_end in _periods():
                opens = datetime.combine(day, period_start, tzinfo=tz)
                closes = datetime.combine(day, period_end, tzinfo=tz)
                if closes <= cursor:
                    continue
                begin = max(cursor, opens)
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
                cursor = closes
        day += timedelta(days=1)
    raise ValueError("the calendar has no working time within ten years")


def working_seconds_between(start: datetime, end: datetime, calendar: WorkingCalendar) -> float:
    """The working time from `start` to `end` (0 if `end` is not after `start`)."""
    tz = timezone.get_current_timezone()
    start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    total = 0.0
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            for period_start, period_end in _periods():
                begin = max(start, datetime.combine(day, period_start, tzinfo=tz))
                finish = min(end, datetime.combine(day, period_end, tzinfo=tz))
                if finish > begin:
                    total += (finish - begin).total_seconds()
        day += timedelta(days=1)
    return total


def counts_working_time(unit: str) -> bool:
    return unit in (TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS)


def time_between(start: datetime, end: datetime, unit: str, calendar: WorkingCalendar) -> float:
    """Seconds from `start` to `end`, counted the way a limit in `unit` is counted."""
    if counts_working_time(unit):
        return working_seconds_between(start, end, calendar)
    return max(0.0, (end - start).total_seconds())


def add_time(start: datetime, seconds: float, unit: str, calendar: WorkingCalendar) -> datetime:
    """`start` plus `seconds`, counted the way a limit in `unit` is counted."""
    if seconds <= 0:
        return start
    if counts_working_time(unit):
        return add_working_seconds(start, seconds, calendar)
    return start + timedelta(seconds=seconds)


def limit_seconds(amount: float, unit: str) -> float:
    """A limit in seconds of its own clock: working seconds for the working units."""
    if unit in (TimeUnit.URGENT_HOURS, TimeUnit.WORKING_HOURS):
        return amount * 3600
    if unit == TimeUnit.WORKING_DAYS:
        return amount * workday_seconds()
    if unit == TimeUnit.NATURAL_DAYS:
        return amount * 86400
    raise ValueError(f"unknown time unit {unit!r}")


def add_time_limit(start: datetime, amount: float, unit: str, calendar: WorkingCalendar | None = None) -> datetime:
    seconds = limit_seconds(amount, unit)
    if not counts_working_time(unit):
        return start + timedelta(seconds=seconds)
    return add_working_seconds(start, seconds, calendar or WorkingCalendar.load(timezone.localdate(start)))


def deadline_and_warning(start: datetime, amount: float, unit: str, calendar: WorkingCalendar | None = None) -> tuple[datetime, datetime]:
    """The deadline, and the warning time at WARNING_FRACTION of the limit (in the same unit)."""
    working_time = counts_working_time(unit)
    if working_time:
        calendar = calendar or WorkingCalendar.load(timezone.localdate(start))
    deadline = add_time_limit(start, amount, unit, calendar)
    warning = add_time_limit(start, amount * settings.WARNING_FRACTION, unit, calendar)
    if working_time and (calendar.known_until is None or timezone.localdate(deadline) > calendar.known_until):
        logger.warning(
            "deadline %s counted past the last day the working calendar knows (%s): its holidays are counted as "
            "working days. Load the new year's holidays (manage.py load_calendar) or enter them in the admin.",
            f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}", calendar.known_until or "no day at all",
        )
    return deadline, warning
