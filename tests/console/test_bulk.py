"""One action on several cases: each through the service, and the page says which were done and
why each other was not."""

from django.urls import reverse

from incidents.models import Incident

from ..incidents.helpers import case_in, report
from ..conftest import messages_of


def picked(*incidents) -> list[str]:
    return [f"{incident.pk}:{incident.version}" for incident in incidents]


def test_bulk_assign_reports_exactly_the_case_it_could_not_assign(browse, users, categories):
    first, second = report(users, categories), report(users, categories)
    closed = case_in("closed", users, categories)
    response = browse("dispatcher").post(
        reverse("console:bulk"), {"action": "assign", "handler": f"u{users['worker_a'].pk}", "case": picked(first, second, closed)}, follow=True
    )
    said = messages_of(response)
    assert any(first.code in message and second.code in message and "2" in message for message in said)
    refusals = [message for message in said if message.startswith("Not done")]
    assert len(refusals) == 1 and closed.code in refusals[0]
    assert set(Incident.objects.filter(assignee=users["worker_a"]).values_list("pk", flat=True)) >= {first.pk, second.pk}
    closed.refresh_from_db()
    assert closed.status == "closed"


def test_bulk_close_closes_the_inspected_ones(browse, users, categories):
    ready = [case_in("inspected", users, categories) for _ in range(2)]
    handled = case_in("handled", users, categories)
    response = browse("dispatcher").post(reverse("console:bulk"), {"action": "close", "case": picked(*ready, handled)}, follow=True)
    assert sorted(Incident.objects.filter(status="closed").values_list("pk", flat=True)) == sorted(i.pk for i in ready)
    assert sum(message.startswith("Not done") for message in messages_of(response)) == 1


def test_bulk_keeps_the_list_the_dispatcher_came_from(browse, users, categories):
    incident = report(users, categories)
    response = browse("dispatcher").post(
        reverse("console:bulk"), {"action": "assign", "handler": f"u{users['worker_a'].pk}", "case": picked(incident), "back": "queue=new"}
    )
    assert response["Location"] == reverse("console:cases") + "?queue=new"


def test_a_stale_row_is_not_overwritten(browse, users, categories):
    incident = report(users, categories)
    seen = picked(incident)
    browse("dispatcher").post(reverse("console:case-action", args=[incident.pk, "assign"]), {"handler": f"u{users['worker_b'].pk}", "version": 1})
    response = browse("dispatcher").post(
        reverse("console:bulk"), {"action": "assign", "handler": f"u{users['worker_a'].pk}", "case": seen}, follow=True
    )
    assert any("Someone else changed" in message for message in messages_of(response))
    incident.refresh_from_db()
    assert incident.assignee == users["worker_b"]


def test_a_case_no_longer_assignable_says_what_it_is_now(browse, users, categories):
    incident = report(users, categories)
    seen = picked(incident)
    browse("dispatcher").post(reverse("console:case-action", args=[incident.pk, "reject"]), {"reason": "无效", "version": 1})
    response = browse("dispatcher").post(
        reverse("console:bulk"), {"action": "assign", "handler": f"u{users['worker_a'].pk}", "case": seen}, follow=True
    )
    assert any(incident.code in message and "rejected" in message.lower() for message in messages_of(response))


def test_bulk_without_cases_or_handler_changes_nothing(browse, users, categories):
    incident = report(users, categories)
    nothing = browse("dispatcher").post(reverse("console:bulk"), {"action": "assign", "handler": f"u{users['worker_a'].pk}"}, follow=True)
    assert "Select at least one case." in messages_of(nothing)
    no_handler = browse("dispatcher").post(reverse("console:bulk"), {"action": "assign", "case": picked(incident)}, follow=True)
    assert any("assignee" in message for message in messages_of(no_handler))
    odd = browse("dispatcher").post(reverse("console:bulk"), {"action": "delete", "case": picked(incident)}, follow=True)
    assert "Choose what to do with the selected cases." in messages_of(odd)
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_bulk_refuses_whoever_may_not_act(browse, users, categories):
    incident = report(users, categories)
    response = browse("inspector").post(
        reverse("console:bulk"), {"action": "assign", "handler": f"u{users['worker_a'].pk}", "case": picked(incident)}, follow=True
    )
    assert any(message.startswith("Not done") for message in messages_of(response))
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_bulk_does_not_reach_cases_the_asker_may_not_see(browse, users, categories):
    theirs = case_in("inspected", users, categories)  # a grid worker's, not the department's
    response = browse("department").post(reverse("console:bulk"), {"action": "close", "case": picked(theirs)}, follow=True)
    assert any("no such case" in message for message in messages_of(response))
    theirs.refresh_from_db()
    assert theirs.status == "inspected"
