"""The clocks of a case: one per stage (CJ/T 315), and its own from report to close.

Accepting, dispatching and inspecting are timed by the stage limits (StageLimit rows, else
STAGE_LIMIT_MINUTES), in working time, or continuously for a category timed in urgent hours;
handling by the category's time limit. The case's own deadline is the four limits one after
another from the report, so a case on time at every stage is on time overall.

Only `incidents.services` calls these, inside its transactions. A stage row is written only
while its case's row is locked, so the case's lock guards its stages too.
"""

import time
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from .models import Category, Incident, IncidentStage, StageLimit
from .timelimits import CALENDAR_MEMO_SECONDS, TimeUnit, WorkingCalendar, add_time, add_time_limit, deadline_and_warning, time_between
from .workflow import COMPLETES, Stage

Limits = dict[str, tuple[float, str]]


# Read at every transition, changed rarely: kept like the working calendar (timelimits).
_stage_limits_memo: tuple[float, list[tuple[str, int | None, int]]] | None = None


def _stage_limit_rows() -> list[tuple[str, int | None, int]]:
    """The administrator's stage limits: (stage, category id or None, minutes)."""
    global _stage_limits_memo
    if _stage_limits_memo is None or _stage_limits_memo[0] < time.monotonic():
        rows = list(StageLimit.objects.values_list("stage", "category_id", "minutes"))
        _stage_limits_memo = (time.monotonic() + CALENDAR_MEMO_SECONDS, rows)
    return _stage_limits_memo[1]


def forget_stage_limits(**_signal) -> None:
    global _stage_limits_memo
    _stage_limits_memo = None


def stage_limits(category: Category) -> Limits:
    """(amount, unit) of each stage for a case of this category."""
    minutes = dict(settings.STAGE_LIMIT_MINUTES)
    rows = _stage_limit_rows()
    # The town's first, then the category's own over it.
    for stage, category_id, amount in sorted(rows, key=lambda row: row[1] is not None):
        if category_id in (None, category.pk):
            minutes[stage] = amount
    unit = TimeUnit.URGENT_HOURS if category.time_unit == TimeUnit.URGENT_HOURS else TimeUnit.WORKING_HOURS
    limits = {stage: (minutes[stage] / 60, unit) for stage in (Stage.ACCEPT, Stage.DISPATCH, Stage.INSPECT)}
    limits[Stage.HANDLE] = (float(category.time_limit), category.time_unit)
    return limits


def calendar_from(start: datetime, until: datetime | None = None) -> WorkingCalendar:
    first = timezone.localdate(start)
    last = timezone.localdate(until) if until else first
    return WorkingCalendar.load(first, days=(last - first).days + 400)


def case_deadline(start: datetime, limits: Limits, calendar: WorkingCalendar, stages=Stage.ORDER) -> tuple[datetime, datetime]:
    """The case's deadline and warning time: the stages' limits, and WARNING_FRACTION of
    each, one after another from `start`."""
    deadline = warning = start
    for stage in stages:
        amount, unit = limits[stage]
        deadline = add_time_limit(deadline, amount, unit, calendar)
        warning = add_time_limit(warning, amount * settings.WARNING_FRACTION, unit, calendar)
    return deadline, warning


def stage_open(
    incident: Incident, stage: str, at: datetime, limits: Limits, calendar: WorkingCalendar, *, done_at_once_by: str = ""
) -> IncidentStage:
    """The stage's row, timed from `at`; one `done_at_once_by` an action is over as it starts."""
    amount, unit = limits[stage]
    deadline, warn_at = deadline_and_warning(at, amount, unit, calendar)
    cards = {}
    if stage == Stage.HANDLE:
        cards = {
            "yellow_card_at": add_time_limit(at, amount * (1 + settings.CARD_YELLOW_OVERDUE_FRACTION), unit, calendar),
            "red_card_at": add_time_limit(at, amount * settings.CARD_RED_LIMIT_MULTIPLE, unit, calendar),
        }
    return IncidentStage.objects.create(
        incident=incident, stage=stage, started_at=at, limit=amount, unit=unit, deadline=deadline, warn_at=warn_at,
        assignee_id=incident.assignee_id, department_id=incident.assigned_department_id, **cards,
        **({"ended_at": at, "ended_by": done_at_once_by, "completed": True, "elapsed_seconds": 0} if done_at_once_by else {}),
    )


def stage_end(row: IncidentStage, action: str, at: datetime, calendar: WorkingCalendar) -> None:
    row.ended_at = at
    row.ended_by = action
    row.completed = action in COMPLETES[row.stage]
    row.elapsed_seconds = round(max(0.0, time_between(row.started_at, at, row.unit, calendar) - row.paused_seconds), 1)
    IncidentStage.objects.filter(pk=row.pk).update(
        ended_at=row.ended_at, ended_by=row.ended_by, completed=row.completed, elapsed_seconds=row.elapsed_seconds
    )


def stage_extend(row: IncidentStage, new_deadline: datetime, at: datetime) -> None:
    """An approved extension: the stage is due at `new_deadline`, warned at WARNING_FRACTION of
    its new length, its cards later by as much; a warning or an escalation of the old deadline
    is not one of the new."""
    moved = new_deadline - row.deadline
    row.warn_at = row.started_at + (new_deadline - row.started_at) * settings.WARNING_FRACTION
    row.deadline = new_deadline
    row.yellow_card_at += moved
    row.red_card_at += moved
    if row.warn_at > at:
        row.warned_at = None
    row.escalated_at = None
    row.save(update_fields=["deadline", "warn_at", "yellow_card_at", "red_card_at", "warned_at", "escalated_at"])


def stage_shift_for_pause(row: IncidentStage, paused_from: datetime, paused_to: datetime, calendar: WorkingCalendar) -> None:
    """The stage's clock restarts with the time it had left: each of its times moves by the
    time the case stood suspended, counted the way its limit is."""
    paused = time_between(paused_from, paused_to, row.unit, calendar)
    for field in ("deadline", "warn_at", "yellow_card_at", "red_card_at"):
        if getattr(row, field):
            setattr(row, field, add_time(getattr(row, field), paused, row.unit, calendar))
    row.paused_seconds += paused
    row.save(update_fields=["deadline", "warn_at", "yellow_card_at", "red_card_at", "paused_seconds"])


def case_shift_for_pause(incident: Incident, paused_from: datetime, paused_to: datetime, calendar: WorkingCalendar) -> None:
    unit = incident.category.time_unit
    paused = time_between(paused_from, paused_to, unit, calendar)
    incident.deadline = add_time(incident.deadline, paused, unit, calendar)
    incident.warn_at = add_time(incident.warn_at, paused, unit, calendar)

