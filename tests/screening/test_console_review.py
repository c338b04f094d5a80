"""The register after the console review: no follow-up overdue from the start, none counted for
people cleared, entries corrected with an event, and the record of views one row per sight."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import PersonalDataView, User
from incidents.errors import Conflict, InvalidInput, Missing, NotAllowed
from screening import services
from screening.models import Arrival, FollowUp, HealthStatus, ScreeningEvent
from screening.selectors import arrivals_filter, arrivals_visible_to, follow_ups_open, register_figures

from .helpers import register, valid_id, wrong_check

pytestmark = pytest.mark.django_db
LIST = "/console/screening/"


def test_a_visit_due_before_the_registration_is_not_scheduled(browse, users, grid_a):
    today = timezone.localdate()
    arrival = register(users["worker_a"], grid_a, arrived_on=today - timedelta(days=4), now=timezone.now())
    assert [f.day for f in arrival.follow_ups.all()] == [7, 14]
    assert arrival.events.get().data["skipped_days"] == [1, 3]
    assert register_figures(Arrival.objects.all(), today=today).overdue == 0
    page = browse("dispatcher").get(f"/console/screening/{arrival.pk}/").content.decode()
    assert "Not scheduled: the visits of day 1, 3 after the arrival fell before the registration" in page


def test_a_visit_due_on_the_registration_day_is_scheduled(users, grid_a):
    today = timezone.localdate()
    arrival = register(users["worker_a"], grid_a, arrived_on=today - timedelta(days=1), now=timezone.now())
    assert [f.day for f in arrival.follow_ups.all()] == [1, 3, 7, 14]


def test_someone_cleared_has_no_overdue_visits(browse, users, grid_a):
    today = timezone.localdate()
    arrival = register(users["worker_a"], grid_a, arrived_on=today - timedelta(days=10))
    everyone = arrivals_visible_to(users["dispatcher"])
    assert register_figures(everyone, today=today).overdue == 3  # days 1, 3 and 7
    first = arrival.follow_ups.first()
    services.follow_up_done(actor=users["worker_a"], follow_up_id=first.pk, health_status=HealthStatus.CLEARED)
    assert register_figures(everyone, today=today).overdue == 0
    assert not arrivals_filter(everyone, today=today, follow_up="overdue").exists()
    assert not follow_ups_open(everyone, until=today).exists()
    response = browse("dispatcher").get(f"/console/screening/{arrival.pk}/")
    assert not any(row["late"] or row["form"] for row in response.context["follow_ups"])
    assert "followed up no more" in response.content.decode()
    row = browse("dispatcher").get(LIST).context["rows"][0]
    assert row["next"] is None


def test_a_visit_not_due_yet_has_no_form_on_the_entry_page(browse, users, grid_a):
    arrival = register(users["worker_a"], grid_a, arrived_on=timezone.localdate() - timedelta(days=2))
    rows = browse("dispatcher").get(f"/console/screening/{arrival.pk}/").context["follow_ups"]
    assert [row["form"] is not None for row in rows] == [True, False, False, False]


def correction(arrival, **changes):
    values = {
        "grid": arrival.grid, "compound": arrival.compound, "campaign": arrival.campaign, "name": arrival.name, "phone": arrival.phone,
        "id_number": arrival.id_number, "origin": arrival.origin, "arrived_on": arrival.arrived_on, "notes": arrival.notes,
    }
    values.update(changes)
    return values


def test_the_grids_worker_corrects_an_entry_with_an_event_and_the_numbers_masked_in_it(users, grid_a):
    arrival = register(users["worker_a"], grid_a)
    new_id = valid_id(sequence=301)
    corrected, changed = services.arrival_correct(actor=users["worker_a"], arrival_id=arrival.pk, **correction(arrival, phone="13900001111", id_number=new_id))
    assert changed == ["phone", "id_number"] and corrected.phone == "13900001111" and corrected.id_number == new_id
    event = arrival.events.get(action=ScreeningEvent.Action.CORRECTED)
    assert event.actor == users["worker_a"] and event.data["changed"]["phone"] == ["138****5678", "139****1111"]
    assert new_id not in str(event.data)


def test_a_correction_is_checked_as_a_registration_is_and_changes_nothing_when_wrong(users, grid_a, grid_b):
    arrival = register(users["worker_a"], grid_a)
    other = register(users["worker_a"], grid_a, id_number=valid_id(sequence=302))
    bad, _expected = wrong_check(valid_id(sequence=303))
    with pytest.raises(InvalidInput) as error:
        services.arrival_correct(actor=users["dispatcher"], arrival_id=arrival.pk, **correction(arrival, id_number=bad, phone="12ab", name=""))
    assert {"id_number", "phone", "name"} <= set(error.value.fields)
    with pytest.raises(Conflict):
        services.arrival_correct(actor=users["dispatcher"], arrival_id=arrival.pk, **correction(arrival, id_number=other.id_number))
    with pytest.raises(InvalidInput) as error:
        services.arrival_correct(actor=users["worker_a"], arrival_id=arrival.pk, **correction(arrival, grid=grid_b))
    assert "grid" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.arrival_correct(actor=users["dispatcher"], arrival_id=arrival.pk, **correction(arrival, arrived_on=timezone.localdate() + timedelta(days=1)))
    assert "arrived_on" in error.value.fields
    assert not ScreeningEvent.objects.filter(action=ScreeningEvent.Action.CORRECTED).exists()
    assert Arrival.objects.get(pk=arrival.pk).phone == "13812345678"


@pytest.mark.parametrize("who", ["worker_b", "official", "department"])
def test_others_cannot_correct_an_entry(users, grid_a, who):
    arrival = register(users["worker_a"], grid_a)
    with pytest.raises((Missing, NotAllowed)):
        services.arrival_correct(actor=users[who], arrival_id=arrival.pk, **correction(arrival, name="王二"))
    assert Arrival.objects.get(pk=arrival.pk).name == "张三"


def test_a_new_arrival_date_moves_the_visits_not_done(users, grid_a):
    today = timezone.localdate()
    arrival = register(users["worker_a"], grid_a, arrived_on=today - timedelta(days=5))
    first = arrival.follow_ups.first()
    services.follow_up_done(actor=users["worker_a"], follow_up_id=first.pk, health_status=HealthStatus.HEALTHY)
    services.arrival_correct(actor=users["dispatcher"], arrival_id=arrival.pk, **correction(arrival, arrived_on=today - timedelta(days=6)))
    due = {f.day: (f.due_on, f.done) for f in FollowUp.objects.filter(arrival=arrival)}
    assert due == {1: (today - timedelta(days=4), True), 3: (today - timedelta(days=3), False), 7: (today + timedelta(days=1), False), 14: (today + timedelta(days=8), False)}


def test_the_command_centre_corrects_an_entry_on_its_page(browse, users, grid_a):
    arrival = register(users["worker_a"], grid_a)
    client = browse("dispatcher")
    url = f"/console/screening/{arrival.pk}/correct/"
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["phone"].value() == "13812345678"
    assert PersonalDataView.objects.filter(viewer=users["dispatcher"], where=url).count() == 1
    values = {"grid": grid_a.pk, "name": "张三丰", "phone": "13812345678", "id_number": arrival.id_number, "origin": arrival.origin,
              "arrived_on": arrival.arrived_on.isoformat()}
    response = client.post(url, values)
    assert response.status_code == 302 and Arrival.objects.get(pk=arrival.pk).name == "张三丰"
    refused = client.post(url, {**values, "id_number": wrong_check(arrival.id_number)[0]})
    assert refused.status_code == 400 and "id_number" in refused.context["form"].errors
    assert browse("official").get(url).status_code == 403


def test_the_arrival_form_narrows_the_compounds_to_the_grid(browse, compounds):
    page = browse("dispatcher").get("/console/screening/new/").content.decode()
    assert "data-arrival-form" in page and "console/screening.js" in page
    assert '<optgroup label="新东一网格">' in page  # the groups the script shows and hides by the grid's name


def test_an_export_is_one_row_of_the_views_with_its_entries_listed(browse, users, grid_a, grid_b):
    entries = [register(users["worker_a"], grid_a, id_number=valid_id(sequence=400 + n)) for n in range(3)]
    client = browse("dispatcher")
    client.get(f"/console/screening/{entries[0].pk}/")
    workbook = client.get("/console/screening/export.xlsx")
    assert len(list(load_workbook(io.BytesIO(workbook.content)).active.iter_rows())) == 5
    assert PersonalDataView.objects.count() == 4  # a record per entry exported, and the page
    admin = browse("admin")
    rows = admin.get("/console/screening/views/").context["rows"]
    assert [row["count"] for row in rows] == [3, 1]
    assert {view.record_id for view in rows[0]["entries"]} == {entry.pk for entry in entries}
    exports = admin.get("/console/screening/views/", {"kind": "export"}).context["rows"]
    pages = admin.get("/console/screening/views/", {"kind": "page"}).context["rows"]
    assert [row["count"] for row in exports] == [3] and [row["count"] for row in pages] == [1]


def test_the_views_list_costs_the_same_queries_for_more_sights(browse, users, grid_a, django_assert_max_num_queries):
    arrival = register(users["worker_a"], grid_a)
    dispatcher = browse("dispatcher")
    dispatcher.get(f"/console/screening/{arrival.pk}/")
    admin = browse("admin")
    admin.get("/console/screening/views/")
    with django_assert_max_num_queries(40) as few:
        admin.get("/console/screening/views/")
    few = len(few.captured_queries)  # read now: the connection keeps a bounded log
    for _n in range(10):
        dispatcher.get(f"/console/screening/{arrival.pk}/")
        dispatcher.get("/console/screening/export.xlsx")
    with django_assert_max_num_queries(few):
        admin.get("/console/screening/views/")


def test_the_admin_shows_an_entrys_history_as_lines(client, users, grid_a):
    arrival = register(users["worker_a"], grid_a)
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-root"))
    page = client.get(f"/admin/screening/arrival/{arrival.pk}/change/").content.decode()
    assert f": {grid_a.code}</div>" in page and '{"grid"' not in page
