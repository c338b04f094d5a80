"""Build the demo town, Xin'an (新安镇), and the year of incidents that led to today.

The master data (communities, grids, compounds, workers, departments, categories, the working
calendar) is written in bulk. The incidents go through the real workflow services with
historical timestamps, so each has the events, deadlines and photos a real case would have,
and the measures (completion rate and the rest) come out of `incidents.stats`, never stored.

The load is one transaction: a failure leaves the database as it was. Events are not sent to
the broker while it runs (`dispatch_held`) and are marked processed at the end: the history is
history, and nobody is to be notified of it.

A database that already has data is refused, unless `--if-empty` (then nothing is done) or
`--force` (then the whole database is emptied first, as `manage.py flush` does: every row,
not only the demo's, so that the same seed gives the same data).
"""

import heapq
import io
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count, product

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image
from tqdm import tqdm

from accounts.models import Department, Notification, Role, User
from grids.models import Community, Compound, Grid, GridWorker, Town
from incidents import demo_data as data
from incidents.models import CalendarDay, Category, Incident, IncidentEvent, Source
from govgrid.celery import send_task_safely
from incidents.outbox import dispatch_held
from incidents.photos import prepare_photo
from incidents.holidays import last_known_year
from incidents.services import (
    Photos,
    calendar_load_national,
    incident_accept,
    incident_appeal,
    incident_assign,
    incident_card,
    incident_close,
    incident_close_erroneous,
    incident_close_special,
    incident_decide_appeal,
    incident_decide_extension,
    incident_handle,
    incident_inspect,
    incident_mark_deadlines,
    incident_merge,
    incident_reject,
    incident_reopen,
    incident_report,
    incident_request_extension,
    incident_resume,
    incident_return,
    incident_suspend,
)
from incidents.stats import incident_summary
from incidents.workflow import Appeal, Card, Status, is_late, recently_closed
from incidents.timelimits import TimeUnit, WorkingCalendar, add_working_seconds, counts_working_time, limit_seconds, workday_seconds
from emergency import demo as emergency_demo
from party import demo as party_demo
from patrols import demo as patrols_demo
from screening import demo as screening_demo
from volunteers import demo as volunteers_demo
from volunteers.selectors import coverage as volunteer_coverage

DEFAULT_SEED = 2020
# About 5,000 cases, every step through the services: a minute or two on SQLite. The town's
# real volume, a few hundred a day (--incidents-per-day 300), takes proportionally longer.
DEFAULT_PER_DAY = 15
HISTORY_DAYS = 365

# How a case goes. Each is a probability, drawn per case.
FOUND_ON_PATROL = 0.66
RESIDENT_CALLED_WORKER = 0.12  # the rest are calls to the command centre
OUTSIDE_EVERY_GRID = 0.006
DUPLICATE = 0.02
FIXED_ON_THE_SPOT = 0.10  # of patrol finds that a grid worker can fix
REJECTED = 0.025
MISDISPATCHED = 0.02
GIVEN_TO_A_WORKER = 0.6  # of the cases a grid worker can deal with
REWORKED = 0.035
LATE = 0.06
# The branches (workflow.py), each a few percent of the cases.
ACCEPTED_FIRST = 0.6  # accepted, then dispatched a few minutes later; the rest in one step
RETURNED = 0.012  # sent to the wrong department, which returns it
CLOSED_IN_ERROR = 0.5  # of the cases rejected after dispatch: closed as erroneous instead
EXTENDED = 0.03  # the handler asks for more time ...
EXTENSION_REFUSED = 0.2  # ... and is refused
SUSPENDED = 0.01  # needs budget or a works project: suspended for a week to two months
APPEALED = 0.3  # of the cases closed late or reworked, the handler appeals ...
APPEAL_UPHELD = 0.5  # ... and the official upholds
CARDED = 0.7  # of the late cases, the command centre issues a card
REOPENED = 0.006  # found back after closing
CLOSED_BY_DECISION = 0.15  # of the forgotten cases, an official closes by special decision
# A case forgotten at some stage: it stays open, and once past its deadline counts as due
# and not closed. These, with the day's cases past a short limit, are what keep the
# completion rate just under 100 %.
FORGOTTEN = 0.015


