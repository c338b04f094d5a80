"""The command centre's duty pages after the console review: shortfalls counted in places and
shown in time order on the roster, pickers that offer only people free for the shift, printed
rosters that mark what is unfilled with the people's phones, the roster opening where the
campaign is, ending a campaign and changing or closing a checkpoint."""

from datetime import timedelta

import pytest
from django.utils import translation

from accounts.models import Notification, PersonalDataView, User
from emergency import services
from emergency.admin import DATA_LABELS
from emergency.models import Campaign, Checkpoint, DutyEvent, RosterRun, Shift, Shortfall
from incidents.errors import Conflict, InvalidInput

from tests.conftest import IN_GRID_A, messages_of

from .helpers import put, slot_start


def _shortfall(checkpoint, starts_at, missing=1, *, by):
    run = RosterRun.objects.create(
        campaign=checkpoint.campaign, first_day=starts_at.date(), last_day=starts_at.date(), by=by, at=starts_at - timedelta(days=1),
    )
    return Shortfall.objects.create(run=run, checkpoint=checkpoint, starts_at=starts_at, ends_at=starts_at + timedelta(hours=8), missing=missing)


def test_the_generated_roster_counts_unfilled_places_not_people(browse, campaign, checkpoint_a, checkpoint_b, volunteer, users, today):
    services.person_set_available(actor=users["dispatcher"], person_id=volunteer.pk, available=False)
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/generate/", {"first_day": tomorrow, "last_day": tomorrow}, follow=True)
    run = RosterRun.objects.get()
    slots, places = run.shortfalls.count(), sum(s.missing for s in run.shortfalls.all())
    assert slots and f"{slots} shifts are short, {places} places unfilled in all" in messages_of(response)[0]
    # It lands on the roster, which lists the shortfalls with the pickers to fill them.
    assert response.redirect_chain[-1][0].startswith(f"/console/duty/{campaign.pk}/roster/")
    page = response.content.decode()
    assert 'id="shortfalls"' in page and all(f'data-shortfall="{s.pk}"' in page for s in run.shortfalls.all())


def test_a_roster_cell_lists_shifts_and_shortfalls_in_time_order(browse, campaign, checkpoint_a, person, users, today):
    tomorrow = today + timedelta(days=1)
    late = put(checkpoint_a, person, slot_start(tomorrow, 16))
    early = _shortfall(checkpoint_a, slot_start(tomorrow, 0), by=users["dispatcher"])
    middle = _shortfall(checkpoint_a, slot_start(tomorrow, 8), by=users["dispatcher"])
    page = browse("dispatcher").get(f"/console/duty/{campaign.pk}/roster/?start={tomorrow.isoformat()}&days=1").content.decode()
    where = [page.index(f'data-shortfall="{early.pk}"'), page.index(f'data-shortfall="{middle.pk}"'), page.index(f'data-shift="{late.pk}"')]
    assert where == sorted(where)
    assert "1 place unfilled" in page


def test_empty_days_say_why(browse, campaign, checkpoint_a, users, today):
    services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=today, last_day=today, now=slot_start(today, 0) - timedelta(hours=1))
    response = browse("dispatcher").get(f"/console/duty/{campaign.pk}/roster/?start={today.isoformat()}&days=5")
    notes = [cell.note for cell in response.context["rows"][0].cells]
    assert notes[1:] == ["not rostered yet", "not rostered yet", "not staffed", "not staffed"]  # checkpoint A runs three days


def test_the_fill_picker_offers_only_the_people_free_then(browse, campaign, checkpoint_a, checkpoint_b, person, other_person, volunteer, users, today):
    tomorrow = today + timedelta(days=1)
    Checkpoint.objects.filter(pk=checkpoint_b.pk).update(people_per_shift=2)
    put(checkpoint_b, other_person, slot_start(tomorrow, 8))  # on that very slot already
    put(checkpoint_a, person, slot_start(tomorrow, 16))  # too close: 8 hours' rest
    shortfall = _shortfall(checkpoint_b, slot_start(tomorrow, 8), by=users["dispatcher"])
    for url in (f"/console/duty/{campaign.pk}/", f"/console/duty/{campaign.pk}/roster/"):
        shown = next(s for s in browse("dispatcher").get(url).context["shortfalls"] if s.pk == shortfall.pk)
        assert shown.free == [volunteer], url


def test_nobody_free_says_so_instead_of_a_picker(browse, campaign, checkpoint_a, checkpoint_b, person, other_person, volunteer, users, today):
    tomorrow = today + timedelta(days=1)
    for somebody in (person, other_person, volunteer):
        services.person_set_available(actor=users["dispatcher"], person_id=somebody.pk, available=False)
    _shortfall(checkpoint_a, slot_start(tomorrow, 8), by=users["dispatcher"])
    page = browse("dispatcher").get(f"/console/duty/{campaign.pk}/").content.decode()
    assert "Nobody is free then" in page and "Put on this shift" not in page


