"""Volunteers in a campaign's pool (a whole team or one by one, never twice the same person), and
nobody in two places at once across campaigns running at the same time."""

from datetime import timedelta

import pytest

from emergency import services
from emergency.models import Campaign, DutyEvent, DutyPerson, Shift
from incidents.errors import Conflict
from volunteers.models import Team, Volunteer

from .helpers import put, slot_start


@pytest.fixture
def red_team(users):
    """A red volunteer team: two residents, worker_a (who volunteers too) and one no longer active."""
    team = Team.objects.create(name="新安社区红色义工队", kind=Team.Kind.RED)
    Volunteer.objects.create(name="王阿姨", team=team, phone="13900001111")
    Volunteer.objects.create(name="李师傅", team=team)
    Volunteer.objects.create(name="worker_a 义工", team=team, user=users["worker_a"])
    Volunteer.objects.create(name="张老师", team=team, active=False)
    return team


@pytest.fixture
def lawyer(users):
    return Volunteer.objects.create(name="赵律师", team=Team.objects.create(name="法律援助服务队", kind=Team.Kind.LEGAL_AID), phone="13900002222")


def test_a_campaign_takes_a_teams_active_volunteers_and_single_ones(users, today, red_team, lawyer):
    campaign = services.campaign_create(
        actor=users["dispatcher"], name="汛情", kind="flood", started=today, teams=[red_team], volunteers=[lawyer],
    )
    people = {person.name: person for person in campaign.people.all()}
    # worker_a is one person, with both links; the inactive volunteer is left out.
    assert sorted(people) == sorted(["worker_a", "worker_b", "王阿姨", "李师傅", "赵律师"])
    assert people["worker_a"].volunteer.name == "worker_a 义工" and people["worker_a"].user == users["worker_a"]
    assert people["赵律师"].volunteer == lawyer and people["赵律师"].user is None
    assert DutyEvent.objects.get(campaign=campaign, action="campaign_created").data["volunteers"] == 4


def test_a_volunteer_who_is_a_grid_worker_already_in_the_pool_stays_one_person(campaign, users, red_team):
    added = services.people_add(actor=users["dispatcher"], campaign_id=campaign.pk, teams=[red_team.pk])
    assert sorted(person.name for person in added) == ["李师傅", "王阿姨"]
    assert campaign.people.filter(user=users["worker_a"]).get().volunteer.team == red_team
    assert DutyEvent.objects.get(campaign=campaign, action="people_added").data["linked_volunteers"] == ["worker_a"]
    # Added again, whole team or one by one: nothing changes.
    count = campaign.people.count()
    assert services.people_add(actor=users["dispatcher"], campaign_id=campaign.pk, teams=[red_team], volunteers=list(red_team.volunteers.all())) == []
    assert campaign.people.count() == count and DutyEvent.objects.filter(action="people_added").count() == 1


def test_a_grid_worker_added_after_their_volunteer_record_stays_one_person(users, today, red_team):
    campaign = services.campaign_create(actor=users["dispatcher"], name="汛情", kind="flood", started=today, all_workers=False, teams=[red_team])
    services.people_add(actor=users["dispatcher"], campaign_id=campaign.pk, users=[users["worker_a"], users["worker_b"]])
    assert campaign.people.filter(user=users["worker_a"]).count() == 1
    assert campaign.people.count() == 4  # 王阿姨, 李师傅, worker_a (as volunteer), worker_b


def test_a_volunteers_phone_is_their_contact(browse, users, today, lawyer):
    campaign = services.campaign_create(actor=users["dispatcher"], name="汛情", kind="flood", started=today, volunteers=[lawyer])
    page = browse("dispatcher").get(f"/console/duty/{campaign.pk}/").content.decode()
    assert "13900002222" in page and "法律援助服务队" in page


@pytest.fixture
def two_campaigns(users, today):
    """An epidemic and a flood at the same time, both with every grid worker; a checkpoint each."""
    epidemic = services.campaign_create(actor=users["dispatcher"], name="疫情", kind="epidemic", started=today)
    flood = services.campaign_create(actor=users["dispatcher"], name="汛情", kind="flood", started=today)
    checkpoints = {}
    for campaign, position in ((epidemic, {"latitude": 34.085, "longitude": 119.345}), (flood, {"latitude": 34.085, "longitude": 119.355})):
        checkpoints[campaign.pk] = services.checkpoint_add(
            actor=users["dispatcher"], campaign_id=campaign.pk, name=f"{campaign.name}卡点", first_day=today + timedelta(days=1),
            last_day=today + timedelta(days=2), people_per_shift=1, **position,
        )
    return epidemic, flood, checkpoints


def _person(campaign, user):
    return DutyPerson.objects.get(campaign=campaign, user=user)


