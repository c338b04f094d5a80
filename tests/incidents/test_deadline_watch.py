"""The deadline watch (incidents.services.incident_mark_deadlines) and the warning lights.

A rubbish case (0101, 2 working hours) reported on Tuesday 24 November 2026 at 09:00 and
assigned at 09:10: its handling stage is warned at 10:46 (80 % of 2 h) and due at 11:10. The
case as a whole (15 + 15 min, 2 h, 30 min) is due at 12:00.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from incidents import tasks
from incidents.models import Incident, IncidentEvent, IncidentStage
from incidents.services import incident_assign, incident_handle, incident_mark_deadlines, incident_report
from tests.conftest import IN_GRID_A, local

from .helpers import case_in, told

pytestmark = pytest.mark.django_db

REPORTED = local(2026, 11, 24, 9, 0)
BEFORE_WARNING = local(2026, 11, 24, 10, 40)
AFTER_WARNING = local(2026, 11, 24, 10, 50)
AFTER_DEADLINE = local(2026, 11, 24, 11, 15)
NOTHING = {"warned": 0, "escalated": 0, "cards": 0}


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


def handling(incident) -> IncidentStage:
    return IncidentStage.objects.get(incident=incident, stage="handle")


def events(incident, action: str) -> list[IncidentEvent]:
    return list(incident.events.filter(action=action))



def test_each_stage_and_the_case_are_timed_as_expected(assigned_case):
    accepting, dispatching, stage = assigned_case.stages.all()
    assert (accepting.stage, accepting.deadline, accepting.ended_at, accepting.completed) == ("accept", local(2026, 11, 24, 9, 15), REPORTED + timedelta(minutes=10), True)
    # Accepted and dispatched in one step: the dispatch took no time.
    assert (dispatching.stage, dispatching.started_at, dispatching.ended_at, dispatching.elapsed_seconds) == ("dispatch", REPORTED + timedelta(minutes=10), REPORTED + timedelta(minutes=10), 0)
    assert (stage.stage, stage.warn_at, stage.deadline) == ("handle", local(2026, 11, 24, 10, 46), local(2026, 11, 24, 11, 10))
    assert assigned_case.current_stage == stage
    assert (assigned_case.warn_at, assigned_case.deadline) == (local(2026, 11, 24, 11, 24), local(2026, 11, 24, 12, 0))


def test_nothing_is_marked_before_80_percent(assigned_case):
    assert incident_mark_deadlines(now=BEFORE_WARNING) == NOTHING
    stage = handling(assigned_case)
    assert stage.warned_at is None and stage.escalated_at is None
    assert not events(assigned_case, "warn")


def test_a_stage_past_80_percent_is_warned(assigned_case):
    assert incident_mark_deadlines(now=AFTER_WARNING) == {"warned": 1, "escalated": 0, "cards": 0}
    stage = handling(assigned_case)
    assert stage.warned_at == AFTER_WARNING and stage.escalated_at is None
    [warning] = events(assigned_case, "warn")
    assert warning.actor is None and warning.data == {"stage": "handle"}
    assert (warning.from_status, warning.to_status) == ("assigned", "assigned")


def test_the_handler_is_told_of_the_warning_of_handling(assigned_case, users, run_sent_tasks):
    incident_mark_deadlines(now=AFTER_WARNING)
    run_sent_tasks()
    assert told(users["worker_a"], "warn") == 1
    assert told(users["dispatcher"], "warn") == 0


def test_a_stage_past_its_deadline_is_escalated_to_the_command_centre_and_carded(assigned_case, users, run_sent_tasks):
    incident_mark_deadlines(now=AFTER_WARNING)
    assert incident_mark_deadlines(now=AFTER_DEADLINE) == {"warned": 0, "escalated": 1, "cards": 1}
    stage = handling(assigned_case)
    assert (stage.warned_at, stage.escalated_at) == (AFTER_WARNING, AFTER_DEADLINE)
    assert len(events(assigned_case, "escalate")) == len(events(assigned_case, "warn")) == 1
    assert [(card.level, card.rule, card.issued_by) for card in assigned_case.cards.all()] == [("ordinary", "overdue", None)]
    run_sent_tasks()
    assert told(users["dispatcher"], "escalate") == 1
    assert told(users["worker_a"], "escalate") == 1
    assert told(users["worker_a"], "card") == 1


def test_the_command_centre_gets_the_escalation_by_email(assigned_case, users, run_sent_tasks):
    incident_mark_deadlines(now=AFTER_DEADLINE)
    run_sent_tasks()
    escalation = Notification.objects.get(recipient=users["dispatcher"], event__action="escalate")
    assert ["dispatch@example.org"] in [message.to for message in mail.outbox]
    assert escalation.subject in [message.subject for message in mail.outbox]
    assert assigned_case.code in escalation.subject


def test_a_stage_past_both_thresholds_at_once_gets_both(assigned_case, users, run_sent_tasks):
    assert incident_mark_deadlines(now=AFTER_DEADLINE) == {"warned": 1, "escalated": 1, "cards": 1}
    stage = handling(assigned_case)
    assert stage.warned_at == stage.escalated_at == AFTER_DEADLINE
    assert [event.action for event in assigned_case.events.all()][-3:] == ["warn", "escalate", "card"]


def test_running_it_twice_changes_nothing_more(assigned_case, run_sent_tasks):
    incident_mark_deadlines(now=AFTER_DEADLINE)
    run_sent_tasks()
    event_count, notification_count, mail_count = IncidentEvent.objects.count(), Notification.objects.count(), len(mail.outbox)
    stage = handling(assigned_case)

    assert incident_mark_deadlines(now=AFTER_DEADLINE + timedelta(minutes=30)) == NOTHING
    assert run_sent_tasks() == 0
    assert (handling(assigned_case).warned_at, handling(assigned_case).escalated_at) == (stage.warned_at, stage.escalated_at)
    assert (IncidentEvent.objects.count(), Notification.objects.count(), len(mail.outbox)) == (event_count, notification_count, mail_count)


def test_each_stage_is_warned_and_escalated_once_on_its_own_clock(assigned_case, users):
    incident_mark_deadlines(now=AFTER_DEADLINE)
    incident_handle(incident_id=assigned_case.pk, actor=users["worker_a"], at=AFTER_DEADLINE + timedelta(minutes=5))
    # Inspection: 30 working minutes from 11:20, warned at 11:44, due at 11:50.
    assert incident_mark_deadlines(now=local(2026, 11, 24, 11, 45)) == {"warned": 1, "escalated": 0, "cards": 0}
    assert incident_mark_deadlines(now=local(2026, 11, 24, 11, 50)) == {"warned": 0, "escalated": 1, "cards": 0}
    assert incident_mark_deadlines(now=local(2026, 11, 27, 9, 0)) == NOTHING
    assert [(e.action, e.data.get("stage")) for e in assigned_case.events.filter(action__in=["warn", "escalate"])] == [
        ("warn", "handle"), ("escalate", "handle"), ("warn", "inspect"), ("escalate", "inspect"),
    ]


def test_an_unaccepted_report_is_escalated_to_the_command_centre(users, categories, run_sent_tasks):
    incident, _ = incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="无人受理", at=REPORTED, **IN_GRID_A
    )
    run_sent_tasks()
    # Accepting: 15 working minutes, warned at 09:12, due at 09:15.
    assert incident_mark_deadlines(now=local(2026, 11, 24, 9, 20)) == {"warned": 1, "escalated": 1, "cards": 0}
    run_sent_tasks()
    assert told(users["dispatcher"], "warn") == 1
    assert told(users["dispatcher"], "escalate") == 1
    assert told(users["worker_a"], "escalate") == 0


@pytest.mark.parametrize("status", ["closed", "rejected", "merged"])
def test_finished_cases_are_never_marked(users, categories, status):
    incident = case_in(status, users, categories)
    assert incident.current_stage is None
    incident_mark_deadlines(now=timezone.now() + timedelta(days=30))
    assert not incident.events.filter(action__in=["warn", "escalate", "card"]).exists()


def test_a_suspended_case_is_never_marked(users, categories):
    incident = case_in("suspended", users, categories)
    assert incident_mark_deadlines(now=timezone.now() + timedelta(days=20)) == NOTHING
    assert not incident.events.filter(action__in=["warn", "escalate", "card"]).exists()


def test_a_case_handled_after_its_warning_is_not_escalated_for_handling(assigned_case, users):
    incident_mark_deadlines(now=AFTER_WARNING)
    incident_handle(incident_id=assigned_case.pk, actor=users["worker_a"], at=AFTER_WARNING + timedelta(minutes=1))
    incident_mark_deadlines(now=AFTER_DEADLINE)
    assert not events(assigned_case, "escalate")
    assert not assigned_case.cards.exists()


def test_the_beat_task_marks_against_the_real_clock(users, categories):
    incident, _ = incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="早已超期", at=timezone.now() - timedelta(days=10), **IN_GRID_A
    )
    assert tasks.mark_deadlines.run() == {"warned": 1, "escalated": 1, "cards": 0}
    assert tasks.mark_deadlines.run() == NOTHING
    assert sorted(incident.events.values_list("action", flat=True)) == ["escalate", "report", "warn"]


# The warning light


def test_the_stage_light_is_green_then_yellow_then_red(assigned_case):
    assert assigned_case.stage_light(BEFORE_WARNING) == "green"
    assert assigned_case.stage_light(local(2026, 11, 24, 10, 46)) == "yellow"
    assert assigned_case.stage_light(local(2026, 11, 24, 11, 10)) == "red"


def test_the_case_light_follows_the_whole_case(assigned_case):
    assert assigned_case.warning_light(AFTER_DEADLINE) == "green"
    assert assigned_case.warning_light(local(2026, 11, 24, 11, 24)) == "yellow"
    assert assigned_case.warning_light(local(2026, 11, 24, 12, 0)) == "red"


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
