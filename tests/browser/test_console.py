"""The command centre's day in a real browser, offline: a worker's report appears without a
reload, and goes round the loop from the console — assign from the map, fail and pass the
inspection, close — with a bulk assign that reports the one case it could not take.

Screenshots of each console page at 1920 px are saved in /tmp/shots (console-*.png)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Incident
from tests.conftest import IN_GRID_A, IN_GRID_B

from .conftest import CHROMIUM, SHOTS, desktop, log_in, logged_in_by_cookie

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_tiles")]

WAIT_MS = 8000  # the pages poll every 5 s


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"console-{name}.png"), full_page=True)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def worker_reports(users, categories, position, description="路边垃圾堆积") -> Incident:
    response = api_as(users["worker_a"]).post(
        "/api/v1/incidents/", {"category": categories["rubbish"].code, "description": description, **position}, format="json"
    )
    assert response.status_code == 201, response.content
    return Incident.objects.get(pk=response.json()["id"])


def act_in_page(page, action_label: str, fill=None):
    """Open an action's form by its label, fill it, send it, and wait for the page after it."""
    form = page.locator("details.action", has=page.locator("summary", has_text=re.compile(f"^{re.escape(action_label)}$")))
    form.locator("summary").click()
    if fill:
        fill(form)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_report_goes_round_the_loop_from_the_console(browser, live_server, transactional_db, users, categories, run_sent_tasks):
    blocked = []
    page = desktop(browser, live_server, blocked)

    # The dispatcher logs in on the app's own page and lands in the console.
    log_in(page, "dispatcher")
    assert page.url.endswith("/console/?queue=new")
    expect(page.locator('[data-count="new"]')).to_have_text("0")
    shot(page, "list-empty")

    # A grid worker's report appears in the queue, the counts and the tab's title without a reload.
    first = worker_reports(users, categories, IN_GRID_A)
    row = page.locator(f'tr[data-id="{first.pk}"]')
    expect(row).to_be_visible(timeout=WAIT_MS)
    expect(page.locator('[data-count="new"]')).to_have_text("1")
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    expect(page.locator("[data-arrived]")).to_be_visible()
    shot(page, "list-live")

    # ... and on the map, where the dispatcher opens it.
    page.goto(reverse("console:map"))
    expect(page.locator(".case-marker")).to_have_count(1, timeout=WAIT_MS)
    second = worker_reports(users, categories, IN_GRID_B, description="井盖缺失")
    expect(page.locator(".case-marker")).to_have_count(2, timeout=WAIT_MS)
    expect(page.locator("path.grid-area")).to_have_count(2)
    shot(page, "map")
    with page.expect_navigation():
        page.locator(f'.case-marker[title="{second.code}"]').click()
    assert page.url.endswith(reverse("console:case", args=[second.pk]))

    # It is assigned to a grid worker found by the search in the assign form.
    def pick_worker(form):
        form.locator("input[data-handler-search]").fill("worker_b")
        expect(form.locator("select[name=handler]")).to_have_value(f"u{users['worker_b'].pk}")

    act_in_page(page, "指派", pick_worker)
    expect(page.locator(".messages")).to_contain_text("已完成")
    second.refresh_from_db()
    assert (second.status, second.assignee) == ("assigned", users["worker_b"])
    shot(page, "case-assigned")

    # The handler handles it (on the phone); an inspector fails it from the console.
    services.incident_handle(incident_id=second.pk, actor=users["worker_b"], note="已更换井盖")
    inspector = logged_in_by_cookie(desktop(browser, live_server, blocked), live_server, users["inspector"])
    inspector.goto(reverse("console:case", args=[second.pk]))
    act_in_page(inspector, "督查不通过：返工", lambda form: form.locator("textarea[name=note]").fill("井盖尺寸不符"))
    second.refresh_from_db()
    assert (second.status, second.rework_count) == ("assigned", 1)

    # Handled again, it passes, and the dispatcher closes it.
    services.incident_handle(incident_id=second.pk, actor=users["worker_b"], note="已按标准重新安装")
    inspector.goto(reverse("console:case", args=[second.pk]))
    act_in_page(inspector, "督查通过")
    page.goto(reverse("console:case", args=[second.pk]))
    act_in_page(page, "销号")
    second.refresh_from_db()
    assert second.status == "closed"

    # The timeline shows every step, in order.
    steps = page.locator("ol.timeline > li b").all_inner_texts()
    assert steps == ["上报", "指派", "处理", "督查不通过：返工", "处理", "督查通过", "销号"]
    shot(page, "case-closed")

    # A bulk assign of three cases, one of them rejected meanwhile by a colleague.
    third = worker_reports(users, categories, IN_GRID_A, description="占道经营")
    fourth = worker_reports(users, categories, IN_GRID_A, description="乱堆物料")
    page.goto(reverse("console:cases") + "?queue=new")
    for incident in (first, third, fourth):
        page.locator(f'tr[data-id="{incident.pk}"] input[name=case]').check()
    expect(page.locator("[data-picked] b")).to_have_text("3")
    services.incident_reject(incident_id=third.pk, actor=users["dispatcher"], reason="不属于受理范围")
    page.select_option("#bulk select[name=action]", "assign")
    page.select_option("#bulk select[name=handler]", f"u{users['worker_a'].pk}")
    with page.expect_navigation():
        page.click("#bulk button[type=submit]")
    said = page.locator(".messages li")
    expect(said).to_have_count(2)
    expect(said.nth(0)).to_contain_text(first.code)
    expect(said.nth(0)).to_contain_text(fourth.code)
    expect(said.nth(1)).to_contain_text("未执行")
    expect(said.nth(1)).to_contain_text(third.code)
    expect(said.nth(1)).to_contain_text("已作废")  # what it is now, not only that it changed
    assert set(Incident.objects.filter(assignee=users["worker_a"]).values_list("pk", flat=True)) == {first.pk, fourth.pk}
    shot(page, "list-bulk")

    # The other pages, for the record.
    page.goto(reverse("console:hotline"))
    shot(page, "hotline")
    run_sent_tasks()  # the worker's part: the notifications of all of the above
    page.goto(reverse("console:cases"))
    page.locator("details.notices summary").click()
    expect(page.locator("[data-notices] li").first).to_be_visible()
    shot(page, "notifications")

    assert page.errors == [] and inspector.errors == []
    assert {re.match(r"https?://([^/:]+)", url).group(1) for url in blocked} <= {"tiles.example.org"}
