"""The transition table, every action against every status and every role.

The expectations are written out here as the rules a town would state them, not read from
incidents/workflow.py, so a change to the table shows up as a failing test.
"""

import pytest

from incidents import services
from incidents.errors import Conflict, InvalidInput, NotAllowed, NotPossible
from incidents.models import IncidentEvent

from .helpers import case_in, report

STATUSES = ["reported", "assigned", "handled", "inspected", "closed", "rejected", "merged"]
ROLES = ["admin", "dispatcher", "inspector", "official", "worker_a", "worker_b", "department", "other_department"]

# Who may take each action (worker_a is the assignee once the case is assigned) ...
MAY = {
    "assign": {"admin", "dispatcher"},
    "handle": {"admin", "worker_a"},
    "inspect": {"admin", "inspector"},
    "rework": {"admin", "inspector"},
    "close": {"admin", "dispatcher"},
    "reject": {"admin", "dispatcher"},
    "merge": {"admin", "dispatcher"},
}
# ... from which statuses, and where the case goes.
FROM = {
    "assign": ({"reported", "assigned"}, "assigned"),
    "handle": ({"assigned"}, "handled"),
    "inspect": ({"handled"}, "inspected"),
    "rework": ({"handled"}, "assigned"),
    "close": ({"inspected"}, "closed"),
    "reject": ({"reported", "assigned"}, "rejected"),
    "merge": ({"reported", "assigned"}, "merged"),
}
NEVER_ASSIGNED = {"reported", "rejected", "merged"}


def act(action, incident, actor, users):
    common = {"incident_id": incident.pk, "actor": actor}
    if action == "assign":
        return services.incident_assign(**common, assignee=users["worker_b"])
    if action == "handle":
        return services.incident_handle(**common, note="已处理")
    if action in ("inspect", "rework"):
        return services.incident_inspect(**common, passed=action == "inspect", note="" if action == "inspect" else "未清理干净")
    if action == "close":
        return services.incident_close(**common)
    if action == "reject":
        return services.incident_reject(**common, reason="重复上报")
    if action == "merge":
        other = report(users, incident.category and {"rubbish": incident.category})
        return services.incident_merge(**common, duplicate_of=other)
    raise AssertionError(action)


def expected(action, status, role):
    allowed_roles = MAY[action]
    if action == "handle" and status in NEVER_ASSIGNED:
        allowed_roles = {"admin"}
    if role not in allowed_roles:
        return NotAllowed
    sources, target = FROM[action]
    return target if status in sources else NotPossible


@pytest.mark.parametrize("action", sorted(MAY))
@pytest.mark.parametrize("status", STATUSES)
def test_every_role_against_every_status(action, status, users, categories):
    for role in ROLES:
        incident = case_in(status, users, categories)
        events_before = IncidentEvent.objects.filter(incident=incident).count()
        outcome = expected(action, status, role)
        if isinstance(outcome, str):
            changed = act(action, incident, users[role], users)
            assert changed.status == outcome, (role, action, status)
            assert changed.version == incident.version + 1
            event = IncidentEvent.objects.filter(incident=incident).last()
            assert (event.action, event.from_status, event.to_status, event.actor) == (action, status, outcome, users[role])
        else:
            with pytest.raises(outcome):
                act(action, incident, users[role], users)
            incident.refresh_from_db()
            assert incident.status == status, (role, action, status)
            assert IncidentEvent.objects.filter(incident=incident).count() == events_before


def test_a_department_member_handles_their_departments_case(users, categories, department):
    incident = case_in("assigned", users, categories, department=department)
    with pytest.raises(NotAllowed):
        services.incident_handle(incident_id=incident.pk, actor=users["other_department"])
    with pytest.raises(NotAllowed):
        services.incident_handle(incident_id=incident.pk, actor=users["worker_a"])
    handled = services.incident_handle(incident_id=incident.pk, actor=users["department"], note="已修复")
    assert handled.status == "handled" and handled.handled_at is not None


def test_a_failed_inspection_sends_the_case_back_and_counts_as_rework(users, categories):
    incident = case_in("handled", users, categories)
    reworked = services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=False, note="垃圾未清运")
    assert reworked.status == "assigned" and reworked.assignee == users["worker_a"]
    assert IncidentEvent.objects.filter(incident=incident, action="rework").count() == 1
    services.incident_handle(incident_id=incident.pk, actor=users["worker_a"], note="已复清")
    passed = services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=True)
    assert passed.status == "inspected"


