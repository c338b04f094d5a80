"""The measures of DOMAIN.md (CJ/T 292 style): every figure the dashboard, its exports, the wall
screen and the stats API show is computed here, from counters summed over cases.

A case belongs to the period in which it was reported (town time). Rejected and merged cases
count as neither due nor closed. A suspended case's clock stands still: it is neither due nor
overdue. A case whose appeal was upheld is exempt from the time measures: it counts as closed
(or open), never as late or reworked. As of `now`:

- due (应结案数) = closed + open at or past their deadline
- completion rate (办结率) = closed ÷ due; on-time completion rate = closed by the deadline ÷ due;
  overdue completion rate = closed after the deadline ÷ due
- rework rate (返工率) = due cases sent back at least once (at inspection, or reopened) ÷ due;
  a case records that it was (Incident.rework_count), so no history is searched
- timely dispatch rate = dispatches made within the dispatch limit ÷ dispatches due (made, or
  open past their limit); a case assigned straight from its report was dispatched at once
- accurate dispatch rate = dispatched cases never re-sent to another handler (returned, or
  reassigned) ÷ dispatched cases (those handled on the spot were never dispatched)
- extension rate = cases given more time ÷ dispatched cases
- per stage (accepting, dispatching, handling, inspecting): done, done on time, open past the
  limit, the timely rate, and the average time taken, in minutes counted the way its limit is
  (working time for working units), less any time suspended. A stage ended by a return or a
  reassignment is not held against it, nor any stage of a case whose appeal was upheld.
- average time to close = closed_at − reported_at over closed cases, in natural hours

Where the counters come from: the cases of a past day that has been summed are read from
DailyCount, kept by incidents.services.rollup_refresh_day, except for what the clock changes
with no event (an open case or a running stage passing its deadline), counted from the open
cases; today, and a day not summed yet or changed since, are counted from the cases
themselves. Both use the counters defined below, so the two paths give the same figures
(tests/incidents/test_rollups.py).
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Role
from govgrid.towntime import day_start

from grids.models import Grid

from .models import Category, DailyCount, Incident, IncidentStage, RollupDay, SupervisionCard
from .selectors import TOWN_WIDE_ROLES, late_by
from .workflow import Appeal, Card, Closure, Stage, Status

def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# The counters. Each is a plain count or sum over cases (or their stages, or their cards), so
# counters add up across days, grids and categories; every measure is a ratio of them.


def case_counters(now: datetime) -> dict:
    exempt = Q(appeal=Appeal.UPHELD)
    closed = Q(status=Status.CLOSED)
    reworked = Q(rework_count__gt=0) & ~exempt
    dispatched = Q(accepted_at__isnull=False, assigned_at__isnull=False)
    return {
        "reported": Count("id"),
        "rejected": Count("id", filter=Q(status=Status.REJECTED)),
        "merged": Count("id", filter=Q(status=Status.MERGED)),
        "closed": Count("id", filter=closed),
        "closed_on_time": Count("id", filter=closed & (Q(closed_at__lte=F("deadline")) | exempt)),
        "reworked": Count("id", filter=closed & reworked),
        "dispatched": Count("id", filter=dispatched),
        "accurately_dispatched": Count("id", filter=dispatched & Q(resend_count=0)),
        "returned": Count("id", filter=Q(return_count__gt=0)),
        "extended": Count("id", filter=Q(extension_count__gt=0)),
        "appeals": Count("id", filter=~Q(appeal="")),
        "appeals_upheld": Count("id", filter=exempt),
        "close_seconds": Sum(ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField()), filter=closed),
        **{f"closure_{kind}": Count("id", filter=Q(closure=kind)) for kind, _label in Closure.CHOICES},
        "open": Count("id", filter=Q(status__in=Status.OPEN)),
        "suspended": Count("id", filter=Q(status=Status.SUSPENDED)),
        **late_case_counters(now),
    }


def late_case_counters(now: datetime) -> dict:
    """What the clock alone changes: open cases past their deadline, and of them the reworked."""
    # Counted by deadline, which the partial index on open cases holds, rather than by id.
    return {
        "overdue_open": Count("deadline", filter=late_by(now)),
        "reworked_late": Count("deadline", filter=late_by(now) & Q(rework_count__gt=0)),
    }


def stage_counters(now: datetime) -> dict:
    done = Q(completed=True)
    exempt = Q(incident__appeal=Appeal.UPHELD)
    return {
        "done": Count("id", filter=done),
        "on_time": Count("id", filter=done & (Q(ended_at__lte=F("deadline")) | exempt)),
        "seconds": Sum("elapsed_seconds", filter=done),
        "late_open": Count("id", filter=late_stage(now)),
    }


def late_stage(now: datetime) -> Q:
    """A stage still running past its limit, of an open case (an upheld appeal excuses it)."""
    return Q(ended_at__isnull=True, deadline__lte=now, incident__status__in=Status.OPEN) & ~Q(incident__appeal=Appeal.UPHELD)


# Counters the clock changes with no event: never stored, always counted from the cases.
CLOCK_COUNTERS = frozenset({*late_case_counters(timezone.now()), *(f"{stage}_late_open" for stage in Stage.ORDER)})
# The columns of DailyCount: every other counter.
STORED_COUNTERS = (
    *(name for name in case_counters(timezone.now()) if name not in CLOCK_COUNTERS),
    *(f"card_{level}" for level, _label in Card.CHOICES),
    *(f"{stage}_{name}" for stage in Stage.ORDER for name in ("done", "on_time", "seconds")),
)


def _number(value) -> float:
    if value is None:
        return 0
    return value.total_seconds() if isinstance(value, timedelta) else value


# What a case is grouped by, read from the cases and from DailyCount.
CASE_GROUPS = {
    "day": None,  # the reported day in town time: TruncDate, below
    "grid": "grid",
    "community": "grid__community",
    "category": "category",
    "major": "category__parent",
    "department": "assigned_department",
    "source": "source",
    "status": "status",
}
ROLLUP_GROUPS = {**CASE_GROUPS, "day": "day", "department": "department"}
# The breakdown of DailyCount that splits by what a filter or a grouping names.
BREAKDOWN_OF = {
    "grid": DailyCount.Breakdown.GRID,
    "community": DailyCount.Breakdown.GRID,
    "category": DailyCount.Breakdown.CATEGORY,
    "major": DailyCount.Breakdown.CATEGORY,
    "department": DailyCount.Breakdown.DEPARTMENT,
    "source": DailyCount.Breakdown.SOURCE,
}


def _case_key(group: str, prefix: str = ""):
    if group == "day":
        return TruncDate(f"{prefix}reported_at", tzinfo=timezone.get_current_timezone())
    return F(prefix + CASE_GROUPS[group])


def count_cases(incidents: QuerySet[Incident], *, now: datetime, by: tuple[str, ...] = ()) -> dict[tuple, dict]:
    """The counters of these cases, counted from the cases themselves, keyed by the values of
    `by` (names of CASE_GROUPS; () gives one key, ())."""
    incidents = incidents.order_by()
    keys = {f"k{i}": _case_key(group) for i, group in enumerate(by)}
    counted: dict[tuple, dict] = defaultdict(dict)
    for row in _grouped(incidents, keys, (), case_counters(now)):
        counted[tuple(row.pop(k) for k in keys)].update({name: _number(value) for name, value in row.items()})
    related = incidents.values("pk")
    stage_keys = {f"k{i}": _case_key(group, "incident__") for i, group in enumerate(by)}
    stages = IncidentStage.objects.filter(incident__in=related)
    for row in _grouped(stages, stage_keys, ("stage",), stage_counters(now)):
        counts = counted[tuple(row.pop(k) for k in stage_keys)]
        stage = row.pop("stage")
        counts.update({f"{stage}_{name}": _number(value) for name, value in row.items()})
    cards = SupervisionCard.objects.filter(incident__in=related)
    for row in _grouped(cards, stage_keys, ("level",), {"n": Count("id")}):
        counted[tuple(row.pop(k) for k in stage_keys)][f"card_{row['level']}"] = row["n"]
    return dict(counted)


def _grouped(rows: QuerySet, keys: dict, fields: tuple[str, ...], aggregates: dict) -> list[dict]:
    """One dict per group of `keys` (expressions) and `fields`: aggregate() when there are
    neither, since values() with no names would group by every column."""
    if not keys and not fields:
        return [rows.order_by().aggregate(**aggregates)]
    return list(rows.order_by().annotate(**keys).values(*keys, *fields).annotate(**aggregates))


def measures(counts: dict) -> dict:
    """Every figure of the dashboard from one set of counters: None where the whole is zero."""
    c = defaultdict(int, counts)
    c["reworked"] += c["reworked_late"]
    due = c["closed"] + c["overdue_open"]
    closed_late = c["closed"] - c["closed_on_time"]
    stages = {}
    for stage in Stage.ORDER:
        done, on_time, late_open = c[f"{stage}_done"], c[f"{stage}_on_time"], c[f"{stage}_late_open"]
        stages[stage] = {
            "done": done,
            "done_on_time": on_time,
            "late_open": late_open,
            "timely_rate": _rate(on_time, done + late_open),
            "average_minutes": round(c[f"{stage}_seconds"] / done / 60, 1) if done else None,
        }
    return {
        **{name: c[name] for name in (
            "reported", "rejected", "merged", "open", "suspended", "closed", "closed_on_time", "overdue_open",
            "reworked", "dispatched", "accurately_dispatched", "returned", "extended", "appeals", "appeals_upheld",
        )},
        "due": due,
        "closed_late": closed_late,
        "completion_rate": _rate(c["closed"], due),
        "on_time_rate": _rate(c["closed_on_time"], due),
        "overdue_completion_rate": _rate(closed_late, due),
        "rework_rate": _rate(c["reworked"], due),
        "timely_dispatch_rate": stages[Stage.DISPATCH]["timely_rate"],
        "dispatched_on_time": stages[Stage.DISPATCH]["done_on_time"],
        "accurate_dispatch_rate": _rate(c["accurately_dispatched"], c["dispatched"]),
        "extension_rate": _rate(c["extended"], c["dispatched"]),
        "average_dispatch_minutes": stages[Stage.DISPATCH]["average_minutes"],
        "average_handle_minutes": stages[Stage.HANDLE]["average_minutes"],
        "average_close_hours": round(c["close_seconds"] / c["closed"] / 3600, 1) if c["closed"] else None,
        "closures": {kind: c[f"closure_{kind}"] for kind, _label in Closure.CHOICES},
        "cards": {level: c[f"card_{level}"] for level, _label in Card.CHOICES},
        "stages": stages,
    }


def incident_summary(incidents: QuerySet[Incident], *, now: datetime) -> dict:
    """The measures of any set of cases, counted from the cases themselves (the API's filters
    that the daily counts do not split by: status, closure, overdue, unrouted)."""
    return measures(count_cases(incidents, now=now).get((), {}))


# The dashboard's filters, read from DailyCount where the cases are summed.


@dataclass(frozen=True)
class Filters:
    """Cases reported from `first_day` to `last_day` (town time, both included), in these
    grids, minor categories, departments and sources (None: any)."""

    first_day: date
    last_day: date
    grids: tuple[int, ...] | None = None
    categories: tuple[int, ...] | None = None
    departments: tuple[int, ...] | None = None
    sources: tuple[str, ...] | None = None

    @classmethod
    def by_codes(cls, first_day: date, last_day: date, *, community: str = "", grid: str = "", category: str = "",
                 department_id: int | None = None, source: str = "") -> "Filters":
        """From the codes people and URLs use: a community is its grids, a major category its
        minor ones."""
        grids = categories = None
        if grid or community:
            grids = tuple(Grid.objects.filter(code__startswith=grid or community).values_list("pk", flat=True))
        if category:
            categories = tuple(Category.objects.filter(code__startswith=category).values_list("pk", flat=True))
        return cls(
            first_day=first_day, last_day=last_day, grids=grids, categories=categories,
            departments=None if department_id is None else (department_id,), sources=(source,) if source else None,
        )

    def named(self) -> set[str]:
        fields = {"grid": self.grids, "category": self.categories, "department": self.departments, "source": self.sources}
        return {name for name, value in fields.items() if value is not None}

    def previous(self) -> "Filters":
        """The period of the same length just before this one."""
        length = self.last_day - self.first_day + timedelta(days=1)
        return replace(self, first_day=self.first_day - length, last_day=self.first_day - timedelta(days=1))

    def within(self, user) -> "Filters":
        """Narrowed to what this user may see (scope_of)."""
        return self.narrowed(scope_of(user))

    def narrowed(self, scope: "Scope") -> "Filters":
        grids, departments = scope
        return replace(
            self,
            grids=self.grids if grids is None else _intersect(self.grids, grids),
            departments=self.departments if departments is None else _intersect(self.departments, departments),
        )


# The grids and the departments one may see figures of (None: all).
Scope = tuple[tuple[int, ...] | None, tuple[int, ...] | None]


def scope_of(user) -> Scope:
    """The town for the command centre, inspectors and officials; their own grids for a grid
    worker; their department for its members; nothing for anyone else."""
    if not user.is_authenticated:
        return (), None
    if user.has_role(*TOWN_WIDE_ROLES):
        return None, None
    if user.role == Role.WORKER:
        return (tuple(user.grid_worker.grids.values_list("pk", flat=True)) if hasattr(user, "grid_worker") else ()), None
    if user.role == Role.DEPARTMENT and user.department_id:
        return None, (user.department_id,)
    return (), None


def _intersect(chosen: tuple | None, allowed: tuple) -> tuple:
    return allowed if chosen is None else tuple(value for value in chosen if value in allowed)


def first_reported_day() -> date | None:
    first = Incident.objects.order_by("reported_at").values_list("reported_at", flat=True).first()
    return timezone.localdate(first) if first else None


def filter_cases(incidents: QuerySet[Incident], filters: Filters, *, prefix: str = "") -> QuerySet[Incident]:
    """The cases the filters name (or, with prefix "incident__", their stages)."""
    incidents = incidents.filter(_reported_between(filters.first_day, filters.last_day, prefix))
    return _narrowed(incidents, filters, department="assigned_department", prefix=prefix)


def _narrowed(rows: QuerySet, filters: Filters, *, department: str, prefix: str = "") -> QuerySet:
    """Cases or daily counts in the filters' grids, categories, departments and sources."""
    for field, chosen in (("grid", filters.grids), ("category", filters.categories), (department, filters.departments), ("source", filters.sources)):
        if chosen is not None:
            rows = rows.filter(**{f"{prefix}{field}__in": chosen})
    return rows


