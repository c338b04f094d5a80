"""The transition table, every action against every status and every role.

The expectations are written out here as the rules a town would state them, not read from
incidents/workflow.py, so a change to the table shows up as a failing test.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.errors import Conflict, InvalidInput, NotAllowed, NotPossible
from incidents.models import Incident, IncidentEvent
from incidents.workflow import TRANSITIONS

from .helpers import case_in, report

STATUSES = ["reported", "accepted", "assigned", "handled", "inspected", "suspended", "closed", "rejected", "merged"]
ROLES = ["admin", "dispatcher", "inspector", "official", "worker_a", "worker_b", "department", "other_department"]
LIVE = {"reported", "accepted", "assigned", "handled", "inspected", "suspended"}
DISPATCHED = {"assigned", "handled", "inspected"}

# Who may take each action (worker_a is the handler once the case is assigned) ...
MAY = {
    "accept": {"admin", "dispatcher"},
    "assign": {"admin", "dispatcher"},
    "return": {"admin", "worker_a"},
    "request_extension": {"admin", "worker_a"},
    "approve_extension": {"admin", "dispatcher"},
    "refuse_extension": {"admin", "dispatcher"},
    "handle": {"admin", "worker_a"},
    "inspect": {"admin", "inspector"},
    "rework": {"admin", "inspector"},
    "close": {"admin", "dispatcher"},
    "close_erroneous": {"admin", "dispatcher"},
    "close_special": {"admin", "official"},
    "reopen": {"admin", "dispatcher"},
    "reject": {"admin", "dispatcher"},
    "merge": {"admin", "dispatcher"},
    "suspend": {"admin", "dispatcher"},
    "resume": {"admin", "dispatcher"},
    "appeal": {"admin", "worker_a"},
    "uphold_appeal": {"admin", "official"},
    "dismiss_appeal": {"admin", "official"},
    "card": {"admin", "dispatcher", "official"},
}
# ... from which statuses, and where the case goes (None: it stays where it is).
FROM = {
    "accept": ({"reported"}, "accepted"),
    "assign": ({"reported", "accepted", "assigned"}, "assigned"),
    "return": ({"assigned"}, "accepted"),
    "request_extension": ({"assigned"}, None),
    "approve_extension": ({"assigned"}, None),
    "refuse_extension": ({"assigned"}, None),
    "handle": ({"assigned"}, "handled"),
    "inspect": ({"handled"}, "inspected"),
    "rework": ({"handled"}, "assigned"),
    "close": ({"inspected"}, "closed"),
    "close_erroneous": (DISPATCHED | {"suspended"}, "closed"),
    "close_special": (LIVE, "closed"),
    "reopen": ({"closed"}, "accepted"),
    "reject": ({"reported", "accepted", "assigned"}, "rejected"),
    "merge": ({"reported", "accepted", "assigned"}, "merged"),
    "suspend": ({"assigned"}, "suspended"),
    "resume": ({"suspended"}, "assigned"),
    "appeal": (DISPATCHED | {"closed"}, None),
    "uphold_appeal": (DISPATCHED | {"closed"}, None),
    "dismiss_appeal": (DISPATCHED | {"closed"}, None),
    "card": (LIVE, None),
}
NEVER_ASSIGNED = {"reported", "accepted", "rejected", "merged"}


def test_the_expectations_cover_the_whole_table():
    assert set(MAY) == set(FROM) == set(TRANSITIONS)


def prepare(action, incident, users):
    """What must have happened first: a request to decide on, a judgement to appeal."""
    if action in ("approve_extension", "refuse_extension") and incident.status == "assigned":
        act("request_extension", incident, users["worker_a"], users)
    if action in ("appeal", "uphold_appeal", "dismiss_appeal"):
        Incident.objects.filter(pk=incident.pk).update(deadline=incident.reported_at)  # late
    if action in ("uphold_appeal", "dismiss_appeal") and incident.status in FROM["appeal"][0]:
        services.incident_appeal(incident_id=incident.pk, actor=users["worker_a"], reason="系统时钟有误")
    incident.refresh_from_db()


def act(action, incident, actor, users):
    common = {"incident_id": incident.pk, "actor": actor}
    if action == "accept":
        return services.incident_accept(**common)
    if action == "assign":
        return services.incident_assign(**common, assignee=users["worker_b"])
    if action == "return":
        return services.incident_return(**common, reason="不属于本单位职责")
    if action == "request_extension":
        until = (incident.current_stage.deadline if incident.current_stage else timezone.now()) + timedelta(days=3)
        return services.incident_request_extension(**common, reason="需采购配件", until=until)
    if action in ("approve_extension", "refuse_extension"):
        return services.incident_decide_extension(**common, approve=action == "approve_extension", note="同意" if action == "approve_extension" else "不同意")
    if action == "handle":
        return services.incident_handle(**common, note="已处理")
    if action in ("inspect", "rework"):
        return services.incident_inspect(**common, passed=action == "inspect", note="" if action == "inspect" else "未清理干净")
    if action == "close":
        return services.incident_close(**common)
    if action == "close_erroneous":
        return services.incident_close_erroneous(**common, reason="现场无此问题")
    if action == "close_special":
        return services.incident_close_special(**common, reason="镇领导批示结案")
    if action == "reopen":
        return services.incident_reopen(**common, reason="问题复发")
    if action == "reject":
        return services.incident_reject(**common, reason="重复上报")
    if action == "merge":
        other = report(users, incident.category and {"rubbish": incident.category})
        return services.incident_merge(**common, duplicate_of=other)
    if action == "suspend":
        return services.incident_suspend(**common, reason="需纳入年度改造计划", review_on=timezone.localdate() + timedelta(days=30))
    if action == "resume":
        return services.incident_resume(**common)
    if action == "appeal":
        return services.incident_appeal(**common, reason="超期系因停电")
    if action in ("uphold_appeal", "dismiss_appeal"):
        return services.incident_decide_appeal(**common, uphold=action == "uphold_appeal", note="经核实")
    if action == "card":
        return services.incident_card(**common, level="yellow", note="请加快处置")
    raise AssertionError(action)


def expected(action, status, role):
    allowed_roles = MAY[action]
    if "worker_a" in allowed_roles and status in NEVER_ASSIGNED:
        allowed_roles = {"admin"}
    if role not in allowed_roles:
        return NotAllowed
    sources, target = FROM[action]
    return (target or status) if status in sources else NotPossible


@pytest.mark.parametrize("action", sorted(MAY))
@pytest.mark.parametrize("status", STATUSES)
def test_every_role_against_every_status(action, status, users, categories):
    refused_on = case_in(status, users, categories)
    prepare(action, refused_on, users)
    for role in ROLES:
        outcome = expected(action, status, role)
        if isinstance(outcome, str):
            incident = case_in(status, users, categories)
            prepare(action, incident, users)
            changed = act(action, incident, users[role], users)
            assert changed.status == outcome, (role, action, status)
            assert changed.version == incident.version + 1
            event = IncidentEvent.objects.filter(incident=incident).last()
            assert (event.action, event.from_status, event.to_status, event.actor) == (action, status, outcome, users[role])
        else:
            events_before = IncidentEvent.objects.filter(incident=refused_on).count()
            with pytest.raises(outcome):
                act(action, refused_on, users[role], users)
            refused_on.refresh_from_db()
            assert refused_on.status == status, (role, action, status)
            assert IncidentEvent.objects.filter(incident=refused_on).count() == events_before


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


@pytest.mark.parametrize("target_status", ["closed", "rejected", "merged"])
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
