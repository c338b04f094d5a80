"""The national working calendar: in every database, loaded again from a newer chinese-calendar,
never overwriting a day entered locally, and loud when deadlines run past what it knows."""

import logging
from datetime import date

import pytest
from django.core.management import call_command

from accounts.models import Notification
from incidents import holidays
from incidents.models import CalendarDay
from incidents.services import calendar_load_national, calendar_watch, incident_report
from incidents.timelimits import deadline_and_warning
from tests.conftest import IN_GRID_A, local

pytestmark = pytest.mark.django_db


def test_every_database_has_the_national_calendar_from_its_migrations():
    national = CalendarDay.objects.filter(source=CalendarDay.Source.NATIONAL)
    assert national.count() == len(holidays.national_days())
    assert national.earliest("date").date.year == 2004
    assert CalendarDay.objects.get(date=date(2026, 1, 1)).name == "元旦"
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).is_working_day  # 春节调休上班, a Saturday
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).name == "春节调休上班"


def test_loading_again_adds_nothing_and_keeps_a_day_entered_locally():
    CalendarDay.objects.filter(date=date(2026, 10, 6)).delete()  # as if a newer package added it
    CalendarDay.objects.filter(date=date(2026, 10, 7)).update(is_working_day=True, name="本镇值班", source="local")

    assert calendar_load_national() == {"added": 1, "changed": 0, "local_kept": 1}
    assert calendar_load_national() == {"added": 0, "changed": 0, "local_kept": 1}
    assert CalendarDay.objects.get(date=date(2026, 10, 7)).is_working_day
    assert not CalendarDay.objects.get(date=date(2026, 10, 6)).is_working_day


def test_the_command_loads_and_says_what_it_did(capsys):
    CalendarDay.objects.filter(date__year=2026).delete()
    call_command("load_calendar")
    assert "to the end of 2026" in capsys.readouterr().out
    assert CalendarDay.objects.filter(date__year=2026).count() == sum(1 for day, *_ in holidays.national_days() if day.year == 2026)


def test_a_day_saved_in_the_admin_is_local(admin_client):
    day = CalendarDay.objects.get(date=date(2026, 10, 7))
    response = admin_client.post(
        f"/admin/incidents/calendarday/{day.pk}/change/", {"date": "2026-10-07", "is_working_day": "on", "name": "本镇值班"}
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.source, day.is_working_day) == ("local", True)


def test_a_deadline_past_the_last_known_day_is_logged_then_right_once_the_new_year_is_entered(caplog):
    # Wednesday 2026-12-30 10:00, three working days; the package knows no 2027 holidays.
    reported = local(2026, 12, 30, 10, 0)
    with caplog.at_level(logging.WARNING, logger="incidents.timelimits"):
        deadline, warning = deadline_and_warning(reported, 3, "working_days")
    assert deadline == local(2027, 1, 4, 10, 0) and warning.date() == date(2027, 1, 1)
    assert "2027-01-04 10:00" in caplog.text and "2026-12-31" in caplog.text

    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦", source="local")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="incidents.timelimits"):
        deadline, warning = deadline_and_warning(reported, 3, "working_days")
    assert deadline == local(2027, 1, 5, 10, 0) and warning == local(2027, 1, 4, 14, 42)
    assert caplog.text == ""


def test_a_report_counts_the_holidays_of_the_calendar(users, categories):
    # Working days: Wednesday 2026-09-30 10:00 with 2 working days runs over the National Day
    # week; the stage limits of accepting, dispatching and inspecting add one working hour.
    incident, _ = incident_report(
        reporter=users["worker_a"], category=categories["street_light"], description="路灯不亮", at=local(2026, 9, 30, 10, 0), **IN_GRID_A
    )
    assert incident.deadline == local(2026, 10, 9, 11, 0)


@pytest.mark.parametrize(
    "today, told",
    [(date(2026, 11, 30), 0), (date(2026, 12, 1), 2), (date(2026, 12, 2), 0), (date(2026, 12, 7), 2)],
)
def test_administrators_are_told_from_1_december_while_next_year_is_unknown(today, told, users):
    superuser = users["admin"].__class__.objects.create_superuser("root", "root@example.org", "pw")
    result = calendar_watch(today=today)
    assert result["administrators_told"] == told
    if told:
        notices = Notification.objects.filter(subject__contains="2027")
        assert set(notices.values_list("recipient", flat=True)) == {users["admin"].pk, superuser.pk}
        assert "load_calendar" in notices.first().body
    assert calendar_watch(today=today)["administrators_told"] == 0  # once a day


def test_nobody_is_told_once_next_year_is_in_the_calendar(users):
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦", source="local")
    assert calendar_watch(today=date(2026, 12, 1))["administrators_told"] == 0


def test_one_local_day_next_year_does_not_make_next_year_known(users, caplog):
    CalendarDay.objects.create(date=date(2027, 6, 1), is_working_day=False, name="本镇庙会", source="local")
    assert calendar_watch(today=date(2026, 12, 1))["administrators_told"] == 1
    with caplog.at_level(logging.WARNING, logger="incidents.timelimits"):
        deadline_and_warning(local(2026, 12, 30, 10, 0), 3, "working_days")
    assert "2026-12-31" in caplog.text


def test_a_national_day_cannot_be_deleted_in_the_admin_but_a_local_one_can(admin_client):
    national = CalendarDay.objects.get(date=date(2026, 10, 7))
    assert admin_client.post(f"/admin/incidents/calendarday/{national.pk}/delete/", {"post": "yes"}).status_code == 403
    local_day = CalendarDay.objects.create(date=date(2026, 6, 1), is_working_day=False, name="本镇庙会", source="local")
    assert admin_client.post(f"/admin/incidents/calendarday/{local_day.pk}/delete/", {"post": "yes"}).status_code == 302
    assert CalendarDay.objects.filter(pk=national.pk).exists() and not CalendarDay.objects.filter(pk=local_day.pk).exists()
