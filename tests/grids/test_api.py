"""The reference lists partner apps read: grids, GeoJSON, categories, workers, departments."""

import re

from grids.models import GridWorker


def test_grids_are_paginated_with_their_codes(api, grid_a, grid_b):
    body = api("official").get("/api/v1/grids/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [g["code"] for g in body["results"]] == ["320724100001001", "320724100001002"]


def test_the_geojson_is_a_feature_collection_with_code_and_name(api, grid_a, grid_b):
    body = api("official").get("/api/v1/grids/geojson/").json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == ["320724100001001", "320724100001002"]
    assert body["features"][0]["properties"]["name"] == "新东一网格"
    assert body["features"][0]["geometry"]["type"] == "Polygon"


def test_categories_name_their_parent(api, categories):
    rows = {c["code"]: c for c in api("worker_a").get("/api/v1/categories/").json()["results"]}
    assert rows["01"]["parent"] is None
    assert rows["0101"]["parent"] == "01" and rows["0101"]["time_unit"] == "working_hours"


def test_workers_carry_user_id_username_name_and_grid_codes(api, users):
    rows = {w["username"]: w for w in api("dispatcher").get("/api/v1/workers/").json()["results"]}
    assert rows["worker_a"]["user_id"] == users["worker_a"].pk
    assert rows["worker_a"]["grids"] == ["320724100001001"]
    assert rows["worker_a"]["phone"] == "13812345678"
    assert GridWorker.objects.count() == len(rows)


def test_worker_phones_are_masked_for_other_roles(api, users):
    rows = {w["username"]: w for w in api("worker_b").get("/api/v1/workers/").json()["results"]}
    assert rows["worker_a"]["phone"] == "138****5678"


def test_departments_are_listed(api, users):
    names = [d["name"] for d in api("worker_a").get("/api/v1/departments/").json()["results"]]
    assert names == ["城管局", "燃气公司"]


def test_reference_lists_need_a_login(api, users):
    for url in ("/api/v1/grids/", "/api/v1/grids/geojson/", "/api/v1/categories/", "/api/v1/workers/", "/api/v1/departments/"):
        assert api(None).get(url).status_code == 401


def test_the_schema_and_docs_are_served_without_the_internet(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/incidents/{id}/assign/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    # The page's CSRF token is random letters, which now and then spell "cdn".
    page = re.sub(r'"X-CSRFTOKEN"\] = "[^"]*"', '"X-CSRFTOKEN"] = ""', docs.content.decode())
    assert "cdn" not in page.lower() and "swagger-ui" in page
    links = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert links and all(link.startswith("/") and not link.startswith("//") for link in links)


def test_a_client_may_ask_for_larger_pages(api, grid_a, grid_b):
    body = api("official").get("/api/v1/grids/?page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and "page=2" in body["next"]
