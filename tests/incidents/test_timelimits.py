"""Deadlines in the four units of the standard, against the town's working calendar.

Working time is 08:30–12:00 and 13:30–18:00 (settings.WORKDAY_PERIODS) on working days.
"""

from datetime import date, timedelta

import pytest

from incidents.models import CalendarDay
from incidents.services import incident_report
from incidents.timelimits import WorkingCalendar, add_time_limit, deadline_and_warning, workday_seconds
from tests.conftest import IN_GRID_A, local

pytestmark = pytest.mark.django_db


def holiday(day: date, name: str = "节假日") -> CalendarDay:
    """A day off entered locally, as the admin would (the national days are there already)."""
    return CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": False, "name": name, "source": "local"})[0]


def make_up_day(day: date, name: str = "调休上班") -> CalendarDay:
    return CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": True, "name": name, "source": "local"})[0]


@pytest.fixture
def national_day_2025(db):
    """The 2025 National Day and Mid-Autumn holiday: Oct 1–8 off, Sunday Sep 28 and Saturday Oct 11 worked."""
    make_up_day(date(2025, 9, 28), "国庆调休")
    for offset in range(8):
        holiday(date(2025, 10, 1) + timedelta(days=offset), "国庆节、中秋节")
    make_up_day(date(2025, 10, 11), "国庆调休")


# Working hours


def test_a_working_day_holds_eight_hours():
    assert workday_seconds() == 8 * 3600


def test_working_hours_run_within_the_morning():
    assert add_time_limit(local(2026, 11, 24, 9, 0), 2, "working_hours") == local(2026, 11, 24, 11, 0)


def test_working_hours_skip_the_lunch_break():
    assert add_time_limit(local(2026, 11, 24, 11, 0), 2, "working_hours") == local(2026, 11, 24, 14, 30)


def test_a_report_made_over_lunch_starts_counting_at_1330():
    assert add_time_limit(local(2026, 11, 24, 12, 45), 1, "working_hours") == local(2026, 11, 24, 14, 30)


def test_a_limit_ending_at_closing_time_ends_that_evening_not_next_morning():
    assert add_time_limit(local(2026, 11, 24, 16, 0), 2, "working_hours") == local(2026, 11, 24, 18, 0)


def test_working_hours_skip_the_evening_and_night():
    assert add_time_limit(local(2026, 11, 24, 17, 0), 2, "working_hours") == local(2026, 11, 25, 9, 30)


def test_working_hours_skip_the_weekend():
    # Friday 17:00: one hour on Friday, one on Monday morning.
    assert add_time_limit(local(2026, 11, 27, 17, 0), 2, "working_hours") == local(2026, 11, 30, 9, 30)


def test_a_report_made_at_night_starts_counting_at_the_next_opening():
    assert add_time_limit(local(2026, 11, 24, 22, 0), 2, "working_hours") == local(2026, 11, 25, 10, 30)
    assert add_time_limit(local(2026, 11, 25, 6, 0), 2, "working_hours") == local(2026, 11, 25, 10, 30)


def test_a_report_made_on_sunday_starts_counting_on_monday_morning():
    assert add_time_limit(local(2026, 11, 29, 15, 0), 2, "working_hours") == local(2026, 11, 30, 10, 30)


def test_working_hours_skip_a_public_holiday():
    holiday(date(2026, 11, 26))  # a Thursday
    assert add_time_limit(local(2026, 11, 25, 17, 0), 2, "working_hours") == local(2026, 11, 27, 9, 30)


def test_a_make_up_saturday_counts_as_working_time():
    make_up_day(date(2026, 11, 28))
    assert add_time_limit(local(2026, 11, 27, 17, 0), 2, "working_hours") == local(2026, 11, 28, 9, 30)


def test_a_report_made_on_a_make_up_saturday_is_counted_from_that_morning():
    make_up_day(date(2026, 11, 28))
    assert add_time_limit(local(2026, 11, 28, 7, 0), 2, "working_hours") == local(2026, 11, 28, 10, 30)


def test_an_explicit_calendar_overrides_the_stored_one():
    holiday(date(2026, 11, 26))
    no_exceptions = WorkingCalendar({})
    assert add_time_limit(local(2026, 11, 25, 17, 0), 2, "working_hours", no_exceptions) == local(2026, 11, 26, 9, 30)


# Working days


def test_one_working_day_from_friday_morning_ends_on_monday_at_the_same_time():
    assert add_time_limit(local(2026, 11, 27, 10, 0), 1, "working_days") == local(2026, 11, 30, 10, 0)


def test_working_days_skip_the_national_day_holiday(national_day_2025):
    # Tuesday Sep 30 10:00: 6.5 h that day, Oct 1–8 off, 8 h on Thursday Oct 9, 1.5 h on Friday.
    assert add_time_limit(local(2025, 9, 30, 10, 0), 2, "working_days") == local(2025, 10, 10, 10, 0)


def test_without_the_holiday_the_same_limit_ends_in_the_same_week():
    CalendarDay.objects.all().delete()
    assert add_time_limit(local(2025, 9, 30, 10, 0), 2, "working_days") == local(2025, 10, 2, 10, 0)


def test_the_make_up_sunday_before_national_day_is_a_working_day(national_day_2025):
    # Friday Sep 26 10:00: Saturday is off, Sunday Sep 28 is worked.
    assert add_time_limit(local(2025, 9, 26, 10, 0), 1, "working_days") == local(2025, 9, 28, 10, 0)


