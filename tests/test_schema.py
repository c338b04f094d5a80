"""The OpenAPI schema says what the API really takes and answers (bench/fuzz_api.py checks the
answers against it at random; these pin what a client reads first)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

ACTIONS = {
    "assign": {"assignee", "department", "note", "version"},
    "handle": {"note", "version"},
    "inspect": {"passed", "note", "version"},
    "close": {"note", "version"},
    "reject": {"reason", "note", "version"},
    "merge": {"duplicate_of", "note", "version"},
}


@pytest.fixture(scope="module")
def schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)
    return generated


def body_schema(schema, path, media="application/json"):
    reference = schema["paths"][path]["post"]["requestBody"]["content"][media]["schema"]["$ref"]
    return schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]


@pytest.mark.parametrize("action, fields", sorted(ACTIONS.items()))
def test_each_action_documents_its_own_fields_as_its_body(action, fields, schema):
    assert set(body_schema(schema, f"/api/v1/incidents/{{id}}/{action}/")["properties"]) == fields


@pytest.mark.parametrize("path, fields", [("/api/v1/incidents/", ["photos", "before_photos", "after_photos"]), ("/api/v1/incidents/{id}/handle/", ["photos", "before_photos"])])
def test_photos_are_files_in_a_multipart_body(path, fields, schema):
    multipart = body_schema(schema, path, "multipart/form-data")
    for field in fields:
        photos = multipart["properties"][field]
        assert (photos["type"], photos["items"]) == ("array", {"type": "string", "format": "binary"})
    assert not set(fields) & set(body_schema(schema, path)["properties"])  # JSON carries no files


def test_the_geojson_of_the_grids_is_documented_as_a_feature_collection(schema):
    answer = schema["paths"]["/api/v1/grids/geojson/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["properties"]["type"]["enum"] == ["FeatureCollection"]
    assert "geometry" in answer["properties"]["features"]["items"]["properties"]


def test_the_errors_each_operation_can_answer_are_documented(schema):
    responses = lambda path, method="post": set(schema["paths"][path][method]["responses"])  # noqa: E731
    assert {"200", "400", "401", "403", "404", "409"} <= responses("/api/v1/incidents/{id}/assign/")
    assert {"201", "200", "400", "401", "403", "409"} <= responses("/api/v1/incidents/")
    assert {"200", "400", "401", "404"} <= responses("/api/v1/incidents/", "get")
    assert {"200", "401", "404"} <= responses("/api/v1/incidents/{id}/", "get")
    assert {"200", "400", "429"} <= responses("/api/v1/auth/token/")
    assert "401" not in responses("/api/v1/auth/token/")


def test_the_page_size_is_documented_with_its_limits_and_held_to_them(schema, api, users):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/incidents/"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}
    for bad in ("null", "0", "-1", "501", "abc"):
        response = api("dispatcher").get(f"/api/v1/incidents/?page_size={bad}")
        assert response.status_code == 400 and "page_size" in response.json(), bad
    assert api("dispatcher").get("/api/v1/incidents/?page_size=500").status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_api_address_is_a_json_404(method, api, users):
    response = getattr(api("dispatcher"), method)("/api/v1/incidents/abc/assign/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/v1/incidents/100000000000000000000/", None),
        ("get", "/api/v1/departments/100000000000000000000/", None),
        ("get", "/api/v1/workers/100000000000000000000/", None),
        ("post", "/api/v1/incidents/{id}/assign/", {"assignee": 10**20}),
        ("post", "/api/v1/notifications/read/", {"ids": [10**20]}),
        ("get", "/incidents/photos/100000000000000000000/", None),
    ],
)
def test_an_id_too_big_for_the_database_is_a_400_or_404_not_a_server_error(method, path, body, api, users, categories):
    from incidents.services import incident_report
    from tests.conftest import IN_GRID_A

    incident, _ = incident_report(reporter=users["worker_a"], category=categories["rubbish"], description="x", **IN_GRID_A)
    path = path.format(id=incident.pk)
    client = api("dispatcher")
    response = client.get(path) if method == "get" else client.post(path, body, format="json")
    assert response.status_code in (400, 404), response.content
    if body:
        assert response.status_code == 400 and set(body) <= set(response.json())


def test_a_page_size_of_unicode_digits_is_a_400(api, users):
    assert api("dispatcher").get("/api/v1/incidents/?page_size=²").status_code == 400
