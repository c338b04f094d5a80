"""A report from far outside the town is refused; one just outside every grid is taken unrouted.

Grid A and grid B (tests/conftest.py) cover 119.34–119.36 E, 34.08–34.09 N. On the ground a
degree of latitude is about 111.2 km there, and a degree of longitude about 92.1 km.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import Role
from grids.models import Grid
from grids.spatial import grid_index
from incidents import services
from incidents.errors import InvalidInput
from incidents.models import Incident, IncidentEvent, IncidentPhoto

from ..conftest import OUTSIDE, make_user, square
from .images import tiny_jpeg

pytestmark = pytest.mark.django_db

# 0.342° of latitude north of the grids' northern edge (34.09 N): 38 km.
THIRTY_EIGHT_KM_NORTH = {"latitude": 34.432, "longitude": 119.35}


def report(users, categories, position: dict, **extra):
    return services.incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="路边垃圾堆积", **position, **extra
    )


def nothing_stored() -> bool:
    return not (Incident.objects.exists() or IncidentEvent.objects.exists() or IncidentPhoto.objects.exists())


def test_a_position_38_km_away_is_refused_with_its_distance_on_latitude(users, categories):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        report(users, categories, THIRTY_EIGHT_KM_NORTH)
    assert refused.value.fields == {"latitude": "This position is 38 km from the town's nearest grid; check the location."}
    assert nothing_stored()


def test_a_position_just_outside_every_grid_is_taken_unrouted(users, categories):
    incident, created = report(users, categories, OUTSIDE)
    assert created and incident.grid is None
    assert Incident.objects.get().pk == incident.pk


def test_the_limit_is_a_setting_and_the_distance_is_shown_to_a_tenth_of_a_kilometre_below_ten(users, categories, settings):
    settings.REPORT_MAX_METRES_OUTSIDE = 500
    # OUTSIDE is 0.005° north and 0.01° east of grid B's north-east corner: √(556² + 921²) ≈ 1076 m.
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        report(users, categories, OUTSIDE)
    assert refused.value.fields["latitude"].startswith("This position is 1.1 km from")
    assert nothing_stored()


def test_a_position_a_little_inside_the_limit_is_taken_and_a_little_beyond_it_is_not(users, categories):
    # Due east of grid B (east edge 119.36 E) at its middle latitude: 0.053° ≈ 4.88 km, 0.056° ≈ 5.16 km.
    incident, _ = report(users, categories, {"latitude": 34.085, "longitude": 119.413})
    assert incident.grid is None
    with pytest.raises(InvalidInput):
        report(users, categories, {"latitude": 34.085, "longitude": 119.416})
    assert Incident.objects.count() == 1


def test_the_distance_is_measured_on_the_ground_not_in_degrees(users):
    index = grid_index()
    north = index.metres_from_grids(latitude=34.14, longitude=119.345)  # 0.05° of latitude
    east = index.metres_from_grids(latitude=34.085, longitude=119.41)  # 0.05° of longitude
    assert north == pytest.approx(5560, rel=0.005)
    assert east == pytest.approx(4605, rel=0.005)
    assert index.metres_from_grids(latitude=34.085, longitude=119.345) == 0


def test_the_grid_nearest_on_the_ground_counts_when_another_is_nearer_in_degrees(users, categories, community):
    # A third grid 0.048° of latitude (5.34 km) due north of a point that is 0.05° of longitude
    # (4.6 km) east of grid B: nearer in degrees, farther on the ground. The point is taken.
    point = {"latitude": 34.085, "longitude": 119.41}
    Grid.objects.create(community=community, code="320724100001003", name="北网格", boundary=square(119.405, 34.133, 0.01))
    assert grid_index().metres_from_grids(**point) == pytest.approx(4605, rel=0.005)
    incident, _ = report(users, categories, point)
    assert incident.grid is None


def test_with_no_grids_at_all_every_position_is_taken(categories):
    """A town being set up has no boundaries yet: its reports wait for routing by hand."""
    incident, _ = services.incident_report(
        reporter=make_user("dispatcher", Role.DISPATCHER), category=categories["rubbish"], description="路边垃圾堆积", **THIRTY_EIGHT_KM_NORTH
    )
    assert incident.grid is None


def test_the_api_refuses_a_far_position_with_a_field_message_and_stores_nothing(api, categories):
    body = {
        "category": "0101", "description": "路边垃圾堆积", **THIRTY_EIGHT_KM_NORTH, "client_uuid": str(uuid.uuid4()),
        "photos": [SimpleUploadedFile("p.jpg", tiny_jpeg(), content_type="image/jpeg")],
    }
    response = api("worker_a").post("/api/v1/incidents/", body, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    assert response.json()["latitude"] == ["This position is 38 km from the town's nearest grid; check the location."]
    assert response.json()["detail"]
    assert nothing_stored()


def test_the_api_takes_a_position_just_outside_every_grid_unrouted(api, categories):
    response = api("worker_a").post("/api/v1/incidents/", {"category": "0101", "description": "路边垃圾堆积", **OUTSIDE}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["grid"] is None
