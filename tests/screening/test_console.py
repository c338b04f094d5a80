import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import PersonalDataView
from screening.models import Arrival, FollowUp

from tests.conftest import messages_of

from .helpers import register, valid_id, wrong_check

pytestmark = pytest.mark.django_db
LIST = "/console/screening/"


@pytest.fixture
def entries(users, grid_a, grid_b):
    return {"a": register(users["worker_a"], grid_a, id_number=valid_id(sequence=41)),
            "b": register(users["worker_b"], grid_b, name="李四", phone="13900002222", id_number=valid_id(sequence=42))}


def form(**extra):
    values = {"grid": "", "name": "王五", "phone": "13700001111", "id_number": valid_id(sequence=51), "origin": "南京市鼓楼区",
              "arrived_on": (timezone.localdate() - timedelta(days=1)).isoformat(), "health_status": "healthy"}
    values.update(extra)
    return values


def test_the_command_centre_sees_the_list_in_full_and_each_entry_shown_is_recorded(browse, users, entries):
    page = browse("dispatcher").get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert entries["a"].id_number in text and "13900002222" in text
    views = PersonalDataView.objects.filter(viewer=users["dispatcher"])
    assert {view.record_id for view in views} == {entries["a"].pk, entries["b"].pk} and views[0].where == LIST


def test_an_official_sees_the_list_masked_and_nothing_is_recorded(browse, entries):
    text = browse("official").get(LIST).content.decode()
    assert entries["a"].id_number not in text and "138****5678" in text and "139****2222" in text
    assert not PersonalDataView.objects.exists()


@pytest.mark.parametrize("role", ["department", "worker_a"])
def test_department_members_and_workers_do_not_use_the_console_register(browse, entries, role):
    assert browse(role).get(LIST).status_code in (302, 403)


def test_the_figures_count_statuses_and_follow_ups(browse, entries):
    figures = browse("official").get(LIST).context["figures"]
    assert figures.entries == 2 and figures.overdue == 2 and figures.due_today == 0  # the day-1 follow-ups of two days ago
    assert dict((value, count) for value, _label, count in figures.by_status)["healthy"] == 2


def test_the_list_filters(browse, entries):
    assert [row["arrival"] for row in browse("dispatcher").get(LIST, {"grid": "320724100001002"}).context["rows"]] == [entries["b"]]
    assert [row["arrival"] for row in browse("dispatcher").get(LIST, {"q": "张"}).context["rows"]] == [entries["a"]]
    assert browse("dispatcher").get(LIST, {"follow_up": "due"}).context["rows"] == []
    today = timezone.localdate().isoformat()
    assert browse("dispatcher").get(LIST, {"arrived_from": today}).context["rows"] == []


