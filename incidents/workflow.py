"""The closed loop (闭环) of an incident: every rule of who may do what, from which status.

report → assign → handle → inspect → close, with rework, rejection and merging. One table,
read top to bottom; `incidents.services.incident_transition` is the only code that applies it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


class Status:
    REPORTED = "reported"
    ASSIGNED = "assigned"
    HANDLED = "handled"
    INSPECTED = "inspected"
    CLOSED = "closed"
    REJECTED = "rejected"
    MERGED = "merged"

    CHOICES = [
        (REPORTED, _("Reported")),
        (ASSIGNED, _("Assigned")),
        (HANDLED, _("Handled")),
        (INSPECTED, _("Inspected")),
        (CLOSED, _("Closed")),
        (REJECTED, _("Rejected")),
        (MERGED, _("Merged")),
    ]
    OPEN = frozenset({REPORTED, ASSIGNED, HANDLED, INSPECTED})
    # Rejected (not a valid case) and merged (a duplicate) count as neither due nor closed.
    NOT_COUNTED = frozenset({REJECTED, MERGED})


class Action:
    REPORT = "report"
    ASSIGN = "assign"
    HANDLE = "handle"
    INSPECT = "inspect"
    REWORK = "rework"
    CLOSE = "close"
    REJECT = "reject"
    MERGE = "merge"
    # Recorded by the deadline watch, not chosen by a person; the status stays as it is.
    WARN = "warn"
    ESCALATE = "escalate"

    CHOICES = [
        (REPORT, _("Report")),
        (ASSIGN, _("Assign")),
        (HANDLE, _("Handle")),
        (INSPECT, _("Inspection passed")),
        (REWORK, _("Inspection failed: rework")),
        (CLOSE, _("Close")),
        (REJECT, _("Reject")),
        (MERGE, _("Merge as duplicate")),
        (WARN, _("Deadline warning")),
        (ESCALATE, _("Overdue: escalated")),
    ]


class Actor:
    """Who may act. Roles are the users' roles; ASSIGNEE is whoever the case is assigned to:
    the assigned user, or any member of the assigned department. Admins may do everything."""

    DISPATCHER = "dispatcher"
    INSPECTOR = "inspector"
    WORKER = "worker"
    ASSIGNEE = "assignee"


class Notify:
    """Who is told, once the action has committed."""

    COMMAND_CENTRE = "command_centre"
    ASSIGNEE = "assignee"
    INSPECTORS = "inspectors"
    REPORTER = "reporter"
    # The workers of the grid the case lies in: a case reported there by someone else (a
    # worker passing through, the command centre taking a call) is news to them.
    GRID_WORKERS = "grid_workers"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    notify: tuple[str, ...] = ()


TRANSITIONS: dict[str, Transition] = {
    Action.ASSIGN: Transition(
        sources=frozenset({Status.REPORTED, Status.ASSIGNED}),
        target=Status.ASSIGNED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.ASSIGNEE,),
    ),
    Action.HANDLE: Transition(
        sources=frozenset({Status.ASSIGNED}),
        target=Status.HANDLED,
        actors=frozenset({Actor.ASSIGNEE}),
        notify=(Notify.INSPECTORS,),
    ),
    Action.INSPECT: Transition(
        sources=frozenset({Status.HANDLED}),
        target=Status.INSPECTED,
        actors=frozenset({Actor.INSPECTOR}),
        notify=(Notify.COMMAND_CENTRE,),
    ),
    Action.REWORK: Transition(
        sources=frozenset({Status.HANDLED}),
        target=Status.ASSIGNED,
        actors=frozenset({Actor.INSPECTOR}),
        notify=(Notify.ASSIGNEE,),
    ),
    Action.CLOSE: Transition(
        sources=frozenset({Status.INSPECTED}),
        target=Status.CLOSED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.REPORTER,),
    ),
    Action.REJECT: Transition(
        sources=frozenset({Status.REPORTED, Status.ASSIGNED}),
        target=Status.REJECTED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.REPORTER,),
    ),
    Action.MERGE: Transition(
        sources=frozenset({Status.REPORTED, Status.ASSIGNED}),
        target=Status.MERGED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.REPORTER,),
    ),
}

# Anyone of these roles reports anywhere (a problem seen on the way is still a problem); the
# case goes to the grid its position lies in. A report enters the loop at `reported`; a
# problem the grid worker fixed on the spot
# (自行处置) enters at `handled` (a report event, then a handle event, each notifying as
# usual) and still goes through inspection and closing.
REPORTERS = frozenset({Actor.WORKER, Actor.DISPATCHER})
REPORT_NOTIFY = (Notify.COMMAND_CENTRE, Notify.GRID_WORKERS)
WATCH_NOTIFY = {
    Action.WARN: (Notify.ASSIGNEE,),
    Action.ESCALATE: (Notify.COMMAND_CENTRE, Notify.ASSIGNEE),
}


def action_label(action: str) -> str:
    return str(dict(Action.CHOICES).get(action, action))


def is_assignee(user, incident) -> bool:
    if incident.assignee_id is not None and incident.assignee_id == user.pk:
        return True
    return incident.assigned_department_id is not None and incident.assigned_department_id == user.department_id


def acts_as(user, actor: str, incident) -> bool:
    if user.is_platform_admin:
        return True
    if actor == Actor.ASSIGNEE:
        return is_assignee(user, incident)
    return user.role == actor


def may_report(user) -> bool:
    return user.is_platform_admin or user.role in REPORTERS
