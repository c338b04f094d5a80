"""The ranking tables (考核排名) of the rankings page, its exports and the monthly report: the
scores and grades of incidents.stats, with names, the figures that make each score, and the
formula in words."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from accounts.models import Department, Role, User
from grids.models import Community, Grid, GridWorker
from incidents import stats
from incidents.selectors import TOWN_WIDE_ROLES
from incidents.workflow import Stage
from patrols.selectors import coverage_by_worker

LEVELS = {
    "community": _("Communities"),
    "grid": _("Grids"),
    "department": _("Departments"),
    "worker": _("Grid workers"),
}
DEFAULT_LEVEL = "community"

UNIT_FORMULA = _(
    "Score = filed-count score × 10% + completion rate × 30% + on-time handling rate × 30% + (100 − rework rate) × 30%. "
    "The filed-count score is 100 × cases due ÷ the most cases due of any row in the table; the on-time handling rate is "
    "handling tasks done within their limit ÷ (those done + those open past it)."
)
WORKER_FORMULA = _(
    "Score = valid report rate × 40% + (100 − missed-report rate) × 20% + on-time handling rate × 20% + patrol coverage × 20%. "
    "Valid reports are those neither rejected nor merged; the missed-report rate is the share of cases in the worker's grids "
    "first reported by the public; patrol coverage is the average share of the grid covered by each patrol, days without "
    "a patrol not counted. With no handling task or no patrol recorded, that part counts at the average of the others."
)
GRADES = _("Grades: A ≥ 90, B 75–90, C 60–75, D 40–60, E below 40.")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = ""  # "%" for a rate, "score" for a score out of 100, "" for a count

    @property
    def decimals(self) -> int:
        return 1 if self.unit else 0


UNIT_COLUMNS = (
    Column("due", _("Cases due")),
    Column("closed", _("Cases closed")),
    Column("completion_rate", _("Completion rate"), "%"),
    Column("on_time_handling_rate", _("On-time handling rate"), "%"),
    Column("rework_rate", _("Rework rate"), "%"),
    Column("filed_score", _("Filed-count score"), "score"),
)
# A department's completion rate is its handling rate: its cases closed ÷ its cases due.
DEPARTMENT_COLUMNS = (UNIT_COLUMNS[0], Column("completion_rate", _("Handling rate"), "%"), *UNIT_COLUMNS[3:])
WORKER_COLUMNS = (
    Column("reports", _("Reports")),
    Column("valid_report_rate", _("Valid report rate"), "%"),
    Column("missed_rate", _("Missed-report rate"), "%"),
    Column("on_time_handling_rate", _("On-time handling rate"), "%"),
    Column("coverage_rate", _("Patrol coverage"), "%"),
)
COLUMNS = {"community": UNIT_COLUMNS, "grid": UNIT_COLUMNS, "department": DEPARTMENT_COLUMNS, "worker": WORKER_COLUMNS}
# What a table can be sorted by besides its columns.
SORTS = ("rank", "name", "score")


@dataclass
class Row:
    key: int
    name: str
    detail: str  # a grid's code, a worker's grids
    values: list  # one per column, None where unknown
    score: float | None
    grade: str | None
    rank: int | None
    columns: tuple[Column, ...] = ()

    @property
    def cells(self) -> list[tuple[Column, object]]:
        return list(zip(self.columns, self.values))

    def value_of(self, key: str):
        """A column's value, or the rank, name or score."""
        if key in SORTS:
            return getattr(self, key)
        return self.values[[column.key for column in self.columns].index(key)]


@dataclass
class Ranking:
    level: str
    columns: tuple[Column, ...]
    rows: list[Row] = field(default_factory=list)
    # Why a table the asker may not see is empty (a department member and the grid workers).
    withheld: bool = False

    @property
    def label(self) -> str:
        return LEVELS[self.level]

    @property
    def formula(self) -> str:
        return WORKER_FORMULA if self.level == "worker" else UNIT_FORMULA

    @property
    def ranked(self) -> list[Row]:
        return [row for row in self.rows if row.rank is not None]


def level_of(value: str | None) -> str:
    return value if value in LEVELS else DEFAULT_LEVEL