def _summed_days(filters: Filters, now: datetime) -> tuple[date, date, list[date]]:
    """The span of days DailyCount answers for (first, last), and the days in it it may not
    answer for (changed since summed); (None, None, []) when it answers for none."""
    last = min(filters.last_day, timezone.localdate(now) - timedelta(days=1))
    summed = dict(RollupDay.objects.filter(day__gte=filters.first_day, day__lte=last).values_list("day", "changes"))
    if not summed:
        return None, None, []
    first, last = min(summed), max(summed)
    missing = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return first, last, [day for day in missing if summed.get(day, 1)]


def count(filters: Filters, *, now: datetime, by: tuple[str, ...] = ()) -> dict[tuple, dict]:
    """The counters of the cases the filters name, keyed by the values of `by`. For the days
    summed and unchanged since: DailyCount, and the clock counters of their open cases; for the
    other days (today, not summed yet, changed): everything from the cases themselves."""
    first, last, unsummed = _summed_days(filters, now)
    cases = filter_cases(Incident.objects.all(), filters)
    counted: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    if first is not None:
        summed = replace(filters, first_day=first, last_day=last)
        rows = _daily_counts(filters, by).filter(day__gte=first, day__lte=last).exclude(day__in=unsummed)
        keys = {f"k{i}": F(ROLLUP_GROUPS[group]) for i, group in enumerate(by)}
        for row in _grouped(rows, keys, (), {name: Sum(name) for name in STORED_COUNTERS}):
            _add(counted, tuple(row.pop(k) for k in keys), row)
        for key, counts in count_late(summed, unsummed, now=now, by=by).items():
            _add(counted, key, counts)
        cases = cases.exclude(_reported_on(first, last, unsummed))
    for key, counts in count_cases(cases, now=now, by=by).items():
        _add(counted, key, counts)
    return {key: dict(counts) for key, counts in counted.items()}


