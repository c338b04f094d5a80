"""The measures of DOMAIN.md (CJ/T 292 style), computed from the cases every time.

A case belongs to the period in which it was reported. Rejected and merged cases count as
neither due nor closed. A suspended case's clock stands still: it is neither due nor overdue.
A case whose appeal was upheld is exempt from the time measures: it counts as closed (or open),
never as late or reworked. As of `now`:

- due = closed + open at or past their deadline
- completion rate = closed ÷ due; on-time rate = closed by the deadline ÷ due;
  overdue completion rate = closed after the deadline ÷ due
- rework rate = due cases sent back at least once (at inspection, or reopened) ÷ due
- timely dispatch rate = dispatches made within the dispatch limit ÷ dispatches due (made, or
  open past their limit); a case assigned straight from its report was dispatched at once
- accurate dispatch rate = dispatched cases never re-sent to another handler (returned, or
  reassigned) ÷ dispatched cases (those handled on the spot were never dispatched)
- extension rate = cases given more time ÷ dispatched cases
- per stage (accepting, dispatching, handling, inspecting): done, done on time, open past the
  limit, the timely rate, and the average time taken, in minutes counted the way its limit is
  (working time for working units), less any time suspended. A stage ended by a return or a
  reassignment is not held against it, nor any stage of a case whose appeal was upheld.
"""

from datetime import datetime

from django.db.models import Avg, Count, F, Q, QuerySet

from .models import Incident, IncidentStage, SupervisionCard
from .selectors import late_by
from .workflow import Appeal, Card, Closure, Stage, Status


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def incident_summary(incidents: QuerySet[Incident], *, now: datetime) -> dict:
    incidents = incidents.order_by()
    exempt = Q(appeal=Appeal.UPHELD)
    closed = Q(status=Status.CLOSED)
    overdue_open = late_by(now)
    dispatched = Q(accepted_at__isnull=False, assigned_at__isnull=False)
    counts = incidents.aggregate(
        reported=Count("id"),
        rejected=Count("id", filter=Q(status=Status.REJECTED)),
        merged=Count("id", filter=Q(status=Status.MERGED)),
        open=Count("id", filter=Q(status__in=Status.OPEN)),
        suspended=Count("id", filter=Q(status=Status.SUSPENDED)),
        closed=Count("id", filter=closed),
        closed_on_time=Count("id", filter=closed & (Q(closed_at__lte=F("deadline")) | exempt)),
        overdue_open=Count("id", filter=overdue_open),
        reworked=Count("id", filter=(closed | overdue_open) & Q(rework_count__gt=0) & ~exempt),
        dispatched=Count("id", filter=dispatched),
        accurately_dispatched=Count("id", filter=dispatched & Q(resend_count=0)),
        returned=Count("id", filter=Q(return_count__gt=0)),
        extended=Count("id", filter=Q(extension_count__gt=0)),
        appeals=Count("id", filter=~Q(appeal="")),
        appeals_upheld=Count("id", filter=exempt),
        **{f"closure_{kind}": Count("id", filter=Q(closure=kind)) for kind, _ in Closure.CHOICES},
    )
    due = counts["closed"] + counts["overdue_open"]
    closed_late = counts["closed"] - counts["closed_on_time"]
    stages = stage_summary(incidents, now=now)
    return {
        **{key: value for key, value in counts.items() if not key.startswith("closure_")},
        "due": due,
        "closed_late": closed_late,
        "completion_rate": _rate(counts["closed"], due),
        "on_time_rate": _rate(counts["closed_on_time"], due),
        "overdue_completion_rate": _rate(closed_late, due),
        "rework_rate": _rate(counts["reworked"], due),
        "timely_dispatch_rate": stages[Stage.DISPATCH]["timely_rate"],
        "accurate_dispatch_rate": _rate(counts["accurately_dispatched"], counts["dispatched"]),
        "extension_rate": _rate(counts["extended"], counts["dispatched"]),
        "closures": {kind: counts[f"closure_{kind}"] for kind, _ in Closure.CHOICES},
        "cards": card_counts(incidents),
        "stages": stages,
    }


def stage_summary(incidents: QuerySet[Incident], *, now: datetime) -> dict:
    rows = IncidentStage.objects.filter(incident__in=incidents.values("pk")).order_by()
    done = Q(completed=True)
    exempt = Q(incident__appeal=Appeal.UPHELD)
    late_open = Q(ended_at__isnull=True, deadline__lte=now, incident__status__in=Status.OPEN) & ~exempt
    by_stage = {
        row["stage"]: row
        for row in rows.values("stage").annotate(
            done=Count("id", filter=done),
            done_on_time=Count("id", filter=done & (Q(ended_at__lte=F("deadline")) | exempt)),
            late_open=Count("id", filter=late_open),
            average_seconds=Avg("elapsed_seconds", filter=done),
        )
    }
    summary = {}
    for stage in Stage.ORDER:
        row = by_stage.get(stage, {"done": 0, "done_on_time": 0, "late_open": 0, "average_seconds": None})
        summary[stage] = {
            "done": row["done"],
            "done_on_time": row["done_on_time"],
            "late_open": row["late_open"],
            "timely_rate": _rate(row["done_on_time"], row["done"] + row["late_open"]),
            "average_minutes": round(row["average_seconds"] / 60, 1) if row["average_seconds"] is not None else None,
        }
    return summary


def card_counts(incidents: QuerySet[Incident]) -> dict[str, int]:
    counted = SupervisionCard.objects.filter(incident__in=incidents.values("pk")).order_by()
    by_level = dict(counted.values_list("level").annotate(n=Count("id")))
    return {level: by_level.get(level, 0) for level, _ in Card.CHOICES}
