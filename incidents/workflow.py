"""The closed loop (闭环) of an incident: every rule of who may do what, from which status.

report → accept → assign → handle → inspect → close, with rework, and the branches towns run
(CJ/T 315): return, extension, suspension, appeal, supervision cards, the closure types and
reopening. One table, read top to bottom; `incidents.services.incident_transition` is the only
code that applies it, and pages offer what `actions_for` reads from it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status:
    REPORTED = "reported"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    HANDLED = "handled"
    INSPECTED = "inspected"
    SUSPENDED = "suspended"
    CLOSED = "closed"
    REJECTED = "rejected"
    MERGED = "merged"

    CHOICES = [
        (REPORTED, _("Reported")),
        (ACCEPTED, _("Accepted, to dispatch")),
        (ASSIGNED, _("Assigned")),
        (HANDLED, _("Handled")),
        (INSPECTED, _("Inspected")),
        (SUSPENDED, _("Suspended")),
        (CLOSED, _("Closed")),
        (REJECTED, _("Rejected")),
        (MERGED, _("Merged")),
    ]
    # Live, with the clock running. A suspended case is live but its clock stands still: it is
    # neither due nor overdue until it is resumed.
    OPEN = frozenset({REPORTED, ACCEPTED, ASSIGNED, HANDLED, INSPECTED})
    LIVE = OPEN | {SUSPENDED}
    # Rejected (not a valid case) and merged (a duplicate) count as neither due nor closed.
    NOT_COUNTED = frozenset({REJECTED, MERGED})


class Stage:
    """The stages a case is timed in, each with its own limit (CJ/T 315): accepting the report
    (受理), dispatching it (派遣), handling it (处置) and inspecting the handling (核查)."""

    ACCEPT = "accept"
    DISPATCH = "dispatch"
    HANDLE = "handle"
    INSPECT = "inspect"

    CHOICES = [
        (ACCEPT, _("accepting")),
        (DISPATCH, _("dispatching")),
        (HANDLE, _("handling")),
        (INSPECT, _("inspecting")),
    ]
    ORDER = (ACCEPT, DISPATCH, HANDLE, INSPECT)


# The stage a case is timed in while it has this status; other statuses run no stage clock.
STAGE_OF = {
    Status.REPORTED: Stage.ACCEPT,
    Status.ACCEPTED: Stage.DISPATCH,
    Status.ASSIGNED: Stage.HANDLE,
    Status.HANDLED: Stage.INSPECT,
}


class Action:
    REPORT = "report"
    ACCEPT = "accept"
    ASSIGN = "assign"
    RETURN = "return"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    HANDLE = "handle"
    INSPECT = "inspect"
    REWORK = "rework"
    CLOSE = "close"
    CLOSE_ERRONEOUS = "close_erroneous"
    CLOSE_SPECIAL = "close_special"
    REOPEN = "reopen"
    REJECT = "reject"
    MERGE = "merge"
    SUSPEND = "suspend"
    RESUME = "resume"
    APPEAL = "appeal"
    UPHOLD_APPEAL = "uphold_appeal"
    DISMISS_APPEAL = "dismiss_appeal"
    CARD = "card"
    # Recorded by the watches, not chosen by a person; the status stays as it is.
    WARN = "warn"
    ESCALATE = "escalate"
    REVIEW_DUE = "review_due"

    # In context: the same words name other things on other screens. Without it, our "Close"
    # (销号, closing a case) replaced Django's own "Close" (关闭) on every admin page.
    CHOICES = [
        (REPORT, pgettext_lazy("incident action", "Report")),
        (ACCEPT, pgettext_lazy("incident action", "Accept")),
        (ASSIGN, pgettext_lazy("incident action", "Assign")),
        (RETURN, pgettext_lazy("incident action", "Return: not ours")),
        (REQUEST_EXTENSION, pgettext_lazy("incident action", "Ask for more time")),
        (APPROVE_EXTENSION, pgettext_lazy("incident action", "Approve the extension")),
        (REFUSE_EXTENSION, pgettext_lazy("incident action", "Refuse the extension")),
        (HANDLE, pgettext_lazy("incident action", "Handle")),
        (INSPECT, pgettext_lazy("incident action", "Inspection passed")),
        (REWORK, pgettext_lazy("incident action", "Inspection failed: rework")),
        (CLOSE, pgettext_lazy("incident action", "Close")),
        (CLOSE_ERRONEOUS, pgettext_lazy("incident action", "Close as erroneous")),
        (CLOSE_SPECIAL, pgettext_lazy("incident action", "Close by special decision")),
        (REOPEN, pgettext_lazy("incident action", "Reopen")),
        (REJECT, pgettext_lazy("incident action", "Reject")),
        (MERGE, pgettext_lazy("incident action", "Merge as duplicate")),
        (SUSPEND, pgettext_lazy("incident action", "Suspend")),
        (RESUME, pgettext_lazy("incident action", "Resume")),
        (APPEAL, pgettext_lazy("incident action", "Appeal")),
        (UPHOLD_APPEAL, pgettext_lazy("incident action", "Uphold the appeal")),
        (DISMISS_APPEAL, pgettext_lazy("incident action", "Dismiss the appeal")),
        (CARD, pgettext_lazy("incident action", "Supervision card")),
        (WARN, pgettext_lazy("incident action", "Deadline warning")),
        (ESCALATE, pgettext_lazy("incident action", "Overdue: escalated")),
        (REVIEW_DUE, pgettext_lazy("incident action", "Suspension due for review")),
    ]


class Actor:
    """Who may act. Roles are the users' roles; ASSIGNEE is whoever the case is assigned to:
    the assigned user, or any member of the assigned department. Admins may do everything."""

    DISPATCHER = "dispatcher"
    INSPECTOR = "inspector"
    OFFICIAL = "official"
    WORKER = "worker"
    ASSIGNEE = "assignee"


class Notify:
    """Who is told, once the action has committed."""

    COMMAND_CENTRE = "command_centre"
    ASSIGNEE = "assignee"
    DEPARTMENT_HEAD = "department_head"
    INSPECTORS = "inspectors"
    OFFICIALS = "officials"
    REPORTER = "reporter"
    # The workers of the grid the case lies in: a case reported there by someone else (a
    # worker passing through, the command centre taking a call) is news to them.
    GRID_WORKERS = "grid_workers"


class Closure:
    NORMAL = "normal"
    OVERDUE = "overdue"
    ERRONEOUS = "erroneous"  # the report turned out wrong after dispatch
    SPECIAL = "special"  # closed by an official's decision

    CHOICES = [
        (NORMAL, _("normal")),
        (OVERDUE, _("overdue")),
        (ERRONEOUS, _("erroneous")),
        (SPECIAL, _("special")),
    ]


class Appeal:
    PENDING = "pending"
    UPHELD = "upheld"
    DISMISSED = "dismissed"

    CHOICES = [(PENDING, _("pending")), (UPHELD, _("upheld")), (DISMISSED, _("dismissed"))]


class Card:
    """Supervision cards (督办), from the mildest."""

    ORDINARY = "ordinary"
    YELLOW = "yellow"
    RED = "red"

    CHOICES = [(ORDINARY, _("ordinary")), (YELLOW, _("yellow card")), (RED, _("red card"))]


# A condition looks at the case alone (no query, so a list can ask it of every row) and gives
# the reason the action is not possible now, or None.
Condition = Callable[[object, datetime], str | None]


def no_pending_extension(incident, now):
    if incident.extension_requested_until:
        return _("An extension request is already waiting for a decision.")
    return None


def pending_extension(incident, now):
    return None if incident.extension_requested_until else _("No extension request is waiting.")


def is_late(incident, now) -> bool:
    """Past the case's deadline: closed after it, or live and not closed by it."""
    if incident.deadline is None:
        return False
    return (incident.closed_at if incident.status == Status.CLOSED else now) > incident.deadline


