"""Cases made by hand for the dashboard's tests, and the filters' query for a recent period."""

from datetime import date, timedelta
from itertools import count

import pytest
from django.utils import timezone

from incidents import stats
from incidents.models import Incident
from tests.conftest import IN_GRID_A, IN_GRID_B

NUMBERS = count(1)


def case(category, status: str, *, days_ago: float, grid=None, deadline_in: float = 5, closed_after: float | None = None,
         department=None, source="patrol") -> Incident:
    """A case reported `days_ago` days ago, due `deadline_in` days from now (negative: past due),
    closed `closed_after` days after its report (when closed)."""
    now = timezone.now()
    reported = now - timedelta(days=days_ago)
    deadline = now + timedelta(days=deadline_in)
    position = IN_GRID_B if grid is not None and grid.code.endswith("002") else IN_GRID_A
    return Incident.objects.create(
        code=f"T{next(NUMBERS):05d}",
        category=category,
        description="手工构造的案件",
        grid=grid,
        status=status,
        source=source,
        reported_at=reported,
        deadline=deadline,
        warn_at=deadline - timedelta(hours=1),
        closed_at=reported + timedelta(days=closed_after) if closed_after is not None else None,
        assigned_department=department,
        **position,
    )


def period(days: int = 20) -> dict:
    """The last `days` days up to today, as the filters' query."""
    today = timezone.localdate(timezone.now())
    return {"period": "custom", "start": (today - timedelta(days=days)).isoformat(), "end": today.isoformat()}


def filters_of(query: dict, **narrowed) -> stats.Filters:
    return stats.Filters(first_day=date.fromisoformat(query["start"]), last_day=date.fromisoformat(query["end"]), **narrowed)


@pytest.fixture
def town_cases(categories, grid_a, grid_b, department, other_department):
    """In grid A: two closed on time, one closed late, one open past its deadline, one open not
    yet due. In grid B: one closed on time and one open past its deadline. The department
    has grid A's closed cases and grid B's overdue one; the other department grid A's late one."""
    rubbish = categories["rubbish"]
    return {
        "a_on_time": [case(rubbish, "closed", days_ago=4, grid=grid_a, deadline_in=-2, closed_after=1, department=department) for _ in range(2)],
        "a_late": case(rubbish, "closed", days_ago=6, grid=grid_a, deadline_in=-5, closed_after=3, department=other_department),
        "a_overdue": case(rubbish, "assigned", days_ago=3, grid=grid_a, deadline_in=-1),
        "a_not_due": case(categories["gas"], "assigned", days_ago=1, grid=grid_a, deadline_in=3, source="phone"),
        "b_on_time": case(rubbish, "closed", days_ago=5, grid=grid_b, deadline_in=-2, closed_after=1),
        "b_overdue": case(rubbish, "handled", days_ago=2, grid=grid_b, deadline_in=-1, department=department),
    }
