"""The API docs page, offline, in a real browser: a report with a photo can be sent from it."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Role, User
from incidents.models import IncidentPhoto
from tests.conftest import IN_GRID_A
from tests.incidents.images import tiny_jpeg

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture
def worker_page(page, live_server, users, categories):
    client = Client()
    client.force_login(users["worker_a"])
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}]
    )
    return page


def test_a_report_with_a_photo_is_sent_from_the_docs_page(worker_page, tmp_path, screenshot):
    page = worker_page
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(tiny_jpeg())
    page.goto("/api/v1/docs/")
    operation = page.locator("#operations-incidents-incidents_create")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("select.content-type").first.select_option("multipart/form-data")

    files = operation.locator("input[type=file]")
    assert files.count() >= 3  # photos, before_photos, after_photos
    form = {"category": "0101", "description": "路边垃圾堆积", "latitude": str(IN_GRID_A["latitude"]), "longitude": str(IN_GRID_A["longitude"])}
    for name, value in form.items():
        operation.locator(f'tr[data-property-name="{name}"] input[type=text]').fill(value)
    operation.locator('tr[data-property-name="photos"] input[type=file]').set_input_files(str(photo))
    for unused in ("before_photos", "after_photos"):  # the empty file inputs the page starts with
        operation.locator(f'tr[data-property-name="{unused}"] .json-schema-form-item-remove').click()
    operation.get_by_role("button", name="Execute").click()
    operation.locator(".live-responses-table tbody .response-col_status").first.wait_for()
    screenshot(page, "api-docs-report")

    assert "201" in operation.locator(".live-responses-table tbody .response-col_status").first.inner_text()
    assert IncidentPhoto.objects.count() == 1 and page.blocked == [] and page.errors == []
