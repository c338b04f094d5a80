"""A resident's phone call entered by the command centre: a case like any report."""

from django.urls import reverse

from grids.models import Compound
from incidents.models import Incident

from ..conftest import IN_GRID_A


def call(browse, **data):
    return browse("dispatcher").post(reverse("console:hotline"), data)


def test_a_call_becomes_a_case_from_the_phone(browse, users, categories, grid_a):
    response = call(
        browse, category=categories["rubbish"].pk, description="楼下垃圾三天没人收", address="新东小区3栋",
        contact_name="王阿姨", contact_phone="13812345678", **IN_GRID_A,
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("console:case", args=[incident.pk])
    assert (incident.source, incident.contact_name, incident.contact_phone, incident.grid) == ("phone", "王阿姨", "13812345678", grid_a)
    assert incident.reporter == users["dispatcher"] and incident.status == "reported"


def test_a_compound_named_in_the_address_gives_the_position(browse, users, categories, grid_a):
    Compound.objects.create(grid=grid_a, name="团结新村", **IN_GRID_A)
    Compound.objects.create(grid=grid_a, name="团结新村二期", latitude=34.081, longitude=119.341)
    assert call(browse, category=categories["rubbish"].pk, description="路灯坏", address="团结新村3号楼").status_code == 302
    assert call(browse, category=categories["rubbish"].pk, description="路灯坏", address="团结新村二期5栋").status_code == 302
    assert [incident.latitude for incident in Incident.objects.order_by("pk")] == [IN_GRID_A["latitude"], 34.081]


def test_a_number_typed_with_spaces_is_kept_without_them(browse, users, categories):
    call(browse, category=categories["rubbish"].pk, description="路灯坏", contact_phone="138 1234 5678", **IN_GRID_A)
    assert Incident.objects.get().contact_phone == "13812345678"


def test_a_call_without_a_place_is_refused(browse, users, categories):
    response = call(browse, category=categories["rubbish"].pk, description="路灯坏", address="不知道哪里")
    assert response.status_code == 400
    assert "address" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_bad_fields_are_each_said(browse, users, categories):
    response = call(browse, category=categories["environment"].pk, description="", contact_phone="call me", latitude="95", longitude="x")
    errors = response.context["form"].errors
    assert {"category", "description", "contact_phone", "latitude", "longitude"} <= set(errors)
    assert not Incident.objects.exists()
