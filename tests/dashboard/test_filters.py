"""The dashboard's filters: the period to compare with, and what a scoped asker is offered."""

from datetime import date

import pytest

from dashboard.filters import DashboardFilterForm
from tests.conftest import local

pytestmark = pytest.mark.django_db


def compared(period: str, now, **extra) -> tuple[tuple[date, date], tuple[date, date]]:
    form = DashboardFilterForm({"period": period, **extra}, now=now)
    assert form.is_valid(), form.errors
    filters = form.to_filters()
    before = form.previous(filters)
    return (filters.first_day, filters.last_day), (before.first_day, before.last_day)


@pytest.mark.parametrize(
    "period, now, expected",
    [
        ("today", local(2026, 11, 29, 9, 0), ((date(2026, 11, 29),) * 2, (date(2026, 11, 28),) * 2)),
        ("week", local(2026, 11, 25, 9, 0), ((date(2026, 11, 23), date(2026, 11, 25)), (date(2026, 11, 16), date(2026, 11, 18)))),
        ("month", local(2026, 11, 29, 9, 0), ((date(2026, 11, 1), date(2026, 11, 29)), (date(2026, 10, 1), date(2026, 10, 29)))),
        # March's 31 days against all of February, never into March.
        ("month", local(2026, 3, 31, 9, 0), ((date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 2, 1), date(2026, 2, 28)))),
        ("month", local(2026, 1, 15, 9, 0), ((date(2026, 1, 1), date(2026, 1, 15)), (date(2025, 12, 1), date(2025, 12, 15)))),
        ("quarter", local(2026, 2, 10, 9, 0), ((date(2026, 1, 1), date(2026, 2, 10)), (date(2025, 10, 1), date(2025, 11, 10)))),
        ("year", local(2026, 11, 29, 9, 0), ((date(2026, 1, 1), date(2026, 11, 29)), (date(2025, 1, 1), date(2025, 11, 29)))),
    ],
)
def test_a_named_period_is_compared_with_the_same_days_of_the_one_before(db, period, now, expected):
    assert compared(period, now) == expected


def test_a_custom_range_is_compared_with_the_days_just_before_it(db):
    assert compared("custom", local(2026, 11, 29, 9, 0), start="2026-11-10", end="2026-11-19") == (
        (date(2026, 11, 10), date(2026, 11, 19)), (date(2026, 10, 31), date(2026, 11, 9)),
    )


def test_a_department_member_is_offered_only_their_department(users, department, other_department, grid_a, grid_b):
    form = DashboardFilterForm({}, now=local(2026, 11, 29, 9, 0), user=users["department"])
    assert list(form.fields["department"].queryset) == [department]
    refused = DashboardFilterForm({"department": other_department.pk}, now=local(2026, 11, 29, 9, 0), user=users["department"])
    assert not refused.is_valid() and "department" in refused.errors
