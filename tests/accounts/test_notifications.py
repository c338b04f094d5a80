"""A user's unread list, filled by the follow-up work of case events."""

from django.core import mail

from accounts.models import Notification
from incidents.services import event_process

from ..incidents.helpers import case_in


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