def _reported_on(first: date, last: date, unsummed: list[date]) -> Q:
    """Reported from `first` to `last`, the `unsummed` days apart."""
    span = _reported_between(first, last)
    for day in unsummed:
        span &= ~_reported_between(day, day)
    return span


def _reported_between(first: date, last: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}reported_at__gte": day_start(first), f"{prefix}reported_at__lt": day_start(last + timedelta(days=1))})


def _add(counted: dict, key: tuple, counts: dict) -> None:
    for name, value in counts.items():
        counted[key][name] += value or 0


def count_late(filters: Filters, unsummed: list[date], *, now: datetime, by: tuple[str, ...] = ()) -> dict[tuple, dict]:
    """Only the clock counters (CLOCK_COUNTERS) of the cases the filters name, the `unsummed`
    days apart: read from the open cases and the running stages past their deadline, which
    small partial indexes hold (Incident and IncidentStage Meta)."""
    late = filter_cases(Incident.objects.filter(status__in=Status.OPEN, deadline__lte=now), filters).order_by()
    for day in unsummed:
        late = late.exclude(_reported_between(day, day))
    keys = {f"k{i}": _case_key(group) for i, group in enumerate(by)}
    counted: dict[tuple, dict] = defaultdict(dict)
    for row in _grouped(late, keys, (), late_case_counters(now)):
        counted[tuple(row.pop(k) for k in keys)].update(row)
    stages = filter_cases(IncidentStage.objects.filter(late_stage(now)), filters, prefix="incident__")
    for day in unsummed:
        stages = stages.exclude(_reported_between(day, day, prefix="incident__"))
    stage_keys = {f"k{i}": _case_key(group, "incident__") for i, group in enumerate(by)}
    for row in _grouped(stages, stage_keys, ("stage",), {"n": Count("stage")}):
        counted[tuple(row.pop(k) for k in stage_keys)][f"{row['stage']}_late_open"] = row["n"]
    return dict(counted)


