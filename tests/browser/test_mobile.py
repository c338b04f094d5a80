"""The phone pages in Chromium as a grid worker holds them: a 360 px touch screen with a GPS,
and a connection that comes and goes. Screenshots go to /tmp/shots/mobile-*.png."""

import pytest
from django.conf import settings
from django.test import Client

from incidents.models import Incident, IncidentPhoto
from incidents.workflow import Status
from patrols.models import Patrol

from ..conftest import IN_GRID_A, square
from ..incidents.helpers import drive, report
from ..incidents.images import jpeg_from_a_phone

PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SHOTS = "/tmp/shots"


@pytest.fixture(autouse=True)
def _local_tiles(settings, tmp_path):
    """Tiles from the live server itself (they 404): the pages are tried as they are offline,
    and nothing leaves the machine even when the service worker sends a request on."""
    name, _url, options = settings.LEAFLET_CONFIG["TILES"][0]
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": [(name, "/no-tiles/{z}/{x}/{y}.png", options)]}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def phone(browser, live_server, transactional_db, users):
    """phone("worker_a") is a new phone context, logged in as that user, at grid A's middle."""
    contexts = []

    def open_as(name: str, *, position=IN_GRID_A):
        context = browser.new_context(
            **PHONE, locale="zh-CN", base_url=live_server.url,
            geolocation={"latitude": position["latitude"], "longitude": position["longitude"], "accuracy": 8},
            permissions=["geolocation"],
        )
        client = Client()
        client.force_login(users[name])
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        contexts.append(context)
        return page

    yield open_as
    for context in contexts:
        context.close()


def photo_file(tmp_path, name="problem.jpg") -> str:
    path = tmp_path / name
    path.write_bytes(jpeg_from_a_phone())
    return str(path)


def shot(page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}/mobile-{name}.png", full_page=True)


def wait_for_service_worker(page) -> None:
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000)


def fill_report(page, tmp_path, description: str) -> None:
    if not page.locator("[data-minors] button").count():
        page.locator("[data-majors] button").first.click()
    page.locator("[data-minors] button").first.click()
    page.locator("[data-photo-input=photos]").first.set_input_files(photo_file(tmp_path))
    page.wait_for_selector("[data-photo-list=photos] figure")
    page.wait_for_function("document.querySelector('[data-lat]').value !== ''")
    page.fill("#id_description", description)


def test_a_worker_reports_with_a_photo(phone, categories, tmp_path):
    page = phone("worker_a")
    page.goto("/m/report/")
    fill_report(page, tmp_path, "路边垃圾堆积，约两立方")
    shot(page, "report-filled")
    page.click("[data-submit]")
    page.wait_for_selector("[data-result].sent", timeout=15000)
    incident = Incident.objects.get()
    assert incident.code in page.inner_text("[data-result]")
    assert incident.grid.code == "320724100001001" and incident.source == "patrol"
    stored = incident.photos.get()
    # Shrunk on the phone to at most 1,600 px, upright, and its EXIF position kept.
    assert max(stored.width, stored.height) <= 1600 and stored.height > stored.width
    assert stored.latitude is not None
    shot(page, "report-sent")
    assert page.errors == []


def test_reports_made_offline_arrive_once_when_the_signal_returns(phone, categories, tmp_path):
    page = phone("worker_a")
    page.goto("/m/report/")
    wait_for_service_worker(page)
    page.context.set_offline(True)
    for text in ("井盖缺失", "路灯不亮"):
        fill_report(page, tmp_path, text)
        page.click("[data-submit]")
        page.wait_for_selector("[data-result].kept")
    assert Incident.objects.count() == 0
    page.wait_for_function("document.querySelector('[data-outbox-chip]').textContent.indexOf('⇡2') === 0")
    shot(page, "report-kept-offline")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.querySelector('[data-outbox-chip]').hidden", timeout=20000)
    assert sorted(Incident.objects.values_list("description", flat=True)) == sorted(["井盖缺失", "路灯不亮"])
    # Sent again (as if its answer had been lost): still two cases.
    page.evaluate("""GGOutbox.all().then(es => Promise.all(es.map(e => { e.state = 'waiting'; return GGOutbox.retry(e); })))""")
    page.wait_for_timeout(1500)
    assert Incident.objects.count() == 2
    assert len(set(Incident.objects.values_list("client_uuid", flat=True))) == 2


