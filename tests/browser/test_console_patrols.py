"""The patrol page in a real browser, offline: the grids shaded by the day's coverage, each
patrol's track drawn, a row picking out its track. Screenshot: /tmp/shots/console-patrols.png."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from grids.models import Compound
from patrols import services
from tests.patrols.helpers import across_a, patrol_with, walk

from .conftest import CHROMIUM
from .conftest import desktop, logged_in_by_cookie
from .test_console import shot

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_tiles")]


def test_the_command_centre_sees_the_days_tracks_and_coverage(browser, live_server, transactional_db, users, grid_a, grid_b):
    now = timezone.localtime()
    nine = now.replace(hour=9, minute=0, second=0, microsecond=0)
    nine = nine if nine < now - timedelta(minutes=20) else nine - timedelta(days=1)
    compound = Compound.objects.create(grid=grid_a, name="光明小区", latitude=34.085, longitude=119.345)
    across = patrol_with(users["worker_a"], across_a(nine), at=nine)
    services.patrol_checkin(
        worker=users["worker_a"], uuid=across.uuid, checkin_uuid=uuid.uuid4(), compound_id=compound.pk,
        latitude=34.0851, longitude=119.3451, at=nine + timedelta(minutes=5), now=nine + timedelta(minutes=6),
    )
    # worker_b walks a loop in grid B and is still out.
    loop = walk(nine, (34.082, 119.352), (34.088, 119.352), steps=15) + walk(
        nine + timedelta(minutes=4), (34.088, 119.3525), (34.088, 119.358), steps=15
    )[1:]
    patrol_with(users["worker_b"], loop, at=nine, stop=False)

    blocked = []
    page = logged_in_by_cookie(desktop(browser, live_server, blocked), live_server, users["dispatcher"])
    page.goto(reverse("console:patrols") + f"?date={timezone.localdate(nine).isoformat()}")
    expect(page.locator("path.grid-area")).to_have_count(2)
    expect(page.locator("path.patrol-track")).to_have_count(2)
    rows = page.locator("[data-patrol-rows] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("光明小区")
    expect(rows.nth(0)).to_contain_text("921")

    # Picking a row thickens its track; picking it again puts it back.
    track = page.locator("path.patrol-track").nth(0)
    width = track.get_attribute("stroke-width")
    rows.nth(0).locator("button[data-track]").click()
    expect(rows.nth(0)).to_have_class(re.compile("picked"))
    expect(page.locator('path.patrol-track[stroke-width="7"]')).to_have_count(1)
    shot(page, "patrols")
    rows.nth(0).locator("button[data-track]").click()
    expect(rows.nth(0)).not_to_have_class(re.compile("picked"))
    expect(page.locator(f'path.patrol-track[stroke-width="{width}"]')).to_have_count(2)

    # The coverage table's earlier day opens that day.
    with page.expect_navigation():
        page.locator(".coverage-days thead a").first.click()
    expect(page.locator("[data-patrol-rows] tbody tr.empty")).to_have_count(1)

    assert page.errors == []
    assert {re.match(r"https?://([^/:]+)", url).group(1) for url in blocked} <= {"tiles.example.org"}
