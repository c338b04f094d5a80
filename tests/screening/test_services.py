import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.errors import Conflict, InvalidInput, Missing, NotAllowed
from screening import services
from screening.models import Arrival, FollowUp, HealthStatus, ScreeningEvent

from .helpers import register, valid_id, wrong_check

pytestmark = pytest.mark.django_db


def test_it_registers_an_arrival_with_its_follow_ups_and_an_event(users, grid_a, compounds):
    arrived = timezone.localdate() - timedelta(days=2)
    arrival = register(users["worker_a"], grid_a, compound=compounds["a"], arrived_on=arrived)
    assert arrival.grid == grid_a and arrival.compound == compounds["a"] and arrival.recorded_by == users["worker_a"]
    assert [(f.day, f.due_on) for f in arrival.follow_ups.all()] == [(day, arrived + timedelta(days=day)) for day in (1, 3, 7, 14)]
    event = ScreeningEvent.objects.get(arrival=arrival)
    assert (event.action, event.actor) == (ScreeningEvent.Action.REGISTERED, users["worker_a"])


def test_the_id_number_is_stored_normalised(users, grid_a):
    number = valid_id(sequence=7)
    typed = f" {number[:6]} {number[6:14]} {number[14:]}".lower()
    assert register(users["worker_a"], grid_a, id_number=typed).id_number == number


def test_the_follow_up_days_are_a_setting(users, grid_a, settings):
    settings.SCREENING_FOLLOW_UP_DAYS = [2, 5]
    assert [f.day for f in register(users["worker_a"], grid_a).follow_ups.all()] == [2, 5]


def test_a_wrong_check_digit_is_a_field_error_naming_the_expected_character(users, grid_a):
    bad, expected = wrong_check(valid_id())
    with pytest.raises(InvalidInput) as refused:
        register(users["worker_a"], grid_a, id_number=bad)
    assert f"should be {expected}" in refused.value.fields["id_number"]
    assert not Arrival.objects.exists() and not FollowUp.objects.exists()