def test_the_make_up_saturday_after_national_day_is_a_working_day(national_day_2025):
    assert add_time_limit(local(2025, 10, 10, 10, 0), 1, "working_days") == local(2025, 10, 11, 10, 0)


def test_a_report_made_during_the_holiday_starts_counting_when_it_ends(national_day_2025):
    assert add_time_limit(local(2025, 10, 3, 11, 0), 2, "working_hours") == local(2025, 10, 9, 10, 30)


# Urgent hours and natural days


def test_urgent_hours_run_through_the_night(national_day_2025):
    assert add_time_limit(local(2025, 9, 30, 22, 0), 4, "urgent_hours") == local(2025, 10, 1, 2, 0)


def test_urgent_hours_run_through_holidays_and_weekends(national_day_2025):
    assert add_time_limit(local(2025, 10, 3, 20, 0), 24, "urgent_hours") == local(2025, 10, 4, 20, 0)


def test_natural_days_run_through_holidays(national_day_2025):
    assert add_time_limit(local(2025, 9, 30, 10, 0), 3, "natural_days") == local(2025, 10, 3, 10, 0)


def test_an_unknown_unit_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        add_time_limit(local(2026, 11, 24, 9, 0), 2, "fortnights")


def test_a_calendar_with_no_working_time_is_refused():
    class NeverWorking(WorkingCalendar):
        def is_working_day(self, day):
            return False

    with pytest.raises(ValueError):
        add_time_limit(local(2026, 11, 24, 9, 0), 2, "working_hours", NeverWorking({}))


# The warning time


def test_the_warning_comes_at_80_percent_of_the_working_hours():
    # Friday 16:00 + 10 working hours: 2 on Friday, 8 on Monday. 8 working hours: Monday 16:00.
    deadline, warning = deadline_and_warning(local(2026, 11, 27, 16, 0), 10, "working_hours")
    assert deadline == local(2026, 11, 30, 18, 0)
    assert warning == local(2026, 11, 30, 16, 0)


def test_the_warning_comes_at_80_percent_of_the_working_days():
    # 2 working days = 16 h, warned after 12.8 h: 6.5 on Friday, 3.5 Monday morning, 2.8 after lunch.
    deadline, warning = deadline_and_warning(local(2026, 11, 27, 10, 0), 2, "working_days")
    assert deadline == local(2026, 12, 1, 10, 0)
    assert warning == local(2026, 11, 30, 16, 18)


def test_the_warning_comes_at_80_percent_of_urgent_hours():
    deadline, warning = deadline_and_warning(local(2026, 11, 27, 22, 0), 4, "urgent_hours")
    assert deadline == local(2026, 11, 28, 2, 0)
    assert warning == local(2026, 11, 28, 1, 12)


def test_the_warning_comes_at_80_percent_of_natural_days():
    deadline, warning = deadline_and_warning(local(2026, 11, 27, 10, 0), 2, "natural_days")
    assert deadline == local(2026, 11, 29, 10, 0)
    assert warning == local(2026, 11, 29, 0, 24)


def test_the_warning_skips_a_holiday_like_the_deadline(national_day_2025):
    deadline, warning = deadline_and_warning(local(2025, 9, 30, 16, 0), 5, "working_hours")
    # 2 h on Sep 30, then nothing until Oct 9: warned after 4 h, due after 5.
    assert warning == local(2025, 10, 9, 10, 30)
    assert deadline == local(2025, 10, 9, 11, 30)


# Editing the calendar


def test_adding_a_holiday_moves_the_next_deadline():
    start = local(2026, 11, 25, 17, 0)
    assert add_time_limit(start, 2, "working_hours") == local(2026, 11, 26, 9, 30)
    holiday(date(2026, 11, 26))
    assert add_time_limit(start, 2, "working_hours") == local(2026, 11, 27, 9, 30)


def test_removing_a_holiday_moves_the_next_deadline_back():
    day = holiday(date(2026, 11, 26))
    start = local(2026, 11, 25, 17, 0)
    assert add_time_limit(start, 2, "working_hours") == local(2026, 11, 27, 9, 30)
    day.delete()
    assert add_time_limit(start, 2, "working_hours") == local(2026, 11, 26, 9, 30)


def test_a_report_gets_its_deadline_from_its_category_and_the_calendar(users, categories):
    holiday(date(2026, 11, 30), "临时假日")  # the Monday after
    incident, created = incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="路边垃圾", at=local(2026, 11, 27, 17, 0), **IN_GRID_A
    )
    assert created
    # 15 + 15 min to accept and dispatch, 2 working hours to handle, 30 min to inspect: three
    # working hours, one on Friday, the Monday is a holiday, two on Tuesday.
    assert incident.deadline == local(2026, 12, 1, 10, 30)
    incident.refresh_from_db()
    assert incident.deadline == local(2026, 12, 1, 10, 30)
    # 80 % of 3 h = 144 min: 60 on Friday, 84 on Tuesday.
    assert incident.warn_at == local(2026, 12, 1, 9, 54)
    # The first stage, accepting, is due in 15 working minutes: on Friday.
    assert incident.current_stage.deadline == local(2026, 11, 27, 17, 15)