def not_handled_yet(incident, now):
    """Returned before it is handled: once handled (and sent back for rework), it is theirs."""
    if incident.handled_at and incident.assigned_at and incident.handled_at >= incident.assigned_at:
        return _("A case handled since it was assigned cannot be returned.")
    return None


def appealable(incident, now):
    if incident.appeal:
        return _("This case has already been appealed.")
    if not (incident.rework_count or is_late(incident, now)):
        return _("Only a judgement can be appealed: a case that is overdue or was sent back for rework.")
    return None


def pending_appeal(incident, now):
    return None if incident.appeal == Appeal.PENDING else _("No appeal is waiting for a decision.")


def recently_closed(incident, now):
    if incident.closed_at and now - incident.closed_at <= timedelta(days=settings.REOPEN_DAYS):
        return None
    return _("Only a case closed within the last %(days)d days can be reopened.") % {"days": settings.REOPEN_DAYS}


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    # None: the status stays as it is (a request, a decision, a card).
    target: str | None
    actors: frozenset[str]
    notify: tuple[str, ...] = ()
    condition: Condition | None = None


DISPATCHED = frozenset({Status.ASSIGNED, Status.HANDLED, Status.INSPECTED})

TRANSITIONS: dict[str, Transition] = {
    Action.ACCEPT: Transition(
        sources=frozenset({Status.REPORTED}),
        target=Status.ACCEPTED,
        actors=frozenset({Actor.DISPATCHER}),
    ),
    # Straight from `reported`, the case is accepted and dispatched at once.
    Action.ASSIGN: Transition(
        sources=frozenset({Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED}),
        target=Status.ASSIGNED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.ASSIGNEE,),
    ),
    # Not ours (退回): back to the command centre before handling; the handler's clock stops.
    Action.RETURN: Transition(
        sources=frozenset({Status.ASSIGNED}),
        target=Status.ACCEPTED,
        actors=frozenset({Actor.ASSIGNEE}),
        notify=(Notify.COMMAND_CENTRE,),
        condition=not_handled_yet,
    ),
    Action.REQUEST_EXTENSION: Transition(
        sources=frozenset({Status.ASSIGNED}),
        target=None,
        actors=frozenset({Actor.ASSIGNEE}),
        notify=(Notify.COMMAND_CENTRE,),
        condition=no_pending_extension,
    ),
    Action.APPROVE_EXTENSION: Transition(
        sources=frozenset({Status.ASSIGNED}),
        target=None,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.ASSIGNEE,),
        condition=pending_extension,
    ),
    Action.REFUSE_EXTENSION: Transition(
        sources=frozenset({Status.ASSIGNED}),
        target=None,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.ASSIGNEE,),
        condition=pending_extension,
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
    Action.CLOSE_ERRONEOUS: Transition(
        sources=DISPATCHED | {Status.SUSPENDED},
        target=Status.CLOSED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.REPORTER, Notify.ASSIGNEE),
    ),
    Action.CLOSE_SPECIAL: Transition(
        sources=Status.LIVE,
        target=Status.CLOSED,
        actors=frozenset({Actor.OFFICIAL}),
        notify=(Notify.COMMAND_CENTRE, Notify.REPORTER, Notify.ASSIGNEE),
    ),
    # Found back within REOPEN_DAYS: dispatched again, counted as reworked, one history.
    Action.REOPEN: Transition(
        sources=frozenset({Status.CLOSED}),
        target=Status.ACCEPTED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.REPORTER, Notify.ASSIGNEE),
        condition=recently_closed,
    ),
    Action.REJECT: Transition(
        sources=frozenset({Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED}),
        target=Status.REJECTED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.REPORTER,),
    ),
    Action.MERGE: Transition(
        sources=frozenset({Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED}),
        target=Status.MERGED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.REPORTER,),
    ),
    # Cannot be handled now (budget, a works project): the clock stops until it is resumed.
    Action.SUSPEND: Transition(
        sources=frozenset({Status.ASSIGNED}),
        target=Status.SUSPENDED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.ASSIGNEE,),
    ),
    Action.RESUME: Transition(
        sources=frozenset({Status.SUSPENDED}),
        target=Status.ASSIGNED,
        actors=frozenset({Actor.DISPATCHER}),
        notify=(Notify.ASSIGNEE,),
    ),
    Action.APPEAL: Transition(
        sources=DISPATCHED | {Status.CLOSED},
        target=None,
        actors=frozenset({Actor.ASSIGNEE}),
        notify=(Notify.OFFICIALS,),
        condition=appealable,
    ),
    Action.UPHOLD_APPEAL: Transition(
        sources=DISPATCHED | {Status.CLOSED},
        target=None,
        actors=frozenset({Actor.OFFICIAL}),
        notify=(Notify.ASSIGNEE, Notify.COMMAND_CENTRE),
        condition=pending_appeal,
    ),
    Action.DISMISS_APPEAL: Transition(
        sources=DISPATCHED | {Status.CLOSED},
        target=None,
        actors=frozenset({Actor.OFFICIAL}),
        notify=(Notify.ASSIGNEE,),
        condition=pending_appeal,
    ),
    # By hand; the deadline watch issues cards by rule (services.incident_mark_deadlines).
    # Who is told depends on the colour: CARD_NOTIFY.
    Action.CARD: Transition(
        sources=Status.LIVE,
        target=None,
        actors=frozenset({Actor.DISPATCHER, Actor.OFFICIAL}),
    ),
}