def test_the_list_costs_the_same_queries_for_few_entries_and_many(browse, users, grid_a, django_assert_max_num_queries):
    client = browse("dispatcher")
    register(users["worker_a"], grid_a, id_number=valid_id(sequence=61))
    client.get(LIST)
    with django_assert_max_num_queries(30) as few:
        client.get(LIST)
    for n in range(20):
        register(users["worker_a"], grid_a, id_number=valid_id(sequence=100 + n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_the_command_centre_registers_an_arrival(browse, users, grid_a):
    response = browse("dispatcher").post("/console/screening/new/", form(grid=grid_a.pk))
    arrival = Arrival.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/screening/{arrival.pk}/"
    assert arrival.recorded_by == users["dispatcher"]


def test_the_form_names_a_wrong_check_digit_a_future_date_and_a_duplicate(browse, users, grid_a, entries):
    client = browse("dispatcher")
    bad, expected = wrong_check(valid_id(sequence=71))
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post("/console/screening/new/", form(grid=grid_a.pk, id_number=bad, arrived_on=tomorrow))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert f"should be {expected}" in errors["id_number"][0] and "in the future" in errors["arrived_on"][0]
    duplicate = form(grid=grid_a.pk, id_number=entries["a"].id_number, arrived_on=entries["a"].arrived_on.isoformat())
    errors = client.post("/console/screening/new/", duplicate).context["form"].errors
    assert f"entry {entries['a'].pk}" in errors["id_number"][0]
    assert Arrival.objects.count() == 2


def test_readers_have_no_register_form(browse, users):
    assert browse("official").get("/console/screening/new/").status_code == 403
    assert "screening/new" not in browse("official").get(LIST).content.decode()


def test_the_entry_page_shows_the_follow_ups_and_one_is_marked_done(browse, users, entries):
    client = browse("dispatcher")
    url = f"/console/screening/{entries['a'].pk}/"
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["follow_ups"]) == 4
    assert PersonalDataView.objects.filter(where=url).count() == 1
    first = entries["a"].follow_ups.first()
    done = f"/console/screening/follow-ups/{first.pk}/done/"
    refused = client.post(done, {f"f{first.pk}-health_status": "nonsense"})
    assert refused.status_code == 400 and not FollowUp.objects.get(pk=first.pk).done
    response = client.post(done, {f"f{first.pk}-health_status": "home_observation", f"f{first.pk}-note": "居家"})
    assert response.status_code == 302 and FollowUp.objects.get(pk=first.pk).done
    assert "is done" in messages_of(client.get(url))[0]


def test_an_official_reads_an_entry_masked_and_cannot_mark_a_follow_up(browse, entries):
    client = browse("official")
    page = client.get(f"/console/screening/{entries['a'].pk}/")
    assert page.context["shown"].full is False and all(row["form"] is None for row in page.context["follow_ups"])
    first = entries["a"].follow_ups.first()
    response = client.post(f"/console/screening/follow-ups/{first.pk}/done/", {f"f{first.pk}-health_status": "healthy"})
    assert response.status_code == 400 and not FollowUp.objects.get(pk=first.pk).done


def test_the_export_holds_the_filtered_entries_in_full_for_the_command_centre(browse, users, entries, settings):
    settings.LANGUAGE_CODE = "en"  # the file is in the town's language, whatever the page's: here as written
    response = browse("dispatcher").get("/console/screening/export.xlsx", {"grid": "320724100001001"})
    assert response.status_code == 200
    assert f"-{timezone.localdate().isoformat()}.xlsx" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert "Grid: 新东一网格" in rows[0][0]
    assert rows[1][:3] == ("Full name", "ID number", "Phone")
    assert rows[2][:3] == ("张三", entries["a"].id_number, "13812345678") and rows[2][9] == "0/4" and len(rows) == 3
    view = PersonalDataView.objects.get()
    assert view.record_id == entries["a"].pk and view.where.startswith("/console/screening/export.xlsx")


def test_the_export_is_masked_for_an_official(browse, entries):
    response = browse("official").get("/console/screening/export.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[2:]
    assert {row[2] for row in rows} == {"138****5678", "139****2222"} and all("*" in row[1] for row in rows)
    assert not PersonalDataView.objects.exists()


def test_a_bad_filter_refuses_the_export(browse, entries):
    response = browse("dispatcher").get("/console/screening/export.xlsx", {"arrived_from": "2026-02-30"})
    assert response.status_code == 400 and not PersonalDataView.objects.exists()


def test_only_administrators_list_the_views_of_personal_data(browse, users, entries):
    browse("dispatcher").get(LIST)
    browse("worker_a").get(f"/api/v1/screening/arrivals/{entries['a'].pk}/")
    assert browse("dispatcher").get("/console/screening/views/").status_code == 403
    assert browse("official").get("/console/screening/views/").status_code == 403
    page = browse("admin").get("/console/screening/views/")
    # One row per sight: the list page's two entries under one row, the API's one entry.
    assert page.status_code == 200 and [row["count"] for row in page.context["rows"]] == [1, 2] and page.context["total"] == 3
    listed = page.context["rows"][1]
    assert {view.record_id for view in listed["entries"]} == {entries["a"].pk, entries["b"].pk} and listed["where"] == LIST
    mine = browse("admin").get("/console/screening/views/", {"viewer": "worker_a"}).context["rows"]
    assert [view.record_id for row in mine for view in row["entries"]] == [entries["a"].pk]
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert browse("admin").get("/console/screening/views/", {"first_day": later}).context["rows"] == []
