"""The grid admin: the boundary drawn on a map, and every grid on the changelist's overview map."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from grids.models import Community, Compound, Grid
from tests.conftest import square

# The only external address a page may carry is the tile URL template, passed to the map as data
# (the admin's inline SVG icons name their XML namespace, which is never fetched).
EXTERNAL_URL = re.compile(r"""(?:https?:)?//[^\s"'<>&]+""")
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


@pytest.fixture
def admin(db) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the form errors below are matched in English
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-root"))
    return client


def change_url(grid: Grid) -> str:
    return reverse("admin:grids_grid_change", args=[grid.pk])


def form_data(grid: Grid, boundary: str) -> dict:
    return {"community": grid.community_id, "code": grid.code, "name": grid.name, "boundary": boundary}


def json_script(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_it_renders_the_boundary_map_with_local_assets(admin, grid_a, grid_b, settings):
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": [("Tiles", "https://tiles.example.org/{z}/{x}/{y}.png", {})]}

    html = admin.get(change_url(grid_a)).content.decode()

    assert 'id="id_boundary_map"' in html and "data-boundary-map" in html
    assert '<textarea name="boundary"' in html
    for asset in ("leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/draw/leaflet.draw.js", "leaflet/draw/leaflet.draw.css", "js/boundary-map.js"):
        assert f"/static/{asset}" in html
    data_map = json.loads(re.search(r'data-map="([^"]*)"', html).group(1).replace("&quot;", '"'))
    assert data_map["tiles_url"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert [url for url in EXTERNAL_URL.findall(html) if url != SVG_NAMESPACE and "tiles.example.org" not in url] == []


def test_it_shows_the_other_grids_around_the_one_being_edited(admin, grid_a, grid_b):
    html = admin.get(change_url(grid_a)).content.decode()

    context = json_script(html, "id_boundary_context_grids")
    assert [feature["properties"]["code"] for feature in context["features"]] == [grid_b.code]


def test_it_saves_a_drawn_polygon(admin, grid_a):
    drawn = {"type": "Polygon", "coordinates": [[[119.34, 34.08], [119.352, 34.08], [119.351, 34.091], [119.34, 34.08]]]}

    response = admin.post(change_url(grid_a), form_data(grid_a, json.dumps(drawn)))

    assert response.status_code == 302
    grid_a.refresh_from_db()
    assert grid_a.boundary == drawn


def test_it_saves_a_multipolygon(admin, grid_a):
    drawn = {"type": "MultiPolygon", "coordinates": [square(119.34, 34.08, 0.004)["coordinates"], square(119.346, 34.08, 0.004)["coordinates"]]}

    response = admin.post(change_url(grid_a), form_data(grid_a, json.dumps(drawn)))

    assert response.status_code == 302
    grid_a.refresh_from_db()
    assert grid_a.boundary == drawn


@pytest.mark.parametrize(
    "boundary, message",
    [
        pytest.param({"type": "Polygon", "coordinates": [[[119.34, 34.08], [119.35, 34.08], [119.35, 34.09], [119.34, 34.09]]]}, "must be closed", id="unclosed ring"),
        pytest.param({"type": "Polygon", "coordinates": [[[119.34, 34.08], [119.35, 34.09], [119.35, 34.08], [119.34, 34.09], [119.34, 34.08]]]}, "not a valid polygon", id="bowtie"),
        pytest.param({"type": "Polygon", "coordinates": [[[119.34, 200], [119.35, 34.08], [119.35, 34.09], [119.34, 200]]]}, "outside WGS-84", id="latitude 200"),
    ],
)
def test_it_refuses_an_invalid_boundary(admin, grid_a, boundary, message):
    before = grid_a.boundary

    response = admin.post(change_url(grid_a), form_data(grid_a, json.dumps(boundary)))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["boundary"]
    assert any(message in error for error in errors), errors
    assert "errornote" in response.content.decode()
    grid_a.refresh_from_db()
    assert grid_a.boundary == before


def test_it_refuses_text_that_is_not_json(admin, grid_a):
    before = grid_a.boundary

    response = admin.post(change_url(grid_a), form_data(grid_a, "{not json"))

    assert response.status_code == 200
    assert "boundary" in response.context["adminform"].form.errors
    grid_a.refresh_from_db()
    assert grid_a.boundary == before


def test_it_adds_a_grid_drawn_on_the_map(admin, community, grid_a):
    drawn = square(119.36, 34.08, 0.01)

    page = admin.get(reverse("admin:grids_grid_add")).content.decode()
    response = admin.post(
        reverse("admin:grids_grid_add"),
        {"community": community.pk, "code": "320724100001003", "name": "新东三网格", "boundary": json.dumps(drawn)},
    )

    assert "data-boundary-map" in page
    assert [feature["properties"]["code"] for feature in json_script(page, "id_boundary_context_grids")["features"]] == [grid_a.code]
    assert response.status_code == 302
    assert Grid.objects.get(code="320724100001003").boundary == drawn


def test_the_changelist_maps_every_grid_and_compound(admin, grid_a, grid_b):
    Compound.objects.create(grid=grid_a, name="幸福小区", latitude=34.085, longitude=119.345, is_old=True)

    html = admin.get(reverse("admin:grids_grid_changelist")).content.decode()

    overview = json_script(html, "grid-overview-data")
    grids = {feature["properties"]["code"]: feature for feature in overview["grids"]["features"]}
    assert set(grids) == {grid_a.code, grid_b.code}
    assert grids[grid_a.code]["geometry"] == grid_a.boundary
    assert grids[grid_a.code]["properties"]["url"] == change_url(grid_a)
    assert grids[grid_a.code]["properties"]["color"] == grids[grid_b.code]["properties"]["color"]
    [compound] = overview["compounds"]["features"]
    assert compound["geometry"] == {"type": "Point", "coordinates": [119.345, 34.085]}
    assert 'id="grid-overview-map"' in html and "/static/js/grid-overview-map.js" in html
    assert "新东社区" in html


def test_the_changelist_keeps_search_and_filters(admin, town, grid_a, grid_b):
    west = Community.objects.create(town=town, code="320724100002", name="新西社区")
    grid_c = Grid.objects.create(community=west, code="320724100002001", name="新西一网格", boundary=square(119.33, 34.08, 0.01))
    changelist = reverse("admin:grids_grid_changelist")

    searched = admin.get(changelist, {"q": "二网格"}).context["cl"]
    filtered = admin.get(changelist, {"community__id__exact": west.pk}).context["cl"]

    assert [grid.code for grid in searched.result_list] == [grid_b.code]
    assert [grid.code for grid in filtered.result_list] == [grid_c.code]
    assert filtered.has_filters


def test_the_lookup_popup_has_no_overview_map(admin, grid_a):
    html = admin.get(reverse("admin:grids_grid_changelist"), {"_popup": "1"}).content.decode()

    assert "grid-overview-data" not in html

