"""Routing a position to its grid (grids/spatial.py), directly and through a report."""

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Notification
from grids.models import Grid
from grids.spatial import locate_grid
from incidents.models import Incident
from tests.conftest import IN_GRID_A, IN_GRID_B, OUTSIDE, square

pytestmark = pytest.mark.django_db

# Binary fractions, so that a shared edge is exactly the same number in both squares.
WEST_EDGE, MIDDLE, SOUTH_EDGE, SIZE = 119.25, 119.375, 34.125, 0.125


def grid(community, sequence: str, boundary: dict) -> Grid:
    return Grid.objects.create(community=community, code=community.code + sequence, name=f"网格{sequence}", boundary=boundary)


def test_a_point_inside_grid_a_routes_to_grid_a(grid_a, grid_b):
    assert locate_grid(**IN_GRID_A) == grid_a


def test_a_point_inside_grid_b_routes_to_grid_b(grid_a, grid_b):
    assert locate_grid(**IN_GRID_B) == grid_b


def test_a_point_on_the_shared_border_routes_to_the_lowest_code(grid_a, grid_b):
    assert locate_grid(latitude=34.085, longitude=119.35) == grid_a


def test_the_border_rule_does_not_depend_on_which_grid_came_first(community):
    # The east grid is created first and has the lower code: it wins on the border.
    east = grid(community, "005", square(MIDDLE, SOUTH_EDGE, SIZE))
    grid(community, "009", square(WEST_EDGE, SOUTH_EDGE, SIZE))
    on_border = {"latitude": SOUTH_EDGE + SIZE / 2, "longitude": MIDDLE}
    assert [locate_grid(**on_border) for _ in range(3)] == [east, east, east]


def test_a_shared_corner_routes_to_the_lowest_code(community):
    west = grid(community, "001", square(WEST_EDGE, SOUTH_EDGE, SIZE))
    grid(community, "002", square(MIDDLE, SOUTH_EDGE, SIZE))
    assert locate_grid(latitude=SOUTH_EDGE, longitude=MIDDLE) == west


def test_a_point_on_an_outer_vertex_is_in_its_grid(grid_a, grid_b):
    assert locate_grid(latitude=34.08, longitude=119.34) == grid_a
    assert locate_grid(latitude=34.08, longitude=119.36) == grid_b


def test_a_point_on_an_outer_edge_is_in_its_grid(grid_a, grid_b):
    assert locate_grid(latitude=34.085, longitude=119.34) == grid_a


def test_a_point_outside_every_grid_routes_nowhere(grid_a, grid_b):
    assert locate_grid(**OUTSIDE) is None


def test_a_point_just_outside_a_grid_routes_nowhere(grid_a, grid_b):
    assert locate_grid(latitude=34.085, longitude=119.3399) is None


def test_with_no_grids_at_all_nothing_is_found(db):
    assert locate_grid(**IN_GRID_A) is None


def test_a_multipolygon_grid_covers_both_of_its_parts(community):
    parts = grid(
        community,
        "003",
        {
            "type": "MultiPolygon",
            "coordinates": [square(119.40, 34.10, 0.01)["coordinates"], square(119.42, 34.10, 0.01)["coordinates"]],
        },
    )
    assert locate_grid(latitude=34.105, longitude=119.405) == parts
    assert locate_grid(latitude=34.105, longitude=119.425) == parts
    assert locate_grid(latitude=34.105, longitude=119.415) is None


def test_an_edited_boundary_reroutes_the_same_point(grid_a, grid_b):
    assert locate_grid(**IN_GRID_A) == grid_a
    # Grid A moves north; grid B grows west over A's old square.
    grid_a.boundary = square(119.34, 34.09, 0.01)
    grid_a.save()
    grid_b.boundary = square(119.34, 34.08, 0.02)
    grid_b.save()
    assert locate_grid(**IN_GRID_A) == grid_b
    assert locate_grid(latitude=34.095, longitude=119.345) == grid_a


def test_an_edited_boundary_can_leave_a_point_unrouted(grid_a, grid_b):
    assert locate_grid(**IN_GRID_A) == grid_a
    grid_a.boundary = square(119.30, 34.08, 0.01)
    grid_a.save()
    assert locate_grid(**IN_GRID_A) is None


