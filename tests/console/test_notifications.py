"""The notifications menu: the user's own, each opening its case; marking read."""

from django.urls import reverse

from accounts.models import Notification

from ..incidents.helpers import case_in


def test_the_menu_lists_my_notifications_and_opens_the_case(browse, users, categories, run_sent_tasks):
    incident = case_in("assigned", users, categories)
    run_sent_tasks()
    notice = Notification.objects.filter(recipient=users["dispatcher"]).first()
    html = browse("dispatcher").get(reverse("console:notifications")).content.decode()
    assert notice.subject in html
    response = browse("dispatcher").post(reverse("console:notifications-read"), {"notification": notice.pk})
    assert response["Location"] == reverse("console:case", args=[incident.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_it_marks_all_read_and_stays_on_the_page(browse, users, categories, run_sent_tasks):
    case_in("assigned", users, categories)
    run_sent_tasks()
    response = browse("dispatcher").post(reverse("console:notifications-read"), {"next": "/console/?queue=new"})
    assert response["Location"] == "/console/?queue=new"
    assert not Notification.objects.filter(recipient=users["dispatcher"], read_at__isnull=True).exists()


def test_it_does_not_send_anyone_away_from_the_site(browse):
    response = browse("dispatcher").post(reverse("console:notifications-read"), {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("console:cases")


def test_someone_elses_notification_is_not_marked(browse, users, categories, run_sent_tasks):
    case_in("assigned", users, categories)
    run_sent_tasks()
    theirs = Notification.objects.filter(recipient=users["worker_a"]).first()
    browse("dispatcher").post(reverse("console:notifications-read"), {"notification": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
