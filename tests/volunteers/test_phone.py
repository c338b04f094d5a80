"""A grid worker records an activity held in their grid from the phone (mobile/activities.py)."""

from django.utils import timezone

from volunteers.models import Activity

from .helpers import record


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
