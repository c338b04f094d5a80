"""Recording activities (volunteers/services.py): who may record where, every bad input refused
with its own message and nothing written, hours summed from the activities."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents.errors import InvalidInput, NotAllowed
from volunteers import services
from volunteers.models import Activity, ActivityPhoto, ActivityVolunteer, Event, Team, Volunteer
from volunteers.selectors import volunteers_visible_to

from .helpers import jpeg, record


def test_the_command_centre_records_an_activity_with_its_volunteers_compounds_and_an_event(users, team, people, grid_a, compounds):
    activity = record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:2], compounds=[compounds["old_a"], compounds["new_a"]], hours="2.5")
    assert activity.is_outreach and activity.audience == 40
    assert set(activity.compounds.all()) == {compounds["old_a"], compounds["new_a"]}
    assert sorted(activity.participations.values_list("volunteer__name", "hours")) == [("李强", Decimal("2.5")), ("王芳", Decimal("2.5"))]
    event = Event.objects.get(activity=activity)
    assert event.action == Event.Action.ACTIVITY_RECORD and event.actor == users["dispatcher"]
    assert event.data["compounds"] == sorted([compounds["old_a"].pk, compounds["new_a"].pk])


def test_service_hours_are_the_sum_of_the_activities_not_typed(users, team, people, grid_a, grid_b):
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:2], hours="2")
    record(users["dispatcher"], team=team, grid=grid_b, volunteers=people[:1], hours="1.5")
    hours = dict(volunteers_visible_to(users["dispatcher"]).values_list("name", "hours"))
    assert hours == {"王芳": Decimal("3.5"), "李强": Decimal("2.0"), "张敏": Decimal("0.0")}


def test_a_grid_worker_records_in_their_own_grid_only(users, team, people, grid_a, grid_b):
    assert record(users["worker_a"], team=team, grid=grid_a, volunteers=people[:1]).recorded_by == users["worker_a"]
    with pytest.raises(NotAllowed) as refused:
        record(users["worker_a"], team=team, grid=grid_b, volunteers=people[:1])
    assert "grid" in refused.value.fields
    for role in ("department", "inspector", "official"):
        with pytest.raises(NotAllowed):
            record(users[role], team=team, grid=grid_a, volunteers=people[:1])
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("change, field, message", [
    ({"day": timezone.localdate() + timedelta(days=1)}, "date", "An activity cannot be recorded before the day it is held."),
    ({"audience": -1}, "audience", "The audience cannot be below zero."),
    ({"audience": "many"}, "audience", "The audience is a whole number of people."),
    ({"volunteers": []}, "volunteers", "Name at least one volunteer who served at it."),
    ({"hours": "0"}, "hours", "Hours are more than 0 and at most 24 for each volunteer."),
    ({"hours": "24.5"}, "hours", "Hours are more than 0 and at most 24 for each volunteer."),
    ({"hours": "two"}, "hours", "Hours are more than 0 and at most 24 for each volunteer."),
    ({"kind": "party"}, "kind", "Choose one of the kinds of activity."),
    ({"title": "  "}, "title", "Give the activity a title."),
])
def test_bad_input_is_refused_with_a_message_for_its_field_and_nothing_written(users, team, people, grid_a, change, field, message):
    arguments = {"team": team, "grid": grid_a, "volunteers": people[:2], **change}
    with pytest.raises(InvalidInput) as refused:
        record(users["dispatcher"], **arguments)
    assert refused.value.fields[field] == message
    assert not Activity.objects.exists() and not ActivityVolunteer.objects.exists() and not Event.objects.filter(activity__isnull=False).exists()


def test_a_volunteer_named_twice_an_unknown_one_and_an_unknown_compound_are_refused(users, team, people, grid_a, compounds):
    def attempt(volunteer_hours, compound_ids=()):
        with pytest.raises(InvalidInput) as refused:
            services.activity_record(
                actor=users["dispatcher"], kind=Activity.Kind.LEGAL_AID, title="法律咨询", team=team, day=timezone.localdate(), grid=grid_a,
                audience=5, volunteer_hours=volunteer_hours, compound_ids=compound_ids,
            )
        return refused.value.fields

    assert attempt([(people[0].pk, 2), (people[0].pk, 3)]) == {"volunteers": "Each volunteer is named once."}
    assert attempt([(people[0].pk, 2), (999999, 2)]) == {"volunteers": "No such volunteer."}
    assert attempt([(people[0].pk, 2)], [compounds["old_a"].pk, 999999]) == {"compounds": "No such compound: choose compounds from the list."}
    assert not Activity.objects.exists()


def test_a_compound_of_another_grid_is_refused_even_to_the_command_centre(users, team, people, grid_a, compounds):
    """Coverage counts a compound as reached in its own grid: one of another grid would be counted where nobody went."""
    with pytest.raises(InvalidInput) as refused:
        record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], compounds=[compounds["old_a"], compounds["old_b"]])
    assert refused.value.fields == {
        "compounds": f"供销社家属院: not in {grid_a.name}. Choose only compounds of the grid the activity was held in.",
    }
    assert not Activity.objects.exists() and not Event.objects.filter(activity__isnull=False).exists()


def test_a_volunteer_no_longer_active_is_not_recorded_but_keeps_their_hours(users, team, people, grid_a):
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], hours="3")
    services.volunteer_update(actor=users["dispatcher"], volunteer=people[0], changes={"active": False})
    with pytest.raises(InvalidInput) as refused:
        record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:2])
    assert refused.value.fields == {"volunteers": "No longer volunteering: 王芳."}
    assert volunteers_visible_to(users["official"]).get(pk=people[0].pk).hours == Decimal("3.0")
    assert Event.objects.filter(volunteer=people[0], action=Event.Action.VOLUNTEER_CHANGE, data={"active": "False"}).exists()


def test_photos_are_checked_and_shrunk_and_a_refused_one_leaves_nothing(users, team, people, grid_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    not_a_photo = SimpleUploadedFile("notes.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(InvalidInput) as refused:
        record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], photos=[jpeg(), not_a_photo])
    assert refused.value.fields["photos"].startswith("notes.jpg: Not a photo")
    assert not Activity.objects.exists() and not list(tmp_path.rglob("*.jpg"))

    settings.PHOTO_MAX_PIXELS = 2_000_000
    with pytest.raises(InvalidInput) as refused:
        record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], photos=[jpeg(size=(2000, 1500))])
    assert "megapixels" in refused.value.fields["photos"]

    activity = record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], photos=[jpeg(size=(1200, 900))])
    photo = ActivityPhoto.objects.get(activity=activity)
    assert (photo.width, photo.height, photo.uploaded_by) == (1200, 900, users["dispatcher"]) and photo.image.name.endswith(".jpg")
    added = services.activity_add_photos(actor=users["worker_a"], activity=activity, photos=[jpeg()])
    assert len(added) == 2 and activity.events.filter(action=Event.Action.PHOTO_ADD).count() == 1
    with pytest.raises(NotAllowed):
        services.activity_add_photos(actor=users["worker_b"], activity=activity, photos=[jpeg()])


def test_teams_and_volunteers_are_the_command_centres_to_manage(users, team):
    with pytest.raises(NotAllowed):
        services.team_create(actor=users["inspector"], name="另一队", kind=Team.Kind.RED)
    with pytest.raises(NotAllowed):
        services.volunteer_register(actor=users["worker_a"], team=team, name="赵六", profession=Volunteer.Profession.RESIDENT)
    with pytest.raises(InvalidInput) as refused:
        services.team_create(actor=users["dispatcher"], name="新安镇宣讲团", kind="club")
    assert refused.value.fields == {"name": "There is a team of this name already.", "kind": "Choose one of the kinds of team."}
    with pytest.raises(InvalidInput) as refused:
        services.volunteer_register(actor=users["dispatcher"], team=team, name="赵六", profession=Volunteer.Profession.RESIDENT, phone="138-1234")
    assert refused.value.fields == {"phone": "A phone number has 7 to 20 digits, digits only."}
    assert not Volunteer.objects.exists()
    volunteer = services.volunteer_register(actor=users["dispatcher"], team=team, name="赵六", profession=Volunteer.Profession.RESIDENT)
    assert Event.objects.filter(volunteer=volunteer, action=Event.Action.VOLUNTEER_CREATE).count() == 1
    with pytest.raises(InvalidInput):
        services.team_update(actor=users["dispatcher"], team=services.team_create(actor=users["dispatcher"], name="法律援助队", kind=Team.Kind.LEGAL_AID), changes={"leader": volunteer})
