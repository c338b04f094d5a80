"""Party building in Chromium: a grid worker records and confirms in-service members' check-ins
on a 360 px phone, and the command centre records a meeting, adds a follow-up and opens a case
from it. Screenshots: /tmp/shots/mobile-party*.png and /tmp/shots/console-party-*.png."""

import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident
from party import services
from party.models import Employer, Meeting, MeetingFollowUp, MemberCheckIn, MemberKind, PartyEvent, PartyMember

from .conftest import CHROMIUM, LOCAL_HOSTS, desktop, log_in, logged_in_by_cookie
from .test_console import shot as console_shot
from .test_mobile import PHONE, shot

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_tiles")]


@pytest.fixture
def members(users, grid_a, grid_b):
    employer = Employer.objects.create(name="县财政局", email="finance@example.org")
    in_service = dict(kind=MemberKind.IN_SERVICE, employer=employer, joined_on=date(2010, 3, 1))
    return {
        "li": PartyMember.objects.create(name="李强", phone="13922223333", grid=grid_a, **in_service),
        "zhao": PartyMember.objects.create(name="赵敏", phone="13944445555", grid=grid_a, **in_service),
        "zhang": PartyMember.objects.create(name="张伟", phone="13733334444", grid=grid_b, **in_service),
        "resident": PartyMember.objects.create(name="王芳", phone="13811112222", grid=grid_a, joined_on=date(1990, 7, 1)),
    }


@pytest.fixture
def phone(browser, live_server, transactional_db, users):
    """A 360 px phone in Chinese, logged in as grid A's worker, reaching only the live server."""
    context = browser.new_context(**PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOCAL_HOSTS else route.abort())
    yield logged_in_by_cookie(page, live_server, users["worker_a"])
    context.close()


def fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_grid_worker_records_and_confirms_check_ins_on_the_phone(phone, users, grid_a, members):
    waiting, _created = services.checkin_record(
        actor=users["dispatcher"], member=members["zhao"], grid=grid_a, day=timezone.localdate() - timedelta(days=1),
        activity="在小区党员报到点值班", hours=2, uuid=uuid.uuid4(),
    )
    page = phone
    page.goto(reverse("mobile:party"))
    card = page.locator(f"[data-checkin='{waiting.pk}']")
    expect(card).to_contain_text("赵敏")
    expect(page.locator("a.tel[href='tel:13922223333']")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("张伟")
    fits_the_screen(page)
    for target in (card.locator("button.primary"), page.locator("a.tel").first, page.locator("#id_member")):
        assert target.bounding_box()["height"] >= 44

    page.select_option("#id_member", str(members["li"].pk))
    page.select_option("#id_grid", str(grid_a.pk))
    page.fill("#id_hours", "1.5")
    page.fill("#id_activity", "协助网格员入户走访")
    with page.expect_navigation():
        page.locator("form.party-record button[type=submit]").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("李强")
    recorded = MemberCheckIn.objects.get(member=members["li"])
    # Recorded by the grid's own worker: confirmed at once, not put in their own list to confirm.
    assert (recorded.status, recorded.recorded_by, recorded.grid, str(recorded.hours)) == ("confirmed", users["worker_a"], grid_a, "1.5")
    expect(page.locator("[data-checkin]")).to_have_count(1)
    assert recorded.date == timezone.localdate()
    shot(page, "party")

    with page.expect_navigation():
        page.locator(f"[data-checkin='{waiting.pk}'] button.primary").click()
    expect(page.locator(f"[data-checkin='{waiting.pk}']")).to_have_count(0)
    confirmed = MemberCheckIn.objects.get(pk=waiting.pk)
    assert (confirmed.status, confirmed.decided_by) == ("confirmed", users["worker_a"])
    assert list(PartyEvent.objects.filter(checkin=confirmed).values_list("action", flat=True)) == ["checkin_recorded", "checkin_confirmed"]
    fits_the_screen(page)
    assert not page.errors


def test_the_command_centre_records_a_meeting_and_opens_a_case_from_a_follow_up(browser, live_server, transactional_db, users, community, grid_a, categories, members):
    blocked = []
    page = desktop(browser, live_server, blocked)
    log_in(page, "dispatcher")
    page.goto(reverse("console:party-meetings"))
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('console:party-meeting-new')}']").click()

    page.fill("#id_date", (timezone.localdate() - timedelta(days=2)).isoformat())
    page.select_option("#id_body", "deliberation")
    page.select_option("#id_community", str(community.pk))
    page.select_option("#id_grid", str(grid_a.pk))
    page.fill("#id_title", "小区停车难问题议事会")
    for member in (members["resident"], members["li"]):
        page.check(f"input[name=attendees][value='{member.pk}']")
    page.fill("#id_other_attendees", "居民代表5人、物业公司负责人")
    page.fill("#id_topics", "东门停车混乱，建筑垃圾堆放")
    page.fill("#id_decisions", "清理建筑垃圾，划定临时停车位")
    console_shot(page, "party-meeting-new")
    with page.expect_navigation():
        page.locator("form.party-meeting-form button[type=submit]").click()
    meeting = Meeting.objects.get()
    assert page.url.endswith(reverse("console:party-meeting", args=[meeting.pk]))
    assert set(meeting.attendees.all()) == {members["resident"], members["li"]} and meeting.grid == grid_a

    form = page.locator(".party-follow-up-form form")
    form.locator("#id_what").fill("清理小区东门违规堆放的建筑垃圾")
    form.locator("#id_owner").select_option(str(users["worker_a"].pk))
    form.locator("#id_due_on").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    form.locator("#id_grid").select_option(str(grid_a.pk))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    follow_up = MeetingFollowUp.objects.get()
    assert (follow_up.owner, follow_up.grid) == (users["worker_a"], grid_a)

    row = page.locator(f"#follow-up-{follow_up.pk}")
    row.locator("details.open-case summary").click()
    row.locator(f"#id_f{follow_up.pk}-category").select_option(str(categories["rubbish"].pk))
    with page.expect_navigation():
        row.locator("details.open-case button[type=submit]").click()
    incident = Incident.objects.get()
    assert MeetingFollowUp.objects.get().incident == incident and incident.grid == grid_a
    row = page.locator(f"#follow-up-{follow_up.pk}")
    expect(row.locator(f"a[href='{reverse('console:case', args=[incident.pk])}']")).to_have_text(incident.code)

    with page.expect_navigation():
        row.locator("form.mark-done button[type=submit]").click()
    assert MeetingFollowUp.objects.get().done_on == timezone.localdate()
    console_shot(page, "party-meeting")
    assert list(PartyEvent.objects.filter(follow_up=follow_up).values_list("action", flat=True)) == [
        "follow_up_added", "case_opened", "follow_up_done",
    ]
    page.goto(reverse("console:case", args=[incident.pk]))
    expect(page.locator(f"a[href='{reverse('console:party-meeting', args=[meeting.pk])}']")).to_be_visible()
    assert not page.errors
    page.context.close()


