"""A grid worker records an activity held in their grid from the phone (mobile/activities.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grids.models import Community, GridWorker
from volunteers import services
from volunteers.models import Activity, Team, Volunteer

from .helpers import jpeg, record


def test_a_grid_worker_records_an_activity_in_their_grid_from_the_phone(browse, users, team, people, grid_a, grid_b, compounds):
    client = browse("worker_a")
    page = client.get("/m/activities/")
    assert page.status_code == 200 and page.context["form"]["grid"].value() == grid_a.pk  # their only grid, chosen already
    assert list(page.context["form"].fields["grid"].queryset) == [grid_a]
    answer = client.post("/m/activities/", {
        "kind": Activity.Kind.CULTURE_CHILDREN, "title": "亲子阅读会", "team": team.pk, "date": timezone.localdate().isoformat(),
        "grid": grid_a.pk, "audience": 18, "compounds": [compounds["new_a"].pk],
        "volunteer": [people[1].pk], f"hours-{people[1].pk}": "2",
    })
    assert answer.status_code == 302 and answer.url == "/m/activities/"
    activity = Activity.objects.get()
    assert (activity.grid, activity.recorded_by, list(activity.compounds.all())) == (grid_a, users["worker_a"], [compounds["new_a"]])
    assert "亲子阅读会" in client.get("/m/activities/").content.decode()


def test_another_grid_is_not_offered_nor_taken(browse, team, people, grid_b):
    answer = browse("worker_a").post("/m/activities/", {
        "kind": Activity.Kind.LEGAL_AID, "title": "法律咨询", "team": team.pk, "date": timezone.localdate().isoformat(),
        "grid": grid_b.pk, "audience": 5, "volunteer": [people[0].pk], f"hours-{people[0].pk}": "1",
    })
    assert answer.status_code == 200 and "grid" in answer.context["form"].errors and not Activity.objects.exists()


def test_the_phone_lists_only_the_workers_grids_and_nothing_for_a_department(browse, users, team, people, grid_a, grid_b):
    record(users["dispatcher"], team=team, grid=grid_b, volunteers=people[:1], title="只在二网格")
    assert "只在二网格" not in browse("worker_a").get("/m/activities/").content.decode()
    assert "只在二网格" in browse("worker_b").get("/m/activities/").content.decode()
    assert browse("department").get("/m/activities/").status_code == 404
    inspector = browse("inspector").get("/m/activities/")
    assert inspector.status_code == 200 and "form" not in inspector.context


def _posted(held_by, grid, person, **change):
    return {
        "kind": Activity.Kind.POLICY_OUTREACH, "title": "惠民政策进小区", "team": held_by.pk, "date": timezone.localdate().isoformat(),
        "grid": grid.pk, "audience": 30, "volunteer": [person.pk], f"hours-{person.pk}": "2", **change,
    }


def test_the_phone_lists_only_the_chosen_grids_compounds(browse, users, grid_a, grid_b, compounds):
    one_grid = browse("worker_a").get("/m/activities/").content.decode()
    assert "碧桂园" in one_grid and "供销社家属院" not in one_grid  # grid B's compound is not even sent
    assert 'data-compounds-none hidden' in one_grid  # their only grid is chosen: its compounds are in sight

    GridWorker.objects.get(user=users["worker_a"]).grids.add(grid_b)
    two_grids = browse("worker_a").get("/m/activities/")
    page = two_grids.content.decode()
    assert two_grids.context["form"]["grid"].value() is None
    # Before a grid is chosen no compound is in sight, and the page says to choose the grid.
    assert page.count('data-compound data-grid=') == 3 and page.count('" hidden><input type="checkbox" name="compounds"') == 3
    assert "Choose the grid first: its compounds are listed here." in page and "data-compounds-none hidden" not in page


def test_a_compound_of_another_grid_is_refused_on_the_phone(browse, users, team, people, grid_a, grid_b, compounds):
    GridWorker.objects.get(user=users["worker_a"]).grids.add(grid_b)
    answer = browse("worker_a").post("/m/activities/", _posted(team, grid_a, people[0], compounds=[compounds["old_a"].pk, compounds["old_b"].pk]))
    assert answer.status_code == 200 and not Activity.objects.exists()
    assert answer.context["form"].errors["compounds"] == [
        f"供销社家属院: not in {grid_a.name}. Choose only compounds of the grid the activity was held in.",
    ]
    assert "供销社家属院: not in" in answer.content.decode()  # shown by the field, not only the banner


def test_a_compound_outside_the_workers_grids_is_refused(browse, team, people, grid_a, compounds):
    answer = browse("worker_a").post("/m/activities/", _posted(team, grid_a, people[0], compounds=[compounds["old_b"].pk]))
    assert answer.context["form"].errors["compounds"] == ["Choose only compounds of the grid the activity was held in."]
    assert not Activity.objects.exists()


@pytest.mark.parametrize("change, field, message", [
    ({"audience": "-5"}, "audience", "The audience cannot be below zero."),
    ({"audience": "很多"}, "audience", "The audience is a whole number of people."),
    ({"audience": ""}, "audience", "Give the number of people reached, 0 if none."),
    ({"title": ""}, "title", "Give the activity a title."),
    ({"team": ""}, "team", "Choose the team that held it."),
    ({"kind": ""}, "kind", "Choose one of the kinds of activity."),
])
def test_bad_fields_get_our_own_messages_on_the_phone(browse, team, people, grid_a, change, field, message):
    answer = browse("worker_a").post("/m/activities/", _posted(team, grid_a, people[0], **change))
    assert answer.context["form"].errors[field] == [message] and not Activity.objects.exists()


def test_after_a_refusal_the_page_says_the_photos_must_be_chosen_again(browse, team, people, grid_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    answer = browse("worker_a").post("/m/activities/", _posted(team, grid_a, people[0], date=tomorrow, photos=[jpeg(), jpeg("b.jpg")]))
    page = answer.content.decode()
    assert answer.context["form"].errors["date"] == ["An activity cannot be recorded before the day it is held."]
    assert page.count("The photos were not kept: choose them again.") == 2  # in the banner and by the photo field
    assert f'max="{timezone.localdate().isoformat()}"' in page  # the phone catches a later day before uploading
    without_photos = browse("worker_a").post("/m/activities/", _posted(team, grid_a, people[0], date=tomorrow)).content.decode()
    assert "The photos were not kept" not in without_photos


def test_the_phone_gets_only_the_teams_serving_its_grids_and_their_volunteers(browse, users, team, people, grid_a, town):
    elsewhere = Community.objects.create(town=town, code="320724100009", name="长茂社区")
    far = services.team_create(actor=users["dispatcher"], name="长茂社区红色义工队", kind=Team.Kind.RED, community=elsewhere)
    services.volunteer_register(actor=users["dispatcher"], team=far, name="远方志愿者", profession=Volunteer.Profession.RESIDENT)
    near = services.team_create(actor=users["dispatcher"], name="新东社区红色义工队", kind=Team.Kind.RED, community=grid_a.community)
    services.volunteer_register(actor=users["dispatcher"], team=near, name="近邻志愿者", profession=Volunteer.Profession.RESIDENT)
    page = browse("worker_a").get("/m/activities/")
    text = page.content.decode()
    assert "近邻志愿者" in text and "王芳" in text and "远方志愿者" not in text
    assert set(page.context["form"].fields["team"].queryset) == {team, near}
    assert "远方志愿者" in browse("dispatcher").get("/console/volunteers/activities/new/").content.decode()  # the console offers all


def test_an_activity_sent_twice_from_the_outbox_is_one_activity_with_its_photos_once(browse, team, people, grid_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = browse("worker_a")
    sent = "9a4f0c1e-5d2b-4c3a-8e7f-6b5a4c3d2e10"
    first = client.post("/m/activities/", {**_posted(team, grid_a, people[0], uuid=sent), "photos": [jpeg()]}, HTTP_ACCEPT="application/json")
    assert first.status_code == 200 and first.json() == {"message": "Recorded: 惠民政策进小区.", "next": "/m/activities/"}
    retry = client.post("/m/activities/", {**_posted(team, grid_a, people[0], uuid=sent), "photos": [jpeg()]}, HTTP_ACCEPT="application/json")
    assert retry.status_code == 200
    activity = Activity.objects.get()
    assert str(activity.client_uuid) == sent and activity.photos.count() == 1


def test_a_refused_activity_from_the_outbox_gets_its_field_messages(browse, team, people, grid_a, compounds):
    client = browse("worker_a")
    answer = client.post("/m/activities/", _posted(team, grid_a, people[0], audience="-5"), HTTP_ACCEPT="application/json")
    assert answer.status_code == 400 and answer.json()["audience"] == ["The audience cannot be below zero."]
    no_one = {key: value for key, value in _posted(team, grid_a, people[0]).items() if key != "volunteer"}
    refused = client.post("/m/activities/", no_one, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and refused.json()["volunteers"] == ["Name at least one volunteer who served at it."]
    assert not Activity.objects.exists()
