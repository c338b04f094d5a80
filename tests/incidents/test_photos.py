"""Photos: judged by their content, re-encoded without metadata, served only as images, to
browsers and token clients alike, and never left on disk by a failed request."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Incident, IncidentPhoto
from incidents.photos import prepare_photo

from ..conftest import IN_GRID_A, commit_callbacks, local
from .images import POSTSCRIPT, huge_png, jpeg_from_a_phone, tiny_heic, tiny_jpeg, tiny_png, tiny_webp

GOOD = {"category": "0101", "description": "路边垃圾堆积", **IN_GRID_A}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def report_with(api, *files, reporter="worker_a"):
    return api(reporter).post("/api/v1/incidents/", {**GOOD, "photos": list(files)}, format="multipart")


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def fetch(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


@pytest.mark.parametrize(
    "content, extension, content_type",
    [(tiny_jpeg(), "jpg", "image/jpeg"), (tiny_png(), "png", "image/png"), (tiny_webp(), "webp", "image/webp"), (tiny_heic(), "jpg", "image/jpeg")],
)
def test_the_format_is_read_from_the_content_whatever_the_file_is_called(content, extension, content_type, api, users, categories, client):
    response = report_with(api, upload("scan.pdf", content, "application/pdf"))

    assert response.status_code == 201, response.content
    photo = IncidentPhoto.objects.get()
    assert photo.image.name.endswith(f".{extension}")
    client.force_login(users["worker_a"])
    served, body = fetch(client, response.json()["photos"][0]["url"])
    assert served["Content-Type"] == content_type
    assert served["Content-Disposition"].startswith("inline")
    assert Image.open(BytesIO(body)).format == {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[extension]


@pytest.mark.parametrize(
    "content, message",
    [(POSTSCRIPT, "JPEG"), (b"%PDF-1.7\n1 0 obj\n", "JPEG"), (b"", ""), (tiny_jpeg()[:60], "")],
)
def test_what_is_not_a_photo_is_refused_and_nothing_is_saved(content, message, api, categories, media):
    response = report_with(api, upload("photo.jpg", content))

    assert response.status_code == 400, response.content
    assert message in str(response.json()["photos"])
    assert Incident.objects.count() == 0 and stored_files(media) == []


def test_a_small_file_of_a_huge_image_is_refused_before_it_is_decoded(api, categories, media, monkeypatch):
    def never_decode(image):
        raise AssertionError("decoded a photo that is over the pixel limit")

    monkeypatch.setattr(Image.Image, "load", never_decode)
    content = huge_png()
    assert len(content) < 20_000

    response = report_with(api, upload("x.png", content, "image/png"))

    assert response.status_code == 400
    assert "144.0" in str(response.json()["photos"])
    assert Incident.objects.count() == 0 and stored_files(media) == []


def test_the_pixel_limit_is_a_setting(api, categories, settings):
    settings.PHOTO_MAX_PIXELS = 100
    assert report_with(api, upload("p.jpg", tiny_jpeg())).status_code == 201  # 8 × 8
    assert report_with(api, upload("p.jpg", jpeg_from_a_phone())).status_code == 400  # 40 × 20


def test_the_time_and_place_taken_are_kept_and_every_tag_is_stripped(api, categories, media):
    response = report_with(api, upload("IMG_0001.JPG", jpeg_from_a_phone()))

    photo = IncidentPhoto.objects.get()
    assert photo.taken_at == local(2026, 11, 20, 9, 41, 5)
    assert (photo.latitude, photo.longitude) == (pytest.approx(34.085), pytest.approx(119.35))
    stored = Image.open(photo.image.path)
    assert dict(stored.getexif()) == {} and "exif" not in stored.info and "icc_profile" not in stored.info
    # Turned upright by its Orientation tag before the tag was dropped.
    assert (stored.width, stored.height) == (20, 40) == (photo.width, photo.height)
    described = response.json()["photos"][0]
    assert (described["latitude"], described["width"]) == (pytest.approx(34.085), 20)


def test_a_photo_without_exif_has_no_time_or_place(api, categories):
    report_with(api, upload("p.png", tiny_png(), "image/png"))
    photo = IncidentPhoto.objects.get()
    assert (photo.taken_at, photo.latitude, photo.longitude) == (None, None, None)


def test_a_report_that_fails_after_its_photos_were_written_leaves_no_file(users, categories, media, monkeypatch):
    photos = services.Photos(report=[prepare_photo(upload("r.jpg", tiny_jpeg()))], before=[], after=[])
    original = services._record

    def fail_on_the_second_event(**kwargs):
        if kwargs["action"] == "handle":
            raise RuntimeError("the database went away")
        return original(**kwargs)

    monkeypatch.setattr(services, "_record", fail_on_the_second_event)
    on_spot = services.Photos(
        report=photos.report, before=[prepare_photo(upload("b.jpg", tiny_jpeg()))], after=[prepare_photo(upload("a.jpg", tiny_jpeg()))]
    )

    with pytest.raises(RuntimeError):
        services.incident_report(
            reporter=users["worker_a"], category=categories["rubbish"], description="井盖缺失", handled_on_spot=True, photos=on_spot, **IN_GRID_A
        )

    assert Incident.objects.count() == 0 and IncidentPhoto.objects.count() == 0
    assert stored_files(media) == []


def test_an_action_that_fails_half_way_through_its_photos_leaves_no_file(users, categories, media, monkeypatch):
    incident, _ = services.incident_report(reporter=users["worker_a"], category=categories["rubbish"], description="x", **IN_GRID_A)
    services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], assignee=users["worker_a"])
    after = services.Photos(report=[], before=[], after=[prepare_photo(upload(f"{n}.jpg", tiny_jpeg())) for n in "ab"])
    save = IncidentPhoto.save
    saved = []

    def fail_on_the_second(photo, *args, **kwargs):
        saved.append(photo.image.name)
        if len(saved) == 2:
            raise RuntimeError("the disk is full")
        return save(photo, *args, **kwargs)

    monkeypatch.setattr(IncidentPhoto, "save", fail_on_the_second)

    with pytest.raises(RuntimeError):
        services.incident_handle(incident_id=incident.pk, actor=users["worker_a"], photos=after)

    assert len(saved) == 2 and stored_files(media) == []
    incident.refresh_from_db()
    assert incident.status == "assigned"


def test_token_clients_open_the_photos_of_the_cases_they_may_see(api, users, categories, client):
    url = report_with(api, upload("p.jpg", tiny_jpeg())).json()["photos"][0]["url"]

    def with_token(name):
        token_client = APIClient()
        token_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=users[name])[0].key}")
        return fetch(token_client, url)[0]

    assert with_token("worker_a").status_code == 200
    assert with_token("dispatcher").status_code == 200
    assert with_token("worker_b").status_code == 404
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get(url).status_code == 401
    assert client.get(url).status_code == 302  # a browser that is not logged in is sent to log in


def test_a_thumbnail_is_made_after_the_upload_once(api, users, categories, client, run_sent_tasks, sent_tasks):
    report_with(api, upload("p.jpg", jpeg_from_a_phone()))
    photo = IncidentPhoto.objects.get()
    assert not photo.thumbnail and sent_tasks == []  # nothing is sent before the commit

    commit_callbacks()
    assert ("incidents.tasks.make_thumbnail", [photo.pk]) in sent_tasks
    run_sent_tasks()

    photo.refresh_from_db()
    assert photo.thumbnail.name.endswith(".jpg") and Image.open(photo.thumbnail.path).size == (20, 40)
    first = photo.thumbnail.name
    assert services.photo_make_thumbnail(photo_id=photo.pk) is False
    photo.refresh_from_db()
    assert photo.thumbnail.name == first
    client.force_login(users["worker_a"])
    described = client.get(f"/api/v1/incidents/{photo.incident_id}/").json()["photos"][0]
    served, _body = fetch(client, described["thumbnail_url"])
    assert described["thumbnail_url"].endswith("/thumbnail/") and served["Content-Type"] == "image/jpeg"


def test_the_sweep_makes_the_thumbnails_whose_task_was_lost(users, categories, settings):
    photos = services.Photos(report=[prepare_photo(upload("p.jpg", tiny_jpeg()))], before=[], after=[])
    incident, _ = services.incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="x", photos=photos, **IN_GRID_A
    )
    IncidentPhoto.objects.update(created_at=local(2026, 1, 1, 9, 0))

    assert services.photos_sweep_thumbnails() == 1
    assert services.photos_sweep_thumbnails() == 0
    assert IncidentPhoto.objects.get(incident=incident).thumbnail


def test_a_file_stored_before_photos_were_checked_is_served_only_as_a_download(api, users, categories, client, media):
    incident, _ = services.incident_report(reporter=users["worker_a"], category=categories["rubbish"], description="x", **IN_GRID_A)
    legacy = IncidentPhoto(incident=incident, stage="report")
    legacy.image.save("old.pdf", SimpleUploadedFile("old.pdf", b"%PDF-1.7\n"))
    client.force_login(users["worker_a"])

    served, _body = fetch(client, f"/incidents/photos/{legacy.pk}/")

    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")


DAMAGED = Path(__file__).parent / "damaged"


@pytest.mark.parametrize("name", sorted(path.name for path in DAMAGED.iterdir()))
def test_a_damaged_photo_is_a_400_not_a_server_error(name, api, categories, media):
    response = report_with(api, upload(name, (DAMAGED / name).read_bytes()))
    assert response.status_code == 400 and "photos" in response.json(), response.content
    assert Incident.objects.count() == 0 and stored_files(media) == []


@pytest.mark.parametrize("taken", ["0001:01:01 00:00:00", "1970:01:01 00:00:00", "2999:12:31 23:59:59"])
def test_a_camera_clock_never_set_gives_no_time_taken(taken, api, categories):
    assert report_with(api, upload("p.jpg", jpeg_from_a_phone(taken=taken))).status_code == 201
    assert IncidentPhoto.objects.get().taken_at is None


def test_photos_that_are_not_a_list_are_a_400(api, categories):
    for photos in (5, True, 3.2, "x", {"a": 1}):
        response = api("worker_a").post("/api/v1/incidents/", {**GOOD, "photos": photos}, format="json")
        assert response.status_code == 400 and "photos" in response.json(), photos


def test_a_browser_behind_a_proxy_with_basic_auth_still_sees_its_photos(api, users, categories, client):
    url = report_with(api, upload("p.jpg", tiny_jpeg())).json()["photos"][0]["url"]
    client.force_login(users["worker_a"])
    assert client.get(url, HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==").status_code == 200