def _daily_counts(filters: Filters, by: tuple[str, ...]) -> QuerySet[DailyCount]:
    split = {BREAKDOWN_OF[group] for group in by if group in BREAKDOWN_OF} | {BREAKDOWN_OF[name] for name in filters.named()}
    breakdown = split.pop() if len(split) == 1 else DailyCount.Breakdown.CELL if split else DailyCount.Breakdown.TOWN
    return _narrowed(DailyCount.objects.filter(breakdown=breakdown).order_by(), filters, department="department")


def summary(filters: Filters, *, now: datetime) -> dict:
    return measures(count(filters, now=now).get((), {}))


def summary_by(filters: Filters, group: str, *, now: datetime) -> dict:
    """The measures for each value of one grouping (grid, community, category, major,
    department, source, day), only for the values that have cases."""
    return {key[0]: measures(counts) for key, counts in count(filters, now=now, by=(group,)).items()}


# Rankings (考核排名): scores out of 100 and grades, by the formulas of DOMAIN.md.

GRADES = (("A", 90), ("B", 75), ("C", 60), ("D", 40), ("E", float("-inf")))
# Problems first reported by the public rather than found on patrol: missed by the grid's worker.
PUBLIC_SOURCES = ("phone", "resident", "open311")


def grade(score: float | None) -> str | None:
    """A ≥ 90, B 75–90, C 60–75, D 40–60, E < 40."""
    if score is None:
        return None
    return next(letter for letter, floor in GRADES if score >= floor)


