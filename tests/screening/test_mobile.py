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
