"""The beat tasks: the working day's "no patrol yet" reminder to the command centre, and the
patrols left running overnight, closed at their last position."""

from datetime import date, timedelta

from accounts.models import Notification, Role
from incidents.models import CalendarDay
from patrols import services
from patrols.models import Patrol, PatrolEvent, PatrolReminder

from ..conftest import local, make_user
from .helpers import across_a, patrol_with, start

THURSDAY_4PM = local(2026, 11, 26, 16, 0)
SATURDAY_4PM = local(2026, 11, 28, 16, 0)


def reminders():
    return list(Notification.objects.filter(recipient__role=Role.DISPATCHER))


def test_it_tells_the_command_centre_who_has_not_patrolled_today(users, grid_b):
    start(users["worker_a"], THURSDAY_4PM - timedelta(hours=7))
    assert services.patrols_remind_missing(now=THURSDAY_4PM) == 1
    (notice,) = reminders()
    assert notice.recipient == users["dispatcher"]
    assert "worker_b" in notice.body and grid_b.name in notice.body and "worker_a" not in notice.body
    assert PatrolReminder.objects.get().workers == ["worker_b"]


def test_a_patrol_of_yesterday_does_not_count_for_today(users):
    patrol_with(users["worker_a"], across_a(THURSDAY_4PM - timedelta(days=1)), at=THURSDAY_4PM - timedelta(days=1))
    assert services.patrols_remind_missing(now=THURSDAY_4PM) == 2


def test_it_reminds_once_a_day_however_often_it_runs(users):
    assert services.patrols_remind_missing(now=THURSDAY_4PM) == 2
    assert services.patrols_remind_missing(now=THURSDAY_4PM + timedelta(minutes=1)) == 0
    assert len(reminders()) == 1
    assert services.patrols_remind_missing(now=THURSDAY_4PM + timedelta(days=1)) == 2
    assert len(reminders()) == 2


def test_it_says_nothing_on_a_weekend_or_a_holiday(users):
    assert services.patrols_remind_missing(now=SATURDAY_4PM) == 0
    CalendarDay.objects.update_or_create(date=date(2026, 11, 26), defaults={"is_working_day": False, "name": "本地假日"})
    assert services.patrols_remind_missing(now=THURSDAY_4PM) == 0
    assert not reminders() and not PatrolReminder.objects.exists()


def test_it_reminds_on_a_make_up_working_weekend(users):
    CalendarDay.objects.update_or_create(date=date(2026, 11, 28), defaults={"is_working_day": True, "name": "调休上班"})
    assert services.patrols_remind_missing(now=SATURDAY_4PM) == 2
    assert len(reminders()) == 1


def test_it_leaves_out_inactive_and_gridless_workers_and_tells_only_active_dispatchers(users):
    users["worker_b"].is_active = False
    users["worker_b"].save()
    make_user("gridless", Role.WORKER)
    retired = make_user("retired-dispatcher", Role.DISPATCHER, is_active=False)
    assert services.patrols_remind_missing(now=THURSDAY_4PM) == 1
    (notice,) = reminders()
    assert "worker_a" in notice.body and "worker_b" not in notice.body and "gridless" not in notice.body
    assert not Notification.objects.filter(recipient=retired).exists()


def test_a_day_with_everyone_on_patrol_is_claimed_without_a_notice(users):
    start(users["worker_a"], THURSDAY_4PM - timedelta(hours=7))
    start(users["worker_b"], THURSDAY_4PM - timedelta(hours=6))
    assert services.patrols_remind_missing(now=THURSDAY_4PM) == 0
    assert not reminders() and PatrolReminder.objects.filter(date=date(2026, 11, 26)).exists()


def test_the_beat_task_runs_the_reminder(users, settings):
    from patrols.tasks import remind_missing

    assert "patrols.tasks.remind_missing" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    remind_missing.run()  # today, whatever day it is: it must not fail


def test_patrols_left_running_overnight_are_closed_at_their_last_position(users):
    yesterday = THURSDAY_4PM - timedelta(days=1, hours=7)
    forgotten = patrol_with(users["worker_a"], across_a(yesterday), at=yesterday, stop=False)
    empty = start(users["worker_b"], yesterday)
    midnight = local(2026, 11, 26, 0, 20)
    assert services.patrols_close_forgotten(now=midnight) == 2
    forgotten.refresh_from_db()
    empty.refresh_from_db()
    assert forgotten.ended_at == forgotten.last_point_at and empty.ended_at == empty.started_at
    event = forgotten.events.get(action=PatrolEvent.Action.CLOSED_BY_WATCH)
    assert event.actor is None and event.at == midnight
    assert services.patrols_close_forgotten(now=midnight + timedelta(minutes=5)) == 0


def test_a_patrol_running_today_is_left_running(users):
    this_morning = local(2026, 11, 26, 8, 0)
    patrol = start(users["worker_a"], this_morning)
    assert services.patrols_close_forgotten(now=local(2026, 11, 26, 12, 0)) == 0
    assert Patrol.objects.get(pk=patrol.pk).running


def test_a_stop_sent_after_the_watch_closed_the_patrol_changes_nothing(users):
    yesterday = local(2026, 11, 25, 9, 0)
    patrol = patrol_with(users["worker_a"], across_a(yesterday), at=yesterday, stop=False)
    services.patrols_close_forgotten(now=local(2026, 11, 26, 0, 20))
    closed = Patrol.objects.get(pk=patrol.pk).ended_at
    again = services.patrol_stop(worker=users["worker_a"], uuid=patrol.uuid, now=local(2026, 11, 26, 8, 0))
    assert again.ended_at == closed
    assert not patrol.events.filter(action=PatrolEvent.Action.STOP).exists()
