"""Grid boundaries (grids/geojson.py) and grid codes, as the admin checks them."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from grids.geojson import validate_boundary, validate_position
from grids.models import Grid
from tests.conftest import square


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": [list(ring) for ring in rings]}


def message_of(value) -> str:
    with pytest.raises(ValidationError) as error:
        validate_boundary(value)
    return " ".join(error.value.messages)


def accepted(value) -> bool:
    try:
        validate_boundary(value)
    except ValidationError:
        return False
    return True


SQUARE = [[119.34, 34.08], [119.35, 34.08], [119.35, 34.09], [119.34, 34.09], [119.34, 34.08]]


# What passes


def test_a_closed_square_is_a_valid_boundary():
    assert accepted(square(119.34, 34.08, 0.01))


def test_a_polygon_with_a_hole_is_a_valid_boundary():
    hole = [[119.342, 34.082], [119.342, 34.084], [119.344, 34.084], [119.344, 34.082], [119.342, 34.082]]
    assert accepted(polygon(SQUARE, hole))


def test_a_multipolygon_is_a_valid_boundary():
    assert accepted(
        {"type": "MultiPolygon", "coordinates": [square(119.34, 34.08, 0.01)["coordinates"], square(119.36, 34.08, 0.01)["coordinates"]]}
    )


def test_integer_coordinates_are_accepted():
    assert accepted(polygon([[119, 34], [120, 34], [120, 35], [119, 35], [119, 34]]))


# What fails, and says why


def test_an_unclosed_ring_is_refused():
    assert "must be closed" in message_of(polygon(SQUARE[:-1] + [[119.34, 34.085]]))


def test_a_ring_of_three_positions_is_refused():
    assert "at least four positions" in message_of(polygon([[119.34, 34.08], [119.35, 34.08], [119.34, 34.08]]))


def test_a_polygon_without_rings_is_refused():
    assert "outer ring" in message_of({"type": "Polygon", "coordinates": []})


def test_missing_coordinates_are_refused():
    assert "no coordinates" in message_of({"type": "MultiPolygon", "coordinates": []})
    assert "no coordinates" in message_of({"type": "MultiPolygon"})


def test_a_bowtie_is_refused_as_self_intersecting():
    bowtie = [[119.34, 34.08], [119.35, 34.09], [119.35, 34.08], [119.34, 34.09], [119.34, 34.08]]
    assert "Self-intersection" in message_of(polygon(bowtie))


def test_a_hole_outside_its_polygon_is_refused():
    hole = [[119.40, 34.08], [119.40, 34.09], [119.41, 34.09], [119.41, 34.08], [119.40, 34.08]]
    assert "not a valid polygon" in message_of(polygon(SQUARE, hole))


def test_a_latitude_of_95_is_refused():
    ring = [[119.34, 34.08], [119.35, 34.08], [119.35, 95], [119.34, 34.08]]
    assert "outside WGS-84 ranges" in message_of(polygon(ring))


def test_a_longitude_of_200_is_refused():
    ring = [[119.34, 34.08], [200, 34.08], [119.35, 34.09], [119.34, 34.08]]
    assert "outside WGS-84 ranges" in message_of(polygon(ring))


def test_swapped_latitude_and_longitude_are_refused():
    # [lat, lon] instead of [lon, lat]: 119 is no latitude.
    ring = [[34.08, 119.34], [34.08, 119.35], [34.09, 119.35], [34.08, 119.34]]
    assert "outside WGS-84 ranges" in message_of(polygon(ring))


def test_non_numeric_coordinates_are_refused_as_not_numbers():
    ring = [["119.34", "34.08"], [119.35, 34.08], [119.35, 34.09], ["119.34", "34.08"]]
    message = message_of(polygon(ring))
    assert "numbers" in message
    assert "outside" not in message


def test_true_and_false_are_not_coordinates():
    ring = [[True, False], [119.35, 34.08], [119.35, 34.09], [True, False]]
    assert "numbers" in message_of(polygon(ring))


def test_a_position_with_one_number_is_refused():
    ring = [[119.34], [119.35, 34.08], [119.35, 34.09], [119.34]]
    assert "[longitude, latitude]" in message_of(polygon(ring))


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Point", "coordinates": [119.345, 34.085]},
        {"type": "LineString", "coordinates": SQUARE},
        {"type": "Feature", "geometry": square(119.34, 34.08, 0.01)},
        "POLYGON ((119.34 34.08, 119.35 34.08, 119.35 34.09, 119.34 34.08))",
        SQUARE,
        None,
    ],
    ids=["point", "linestring", "feature", "wkt-string", "bare-list", "none"],
)
def test_anything_but_a_polygon_is_refused(value):
    assert "must be a GeoJSON Polygon or MultiPolygon" in message_of(value)


# Single positions


def test_a_good_position_has_no_errors():
    assert validate_position(latitude=34.085, longitude=119.345) == {}


def test_a_bad_position_names_each_bad_field():
    errors = validate_position(latitude=95, longitude="east")
    assert errors == {"latitude": "Must be between -90 and 90.", "longitude": "Must be a number."}


# The grid as the admin saves it


@pytest.fixture
def new_grid(community):
    def make(**fields) -> Grid:
        values = {"community": community, "code": "320724100001007", "name": "新东七网格", "boundary": square(119.34, 34.08, 0.01)}
        return Grid(**{**values, **fields})

    return make


def errors_of(grid: Grid) -> dict:
    with pytest.raises(ValidationError) as error:
        grid.full_clean()
    return error.value.message_dict


def test_a_good_grid_passes_full_clean_and_saves(new_grid):
    grid = new_grid()
    grid.full_clean()
    grid.save()
    assert Grid.objects.filter(code=grid.code).exists()


@pytest.mark.parametrize("code", ["32072410000100", "3207241000010071", "32072410000100A", ""])
def test_a_grid_code_must_be_15_digits(new_grid, code):
    assert "code" in errors_of(new_grid(code=code))


def test_a_grid_code_must_start_with_its_communitys_code(new_grid, community):
    errors = errors_of(new_grid(code="320724100002001"))
    assert errors == {"code": [f"A grid code starts with its community's code ({community.code})."]}


def test_a_grid_with_a_bad_boundary_fails_full_clean_on_the_boundary(new_grid):
    errors = errors_of(new_grid(boundary={"type": "Point", "coordinates": [119.345, 34.085]}))
    assert list(errors) == ["boundary"]
    assert "must be a GeoJSON Polygon or MultiPolygon" in errors["boundary"][0]


def test_a_grid_code_already_taken_fails_full_clean(new_grid, grid_a):
    assert "code" in errors_of(new_grid(code=grid_a.code))
