"""The officials' dashboard in a real browser, offline: an official logs in, widens the period
and sees the figures and the charts change, picks a grid on the map, drills down into the
overdue cases and downloads them as an Excel file.

Screenshots at 1920×1080 are saved in /tmp/shots (dashboard-*.png)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from govgrid.towntime import day_start
from incidents.models import Incident
from tests.conftest import IN_GRID_A, IN_GRID_B

from .conftest import CHROMIUM, SHOTS, TILES, desktop, log_in

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_tiles")]



def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dashboard-{name}.png"), full_page=True)


def made(code: str, category, grid, position: dict, status: str, *, reported_at, deadline, closed_at=None) -> Incident:
    return Incident.objects.create(
        code=code, category=category, description="手工构造的案件", grid=grid, status=status, reported_at=reported_at,
        deadline=deadline, warn_at=deadline - timedelta(hours=1), closed_at=closed_at, **position,
    )


@pytest.fixture
def cases(categories, grid_a, grid_b):
    """Today: in grid A one case overdue and one closed, in grid B the same. Forty-five days ago
    (before this month, inside the last ninety days): one closed in grid A."""
    now = timezone.now()
    today = day_start(timezone.localdate(now)) + timedelta(minutes=1)
    rubbish = categories["rubbish"]
    long_ago = now - timedelta(days=45)
    return {
        "a_overdue": made("A-OVERDUE", rubbish, grid_a, IN_GRID_A, "assigned", reported_at=today, deadline=now - timedelta(minutes=1)),
        "a_closed": made("A-CLOSED", rubbish, grid_a, IN_GRID_A, "closed", reported_at=today, deadline=now + timedelta(days=1), closed_at=now),
        "b_overdue": made("B-OVERDUE", rubbish, grid_b, IN_GRID_B, "handled", reported_at=today, deadline=now - timedelta(minutes=1)),
        "b_closed": made("B-CLOSED", rubbish, grid_b, IN_GRID_B, "closed", reported_at=today, deadline=now + timedelta(days=1), closed_at=now),
        "a_old": made("A-OLD", rubbish, grid_a, IN_GRID_A, "closed", reported_at=long_ago, deadline=long_ago + timedelta(days=2),
                      closed_at=long_ago + timedelta(days=1)),
    }


def figure(page, key: str):
    return page.locator(f'[data-figure="{key}"] [data-value]')


def test_an_official_widens_the_period_picks_a_grid_and_downloads_the_overdue_cases(browser, live_server, transactional_db, users, cases, grid_a):
    blocked = []
    page = desktop(browser, live_server, blocked)

    # The official logs in and lands on the overview: this month's figures, charts and map.
    log_in(page, "official")
    assert urlsplit(page.url).path == reverse("dashboard:index")
    expect(page.locator(".dashboard-head h1")).to_contain_text("新安镇")
    expect(figure(page, "reported")).to_have_text("4")
    expect(figure(page, "overdue_open")).to_have_text("2")
    expect(figure(page, "completion_rate")).to_have_text("50.0%")
    trend = page.locator('[data-chart="trend"]')
    expect(trend).to_have_attribute("data-reported", "4")
    expect(page.locator("path[data-grid]")).to_have_count(2)
    expect(page.locator("[data-legend] li")).to_have_count(5)  # the five grades; no grid unknown
    month_points = int(trend.get_attribute("data-points"))
    shot(page, "overview")

    # A click on a community's bar filters the page by it.
    bars = page.locator('[data-chart="community"]')
    bars.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """(element) => echarts.getInstanceByDom(element).convertToPixel({ seriesIndex: 0 }, [1, 0])""", bars.element_handle()
    )
    box = bars.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert parse_qs(urlsplit(page.url).query)["community"] == [grid_a.community.code]
    expect(page.locator("select[name=community]")).to_have_value(grid_a.community.code)

    # The formula is one click away.
    card = page.locator('[data-figure="completion_rate"]')
    card.locator("summary").click()
    expect(card.locator(".parts")).to_be_visible()
    expect(card.locator(".parts")).to_contain_text("2")

    # The last ninety days: the old case is counted, and the trend has other buckets.
    today = timezone.localdate(timezone.now())
    page.select_option("select[name=period]", "custom")
    page.fill("input[name=start]", (today - timedelta(days=89)).isoformat())
    page.fill("input[name=end]", today.isoformat())
    with page.expect_navigation():
        page.click(".dashboard-filters button[type=submit]")
    expect(figure(page, "reported")).to_have_text("5")
    expect(figure(page, "completion_rate")).to_have_text("60.0%")
    expect(trend).to_have_attribute("data-reported", "5")
    expect(trend).to_have_attribute("data-grain", "week")
    assert int(trend.get_attribute("data-points")) != month_points
    page.click('[data-grain="month"]')
    expect(trend).to_have_attribute("data-grain", "month")
    assert parse_qs(urlsplit(page.url).query)["grain"] == ["month"]
    shot(page, "ninety-days")

    # A click on grid A filters the page by it.
    page.click('[data-shade="overdue_open"]')
    with page.expect_navigation():
        page.locator(f'path[data-grid="{grid_a.code}"]').click()
    query = parse_qs(urlsplit(page.url).query)
    assert query["grid"] == [grid_a.code]
    assert query["start"] == [(today - timedelta(days=89)).isoformat()]
    expect(page.locator("select[name=grid]")).to_have_value(grid_a.code)
    expect(figure(page, "reported")).to_have_text("3")
    expect(figure(page, "overdue_open")).to_have_text("1")
    expect(page.locator("path[data-grid]")).to_have_count(1)
    expect(page.locator(".dashboard-head .described")).to_contain_text(grid_a.name)
    shot(page, "grid")

    # The drill-down lists the overdue case behind the figure.
    with page.expect_navigation():
        page.locator('[data-figure="overdue_open"] a.drill').click()
    assert urlsplit(page.url).path == reverse("dashboard:cases")
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("A-OVERDUE")
    expect(page.locator("h1 small")).to_have_attribute("data-count", "1")
    shot(page, "cases")

    # ... and the list downloads as an Excel file.
    with page.expect_download() as download:
        page.click("[data-export=xlsx]")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(file).active
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert "新安镇" in values[0][0]
    assert [row[0] for row in values[2:]] == ["A-OVERDUE"]

    assert page.errors == []
    assert all(url.startswith(TILES.split("{")[0]) for url in blocked)  # only the tile probe


def test_the_wall_screen_shows_the_figures_large_and_dark_and_refreshes_them(browser, live_server, transactional_db, users, cases):
    blocked = []
    page = desktop(browser, live_server, blocked)
    log_in(page, "official")
    page.clock.install()
    page.goto(reverse("dashboard:wall"))
    expect(page.locator('[data-figure="completion_rate"] p')).to_have_text("50.0%")  # 2 closed of 4 due today
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert sum(int(part) for part in background[background.index("(") + 1:-1].split(",")[:3]) < 150, background
    # A case closed meanwhile shows at the next refresh, without reloading the page.
    Incident.objects.filter(code="A-OVERDUE").update(status="closed", closed_at=timezone.now())
    with page.expect_response(lambda response: "/dashboard/wall/data/" in response.url):
        page.clock.fast_forward("01:01")
    expect(page.locator('[data-figure="completion_rate"] p')).to_have_text("75.0%")
    shot(page, "wall")
    assert page.errors == []
    assert all(url.startswith(TILES.split("{")[0]) for url in blocked)  # the overview's tile probe, at login