def test_a_failed_inspection_records_its_reason_in_the_history(users, categories):
    incident = case_in("handled", users, categories)
    services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=False, note="井盖仍松动")
    rework = incident.events.get(action="rework")
    assert (rework.note, rework.data, rework.actor) == ("井盖仍松动", {"passed": False}, users["inspector"])


def test_reassigning_moves_the_case_to_the_new_handler(users, categories, department):
    incident = case_in("assigned", users, categories)
    moved = services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], department=department)
    assert moved.assignee is None and moved.assigned_department == department
    with pytest.raises(NotAllowed):
        services.incident_handle(incident_id=incident.pk, actor=users["worker_a"])


def test_assigning_needs_exactly_one_handler(users, categories, department):
    incident = case_in("reported", users, categories)
    for kwargs in ({}, {"assignee": users["worker_a"], "department": department}):
        with pytest.raises(InvalidInput):
            services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], **kwargs)
    with pytest.raises(InvalidInput):
        services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], assignee=users["official"])
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_a_case_cannot_be_merged_into_itself(users, categories):
    incident = case_in("reported", users, categories)
    with pytest.raises(InvalidInput):
        services.incident_merge(incident_id=incident.pk, actor=users["dispatcher"], duplicate_of=incident)
    incident.refresh_from_db()
    assert incident.status == "reported"


@pytest.mark.parametrize("target_status", ["rejected", "merged"])
def test_a_case_cannot_be_merged_into_one_that_is_no_longer_live(target_status, users, categories):
    target = case_in(target_status, users, categories)
    incident = case_in("reported", users, categories)
    with pytest.raises(NotPossible) as refused:
        services.incident_merge(incident_id=incident.pk, actor=users["dispatcher"], duplicate_of=target)
    assert refused.value.status_code == 409 and target.code in refused.value.fields["duplicate_of"]
    incident.refresh_from_db()
    assert (incident.status, incident.duplicate_of_id) == ("reported", None)


def test_merges_never_form_a_cycle(users, categories):
    first = case_in("reported", users, categories)
    second = case_in("reported", users, categories)
    services.incident_merge(incident_id=first.pk, actor=users["dispatcher"], duplicate_of=second)
    with pytest.raises(NotPossible):
        services.incident_merge(incident_id=second.pk, actor=users["dispatcher"], duplicate_of=first)
    second.refresh_from_db()
    assert second.status == "reported"


def test_a_stale_version_is_a_conflict_and_changes_nothing(users, categories):
    incident = case_in("reported", users, categories)
    seen = incident.version
    services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], assignee=users["worker_a"], expected_version=seen)
    with pytest.raises(Conflict):
        services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], assignee=users["worker_b"], expected_version=seen)
    incident.refresh_from_db()
    assert incident.assignee == users["worker_a"]


def test_a_problem_fixed_on_the_spot_still_needs_inspection_and_closing(users, categories):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents.photos import prepare_photo
    from tests.incidents.images import tiny_jpeg

    photos = services.Photos(
        report=[], before=[prepare_photo(SimpleUploadedFile("b.jpg", tiny_jpeg()))], after=[prepare_photo(SimpleUploadedFile("a.jpg", tiny_jpeg()))]
    )
    incident = report(users, categories, handled_on_spot=True, photos=photos)
    assert incident.status == "handled" and incident.handled_on_spot and incident.assignee == users["worker_a"]
    assert [e.action for e in incident.events.all()] == ["report", "handle"]
    assert sorted(incident.photos.values_list("stage", flat=True)) == ["after", "before"]
    with pytest.raises(NotPossible):
        services.incident_close(incident_id=incident.pk, actor=users["dispatcher"])
    services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=True)
    assert services.incident_close(incident_id=incident.pk, actor=users["dispatcher"]).status == "closed"


def test_fixing_on_the_spot_needs_before_and_after_photos(users, categories):
    with pytest.raises(InvalidInput) as refused:
        report(users, categories, handled_on_spot=True)
    assert "photos" in refused.value.fields


@pytest.mark.parametrize("role", ["inspector", "official", "department"])
def test_roles_that_do_not_report_cannot_report(role, users, categories):
    with pytest.raises(NotAllowed):
        report(users, categories, reporter=role)
