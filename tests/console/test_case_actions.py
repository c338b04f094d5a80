"""The case page and its actions: allowed, refused (403), not possible (409), bad input (400),
stale version (409); each refusal is a message in the page and changes nothing."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, IncidentEvent

from ..conftest import IN_GRID_A
from ..incidents.helpers import case_in, report
from ..incidents.images import tiny_jpeg
from ..conftest import messages_of


def act(browse, who, incident, action, **data):
    data.setdefault("version", incident.version)
    return browse(who).post(reverse("console:case-action", args=[incident.pk, action]), data)


def offered(browse, who, incident) -> list[str]:
    return [form["action"] for form in browse(who).get(reverse("console:case", args=[incident.pk])).context["forms"]]


def test_the_page_shows_the_case_and_its_history(browse, users, categories):
    incident = case_in("assigned", users, categories)
    html = browse("dispatcher").get(reverse("console:case", args=[incident.pk])).content.decode()
    assert incident.code in html and "路边垃圾堆积" in html
    assert html.count('class="event-') == 2  # reported, assigned
    assert categories["rubbish"].name in html


def test_the_actions_offered_are_the_tables(browse, users, categories):
    incident = report(users, categories)
    assert offered(browse, "dispatcher", incident) == ["accept", "assign", "reject", "merge", "card"]
    assert offered(browse, "inspector", incident) == []
    handled = case_in("handled", users, categories)
    assert offered(browse, "inspector", handled) == ["inspect", "rework"]


def test_a_dispatcher_assigns_to_a_grid_worker(browse, users, categories):
    incident = report(users, categories)
    response = act(browse, "dispatcher", incident, "assign", handler=f"u{users['worker_a'].pk}", note="请今天处理")
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.assignee, incident.version) == ("assigned", users["worker_a"], 2)
    assert IncidentEvent.objects.filter(incident=incident, action="assign", note="请今天处理").exists()


def test_a_dispatcher_assigns_to_a_department(browse, users, categories, department):
    incident = report(users, categories)
    assert act(browse, "dispatcher", incident, "assign", handler=f"d{department.pk}").status_code == 302
    incident.refresh_from_db()
    assert incident.assigned_department == department


def test_the_assign_form_puts_the_grids_workers_and_the_categorys_department_first(browse, users, categories, department):
    incident = report(users, categories)
    handlers = browse("dispatcher").get(reverse("console:case", args=[incident.pk])).context["handlers"]
    assert handlers["grid_workers"] == [users["worker_a"]]
    assert handlers["suggested_departments"] == [department]
    assert users["worker_b"] in handlers["workers"]


def test_an_assign_without_a_handler_is_a_form_error(browse, users, categories):
    incident = report(users, categories)
    response = act(browse, "dispatcher", incident, "assign", handler="")
    assert response.status_code == 400
    assert "The form has errors; nothing was changed." in messages_of(response)
    form = next(form for form in response.context["forms"] if form["action"] == "assign")
    assert form["open"] and next(field for field in form["fields"] if field["name"] == "assignee")["errors"]
    incident.refresh_from_db()
    assert incident.status == "reported" and incident.version == 1


def test_a_reject_without_a_reason_is_refused_and_changes_nothing(browse, users, categories):
    incident = report(users, categories)
    response = act(browse, "dispatcher", incident, "reject", reason="  ")
    assert response.status_code == 400
    form = next(form for form in response.context["forms"] if form["action"] == "reject")
    assert next(field for field in form["fields"] if field["name"] == "reason")["errors"]
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_an_action_not_theirs_is_refused(browse, users, categories):
    incident = report(users, categories)
    response = act(browse, "inspector", incident, "assign", handler=f"u{users['worker_a'].pk}")
    assert response.status_code == 403
    assert any("may not" in message for message in messages_of(response))
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_an_action_not_possible_now_is_a_message(browse, users, categories):
    incident = report(users, categories)
    response = act(browse, "dispatcher", incident, "close")
    assert response.status_code == 409
    assert messages_of(response)
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_a_case_changed_meanwhile_is_not_overwritten(browse, users, categories):
    incident = report(users, categories)
    seen = incident.version
    act(browse, "dispatcher", incident, "accept")  # someone else, a moment before
    response = browse("dispatcher").post(
        reverse("console:case-action", args=[incident.pk, "reject"]), {"version": seen, "reason": "重复"}
    )
    assert response.status_code == 409
    assert any("Someone else changed" in message for message in messages_of(response))
    incident.refresh_from_db()
    assert incident.status == "accepted"


def test_an_unknown_action_is_not_found(browse, users, categories):
    incident = report(users, categories)
    assert act(browse, "dispatcher", incident, "explode").status_code == 404


def test_the_page_is_only_posted_to(browse, users, categories):
    incident = report(users, categories)
    assert browse("dispatcher").get(reverse("console:case-action", args=[incident.pk, "accept"])).status_code == 405


def test_an_inspector_fails_the_handling_with_a_note_and_a_photo(browse, users, categories):
    incident = case_in("handled", users, categories)
    photo = SimpleUploadedFile("inspection.jpg", tiny_jpeg(), content_type="image/jpeg")
    response = browse("inspector").post(
        reverse("console:case-action", args=[incident.pk, "rework"]), {"version": incident.version, "note": "垃圾未清完", "photos": [photo]}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.rework_count) == ("assigned", 1)
    assert incident.photos.filter(stage="inspection").count() == 1


def test_an_inspector_passes_the_handling(browse, users, categories):
    incident = case_in("handled", users, categories)
    assert act(browse, "inspector", incident, "inspect", passed="true").status_code == 302
    incident.refresh_from_db()
    assert incident.status == "inspected"


def test_a_rework_needs_a_note(browse, users, categories):
    incident = case_in("handled", users, categories)
    assert act(browse, "inspector", incident, "rework", note="").status_code == 400
    incident.refresh_from_db()
    assert incident.status == "handled"


def test_merge_suggests_nearby_live_cases_of_the_category_nearest_first(browse, users, categories):
    far = report(users, categories, position={"latitude": IN_GRID_A["latitude"] + 0.0008, "longitude": IN_GRID_A["longitude"]})
    near = report(users, categories, position={"latitude": IN_GRID_A["latitude"] + 0.0002, "longitude": IN_GRID_A["longitude"]})
    report(users, categories, position={"latitude": IN_GRID_A["latitude"] + 0.002, "longitude": IN_GRID_A["longitude"]})  # 220 m
    report(users, categories, category="street_light")  # another category
    old = report(users, categories, at=timezone.now() - timedelta(days=9))
    incident = report(users, categories)
    candidates = browse("dispatcher").get(reverse("console:case", args=[incident.pk])).context["candidates"]
    assert [other for other, _metres in candidates] == [near, far]
    assert old not in [other for other, _metres in candidates]
    assert 20 < candidates[0][1] < 25
    assert act(browse, "dispatcher", incident, "merge", duplicate_of=str(near.pk)).status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.duplicate_of) == ("merged", near)


def test_a_merge_into_an_unseen_or_missing_case_is_a_form_error(browse, users, categories):
    incident = report(users, categories)
    response = act(browse, "dispatcher", incident, "merge", duplicate_of="999999")
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_the_phone_number_is_masked_for_who_need_not_call(browse, users, categories):
    incident = report(users, categories, contact_phone="13812345678")
    assert "13812345678" in browse("dispatcher").get(reverse("console:case", args=[incident.pk])).content.decode()
    inspector_page = browse("inspector").get(reverse("console:case", args=[incident.pk])).content.decode()
    assert "13812345678" not in inspector_page and "138****5678" in inspector_page


def test_a_handler_asks_for_more_time_with_a_date_from_the_form(browse, users, categories, department):
    incident = case_in("assigned", users, categories, department=department)
    later = timezone.localtime(incident.current_stage.deadline + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = act(browse, "department", incident, "request_extension", reason="等待配件", until=later)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.extension_requested_until is not None
    bad = act(browse, "department", Incident.objects.get(pk=incident.pk), "refuse_extension", note="x")
    assert bad.status_code == 403


def test_merge_takes_the_code_every_page_shows(browse, users, categories):
    original = report(users, categories)
    incident = report(users, categories)
    assert act(browse, "dispatcher", incident, "merge", duplicate_code=original.code).status_code == 302
    incident.refresh_from_db()
    assert incident.duplicate_of == original
    other = report(users, categories)
    response = act(browse, "dispatcher", other, "merge", duplicate_code="20990101000001")
    assert response.status_code == 400
    form = next(form for form in response.context["forms"] if form["action"] == "merge")
    assert next(field for field in form["fields"] if field["name"] == "duplicate_of")["errors"] == ["No such case."]


def test_a_file_that_is_not_a_photo_is_named_in_the_error(browse, users, categories):
    incident = case_in("handled", users, categories)
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    response = browse("inspector").post(
        reverse("console:case-action", args=[incident.pk, "rework"]), {"version": incident.version, "note": "x", "photos": [fake]}
    )
    assert response.status_code == 400
    form = next(form for form in response.context["forms"] if form["action"] == "rework")
    errors = next(field for field in form["fields"] if field["name"] == "photos")["errors"]
    assert errors and all(len(message) > 5 for message in errors)


def test_passing_is_what_the_inspect_form_does_whatever_is_posted(browse, users, categories):
    incident = case_in("handled", users, categories)
    assert act(browse, "inspector", incident, "inspect", passed="false").status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.rework_count) == ("inspected", 0)


def test_an_unknown_department_is_said_on_the_handler_field(browse, users, categories):
    incident = report(users, categories)
    response = act(browse, "dispatcher", incident, "assign", handler="d999999")
    form = next(form for form in response.context["forms"] if form["action"] == "assign")
    assert next(field for field in form["fields"] if field["name"] == "assignee")["errors"]


def test_pages_that_are_not_yours_say_so_in_the_sites_own_page(browse, users, categories):
    forbidden = browse("worker_a").get(reverse("console:cases"))
    assert forbidden.status_code == 403 and "Not for your role" in forbidden.content.decode()
    missing = browse("dispatcher").get(reverse("console:case", args=[999999]))
    assert missing.status_code == 404 and "Not found" in missing.content.decode()
