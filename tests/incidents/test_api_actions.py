"""POST /api/v1/incidents/{id}/{action}/: status codes and messages a client can act on."""

import pytest

from incidents.models import Incident, IncidentEvent

from .helpers import case_in, drive


def post(client, incident, action, body=None):
    return client.post(f"/api/v1/incidents/{incident.pk}/{action}/", body or {}, format="json")


def test_the_whole_loop_over_http(api, users, categories):
    incident = case_in("reported", users, categories)
    assert post(api("dispatcher"), incident, "assign", {"assignee": users["worker_a"].pk}).json()["status"] == "assigned"
    assert post(api("worker_a"), incident, "handle", {"note": "已清理"}).json()["status"] == "handled"
    failed = post(api("inspector"), incident, "inspect", {"passed": False, "note": "还有残留"})
    assert failed.json()["status"] == "assigned"
    post(api("worker_a"), incident, "handle", {"note": "已复清"})
    assert post(api("inspector"), incident, "inspect", {"passed": True}).json()["status"] == "inspected"
    closed = post(api("dispatcher"), incident, "close")
    assert closed.status_code == 200
    assert [e["action"] for e in closed.json()["events"]] == ["report", "assign", "handle", "rework", "handle", "inspect", "close"]


def test_an_action_the_user_may_not_take_is_403_with_a_reason(api, users, categories):
    incident = case_in("reported", users, categories)
    response = post(api("worker_a"), incident, "close")
    assert response.status_code == 403 and response.json()["detail"]
    assert Incident.objects.get(pk=incident.pk).status == "reported"


def test_an_action_not_possible_from_the_status_is_409_with_a_reason(api, users, categories):
    incident = case_in("reported", users, categories)
    response = post(api("dispatcher"), incident, "close")
    assert response.status_code == 409 and response.json()["detail"]
    assert IncidentEvent.objects.filter(incident=incident).count() == 1


def test_a_stale_version_is_409(api, users, categories):
    incident = case_in("reported", users, categories)
    post(api("dispatcher"), incident, "assign", {"assignee": users["worker_a"].pk, "version": incident.version})
    response = post(api("dispatcher"), incident, "assign", {"assignee": users["worker_b"].pk, "version": incident.version})
    assert response.status_code == 409
    assert Incident.objects.get(pk=incident.pk).assignee == users["worker_a"]


def test_an_unknown_incident_is_404(api, users, categories):
    assert post(api("dispatcher"), Incident(pk=999999), "close").status_code == 404


@pytest.mark.parametrize(
    "action, body, field",
    [
        ("assign", {}, "assignee"),
        ("assign", {"assignee": 999999}, "assignee"),
        ("assign", {"assignee": "worker_a"}, "assignee"),
        ("assign", {"department": 999999}, "department"),
        ("reject", {}, "reason"),
        ("reject", {"reason": ""}, "reason"),
        ("merge", {}, "duplicate_of"),
        ("merge", {"duplicate_of": 999999}, "duplicate_of"),
        ("assign", {"assignee": 1, "version": "x"}, "version"),
    ],
)
def test_bad_action_input_is_400_with_the_field_and_changes_nothing(action, body, field, api, users, categories):
    incident = case_in("reported", users, categories)
    response = post(api("dispatcher"), incident, action, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Incident.objects.get(pk=incident.pk).status == "reported"
    assert IncidentEvent.objects.filter(incident=incident).count() == 1


def test_inspect_needs_passed_as_a_boolean(api, users, categories):
    incident = case_in("handled", users, categories)
    for body in ({}, {"passed": "maybe"}):
        response = post(api("inspector"), incident, "inspect", body)
        assert response.status_code == 400 and "passed" in response.json()
    assert Incident.objects.get(pk=incident.pk).status == "handled"
    failed = post(api("inspector"), incident, "inspect", {"passed": "false"})
    assert failed.status_code == 200 and failed.json()["status"] == "assigned"


def test_merge_into_itself_is_400(api, users, categories):
    incident = case_in("reported", users, categories)
    response = post(api("dispatcher"), incident, "merge", {"duplicate_of": incident.pk})
    assert response.status_code == 400 and "duplicate_of" in response.json()


def test_assign_to_a_department(api, users, categories, department):
    incident = case_in("reported", users, categories)
    response = post(api("dispatcher"), incident, "assign", {"department": department.pk})
    assert response.status_code == 200 and response.json()["assigned_department"] == department.pk
    assert post(api("department"), incident, "handle", {"note": "已修复"}).json()["status"] == "handled"


def test_an_action_on_a_case_the_asker_may_not_see_is_404_like_a_missing_one(api, users, categories):
    incident = case_in("assigned", users, categories)  # in grid A, assigned to worker A
    hidden = post(api("worker_b"), incident, "handle", {"note": "x"})
    missing = post(api("worker_b"), Incident(pk=999999), "handle", {"note": "x"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert post(api("other_department"), incident, "handle", {}).status_code == 404
    assert Incident.objects.get(pk=incident.pk).status == "assigned"


def test_an_action_on_a_case_the_asker_sees_but_may_not_take_is_403(api, users, categories):
    incident = case_in("assigned", users, categories, department=None)
    drive(incident, users, [])
    response = post(api("worker_a"), incident, "close")
    assert response.status_code == 403


def test_merging_into_a_case_is_refused_as_missing_unless_the_asker_may_see_it(api, users, categories):
    incident = case_in("reported", users, categories)
    target = case_in("reported", users, categories)
    response = post(api("worker_a"), incident, "merge", {"duplicate_of": target.pk})
    assert response.status_code == 403  # worker A sees both; merging is the command centre's
    response = post(api("dispatcher"), incident, "merge", {"duplicate_of": target.pk})
    assert response.status_code == 200 and response.json()["duplicate_of"] == target.pk


def test_merging_into_a_rejected_case_is_409_naming_it(api, users, categories):
    incident = case_in("reported", users, categories)
    rejected = case_in("rejected", users, categories)
    response = post(api("dispatcher"), incident, "merge", {"duplicate_of": rejected.pk})
    assert response.status_code == 409 and rejected.code in response.json()["duplicate_of"][0]


def test_handling_as_multipart_needs_a_note_or_a_photo(api, users, categories):
    incident = case_in("assigned", users, categories)
    blind = api("worker_a").post(f"/api/v1/incidents/{incident.pk}/handle/", {"note": ""}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert blind.status_code == 400 and "Say what was done" in blind.json()["note"][0]
    assert Incident.objects.get(pk=incident.pk).status == "assigned"
