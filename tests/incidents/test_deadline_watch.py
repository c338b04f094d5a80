"""The deadline watch (incidents.services.incident_mark_deadlines) and the warning light.

A rubbish case (0101, 2 working hours) reported on Tuesday 24 November 2026 at 09:00 is warned
at 10:36 (80 %) and due at 11:00.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from incidents import tasks
from incidents.models import Incident, IncidentEvent
from incidents.services import incident_assign, incident_mark_deadlines, incident_report
from tests.conftest import IN_GRID_A, local

pytestmark = pytest.mark.django_db

REPORTED = local(2026, 11, 24, 9, 0)
BEFORE_WARNING = local(2026, 11, 24, 10, 30)
AFTER_WARNING = local(2026, 11, 24, 10, 40)
AFTER_DEADLINE = local(2026, 11, 24, 11, 5)


@pytest.fixture
def assigned_case(users, categories, run_sent_tasks) -> Incident:
    """Assigned to worker_a; the report's and the assignment's own notifications already sent."""
    incident, _ = incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="垃圾桶满溢", at=REPORTED, **IN_GRID_A
    )
    incident_assign(incident_id=incident.pk, actor=users["dispatcher"], assignee=users["worker_a"], at=REPORTED + timedelta(minutes=10))
    run_sent_tasks()
    mail.outbox.clear()
    incident.refresh_from_db()
    return incident


def events(incident, action: str) -> list[IncidentEvent]:
    return list(incident.events.filter(action=action))


def told(user, action: str) -> int:
    return Notification.objects.filter(recipient=user, event__action=action).count()


def test_the_case_is_timed_as_expected(assigned_case):
    assert (assigned_case.warn_at, assigned_case.deadline) == (local(2026, 11, 24, 10, 36), local(2026, 11, 24, 11, 0))


def test_nothing_is_marked_before_80_percent(assigned_case):
    assert incident_mark_deadlines(now=BEFORE_WARNING) == {"warned": 0, "escalated": 0}
    assigned_case.refresh_from_db()
    assert assigned_case.warned_at is None and assigned_case.escalated_at is None
    assert not events(assigned_case, "warn")


def test_a_case_past_80_percent_is_warned(assigned_case):
    assert incident_mark_deadlines(now=AFTER_WARNING) == {"warned": 1, "escalated": 0}
    assigned_case.refresh_from_db()
    assert assigned_case.warned_at == AFTER_WARNING
    assert assigned_case.escalated_at is None
    [warning] = events(assigned_case, "warn")
    assert warning.actor is None
    assert (warning.from_status, warning.to_status) == ("assigned", "assigned")
    assert assigned_case.status == "assigned"


def test_the_assignee_is_told_of_the_warning(assigned_case, users, run_sent_tasks):
    incident_mark_deadlines(now=AFTER_WARNING)
    run_sent_tasks()
    assert told(users["worker_a"], "warn") == 1
    assert told(users["dispatcher"], "warn") == 0


def test_a_case_past_its_deadline_is_escalated_to_the_command_centre(assigned_case, users, run_sent_tasks):
    incident_mark_deadlines(now=AFTER_WARNING)
    assert incident_mark_deadlines(now=AFTER_DEADLINE) == {"warned": 0, "escalated": 1}
    assigned_case.refresh_from_db()
    assert assigned_case.escalated_at == AFTER_DEADLINE
    assert assigned_case.warned_at == AFTER_WARNING
    assert len(events(assigned_case, "escalate")) == 1
    assert len(events(assigned_case, "warn")) == 1
    run_sent_tasks()
    assert told(users["dispatcher"], "escalate") == 1
    assert told(users["worker_a"], "escalate") == 1


def test_the_command_centre_gets_the_escalation_by_email(assigned_case, users, run_sent_tasks):
    incident_mark_deadlines(now=AFTER_DEADLINE)
    run_sent_tasks()
    escalation = Notification.objects.get(recipient=users["dispatcher"], event__action="escalate")
    assert [message.to for message in mail.outbox] == [["dispatch@example.org"]]
    assert mail.outbox[0].subject == escalation.subject
    assert assigned_case.code in escalation.subject


def test_a_case_past_both_thresholds_at_once_gets_both(assigned_case, users, run_sent_tasks):
    assert incident_mark_deadlines(now=AFTER_DEADLINE) == {"warned": 1, "escalated": 1}
    assigned_case.refresh_from_db()
    assert assigned_case.warned_at == assigned_case.escalated_at == AFTER_DEADLINE
    assert [event.action for event in assigned_case.events.all()][-2:] == ["warn", "escalate"]
    run_sent_tasks()
    assert told(users["worker_a"], "warn") == 1
    assert told(users["dispatcher"], "escalate") == 1


def test_running_it_twice_changes_nothing_more(assigned_case, run_sent_tasks):
    incident_mark_deadlines(now=AFTER_DEADLINE)
    run_sent_tasks()
    event_count, notification_count, mail_count = IncidentEvent.objects.count(), Notification.objects.count(), len(mail.outbox)
    assigned_case.refresh_from_db()
    stamps = (assigned_case.warned_at, assigned_case.escalated_at)

    assert incident_mark_deadlines(now=AFTER_DEADLINE + timedelta(hours=1)) == {"warned": 0, "escalated": 0}
    assert run_sent_tasks() == 0
    assigned_case.refresh_from_db()
    assert (assigned_case.warned_at, assigned_case.escalated_at) == stamps
    assert (IncidentEvent.objects.count(), Notification.objects.count(), len(mail.outbox)) == (event_count, notification_count, mail_count)


def test_a_warned_case_is_not_warned_again_when_it_is_escalated(assigned_case):
    incident_mark_deadlines(now=AFTER_WARNING)
    incident_mark_deadlines(now=AFTER_DEADLINE)
    incident_mark_deadlines(now=AFTER_DEADLINE + timedelta(days=3))
    assert [event.action for event in assigned_case.events.all()] == ["report", "assign", "warn", "escalate"]


def test_an_unassigned_case_is_still_escalated_to_the_command_centre(users, categories, run_sent_tasks):
    incident, _ = incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="无人认领", at=REPORTED, **IN_GRID_A
    )
    run_sent_tasks()
    assert incident_mark_deadlines(now=AFTER_DEADLINE) == {"warned": 1, "escalated": 1}
    run_sent_tasks()
    assert told(users["dispatcher"], "escalate") == 1
    assert Notification.objects.filter(event__action="warn").count() == 0


@pytest.mark.parametrize("status", ["closed", "rejected", "merged"])
def test_finished_cases_are_never_marked(categories, status):
    incident = Incident.objects.create(
        category=categories["rubbish"], description="已结束", status=status, reported_at=REPORTED,
        warn_at=REPORTED + timedelta(minutes=96), deadline=REPORTED + timedelta(hours=2), closed_at=REPORTED + timedelta(hours=3),
        **IN_GRID_A,
    )
    assert incident_mark_deadlines(now=AFTER_DEADLINE + timedelta(days=30)) == {"warned": 0, "escalated": 0}
    incident.refresh_from_db()
    assert incident.warned_at is None and incident.escalated_at is None
    assert not incident.events.exists()


def test_a_case_closed_after_its_warning_is_not_escalated(assigned_case):
    incident_mark_deadlines(now=AFTER_WARNING)
    Incident.objects.filter(pk=assigned_case.pk).update(status="closed", closed_at=AFTER_WARNING)
    assert incident_mark_deadlines(now=AFTER_DEADLINE) == {"warned": 0, "escalated": 0}
    assert not events(assigned_case, "escalate")


def test_a_case_without_a_deadline_is_never_marked(categories):
    Incident.objects.create(category=categories["rubbish"], description="无时限", reported_at=REPORTED, **IN_GRID_A)
    assert incident_mark_deadlines(now=AFTER_DEADLINE + timedelta(days=30)) == {"warned": 0, "escalated": 0}
    assert not IncidentEvent.objects.exists()


def test_the_beat_task_marks_against_the_real_clock(categories):
    now = timezone.now()
    incident = Incident.objects.create(
        category=categories["rubbish"], description="早已超期", reported_at=now - timedelta(days=2),
        warn_at=now - timedelta(days=1, hours=1), deadline=now - timedelta(days=1), **IN_GRID_A,
    )
    assert tasks.mark_deadlines.run() == {"warned": 1, "escalated": 1}
    assert tasks.mark_deadlines.run() == {"warned": 0, "escalated": 0}
    assert sorted(incident.events.values_list("action", flat=True)) == ["escalate", "warn"]


# The warning light


def test_the_light_is_green_then_yellow_then_red(assigned_case):
    assert assigned_case.warning_light(BEFORE_WARNING) == "green"
    assert assigned_case.warning_light(local(2026, 11, 24, 10, 36)) == "yellow"
    assert assigned_case.warning_light(AFTER_WARNING) == "yellow"
    assert assigned_case.warning_light(local(2026, 11, 24, 11, 0)) == "red"
    assert assigned_case.warning_light(AFTER_DEADLINE) == "red"


def test_a_finished_case_has_no_light(assigned_case):
    assigned_case.status = "closed"
    assert assigned_case.warning_light(AFTER_DEADLINE) is None


def set_times(incident, *, warn_in: timedelta, due_in: timedelta) -> None:
    now = timezone.now()
    Incident.objects.filter(pk=incident.pk).update(warn_at=now + warn_in, deadline=now + due_in)


def light_of(api, incident) -> tuple:
    body = api("dispatcher").get(f"/api/v1/incidents/{incident.pk}/").json()
    return body["warning_light"], body["overdue"]


def test_the_api_shows_green_before_the_warning_time(api, assigned_case):
    set_times(assigned_case, warn_in=timedelta(hours=1), due_in=timedelta(hours=2))
    assert light_of(api, assigned_case) == ("green", False)


def test_the_api_shows_yellow_between_warning_and_deadline(api, assigned_case):
    set_times(assigned_case, warn_in=-timedelta(minutes=5), due_in=timedelta(hours=1))
    assert light_of(api, assigned_case) == ("yellow", False)


def test_the_api_shows_red_and_overdue_past_the_deadline(api, assigned_case):
    set_times(assigned_case, warn_in=-timedelta(hours=2), due_in=-timedelta(minutes=1))
    assert light_of(api, assigned_case) == ("red", True)


def test_the_api_shows_no_light_on_a_closed_case(api, assigned_case):
    set_times(assigned_case, warn_in=-timedelta(hours=2), due_in=-timedelta(minutes=1))
    Incident.objects.filter(pk=assigned_case.pk).update(status="closed", closed_at=timezone.now())
    assert light_of(api, assigned_case) == (None, False)


def test_the_overdue_filter_lists_only_red_cases(api, users, categories, assigned_case):
    on_time, _ = incident_report(reporter=users["worker_a"], category=categories["rubbish"], description="刚上报", **IN_GRID_A)
    set_times(assigned_case, warn_in=-timedelta(hours=2), due_in=-timedelta(minutes=1))
    set_times(on_time, warn_in=timedelta(hours=1), due_in=timedelta(hours=2))
    overdue = api("dispatcher").get("/api/v1/incidents/", {"overdue": "true"}).json()
    assert [row["id"] for row in overdue["results"]] == [assigned_case.pk]
    assert [row["overdue"] for row in overdue["results"]] == [True]
    not_overdue = api("dispatcher").get("/api/v1/incidents/", {"overdue": "false"}).json()
    assert [row["id"] for row in not_overdue["results"]] == [on_time.pk]
