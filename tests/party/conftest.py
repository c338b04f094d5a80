from datetime import date

import pytest

from grids.models import Compound
from party.models import Employer, MemberKind, PartyBranch, PartyMember
from tests.english import _in_english, api  # noqa: F401


@pytest.fixture
def employer(db):
    return Employer.objects.create(name="县财政局", contact_person="刘建华", email="finance@example.org")


@pytest.fixture
def party(users, grid_a, grid_b, employer):
    """A branch in grid A with a resident secretary; an in-service member checking in at grid A
    and one at grid B."""
    branch = PartyBranch.objects.create(grid=grid_a, name="新东一网格党支部", set_up_on=date(2021, 7, 1))
    secretary = PartyMember.objects.create(name="王芳", phone="13811112222", grid=grid_a, branch=branch, joined_on=date(1990, 7, 1))
    branch.secretary = secretary
    branch.save()
    in_a = PartyMember.objects.create(
        name="李强", phone="13922223333", kind=MemberKind.IN_SERVICE, employer=employer, grid=grid_a, branch=branch,
        joined_on=date(2010, 3, 1), email="liqiang@example.org",
    )
    in_b = PartyMember.objects.create(
        name="张伟", phone="13733334444", kind=MemberKind.IN_SERVICE, employer=employer, grid=grid_b, joined_on=date(2026, 3, 1),
    )
    compound = Compound.objects.create(grid=grid_a, name="新东小区", latitude=34.085, longitude=119.345, is_old=True)
    return {"branch": branch, "secretary": secretary, "in_a": in_a, "in_b": in_b, "compound": compound}


@pytest.fixture
def town_today(monkeypatch):
    """Set the town's today as the pages and the API see it (`timezone.localdate()` without a
    moment); dates of given moments are unchanged."""
    from django.utils import timezone

    original = timezone.localdate

    def set_today(day):
        monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: day if value is None else original(value, timezone))

    return set_today
