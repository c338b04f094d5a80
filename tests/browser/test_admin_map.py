"""The admin's maps in a real browser, offline: the boundary editor and the grid overview.

The edits are made with Leaflet.draw's own toolbar and the mouse, as an admin would make them;
only the coordinate conversion is checked by calling into the page's script.
"""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from grids.models import Community, Compound, Grid
from tests.conftest import square

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_tiles")]

@pytest.fixture
def town_grids(town, community):
    """Two communities of three grids each, in a row of squares, and a compound in three of them."""
    west = Community.objects.create(town=town, code="320724100002", name="新西社区")
    grids = []
    for index in range(6):
        owner = community if index < 3 else west
        code = f"{owner.code}{index % 3 + 1:03d}"
        grids.append(Grid.objects.create(community=owner, code=code, name=f"第{index + 1}网格", boundary=square(119.33 + index * 0.008, 34.085, 0.008)))
    for index, grid in enumerate(grids[:3]):
        Compound.objects.create(grid=grid, name=f"小区{index + 1}", latitude=34.0865, longitude=119.3315 + index * 0.008, is_old=index == 0)
    return grids


def open_boundary_editor(page, grid):
    page.goto(reverse("admin:grids_grid_change", args=[grid.pk]))
    page.locator("#id_boundary_map path.grid-boundary").wait_for()
    page.locator("#id_boundary_map").scroll_into_view_if_needed()


def textarea_boundary(page):
    text = page.locator("#id_boundary").input_value()
    return json.loads(text) if text else None


def rounded(ring):
    """Positions as the editor writes them: to 7 decimals (1 cm)."""
    return [[round(value, 7) for value in position] for position in ring]


def centre(box) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def save_toolbar_changes(page):
    """Clicks the first action beside the edit and delete tools: Save, in any language."""
    page.locator(".leaflet-draw-actions a:visible").first.click()


def test_the_change_page_draws_the_grid_without_tiles(admin_page, grid_a, grid_b, screenshot):
    open_boundary_editor(admin_page, grid_a)

    map_box = admin_page.locator("#id_boundary_map").bounding_box()
    boundary = admin_page.locator("#id_boundary_map path.grid-boundary")
    assert boundary.count() == 1
    box = boundary.bounding_box()
    assert box["width"] > 50 and box["height"] > 50
    assert map_box["x"] <= box["x"] and box["x"] + box["width"] <= map_box["x"] + map_box["width"]
    assert admin_page.locator("#id_boundary_map path.grid-context").count() == 1
    assert admin_page.locator(".leaflet-draw-draw-polygon").is_visible()
    assert any(url.startswith("https://tiles.example.org/") for url in admin_page.blocked)
    assert admin_page.errors == []
    admin_page.locator("#id_boundary").scroll_into_view_if_needed()
    screenshot(admin_page, "grid-change")


def test_the_changelist_overview_shows_every_grid(admin_page, town_grids, screenshot):
    admin_page.goto(reverse("admin:grids_grid_changelist"))
    admin_page.locator("#grid-overview-map path.grid-area").first.wait_for()

    assert admin_page.locator("#grid-overview-map path.grid-area").count() == Grid.objects.count() == 6
    assert admin_page.locator("#grid-overview-map path.compound-point").count() == 3
    colours = {admin_page.locator("#grid-overview-map path.grid-area").nth(i).get_attribute("stroke") for i in range(6)}
    assert len(colours) == 2
    assert admin_page.errors == []
    screenshot(admin_page, "grid-changelist")

    # Grid 5 has no compound: a click in its middle lands on the grid itself.
    admin_page.mouse.click(*centre(admin_page.locator("#grid-overview-map path.grid-area").nth(4).bounding_box()))
    admin_page.wait_for_url(f"**{reverse('admin:grids_grid_change', args=[town_grids[4].pk])}")


