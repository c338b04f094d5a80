from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import PersonalDataView
from screening.models import Arrival, FollowUp

from .helpers import register, valid_id, wrong_check

pytestmark = pytest.mark.django_db
LIST = "/m/screening/"


@pytest.fixture
def entries(users, grid_a, grid_b):
    today = timezone.localdate()
    return {
        "due_today": register(users["worker_a"], grid_a, name="今天", id_number=valid_id(sequence=81), arrived_on=today - timedelta(days=1)),
        "overdue": register(users["worker_a"], grid_a, name="过期", id_number=valid_id(sequence=82), arrived_on=today - timedelta(days=5)),
        "later": register(users["worker_a"], grid_a, name="以后", id_number=valid_id(sequence=83), arrived_on=today),
        "b": register(users["worker_b"], grid_b, name="别处", id_number=valid_id(sequence=84)),
    }


def test_a_worker_sees_the_follow_ups_due_first_oldest_first_and_only_their_grids(browse, users, entries):
    page = browse("worker_a").get(LIST)
    assert page.status_code == 200
    assert [follow_up.arrival.name for follow_up in page.context["due"]] == ["过期", "过期", "今天"]  # days 1 and 3, then today's day 1
    assert {item.arrival.name for item in page.context["entries"]} == {"今天", "过期", "以后"}
    views = PersonalDataView.objects.filter(viewer=users["worker_a"])
    assert views.count() == 3 and views[0].fields == ["phone"]


def test_the_phone_pages_are_for_grid_workers(browse, entries):
    assert browse("inspector").get(LIST).status_code == 403
    assert browse("dispatcher").get(LIST).status_code == 403


def test_another_grids_entry_is_a_404(browse, entries):
    assert browse("worker_b").get(f"/m/screening/{entries['overdue'].pk}/").status_code == 404
    first = entries["overdue"].follow_ups.first()
    response = browse("worker_b").post(f"/m/screening/follow-ups/{first.pk}/done/", {f"f{first.pk}-health_status": "healthy"})
    assert response.status_code == 404 and not FollowUp.objects.get(pk=first.pk).done


def test_a_worker_registers_an_arrival_from_the_phone(browse, users, grid_a):
    client = browse("worker_a")
    page = client.get("/m/screening/new/")
    html = page.content.decode()
    assert 'type="tel"' in html and 'inputmode="numeric"' in html and "data-id-number" in html
    assert list(page.context["form"].fields["grid"].choices) == [(str(grid_a.pk), grid_a.name)]
    response = client.post("/m/screening/new/", {
        "grid": grid_a.pk, "name": "赵六", "phone": "13600001111", "id_number": valid_id(sequence=91), "origin": "苏州市",
        "arrived_on": timezone.localdate().isoformat(), "health_status": "healthy",
    })
    arrival = Arrival.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/m/screening/{arrival.pk}/"


def test_a_wrong_check_digit_is_shown_under_the_id_number(browse, users, grid_a, grid_b):
    bad, expected = wrong_check(valid_id(sequence=92))
    response = browse("worker_a").post("/m/screening/new/", {
        "grid": grid_a.pk, "name": "赵六", "phone": "13600001111", "id_number": bad, "origin": "苏州市",
        "arrived_on": timezone.localdate().isoformat(), "health_status": "healthy",
    })
    assert response.status_code == 400 and f"should be {expected}" in response.context["form"].errors["id_number"][0]
    other_grid = browse("worker_a").post("/m/screening/new/", {"grid": grid_b.pk})
    assert "grid" in other_grid.context["form"].errors
    assert not Arrival.objects.exists()


def test_a_worker_marks_a_follow_up_done_on_the_phone(browse, users, entries):
    client = browse("worker_a")
    first = entries["overdue"].follow_ups.first()
    page = client.get(f"/m/screening/{entries['overdue'].pk}/")
    assert page.context["shown"].full and page.context["follow_ups"][0]["late"]
    response = client.post(f"/m/screening/follow-ups/{first.pk}/done/", {f"f{first.pk}-health_status": "healthy", f"f{first.pk}-note": "电话回访"})
    assert response.status_code == 302 and response["Location"] == LIST
    first.refresh_from_db()
    assert first.done and first.done_by == users["worker_a"] and first.note == "电话回访"


def _arrival(grid, **change):
    return {
        "grid": grid.pk, "name": "赵六", "phone": "13600001111", "id_number": valid_id(sequence=93), "origin": "苏州市",
        "arrived_on": timezone.localdate().isoformat(), "health_status": "healthy", **change,
    }


def test_only_due_and_overdue_follow_ups_carry_the_form_later_ones_say_when(browse, entries):
    today = timezone.localdate()
    page = browse("worker_a").get(f"/m/screening/{entries['due_today'].pk}/")
    rows = page.context["follow_ups"]
    assert [row["form"] is not None for row in rows] == [follow_up.due_on <= today for follow_up in entries["due_today"].follow_ups.all()]
    assert sum(row["form"] is not None for row in rows) == 1  # day 1 is due today; days 3, 7 and 14 wait
    later = rows[1]["follow_up"]
    html = page.content.decode()
    assert f"due {later.due_on:%m-%d}" in html and html.count("Mark done") == 1