def test_an_arrival_date_in_the_future_is_refused(users, grid_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        register(users["worker_a"], grid_a, arrived_on=tomorrow)
    assert "in the future" in refused.value.fields["arrived_on"]
    assert not Arrival.objects.exists()


def test_every_bad_field_is_named_at_once(users, grid_a, compounds):
    with pytest.raises(InvalidInput) as refused:
        register(users["worker_a"], grid_a, name=" ", phone="call me", id_number="123", origin="", health_status="fine", compound=compounds["b"])
    assert set(refused.value.fields) == {"name", "phone", "id_number", "origin", "health_status", "compound"}
    assert "18 characters" in refused.value.fields["id_number"]
    assert "和平小区 is not in 新东一网格" in refused.value.fields["compound"]


def test_the_same_person_on_the_same_day_is_a_conflict_naming_the_entry(users, grid_a, grid_b):
    number = valid_id()
    first = register(users["worker_a"], grid_a, id_number=number)
    with pytest.raises(Conflict) as refused:
        register(users["dispatcher"], grid_b, id_number=number.lower(), name="张叁")
    message = refused.value.fields["id_number"]
    assert f"entry {first.pk}" in message and "新东一网格" in message and "张三" in message
    assert Arrival.objects.count() == 1


def test_the_same_person_on_another_day_is_another_entry(users, grid_a):
    number = valid_id()
    register(users["worker_a"], grid_a, id_number=number)
    register(users["worker_a"], grid_a, id_number=number, arrived_on=timezone.localdate())
    assert Arrival.objects.filter(id_number=number).count() == 2


def test_a_worker_registers_only_in_their_own_grids(users, grid_a, grid_b):
    with pytest.raises(NotAllowed):
        register(users["worker_b"], grid_a)
    register(users["worker_b"], grid_b)
    register(users["dispatcher"], grid_a, id_number=valid_id())


@pytest.mark.parametrize("role", ["official", "inspector", "department"])
def test_those_who_read_the_register_do_not_write_it(users, grid_a, role):
    with pytest.raises(NotAllowed):
        register(users[role], grid_a)


def test_a_follow_up_done_sets_the_entrys_status_and_writes_an_event(users, grid_a):
    arrival = register(users["worker_a"], grid_a)
    first = arrival.follow_ups.first()
    follow_up, changed = services.follow_up_done(actor=users["worker_a"], follow_up_id=first.pk, health_status=HealthStatus.HOME_OBSERVATION, note="体温正常")
    assert changed and follow_up.done and follow_up.done_by == users["worker_a"] and follow_up.note == "体温正常"
    arrival.refresh_from_db()
    assert arrival.health_status == HealthStatus.HOME_OBSERVATION
    event = arrival.events.get(action=ScreeningEvent.Action.FOLLOW_UP_DONE)
    assert event.follow_up == first and event.data["from"] == "healthy" and event.data["to"] == "home_observation"


def test_a_follow_up_marked_twice_changes_nothing_the_second_time(users, grid_a):
    first = register(users["worker_a"], grid_a).follow_ups.first()
    services.follow_up_done(actor=users["worker_a"], follow_up_id=first.pk, health_status=HealthStatus.HEALTHY)
    again, changed = services.follow_up_done(actor=users["dispatcher"], follow_up_id=first.pk, health_status=HealthStatus.SYMPTOMS)
    assert not changed and again.done_by == users["worker_a"] and again.health_status == HealthStatus.HEALTHY
    assert ScreeningEvent.objects.filter(action=ScreeningEvent.Action.FOLLOW_UP_DONE).count() == 1


def test_a_follow_up_of_another_grid_is_missing_and_a_reader_may_not_mark_it(users, grid_a):
    first = register(users["worker_a"], grid_a).follow_ups.first()
    with pytest.raises(Missing):
        services.follow_up_done(actor=users["worker_b"], follow_up_id=first.pk, health_status=HealthStatus.HEALTHY)
    with pytest.raises(Missing):
        services.follow_up_done(actor=users["department"], follow_up_id=first.pk, health_status=HealthStatus.HEALTHY)
    with pytest.raises(NotAllowed):
        services.follow_up_done(actor=users["official"], follow_up_id=first.pk, health_status=HealthStatus.HEALTHY)
    with pytest.raises(Missing):
        services.follow_up_done(actor=users["worker_a"], follow_up_id=10**9, health_status=HealthStatus.HEALTHY)
    first.refresh_from_db()
    assert not first.done


def test_a_follow_up_with_a_bad_status_is_refused_and_nothing_changes(users, grid_a):
    first = register(users["worker_a"], grid_a).follow_ups.first()
    with pytest.raises(InvalidInput) as refused:
        services.follow_up_done(actor=users["worker_a"], follow_up_id=first.pk, health_status="fine", note="x" * 201)
    assert set(refused.value.fields) == {"health_status", "note"}
    first.refresh_from_db()
    assert not first.done and not ScreeningEvent.objects.filter(action=ScreeningEvent.Action.FOLLOW_UP_DONE).exists()


def test_a_follow_up_cannot_be_marked_done_before_its_day(users, grid_a):
    arrival = register(users["worker_a"], grid_a, arrived_on=timezone.localdate())
    tomorrow = arrival.follow_ups.get(day=1)
    with pytest.raises(Conflict) as refused:
        services.follow_up_done(actor=users["worker_a"], follow_up_id=tomorrow.pk, health_status=HealthStatus.HEALTHY)
    assert refused.value.message == f"This follow-up is due on {tomorrow.due_on.isoformat()}: it can be marked done from that day on."
    tomorrow.refresh_from_db()
    assert not tomorrow.done and not ScreeningEvent.objects.filter(action=ScreeningEvent.Action.FOLLOW_UP_DONE).exists()
    on_the_day = timezone.now() + timedelta(days=1)
    _done, changed = services.follow_up_done(actor=users["worker_a"], follow_up_id=tomorrow.pk, health_status=HealthStatus.HEALTHY, now=on_the_day)
    assert changed


def test_a_duplicate_id_number_is_told_in_full_only_to_who_may_see_the_entry(users, grid_a, grid_b):
    number = valid_id(sequence=301)
    day = timezone.localdate() - timedelta(days=1)
    register(users["worker_b"], grid_b, name="赵浩杰", id_number=number, arrived_on=day)
    with pytest.raises(Conflict) as outside:
        register(users["worker_a"], grid_a, id_number=number, arrived_on=day)
    assert outside.value.fields == {"id_number": f"This ID number is registered already for {day.isoformat()} in another grid: ask the command centre."}
    with pytest.raises(Conflict) as centre:
        register(users["dispatcher"], grid_a, id_number=number, arrived_on=day)
    assert "赵浩杰" in centre.value.message and grid_b.name in centre.value.message


def test_the_same_form_sent_twice_is_one_entry_and_a_uuid_is_its_senders(users, grid_a):
    sent = uuid.uuid4()
    first, created = services.arrival_register(
        actor=users["worker_a"], grid=grid_a, name="张三", phone="13812345678", id_number=valid_id(sequence=302), origin="上海",
        arrived_on=timezone.localdate(), client_uuid=sent,
    )
    again, created_again = services.arrival_register(
        actor=users["worker_a"], grid=grid_a, name="张三", phone="13812345678", id_number=valid_id(sequence=302), origin="上海",
        arrived_on=timezone.localdate(), client_uuid=sent,
    )
    assert created and not created_again and again == first and Arrival.objects.count() == 1
    with pytest.raises(Conflict):
        services.arrival_register(
            actor=users["dispatcher"], grid=grid_a, name="李四", phone="13812345679", id_number=valid_id(sequence=303), origin="上海",
            arrived_on=timezone.localdate(), client_uuid=sent,
        )


@pytest.mark.parametrize("typed, kept", [("139 1234 5678", "13912345678"), ("139-1234-5678", "13912345678"), ("１３９１２３４５６７８", "13912345678"), ("+86 139 1234 5678", "+8613912345678")])
def test_a_phone_number_is_kept_as_its_digits(users, grid_a, typed, kept):
    assert register(users["worker_a"], grid_a, phone=typed).phone == kept