def test_deleting_and_drawing_with_the_toolbar_rewrites_the_boundary(admin_page, grid_a, grid_b, screenshot):
    open_boundary_editor(admin_page, grid_a)
    boundary = admin_page.locator("#id_boundary_map path.grid-boundary")

    admin_page.locator(".leaflet-draw-edit-remove").click()
    admin_page.mouse.click(*centre(boundary.bounding_box()))
    save_toolbar_changes(admin_page)
    assert boundary.count() == 0
    assert textarea_boundary(admin_page) is None

    map_box = admin_page.locator("#id_boundary_map").bounding_box()
    admin_page.locator(".leaflet-draw-draw-rectangle").click()
    admin_page.mouse.move(map_box["x"] + 200, map_box["y"] + 120)
    admin_page.mouse.down()
    admin_page.mouse.move(map_box["x"] + 420, map_box["y"] + 300, steps=8)
    admin_page.mouse.up()

    drawn = textarea_boundary(admin_page)
    assert drawn["type"] == "Polygon"
    [ring] = drawn["coordinates"]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert boundary.count() == 1
    screenshot(admin_page, "grid-drawn")

    admin_page.locator("input[name=_continue]").click()
    admin_page.locator(".messagelist .success").wait_for()
    grid_a.refresh_from_db()
    assert grid_a.boundary == drawn


def test_a_new_grid_is_drawn_with_the_polygon_tool(admin_page, community, grid_a, grid_b, screenshot):
    admin_page.goto(reverse("admin:grids_grid_add"))
    admin_page.locator("#id_boundary_map path.grid-context").first.wait_for()
    admin_page.locator("#id_boundary_map").scroll_into_view_if_needed()
    map_box = admin_page.locator("#id_boundary_map").bounding_box()
    corners = [(150, 100), (320, 90), (340, 260), (160, 280)]

    admin_page.locator(".leaflet-draw-draw-polygon").click()
    vertices = admin_page.locator("#id_boundary_map .leaflet-editing-icon")
    for count, (x, y) in enumerate(corners, start=1):
        admin_page.mouse.click(map_box["x"] + x, map_box["y"] + y)
        expect(vertices).to_have_count(count)
        admin_page.wait_for_timeout(100)  # Leaflet.draw ignores a click within 50 ms of the last point
    admin_page.mouse.move(map_box["x"] + 200, map_box["y"] + 330)
    screenshot(admin_page, "grid-add-drawing")
    admin_page.mouse.click(map_box["x"] + corners[0][0], map_box["y"] + corners[0][1])

    expect(admin_page.locator("#id_boundary")).not_to_have_value("")
    drawn = textarea_boundary(admin_page)
    [ring] = drawn["coordinates"]
    assert drawn["type"] == "Polygon" and len(ring) == 5 and ring[0] == ring[-1]
    admin_page.locator("#id_community").select_option(str(community.pk))
    admin_page.locator("#id_code").fill("320724100001003")
    admin_page.locator("#id_name").fill("新东三网格")
    admin_page.locator("input[name=_save]").click()
    admin_page.locator(".messagelist .success").wait_for()
    assert Grid.objects.get(code="320724100001003").boundary == drawn


def test_an_invalid_boundary_comes_back_with_its_error(admin_page, grid_a, grid_b, screenshot):
    open_boundary_editor(admin_page, grid_a)
    bowtie = {"type": "Polygon", "coordinates": [[[119.34, 34.08], [119.35, 34.09], [119.35, 34.08], [119.34, 34.09], [119.34, 34.08]]]}

    admin_page.locator("#id_boundary").fill(json.dumps(bowtie))
    admin_page.locator("input[name=_continue]").click()

    admin_page.locator("#id_boundary_map path.grid-boundary").wait_for()
    assert admin_page.locator(".errornote").is_visible()
    assert admin_page.locator(".field-boundary .errorlist").is_visible()
    expect(admin_page.locator("#id_boundary_map path.grid-boundary")).to_have_count(1)
    assert admin_page.errors == []
    admin_page.locator(".field-boundary").scroll_into_view_if_needed()
    screenshot(admin_page, "grid-invalid")
    before = grid_a.boundary
    grid_a.refresh_from_db()
    assert grid_a.boundary == before