def _weighted(parts: list[tuple[float | None, float]]) -> float | None:
    """The weighted sum of rates out of 100; None when a part is unknown (nothing to judge)."""
    if any(value is None for value, _weight in parts):
        return None
    return round(sum(value * weight for value, weight in parts), 1)


def unit_score(figures: dict, *, filed_score: float) -> float | None:
    """A department's, community's or grid's score: filed-count score × 10 % + completion rate
    × 30 % + on-time handling rate × 30 % + (100 − rework rate) × 30 %. The filed-count score is
    100 × its cases due ÷ the most due of any unit ranked beside it; the on-time handling rate
    is the handling stage's timely rate."""
    rework = None if figures["rework_rate"] is None else 100 - figures["rework_rate"]
    return _weighted([
        (filed_score, 0.1), (figures["completion_rate"], 0.3), (figures["stages"][Stage.HANDLE]["timely_rate"], 0.3), (rework, 0.3),
    ])


def unit_ranking(filters: Filters, level: str, *, now: datetime) -> list[dict]:
    """Communities, grids or departments (`level`, a grouping of CASE_GROUPS), best first: each
    {"key", "figures", "score", "grade", "rank"}; those with nothing due last, unranked."""
    by_unit = {key: figures for key, figures in summary_by(filters, level, now=now).items() if key is not None}
    most_due = max((figures["due"] for figures in by_unit.values()), default=0)
    rows = []
    for key, figures in by_unit.items():
        filed = _rate(figures["due"], most_due)
        score = unit_score(figures, filed_score=filed) if figures["due"] else None
        rows.append({"key": key, "figures": {**figures, "filed_score": filed}, "score": score, "grade": grade(score)})
    return _ranked(rows)


