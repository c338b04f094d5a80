"""The incident admin: read-only, with filters a command centre uses, photos through the photo
view and every time in the town's time."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from incidents.photos import prepare_photo
from incidents.services import Photos
from tests.conftest import local

from .helpers import case_in, report
from .images import tiny_jpeg


@pytest.fixture
def root(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-root"))
    return client


def test_the_incident_list_filters_by_major_category(root, users, categories):
    report(users, categories, category="gas")
    rubbish = report(users, categories)
    page = root.get("/admin/incidents/incident/?major=01")
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [rubbish]
    choices = [choice["display"] for spec in page.context["cl"].filter_specs for choice in spec.choices(page.context["cl"])]
    assert "01 市容环境" in choices and "0101 暴露垃圾" not in choices


def test_a_case_cannot_be_changed_or_deleted_in_the_admin(root, users, categories):
    incident = report(users, categories)
    page = root.get(f"/admin/incidents/incident/{incident.pk}/change/")
    assert page.status_code == 200 and "report" in [e.action for e in incident.events.all()]
    assert root.post(f"/admin/incidents/incident/{incident.pk}/change/", {"description": "改掉"}).status_code == 403
    assert root.post(f"/admin/incidents/incident/{incident.pk}/delete/", {"post": "yes"}).status_code == 403
    incident.refresh_from_db()
    assert incident.description == "路边垃圾堆积"


def test_an_administrator_sets_the_stage_limits_of_the_town_and_of_one_category(root, users, categories):
    from incidents.models import StageLimit
    from tests.conftest import IN_GRID_A, local
    from incidents.services import incident_report

    def accept_deadline(category):
        incident, _ = incident_report(
            reporter=users["worker_a"], category=categories[category], description="路边垃圾", at=local(2026, 11, 24, 9, 0), **IN_GRID_A
        )
        return incident.current_stage.deadline

    assert accept_deadline("rubbish") == local(2026, 11, 24, 9, 15)
    added = root.post("/admin/incidents/stagelimit/add/", {"stage": "accept", "category": "", "minutes": "30"})
    assert added.status_code == 302
    assert accept_deadline("rubbish") == accept_deadline("street_light") == local(2026, 11, 24, 9, 30)
    rubbish = categories["rubbish"]
    form = {
        "code": rubbish.code, "name": rubbish.name, "kind": "event", "parent": rubbish.parent_id, "time_limit": "2",
        "time_unit": "working_hours", "department": rubbish.department_id, "active": "on",
        "stage_limits-TOTAL_FORMS": "1", "stage_limits-INITIAL_FORMS": "0",
        "stage_limits-0-stage": "accept", "stage_limits-0-minutes": "5",
    }
    assert root.post(f"/admin/incidents/category/{rubbish.pk}/change/", form).status_code == 302
    assert StageLimit.objects.filter(category=rubbish).count() == 1
    assert accept_deadline("rubbish") == local(2026, 11, 24, 9, 5)
    assert accept_deadline("street_light") == local(2026, 11, 24, 9, 30)
    refused = root.post("/admin/incidents/stagelimit/add/", {"stage": "accept", "category": "", "minutes": "0"})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors


def test_photos_are_shown_through_the_photo_view_as_thumbnails(root, users, categories, settings, tmp_path, run_sent_tasks):
    settings.MEDIA_ROOT = tmp_path
    incident = report(users, categories, photos=Photos(report=[prepare_photo(SimpleUploadedFile("r.jpg", tiny_jpeg()))], before=[], after=[]))
    run_sent_tasks()  # the thumbnail
    photo = incident.photos.get()
    page = root.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()
    assert f'<a href="/incidents/photos/{photo.pk}/"><img src="/incidents/photos/{photo.pk}/thumbnail/"' in page
    assert "/media/" not in page and photo.image.name not in page
    thumbnail = root.get(f"/incidents/photos/{photo.pk}/thumbnail/")
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"


def test_the_admin_s_own_close_is_not_the_closing_of_a_case(root, users, categories):
    incident = case_in("closed", users, categories)
    page = root.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()
    assert 'class="closelink">关闭</a>' in page
    assert "<p>销号</p>" in page  # the event that closed the case


def test_the_case_s_history_is_in_the_town_s_time_throughout(root, users, categories):
    incident = report(users, categories, at=local(2026, 11, 24, 9, 0))  # 01:00 UTC
    page = " ".join(root.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode().split())
    assert "<p>2026年11月24日 09:00</p>" in page  # the time of the report, and the start of accepting
    assert "<p> 上报 2026年11月24日 09:00 </p>" in page and "<p> 受理 2026年11月24日 09:00 </p>" in page
    assert "01:00" not in page and "2026-11-24" not in page