def test_a_follow_up_not_yet_due_cannot_be_marked_done(browse, entries):
    later = entries["due_today"].follow_ups.order_by("day").last()
    client = browse("worker_a")
    message = f"This follow-up is due on {later.due_on.isoformat()}: it can be marked done from that day on."
    page = client.post(f"/m/screening/follow-ups/{later.pk}/done/", {f"f{later.pk}-health_status": "healthy"})
    assert page.status_code == 400 and message in page.content.decode()
    answer = client.post(f"/m/screening/follow-ups/{later.pk}/done/", {f"f{later.pk}-health_status": "healthy"}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 409 and message in answer.json()["detail"]
    later.refresh_from_db()
    assert not later.done


def test_a_follow_up_sent_from_the_outbox_is_answered_in_json_and_done_once(browse, users, entries):
    first = entries["overdue"].follow_ups.first()
    client = browse("worker_a")
    posted = {f"f{first.pk}-health_status": "symptoms", f"f{first.pk}-note": "发热", "uuid": "2b1f2d0e-7b7d-4a52-9a8e-1d2f3c4b5a60"}
    answer = client.post(f"/m/screening/follow-ups/{first.pk}/done/", posted, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200 and answer.json() == {"message": f"The follow-up of {first.due_on.isoformat()} is done.", "next": LIST}
    again = client.post(f"/m/screening/follow-ups/{first.pk}/done/", {**posted, f"f{first.pk}-health_status": "healthy"}, HTTP_ACCEPT="application/json")
    assert again.status_code == 200
    first.refresh_from_db()
    assert first.health_status == "symptoms" and first.events.count() == 1
    bad = entries["overdue"].follow_ups.all()[1]
    refused = client.post(f"/m/screening/follow-ups/{bad.pk}/done/", {f"f{bad.pk}-health_status": "fine"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and refused.json()[f"f{bad.pk}-health_status"] == ["Choose one of the health statuses."]


def test_an_arrival_sent_twice_from_the_outbox_is_one_entry(browse, grid_a):
    client = browse("worker_a")
    posted = _arrival(grid_a, uuid="6f1c3a52-0d3e-4c7b-8a51-3e2a9b7c1d40")
    first = client.post("/m/screening/new/", posted, HTTP_ACCEPT="application/json")
    arrival = Arrival.objects.get()
    assert first.status_code == 201 and first.json()["next"] == f"/m/screening/{arrival.pk}/"
    assert str(arrival.client_uuid) == posted["uuid"]
    retry = client.post("/m/screening/new/", posted, HTTP_ACCEPT="application/json")
    assert retry.status_code == 200 and retry.json()["next"] == f"/m/screening/{arrival.pk}/" and Arrival.objects.count() == 1


def test_a_refused_arrival_from_the_outbox_gets_its_field_messages(browse, grid_a):
    client = browse("worker_a")
    answer = client.post("/m/screening/new/", _arrival(grid_a, name="", arrived_on="明天", phone="12ab"), HTTP_ACCEPT="application/json")
    body = answer.json()
    assert answer.status_code == 400 and body["detail"] == "The entry has errors; nothing was stored."
    assert body["name"] == ["Full name is required."] and body["arrived_on"] == ["Give the arrival date as year-month-day."]
    register_first = client.post("/m/screening/new/", _arrival(grid_a), HTTP_ACCEPT="application/json")
    assert register_first.status_code == 201
    twice = client.post("/m/screening/new/", _arrival(grid_a, name="另一人"), HTTP_ACCEPT="application/json")
    assert twice.status_code == 409 and "registered already" in twice.json()["id_number"][0]
    assert Arrival.objects.count() == 1


def test_a_phone_number_typed_with_spaces_or_dashes_is_kept_as_digits(browse, grid_a):
    response = browse("worker_a").post("/m/screening/new/", _arrival(grid_a, phone="139 1234-5678"))
    assert response.status_code == 302 and Arrival.objects.get().phone == "13912345678"
    letters = browse("worker_a").post("/m/screening/new/", _arrival(grid_a, phone="139 abc", id_number=valid_id(sequence=94)))
    assert letters.context["form"].errors["phone"] == ["Enter a valid phone number."]


def test_the_id_input_is_typed_in_capitals_without_suggestions(browse):
    html = browse("worker_a").get("/m/screening/new/").content.decode()
    assert 'autocapitalize="characters"' in html and 'autocomplete="off"' in html and 'name="uuid"' not in html.split('name="id_number"')[1][:200]


def test_a_duplicate_in_another_grid_names_nobody_and_one_in_ones_own_grid_links_to_it(browse, users, grid_a, grid_b):
    number = valid_id(sequence=95)
    day = timezone.localdate() - timedelta(days=3)
    theirs = register(users["worker_b"], grid_b, name="赵浩杰", id_number=number, arrived_on=day)
    elsewhere = browse("worker_a").post("/m/screening/new/", _arrival(grid_a, id_number=number, arrived_on=day.isoformat()))
    html = elsewhere.content.decode()
    assert elsewhere.status_code == 400
    assert elsewhere.context["form"].errors["id_number"] == [
        f"This ID number is registered already for {day.isoformat()} in another grid: ask the command centre.",
    ]
    assert "赵浩杰" not in html and grid_b.name not in html and f"/m/screening/{theirs.pk}/" not in html
    assert elsewhere.context["duplicate"] is None

    own = browse("worker_b").post("/m/screening/new/", _arrival(grid_b, id_number=number, arrived_on=day.isoformat()))
    assert own.context["duplicate"] == theirs and "赵浩杰" in own.context["form"].errors["id_number"][0]
    assert f'href="/m/screening/{theirs.pk}/"' in own.content.decode()
