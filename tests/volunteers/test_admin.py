"""The admin: teams and volunteers added and changed through the services (an event row each),
activities shown as recorded."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from volunteers.models import Event, Team, Volunteer

from .helpers import record


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")


@pytest.fixture
def admin_client(root):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(root)
    return client


@pytest.mark.parametrize("model", ["team", "volunteer", "activity", "activityvolunteer", "activityphoto", "event"])
def test_every_model_is_listed(admin_client, users, team, people, grid_a, model):
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1])
    assert admin_client.get(f"/admin/volunteers/{model}/").status_code == 200


def test_a_volunteer_added_and_changed_in_the_admin_leaves_event_rows(admin_client, team):
    client = admin_client
    added = client.post("/admin/volunteers/volunteer/add/", {
        "name": "赵六", "team": team.pk, "profession": Volunteer.Profession.DOCTOR, "skills": "义诊", "phone": "13800001234", "active": "on",
    })
    assert added.status_code == 302, added.context["adminform"].errors if added.context else added
    volunteer = Volunteer.objects.get(name="赵六")
    refused = client.post(f"/admin/volunteers/volunteer/{volunteer.pk}/change/", {
        "name": "赵六", "team": team.pk, "profession": Volunteer.Profession.DOCTOR, "skills": "义诊", "phone": "138-0000", "active": "on",
    })
    assert refused.status_code == 200 and "A phone number has 7 to 20 digits, digits only." in refused.content.decode()
    client.post(f"/admin/volunteers/volunteer/{volunteer.pk}/change/", {
        "name": "赵六", "team": team.pk, "profession": Volunteer.Profession.DOCTOR, "skills": "义诊、健康讲座", "phone": "13800001234",
    })
    volunteer.refresh_from_db()
    assert volunteer.skills == "义诊、健康讲座" and not volunteer.active
    assert list(Event.objects.filter(volunteer=volunteer).values_list("action", "data")) == [
        (Event.Action.VOLUNTEER_CREATE, {"team": team.pk}),
        (Event.Action.VOLUNTEER_CHANGE, {"skills": "义诊、健康讲座", "active": "False"}),
    ]


def test_a_team_added_in_the_admin_goes_through_the_service(admin_client, root):
    assert admin_client.post("/admin/volunteers/team/add/", {"name": "新东社区红色义工队", "kind": Team.Kind.RED}).status_code == 302
    team = Team.objects.get()
    assert Event.objects.filter(team=team, action=Event.Action.TEAM_CREATE, actor=root).exists()
    assert admin_client.get(f"/admin/volunteers/team/{team.pk}/change/").status_code == 200
