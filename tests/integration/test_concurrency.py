"""Two people acting on one case (or on two cases that refer to each other) at the same instant:
exactly one wins, the other is told why, and nobody gets a 500.

Each person is a thread with its own database connection; a barrier releases them together,
and every save is slowed down so that both have read the case before either writes it.
Without the row lock (SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) both
would win.
"""

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import Role, User
from incidents.errors import Conflict, NotPossible
from incidents.models import Incident, IncidentEvent, IncidentStage, SupervisionCard
from incidents.services import (
    incident_appeal,
    incident_assign,
    incident_close,
    incident_close_erroneous,
    incident_close_special,
    incident_decide_appeal,
    incident_decide_extension,
    incident_handle,
    incident_inspect,
    incident_mark_deadlines,
    incident_merge,
    incident_reject,
    incident_reopen,
    incident_report,
    incident_request_extension,
    incident_return,
    incident_suspend,
)
from tests.conftest import IN_GRID_A, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SAVE_DELAY_SECONDS = 0.3


@pytest.fixture(autouse=True)
def _locking_database(transactional_db):
    if connection.vendor not in ("postgresql", "sqlite"):
        pytest.skip(f"row locking is proven on PostgreSQL and SQLite only, not on {connection.vendor}")


def at_once(*calls) -> list:
    """Run each call in its own thread, all released together; the result or the exception of each."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting: a deadlock?"
    return outcomes


@pytest.fixture
def slow_saves(monkeypatch):
    """Widen the gap between reading a case and saving it, once the case is set up."""
    save = Incident.save

    def slow_save(self, *args, **kwargs):
        time.sleep(SAVE_DELAY_SECONDS)
        return save(self, *args, **kwargs)

    return lambda: monkeypatch.setattr(Incident, "save", slow_save)


@pytest.fixture
def reported(users, categories) -> Incident:
    incident, _ = incident_report(reporter=users["worker_a"], category=categories["rubbish"], description="路边垃圾堆积", **IN_GRID_A)
    return incident


@pytest.fixture
def handled(reported, users) -> Incident:
    incident_assign(incident_id=reported.pk, actor=users["dispatcher"], assignee=users["worker_a"])
    return incident_handle(incident_id=reported.pk, actor=users["worker_a"], note="已清理")


@pytest.fixture
def inspected(handled, users) -> Incident:
    return incident_inspect(incident_id=handled.pk, actor=users["inspector"], passed=True)


def winner_and_loser(outcomes: list) -> tuple[Incident, Exception]:
    won = [outcome for outcome in outcomes if isinstance(outcome, Incident)]
    lost = [outcome for outcome in outcomes if not isinstance(outcome, Incident)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    return won[0], lost[0]


def actions(incident: Incident) -> list[str]:
    return list(IncidentEvent.objects.filter(incident=incident).values_list("action", flat=True))


def test_two_inspectors_at_once_one_passes_one_fails_and_only_one_counts(handled, users, slow_saves):
    second_inspector = make_user("inspector2", Role.INSPECTOR)
    slow_saves()

    outcomes = at_once(
        lambda: incident_inspect(incident_id=handled.pk, actor=users["inspector"], passed=True),
        lambda: incident_inspect(incident_id=handled.pk, actor=second_inspector, passed=False, note="垃圾还在"),
    )

    winner, loser = winner_and_loser(outcomes)
    assert isinstance(loser, NotPossible) and loser.status_code == 409
    assert actions(handled) == ["report", "assign", "handle", "inspect" if winner.status == "inspected" else "rework"]
    handled.refresh_from_db()
    assert handled.status == winner.status


def test_two_dispatchers_closing_at_once_close_it_once(inspected, users, slow_saves):
    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    slow_saves()

    outcomes = at_once(
        lambda: incident_close(incident_id=inspected.pk, actor=users["dispatcher"]),
        lambda: incident_close(incident_id=inspected.pk, actor=second_dispatcher),
    )

    _, loser = winner_and_loser(outcomes)
    assert isinstance(loser, NotPossible) and loser.status_code == 409
    assert actions(inspected).count("close") == 1


def test_two_dispatchers_assigning_the_version_they_saw_one_wins_one_conflicts(reported, users, slow_saves):
    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    seen = reported.version
    slow_saves()

    outcomes = at_once(
        lambda: incident_assign(incident_id=reported.pk, actor=users["dispatcher"], assignee=users["worker_a"], expected_version=seen),
        lambda: incident_assign(incident_id=reported.pk, actor=second_dispatcher, assignee=users["worker_b"], expected_version=seen),
    )

    winner, loser = winner_and_loser(outcomes)
    assert isinstance(loser, Conflict) and loser.status_code == 409
    assert actions(reported).count("assign") == 1
    reported.refresh_from_db()
    assert (reported.assignee_id, reported.version) == (winner.assignee_id, seen + 1)


def test_over_the_api_the_second_dispatcher_gets_409_saying_to_reload(reported, users, slow_saves):
    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    slow_saves()

    def assign_as(dispatcher, assignee):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_authenticate(dispatcher)
        return client.post(
            f"/api/v1/incidents/{reported.pk}/assign/", {"assignee": assignee.pk, "version": reported.version}, format="json"
        )

    responses = at_once(
        lambda: assign_as(users["dispatcher"], users["worker_a"]), lambda: assign_as(second_dispatcher, users["worker_b"])
    )

    assert sorted(response.status_code for response in responses) == [200, 409], responses
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json() == {"detail": "Someone else changed this incident; reload it and try again."}
    assert actions(reported).count("assign") == 1


@pytest.fixture
def two_reported(users, categories) -> tuple[Incident, Incident]:
    first, _ = incident_report(reporter=users["worker_a"], category=categories["rubbish"], description="路边垃圾堆积", **IN_GRID_A)
    second, _ = incident_report(reporter=users["worker_b"], category=categories["rubbish"], description="同一堆垃圾", **IN_GRID_A)
    return first, second


def test_merging_two_cases_into_each_other_at_once_merges_one_and_refuses_the_other(two_reported, users, slow_saves):
    first, second = two_reported
    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    slow_saves()

    outcomes = at_once(
        lambda: incident_merge(incident_id=first.pk, actor=users["dispatcher"], duplicate_of=second),
        lambda: incident_merge(incident_id=second.pk, actor=second_dispatcher, duplicate_of=first),
    )

    winner, loser = winner_and_loser(outcomes)
    assert isinstance(loser, NotPossible) and loser.status_code == 409 and "duplicate_of" in loser.fields
    merged = Incident.objects.filter(status="merged")
    assert list(merged) == [winner]
    assert Incident.objects.get(pk=winner.duplicate_of_id).status == "reported"


def test_merging_into_a_case_while_it_is_rejected_never_merges_into_a_rejected_case(two_reported, users, slow_saves):
    duplicate, target = two_reported
    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    slow_saves()

    def merge_a_moment_later():
        time.sleep(SAVE_DELAY_SECONDS / 3)  # the rejection holds the target's lock by now
        return incident_merge(incident_id=duplicate.pk, actor=second_dispatcher, duplicate_of=target)

    outcomes = at_once(
        lambda: incident_reject(incident_id=target.pk, actor=users["dispatcher"], reason="不属于受理范围"),
        merge_a_moment_later,
    )

    rejected, refused = outcomes
    assert isinstance(rejected, Incident) and rejected.status == "rejected"
    assert isinstance(refused, NotPossible) and refused.status_code == 409
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of_id) == ("reported", None)


def test_merges_crossing_over_the_api_answer_200_and_409_never_500(two_reported, users, slow_saves):
    first, second = two_reported
    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    slow_saves()

    def merge_as(dispatcher, incident, into):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_authenticate(dispatcher)
        return client.post(f"/api/v1/incidents/{incident.pk}/merge/", {"duplicate_of": into.pk}, format="json")

    responses = at_once(lambda: merge_as(users["dispatcher"], first, second), lambda: merge_as(second_dispatcher, second, first))

    assert sorted(response.status_code for response in responses) == [200, 409], responses
    refused = next(response for response in responses if response.status_code == 409)
    assert "duplicate_of" in refused.json()


def test_a_worker_cannot_be_deactivated_half_way_through_being_assigned_a_case(reported, users, slow_saves):
    """The assignment reads the worker to decide (active, a handler) and holds that row until it
    commits, so a deactivation waits for it instead of slipping in between the check and the save."""
    worker = users["worker_b"]
    finished = {}
    slow_saves()

    def assign():
        incident = incident_assign(incident_id=reported.pk, actor=users["dispatcher"], assignee=worker)
        finished["assign"] = time.monotonic()
        return incident

    def deactivate_a_moment_later():
        time.sleep(SAVE_DELAY_SECONDS / 3)  # the assignment has read the worker and is saving the case
        User.objects.filter(pk=worker.pk).update(is_active=False)
        finished["deactivate"] = time.monotonic()

    outcomes = at_once(assign, deactivate_a_moment_later)

    assert isinstance(outcomes[0], Incident), outcomes
    assert finished["deactivate"] > finished["assign"]


# The branches (returns, extensions, suspensions, appeals, cards, reopening)


@pytest.fixture
def assigned(reported, users) -> Incident:
    return incident_assign(incident_id=reported.pk, actor=users["dispatcher"], assignee=users["worker_a"])


def test_two_members_returning_a_department_case_at_once_return_it_once(reported, users, department, slow_saves):
    incident_assign(incident_id=reported.pk, actor=users["dispatcher"], department=department)
    colleague = make_user("department2", Role.DEPARTMENT, department=department)
    slow_saves()

    outcomes = at_once(
        lambda: incident_return(incident_id=reported.pk, actor=users["department"], reason="不属本单位"),
        lambda: incident_return(incident_id=reported.pk, actor=colleague, reason="非我单位职责"),
    )

    winner_and_loser(outcomes)
    reported.refresh_from_db()
    assert (reported.status, reported.return_count, actions(reported).count("return")) == ("accepted", 1, 1)


def test_two_extension_requests_at_once_leave_one_pending(assigned, users, slow_saves):
    until = IncidentStage.objects.get(pk=assigned.current_stage_id).deadline + timedelta(days=1)
    slow_saves()

    outcomes = at_once(
        lambda: incident_request_extension(incident_id=assigned.pk, actor=users["worker_a"], reason="需配件", until=until),
        lambda: incident_request_extension(incident_id=assigned.pk, actor=users["worker_a"], reason="需配件", until=until + timedelta(days=1)),
    )

    winner, loser = winner_and_loser(outcomes)
    assert isinstance(loser, NotPossible) and loser.status_code == 409
    assert actions(assigned).count("request_extension") == 1


def test_approving_and_refusing_an_extension_at_once_decides_it_once(assigned, users, slow_saves):
    stage = IncidentStage.objects.get(pk=assigned.current_stage_id)
    incident_request_extension(incident_id=assigned.pk, actor=users["worker_a"], reason="需配件", until=stage.deadline + timedelta(days=1))
    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    slow_saves()

    outcomes = at_once(
        lambda: incident_decide_extension(incident_id=assigned.pk, actor=users["dispatcher"], approve=True),
        lambda: incident_decide_extension(incident_id=assigned.pk, actor=second_dispatcher, approve=False, note="不同意"),
    )

    winner, loser = winner_and_loser(outcomes)
    assert isinstance(loser, NotPossible) and loser.status_code == 409
    assigned.refresh_from_db()
    assert assigned.extension_count == (1 if actions(assigned)[-1] == "approve_extension" else 0)
    assert len([a for a in actions(assigned) if a in ("approve_extension", "refuse_extension")]) == 1


def test_suspending_while_the_handler_handles_does_one_or_the_other(assigned, users, slow_saves):
    slow_saves()

    outcomes = at_once(
        lambda: incident_suspend(incident_id=assigned.pk, actor=users["dispatcher"], reason="需立项", review_on=date.today() + timedelta(days=30)),
        lambda: incident_handle(incident_id=assigned.pk, actor=users["worker_a"], note="已处理"),
    )

    winner, loser = winner_and_loser(outcomes)
    assert isinstance(loser, NotPossible)
    assigned.refresh_from_db()
    assert assigned.status == winner.status in ("suspended", "handled")


def test_two_officials_deciding_one_appeal_at_once_decide_it_once(assigned, users, slow_saves):
    Incident.objects.filter(pk=assigned.pk).update(deadline=assigned.reported_at)
    incident_appeal(incident_id=assigned.pk, actor=users["worker_a"], reason="超期系因停电")
    second_official = make_user("official2", Role.OFFICIAL)
    slow_saves()

    outcomes = at_once(
        lambda: incident_decide_appeal(incident_id=assigned.pk, actor=users["official"], uphold=True, note="属实"),
        lambda: incident_decide_appeal(incident_id=assigned.pk, actor=second_official, uphold=False, note="理由不足"),
    )

    winner, loser = winner_and_loser(outcomes)
    assert isinstance(loser, NotPossible) and loser.status_code == 409
    assigned.refresh_from_db()
    assert assigned.appeal == winner.appeal


def test_two_deadline_watches_at_once_issue_each_card_once(assigned, users):
    later = assigned.deadline + timedelta(days=30)

    outcomes = at_once(lambda: incident_mark_deadlines(now=later), lambda: incident_mark_deadlines(now=later))

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert sum(outcome["cards"] for outcome in outcomes) == 3
    assert sorted(SupervisionCard.objects.filter(incident=assigned).values_list("level", flat=True)) == ["ordinary", "red", "yellow"]
    assert actions(assigned).count("escalate") == 1


def test_two_dispatchers_reopening_at_once_reopen_it_once(inspected, users, slow_saves):
    incident_close(incident_id=inspected.pk, actor=users["dispatcher"])
    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    slow_saves()

    outcomes = at_once(
        lambda: incident_reopen(incident_id=inspected.pk, actor=users["dispatcher"], reason="复发"),
        lambda: incident_reopen(incident_id=inspected.pk, actor=second_dispatcher, reason="居民再次反映"),
    )

    winner_and_loser(outcomes)
    inspected.refresh_from_db()
    assert (inspected.status, inspected.rework_count, actions(inspected).count("reopen")) == ("accepted", 1, 1)


def test_closing_as_erroneous_and_by_special_decision_at_once_closes_it_once(assigned, users, slow_saves):
    slow_saves()

    outcomes = at_once(
        lambda: incident_close_erroneous(incident_id=assigned.pk, actor=users["dispatcher"], reason="上报有误"),
        lambda: incident_close_special(incident_id=assigned.pk, actor=users["official"], reason="领导决定"),
    )

    winner, loser = winner_and_loser(outcomes)
    assert isinstance(loser, NotPossible) and loser.status_code == 409
    assigned.refresh_from_db()
    assert assigned.closure == winner.closure in ("erroneous", "special")
    assert len([a for a in actions(assigned) if a.startswith("close")]) == 1
