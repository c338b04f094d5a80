"""Who may open the console, and what each sees: a case one may not see is a 404."""

import pytest
from django.urls import reverse

from ..conftest import IN_GRID_B
from ..incidents.helpers import case_in, report

CONSOLE_PAGES = ["console:cases", "console:map", "console:map-data", "console:live", "console:notifications"]


@pytest.mark.parametrize("role", ["dispatcher", "inspector", "official", "department", "admin"])
def test_it_opens_every_page_to_the_roles_that_work_in_it(browse, role, categories):
    for name in CONSOLE_PAGES:
        assert browse(role).get(reverse(name)).status_code == 200, name


def test_it_refuses_grid_workers(browse, categories):
    for name in CONSOLE_PAGES + ["console:hotline"]:
        assert browse("worker_a").get(reverse(name)).status_code == 403, name


def test_it_sends_strangers_to_the_login_page(browse):
    response = browse(None).get(reverse("console:cases"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lets_only_who_may_report_take_a_call(browse, categories):
    assert browse("dispatcher").get(reverse("console:hotline")).status_code == 200
    for role in ("inspector", "official", "department"):
        assert browse(role).get(reverse("console:hotline")).status_code == 403


def test_a_department_member_sees_only_their_departments_cases(browse, users, categories, department, other_department):
    ours = case_in("assigned", users, categories, department=department)
    theirs = case_in("assigned", users, categories, department=other_department)
    page = browse("department").get(reverse("console:cases"))
    codes = {incident.code for incident in page.context["page"]}
    assert ours.code in codes and theirs.code not in codes
    assert browse("department").get(reverse("console:case", args=[theirs.pk])).status_code == 404
    assert browse("department").get(reverse("console:case", args=[ours.pk])).status_code == 200


def test_queue_counts_follow_what_the_asker_may_see(browse, users, categories, department, other_department):
    case_in("assigned", users, categories, department=department)
    case_in("assigned", users, categories, department=other_department)
    counts = dict((name, count) for name, _label, count in browse("department").get(reverse("console:cases")).context["queues"])
    assert counts["handling"] == 1
    counts = dict((name, count) for name, _label, count in browse("dispatcher").get(reverse("console:cases")).context["queues"])
    assert counts["handling"] == 2


def test_another_grids_case_is_missing_for_an_action_too(browse, users, categories, department):
    theirs = case_in("assigned", users, categories, department=department)
    response = browse("other_department").post(reverse("console:case-action", args=[theirs.pk, "handle"]), {"note": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [
        ("dispatcher", "/console/?queue=new"),
        ("inspector", "/console/?queue=inspection"),
        ("official", "/dashboard/"),
        ("department", "/m/"),
        ("worker_a", "/m/"),
    ],
)
def test_home_sends_each_role_where_it_works(browse, role, lands_on):
    response = browse(role).get("/")
    assert response.status_code == 302 and response["Location"] == lands_on


def test_home_shows_the_admin_link_only_to_administrators(browse):
    assert reverse("admin:index") in browse("admin").get("/").content.decode()
    worker_home = browse("worker_a").get("/", follow=True).content.decode()
    assert reverse("admin:index") not in worker_home


def test_the_icon_is_found(browse):
    response = browse(None).get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".ico")


def test_an_official_looks_but_gets_no_dispatch_action(browse, users, categories):
    incident = report(users, categories, position=IN_GRID_B)
    page = browse("official").get(reverse("console:case", args=[incident.pk]))
    offered = [form["action"] for form in page.context["forms"]]
    assert "assign" not in offered and "reject" not in offered
    refused = browse("official").post(reverse("console:case-action", args=[incident.pk, "assign"]), {"handler": f"u{users['worker_b'].pk}"})
    assert refused.status_code == 403
    incident.refresh_from_db()
    assert incident.status == "reported"