def _ranked(rows: list[dict]) -> list[dict]:
    rows.sort(key=lambda row: (row["score"] is None, -(row["score"] or 0)))
    for place, row in enumerate(rows, 1):
        row["rank"] = place if row["score"] is not None else None
    return rows


def worker_score(*, valid_rate, missed_rate, on_time_handling_rate, coverage_rate) -> float | None:
    """A grid worker's score, DOMAIN.md's with the town's duties in place of the vendors':
    valid report rate × 40 % + (100 − missed-report rate) × 20 % + on-time handling rate × 20 %
    + patrol coverage × 20 %. Handling and patrol stand for verification and inspection, which
    here are the command centre's and the inspectors' work; a worker with no task to handle, or
    where no patrols are recorded, has that part judged at the others' average instead."""
    known = [rate for rate in (on_time_handling_rate, coverage_rate) if rate is not None]
    if valid_rate is None or missed_rate is None:
        return None
    average = sum(known) / len(known) if known else 100 - missed_rate
    handling = on_time_handling_rate if on_time_handling_rate is not None else average
    coverage = coverage_rate if coverage_rate is not None else average
    return _weighted([(valid_rate, 0.4), (100 - missed_rate, 0.2), (handling, 0.2), (coverage, 0.2)])


def worker_figures(filters: Filters, workers: dict[int, tuple[int, ...]], *, now: datetime) -> dict[int, dict]:
    """For each grid worker (id → the ids of their grids), over the cases the filters name:
    reports (as reporter, anywhere), valid reports (neither rejected nor merged) and the valid
    report rate; the handling stages they were given, done on time or open past the limit, and
    the on-time handling rate; and the missed-report rate of their grids (cases there first
    reported by the public ÷ cases there)."""
    cases = filter_cases(Incident.objects.all(), filters).order_by()
    reports = {
        row["reporter"]: row
        for row in cases.filter(reporter__in=workers).values("reporter").annotate(
            n=Count("id"), valid=Count("id", filter=~Q(status__in=Status.NOT_COUNTED))
        )
    }
    handling = {
        row["assignee"]: row
        for row in IncidentStage.objects.filter(incident__in=cases.values("pk"), stage=Stage.HANDLE, assignee__in=workers)
        .order_by().values("assignee").annotate(**{
            name: counter for name, counter in stage_counters(now).items() if name in ("done", "on_time", "late_open")
        })
    }
    by_grid: dict = defaultdict(lambda: [0, 0])
    for grid, public, n in cases.filter(grid__isnull=False).values_list("grid").annotate(
        public=Count("id", filter=Q(source__in=PUBLIC_SOURCES)), n=Count("id")
    ):
        by_grid[grid] = [public, n]
    figures = {}
    for worker, grids in workers.items():
        made = reports.get(worker, {"n": 0, "valid": 0})
        handled = handling.get(worker, {"done": 0, "on_time": 0, "late_open": 0})
        public = sum(by_grid[grid][0] for grid in grids)
        in_grids = sum(by_grid[grid][1] for grid in grids)
        figures[worker] = {
            "reports": made["n"],
            "valid_reports": made["valid"],
            "valid_report_rate": _rate(made["valid"], made["n"]),
            "handling_due": handled["done"] + handled["late_open"],
            "handled_on_time": handled["on_time"],
            "on_time_handling_rate": _rate(handled["on_time"], handled["done"] + handled["late_open"]),
            "cases_in_grids": in_grids,
            "missed_rate": _rate(public, in_grids),
        }
    return figures