def ranking(filters: stats.Filters, level: str, *, user, now: datetime) -> Ranking:
    """The table of one level for filters already narrowed to what `user` may see
    (Filters.within), best first, unranked rows last. Names take one query per table."""
    if level == "worker":
        return _worker_ranking(filters, user=user, now=now)
    rows = stats.unit_ranking(filters, level, now=now)
    names = _unit_names(level, [row["key"] for row in rows])
    table = Ranking(level, COLUMNS[level])
    for row in rows:
        figures = {**row["figures"], "on_time_handling_rate": row["figures"]["stages"][Stage.HANDLE]["timely_rate"]}
        name, detail = names.get(row["key"], ("—", ""))
        table.rows.append(_row(row, name, detail, figures, table.columns))
    return table


def _row(row: dict, name: str, detail: str, figures: dict, columns) -> Row:
    return Row(
        key=row["key"], name=name, detail=detail, values=[figures.get(column.key) for column in columns],
        score=row["score"], grade=row["grade"], rank=row["rank"], columns=columns,
    )


def _unit_names(level: str, keys: list) -> dict:
    if level == "community":
        return {pk: (name, "") for pk, name in Community.objects.filter(pk__in=keys).values_list("pk", "name")}
    if level == "grid":
        return {pk: (name, code) for pk, name, code in Grid.objects.filter(pk__in=keys).values_list("pk", "name", "code")}
    return {pk: (name, "") for pk, name in Department.objects.filter(pk__in=keys).values_list("pk", "name")}


def _worker_ranking(filters: stats.Filters, *, user, now: datetime) -> Ranking:
    """Every active grid worker serving a grid the filters name, for the town-wide roles; a grid
    worker sees themself only; a department member no one (workers are not a department's)."""
    table = Ranking("worker", WORKER_COLUMNS)
    workers = GridWorker.objects.filter(user__is_active=True, user__role=Role.WORKER)
    if not user.has_role(*TOWN_WIDE_ROLES):
        if user.role != Role.WORKER:
            table.withheld = True
            return table
        workers = workers.filter(user=user)
    grids: dict[int, list[tuple[int, str]]] = {}
    serving = workers.values_list("user_id", "grids__pk", "grids__name").order_by("user_id", "grids__code")
    for worker, grid, name in serving:
        if grid is not None and (filters.grids is None or grid in filters.grids):
            grids.setdefault(worker, []).append((grid, name))
    names = {person.pk: person.display_name for person in User.objects.filter(pk__in=list(grids)).only("username", "first_name", "last_name")}
    coverage = coverage_by_worker(filters.first_day, filters.last_day, workers=list(grids))
    rows = stats.worker_ranking(filters, {worker: tuple(pk for pk, _name in mine) for worker, mine in grids.items()}, coverage, now=now)
    for row in rows:
        detail = "、".join(name for _pk, name in grids[row["key"]])
        table.rows.append(_row(row, names.get(row["key"], "—"), detail, row["figures"], table.columns))
    return table


def sorted_rows(table: Ranking, sort: str | None) -> tuple[list[Row], str]:
    """The rows in the order `sort` names ("score", "-score", "name", a column's key...; by rank
    when unknown), rows without a value last either way; and the sort applied."""
    key = (sort or "").lstrip("-")
    if key not in SORTS and key not in {column.key for column in table.columns}:
        return table.rows, "rank"
    known = sorted((row for row in table.rows if row.value_of(key) is not None), key=lambda row: row.value_of(key), reverse=sort.startswith("-"))
    return known + [row for row in table.rows if row.value_of(key) is None], sort


def headers(table: Ranking, sort: str = "rank") -> list[dict]:
    """Each column's header: the sort a click asks for next, and how the rows are sorted now.
    Figures sort highest first on the first click, rank and name in their natural order; the
    grade goes with the score."""
    columns = [("rank", _("Rank")), ("name", LEVELS[table.level]), *((c.key, c.label) for c in table.columns), ("score", _("Score"))]
    found = []
    for key, label in columns:
        first = key if key in ("rank", "name") else f"-{key}"
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        following = (key if sort == f"-{key}" else f"-{key}") if state else first
        found.append({"key": key, "label": label, "sort": following, "state": state, "first": first})
    found.append({"key": "grade", "label": _("Grade"), "sort": "", "state": "", "first": ""})
    return found
