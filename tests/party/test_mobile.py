"""The grid worker's phone page: check-ins at their grids to confirm, the record form, and their
grids' members to call."""

import uuid
from datetime import timedelta

from django.utils import timezone

from accounts.models import PersonalDataView
from party import services
from party.models import MemberCheckIn

from ..conftest import messages_of


def test_the_page_lists_my_grids_members_with_numbers_to_call(browse, users, party):
    page = browse("worker_a").get("/m/party/").content.decode()
    assert 'href="tel:13922223333"' in page and "张伟" not in page
    assert PersonalDataView.objects.filter(viewer=users["worker_a"]).count() == 2


def test_only_grid_workers_have_the_page(browse, party):
    assert browse("department").get("/m/party/").status_code == 404
    assert browse("inspector").get("/m/party/").status_code == 404


def test_a_worker_records_and_confirms_from_the_phone(browse, users, party, grid_a):
    client = browse("worker_a")
    form = {"uuid": str(uuid.uuid4()), "member": party["in_a"].pk, "grid": grid_a.pk, "date": timezone.localdate().isoformat(), "hours": "1.5", "activity": "协助巡查"}
    response = client.post("/m/party/", form, follow=True)
    assert "Check-in of 李强 recorded and confirmed." in messages_of(response)
    assert MemberCheckIn.objects.get().status == "confirmed"
    waiting, _ = services.checkin_record(
        actor=users["dispatcher"], member=party["in_a"], grid=grid_a, day=timezone.localdate() - timedelta(days=1), activity="走访", hours=1, uuid=uuid.uuid4(),
    )
    client.post(f"/m/party/checkins/{waiting.pk}/confirm/")
    assert MemberCheckIn.objects.get(pk=waiting.pk).status == "confirmed"


def test_a_check_in_at_another_grid_is_not_offered_nor_decided(browse, users, party, grid_b):
    checkin, _ = services.checkin_record(
        actor=users["dispatcher"], member=party["in_b"], grid=grid_b, day=None, activity="走访", hours=1, uuid=uuid.uuid4(),
    )
    assert "张伟" not in browse("worker_a").get("/m/party/").content.decode()
    assert browse("worker_a").post(f"/m/party/checkins/{checkin.pk}/confirm/").status_code == 404
    assert MemberCheckIn.objects.get().status == "recorded"