# The action that completes each stage; a stage ended otherwise (a handler returning the case,
# a reassignment) is not held against the one whose clock it was.
COMPLETES = {
    Stage.ACCEPT: frozenset({Action.ACCEPT, Action.ASSIGN, Action.REJECT, Action.MERGE}),
    Stage.DISPATCH: frozenset({Action.ASSIGN}),
    Stage.HANDLE: frozenset({Action.HANDLE}),
    Stage.INSPECT: frozenset({Action.INSPECT, Action.REWORK}),
}

# Anyone of these roles reports anywhere (a problem seen on the way is still a problem); the
# case goes to the grid its position lies in. A report enters the loop at `reported`; a
# problem the grid worker fixed on the spot
# (自行处置) enters at `handled` (a report event, then a handle event, each notifying as
# usual) and still goes through inspection and closing.
REPORTERS = frozenset({Actor.WORKER, Actor.DISPATCHER})
REPORT_NOTIFY = (Notify.COMMAND_CENTRE, Notify.GRID_WORKERS)
# Whose clock a stage is: told of its warning, and with the command centre of its escalation.
STAGE_OWNER = {
    Stage.ACCEPT: Notify.COMMAND_CENTRE,
    Stage.DISPATCH: Notify.COMMAND_CENTRE,
    Stage.HANDLE: Notify.ASSIGNEE,
    Stage.INSPECT: Notify.INSPECTORS,
}
CARD_NOTIFY = {
    Card.ORDINARY: (Notify.ASSIGNEE, Notify.DEPARTMENT_HEAD),
    Card.YELLOW: (Notify.ASSIGNEE, Notify.DEPARTMENT_HEAD),
    Card.RED: (Notify.ASSIGNEE, Notify.DEPARTMENT_HEAD, Notify.OFFICIALS),
}


def watch_notify(action: str, stage: str) -> tuple[str, ...]:
    owner = STAGE_OWNER[stage]
    if action == Action.WARN:
        return (owner,)
    return tuple(dict.fromkeys((Notify.COMMAND_CENTRE, owner)))


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


def refusal(action: str, user, incident, now) -> str | None:
    """Why `user` may not take `action` on the case now, or None; the order of the checks is
    the order of the answers: not yours (403), then not now (409)."""
    transition = TRANSITIONS[action]
    if not any(acts_as(user, who, incident) for who in transition.actors):
        return "actor"
    if incident.status not in transition.sources:
        return "status"
    if transition.condition:
        return transition.condition(incident, now)
    return None


def actions_for(user, incident, now) -> list[str]:
    """The actions `user` may take on the case now, in the table's order."""
    return [action for action in TRANSITIONS if refusal(action, user, incident, now) is None]


def may_report(user) -> bool:
    return user.is_platform_admin or user.role in REPORTERS
