"""POST /api/v1/incidents/: a report from a phone, and every way it can be wrong."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.models import Incident, IncidentEvent, IncidentPhoto

from ..conftest import IN_GRID_A
from .images import tiny_jpeg

GOOD = {"category": "0101", "description": "路边垃圾堆积", **IN_GRID_A, "address": "人民路12号"}


def post(client, body, fmt="json"):
    return client.post("/api/v1/incidents/", body, format=fmt)


def test_it_creates_a_case_in_the_reporters_grid_with_a_deadline(api, categories):
    response = post(api("worker_a"), GOOD)
    assert response.status_code == 201
    body = response.json()
    assert body["code"].startswith("20") and len(body["code"]) == 14
    assert (body["status"], body["grid"], body["category"]) == ("reported", "320724100001001", "0101")
    assert body["deadline"] > body["reported_at"] and body["warning_light"] == "green" and body["overdue"] is False
    assert [e["action"] for e in body["events"]] == ["report"]


def test_it_takes_photos_as_multipart_and_shows_them_only_to_those_who_see_the_case(api, users, categories, client):
    photos = [SimpleUploadedFile(f"p{i}.jpg", tiny_jpeg(), content_type="image/jpeg") for i in range(2)]
    response = post(api("worker_a"), {**GOOD, "photos": photos}, fmt="multipart")
    assert response.status_code == 201, response.content
    assert [p["stage"] for p in response.json()["photos"]] == ["report", "report"]
    photo_url = response.json()["photos"][0]["url"]
    assert client.get(photo_url).status_code == 302
    client.force_login(users["worker_b"])
    assert client.get(photo_url).status_code == 404
    client.force_login(users["worker_a"])
    shown = client.get(photo_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg" and b"".join(shown.streaming_content)


def test_the_same_client_uuid_returns_the_first_case_and_creates_nothing(api, categories):
    body = {**GOOD, "client_uuid": str(uuid.uuid4())}
    first = post(api("worker_a"), body)
    again = post(api("worker_a"), body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1 and IncidentEvent.objects.count() == 1


def test_a_client_uuid_of_another_reporter_is_a_conflict(api, categories):
    body = {**GOOD, "client_uuid": str(uuid.uuid4())}
    post(api("worker_a"), body)
    response = post(api("worker_b"), body)
    assert response.status_code == 409 and "client_uuid" in response.json()
    assert Incident.objects.count() == 1


def not_an_image():
    return SimpleUploadedFile("notes.jpg", b"%PDF-1.4 this is not an image", content_type="image/jpeg")


def too_big(settings):
    settings.PHOTO_MAX_BYTES = 1000
    return SimpleUploadedFile("big.jpg", tiny_jpeg() + b"\0" * 2000, content_type="image/jpeg")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"latitude": 91}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"latitude": "north"}, "latitude"),
        ({"longitude": None}, "longitude"),
        ({"category": "9999"}, "category"),
        ({"category": "01"}, "category"),
        ({"category": None}, "category"),
        ({"description": ""}, "description"),
        ({"source": "pigeon"}, "source"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"handled_on_spot": "perhaps"}, "handled_on_spot"),
        ({"handled_on_spot": True}, "photos"),
    ],
)
def test_bad_input_gets_a_field_message_and_saves_nothing(change, field, api, categories):
    response = post(api("worker_a"), {**GOOD, **change})
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Incident.objects.count() == 0 and IncidentEvent.objects.count() == 0


@pytest.mark.parametrize("missing", ["category", "description", "latitude", "longitude"])
def test_a_missing_field_is_named(missing, api, categories):
    body = {key: value for key, value in GOOD.items() if key != missing}
    response = post(api("worker_a"), body)
    assert response.status_code == 400 and missing in response.json()
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("make_photo", [lambda settings: not_an_image(), too_big])
def test_a_bad_photo_is_refused_and_saves_nothing(make_photo, api, categories, settings):
    response = post(api("worker_a"), {**GOOD, "photos": [make_photo(settings)]}, fmt="multipart")
    assert response.status_code == 400 and "photos" in response.json()
    assert Incident.objects.count() == 0 and IncidentPhoto.objects.count() == 0


def test_too_many_photos_are_refused(api, categories, settings):
    settings.PHOTO_MAX_COUNT = 2
    photos = [SimpleUploadedFile(f"p{i}.jpg", tiny_jpeg(), content_type="image/jpeg") for i in range(3)]
    response = post(api("worker_a"), {**GOOD, "photos": photos}, fmt="multipart")
    assert response.status_code == 400 and "photos" in response.json()
    assert Incident.objects.count() == 0


def test_malformed_json_is_a_400(api, categories):
    response = api("worker_a").post("/api/v1/incidents/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("role, code", [(None, 401), ("official", 403), ("inspector", 403), ("department", 403)])
def test_only_workers_and_the_command_centre_report(role, code, api, categories):
    assert post(api(role), GOOD).status_code == code
    assert Incident.objects.count() == 0


def test_the_command_centre_records_a_phone_call(api, categories):
    response = post(api("dispatcher"), {**GOOD, "source": "phone", "contact_phone": "13812345678"})
    assert response.status_code == 201
    assert response.json()["source"] == "phone" and response.json()["contact_phone"] == "13812345678"


def test_the_same_client_uuid_with_another_problem_is_409_naming_the_first_case(api, categories):
    key = str(uuid.uuid4())
    first = post(api("worker_a"), {**GOOD, "client_uuid": key})
    for change in ({"description": "井盖缺失"}, {"category": "0102"}, {"latitude": 34.086}):
        response = post(api("worker_a"), {**GOOD, **change, "client_uuid": key})
        assert response.status_code == 409, change
        assert first.json()["code"] in response.json()["detail"] and "client_uuid" in response.json()
    assert Incident.objects.count() == 1


def test_the_reporter_sees_the_contact_phone_they_typed_in_full(api, users, categories):
    response = post(api("worker_a"), {**GOOD, "contact_phone": "13912345678"})
    assert response.json()["contact_phone"] == "13912345678"
    incident_id = response.json()["id"]
    assert api("worker_a").get(f"/api/v1/incidents/{incident_id}/").json()["contact_phone"] == "13912345678"
    assert api("official").get(f"/api/v1/incidents/{incident_id}/").json()["contact_phone"] == "139****5678"


def test_a_contact_phone_that_is_not_a_number_is_refused(api, categories):
    response = post(api("worker_a"), {**GOOD, "contact_phone": "call me"})
    assert response.status_code == 400 and "contact_phone" in response.json()


def test_control_characters_are_stripped_from_every_text_field(api, users, categories):
    dirty = "垃圾\x07堆积\x1b[31m，\u202egpj.exe\r\n第二行"
    response = post(api("worker_a"), {**GOOD, "description": dirty, "address": "人民路\x0c12号\n北", "note": "\x1b备注"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["description"] == "垃圾堆积[31m，gpj.exe\n第二行"
    assert body["address"] == "人民路12号 北"
    assert body["events"][0]["note"] == "备注"
    incident = Incident.objects.get(pk=body["id"])
    rejected = api("dispatcher").post(f"/api/v1/incidents/{incident.pk}/reject/", {"reason": "重复\x08上报"}, format="json")
    assert rejected.json()["events"][-1]["note"] == "重复上报"


def test_the_same_report_with_control_characters_sent_again_is_the_same_report(api, categories):
    body = {**GOOD, "description": "垃圾\x07堆积", "client_uuid": str(uuid.uuid4())}
    first = post(api("worker_a"), body)
    again = post(api("worker_a"), body)
    assert (first.status_code, again.status_code) == (201, 200) and again.json()["id"] == first.json()["id"]
