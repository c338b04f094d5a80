"""With the broker down a report is still accepted at once. Its follow-up waits in the event
row, and the sweep does it exactly once when the broker is back.

"Back" is the test's captured broker (`sent_tasks`); the tasks are run here, as a worker would.
"""

import time

import pytest
from celery import Celery
from django.test import override_settings
from kombu.exceptions import OperationalError

from accounts.models import Notification
from govgrid import celery as govgrid_celery
from govgrid.celery import app
from incidents.models import Incident, IncidentEvent
from incidents.tasks import process_event, sweep_events
from tests.conftest import IN_GRID_A

pytestmark = pytest.mark.django_db(transaction=True)

# Far more than a healthy request takes; far less than a client waits before giving up.
QUICK_SECONDS = 5
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def refuse(name, args=None, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def unreachable_redis_app():
    """A Celery app with govgrid's settings and a Redis broker nobody listens on."""
    unreachable = Celery("govgrid-unreachable-broker")
    unreachable.config_from_object("django.conf:settings", namespace="CELERY")
    unreachable.conf.broker_url = UNREACHABLE_REDIS
    yield unreachable
    unreachable.close()


def report_quickly(api) -> Incident:
    started = time.monotonic()
    response = api("worker_a").post("/api/v1/incidents/", {"category": "0101", "description": "路边垃圾堆积", **IN_GRID_A}, format="json")
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < QUICK_SECONDS, f"the report took {elapsed:.1f} s with the broker down"
    return Incident.objects.get(pk=response.json()["id"])


def assert_waiting_for_the_sweep(incident: Incident) -> IncidentEvent:
    report = IncidentEvent.objects.get(incident=incident, action="report")
    assert report.processed_at is None
    assert not Notification.objects.exists()
    return report


def assert_swept_exactly_once(report: IncidentEvent, dispatcher, mailoutbox, run_sent_tasks) -> None:
    with override_settings(EVENT_SWEEP_AFTER_SECONDS=0):
        assert sweep_events() == 2  # the report's notification, then its e-mail

        report.refresh_from_db()
        assert report.processed_at is not None
        assert list(Notification.objects.values_list("recipient", "event")) == [(dispatcher.pk, report.pk)]
        assert [message.to for message in mailoutbox] == [[dispatcher.email]]

        assert sweep_events() == 0
        # The lost message turns up after all, twice (acks_late redelivers), and so does the e-mail task.
        assert process_event(report.pk) is False
        assert process_event(report.pk) is False
        run_sent_tasks()

    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_report_made_while_the_broker_refuses_is_followed_up_once_by_the_sweep(
    api, users, categories, monkeypatch, mailoutbox, run_sent_tasks
):
    broker_back = app.send_task
    monkeypatch.setattr(app, "send_task", refuse)

    incident = report_quickly(api)
    report = assert_waiting_for_the_sweep(incident)

    monkeypatch.setattr(app, "send_task", broker_back)
    assert_swept_exactly_once(report, users["dispatcher"], mailoutbox, run_sent_tasks)


def test_a_report_made_while_redis_is_unreachable_is_followed_up_once_by_the_sweep(
    api, users, categories, monkeypatch, mailoutbox, run_sent_tasks, unreachable_redis_app
):
    monkeypatch.setattr(govgrid_celery, "app", unreachable_redis_app)

    incident = report_quickly(api)
    report = assert_waiting_for_the_sweep(incident)

    monkeypatch.setattr(govgrid_celery, "app", app)
    assert_swept_exactly_once(report, users["dispatcher"], mailoutbox, run_sent_tasks)


def test_an_event_delivered_twice_notifies_once(api, users, categories, sent_tasks):
    incident = report_quickly(api)
    report = IncidentEvent.objects.get(incident=incident, action="report")
    assert ("incidents.tasks.process_event", [report.pk]) in sent_tasks

    assert process_event(report.pk) is True
    assert process_event(report.pk) is False

    assert Notification.objects.filter(event=report).count() == 1