@dataclass
class Cell:
    """A grid, where it sits in the town's lattice, and what the history needs to put a case in it."""

    grid: Grid
    column: int
    row: int
    corners: tuple  # (south-west, south-east, north-east, north-west), each (longitude, latitude)
    streets: list
    compounds: list = field(default_factory=list)
    workers: list = field(default_factory=list)

    def point(self, rng: random.Random, margin: float = 0.1) -> tuple[float, float]:
        """A (latitude, longitude) inside the cell, away from its edges."""
        u, v = rng.uniform(margin, 1 - margin), rng.uniform(margin, 1 - margin)
        weights = ((1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v)
        longitude = sum(w * corner[0] for w, corner in zip(weights, self.corners))
        latitude = sum(w * corner[1] for w, corner in zip(weights, self.corners))
        return round(latitude, 6), round(longitude, 6)

    @property
    def on_edge_of_town(self) -> bool:
        return self.column in (0, data.COLUMNS - 1) or self.row in (0, data.ROWS - 1)


@dataclass
class Handler:
    """Who a case is given to: a grid worker, or a department (acting through its member)."""

    user: User
    department: Department | None = None

    @property
    def label(self) -> str:
        return self.department.name if self.department else self.user.display_name


@dataclass
class Case:
    """A report about to be made, and how it will go."""

    at: datetime
    category: Category
    minor: data.Minor
    source: str
    reporter: User
    cell: Cell | None  # None: outside every grid
    latitude: float
    longitude: float
    place: str
    description: str
    contact_phone: str = ""
    note: str = ""
    on_spot: bool = False
    duplicate_of: Incident | None = None


@dataclass
class Plan:
    """The steps after the report, as (offset on the case's clock, action)."""

    steps: list
    counted: bool = True  # neither rejected nor merged
    closes: bool = True  # all its steps done, the case is closed


@dataclass
class Recent:
    """A live case that a later report may duplicate."""

    incident: Incident
    minor: data.Minor
    place: str
    closed_at: datetime | None


class Command(BaseCommand):
    help = "Build the demo town of Xin'an (新安镇) with a year of incidents. Refuses a database that has data."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="The same seed gives the same data.")
        parser.add_argument(
            "--incidents-per-day", type=int, default=DEFAULT_PER_DAY, help=f"Average reports a day (default {DEFAULT_PER_DAY})."
        )
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--force", action="store_true", help="Empty the whole database first (every row, as manage.py flush does), then seed."
        )
        existing.add_argument("--if-empty", action="store_true", help="Do nothing, successfully, if the database already has data.")

    def handle(self, *args, seed, incidents_per_day, force, if_empty, verbosity, **options):
        if incidents_per_day < 0:
            raise CommandError("--incidents-per-day cannot be negative.")
        if database_has_data():
            if if_empty:
                self.stdout.write("The database already has data: the demo town is not loaded.")
                return
            if not force:
                raise CommandError(
                    "The database already has data. Use --force to empty it and load the demo town, "
                    "or --if-empty to leave it as it is."
                )
            call_command("flush", interactive=False, verbosity=0)

        rng = random.Random(seed)
        now = timezone.now()
        today = timezone.localdate(now)
        if last_known_year() < today.year:
            self.stderr.write(f"chinese-calendar knows holidays up to {last_known_year()}: {today.year}'s deadlines count Monday to Friday.")
        with transaction.atomic():
            town = TownBuilder(rng, today=today).build()
            calendar = load_calendar(today=today)
            history = History(rng=rng, town=town, calendar=calendar, now=now, per_day=incidents_per_day)
            with dispatch_held():
                history.load(progress=verbosity >= 1)
                # Party meetings whose follow-ups opened cases: part of the history too.
                party = party_demo.build(rng=random.Random(seed), now=now)
                # The deadline watch catches up once, so the open cases past their limits are
                # warned and escalated now rather than all at once when beat first runs.
                incident_mark_deadlines(now=now)
            # History, not news: nobody is to be notified of it.
            IncidentEvent.objects.filter(processed_at__isnull=True).update(processed_at=now)
            # The grid workers' last few working days on patrol, and this morning's.
            patrols = patrols_demo.build(rng=random.Random(seed), now=now)
            volunteers = volunteers_demo.build(rng=random.Random(seed), now=now)
            duty = emergency_demo.build(rng=random.Random(seed), now=now)
            screening = screening_demo.build(rng=random.Random(seed), now=now)
            # The swaps and closures in that history told people at the time; that news is old.
            Notification.objects.all().delete()
        # The dashboard's daily counts of the past days: summed by the worker once it runs, and
        # read from the cases until then.
        send_task_safely("incidents.tasks.sum_days")
        self.stdout.write(summary_text(now))
        self.stdout.write(f"Patrols: {patrols['patrols']} with {patrols['points']} positions and {patrols['checkins']} check-ins.")
        self.stdout.write(
            f"Party: {party['branches']} branches, {party['members']} members ({party['in_service']} in service), {party['posts']} posts, "
            f"{party['checkins']} check-ins, {party['meetings']} meetings with {party['follow_ups']} follow-ups ({party['cases']} opened a case)."
        )
        # This year's reach, counted from the activities as the coverage page counts it.
        reach = volunteer_coverage(first=today.replace(month=1, day=1), last=today)
        self.stdout.write(
            f"Volunteers: {volunteers['teams']} teams, {volunteers['volunteers']} volunteers, {volunteers['activities']} activities; "
            f"this year {reach.total.sessions} outreach sessions reaching {len(reach.total.grids)} of {reach.grid_count} grids "
            f"and {len(reach.total.old_compounds)} of {reach.old_compound_count} old compounds."
        )
        self.stdout.write(
            f"Emergency duty: {duty['campaigns']} campaign, {duty['checkpoints']} checkpoints, {duty['people']} people ({duty['volunteers']} volunteers), "
            f"{duty['shifts']} shifts ({duty['checkins']} checked in), {duty['swaps']} swaps, {duty['shortfalls']} shortfalls open."
        )
        self.stdout.write(
            f"Screening register: {screening['arrivals']} arrivals, {screening['follow_ups_done']} follow-ups done, "
            f"{screening['follow_ups_open']} open."
        )


