import pytest

from accounts.models import PersonalDataView, User

from .helpers import register

pytestmark = pytest.mark.django_db


def test_the_admin_shows_phone_and_id_number_masked_and_changes_nothing(client, users, grid_a):
    arrival = register(users["worker_a"], grid_a)
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-root"))
    listing = client.get("/admin/screening/arrival/").content.decode()
    change = client.get(f"/admin/screening/arrival/{arrival.pk}/change/").content.decode()
    for page in (listing, change):
        assert arrival.id_number not in page and "13812345678" not in page
        assert f"{arrival.id_number[:6]}********{arrival.id_number[-4:]}" in page and "138****5678" in page
    assert client.get("/admin/screening/arrival/add/").status_code == 403
    assert not PersonalDataView.objects.exists()