def test_the_hand_over_picker_leaves_out_the_holder_and_people_busy_then(browse, campaign, checkpoint_a, checkpoint_b, person, other_person, volunteer, today):
    tomorrow = today + timedelta(days=1)
    shift = put(checkpoint_a, person, slot_start(tomorrow, 8))
    put(checkpoint_b, other_person, slot_start(tomorrow, 8))
    response = browse("dispatcher").get(f"/console/duty/{campaign.pk}/roster/?start={tomorrow.isoformat()}&days=1")
    offered = next(s for s in response.context["upcoming"] if s.pk == shift.pk)
    assert offered.free_ids == str(volunteer.pk)
    assert f'data-free="{volunteer.pk}"' in response.content.decode()


def test_a_fill_from_the_roster_goes_back_to_the_roster(browse, campaign, checkpoint_a, volunteer, users, today):
    shortfall = _shortfall(checkpoint_a, slot_start(today + timedelta(days=1), 8), by=users["dispatcher"])
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/shortfalls/{shortfall.pk}/fill/", {"person": volunteer.pk, "back": "roster"})
    assert response["Location"] == f"/console/duty/{campaign.pk}/roster/#shortfalls"
    assert Shift.objects.filter(checkpoint=checkpoint_a, person=volunteer).exists()


def test_the_printed_checkpoint_roster_marks_unfilled_places_and_gives_phones(browse, campaign, checkpoint_a, person, volunteer, users, today):
    tomorrow = today + timedelta(days=1)
    Checkpoint.objects.filter(pk=checkpoint_a.pk).update(people_per_shift=2)
    services.person_set_available(actor=users["dispatcher"], person_id=person.pk, available=False)
    services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=tomorrow, last_day=tomorrow)
    shifts = list(Shift.objects.filter(checkpoint=checkpoint_a))
    url = f"/console/duty/{campaign.pk}/print/checkpoints/{checkpoint_a.pk}/"
    response = browse("dispatcher").get(url)
    page = response.content.decode()
    # Three slots of two tomorrow and two people, rested 8 hours: the 08:00 slot stays empty.
    [(day, slots)] = response.context["slots_by_day"]
    assert day == tomorrow and len(shifts) + sum(slot.missing for slot in slots) == 6
    assert page.count("data-unfilled") == 1 and "Unfilled: 2 places" in page
    assert all(f'data-shift="{shift.pk}"' in page for shift in shifts)
    assert "13700002222" in page and "Roster: 东口卡点" in page
    seen = PersonalDataView.objects.filter(viewer=users["dispatcher"], where=url, fields=["phone"])
    assert {view.record_id for view in seen} == {shift.person_id for shift in shifts} and seen.count() == 2
    assert "Not rostered yet:" in page  # today and the day after tomorrow
    masked = browse("official").get(url).content.decode()
    assert "13700002222" not in masked and "137****2222" in masked
    assert PersonalDataView.objects.filter(viewer=users["official"]).count() == 0


def test_a_finished_campaign_opens_at_its_first_day_a_running_one_at_today(browse, users, today):
    finished = services.campaign_create(actor=users["dispatcher"], name="旧汛期", kind="flood", started=today - timedelta(days=40), all_workers=False)
    services.campaign_end(actor=users["dispatcher"], campaign_id=finished.pk, ended=today - timedelta(days=30))
    running = services.campaign_create(actor=users["dispatcher"], name="疫情", kind="epidemic", started=today - timedelta(days=3), all_workers=False)
    client = browse("official")
    assert client.get(f"/console/duty/{finished.pk}/roster/").context["days"][0] == today - timedelta(days=40)
    assert client.get(f"/console/duty/{running.pk}/roster/").context["days"][0] == today


def test_ending_a_campaign_removes_its_shifts_to_come_and_says_how_many(browse, campaign, checkpoint_a, person, other_person, users, today):
    started = put(checkpoint_a, person, slot_start(today, 0) - timedelta(hours=1), hours=2)
    started.checked_in_at = started.starts_at
    started.save()
    put(checkpoint_a, person, slot_start(today + timedelta(days=1), 8))
    put(checkpoint_a, other_person, slot_start(today + timedelta(days=2), 8))
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/end/", {"ended": today.isoformat()}, follow=True)
    assert "2 shifts still to come were removed" in messages_of(response)[0]
    campaign.refresh_from_db()
    assert not campaign.active and campaign.ended == today
    assert list(Shift.objects.filter(checkpoint__campaign=campaign)) == [started]
    event = DutyEvent.objects.get(campaign=campaign, action=DutyEvent.Action.CAMPAIGN_ENDED)
    assert event.data == {"ended": today.isoformat(), "shifts_removed": 2} and event.actor == users["dispatcher"]
    assert Notification.objects.filter(recipient=users["worker_b"]).exists()