def database_has_data() -> bool:
    return any(model.objects.exists() for model in (User, Department, Town, Category, Incident))


def load_calendar(*, today: date) -> WorkingCalendar:
    """The national holidays and make-up days (a flush empties what the migration loaded)."""
    calendar_load_national()
    return WorkingCalendar.load(today - timedelta(days=HISTORY_DAYS), days=HISTORY_DAYS + 90)


def summary_text(now: datetime) -> str:
    summary = incident_summary(Incident.objects.all(), now=now)
    workers = GridWorker.objects.all()
    full_time = workers.filter(full_time=True).count()
    compounds = Compound.objects.all()
    return "\n".join(
        [
            f"{data.TOWN_NAME} ({data.TOWN_CODE}): {Community.objects.count()} communities, {Grid.objects.count()} grids, "
            f"{compounds.count()} compounds ({compounds.filter(is_old=True).count()} old), "
            f"{workers.count()} grid workers ({full_time} full-time, {workers.count() - full_time} part-time), "
            f"{Department.objects.count()} departments, {Category.objects.filter(parent__isnull=False).count()} categories, "
            f"{CalendarDay.objects.count()} calendar days.",
            f"Incidents: {summary['reported']} reported, {summary['closed']} closed ({summary['closed_late']} late), "
            f"{summary['rejected']} rejected, {summary['merged']} merged, {summary['open']} open "
            f"({summary['overdue_open']} overdue).",
            f"Completion rate {summary['completion_rate']} %, on-time rate {summary['on_time_rate']} %, "
            f"rework rate {summary['rework_rate']} % of {summary['due']} cases due.",
            f"Timely dispatch {summary['timely_dispatch_rate']} %, accurate dispatch {summary['accurate_dispatch_rate']} %; "
            f"{summary['returned']} returned, {summary['extended']} extended, {summary['suspended']} suspended, "
            f"{summary['appeals_upheld']} of {summary['appeals']} appeals upheld; cards "
            + ", ".join(f"{count} {level}" for level, count in summary["cards"].items())
            + "; closed " + ", ".join(f"{count} {kind}" for kind, count in summary["closures"].items()) + ".",
            f"Demo accounts, password {data.PASSWORD}: {', '.join(username for username, _, _ in data.STAFF)}, "
            f"worker01…worker{data.GRID_WORKERS:02d}, {', '.join(account for _, _, account, _ in data.DEPARTMENTS)} "
            "(and each department's head, the same name with -head).",
        ]
    )


