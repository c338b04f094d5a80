"""Each role sees only its own: the list, the detail, the measures and the photos."""

import pytest

from ..conftest import IN_GRID_B, OUTSIDE
from .helpers import case_in, drive, report


@pytest.fixture
def cases(users, categories, department):
    in_a = case_in("reported", users, categories)
    in_b = report(users, categories, reporter="worker_b", position=IN_GRID_B)
    for_department = drive(report(users, categories, reporter="worker_b", position=IN_GRID_B), users, ["assign"], department=department)
    b_assigned_to_a = report(users, categories, reporter="worker_b", position=IN_GRID_B)
    drive(b_assigned_to_a, users, ["assign"])
    unrouted = report(users, categories, reporter="dispatcher", position=OUTSIDE)
    return {"in_a": in_a, "in_b": in_b, "department": for_department, "b_assigned_to_a": b_assigned_to_a, "unrouted": unrouted}


VISIBLE = {
    "admin": {"in_a", "in_b", "department", "b_assigned_to_a", "unrouted"},
    "dispatcher": {"in_a", "in_b", "department", "b_assigned_to_a", "unrouted"},
    "inspector": {"in_a", "in_b", "department", "b_assigned_to_a", "unrouted"},
    "official": {"in_a", "in_b", "department", "b_assigned_to_a", "unrouted"},
    "worker_a": {"in_a", "b_assigned_to_a"},
    "worker_b": {"in_b", "department", "b_assigned_to_a"},
    "department": {"department"},
    "other_department": set(),
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_lists_only_its_cases(role, api, cases):
    response = api(role).get("/api/v1/incidents/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    ids = {row["id"] for row in body["results"]}
    assert ids == {cases[name].pk for name in VISIBLE[role]}
    for name, incident in cases.items():
        detail = api(role).get(f"/api/v1/incidents/{incident.pk}/")
        assert detail.status_code == (200 if name in VISIBLE[role] else 404), (role, name)


def test_anonymous_gets_401(api, cases):
    assert api(None).get("/api/v1/incidents/").status_code == 401


def test_filters(api, cases, users):
    dispatcher = api("dispatcher")

    def ids(query):
        response = dispatcher.get(f"/api/v1/incidents/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("grid=320724100001001") == {cases["in_a"].pk}
    assert ids("status=assigned") == {cases["department"].pk, cases["b_assigned_to_a"].pk}
    assert ids("unrouted=true") == {cases["unrouted"].pk}
    assert ids("category=01") == {incident.pk for incident in cases.values()}
    assert ids("overdue=true") == set()
    assert ids("community=320724100001") == {incident.pk for name, incident in cases.items() if name != "unrouted"}


@pytest.mark.parametrize("query, field", [("status=lost", "status"), ("overdue=perhaps", "overdue"), ("from=yesterday", "from")])
def test_bad_filters_are_400(query, field, api, cases):
    response = api("dispatcher").get(f"/api/v1/incidents/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_contact_phones_are_masked_for_those_who_do_not_need_them(api, users, categories):
    incident = report(users, categories, reporter="dispatcher", source="phone", contact_phone="13812345678")
    url = f"/api/v1/incidents/{incident.pk}/"
    assert api("worker_a").get(url).json()["contact_phone"] == "138****5678"  # in their grid, not theirs to handle
    assert api("official").get(url).json()["contact_phone"] == "138****5678"
    assert api("dispatcher").get(url).json()["contact_phone"] == "13812345678"
    drive(incident, users, ["assign"])
    assert api("worker_a").get(url).json()["contact_phone"] == "13812345678"  # the handler calls the resident back
    assert api("official").get(url).json()["contact_phone"] == "138****5678"
    listed = api("official").get("/api/v1/incidents/").json()["results"]
    assert [row["contact_phone"] for row in listed] == ["138****5678"]


def test_the_measures_count_only_the_askers_grids_or_department(api, cases):
    assert api("official").get("/api/v1/stats/summary/").json()["reported"] == 5
    # Their grid's figures: a case of grid B they were given to handle counts in grid B's.
    assert api("worker_a").get("/api/v1/stats/summary/").json()["reported"] == 1
    assert api("worker_b").get("/api/v1/stats/summary/").json()["reported"] == 3
    assert api("department").get("/api/v1/stats/summary/").json()["reported"] == 1
    assert api("other_department").get("/api/v1/stats/summary/").json()["reported"] == 0