def test_a_campaign_cannot_end_on_a_day_to_come_nor_twice(campaign, users, today):
    with pytest.raises(InvalidInput) as error:
        services.campaign_end(actor=users["dispatcher"], campaign_id=campaign.pk, ended=today + timedelta(days=1))
    assert "ended" in error.value.fields and Campaign.objects.get().active
    services.campaign_end(actor=users["dispatcher"], campaign_id=campaign.pk)
    with pytest.raises(Conflict):
        services.campaign_end(actor=users["dispatcher"], campaign_id=campaign.pk)


def test_a_reader_cannot_end_a_campaign(browse, campaign, today):
    assert browse("official").post(f"/console/duty/{campaign.pk}/end/", {"ended": today.isoformat()}).status_code == 404
    assert Campaign.objects.get().active


def test_a_checkpoint_is_moved_and_renamed_with_an_event(browse, campaign, checkpoint_a, today):
    url = f"/console/duty/{campaign.pk}/checkpoints/{checkpoint_a.pk}/"
    client = browse("dispatcher")
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "name": "东口二号卡点", "latitude": "34.085", "longitude": "119.355", "round_the_clock": "", "daily_from": "08:00", "daily_to": "20:00",
        "first_day": today.isoformat(), "last_day": (today + timedelta(days=5)).isoformat(), "people_per_shift": "3",
    })
    assert response.status_code == 302
    checkpoint_a.refresh_from_db()
    assert (checkpoint_a.name, checkpoint_a.grid.name, checkpoint_a.people_per_shift, checkpoint_a.round_the_clock) == ("东口二号卡点", "新东二网格", 3, False)
    changed = DutyEvent.objects.get(action=DutyEvent.Action.CHECKPOINT_UPDATED).data["changed"]
    assert changed["name"] == ["东口卡点", "东口二号卡点"] and changed["people_per_shift"] == [1, 3] and "grid" in changed


def test_a_bad_checkpoint_change_is_refused_and_nothing_changes(browse, campaign, checkpoint_a, today):
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/checkpoints/{checkpoint_a.pk}/", {
        "name": "东口卡点", "latitude": "31.23", "longitude": "121.47", "round_the_clock": "on", "people_per_shift": "2",
        "first_day": today.isoformat(), "last_day": (today - timedelta(days=1)).isoformat(),
    })
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "km from the town" in errors["latitude"][0] and "on or after the first" in errors["last_day"][0]
    checkpoint_a.refresh_from_db()
    assert checkpoint_a.latitude == IN_GRID_A["latitude"] and not DutyEvent.objects.filter(action=DutyEvent.Action.CHECKPOINT_UPDATED).exists()


def test_a_closed_checkpoint_loses_its_shifts_to_come_and_is_staffed_no_more(browse, campaign, checkpoint_a, person, volunteer, users, today):
    put(checkpoint_a, person, slot_start(today + timedelta(days=1), 8))
    response = browse("dispatcher").post(f"/console/duty/{campaign.pk}/checkpoints/{checkpoint_a.pk}/close/", follow=True)
    assert "1 shift still to come was removed" in messages_of(response)[0]
    checkpoint_a.refresh_from_db()
    assert checkpoint_a.closed_at is not None and checkpoint_a.last_day == today and not checkpoint_a.shifts.exists()
    assert DutyEvent.objects.get(action=DutyEvent.Action.CHECKPOINT_CLOSED).data["shifts_removed"] == 1
    run = services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=today, last_day=today + timedelta(days=2))
    assert run.shifts_created == 0 and not run.shortfalls.exists()
    with pytest.raises(Conflict):
        services.shift_add(actor=users["dispatcher"], checkpoint_id=checkpoint_a.pk, person_id=volunteer.pk, starts_at=slot_start(today + timedelta(days=1), 16))
    with pytest.raises(Conflict):
        services.checkpoint_close(actor=users["dispatcher"], checkpoint_id=checkpoint_a.pk)


def test_the_admin_shows_a_campaigns_history_as_lines(client, campaign, checkpoint_a, users, today):
    services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=today, last_day=today)
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-root"))
    page = client.get(f"/admin/emergency/campaign/{campaign.pk}/change/").content.decode()
    created = DutyEvent.objects.get(action=DutyEvent.Action.ROSTER_GENERATED).data["created"]
    with translation.override("zh-hans"):
        label = str(DATA_LABELS["created"])
    assert f"<div>{label}: {created}</div>" in page and "short_slots" not in page and '{"' not in page
