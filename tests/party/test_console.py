"""The console's party pages: who may see them, the check-in form, the compliance figures, and a
meeting's follow-up opening one case, linked both ways."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import PersonalDataView
from incidents.models import Incident
from incidents.services import incident_report
from party import services
from party.models import Meeting, MeetingFollowUp, MemberCheckIn, MemberKind, PartyEvent, PartyMember

from ..conftest import messages_of

PAGES = ["/console/party/", "/console/party/members/", "/console/party/checkins/", "/console/party/compliance/?year=2026", "/console/party/meetings/"]


@pytest.mark.parametrize("path", PAGES)
def test_the_command_centre_and_officials_see_the_pages(browse, party, path):
    assert browse("dispatcher").get(path).status_code == 200
    assert browse("official").get(path).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_department_members_get_404(browse, party, path):
    assert browse("department").get(path).status_code == 404


def test_a_worker_is_sent_to_the_phone_page(browse, party):
    response = browse("worker_a").get("/console/party/")
    assert response.status_code == 302 and response["Location"] == "/m/party/"


def test_the_overview_shows_the_branch_and_the_figures(browse, party):
    page = browse("official").get("/console/party/").content.decode()
    assert "新东一网格党支部" in page and "王芳" in page


def test_the_members_list_masks_phones_for_an_official_and_records_the_command_centres_sight(browse, users, party):
    assert "139****3333" in browse("official").get("/console/party/members/").content.decode()
    assert "13922223333" in browse("dispatcher").get("/console/party/members/?kind=in_service").content.decode()
    assert PersonalDataView.objects.filter(viewer=users["dispatcher"]).count() == 2


def many_members(grid, employer, count):
    PartyMember.objects.bulk_create([
        PartyMember(name=f"党员{n}", phone="13800000000", kind=MemberKind.IN_SERVICE, employer=employer, grid=grid, joined_on=date(2000, 1, 1))
        for n in range(count)
    ])


@pytest.mark.parametrize("path", ["/console/party/members/", "/console/party/compliance/", "/console/party/"])
def test_lists_cost_the_same_queries_for_few_and_many_rows(browse, party, grid_a, employer, django_assert_max_num_queries, path):
    client = browse("dispatcher")
    client.get(path)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(path)
    many_members(grid_a, employer, 40)
    with django_assert_max_num_queries(len(few)):
        client.get(path)


def test_recording_a_check_in_from_the_console(browse, users, party, grid_a):
    form = {"uuid": str(uuid.uuid4()), "member": party["in_a"].pk, "grid": grid_a.pk, "date": timezone.localdate().isoformat(), "hours": "2", "activity": "走访"}
    response = browse("dispatcher").post("/console/party/checkins/", form, follow=True)
    assert "Check-in of 李强 recorded." in messages_of(response)
    browse("dispatcher").post("/console/party/checkins/", form)
    assert MemberCheckIn.objects.count() == 1


def test_a_refused_check_in_shows_the_fields_message(browse, party, grid_a):
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    form = {"uuid": str(uuid.uuid4()), "member": party["in_a"].pk, "grid": grid_a.pk, "date": future, "hours": "30", "activity": "走访"}
    response = browse("dispatcher").post("/console/party/checkins/", form)
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == ["A check-in cannot be in the future."]
    assert response.context["form"].errors["hours"] == ["More than 0 and at most 24 hours."]
    assert not MemberCheckIn.objects.exists()


def test_confirming_from_the_console(browse, users, party):
    checkin, _ = services.checkin_record(
        actor=users["worker_a"], member=party["in_a"], grid=party["in_a"].grid, day=None, activity="走访", hours=1, uuid=uuid.uuid4(),
    )
    browse("dispatcher").post(f"/console/party/checkins/{checkin.pk}/confirm/")
    assert MemberCheckIn.objects.get().status == "confirmed"
    assert browse("official").post(f"/console/party/checkins/{checkin.pk}/refuse/", {"reason": "x"}).status_code == 302
    assert MemberCheckIn.objects.get().status == "confirmed"


@pytest.fixture
def meeting(users, party, grid_a, community):
    meeting = services.meeting_record(
        actor=users["dispatcher"], body="deliberation", community=community, grid=grid_a, day=timezone.localdate() - timedelta(days=3),
        title="小区停车议事会", topics="停车难", decisions="清理僵尸车", attendees=[party["secretary"]],
    )
    follow_up = services.follow_up_add(
        actor=users["dispatcher"], meeting=meeting, what="清理东门建筑垃圾", due_on=timezone.localdate() + timedelta(days=7),
        owner=users["worker_a"], grid=grid_a,
    )
    return meeting, follow_up


def test_a_follow_up_opens_one_case_linked_both_ways(browse, users, categories, meeting):
    shown, follow_up = meeting
    form = {f"f{follow_up.pk}-category": categories["rubbish"].pk, f"f{follow_up.pk}-place": "centre", f"f{follow_up.pk}-description": ""}
    url = f"/console/party/meetings/{shown.pk}/follow-ups/{follow_up.pk}/case/"
    response = browse("dispatcher").post(url, form, follow=True)
    incident = Incident.objects.get()
    assert messages_of(response) == [f"Case {incident.code} opened for the follow-up."]
    browse("dispatcher").post(url, form)
    assert Incident.objects.count() == 1 and MeetingFollowUp.objects.get().incident == incident
    assert incident.source == "other" and incident.grid == follow_up.grid
    page = browse("dispatcher").get(f"/console/party/meetings/{shown.pk}/").content.decode()
    assert incident.code in page and incident.get_status_display() in page
    case_page = browse("dispatcher").get(f"/console/cases/{incident.pk}/").content.decode()
    assert f"/console/party/meetings/{shown.pk}/" in case_page


def test_the_case_page_costs_at_most_one_query_more(browse, users, categories, meeting, django_assert_max_num_queries):
    shown, follow_up = meeting
    incident, _ = services.follow_up_open_case(
        actor=users["dispatcher"], follow_up_id=follow_up.pk, category=categories["rubbish"], latitude=34.085, longitude=119.345,
    )
    other, _ = incident_report(
        reporter=users["dispatcher"], category=categories["rubbish"], description="x", latitude=34.085, longitude=119.345, source="other",
    )
    client = browse("dispatcher")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(f"/console/cases/{other.pk}/")
    with CaptureQueriesContext(connection) as plain:
        client.get(f"/console/cases/{other.pk}/")
    with django_assert_max_num_queries(len(plain) + 1):
        client.get(f"/console/cases/{incident.pk}/")


def test_a_bad_category_for_the_case_is_a_form_message(browse, categories, meeting):
    shown, follow_up = meeting
    url = f"/console/party/meetings/{shown.pk}/follow-ups/{follow_up.pk}/case/"
    response = browse("dispatcher").post(url, {f"f{follow_up.pk}-category": categories["environment"].pk, f"f{follow_up.pk}-place": "centre"})
    assert response.status_code == 400 and not Incident.objects.exists()


def test_an_official_cannot_open_a_case(browse, categories, meeting):
    shown, follow_up = meeting
    url = f"/console/party/meetings/{shown.pk}/follow-ups/{follow_up.pk}/case/"
    browse("official").post(url, {f"f{follow_up.pk}-category": categories["rubbish"].pk, f"f{follow_up.pk}-place": "centre"})
    assert not Incident.objects.exists()


# Recording a meeting and its follow-ups ----------------------------------------------------------


@pytest.fixture
def other_grid(town):
    from grids.models import Community, Grid

    from ..conftest import square

    elsewhere = Community.objects.create(town=town, code="320724100002", name="新西社区")
    return Grid.objects.create(community=elsewhere, code="320724100002001", name="新西一网格", boundary=square(119.30, 34.08, 0.01))


def meeting_form(community, grid, party, **changes):
    form = {
        "date": (timezone.localdate() - timedelta(days=1)).isoformat(), "body": "affairs", "community": community.pk, "grid": grid.pk,
        "title": "公共收益使用理事会", "attendees": [party["secretary"].pk, party["in_a"].pk], "other_attendees": "居民代表3人",
        "topics": "公共收益分配", "decisions": "用于修缮车棚",
    }
    form.update(changes)
    return form


def test_the_command_centre_records_a_meeting(browse, users, party, community, grid_a):
    response = browse("dispatcher").post("/console/party/meetings/new/", meeting_form(community, grid_a, party), follow=True)
    shown = Meeting.objects.get()
    assert response.redirect_chain[-1][0] == f"/console/party/meetings/{shown.pk}/"
    assert messages_of(response) == ["Meeting 公共收益使用理事会 recorded."]
    assert (shown.body, shown.grid, shown.other_attendees) == ("affairs", grid_a, "居民代表3人")
    assert set(shown.attendees.all()) == {party["secretary"], party["in_a"]}
    assert PartyEvent.objects.get(meeting=shown).action == "meeting_recorded"
    assert "公共收益分配" in response.content.decode()


@pytest.mark.parametrize("changes, errors", [
    ({"date": "2099-01-01"}, {"date": [f"The date cannot be in the future: a meeting is recorded once it has been held ({timezone.localdate()} at the latest)."]}),
    ({"title": " ", "topics": ""}, {"title": ["Give the meeting a title."], "topics": ["List the topics discussed."]}),
    ({"body": "council"}, {"body": ["Select a valid choice. council is not one of the available choices."]}),
])
def test_a_bad_meeting_is_a_form_message_and_nothing_is_stored(browse, party, community, grid_a, changes, errors):
    response = browse("dispatcher").post("/console/party/meetings/new/", meeting_form(community, grid_a, party, **changes))
    assert response.status_code == 400 and response.context["form"].errors == errors
    assert not Meeting.objects.exists() and not PartyEvent.objects.exists()


def test_a_grid_of_another_community_is_refused(browse, party, community, other_grid):
    response = browse("dispatcher").post("/console/party/meetings/new/", meeting_form(community, other_grid, party))
    assert response.context["form"].errors == {"grid": ["This grid is not in the meeting's community."]}
    assert not Meeting.objects.exists()


def test_only_the_command_centre_records_meetings_and_follow_ups(browse, party, community, grid_a, meeting, categories):
    """Officials and inspectors read the meetings: acting on them is a 403, as on the console's
    other create pages, with the page that says so."""
    shown, follow_up = meeting
    response = browse("official").get("/console/party/meetings/new/")
    assert response.status_code == 403 and "Not for your role" in response.content.decode()
    assert browse("inspector").get("/console/party/meetings/new/").status_code == 403
    assert browse("official").post("/console/party/meetings/new/", meeting_form(community, grid_a, party)).status_code == 403
    form = {"what": "x", "owner_name": "王芳", "due_on": timezone.localdate().isoformat()}
    assert browse("official").post(f"/console/party/meetings/{shown.pk}/follow-ups/", form).status_code == 403
    done = {f"d{follow_up.pk}-done_on": timezone.localdate().isoformat()}
    assert browse("inspector").post(f"/console/party/meetings/{shown.pk}/follow-ups/{follow_up.pk}/done/", done).status_code == 403
    case = {f"f{follow_up.pk}-category": categories["rubbish"].pk, f"f{follow_up.pk}-place": "centre"}
    assert browse("official").post(f"/console/party/meetings/{shown.pk}/follow-ups/{follow_up.pk}/case/", case).status_code == 403
    # A meeting one may not see stays a 404, for the department too.
    assert browse("official").post(f"/console/party/meetings/{shown.pk + 99}/follow-ups/", form).status_code == 404
    assert browse("department").get("/console/party/meetings/new/").status_code == 404
    page = browse("official").get(f"/console/party/meetings/{shown.pk}/").content.decode()
    assert "Add a follow-up" not in page and "Mark done" not in page
    assert Meeting.objects.count() == 1 and MeetingFollowUp.objects.count() == 1 and MeetingFollowUp.objects.get().done_on is None


def test_a_follow_up_is_added_with_a_named_owner_and_marked_done(browse, users, meeting):
    shown, _first = meeting
    client = browse("dispatcher")
    form = {"what": "公示会议决议", "owner": "", "owner_name": "王芳", "due_on": (timezone.localdate() + timedelta(days=5)).isoformat(), "grid": ""}
    response = client.post(f"/console/party/meetings/{shown.pk}/follow-ups/", form, follow=True)
    assert messages_of(response) == ["Follow-up added."]
    added = MeetingFollowUp.objects.get(what="公示会议决议")
    assert (added.owner, added.owner_name, added.grid) == (None, "王芳", None)
    today = timezone.localdate().isoformat()
    response = client.post(f"/console/party/meetings/{shown.pk}/follow-ups/{added.pk}/done/", {f"d{added.pk}-done_on": today}, follow=True)
    assert messages_of(response) == ["Follow-up marked done."]
    assert MeetingFollowUp.objects.get(pk=added.pk).done_on == timezone.localdate()
    assert list(PartyEvent.objects.filter(follow_up=added).values_list("action", flat=True)) == ["follow_up_added", "follow_up_done"]


@pytest.mark.parametrize("changes, errors", [
    ({"owner_name": ""}, {"owner": ["Name who will do it."]}),
    ({"what": ""}, {"what": ["Say what is to be done."]}),
    ({"due_on": "2020-01-01"}, {"due_on": ["Due on or after the meeting's day."]}),
    ({"due_on": "soon"}, {"due_on": ["Enter a valid date."]}),
])
def test_a_bad_follow_up_is_a_form_message(browse, meeting, changes, errors):
    shown, _first = meeting
    form = {"what": "公示会议决议", "owner_name": "王芳", "due_on": timezone.localdate().isoformat(), **changes}
    response = browse("dispatcher").post(f"/console/party/meetings/{shown.pk}/follow-ups/", form)
    assert response.status_code == 400 and response.context["follow_up_form"].errors == errors
    assert MeetingFollowUp.objects.count() == 1


def test_a_follow_up_done_in_the_future_is_a_form_message(browse, meeting):
    shown, follow_up = meeting
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = browse("dispatcher").post(f"/console/party/meetings/{shown.pk}/follow-ups/{follow_up.pk}/done/", {f"d{follow_up.pk}-done_on": future})
    assert response.status_code == 400
    (row,) = [row for row in response.context["rows"] if row["follow_up"] == follow_up]
    assert row["done_form"].errors == {"done_on": ["Between the meeting's day and today."]}
    assert MeetingFollowUp.objects.get().done_on is None


# What the review found -------------------------------------------------------------------------


def test_the_overview_shows_each_captain_s_buildings_and_links_the_posts_to_the_member(browse, party):
    from party.models import ServicePost

    ServicePost.objects.create(kind="building_captain", member=party["secretary"], compound=party["compound"], buildings="3、4栋", since=date(2024, 1, 1))
    ServicePost.objects.create(kind="checkin_point", member=party["in_a"], compound=party["compound"], since=date(2024, 1, 1))
    html = browse("official").get("/console/party/").content.decode()
    assert f'href="/console/party/members/{party["secretary"].pk}/">王芳 <span class="buildings">3、4栋</span></a>' in html
    assert f'href="/console/party/members/{party["in_a"].pk}/">李强</a>' in html
    assert "新东小区" in html and "building captain" in html and "party check-in post" in html


def test_only_those_who_may_decide_see_the_buttons_and_the_form(browse, users, party, grid_a):
    services.checkin_record(
        actor=users["dispatcher"], member=party["in_a"], grid=grid_a, day=timezone.localdate(), activity="走访", hours=1, uuid=uuid.uuid4(),
    )
    waiting = MemberCheckIn.objects.get()
    assert waiting.status == "recorded"
    confirm = f"/console/party/checkins/{waiting.pk}/confirm/"
    page = browse("dispatcher").get("/console/party/checkins/").content.decode()
    assert confirm in page and "Record a check-in" in page
    for reader in ("official", "inspector"):
        page = browse(reader).get("/console/party/checkins/").content.decode()
        assert confirm not in page and "Refuse" not in page and "Record a check-in" not in page and "走访" in page
    form = {"uuid": str(uuid.uuid4()), "member": party["in_a"].pk, "grid": grid_a.pk, "date": timezone.localdate().isoformat(), "hours": "2", "activity": "x"}
    assert browse("official").post("/console/party/checkins/", form).status_code == 403
    assert MemberCheckIn.objects.count() == 1


def test_a_bad_meeting_shows_every_message_at_once(browse, party, community, grid_a):
    future = (timezone.localdate() + timedelta(days=90)).isoformat()
    form = {**meeting_form(community, grid_a, party), "community": "", "date": future, "title": "", "topics": "", "body": ""}
    response = browse("dispatcher").post("/console/party/meetings/new/", form)
    errors = response.context["form"].errors
    assert response.status_code == 400 and set(errors) == {"community", "date", "title", "topics", "body"}
    assert errors["community"] == ["Choose the community the meeting was held in."]
    assert errors["date"][0].startswith("The date cannot be in the future")
    assert "The meeting was not recorded: see the messages below." in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_future_meeting_is_refused_by_the_service_too(users, community):
    from incidents.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        services.meeting_record(
            actor=users["dispatcher"], body="affairs", community=community, day=timezone.localdate() + timedelta(days=1), title="t", topics="t",
        )
    assert set(refused.value.fields) == {"date"}
    assert not Meeting.objects.exists()


def test_the_meeting_form_narrows_grids_by_community_and_groups_members_by_branch(browse, party, community, grid_a, other_grid):
    response = browse("dispatcher").get("/console/party/meetings/new/")
    html = response.content.decode()
    assert f'data-community="{community.pk}" value="{grid_a.pk}"' in html or f'value="{grid_a.pk}" data-community="{community.pk}"' in html
    assert f'data-community="{other_grid.community_id}"' in html and "console/party.js" in html
    assert f'max="{timezone.localdate().isoformat()}"' in html and "data-attendee-search" in html
    groups = {name: [member for member, _ticked in rows] for name, _community, rows in response.context["form"].attendee_groups()}
    assert groups == {"新东一网格党支部": [party["in_a"], party["secretary"]], f"{party['in_b'].grid.name}, no branch": [party["in_b"]]}
    ticked = browse("dispatcher").post("/console/party/meetings/new/", meeting_form(community, grid_a, party, title="")).context["form"]
    assert {member.name for _name, _community, rows in ticked.attendee_groups() for member, on in rows if on} == {"王芳", "李强"}


def test_follow_ups_are_given_to_people_not_to_administrators(browse, users, meeting):
    shown, _follow_up = meeting
    form = browse("dispatcher").get(f"/console/party/meetings/{shown.pk}/").context["follow_up_form"]
    owners = set(form.fields["owner"].queryset.values_list("username", flat=True))
    assert {"dispatcher", "worker_a", "worker_b", "department", "other_department"} <= owners
    assert not owners & {"admin", "inspector", "official"}
    posted = {"what": "公示", "owner": users["admin"].pk, "due_on": timezone.localdate().isoformat()}
    response = browse("dispatcher").post(f"/console/party/meetings/{shown.pk}/follow-ups/", posted)
    assert response.status_code == 400 and "owner" in response.context["follow_up_form"].errors


def test_the_case_of_a_follow_up_takes_the_compound_and_names_the_meeting(browse, users, categories, party, meeting):
    shown, follow_up = meeting
    prefix = f"f{follow_up.pk}"
    form = {f"{prefix}-category": categories["rubbish"].pk, f"{prefix}-place": party["compound"].pk, f"{prefix}-description": "东门堆放建筑垃圾"}
    browse("dispatcher").post(f"/console/party/meetings/{shown.pk}/follow-ups/{follow_up.pk}/case/", form)
    incident = Incident.objects.get()
    assert incident.address == f"{shown.community.name} 新东小区"
    assert incident.description == f"[One committee, three councils · deliberation council {shown.date.isoformat()}] 东门堆放建筑垃圾"
    assert (incident.latitude, incident.longitude) == (party["compound"].latitude, party["compound"].longitude)


def test_a_case_at_the_grid_s_centre_is_addressed_to_the_grid_and_says_what_was_decided(users, categories, meeting):
    shown, follow_up = meeting
    incident, _created = services.follow_up_open_case(
        actor=users["dispatcher"], follow_up_id=follow_up.pk, category=categories["rubbish"], latitude=34.085, longitude=119.345,
    )
    assert incident.address == f"{follow_up.grid.community.name} {follow_up.grid.name}"
    assert incident.description.endswith("] 清理东门建筑垃圾") and shown.date.isoformat() in incident.description
