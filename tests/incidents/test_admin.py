"""The incident admin: read-only, with filters a command centre uses."""

import pytest

from accounts.models import User

from .helpers import report


@pytest.fixture
def root(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-root"))
    return client


def test_the_incident_list_filters_by_major_category(root, users, categories):
    report(users, categories, category="gas")
    rubbish = report(users, categories)
    page = root.get("/admin/incidents/incident/?major=01")
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [rubbish]
    choices = [choice["display"] for spec in page.context["cl"].filter_specs for choice in spec.choices(page.context["cl"])]
    assert "01 市容环境" in choices and "0101 暴露垃圾" not in choices


def test_a_case_cannot_be_changed_or_deleted_in_the_admin(root, users, categories):
    incident = report(users, categories)
    page = root.get(f"/admin/incidents/incident/{incident.pk}/change/")
    assert page.status_code == 200 and "report" in [e.action for e in incident.events.all()]
    assert root.post(f"/admin/incidents/incident/{incident.pk}/change/", {"description": "改掉"}).status_code == 403
    assert root.post(f"/admin/incidents/incident/{incident.pk}/delete/", {"post": "yes"}).status_code == 403
    incident.refresh_from_db()
    assert incident.description == "路边垃圾堆积"
