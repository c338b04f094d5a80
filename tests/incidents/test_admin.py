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


def test_an_administrator_sets_the_stage_limits_of_the_town_and_of_one_category(root, users, categories):
    from incidents.models import StageLimit
    from tests.conftest import IN_GRID_A, local
    from incidents.services import incident_report

    def accept_deadline(category):
        incident, _ = incident_report(
            reporter=users["worker_a"], category=categories[category], description="路边垃圾", at=local(2026, 11, 24, 9, 0), **IN_GRID_A
        )
        return incident.current_stage.deadline

    assert accept_deadline("rubbish") == local(2026, 11, 24, 9, 15)
    added = root.post("/admin/incidents/stagelimit/add/", {"stage": "accept", "category": "", "minutes": "30"})
    assert added.status_code == 302
    assert accept_deadline("rubbish") == accept_deadline("street_light") == local(2026, 11, 24, 9, 30)
    rubbish = categories["rubbish"]
    form = {
        "code": rubbish.code, "name": rubbish.name, "kind": "event", "parent": rubbish.parent_id, "time_limit": "2",
        "time_unit": "working_hours", "department": rubbish.department_id, "active": "on",
        "stage_limits-TOTAL_FORMS": "1", "stage_limits-INITIAL_FORMS": "0",
        "stage_limits-0-stage": "accept", "stage_limits-0-minutes": "5",
    }
    assert root.post(f"/admin/incidents/category/{rubbish.pk}/change/", form).status_code == 302
    assert StageLimit.objects.filter(category=rubbish).count() == 1
    assert accept_deadline("rubbish") == local(2026, 11, 24, 9, 5)
    assert accept_deadline("street_light") == local(2026, 11, 24, 9, 30)
    refused = root.post("/admin/incidents/stagelimit/add/", {"stage": "accept", "category": "", "minutes": "0"})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
