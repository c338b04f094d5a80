"""Two people acting on one case at the same instant: exactly one wins, the other is told why.

Each person is a thread with its own database connection; a barrier releases them together,
and every save is slowed down so that both have read the case before either writes it.
Without the row lock (SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) both
would win.
"""

import threading
import time

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import Role
from incidents.errors import Conflict, NotPossible
from incidents.models import Incident, IncidentEvent
from incidents.services import incident_assign, incident_close, incident_handle, incident_inspect, incident_report
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