def test_a_refused_check_in_shows_its_reasons_at_the_form_and_keeps_what_was_typed(phone, grid_a, members):
    page = phone
    page.goto(reverse("mobile:party"))
    page.select_option("#id_member", str(members["li"].pk))
    page.select_option("#id_grid", str(grid_a.pk))
    page.fill("#id_hours", "1.25")
    page.fill("#id_activity", "协助网格员入户走访")
    page.locator("form.party-record button[type=submit]").click()
    error = page.locator("form.party-record label.invalid .field-error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("1.5")  # our own words (at most one decimal, such as 1.5), not Django's
    expect(page.locator("form.party-record [data-queued-result]")).to_be_in_viewport()
    assert page.input_value("#id_activity") == "协助网格员入户走访" and not MemberCheckIn.objects.exists()
    shot(page, "party-refused")
    assert not page.errors


def test_a_check_in_recorded_with_no_signal_is_kept_and_sent_when_it_returns(phone, grid_a, members):
    page = phone
    page.goto(reverse("mobile:party"))
    page.context.set_offline(True)
    page.select_option("#id_member", str(members["li"].pk))
    page.select_option("#id_grid", str(grid_a.pk))
    page.fill("#id_hours", "2")
    page.fill("#id_activity", "清理楼道杂物")
    page.locator("form.party-record button[type=submit]").click()
    expect(page.locator("form.party-record [data-queued-result].kept")).to_be_visible()
    # Kept once the phone has tried to send it: the form is cleared for the next one.
    expect(page.locator("#id_activity")).to_have_value("")
    assert not MemberCheckIn.objects.exists()
    shot(page, "party-kept-offline")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("form.party-record [data-queued-result].sent")).to_contain_text("李强")
    assert MemberCheckIn.objects.get().activity == "清理楼道杂物"
    assert not page.errors
