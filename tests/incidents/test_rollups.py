"""The dashboard's measures read from the daily counts (incidents.stats.summary) against cases
whose figures are worked out by hand, and against the same measures counted from the cases
(incident_summary) after random histories, changes and rebuilds."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings, strategies as st

from incidents import services
from incidents.models import DailyCount, Incident, IncidentStage, RollupDay, SupervisionCard
from incidents.stats import Filters, count, count_cases, filter_cases, incident_summary, measures, summary, summary_by
from tests.conftest import IN_GRID_A, IN_GRID_B, commit_callbacks, local

from .helpers import drive, report

pytestmark = pytest.mark.django_db

# Every day in these tests is past: summed days are read from DailyCount.
NOW = timezone.now()
MARCH = Filters(first_day=date(2026, 3, 1), last_day=date(2026, 3, 31))


def case(category, status, *, reported_at, deadline, closed_at=None, grid=None, **extra) -> Incident:
    position = IN_GRID_B if grid is not None and grid.code.endswith("002") else IN_GRID_A
    return Incident.objects.create(
        category=category, description="手工构造的案件", grid=grid, status=status, reported_at=reported_at,
        deadline=deadline, warn_at=deadline - timedelta(hours=1), closed_at=closed_at, **position, **extra,
    )


def summed(first=date(2026, 2, 1), last=date(2026, 4, 30)) -> int:
    return services.rollups_sum_days(first=first, last=last, force=True, now=NOW)


def from_cases(filters: Filters) -> dict:
    return incident_summary(filter_cases(Incident.objects.all(), filters), now=NOW)


@pytest.fixture
def march(categories, grid_a, grid_b):
    """In March, grid A: 6 closed on time, 1 closed late, 1 reworked and closed, 1 open and
    overdue, 1 rejected, 1 merged; grid B: 1 closed on time by an upheld appeal though late."""
    rubbish = categories["rubbish"]
    reported, deadline = local(2026, 3, 2, 9, 0), local(2026, 3, 10, 18, 0)
    for _ in range(6):
        case(rubbish, "closed", reported_at=reported, deadline=deadline, closed_at=deadline - timedelta(days=1), grid=grid_a)
    case(rubbish, "closed", reported_at=reported, deadline=deadline, closed_at=deadline + timedelta(days=2), grid=grid_a)
    case(rubbish, "closed", reported_at=reported, deadline=deadline, closed_at=deadline - timedelta(hours=2), grid=grid_a, rework_count=1)
    case(rubbish, "assigned", reported_at=reported, deadline=deadline, grid=grid_a)
    case(rubbish, "rejected", reported_at=reported, deadline=deadline, closed_at=reported + timedelta(hours=1), grid=grid_a)
    case(rubbish, "merged", reported_at=reported, deadline=deadline, closed_at=reported + timedelta(hours=1), grid=grid_a)
    case(categories["gas"], "closed", reported_at=reported, deadline=deadline, closed_at=deadline + timedelta(days=1), grid=grid_b, appeal="upheld")


def test_the_daily_counts_give_the_hand_computed_figures(march):
    assert summed() == 89
    figures = summary(MARCH, now=NOW)
    assert (figures["reported"], figures["rejected"], figures["merged"]) == (12, 1, 1)
    assert (figures["closed"], figures["overdue_open"], figures["due"]) == (9, 1, 10)
    assert (figures["closed_on_time"], figures["closed_late"], figures["reworked"]) == (8, 1, 1)
    assert (figures["completion_rate"], figures["on_time_rate"], figures["overdue_completion_rate"]) == (90.0, 80.0, 10.0)
    assert figures["rework_rate"] == 10.0
    assert figures == from_cases(MARCH)


def test_every_case_is_summed_but_what_the_clock_changes_is_read_from_the_open_cases(march):
    summed()
    town = DailyCount.objects.filter(breakdown=DailyCount.Breakdown.TOWN)
    assert sum(town.values_list("reported", flat=True)) == 12
    assert set(town.values_list("status", flat=True)) == {"closed", "rejected", "merged", "assigned"}
    assert not hasattr(DailyCount, "overdue_open")
    # The open case passed its deadline with no event: still overdue, as the clock says.
    assert summary(MARCH, now=NOW)["overdue_open"] == 1
    assert summary(MARCH, now=local(2026, 3, 10, 17, 0))["overdue_open"] == 0


def test_each_grouping_and_filter_gives_what_the_cases_give(march, grid_a, categories):
    summed()
    for filters in (MARCH, Filters(first_day=MARCH.first_day, last_day=MARCH.last_day, grids=(grid_a.pk,)),
                    Filters(first_day=MARCH.first_day, last_day=MARCH.last_day, categories=(categories["gas"].pk,), sources=("patrol",))):
        assert summary(filters, now=NOW) == from_cases(filters)
        for group in ("day", "grid", "community", "category", "major", "department", "source", "status"):
            counted = count_cases(filter_cases(Incident.objects.all(), filters), now=NOW, by=(group,))
            assert count(filters, now=NOW, by=(group,)).keys() == counted.keys()
            assert summary_by(filters, group, now=NOW) == {key[0]: measures(counts) for key, counts in counted.items()}


def test_a_grid_filter_reads_the_grid_breakdown(march, grid_b, django_assert_max_num_queries):
    summed()
    filters = Filters(first_day=MARCH.first_day, last_day=MARCH.last_day, grids=(grid_b.pk,))
    assert summary(filters, now=NOW)["closed_on_time"] == 1  # the appeal upheld exempts it
    # The summed days, their counts, the late open cases and stages, and three for other days.
    with django_assert_max_num_queries(7):
        summary(filters, now=NOW)


def test_a_case_counts_in_the_period_it_was_reported_in(categories, grid_a):
    # Reported on the last day of February, closed in March.
    case(categories["rubbish"], "closed", reported_at=local(2026, 2, 28, 17, 0), deadline=local(2026, 3, 3, 18, 0),
         closed_at=local(2026, 3, 2, 10, 0), grid=grid_a)
    summed()
    assert summary(MARCH, now=NOW)["reported"] == 0
    assert summary(Filters(first_day=date(2026, 2, 1), last_day=date(2026, 2, 28)), now=NOW)["closed"] == 1


def test_a_day_is_the_towns_day_at_midnight(categories, grid_a):
    # 23:59:59 on 1 March in the town is 15:59:59 UTC; midnight is 16:00 UTC on 1 March.
    rubbish = categories["rubbish"]
    deadline = local(2026, 3, 5, 18, 0)
    case(rubbish, "closed", reported_at=local(2026, 3, 1, 23, 59) + timedelta(seconds=59), deadline=deadline, closed_at=deadline, grid=grid_a)
    case(rubbish, "closed", reported_at=local(2026, 3, 2, 0, 0), deadline=deadline, closed_at=deadline, grid=grid_a)
    summed()
    first, second = (Filters(first_day=date(2026, 3, day), last_day=date(2026, 3, day)) for day in (1, 2))
    assert (summary(first, now=NOW)["closed"], summary(second, now=NOW)["closed"]) == (1, 1)
    assert list(DailyCount.objects.filter(breakdown="town").values_list("day", flat=True)) == [date(2026, 3, 1), date(2026, 3, 2)]


def test_an_empty_period_has_no_rates_and_no_division_by_zero(db):
    figures = summary(MARCH, now=NOW)
    assert figures["due"] == 0
    assert figures["completion_rate"] is figures["rework_rate"] is figures["average_close_hours"] is None
    assert figures["stages"]["handle"]["timely_rate"] is None


def test_today_is_never_summed(users, categories):
    report(users, categories)
    today = timezone.localdate()
    assert services.rollup_refresh_day(day=today) is False
    assert not RollupDay.objects.filter(day=today).exists()
    assert summary(Filters(first_day=today, last_day=today), now=timezone.now())["reported"] == 1


# Kept up to date by the events


@pytest.fixture
def yesterdays_case(users, categories):
    """A case reported yesterday and assigned, its day summed."""
    yesterday = timezone.now() - timedelta(days=1)
    incident, _created = services.incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="路边垃圾堆积", at=yesterday, **IN_GRID_A
    )
    drive(incident, users, ["assign"])
    services.rollup_refresh_day(day=timezone.localdate(yesterday))
    return incident


def test_an_event_on_a_summed_day_marks_it_changed_and_sends_the_refresh(yesterdays_case, users, sent_tasks):
    day = timezone.localdate(yesterdays_case.reported_at)
    commit_callbacks()
    sent_tasks.clear()
    drive(yesterdays_case, users, ["handle", "inspect", "close"])
    commit_callbacks()
    assert RollupDay.objects.get(day=day).changes == 3
    assert sent_tasks.count(("incidents.tasks.refresh_rollup_day", [day.isoformat()])) == 3


def test_the_figures_are_exact_before_and_after_the_refresh(yesterdays_case, users, run_sent_tasks):
    day = timezone.localdate(yesterdays_case.reported_at)
    filters = Filters(first_day=day, last_day=day)
    drive(yesterdays_case, users, ["handle", "inspect", "close"])
    # The worker has not run: the changed day is read from the cases.
    assert summary(filters, now=timezone.now())["closed"] == 1
    run_sent_tasks()
    assert RollupDay.objects.get(day=day).changes == 0
    assert DailyCount.objects.get(day=day, breakdown="town").closed == 1
    assert summary(filters, now=timezone.now())["closed"] == 1
    services.incident_reopen(incident_id=yesterdays_case.pk, actor=users["dispatcher"], reason="问题复发")
    assert summary(filters, now=timezone.now())["closed"] == 0
    assert summary(filters, now=timezone.now())["open"] == 1


def test_a_refresh_that_finds_nothing_changed_does_nothing(yesterdays_case, django_assert_max_num_queries):
    day = timezone.localdate(yesterdays_case.reported_at)
    with django_assert_max_num_queries(1):
        assert services.rollup_refresh_day(day=day) is False


def test_the_beat_sums_the_days_not_summed_yet(categories, grid_a):
    rubbish = categories["rubbish"]
    for days_ago in (3, 2):
        reported = timezone.now() - timedelta(days=days_ago)
        case(rubbish, "closed", reported_at=reported, deadline=reported + timedelta(days=1), closed_at=reported + timedelta(hours=1), grid=grid_a)
    assert services.rollups_sum_days() == 3  # three days ago, two days ago, yesterday
    assert services.rollups_sum_days() == 0
    assert DailyCount.objects.filter(breakdown="town").count() == 2


def test_the_command_sums_a_range_again(march, capsys):
    call_command("rebuild_daily_counts", "--from", "2026-03-01", "--to", "2026-03-31", verbosity=0)
    assert "31 days summed." in capsys.readouterr().out
    DailyCount.objects.filter(breakdown="town").update(closed=0)
    call_command("rebuild_daily_counts", "--from", "2026-03-02", "--to", "2026-03-02", verbosity=0)
    assert summary(MARCH, now=NOW) == from_cases(MARCH)


def test_the_command_refuses_a_range_backwards(db):
    with pytest.raises(CommandError, match="before"):
        call_command("rebuild_daily_counts", "--from", "2026-03-02", "--to", "2026-03-01")


# Random histories: whatever happened to the cases, the daily counts give what the cases give.

STATUSES = ["reported", "accepted", "assigned", "handled", "inspected", "suspended", "closed", "closed", "closed", "rejected", "merged"]
random_case = st.fixed_dictionaries({
    "day": st.integers(0, 9),
    "minute": st.integers(0, 24 * 60 - 1),
    "status": st.sampled_from(STATUSES),
    "grid": st.sampled_from([0, 1, None]),
    "category": st.sampled_from(["rubbish", "street_light", "gas"]),
    "department": st.booleans(),
    "source": st.sampled_from(["patrol", "phone", "resident"]),
    "limit_hours": st.integers(1, 200),
    "closed_after_hours": st.integers(0, 300),
    "rework": st.integers(0, 2),
    "resend": st.integers(0, 1),
    "dispatched": st.booleans(),
    "appeal": st.sampled_from(["", "", "pending", "upheld"]),
    "stages": st.lists(st.tuples(st.sampled_from(["accept", "dispatch", "handle", "inspect"]), st.booleans(), st.integers(-50, 50)), max_size=3),
    "cards": st.lists(st.sampled_from(["ordinary", "yellow", "red"]), max_size=2, unique=True),
})


def make_random_case(spec, *, categories, grids, department, start):
    reported = start + timedelta(days=spec["day"], minutes=spec["minute"])
    deadline = reported + timedelta(hours=spec["limit_hours"])
    finished = spec["status"] in ("closed", "rejected", "merged")
    incident = Incident.objects.create(
        category=categories[spec["category"]], description="随机案件", latitude=34.085, longitude=119.345,
        grid=grids[spec["grid"]] if spec["grid"] is not None else None, source=spec["source"], status=spec["status"],
        assigned_department=department if spec["department"] else None, reported_at=reported, deadline=deadline,
        warn_at=deadline - timedelta(minutes=30), closed_at=reported + timedelta(hours=spec["closed_after_hours"]) if finished else None,
        closure="normal" if spec["status"] == "closed" else "", rework_count=spec["rework"], resend_count=spec["resend"],
        accepted_at=reported if spec["dispatched"] else None, assigned_at=reported + timedelta(minutes=9) if spec["dispatched"] else None,
        appeal=spec["appeal"],
    )
    for stage, completed, late_minutes in spec["stages"]:
        limit_deadline = reported + timedelta(hours=1)
        ended = limit_deadline + timedelta(minutes=late_minutes) if completed or finished else None
        IncidentStage.objects.create(
            incident=incident, stage=stage, started_at=reported, limit=60, unit="working_hours", deadline=limit_deadline,
            warn_at=limit_deadline - timedelta(minutes=12), ended_at=ended, completed=completed,
            elapsed_seconds=3600 + 60 * late_minutes if completed else None,
        )
    for level in spec["cards"]:
        SupervisionCard.objects.create(incident=incident, level=level, rule="overdue")
    return incident


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    cases=st.lists(random_case, min_size=1, max_size=25),
    changes=st.lists(st.tuples(st.integers(0, 24), st.sampled_from(["closed", "assigned", "rejected"])), max_size=4),
    window=st.tuples(st.integers(0, 9), st.integers(0, 9)),
)
def test_random_histories_give_the_same_figures_either_way(categories, grid_a, grid_b, department, cases, changes, window):
    Incident.objects.all().delete()
    RollupDay.objects.all().delete()
    DailyCount.objects.all().delete()
    start = local(2026, 5, 1, 0, 0)
    made = [make_random_case(spec, categories=categories, grids=[grid_a, grid_b], department=department, start=start) for spec in cases]
    services.rollups_sum_days(first=date(2026, 5, 1), last=date(2026, 5, 10), force=True)
    # Cases changed after their day was summed, as a transition would: marked, not yet refreshed.
    for index, status in changes:
        if index < len(made):
            Incident.objects.filter(pk=made[index].pk).update(status=status, closed_at=made[index].deadline)
            services.rollup_mark_changed(made[index])
    first, last = sorted(window)
    now = local(2026, 5, 6, 12, 0)
    for filters in (
        Filters(first_day=date(2026, 5, 1 + first), last_day=date(2026, 5, 1 + last)),
        Filters(first_day=date(2026, 5, 1), last_day=date(2026, 5, 10), grids=(grid_a.pk,), sources=("phone", "patrol")),
        Filters(first_day=date(2026, 5, 3), last_day=date(2026, 5, 9), categories=(categories["gas"].pk,), departments=(department.pk,)),
    ):
        assert summary(filters, now=now) == incident_summary(filter_cases(Incident.objects.all(), filters), now=now)
        assert summary_by(filters, "grid", now=now) == {
            key[0]: measures(counts)
            for key, counts in count_cases(filter_cases(Incident.objects.all(), filters), now=now, by=("grid",)).items()
        }
    # And again after every changed day is summed anew.
    services.rollups_sum_days(first=date(2026, 5, 1), last=date(2026, 5, 10))
    assert not RollupDay.objects.filter(changes__gt=0).exists()
    whole = Filters(first_day=date(2026, 5, 1), last_day=date(2026, 5, 10))
    assert summary(whole, now=now) == incident_summary(filter_cases(Incident.objects.all(), whole), now=now)
