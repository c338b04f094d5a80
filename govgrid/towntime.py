"""Days in the town's time zone. Periods are filtered by the instants that bound them, which an
index on a timestamp serves, never by a date computed from each row."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_start(day: date) -> datetime:
    """The first instant of a town-local day."""
    return timezone.make_aware(datetime.combine(day, time.min))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start of the town-local day, and of the next."""
    return day_start(day), day_start(day + timedelta(days=1))


def town_minute(moment: datetime) -> str:
    """A moment in town time to the minute, as messages quote it ("2026-11-29 14:05")."""
    try:
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
    except OverflowError:  # a phone's year 9999, past the last day Python can shift to town time
        return moment.isoformat()
