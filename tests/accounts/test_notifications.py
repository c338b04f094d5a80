"""A user's unread list, filled by the follow-up work of case events."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from accounts.services import notification_send_email, notifications_sweep_emails
from incidents.services import event_process

from ..conftest import IN_GRID_A, IN_GRID_B
from ..incidents.helpers import case_in, drive, report


def test_the_command_centre_hears_of_a_new_report_once(api, users, categories, run_sent_tasks):
    incident = case_in("reported", users, categories)
    run_sent_tasks()
    notes = Notification.objects.filter(recipient=users["dispatcher"])
    assert notes.count() == 1 and incident.code in notes.get().subject
    event_process(event_id=incident.events.get().pk)
    assert notes.count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dispatch@example.org"]


def test_the_assignee_hears_of_the_assignment(api, users, categories, run_sent_tasks):
    incident = case_in("assigned", users, categories)
    run_sent_tasks()
    unread = api("worker_a").get("/api/v1/notifications/?unread=true").json()
    assert unread["count"] == 1
    assert unread["results"][0]["incident"] == incident.pk and incident.code in unread["results"][0]["subject"]


def test_marking_read_empties_the_unread_list_of_that_user_only(api, users, categories, run_sent_tasks):
    case_in("reported", users, categories)
    case_in("reported", users, categories)
    run_sent_tasks()
    assert api("dispatcher").post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 2}
    assert api("dispatcher").get("/api/v1/notifications/?unread=true").json()["count"] == 0
    assert api("dispatcher").get("/api/v1/notifications/").json()["count"] == 2
    assert api("worker_a").get("/api/v1/notifications/").json()["count"] == 0


def test_marking_read_refuses_bad_ids(api, users):
    response = api("dispatcher").post("/api/v1/notifications/read/", {"ids": ["x"]}, format="json")
    assert response.status_code == 400 and "ids" in response.json()


def test_a_report_in_another_workers_grid_tells_that_grids_workers_not_the_reporter(api, users, categories, run_sent_tasks):
    incident = report(users, categories, reporter="worker_a", position=IN_GRID_B)
    run_sent_tasks()
    assert incident.grid.code == "320724100001002"
    told = set(Notification.objects.filter(event__incident=incident).values_list("recipient__username", flat=True))
    assert told == {"dispatcher", "worker_b"}


def test_a_dispatcher_taking_a_call_is_not_told_of_their_own_report(api, users, categories, run_sent_tasks):
    incident = report(users, categories, reporter="dispatcher", position=IN_GRID_A)
    run_sent_tasks()
    told = set(Notification.objects.filter(event__incident=incident).values_list("recipient__username", flat=True))
    assert told == {"worker_a"}


def test_giving_a_user_an_address_mails_only_what_arrives_afterwards(users, categories, run_sent_tasks):
    worker = users["worker_a"]
    for _ in range(3):
        drive(report(users, categories), users, ["assign"])
    run_sent_tasks()
    assert Notification.objects.filter(recipient=worker).count() == 3
    mail.outbox.clear()

    worker.email = "worker_a@example.org"
    worker.save()
    Notification.objects.update(created_at=timezone.now() - timedelta(hours=1))
    notifications_sweep_emails()
    assert [message.to for message in mail.outbox if message.to == [worker.email]] == []

    drive(report(users, categories), users, ["assign"])
    run_sent_tasks()
    assert [message.to for message in mail.outbox if message.to == [worker.email]] == [[worker.email]]


def test_a_mail_that_keeps_failing_is_given_up_after_the_limit_and_recorded(users, categories, run_sent_tasks, settings, monkeypatch):
    settings.EMAIL_MAX_ATTEMPTS = 3
    from accounts import services as account_services

    def broken_server(*args, **kwargs):
        raise ConnectionRefusedError("smtp.example.org:25 refused the connection")

    monkeypatch.setattr(account_services, "send_mail", broken_server)
    case_in("reported", users, categories)
    with pytest.raises(ConnectionRefusedError):
        run_sent_tasks()
    notification = Notification.objects.get(recipient=users["dispatcher"])
    Notification.objects.update(created_at=timezone.now() - timedelta(hours=1))

    sweeps = [notifications_sweep_emails() for _ in range(5)]

    notification.refresh_from_db()
    assert sweeps == [0] * 5
    assert notification.email_attempts == 3 and notification.email_failed_at is not None
    assert notification.emailed_at is None and "ConnectionRefusedError" in notification.email_error
    assert notification_send_email(notification_id=notification.pk) is False


@pytest.mark.parametrize("ids", [[10**20], [-1], [0], "1", [True]])
def test_ids_out_of_range_are_refused_not_a_server_error(ids, api, users):
    response = api("dispatcher").post("/api/v1/notifications/read/", {"ids": ids}, format="json")
    assert response.status_code == 400 and "ids" in response.json()


def test_a_mail_whose_sender_died_half_way_is_sent_by_the_sweep_once_its_claim_is_stale(users, categories, run_sent_tasks, settings):
    case_in("reported", users, categories)
    run_sent_tasks()
    # A worker claimed the mail and died before sending it.
    Notification.objects.update(
        created_at=timezone.now() - timedelta(hours=1), emailed_at=None, email_claimed_at=timezone.now(), email_attempts=1
    )
    mail.outbox.clear()
    assert notifications_sweep_emails() == 0  # still being sent, as far as anyone knows

    Notification.objects.update(email_claimed_at=timezone.now() - timedelta(seconds=settings.EMAIL_CLAIM_SECONDS + 1))
    assert notifications_sweep_emails() == 1
    notification = Notification.objects.get(recipient=users["dispatcher"])
    assert notification.emailed_at and notification.email_claimed_at is None and notification.email_attempts == 2
    assert [message.to for message in mail.outbox] == [["dispatch@example.org"]]