def test_a_deleted_grid_no_longer_receives_reports(grid_a, grid_b):
    assert locate_grid(**IN_GRID_B) == grid_b
    grid_b.delete()
    assert locate_grid(**IN_GRID_B) is None
    assert locate_grid(**IN_GRID_A) == grid_a


def test_a_new_grid_receives_reports_at_once(grid_a, grid_b):
    assert locate_grid(**OUTSIDE) is None
    covering = grid(grid_a.community, "010", square(119.365, 34.09, 0.01))
    assert locate_grid(**OUTSIDE) == covering


def test_a_grid_replaced_by_another_is_seen_even_with_the_same_count(grid_a, grid_b):
    assert locate_grid(**IN_GRID_B) == grid_b
    grid_b.delete()
    replacement = grid(grid_a.community, "012", square(119.35, 34.08, 0.01))
    assert locate_grid(**IN_GRID_B) == replacement


def test_a_grid_replaced_within_the_same_instant_is_seen(grid_a, grid_b):
    """A bulk reload (seed_demo --force) can delete and recreate grids with equal timestamps."""
    assert locate_grid(**IN_GRID_B) == grid_b
    stamp = grid_b.updated_at
    grid_b.delete()
    replacement = grid(grid_a.community, "012", square(119.35, 34.08, 0.01))
    Grid.objects.filter(pk=replacement.pk).update(updated_at=stamp)
    assert locate_grid(**IN_GRID_B) == replacement


# Through a report


def report(api, position: dict, **extra):
    return api("worker_a").post("/api/v1/incidents/", {"category": "0101", "description": "路边垃圾堆积", **position, **extra}, format="json")


def dispatcher_notices(users) -> list[Notification]:
    return list(Notification.objects.filter(recipient=users["dispatcher"]))


def test_a_report_inside_grid_a_carries_grid_a(api, categories):
    response = report(api, IN_GRID_A)
    assert response.status_code == 201, response.content
    assert response.json()["grid"] == "320724100001001"
    assert Incident.objects.get().grid.code == "320724100001001"


def test_a_report_inside_grid_b_carries_grid_b(api, categories):
    response = report(api, IN_GRID_B)
    assert response.status_code == 201, response.content
    assert response.json()["grid"] == "320724100001002"


def test_a_report_outside_every_grid_is_accepted_unrouted(api, categories):
    response = report(api, OUTSIDE)
    assert response.status_code == 201, response.content
    assert response.json()["grid"] is None
    assert Incident.objects.get().grid is None


def test_the_command_centre_is_told_to_route_an_unrouted_report(api, users, categories, run_sent_tasks):
    report(api, OUTSIDE)
    run_sent_tasks()
    with translation.override(settings.LANGUAGE_CODE):
        route_by_hand = gettext("outside every grid: route it by hand")
    [notice] = dispatcher_notices(users)
    assert route_by_hand in notice.body
    assert Incident.objects.get().grid is None


def test_the_command_centre_is_told_the_grid_of_a_routed_report(api, users, categories, run_sent_tasks, grid_a):
    report(api, IN_GRID_A)
    run_sent_tasks()
    [notice] = dispatcher_notices(users)
    assert grid_a.name in notice.body


def test_a_grid_added_before_the_follow_up_runs_routes_the_report(api, users, categories, run_sent_tasks, community):
    response = report(api, OUTSIDE)
    assert response.json()["grid"] is None
    covering = grid(community, "010", square(119.365, 34.09, 0.01))
    run_sent_tasks()
    assert Incident.objects.get().grid == covering
    [notice] = dispatcher_notices(users)
    assert covering.name in notice.body
    detail = api("dispatcher").get(f"/api/v1/incidents/{response.json()['id']}/").json()
    assert detail["grid"] == covering.code


def test_a_bad_position_is_refused_and_routes_nothing(api, categories):
    response = report(api, {"latitude": 95, "longitude": 119.345})
    assert response.status_code == 400
    assert "latitude" in response.json()
    assert not Incident.objects.exists()