def test_a_refused_report_is_shown_with_its_reason_and_not_sent_again(phone, categories, tmp_path, live_server):
    page = phone("worker_a", position={"latitude": 31.23, "longitude": 121.47})  # Shanghai: far from the town
    page.goto("/m/report/")
    fill_report(page, tmp_path, "远处的问题")
    page.click("[data-submit]")
    page.wait_for_selector("[data-result].refused", timeout=15000)
    assert "公里" in page.inner_text("[data-result]")
    shot(page, "report-refused")
    page.evaluate("GGOutbox.flush()")
    page.wait_for_timeout(500)
    entries = page.evaluate("GGOutbox.all()")
    assert [entry["state"] for entry in entries] == ["refused"] and entries[0]["tries"] == 1
    assert not Incident.objects.exists()


def test_a_worker_handles_an_assigned_task_with_an_after_photo(phone, users, categories, tmp_path):
    incident = drive(report(users, categories), users, ["assign"])
    page = phone("worker_a")
    page.goto("/m/tasks/")
    page.click(f"a[href='/m/tasks/{incident.pk}/']")
    page.click("details.action-handle summary")
    page.fill("#handle-note", "已清理完毕")
    page.locator("details.action-handle [data-photo-input=photos]").set_input_files(photo_file(tmp_path, "after.jpg"))
    page.wait_for_selector("details.action-handle [data-photo-list=photos] figure")
    shot(page, "task-handle")
    page.click("details.action-handle button[type=submit]")
    page.wait_for_url("**/m/tasks/")
    incident.refresh_from_db()
    assert incident.status == Status.HANDLED
    after = incident.photos.get(stage=IncidentPhoto.Stage.AFTER)
    assert max(after.width, after.height) <= 1600
    shot(page, "tasks-after-handling")


def test_a_short_patrol_shows_its_coverage(phone, users, grid_a):
    # A small grid, 100 m square, walked across along its middle.
    grid_a.boundary = square(119.3450, 34.0850, 0.001)
    grid_a.save()
    page = phone("worker_a", position={"latitude": 34.0855, "longitude": 119.3450})
    page.goto("/m/patrol/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-start]")
    for step in range(1, 11):
        page.context.set_geolocation({"latitude": 34.0855, "longitude": 119.3450 + step * 0.0001, "accuracy": 5})
        page.wait_for_timeout(250)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-stop]")
    page.wait_for_function("document.querySelector('[data-figures]').textContent.indexOf('%') !== -1", timeout=15000)
    patrol = Patrol.objects.get()
    assert patrol.ended_at is not None and patrol.coverage is not None and 0.4 < patrol.coverage <= 1
    assert f"{round(patrol.coverage * 100)}%" in page.inner_text("[data-figures]")
    shot(page, "patrol-done")


def test_the_app_opens_offline_after_a_visit(phone, users, categories):
    page = phone("worker_a")
    page.goto("/m/")
    wait_for_service_worker(page)
    page.goto("/m/tasks/")
    page.context.set_offline(True)
    for path in ("/m/", "/m/tasks/", "/m/report/"):
        page.goto(path)
        assert page.locator("nav.tabs").is_visible(), path
    assert page.locator("[data-net]").is_visible()
    shot(page, "offline-home")
    page.goto("/m/report/")
    assert page.locator("[data-report-form]").is_visible()


def test_an_action_taken_with_no_signal_is_sent_when_it_returns(phone, users, categories):
    incident = drive(report(users, categories), users, ["assign"])
    page = phone("worker_a")
    page.goto(f"/m/tasks/{incident.pk}/")
    wait_for_service_worker(page)
    page.click("details.action-handle summary")
    page.fill("#handle-note", "已清理，垃圾已运走")
    page.context.set_offline(True)
    page.click("details.action-handle button[type=submit]")
    page.wait_for_selector("details.action-handle [data-said].kept")
    shot(page, "task-kept-offline")
    incident.refresh_from_db()
    assert incident.status == Status.ASSIGNED
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.querySelector('[data-outbox-chip]').hidden", timeout=20000)
    incident.refresh_from_db()
    assert incident.status == Status.HANDLED
    assert incident.events.filter(action="handle").get().note == "已清理，垃圾已运走"
