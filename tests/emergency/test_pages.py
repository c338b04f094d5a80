"""The command centre's duty pages per role, their forms' bad input, the roster and the printed
rosters with every shift, phones masked or recorded, and queries constant in the rows."""

from datetime import timedelta

import pytest

from accounts.models import PersonalDataView
from emergency import services
from emergency.models import Campaign, Checkpoint, Shift, SwapRequest

from tests.conftest import messages_of

from .helpers import put, slot_start


@pytest.fixture
def rostered(campaign, checkpoint_a, checkpoint_b, users, today):
    services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=today, last_day=today + timedelta(days=2), now=slot_start(today, 0) - timedelta(hours=1))
    return campaign


@pytest.mark.parametrize("name, code", [("dispatcher", 200), ("admin", 200), ("inspector", 200), ("official", 200), ("department", 404)])
def test_who_sees_the_duty_pages(browse, rostered, name, code):
    client = browse(name)
    for url in ("/console/duty/", f"/console/duty/{rostered.pk}/", f"/console/duty/{rostered.pk}/roster/"):
        assert client.get(url).status_code == code, url


def test_readers_see_no_forms_and_cannot_post(browse, rostered, users):
    client = browse("inspector")
    page = client.get(f"/console/duty/{rostered.pk}/").content.decode()
    assert "Add a checkpoint" not in page and "Generate the roster" not in page
    assert client.post(f"/console/duty/{rostered.pk}/generate/", {"first_day": "2026-01-01", "last_day": "2026-01-02"}).status_code == 404


def test_a_campaign_is_stood_up_from_one_form(browse, users, today):
    response = browse("dispatcher").post("/console/duty/new/", {
        "name": "疫情防控", "kind": "epidemic", "started": today.isoformat(), "shift_hours": "8", "rest_hours": "12",
        "all_workers": "on", "others": "志愿者甲, 13700000001\n志愿者乙",
    })
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/duty/{campaign.pk}/"
    assert campaign.rest_hours == 12 and campaign.people.count() == 4


def test_a_campaign_form_with_a_bad_phone_says_so(browse, users, today):
    response = browse("dispatcher").post("/console/duty/new/", {
        "name": "疫情防控", "kind": "epidemic", "started": today.isoformat(), "shift_hours": "8", "rest_hours": "8", "others": "老王, 12ab",
    })
    assert response.status_code == 200
    assert "is not a phone number" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_checkpoint_placed_on_the_map_is_added(browse, campaign, today):
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/checkpoints/", {
        "name": "东口", "latitude": "34.085", "longitude": "119.345", "round_the_clock": "on", "people_per_shift": "2",
        "first_day": today.isoformat(), "last_day": (today + timedelta(days=3)).isoformat(),
    })
    assert response.status_code == 302
    assert Checkpoint.objects.get().grid.name == "新东一网格"


def test_a_checkpoint_far_away_is_refused_with_a_message(browse, campaign):
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/checkpoints/", {
        "name": "上海", "latitude": "31.23", "longitude": "121.47", "round_the_clock": "on", "people_per_shift": "2",
    })
    assert response.status_code == 200
    assert "km from the town" in response.content.decode()
    assert not Checkpoint.objects.exists()


def test_generating_a_roster_with_too_few_people_shows_the_shortfalls(browse, campaign, checkpoint_a, checkpoint_b, today):
    tomorrow = today + timedelta(days=1)
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/generate/", {"first_day": tomorrow.isoformat(), "last_day": tomorrow.isoformat()})
    assert response.status_code == 302
    page = browse("dispatcher").get(f"/console/duty/{campaign.pk}/").content.decode()
    assert "Shortfalls" in page and ("Put on this shift" in page or "Nobody is free then" in page)


def test_a_range_backwards_is_refused(browse, campaign, today):
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/generate/", {"first_day": today.isoformat(), "last_day": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert "The last day comes on or after the first." in response.content.decode()


def test_the_roster_shows_every_shift_with_its_state(browse, rostered, today):
    page = browse("official").get(f"/console/duty/{rostered.pk}/roster/?start={today.isoformat()}&days=3").content.decode()
    shifts = Shift.objects.filter(checkpoint__campaign=rostered)
    assert shifts.exists()
    for shift in shifts:
        assert f'data-shift="{shift.pk}"' in page


@pytest.mark.parametrize("which", ["checkpoint", "person"])
def test_the_printed_roster_has_every_shift_and_a_print_button(browse, rostered, which):
    if which == "checkpoint":
        owner = rostered.checkpoints.first()
        url = f"/console/duty/{rostered.pk}/print/checkpoints/{owner.pk}/"
        shifts = Shift.objects.filter(checkpoint=owner)
    else:
        owner = rostered.people.filter(shifts__isnull=False).first()
        url = f"/console/duty/{rostered.pk}/print/people/{owner.pk}/"
        shifts = Shift.objects.filter(person=owner)
    page = browse("dispatcher").get(url).content.decode()
    assert shifts.exists()
    assert all(f'data-shift="{shift.pk}"' in page for shift in shifts)
    assert "data-print" in page and "@media print" in open("console/static/console/duty.css").read()


def test_phones_are_full_for_the_command_centre_and_recorded(browse, campaign):
    page = browse("dispatcher").get(f"/console/duty/{campaign.pk}/").content.decode()
    assert "13812345678" in page and "13700002222" in page
    assert PersonalDataView.objects.filter(viewer__username="dispatcher", fields=["phone"]).count() == 3


def test_phones_are_masked_for_officials_and_nothing_is_recorded(browse, campaign):
    page = browse("official").get(f"/console/duty/{campaign.pk}/").content.decode()
    assert "13812345678" not in page and "138****5678" in page
    assert not PersonalDataView.objects.exists()


def test_a_swap_is_approved_from_the_roster(browse, campaign, checkpoint_a, person, other_person, today):
    shift = put(checkpoint_a, person, slot_start(today + timedelta(days=1), 8))
    client = browse("dispatcher")
    client.post(f"/console/duty/{campaign.pk}/swaps/", {"shift": shift.pk, "to_person": other_person.pk})
    swap = SwapRequest.objects.get()
    response = client.post(f"/console/duty/{campaign.pk}/swaps/{swap.pk}/approve/")
    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.person == other_person


def test_a_swap_that_cannot_be_approved_says_why(browse, campaign, checkpoint_a, checkpoint_b, person, other_person, today):
    shift = put(checkpoint_a, person, slot_start(today + timedelta(days=1), 8))
    swap = services.swap_ask(actor=person.user, shift_id=shift.pk, to_person_id=other_person.pk)
    put(checkpoint_b, other_person, shift.starts_at)
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/swaps/{swap.pk}/approve/", follow=True)
    assert any("Cannot approve" in message and "already at 西口卡点" in message for message in messages_of(response))


@pytest.mark.parametrize("days", [1, 3])
def test_the_roster_costs_the_same_queries_for_more_shifts(browse, rostered, today, days, django_assert_max_num_queries):
    client = browse("dispatcher")
    with django_assert_max_num_queries(20):
        client.get(f"/console/duty/{rostered.pk}/roster/?start={today.isoformat()}&days={days}")
    with django_assert_max_num_queries(32):
        client.get(f"/console/duty/{rostered.pk}/")
