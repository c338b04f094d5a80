"""The measures of DOMAIN.md (CJ/T 292 style), computed from the cases every time.

A case belongs to the period in which it was reported. Rejected and merged cases count as
neither due nor closed. As of `now`:

- due = closed + open at or past their deadline
- completion rate = closed ÷ due; on-time rate = closed by the deadline ÷ due;
  overdue completion rate = closed after the deadline ÷ due
- rework rate = due cases sent back at least once at inspection ÷ due
"""

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from .models import Incident
from .selectors import late_by, with_rework
from .workflow import Status


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def incident_summary(incidents: QuerySet[Incident], *, now: datetime) -> dict:
    closed = Q(status=Status.CLOSED)
    overdue_open = late_by(now)
    counts = with_rework(incidents.order_by()).aggregate(
        reported=Count("id"),
        rejected=Count("id", filter=Q(status=Status.REJECTED)),
        merged=Count("id", filter=Q(status=Status.MERGED)),
        open=Count("id", filter=Q(status__in=Status.OPEN)),
        closed=Count("id", filter=closed),
        closed_on_time=Count("id", filter=closed & Q(closed_at__lte=F("deadline"))),
        overdue_open=Count("id", filter=overdue_open),
        reworked=Count("id", filter=(closed | overdue_open) & Q(was_reworked=True)),
    )
    due = counts["closed"] + counts["overdue_open"]
    closed_late = counts["closed"] - counts["closed_on_time"]
    return {
        **counts,
        "due": due,
        "closed_late": closed_late,
        "completion_rate": _rate(counts["closed"], due),
        "on_time_rate": _rate(counts["closed_on_time"], due),
        "overdue_completion_rate": _rate(closed_late, due),
        "rework_rate": _rate(counts["reworked"], due),
    }