class TownBuilder:
    """Communities, grids tiling the town, compounds, departments, people and categories."""

    def __init__(self, rng: random.Random, *, today: date):
        self.rng = rng
        self.today = today
        self.communities: list[list[Cell]] = []
        self.departments: dict[str, Handler] = {}
        self.staff: dict[str, User] = {}
        self.workers: list[tuple[User, list[Cell]]] = []
        self.categories: list[tuple[Category, data.Minor]] = []

    @property
    def cells(self) -> list[Cell]:
        return [cell for community in self.communities for cell in community]

    def build(self) -> "TownBuilder":
        town = Town.objects.create(code=data.TOWN_CODE, name=data.TOWN_NAME, county=data.COUNTY_NAME)
        self.build_grids(town)
        self.build_compounds()
        password = make_password(data.PASSWORD)  # hashed once and shared: hashing is slow by design
        self.build_departments(password)
        self.build_workers(password)
        self.build_categories()
        return self

    def build_grids(self, town: Town) -> None:
        corners = self.lattice()
        for code, name, columns, rows in data.COMMUNITIES:
            community = Community.objects.create(town=town, code=data.TOWN_CODE + code, name=name)
            cells = []
            # Numbered row by row from the north-west corner of the community's block.
            for sequence, (row, column) in enumerate(product(reversed(rows), columns), 1):
                quad = (corners[column, row], corners[column + 1, row], corners[column + 1, row + 1], corners[column, row + 1])
                grid = Grid(
                    community=community,
                    code=f"{community.code}{sequence:03d}",
                    name=f"{name}第{sequence}网格",
                    boundary={"type": "Polygon", "coordinates": [[list(corner) for corner in (*quad, quad[0])]]},
                )
                cells.append(Cell(grid=grid, column=column, row=row, corners=quad, streets=self.rng.sample(data.STREETS, 2)))
            self.communities.append(cells)
        Grid.objects.bulk_create([cell.grid for cell in self.cells])

    def lattice(self) -> dict[tuple[int, int], tuple[float, float]]:
        """The corners of the cells: a regular lattice with its inner points moved a little, so
        that the grids look drawn by hand and still share their edges exactly."""
        width, height = data.CELL_DEGREES
        west = data.CENTRE[1] - data.COLUMNS * width / 2
        south = data.CENTRE[0] - data.ROWS * height / 2
        corners = {}
        for column, row in product(range(data.COLUMNS + 1), range(data.ROWS + 1)):
            shift_x = self.rng.uniform(-0.12, 0.12) * width if 0 < column < data.COLUMNS else 0
            shift_y = self.rng.uniform(-0.12, 0.12) * height if 0 < row < data.ROWS else 0
            corners[column, row] = (round(west + column * width + shift_x, 6), round(south + row * height + shift_y, 6))
        return corners

    def build_compounds(self) -> None:
        unit_names = [unit + suffix for unit, suffix in product(data.COMPOUND_UNITS, data.COMPOUND_UNIT_SUFFIXES)]
        place_names = [place + suffix for place, suffix in product(data.COMPOUND_PLACES, data.COMPOUND_PLACE_SUFFIXES)]
        old_names = self.rng.sample(unit_names + place_names, data.OLD_COMPOUNDS)
        # Every grid has an old compound; the others crowd towards the old town centre.
        middle_column, middle_row = (data.COLUMNS - 1) / 2, (data.ROWS - 1) / 2
        cells = self.cells
        centrality = [1 / (1 + abs(cell.column - middle_column) + abs(cell.row - middle_row)) for cell in cells]
        homes = cells + self.rng.choices(cells, weights=centrality, k=data.OLD_COMPOUNDS - len(cells))
        compounds = [self.compound(cell, name, old=True) for cell, name in zip(homes, old_names)]
        # The new estates are on the edge of town.
        edge = [cell for cell in cells if cell.on_edge_of_town]
        compounds += [
            self.compound(cell, name, old=False)
            for cell, name in zip(self.rng.sample(edge, data.NEW_COMPOUNDS), data.NEW_COMPOUND_NAMES)
        ]
        Compound.objects.bulk_create(compounds)
        # The town's residents (about 200,000), shared out by the grids' households.
        households = {cell.grid.pk: 0 for cell in cells}
        for compound in compounds:
            households[compound.grid.pk] += compound.households
        total = sum(households.values())
        for cell in cells:
            cell.grid.population = round(data.RESIDENTS * households[cell.grid.pk] / total)
        Grid.objects.bulk_update([cell.grid for cell in cells], ["population"])

    def compound(self, cell: Cell, name: str, *, old: bool) -> Compound:
        latitude, longitude = cell.point(self.rng, margin=0.15)
        cell.compounds.append(name)
        households = self.rng.randint(60, 480) if old else self.rng.randint(300, 1200)
        return Compound(grid=cell.grid, name=name, latitude=latitude, longitude=longitude, is_old=old, households=households)

    def build_departments(self, password: str) -> None:
        departments = Department.objects.bulk_create(
            [Department(code=code, name=name, phone=phone) for code, name, _, phone in data.DEPARTMENTS]
        )
        people = [
            User(username=username, role=role, first_name=name, password=password, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
            for username, role, name in data.STAFF
        ]
        people += [
            User(
                username=account,
                role=Role.DEPARTMENT,
                first_name=f"{department.name}受理员",
                password=password,
                department=department,
                phone=department.phone,
            )
            for department, (_, _, account, _) in zip(departments, data.DEPARTMENTS)
        ]
        # Each department's head, told of the supervision cards on its cases.
        people += [
            User(
                username=f"{account}-head",
                role=Role.DEPARTMENT,
                first_name=f"{department.name}负责人",
                password=password,
                department=department,
                is_department_head=True,
            )
            for department, (_, _, account, _) in zip(departments, data.DEPARTMENTS)
        ]
        users = {user.username: user for user in User.objects.bulk_create(people)}
        self.staff = {username: users[username] for username, _, _ in data.STAFF}
        self.departments = {
            department.code: Handler(user=users[account], department=department)
            for department, (_, _, account, _) in zip(departments, data.DEPARTMENTS)
        }

    def build_workers(self, password: str) -> None:
        """Every grid has its full-time steward, a few stewards keeping two neighbouring grids;
        part-timers help in one to three grids of their community."""
        full_time = data.GRID_WORKERS - data.PART_TIME_WORKERS
        count = len(self.communities)
        doubles = [(len(self.cells) - full_time) // count + (n < (len(self.cells) - full_time) % count) for n in range(count)]
        part_timers = [data.PART_TIME_WORKERS // count + (n < data.PART_TIME_WORKERS % count) for n in range(count)]
        rosters = []
        for cells, double, part_time in zip(self.communities, doubles, part_timers):
            sizes = [2] * double + [1] * (len(cells) - 2 * double)
            self.rng.shuffle(sizes)
            starts = [sum(sizes[:n]) for n in range(len(sizes))]
            rosters += [(True, cells[start : start + size]) for start, size in zip(starts, sizes)]
            rosters += [(False, self.rng.sample(cells, self.rng.randint(1, 3))) for _ in range(part_time)]

        names = self.rng.sample([surname + given for surname, given in product(data.SURNAMES, data.GIVEN_NAMES)], len(rosters))
        users = User.objects.bulk_create(
            [
                User(username=f"worker{n:02d}", role=Role.WORKER, first_name=name, password=password, phone=f"1385232{n:04d}")
                for n, name in enumerate(names, 1)
            ]
        )
        # Full-timers came with the programme in its first years; part-timers since.
        hired_days = (self.today - data.HIRED_SINCE).days
        workers = GridWorker.objects.bulk_create(
            [
                GridWorker(
                    user=user,
                    full_time=full,
                    hired_on=data.HIRED_SINCE + timedelta(days=self.rng.randint(0, hired_days // 3 if full else hired_days - 60)),
                )
                for user, (full, _) in zip(users, rosters)
            ]
        )
        serves = GridWorker.grids.through
        serves.objects.bulk_create(
            [serves(gridworker=worker, grid=cell.grid) for worker, (_, cells) in zip(workers, rosters) for cell in cells]
        )
        for user, (_, cells) in zip(users, rosters):
            for cell in cells:
                cell.workers.append(user)
        self.workers = [(user, cells) for user, (_, cells) in zip(users, rosters)]

    def build_categories(self) -> None:
        majors = Category.objects.bulk_create([Category(kind=major.kind, code=major.code, name=major.name) for major in data.CATEGORIES])
        pairs = [
            (
                Category(
                    kind=major.kind,
                    code=minor.code,
                    name=minor.name,
                    parent=parent,
                    time_limit=Decimal(str(minor.time_limit)),
                    time_unit=minor.time_unit,
                    department=self.departments[minor.department].department,
                    filing_condition=minor.filing,
                    closing_condition=minor.closing,
                ),
                minor,
            )
            for parent, major in zip(majors, data.CATEGORIES)
            for minor in major.minors
        ]
        Category.objects.bulk_create([category for category, _ in pairs])
        self.categories = pairs


class Clock:
    """Moments after a report, counted the way its category's time limit is counted.

    A step at an offset below `span` lands before the deadline; in working units it lands in
    office hours on a working day, when the people who act on it are at work.
    """

    def __init__(self, start: datetime, minor: data.Minor, calendar: WorkingCalendar):
        self.start, self.unit, self.calendar = start, minor.time_unit, calendar
        self.span = limit_seconds(minor.time_limit, minor.time_unit)
        # A calendar day's worth of this clock: a working week has five working days.
        self.seconds_per_day = workday_seconds() * 5 / 7 if counts_working_time(self.unit) else 86400

    def at(self, offset: float) -> datetime:
        if counts_working_time(self.unit):
            return add_working_seconds(self.start, offset, self.calendar)
        moment = self.start + timedelta(seconds=offset)
        if self.unit == TimeUnit.NATURAL_DAYS:
            return in_daytime(moment)
        return moment  # urgent: day and night alike


def in_daytime(moment: datetime) -> datetime:
    """The same moment, or the next morning's if it falls at night."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 20:
        return moment
    morning = local.date() + timedelta(days=1 if local.hour >= 20 else 0)
    return datetime.combine(morning, time(8, local.minute, local.second), tzinfo=local.tzinfo)


def jpeg(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


class History:
    """A year of cases up to `now`, each driven through the workflow services at its own times.

    Reports are made day by day in time order. The later steps of each case are planned when
    it is reported and carried out up to `now`, so the day's cases are left open at whatever
    stage they have reached.
    """

    address_prefix = data.COUNTY_NAME + data.TOWN_NAME

    def __init__(self, *, rng: random.Random, town: TownBuilder, calendar: WorkingCalendar, now: datetime, per_day: int):
        self.rng, self.town, self.calendar, self.now, self.per_day = rng, town, calendar, now, per_day
        self.dispatcher = town.staff["dispatcher"]
        self.inspector = town.staff["inspector"]
        self.official = town.staff["official"]
        self.recent: deque[Recent] = deque(maxlen=40)
        # Steps not yet taken, by time: (at, order of scheduling, step).
        self.pending: list = []
        self.order = count()
        # Prepared once, as the API prepares each upload; every case stores its own copy.
        self.before_photo, self.after_photo = (
            prepare_photo(ContentFile(jpeg(colour), name="photo.jpg")) for colour in ((121, 96, 70), (96, 150, 90))
        )
        self.weights_by_month = {
            month: [minor.weight if not minor.months or month in minor.months else 0 for _, minor in town.categories]
            for month in range(1, 13)
        }

    def load(self, *, progress: bool) -> None:
        """Every report and every later step in the order of their times, across all cases, so
        that each step finds the town as it was then (a duplicate is merged into a case that is
        still live, not one that a later day closes)."""
        today = timezone.localdate(self.now)
        days = [today - timedelta(days=n) for n in range(HISTORY_DAYS - 1, -1, -1)]
        for day in tqdm(days, desc="A year of incidents", unit="day", disable=not progress):
            for case in sorted((self.new_case(day) for _ in range(self.volume(day))), key=lambda case: case.at):
                if case.at <= self.now:
                    self.schedule(case.at, lambda at, case=case: self.drive(case))
            self.run_until(datetime.combine(day + timedelta(days=1), time(), tzinfo=timezone.get_current_timezone()))
        self.run_until(None)

    def schedule(self, at: datetime, step) -> None:
        """Do `step(at)` when the history reaches `at`; never past `now`."""
        if at <= self.now:
            heapq.heappush(self.pending, (at, next(self.order), step))

    def run_until(self, moment: datetime | None) -> None:
        while self.pending and (moment is None or self.pending[0][0] < moment):
            at, _, step = heapq.heappop(self.pending)
            step(at)

    def volume(self, day: date) -> int:
        busy = 1.1 if self.calendar.is_working_day(day) else 0.75
        return max(0, round(self.per_day * busy * self.rng.gauss(1, 0.12)))

    def new_case(self, day: date) -> Case:
        rng = self.rng
        category, minor = rng.choices(self.town.categories, weights=self.weights_by_month[day.month])[0]
        draw = rng.random()
        if draw < FOUND_ON_PATROL + RESIDENT_CALLED_WORKER:
            reporter, cells = rng.choice(self.town.workers)
            cell = rng.choice(cells)
            patrol = draw < FOUND_ON_PATROL
            source = Source.PATROL if patrol else Source.RESIDENT
            hours = (7.5, 18.5) if patrol else (7, 21)
            note = "" if patrol else rng.choice(data.RESIDENT_NOTES)
        else:
            reporter, cell, patrol, source = self.dispatcher, rng.choice(self.town.cells), False, Source.PHONE
            hours = (0, 24) if rng.random() < 0.15 else (7, 22)
            note = rng.choice(data.PHONE_NOTES)
        midnight = datetime.combine(day, time(), tzinfo=timezone.get_current_timezone())
        latitude, longitude = cell.point(rng)
        if rng.random() < OUTSIDE_EVERY_GRID:
            cell = None
            latitude, longitude = self.outside_point()
        place = self.place(cell)
        case = Case(
            at=midnight + timedelta(hours=rng.uniform(*hours)),
            category=category,
            minor=minor,
            source=source,
            reporter=reporter,
            cell=cell,
            latitude=latitude,
            longitude=longitude,
            place=place,
            description=rng.choice(minor.says).format(place=place),
            contact_phone="" if patrol else f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            note=note,
            on_spot=patrol and cell is not None and minor.worker_fixable and rng.random() < FIXED_ON_THE_SPOT,
        )
        if rng.random() < DUPLICATE:
            self.make_duplicate(case)
        return case

    def make_duplicate(self, case: Case) -> None:
        """Someone else reports a live case again, a few metres off."""
        live = [r for r in self.recent if r.incident.reported_at < case.at and (r.closed_at is None or r.closed_at > case.at)]
        if not live:
            return
        original = self.rng.choice(live)
        case.category, case.minor, case.place = original.incident.category, original.minor, original.place
        case.latitude = round(original.incident.latitude + self.rng.uniform(-0.0002, 0.0002), 6)
        case.longitude = round(original.incident.longitude + self.rng.uniform(-0.0002, 0.0002), 6)
        case.description = self.rng.choice(original.minor.says).format(place=original.place)
        case.on_spot = False
        case.duplicate_of = original.incident

    def outside_point(self) -> tuple[float, float]:
        """A position a few hundred metres beyond the edge of town."""
        width, height = data.CELL_DEGREES
        half_x, half_y = data.COLUMNS * width / 2, data.ROWS * height / 2
        beyond, along = self.rng.uniform(0.002, 0.006), self.rng.uniform(-1, 1)
        north, east = self.rng.choice(
            [(half_y + beyond, along * half_x), (-half_y - beyond, along * half_x), (along * half_y, half_x + beyond), (along * half_y, -half_x - beyond)]
        )
        return round(data.CENTRE[0] + north, 6), round(data.CENTRE[1] + east, 6)

    def place(self, cell: Cell | None) -> str:
        rng = self.rng
        if cell is not None and cell.compounds and rng.random() < 0.45:
            return rng.choice(cell.compounds) + (f"{rng.randint(1, 24)}号楼" if rng.random() < 0.5 else "")
        streets = cell.streets if cell is not None else rng.sample(data.STREETS, 2)
        if rng.random() < 0.3:
            return f"{streets[0]}与{streets[1]}交叉口"
        return f"{rng.choice(streets)}{rng.randint(1, 300)}号"

    def handler(self, case: Case) -> Handler:
        if case.minor.worker_fixable and case.cell is not None and self.rng.random() < GIVEN_TO_A_WORKER:
            return Handler(user=self.rng.choice(case.cell.workers))
        return self.town.departments[case.minor.department]

    def drive(self, case: Case) -> None:
        photos = None
        if case.on_spot:
            photos = Photos(
                report=[],
                before=[self.before_photo],
                after=[self.after_photo],
            )
        incident, _ = incident_report(
            reporter=case.reporter,
            category=case.category,
            description=case.description,
            latitude=case.latitude,
            longitude=case.longitude,
            address=self.address_prefix + case.place,
            source=case.source,
            contact_phone=case.contact_phone,
            handled_on_spot=case.on_spot,
            note=self.rng.choice(data.ON_SPOT_NOTES) if case.on_spot else case.note,
            photos=photos,
            at=case.at,
            calendar=self.calendar,
        )
        clock = Clock(incident.reported_at, case.minor, self.calendar)
        plan = self.plan(case, incident.pk, clock)
        done, previous = 0, incident.reported_at
        for offset, action in plan.steps:
            at = max(clock.at(offset), previous + timedelta(minutes=1))
            if at > self.now:
                break
            self.schedule(at, action)
            done, previous = done + 1, at
        if plan.counted:
            closed_at = previous if plan.closes and done == len(plan.steps) else None
            self.recent.append(Recent(incident, case.minor, case.place, closed_at))

    def plan(self, case: Case, pk: int, clock: Clock) -> Plan:
        rng, dispatcher, inspector = self.rng, self.dispatcher, self.inspector
        dispatch = min(rng.uniform(3, 25) * 60, 0.1 * clock.span)

        if case.duplicate_of is not None:
            original = case.duplicate_of

            def merge(at):
                # Closed meanwhile (a report late at night is dealt with the next morning): the
                # problem was fixed already, and the report is turned away instead.
                if Incident.objects.get(pk=original.pk).status not in Status.LIVE:
                    incident_reject(incident_id=pk, actor=dispatcher, reason=data.ALREADY_CLOSED.format(code=original.code), at=at)
                    return
                incident_merge(incident_id=pk, actor=dispatcher, duplicate_of=original, note=data.MERGE_NOTE.format(code=original.code), at=at)

            return Plan([(dispatch, merge)], counted=False, closes=False)

        if not case.on_spot and rng.random() < REJECTED:
            reason = rng.choice(data.REJECT_REASONS)

            def reject(at):
                incident_reject(incident_id=pk, actor=dispatcher, reason=reason, at=at)

            if rng.random() < 0.3:  # sent out first; the handler found nothing to do
                steps = [(dispatch, self.assign(pk, self.handler(case)))]
                if rng.random() < CLOSED_IN_ERROR:
                    error = rng.choice(data.ERRONEOUS_REASONS)

                    def close_in_error(at):
                        incident_close_erroneous(incident_id=pk, actor=dispatcher, reason=error, at=at)

                    return Plan(steps + [(dispatch + 0.2 * clock.span, close_in_error)])
                steps.append((dispatch + 0.2 * clock.span, reject))
            else:
                steps = [(dispatch, reject)]
            return Plan(steps, counted=False, closes=False)

        reworked = rng.random() < REWORKED
        late = rng.random() < LATE
        extended = not case.on_spot and not late and rng.random() < EXTENDED
        # Late past the case's own deadline: its limit and an hour of accepting, dispatching
        # and inspecting. An extension takes the handling past its first limit, on time.
        finish = (clock.span + 3600) * rng.uniform(1.05, 2.5) if late else clock.span * rng.uniform(0.3, 0.95)
        if extended:
            finish = clock.span * rng.uniform(1.1, 1.4)
        if reworked:
            finish *= 1.25
        steps = []
        if case.on_spot:
            handler, begin = Handler(user=case.reporter), 0.0
        else:
            handler = self.handler(case)
            if rng.random() < ACCEPTED_FIRST:
                steps.append((0.4 * dispatch, self.accept(pk)))
            draw = rng.random()
            if draw < MISDISPATCHED + RETURNED:
                wrong = rng.choice([other for other in self.town.departments.values() if other is not handler])
                steps.append((dispatch, self.assign(pk, wrong)))
                sent_wrong, dispatch = dispatch, dispatch + 0.1 * (finish - dispatch)
                if draw < RETURNED:
                    steps.append(((sent_wrong + dispatch) / 2, self.give_back(pk, wrong)))
                note = rng.choice(data.REASSIGN_NOTES).format(department=handler.label)
                steps.append((dispatch, self.assign(pk, handler, note=note)))
            else:
                steps.append((dispatch, self.assign(pk, handler)))
            begin = dispatch
        if not case.on_spot and rng.random() < SUSPENDED:
            # Suspended for a week to two months, then resumed where it stopped.
            paused = clock.seconds_per_day * rng.uniform(7, 60)
            steps += [(begin + 0.1 * (finish - begin), self.suspend(pk)), (begin + 0.1 * (finish - begin) + paused, self.resume(pk))]
            begin += paused
            finish += paused
        work = finish - begin
        if extended:
            steps.append((begin + 0.3 * work, self.ask_more_time(pk, handler)))
            steps.append((begin + 0.35 * work, self.decide_more_time(pk)))
        if late and not case.on_spot and rng.random() < CARDED:
            steps.append((begin + 1.05 * clock.span, self.card(pk, Card.ORDINARY)))
            if work > 2.5 * clock.span:
                steps.append((begin + 1.6 * clock.span, self.card(pk, Card.YELLOW)))
        closing = case.minor.closing

        def handle(at):
            incident_handle(incident_id=pk, actor=handler.user, note=rng.choice(data.HANDLE_NOTES).format(closing=closing), at=at)

        def inspect(at):
            incident_inspect(incident_id=pk, actor=inspector, passed=True, note=rng.choice(data.INSPECT_NOTES), at=at)

        def rework(at):
            incident_inspect(incident_id=pk, actor=inspector, passed=False, note=rng.choice(data.REWORK_NOTES), at=at)

        def close(at):
            incident_close(incident_id=pk, actor=dispatcher, note=rng.choice(data.CLOSE_NOTES), at=at)

        def looked_at(handled: float, next_step: float) -> float:
            """An inspector comes five to thirty-odd minutes after the handling (the limit is
            30), before the next step."""
            return min(handled + rng.uniform(300, 2000), (handled + next_step) / 2)

        if reworked and case.on_spot:
            steps += [(looked_at(0, 0.7 * work), rework), (0.7 * work, handle), (looked_at(0.7 * work, work), inspect)]
        elif reworked:
            first, second = begin + 0.4 * work, begin + 0.75 * work
            steps += [(first, handle), (looked_at(first, second), rework), (second, handle), (looked_at(second, finish), inspect)]
        elif case.on_spot:
            steps.append((looked_at(0, work), inspect))
        else:
            steps += [(begin + 0.7 * work, handle), (looked_at(begin + 0.7 * work, finish), inspect)]
        steps.append((finish, close))
        # Cards and requests land where their time falls among the other steps.
        steps.sort(key=lambda step: step[0])
        if rng.random() < FORGOTTEN:
            # Mostly left with its handler, who never gets round to it; now and then elsewhere.
            kept = rng.choices(range(len(steps)), weights=[1, 6] + [2] * (len(steps) - 2))[0]
            if rng.random() < CLOSED_BY_DECISION:
                return Plan(steps[:kept] + [(finish + 3 * clock.span, self.close_by_decision(pk))])
            return Plan(steps[:kept], closes=False)
        if (late or reworked) and rng.random() < APPEALED:
            steps += [(finish + 0.05 * clock.span, self.appeal(pk, handler)), (finish + 0.3 * clock.span, self.decide_appeal(pk))]
        elif rng.random() < REOPENED:
            again = [self.assign(pk, handler), handle, inspect, close]
            steps.append((finish + min(0.5 * clock.span, clock.seconds_per_day), self.reopen(pk, again)))
        return Plan(steps)

    def accept(self, pk: int):
        def accept(at):
            incident_accept(incident_id=pk, actor=self.dispatcher, at=at)

        return accept

    def give_back(self, pk: int, wrong: Handler):
        reason = self.rng.choice(data.RETURN_REASONS)

        def give_back(at):
            incident_return(incident_id=pk, actor=wrong.user, reason=reason, at=at)

        return give_back

    def suspend(self, pk: int):
        reason, review_in = self.rng.choice(data.SUSPEND_REASONS), self.rng.randint(30, 90)

        def suspend(at):
            review_on = timezone.localdate(at) + timedelta(days=review_in)
            incident_suspend(incident_id=pk, actor=self.dispatcher, reason=reason, review_on=review_on, at=at)

        return suspend

    def resume(self, pk: int):
        def resume(at):
            incident_resume(incident_id=pk, actor=self.dispatcher, note="条件具备，恢复处置", at=at)

        return resume

    def ask_more_time(self, pk: int, handler: Handler):
        reason, more = self.rng.choice(data.EXTENSION_REASONS), self.rng.uniform(0.5, 1.0)

        def ask(at):
            stage = Incident.objects.select_related("current_stage").get(pk=pk).current_stage
            until = stage.deadline + (stage.deadline - stage.started_at) * more
            incident_request_extension(incident_id=pk, actor=handler.user, reason=reason, until=until, at=at)

        return ask

    def decide_more_time(self, pk: int):
        refused = self.rng.random() < EXTENSION_REFUSED
        note = self.rng.choice(data.EXTENSION_REFUSALS if refused else data.EXTENSION_APPROVALS)

        def decide(at):
            incident_decide_extension(incident_id=pk, actor=self.dispatcher, approve=not refused, note=note, at=at)

        return decide

    def card(self, pk: int, level: str):
        note = self.rng.choice(data.CARD_NOTES)

        def card(at):
            incident_card(incident_id=pk, actor=self.dispatcher, level=level, note=note, at=at)

        return card

    def appeal(self, pk: int, handler: Handler):
        reason = self.rng.choice(data.APPEAL_REASONS)

        def appeal(at):
            incident = Incident.objects.get(pk=pk)
            # Only a judgement is appealed: a case that the clock of its deadline found late.
            if incident.rework_count or is_late(incident, at):
                incident_appeal(incident_id=pk, actor=handler.user, reason=reason, at=at)

        return appeal

    def decide_appeal(self, pk: int):
        upheld = self.rng.random() < APPEAL_UPHELD
        note = self.rng.choice(data.APPEAL_UPHELD if upheld else data.APPEAL_DISMISSED)

        def decide(at):
            if Incident.objects.filter(pk=pk, appeal=Appeal.PENDING).exists():
                incident_decide_appeal(incident_id=pk, actor=self.official, uphold=upheld, note=note, at=at)

        return decide

    def reopen(self, pk: int, again: list):
        """Found back within REOPEN_DAYS of closing, and done again over the next hours, as far
        as `now`; a case closed before a long holiday is past the reopening window."""
        reason = self.rng.choice(data.REOPEN_REASONS)

        def reopen(at):
            if recently_closed(Incident.objects.get(pk=pk), at) is not None:
                return
            incident_reopen(incident_id=pk, actor=self.dispatcher, reason=reason, at=at)
            for hours, step in zip((0.5, 3, 4, 4.5), again):
                self.schedule(at + timedelta(hours=hours), step)

        return reopen

    def close_by_decision(self, pk: int):
        reason = self.rng.choice(data.SPECIAL_REASONS)

        def close(at):
            incident_close_special(incident_id=pk, actor=self.official, reason=reason, at=at)

        return close

    def assign(self, pk: int, handler: Handler, note: str = ""):
        def assign(at):
            if handler.department:
                incident_assign(incident_id=pk, actor=self.dispatcher, department=handler.department, note=note, at=at)
            else:
                incident_assign(incident_id=pk, actor=self.dispatcher, assignee=handler.user, note=note, at=at)

        return assign
