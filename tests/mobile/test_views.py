"""The phone pages: who may open them, what they show, and every bad input refused with a
message and nothing stored."""

import os
import uuid

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from incidents.models import Incident, IncidentPhoto
from incidents.workflow import Status

from ..conftest import IN_GRID_A, IN_GRID_B, OUTSIDE, messages_of
from ..incidents.helpers import case_in, drive, report
from ..incidents.images import jpeg_from_a_phone, tiny_jpeg

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(name="photo.jpg", content=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or tiny_jpeg(), content_type="image/jpeg")


def good_report(**extra) -> dict:
    return {"category": "0101", "description": "路边垃圾堆积", "client_uuid": str(uuid.uuid4()), **IN_GRID_A, **extra}


# --- who may open the pages ---------------------------------------------------------------


def test_it_sends_an_anonymous_visitor_to_the_phone_login(db):
    response = Client().get("/m/tasks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/m/login/?next=/m/tasks/")


@pytest.mark.parametrize("role", ["worker_a", "department", "inspector"])
def test_it_opens_every_page_for_the_field_roles(browse, categories, role):
    client = browse(role)
    for path in ("/m/", "/m/tasks/", "/m/tasks/?tab=reported", "/m/notifications/", "/m/outbox/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(("role", "status"), [("worker_a", 200), ("department", 403), ("inspector", 403)])
def test_only_those_who_may_report_get_the_report_page(browse, categories, role, status):
    assert browse(role).get("/m/report/").status_code == status
    assert ('href="/m/report/"' in browse(role).get("/m/").content.decode()) == (status == 200)


@pytest.mark.parametrize("role", ["dispatcher", "official"])
def test_it_refuses_the_desk_roles(browse, role):
    assert browse(role).get("/m/").status_code == 403


def test_the_patrol_page_is_for_grid_workers(browse, categories):
    assert browse("worker_a").get("/m/patrol/").status_code == 200
    assert browse("department").get("/m/patrol/").status_code == 403


def test_the_phone_login_keeps_the_session_for_weeks(users):
    client = Client()
    response = client.post("/m/login/", {"username": "worker_a", "password": "pw-worker_a"})
    assert response.status_code == 302 and response["Location"] == "/m/"
    assert client.session.get_expiry_age() == settings.MOBILE_SESSION_DAYS * 24 * 3600


def test_the_office_login_keeps_a_working_day_session(users):
    client = Client()
    client.post("/accounts/login/", {"username": "dispatcher", "password": "pw-dispatcher"})
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE < 24 * 3600


def test_a_wrong_password_on_the_phone_says_so(users):
    response = Client().post("/m/login/", {"username": "worker_a", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


# --- home and tasks -------------------------------------------------------------------------


def test_home_shows_my_open_tasks_and_unread_count(browse, users, categories):
    mine = case_in("assigned", users, categories)
    report(users, categories, reporter="worker_b", position=IN_GRID_B)
    response = browse("worker_a").get("/m/")
    assert [incident.pk for incident in response.context["tasks"]] == [mine.pk]
    assert response.context["task_count"] == 1
    assert response.context["grids"]["features"][0]["properties"]["code"] == "320724100001001"


def test_tasks_are_mine_soonest_deadline_first(browse, users, categories):
    later = drive(report(users, categories, category="street_light"), users, ["assign"])  # two working days
    sooner = drive(report(users, categories), users, ["assign"])  # two working hours
    report(users, categories)  # not assigned: not a task
    rows = list(browse("worker_a").get("/m/tasks/").context["incidents"])
    assert [incident.pk for incident in rows] == [sooner.pk, later.pk]


def test_an_inspector_gets_the_cases_to_inspect(browse, users, categories):
    handled = case_in("handled", users, categories)
    case_in("assigned", users, categories)
    rows = list(browse("inspector").get("/m/tasks/").context["incidents"])
    assert [incident.pk for incident in rows] == [handled.pk]


def test_a_department_member_gets_the_department_cases(browse, users, categories, department):
    theirs = case_in("assigned", users, categories, department=department)
    case_in("assigned", users, categories)
    assert [i.pk for i in browse("department").get("/m/tasks/").context["incidents"]] == [theirs.pk]
    assert list(browse("other_department").get("/m/tasks/").context["incidents"]) == []


def test_reported_by_me_lists_my_reports(browse, users, categories):
    mine = report(users, categories)
    report(users, categories, reporter="worker_b", position=IN_GRID_B)
    rows = browse("worker_a").get("/m/tasks/?tab=reported").context["incidents"]
    assert [incident.pk for incident in rows] == [mine.pk]


def test_the_task_list_costs_the_same_queries_for_many_rows(browse, users, categories, django_assert_max_num_queries):
    client = browse("worker_a")
    drive(report(users, categories), users, ["assign"])
    with django_assert_max_num_queries(12) as few:
        client.get("/m/tasks/")
    for _ in range(8):
        drive(report(users, categories), users, ["assign"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/m/tasks/")


# --- a task -----------------------------------------------------------------------------------


def test_someone_elses_task_is_not_found(browse, users, categories):
    theirs = report(users, categories, reporter="worker_b", position=IN_GRID_B)
    assert browse("worker_a").get(f"/m/tasks/{theirs.pk}/").status_code == 404
    assert browse("worker_a").post(f"/m/tasks/{theirs.pk}/handle/", {"note": "x"}).status_code == 404


def test_the_task_offers_what_the_table_allows(browse, users, categories):
    incident = case_in("assigned", users, categories)
    forms = browse("worker_a").get(f"/m/tasks/{incident.pk}/").context["forms"]
    assert [form["action"] for form in forms] == ["return", "request_extension", "handle"]


def test_the_handler_sees_the_contact_phone_and_others_a_masked_one(browse, users, categories):
    incident = report(users, categories, contact_phone="13855556666")
    drive(incident, users, ["assign"])
    assert browse("worker_a").get(f"/m/tasks/{incident.pk}/").context["contact_phone"] == "13855556666"
    assert browse("inspector").get(f"/m/tasks/{incident.pk}/").context["contact_phone"] == "138****6666"


def test_handling_with_an_after_photo(browse, users, categories):
    incident = case_in("assigned", users, categories)
    response = browse("worker_a").post(
        f"/m/tasks/{incident.pk}/handle/", {"note": "已清理", "photos": [photo()], "version": incident.version}
    )
    assert response.status_code == 302 and response["Location"] == "/m/tasks/"
    incident.refresh_from_db()
    assert incident.status == Status.HANDLED
    assert incident.photos.filter(stage=IncidentPhoto.Stage.AFTER).count() == 1


def test_an_inspector_fails_a_case_with_a_photo(browse, users, categories):
    incident = case_in("handled", users, categories)
    response = browse("inspector").post(f"/m/tasks/{incident.pk}/rework/", {"note": "未清理干净", "photos": [photo()]})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.ASSIGNED and incident.rework_count == 1
    assert incident.photos.filter(stage=IncidentPhoto.Stage.INSPECTION).count() == 1


def test_a_task_that_is_not_mine_says_so_and_changes_nothing(browse, users, categories, grid_a):
    incident = report(users, categories)  # in grid A: worker_a sees it, but nobody assigned it
    response = browse("worker_a").post(f"/m/tasks/{incident.pk}/handle/", {"note": "x"})
    assert response.status_code == 403
    assert messages_of(response)
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED


def test_a_photo_that_is_not_an_image_is_refused_on_the_task(browse, users, categories):
    incident = case_in("assigned", users, categories)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = browse("worker_a").post(f"/m/tasks/{incident.pk}/handle/", {"note": "x", "photos": [fake]})
    assert response.status_code == 400
    form = next(form for form in response.context["forms"] if form["action"] == "handle")
    assert any("Not a photo" in error for field in form["fields"] for error in field["errors"])
    incident.refresh_from_db()
    assert incident.status == Status.ASSIGNED


# --- reporting ----------------------------------------------------------------------------


def test_a_report_answers_with_its_code_grid_and_deadline(browse, users, categories):
    response = browse("worker_a").post("/m/report/", {**good_report(), "photos": [photo()]}, **JSON)
    assert response.status_code == 201
    answer = response.json()
    incident = Incident.objects.get()
    assert answer["code"] == incident.code and answer["grid"] == "新东一网格" and answer["deadline"]
    assert answer["url"] == f"/m/tasks/{incident.pk}/"
    assert incident.source == "patrol" and incident.photos.count() == 1


def test_a_report_sent_twice_is_one_case(browse, users, categories):
    body = good_report()
    client = browse("worker_a")
    first = client.post("/m/report/", body, **JSON)
    second = client.post("/m/report/", body, **JSON)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["code"] == second.json()["code"]
    assert Incident.objects.count() == 1


def test_a_report_fixed_on_the_spot_needs_before_and_after(browse, users, categories):
    client = browse("worker_a")
    refused = client.post("/m/report/", {**good_report(), "handled_on_spot": "true", "after_photos": [photo()]}, **JSON)
    assert refused.status_code == 400 and "Photos" in refused.json()["errors"]
    done = client.post(
        "/m/report/", {**good_report(), "handled_on_spot": "true", "before_photos": [photo()], "after_photos": [photo()]}, **JSON
    )
    assert done.status_code == 201
    assert Incident.objects.get().status == Status.HANDLED


def test_a_phone_photo_keeps_where_and_when_it_was_taken(browse, users, categories):
    browse("worker_a").post("/m/report/", {**good_report(), "photos": [photo(content=jpeg_from_a_phone())]}, **JSON)
    stored = IncidentPhoto.objects.get()
    assert stored.taken_at is not None and round(stored.latitude, 3) == 34.085
    with stored.image.open("rb") as image:
        assert b"Exif" not in image.read()[:200]


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"latitude": "", "longitude": ""}, "Position", "No position"),
    ({"latitude": 31.23, "longitude": 121.47}, "Position", "km from the town"),
    ({"category": "01"}, "Category", "minor category"),
    ({"description": "  "}, "Description", ""),
])
def test_a_bad_report_is_refused_with_its_reason(browse, users, categories, change, field, words):
    response = browse("worker_a").post("/m/report/", {**good_report(), **change}, **JSON)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in errors and words in " ".join(errors[field])
    assert not Incident.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(browse, users, categories):
    fake = SimpleUploadedFile("photo.jpg", b"not a photo at all", content_type="image/jpeg")
    response = browse("worker_a").post("/m/report/", {**good_report(), "photos": [fake]}, **JSON)
    assert response.status_code == 400
    assert "Not a photo" in " ".join(response.json()["errors"]["Photos"])
    assert not Incident.objects.exists()


def test_too_large_a_file_is_refused(browse, users, categories, settings):
    settings.PHOTO_MAX_BYTES = 1024
    big = photo(content=tiny_jpeg() + b"\0" * 2048)
    response = browse("worker_a").post("/m/report/", {**good_report(), "photos": [big]}, **JSON)
    assert response.status_code == 400
    assert "larger than" in " ".join(response.json()["errors"]["Photos"])
    assert not Incident.objects.exists()


def test_a_near_position_outside_every_grid_is_taken(browse, users, categories):
    response = browse("worker_a").post("/m/report/", good_report(**OUTSIDE), **JSON)
    assert response.status_code == 201 and response.json()["grid"] is None


def test_without_javascript_the_report_page_answers_with_a_page(browse, users, categories):
    client = browse("worker_a")
    refused = client.post("/m/report/", good_report(description=""))
    assert refused.status_code == 400 and messages_of(refused) and "Description" in refused.context["errors"]
    done = client.post("/m/report/", good_report())
    assert done.status_code == 200
    assert done.context["answer"]["code"] == Incident.objects.get().code


def test_the_report_page_puts_my_recent_categories_first(browse, users, categories):
    report(users, categories, category="street_light")
    tree = browse("worker_a").get("/m/report/").context["tree"]
    assert tree["recent"] == ["0102"]
    assert [major["code"] for major in tree["majors"]] == ["01", "05"]


# --- the app shell --------------------------------------------------------------------------


def test_the_manifest_makes_the_app_installable(db):
    manifest = Client().get("/m/manifest.webmanifest").json()
    assert manifest["start_url"] == "/m/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in manifest["name"])  # Chinese by default


def test_the_service_worker_lists_the_shell_and_changes_with_it(db):
    response = Client().get("/m/sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    text = response.content.decode()
    assert "/static/mobile/app.js" in text and '"/m/report/"' in text and "__VERSION__" not in text


def test_a_task_says_where_and_when_each_photo_was_taken(browse, users, categories):
    browse("worker_a").post("/m/report/", {**good_report(), "photos": [photo(content=jpeg_from_a_phone())]}, **JSON)
    incident = Incident.objects.get()
    page = browse("worker_a").get(f"/m/tasks/{incident.pk}/").content.decode()
    assert "taken " in page and "11-20 09:41" in page and "m from the case&#x27;s position" in page


def test_handling_with_neither_a_note_nor_a_photo_is_refused(browse, users, categories):
    incident = case_in("assigned", users, categories)
    response = browse("worker_a").post(f"/m/tasks/{incident.pk}/handle/", {"note": " "})
    assert response.status_code == 400
    form = next(form for form in response.context["forms"] if form["action"] == "handle")
    assert any("Say what was done" in error for field in form["fields"] for error in field["errors"])
    incident.refresh_from_db()
    assert incident.status == Status.ASSIGNED


def test_an_action_sent_by_the_outbox_is_answered_in_json(browse, users, categories):
    incident = case_in("assigned", users, categories)
    client = browse("worker_a")
    refused = client.post(f"/m/tasks/{incident.pk}/return/", {"reason": ""}, **JSON)
    assert refused.status_code == 400 and "Reason" in refused.json()["errors"]
    done = client.post(f"/m/tasks/{incident.pk}/return/", {"reason": "不属于本网格", "version": incident.version}, **JSON)
    assert done.status_code == 200 and done.json() == {"done": True, "code": incident.code, "url": "/m/tasks/"}
    stale = client.post(f"/m/tasks/{incident.pk}/handle/", {"note": "x", "version": incident.version}, **JSON)
    assert stale.status_code in (403, 409) and stale.json()["detail"]
    incident.refresh_from_db()
    assert incident.status == Status.ACCEPTED and incident.return_count == 1  # back to dispatch


def test_a_reason_form_asks_for_the_reason_alone(browse, users, categories):
    incident = case_in("assigned", users, categories)
    forms = browse("worker_a").get(f"/m/tasks/{incident.pk}/").context["forms"]
    back = next(form for form in forms if form["action"] == "return")
    assert [field["name"] for field in back["fields"]] == ["reason"]


def test_the_service_worker_changes_when_a_file_it_keeps_changes(db):
    before = Client().get("/m/sw.js").content
    css = finders.find("mobile/mobile.css")
    stamp = os.stat(css)
    os.utime(css, (stamp.st_atime, stamp.st_mtime + 60))
    try:
        assert Client().get("/m/sw.js").content != before
    finally:
        os.utime(css, (stamp.st_atime, stamp.st_mtime))


def test_the_report_page_costs_the_same_queries_for_many_categories(browse, users, categories, django_assert_max_num_queries):
    from incidents.models import Category

    client = browse("worker_a")
    report(users, categories)
    with django_assert_max_num_queries(12) as few:
        client.get("/m/report/")
    for n in range(20):
        Category.objects.create(code=f"01{n + 10}", name=f"小类{n}", parent=categories["environment"], time_limit=2, time_unit="working_hours")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/m/report/")


def test_home_and_the_patrol_page_show_todays_patrol(browse, users, categories):
    from patrols import services as patrols

    patrol, _created = patrols.patrol_start(worker=users["worker_a"], uuid=uuid.uuid4())
    client = browse("worker_a")
    assert client.get("/m/").context["patrol"]["running"] is True
    page = client.get("/m/patrol/").content.decode()
    assert f'"uuid": "{patrol.uuid}"' in page and '"started_at": "' in page


def test_home_links_a_grid_worker_to_duty_screening_party_and_activities_and_nobody_else(browse):
    pages = [reverse(name) for name in ("mobile:duty", "mobile:screening", "mobile:party", "mobile:activities")]
    worker_home = browse("worker_a").get(reverse("mobile:home")).content.decode()
    assert all(f'href="{page}"' in worker_home for page in pages)
    department_home = browse("department").get(reverse("mobile:home")).content.decode()
    assert not any(f'href="{page}"' in department_home for page in pages)