def worker_ranking(filters: Filters, workers: dict[int, tuple[int, ...]], coverage: dict[int, float], *, now: datetime) -> list[dict]:
    """Grid workers best first; `coverage` is each one's average patrol coverage in the period
    (0–100), where patrols are recorded."""
    rows = []
    for worker, figures in worker_figures(filters, workers, now=now).items():
        figures["coverage_rate"] = coverage.get(worker)
        score = worker_score(
            valid_rate=figures["valid_report_rate"], missed_rate=figures["missed_rate"],
            on_time_handling_rate=figures["on_time_handling_rate"], coverage_rate=figures["coverage_rate"],
        )
        rows.append({"key": worker, "figures": figures, "score": score, "grade": grade(score)})
    return _ranked(rows)


def cases_behind(measure: str, *, now: datetime) -> Q:
    """The cases a figure counts, for its drill-down list: the numerator of a rate."""
    exempt = Q(appeal=Appeal.UPHELD)
    closed = Q(status=Status.CLOSED)
    on_time = closed & (Q(closed_at__lte=F("deadline")) | exempt)
    tests = {
        "reported": Q(),
        "due": closed | late_by(now),
        "closed": closed,
        "closed_on_time": on_time,
        "closed_late": closed & ~on_time,
        "overdue_open": late_by(now),
        "reworked": (closed | late_by(now)) & Q(rework_count__gt=0) & ~exempt,
        "open": Q(status__in=Status.OPEN),
        "suspended": Q(status=Status.SUSPENDED),
        "rejected": Q(status=Status.REJECTED),
        "merged": Q(status=Status.MERGED),
        "dispatched": Q(accepted_at__isnull=False, assigned_at__isnull=False),
        # A case returned and dispatched again counts once here, where the rate counts each dispatch.
        "dispatched_on_time": Exists(IncidentStage.objects.filter(
            incident=OuterRef("pk"), stage=Stage.DISPATCH, completed=True, ended_at__lte=F("deadline"),
        )),
    }
    return tests[measure]


DRILLABLE = (
    "reported", "due", "closed", "closed_on_time", "closed_late", "overdue_open", "reworked", "open", "suspended", "rejected", "merged",
    "dispatched", "dispatched_on_time",
)