def drag_top_right_vertex(page, by: tuple[int, int]):
    box = page.locator("#id_boundary_map path.grid-boundary").bounding_box()
    corner = (box["x"] + box["width"], box["y"])
    vertices = page.locator("#id_boundary_map .leaflet-editing-icon")
    nearest = min(
        (vertices.nth(i).bounding_box() for i in range(vertices.count())),
        key=lambda b: (centre(b)[0] - corner[0]) ** 2 + (centre(b)[1] - corner[1]) ** 2,
    )
    x, y = centre(nearest)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + by[0], y + by[1], steps=8)
    page.mouse.up()


def test_dragging_a_vertex_writes_the_textarea_at_once(admin_page, grid_a, grid_b, screenshot):
    open_boundary_editor(admin_page, grid_a)
    before = rounded(grid_a.boundary["coordinates"][0])

    admin_page.locator(".leaflet-draw-edit-edit").click()
    drag_top_right_vertex(admin_page, by=(-40, 30))
    [after] = textarea_boundary(admin_page)["coordinates"]
    screenshot(admin_page, "grid-editing")
    save_toolbar_changes(admin_page)

    moved = [i for i, (old, new) in enumerate(zip(before, after)) if old != new]
    assert moved == [2]  # (east, north), pulled in towards the south-west
    assert after[2][0] < before[2][0] and after[2][1] < before[2][1]
    assert textarea_boundary(admin_page)["coordinates"] == [after]


def test_pasted_geojson_is_drawn(admin_page, grid_a, grid_b):
    open_boundary_editor(admin_page, grid_a)
    shown_before = admin_page.locator("#id_boundary_map path.grid-boundary").get_attribute("d")

    admin_page.locator("#id_boundary").fill(json.dumps(square(119.30, 34.05, 0.05)))
    admin_page.locator("#id_name").focus()

    boundary = admin_page.locator("#id_boundary_map path.grid-boundary")
    expect(boundary).to_have_count(1)
    assert boundary.get_attribute("d") != shown_before
    # The map refits to show the whole pasted square.
    admin_page.wait_for_function(
        """() => {
            const shape = document.querySelector("#id_boundary_map path.grid-boundary").getBoundingClientRect();
            const map = document.querySelector("#id_boundary_map").getBoundingClientRect();
            return shape.width > 100 && shape.left >= map.left && shape.right <= map.right
                && shape.top >= map.top && shape.bottom <= map.bottom;
        }"""
    )


def test_a_gcj02_base_map_shifts_the_display_but_stores_wgs84(admin_page, grid_a, grid_b, settings):
    settings.MAP_COORDINATE_SYSTEM = "gcj02"
    open_boundary_editor(admin_page, grid_a)
    before = rounded(grid_a.boundary["coordinates"][0])

    # Reference values of the published offset: eviltransform (Shanghai) and gcoord.
    shanghai = admin_page.evaluate("GovgridMap.wgs84ToGcj02(31.1774276, 121.5272106)")
    inverse = admin_page.evaluate("GovgridMap.gcj02ToWgs84(45, 123)")
    round_trip = admin_page.evaluate("(() => { const g = GovgridMap.wgs84ToGcj02(34.09, 119.35); return GovgridMap.gcj02ToWgs84(g.lat, g.lng); })()")
    assert shanghai == pytest.approx({"lat": 31.17530398, "lng": 121.53154186}, abs=1e-6)
    assert inverse == pytest.approx({"lat": 44.99804071, "lng": 122.99395597}, abs=1e-5)
    assert round_trip == pytest.approx({"lat": 34.09, "lng": 119.35}, abs=1e-9)
    shown_corner = admin_page.evaluate("document.getElementById('id_boundary_map').boundaryMap.shapes.getBounds().getSouthWest()")
    assert shown_corner == pytest.approx(admin_page.evaluate("GovgridMap.wgs84ToGcj02(34.08, 119.34)"), abs=1e-9)
    assert shown_corner["lng"] - 119.34 > 0.004  # about 450 m east, as Gaode tiles draw it

    admin_page.locator(".leaflet-draw-edit-edit").click()
    drag_top_right_vertex(admin_page, by=(-40, 30))
    save_toolbar_changes(admin_page)
    [after] = textarea_boundary(admin_page)["coordinates"]

    assert [position for i, position in enumerate(after) if i != 2] == [position for i, position in enumerate(before) if i != 2]
    assert after[2] != before[2]
