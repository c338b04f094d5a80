"""Emergency duty in Chromium: the roster page on the desktop (the map's checkpoints, every shift in
the table, offline tiles), and a shift's check-in on a 360 px phone with its position granted."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from emergency import services
from emergency.models import DutyPerson, Shift

from ..conftest import IN_GRID_A, IN_GRID_B
from .conftest import desktop, log_in

PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SHOTS = "/tmp/shots"


@pytest.fixture
def campaign(transactional_db, users):
    today = timezone.localdate()
    campaign = services.campaign_create(actor=users["dispatcher"], name="汛情值守", kind="flood", started=today, others=[("志愿者老李", "13700002222")])
    for name, position in (("东口卡点", IN_GRID_A), ("西口卡点", IN_GRID_B)):
        services.checkpoint_add(actor=users["dispatcher"], campaign_id=campaign.pk, name=name, people_per_shift=1, last_day=today + timedelta(days=1), **position)
    services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=today, last_day=today + timedelta(days=1), now=timezone.now() - timedelta(days=1))
    return campaign


def test_the_roster_page_and_the_campaign_map(browser, live_server, offline_tiles, campaign):
    blocked = []
    page = desktop(browser, live_server, blocked)
    log_in(page, "dispatcher")
    page.goto(f"/console/duty/{campaign.pk}/")
    page.wait_for_selector(".checkpoint-marker")
    assert page.locator(".checkpoint-marker").count() == 2
    # A click on the map fills the new checkpoint's position.
    box = page.locator("[data-duty-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3)
    assert page.input_value("[data-checkpoint-form] [name=latitude]") != ""
    page.screenshot(path=f"{SHOTS}/duty-campaign.png", full_page=True)

    page.goto(f"/console/duty/{campaign.pk}/roster/?start={timezone.localdate().isoformat()}&days=2")
    shown = page.locator("[data-roster] [data-shift]")
    assert shown.count() == Shift.objects.filter(checkpoint__campaign=campaign).count() > 0
    page.screenshot(path=f"{SHOTS}/duty-roster.png", full_page=True)

    # The printed roster of a checkpoint: every shift, and nothing of the console around it on paper.
    checkpoint = campaign.checkpoints.order_by("pk").first()
    page.goto(f"/console/duty/{campaign.pk}/print/checkpoints/{checkpoint.pk}/")
    assert page.locator("[data-print-day] [data-shift]").count() == checkpoint.shifts.count() > 0
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible() and not page.locator("[data-print]").is_visible()
    assert page.locator("[data-print-day]").first.is_visible()
    assert page.errors == []
    assert all("tiles.example.org" in url for url in blocked)


def test_a_worker_checks_in_on_the_phone_with_its_position(browser, live_server, campaign, users):
    person = DutyPerson.objects.get(campaign=campaign, user=users["worker_a"])
    shift = Shift.objects.filter(person=person).order_by("starts_at").first()
    Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() + timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=8))
    context = browser.new_context(
        **PHONE, locale="zh-CN", base_url=live_server.url,
        geolocation={"latitude": IN_GRID_A["latitude"], "longitude": IN_GRID_A["longitude"], "accuracy": 8}, permissions=["geolocation"],
    )
    client = Client()
    client.force_login(users["worker_a"])
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/m/duty/")
    card = page.locator(f'[data-shift="{shift.pk}"]')
    with page.expect_navigation():
        card.locator("button.primary").click()
    page.wait_for_selector(".messages")
    page.screenshot(path=f"{SHOTS}/duty-phone-checked-in.png", full_page=True)
    shift.refresh_from_db()
    assert shift.checked_in_at is not None
    assert abs(shift.checkin_latitude - IN_GRID_A["latitude"]) < 1e-6 and shift.checkin_accuracy_m == 8
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []
    context.close()


def test_a_phone_that_refuses_its_position_says_so_and_records_none(browser, live_server, campaign, users):
    person = DutyPerson.objects.get(campaign=campaign, user=users["worker_a"])
    shift = Shift.objects.filter(person=person).order_by("starts_at").first()
    Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() + timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=8))
    context = browser.new_context(**PHONE, locale="zh-CN", base_url=live_server.url)  # no geolocation permission
    client = Client()
    client.force_login(users["worker_a"])
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    page.goto("/m/duty/")
    page.locator(f'[data-shift="{shift.pk}"] button.primary').click()
    page.wait_for_selector("[data-duty-gps]:not([hidden])")
    page.wait_for_selector(".messages", timeout=20000)
    shift.refresh_from_db()
    assert shift.checked_in_at is not None and shift.checkin_position_missing
    context.close()


def _phone(browser, live_server, users, **extra):
    context = browser.new_context(**PHONE, locale="zh-CN", base_url=live_server.url, **extra)
    client = Client()
    client.force_login(users["worker_a"])
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


GRANTED = {"geolocation": {"latitude": IN_GRID_A["latitude"], "longitude": IN_GRID_A["longitude"], "accuracy": 8}, "permissions": ["geolocation"]}


def _shift_now(campaign, users, *, checked_in: bool) -> Shift:
    person = DutyPerson.objects.get(campaign=campaign, user=users["worker_a"])
    shift = Shift.objects.filter(person=person).order_by("starts_at").first()
    start = timezone.now() - timedelta(hours=1) if checked_in else timezone.now() + timedelta(minutes=5)
    Shift.objects.filter(pk=shift.pk).update(starts_at=start, ends_at=start + timedelta(hours=8), checked_in_at=start if checked_in else None)
    return Shift.objects.get(pk=shift.pk)


def test_an_early_check_out_asks_first_saying_how_early(browser, live_server, campaign, users):
    shift = _shift_now(campaign, users, checked_in=True)
    page = _phone(browser, live_server, users, **GRANTED)
    page.goto("/m/duty/")
    card = page.locator(f'[data-shift="{shift.pk}"]')
    # Where the check-in button was, the duty under way; the check-out is below it.
    on_duty, check_out = card.locator(".duty-on").bounding_box(), card.locator("[data-checkout]").bounding_box()
    assert check_out["y"] >= on_duty["y"] + on_duty["height"]
    card.locator("[data-checkout]").click()
    panel = card.locator("[data-confirm]")
    expect(panel).to_be_visible()
    # How early, in the page's language: "7 h" or "7 小时".
    expect(panel.locator("[data-confirm-text]")).to_contain_text(re.compile(r"\d+ (h|小时)"))
    page.screenshot(path=f"{SHOTS}/duty-phone-early-confirm.png", full_page=True)
    assert Shift.objects.get(pk=shift.pk).checked_out_at is None
    panel.locator("[data-confirm-no]").click()
    expect(panel).to_be_hidden()
    card.locator("[data-checkout]").click()
    with page.expect_navigation():
        panel.locator("[data-confirm-yes]").click()
    page.wait_for_selector(".messages")
    shift.refresh_from_db()
    assert shift.checked_out_at is not None and shift.minutes_left_early > 400
    page.screenshot(path=f"{SHOTS}/duty-phone-left-early.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 and page.errors == []
    page.context.close()


def test_a_check_in_made_with_no_signal_is_recorded_at_the_phones_time(browser, live_server, campaign, users):
    shift = _shift_now(campaign, users, checked_in=False)
    page = _phone(browser, live_server, users, **GRANTED)
    page.goto("/m/duty/")
    page.context.set_offline(True)
    card = page.locator(f'[data-shift="{shift.pk}"]')
    tapped = timezone.now()
    card.locator("button.primary").click()
    expect(card.locator("[data-queued-result].kept")).to_be_visible()
    expect(card.locator("button.primary")).to_be_disabled()  # kept once: no second check-in
    page.screenshot(path=f"{SHOTS}/duty-phone-kept-offline.png", full_page=True)
    assert Shift.objects.get(pk=shift.pk).checked_in_at is None
    page.wait_for_timeout(3000)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(card.locator("[data-queued-result].sent")).to_be_visible()
    shift.refresh_from_db()
    assert shift.checked_in_at is not None and abs((shift.checked_in_at - tapped).total_seconds()) < 2.5
    assert abs(shift.checkin_latitude - IN_GRID_A["latitude"]) < 1e-6
    assert page.errors == []
    page.context.close()