def test_a_shift_in_another_campaign_blocks_the_same_hours(two_campaigns, users, today):
    epidemic, flood, checkpoints = two_campaigns
    tomorrow = today + timedelta(days=1)
    put(checkpoints[epidemic.pk], _person(epidemic, users["worker_a"]), slot_start(tomorrow, 8))
    with pytest.raises(Conflict) as refused:
        services.shift_add(actor=users["dispatcher"], checkpoint_id=checkpoints[flood.pk].pk, person_id=_person(flood, users["worker_a"]).pk,
                           starts_at=slot_start(tomorrow, 8))
    assert "already on duty for 疫情" in refused.value.message
    # Right after it, short of the flood campaign's 8 hours' rest, is refused too.
    with pytest.raises(Conflict) as refused:
        services.shift_add(actor=users["dispatcher"], checkpoint_id=checkpoints[flood.pk].pk, person_id=_person(flood, users["worker_a"]).pk,
                           starts_at=slot_start(tomorrow, 16))
    assert "rest" in refused.value.message and "疫情" in refused.value.message
    assert not Shift.objects.filter(checkpoint=checkpoints[flood.pk]).exists()


def test_a_generated_roster_works_around_shifts_in_other_campaigns(two_campaigns, users, today):
    epidemic, flood, checkpoints = two_campaigns
    first, last = today + timedelta(days=1), today + timedelta(days=2)
    services.roster_generate(actor=users["dispatcher"], campaign_id=epidemic.pk, first_day=first, last_day=last)
    run = services.roster_generate(actor=users["dispatcher"], campaign_id=flood.pk, first_day=first, last_day=last)
    # Two workers, each slot needing one at both checkpoints, 8 hours' rest: whoever is at the
    # epidemic checkpoint cannot be at the flood one, nor on the next slot: half the flood slots
    # stay short, and say so, instead of anyone being in two places.
    shifts = list(Shift.objects.select_related("person"))
    for one in shifts:
        for other in shifts:
            if one.pk != other.pk and one.person.user_id == other.person.user_id:
                assert one.ends_at + timedelta(hours=8) <= other.starts_at or other.ends_at + timedelta(hours=8) <= one.starts_at
    flood_shifts = [shift for shift in shifts if shift.checkpoint_id == checkpoints[flood.pk].pk]
    assert len(flood_shifts) + sum(shortfall.missing for shortfall in run.shortfalls.all()) == 6
    assert run.shortfalls.exists()


def test_the_same_volunteer_in_two_campaigns_is_one_person_in_time(two_campaigns, users, today, lawyer):
    epidemic, flood, checkpoints = two_campaigns
    for campaign in (epidemic, flood):
        services.people_add(actor=users["dispatcher"], campaign_id=campaign.pk, volunteers=[lawyer])
    tomorrow = today + timedelta(days=1)
    put(checkpoints[epidemic.pk], DutyPerson.objects.get(campaign=epidemic, volunteer=lawyer), slot_start(tomorrow, 0))
    with pytest.raises(Conflict):
        services.shift_add(actor=users["dispatcher"], checkpoint_id=checkpoints[flood.pk].pk,
                           person_id=DutyPerson.objects.get(campaign=flood, volunteer=lawyer).pk, starts_at=slot_start(tomorrow, 0))


def test_a_swap_onto_someone_busy_in_another_campaign_is_not_approved(two_campaigns, users, today):
    epidemic, flood, checkpoints = two_campaigns
    tomorrow = today + timedelta(days=1)
    theirs = put(checkpoints[flood.pk], _person(flood, users["worker_a"]), slot_start(tomorrow, 8))
    swap = services.swap_ask(actor=users["worker_a"], shift_id=theirs.pk, to_person_id=_person(flood, users["worker_b"]).pk)
    # worker_b is put on duty elsewhere after the swap was asked: approval checks again.
    put(checkpoints[epidemic.pk], _person(epidemic, users["worker_b"]), slot_start(tomorrow, 8))
    with pytest.raises(Conflict) as refused:
        services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=True)
    assert "疫情" in refused.value.message
    assert Shift.objects.get(pk=theirs.pk).person.user == users["worker_a"]
    services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=False)
    # Asked now, it is refused at once, with the same reason.
    with pytest.raises(Conflict) as refused:
        services.swap_ask(actor=users["worker_a"], shift_id=theirs.pk, to_person_id=_person(flood, users["worker_b"]).pk)
    assert "疫情" in refused.value.message


def test_the_new_campaign_form_takes_a_team_and_single_volunteers(browse, users, today, red_team, lawyer):
    response = browse("dispatcher").post("/console/duty/new/", {
        "name": "疫情防控", "kind": "epidemic", "started": today.isoformat(), "shift_hours": "8", "rest_hours": "8",
        "teams": [red_team.pk], "volunteers": [lawyer.pk],
    })
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert sorted(campaign.people.values_list("name", flat=True)) == sorted(["worker_a", "王阿姨", "李师傅", "赵律师"])


def test_the_campaign_page_adds_a_team_and_refuses_an_unknown_volunteer(browse, campaign, red_team):
    client = browse("dispatcher")
    page = client.get(f"/console/duty/{campaign.pk}/").content.decode()
    assert "新安社区红色义工队" in page and "All active volunteers of the teams" in page
    response = client.post(f"/console/duty/{campaign.pk}/people/", {"volunteers": ["999999"]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not campaign.people.filter(volunteer__isnull=False).exists()
    response = client.post(f"/console/duty/{campaign.pk}/people/", {"teams": [red_team.pk]})
    assert response.status_code == 302
    assert campaign.people.filter(volunteer__isnull=False).count() == 3
