import pytest
from datetime import timedelta
from django.utils import timezone

from emergency import services
from emergency.models import DutyPerson
from tests.conftest import IN_GRID_A, IN_GRID_B
from tests.english import _in_english, api  # noqa: F401


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def campaign(users, today):
    """Today's flood campaign: 8-hour shifts, 8 hours' rest, the two grid workers and one volunteer."""
    return services.campaign_create(
        actor=users["dispatcher"], name="汛情值守", kind="flood", started=today, shift_hours=8, rest_hours=8,
        others=[("志愿者老李", "13700002222")],
    )


@pytest.fixture
def checkpoint_a(campaign, users, today):
    return services.checkpoint_add(
        actor=users["dispatcher"], campaign_id=campaign.pk, name="东口卡点", first_day=today, last_day=today + timedelta(days=2),
        people_per_shift=1, **IN_GRID_A,
    )


@pytest.fixture
def checkpoint_b(campaign, users, today):
    return services.checkpoint_add(
        actor=users["dispatcher"], campaign_id=campaign.pk, name="西口卡点", first_day=today, last_day=today + timedelta(days=2),
        people_per_shift=1, **IN_GRID_B,
    )


@pytest.fixture
def person(campaign, users):
    """worker_a in the campaign's pool."""
    return DutyPerson.objects.get(campaign=campaign, user=users["worker_a"])


@pytest.fixture
def other_person(campaign, users):
    return DutyPerson.objects.get(campaign=campaign, user=users["worker_b"])


@pytest.fixture
def volunteer(campaign):
    return DutyPerson.objects.get(campaign=campaign, user__isnull=True)
