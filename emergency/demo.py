"""The demo town's emergency duty: a past epidemic campaign of two weeks, some months ago, with
eight checkpoints on the roads at the edge of the town's grids, staffed round the clock by two
people per 8-hour shift: the grid workers and two red volunteer teams (红色义工; the volunteers
demo runs first), whose grid-worker members stay one person each. Made through the services as the command centre and the phones
would have: the roster generated week by week, a checkpoint added on the second day, a couple of
swaps asked and decided, and every shift's check-in and check-out from the phone (a few late, a
few with no position, one missed) by those with an account: volunteers without one do not check
in from the phone. The pool staffs it with no shortfall.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from accounts.models import Role
from govgrid.towntime import day_start
from grids.models import Grid
from volunteers.models import Team

from . import services
from .models import Campaign, Shift, Shortfall

User = get_user_model()

CAMPAIGN_DAYS = 14
MONTHS_AGO_DAYS = 150
CHECKPOINTS = 8
RED_TEAMS = 2
ROAD_NAMES = ["新安大道北口", "人民东路口", "长江路东口", "新港大道南口", "灌河路西口", "北京路北口", "新东路口", "盐河大桥"]
LATE = 0.06  # of the shifts, checked in 15–40 minutes late
NO_POSITION = 0.03  # of the check-ins, made with the phone's position refused
JITTER_DEGREES = 0.0002  # about 20 m around the checkpoint


def _edge_points(grids: list[Grid], count: int) -> list[tuple[Grid, float, float]]:
    """`count` points spread along the outline of the town's grids, each with its nearest grid."""
    shapes = [(grid, shape(grid.boundary)) for grid in grids]
    town = unary_union([outline for _, outline in shapes])
    outline = max(town.geoms, key=lambda part: part.area) if town.geom_type == "MultiPolygon" else town
    ring = outline.exterior
    points = []
    for number in range(count):
        point = ring.interpolate((number + 0.5) / count, normalized=True)
        grid = min(shapes, key=lambda pair: pair[1].distance(Point(point.x, point.y)))[0]
        points.append((grid, round(point.y, 6), round(point.x, 6)))
    return points


def build(*, rng: random.Random, now: datetime) -> dict[str, int]:
    dispatcher = User.objects.filter(role=Role.DISPATCHER, is_active=True).order_by("pk").first()
    grids = list(Grid.objects.order_by("code"))
    if dispatcher is None or not grids:
        return {"campaigns": 0, "checkpoints": 0, "people": 0, "volunteers": 0, "shifts": 0, "checkins": 0, "swaps": 0, "shortfalls": 0}
    first_day = timezone.localdate(now) - timedelta(days=MONTHS_AGO_DAYS)
    last_day = first_day + timedelta(days=CAMPAIGN_DAYS - 1)
    stood_up = day_start(first_day) - timedelta(hours=6)
    campaign = services.campaign_create(
        actor=dispatcher, name=f"{first_day:%Y}年疫情防控卡点值守", kind=Campaign.Kind.EPIDEMIC, started=first_day,
        shift_hours=8, rest_hours=8, all_workers=True, teams=list(Team.objects.filter(kind=Team.Kind.RED).order_by("name")[:RED_TEAMS]),
        now=stood_up,
    )
    edge = _edge_points(grids, CHECKPOINTS)
    for (grid, latitude, longitude), name in zip(edge[:-1], ROAD_NAMES):
        services.checkpoint_add(
            actor=dispatcher, campaign_id=campaign.pk, name=name, latitude=latitude, longitude=longitude, grid=grid,
            first_day=first_day, last_day=last_day, people_per_shift=2, now=stood_up,
        )
    services.roster_generate(actor=dispatcher, campaign_id=campaign.pk, first_day=first_day, last_day=first_day + timedelta(days=6), now=stood_up)

    # The second morning a further checkpoint is set up, to open the next day, and the rest of
    # the week generated again: the shifts already started stay, the others are planned afresh.
    added_at = day_start(first_day + timedelta(days=1)) + timedelta(hours=9)
    grid, latitude, longitude = edge[-1]
    services.checkpoint_add(
        actor=dispatcher, campaign_id=campaign.pk, name=ROAD_NAMES[CHECKPOINTS - 1], latitude=latitude, longitude=longitude, grid=grid,
        first_day=first_day + timedelta(days=2), last_day=last_day, people_per_shift=2, now=added_at,
    )
    services.roster_generate(actor=dispatcher, campaign_id=campaign.pk, first_day=first_day + timedelta(days=1), last_day=first_day + timedelta(days=6), now=added_at)
    services.roster_generate(
        actor=dispatcher, campaign_id=campaign.pk, first_day=first_day + timedelta(days=7), last_day=last_day,
        now=day_start(first_day + timedelta(days=5)),
    )

    swaps = _swaps(campaign=campaign, dispatcher=dispatcher, rng=rng, asked_at=day_start(first_day + timedelta(days=8)) + timedelta(hours=10))
    checkins = _attendance(campaign=campaign, rng=rng)
    services.campaign_end(actor=dispatcher, campaign_id=campaign.pk, ended=last_day, now=day_start(last_day + timedelta(days=1)) + timedelta(hours=9))
    return {
        "campaigns": 1, "checkpoints": campaign.checkpoints.count(), "people": campaign.people.count(),
        "volunteers": campaign.people.filter(volunteer__isnull=False).count(),
        "shifts": Shift.objects.filter(checkpoint__campaign=campaign).count(), "checkins": checkins, "swaps": swaps,
        "shortfalls": Shortfall.objects.filter(run__campaign=campaign, filled_at__isnull=True).count(),
    }


def _swaps(*, campaign: Campaign, dispatcher, rng: random.Random, asked_at: datetime) -> int:
    """Two workers ask for a swap on a later day: one to exchange checkpoints with a colleague on
    the same shift (approved), another the same at another hour (refused by the command centre)."""
    shifts = list(
        Shift.objects.filter(checkpoint__campaign=campaign, starts_at__gte=asked_at + timedelta(days=2))
        .select_related("person__user").order_by("starts_at", "checkpoint_id", "pk")[:200]
    )
    by_start = {}
    for shift in shifts:
        by_start.setdefault(shift.starts_at, []).append(shift)
    asked = 0
    # Those who ask from the phone have an account; the colleague may be a volunteer without one.
    exchange = rng.choice([shift for shift in shifts if shift.starts_at == shifts[0].starts_at and shift.person.user_id])
    partner = next(shift for shift in by_start[exchange.starts_at] if shift.checkpoint_id != exchange.checkpoint_id)
    swap = services.swap_ask(actor=exchange.person.user, shift_id=exchange.pk, to_person_id=partner.person_id, other_shift_id=partner.pk, reason="离家近些", now=asked_at)
    services.swap_decide(actor=dispatcher, swap_id=swap.pk, approve=True, now=asked_at + timedelta(hours=1), notify=False)  # history, not news
    asked += 1
    # A second exchange, at another hour: possible by the rules (the same hours change hands), but
    # the command centre keeps the roster as it is.
    start = next(start for start in sorted(by_start) if start != exchange.starts_at and any(s.person.user_id for s in by_start[start]))
    asker = next(shift for shift in by_start[start] if shift.person.user_id)
    mate = next(shift for shift in by_start[start] if shift.checkpoint_id != asker.checkpoint_id)
    swap = services.swap_ask(actor=asker.person.user, shift_id=asker.pk, to_person_id=mate.person_id, other_shift_id=mate.pk, reason="家中有事", now=asked_at)
    services.swap_decide(actor=dispatcher, swap_id=swap.pk, approve=False, note="两处卡点各有分工，请按原排班执勤", now=asked_at + timedelta(hours=1), notify=False)
    return asked + 1


def _attendance(*, campaign: Campaign, rng: random.Random) -> int:
    """Every shift of someone with an account checked in and out from the phone, as it happened:
    a few late, a few with the position refused, and the very first night shift at the first
    checkpoint missed."""
    shifts = list(
        Shift.objects.filter(checkpoint__campaign=campaign, person__user__isnull=False)
        .select_related("checkpoint", "person").order_by("starts_at", "checkpoint_id", "pk")
    )
    records = []
    for shift in shifts[1:]:
        if rng.random() < LATE:
            arrived = shift.starts_at + timedelta(minutes=rng.randint(15, 40))
        else:
            arrived = shift.starts_at - timedelta(minutes=rng.randint(3, 25))
        record = {"shift": shift, "checked_in_at": arrived, "checked_out_at": shift.ends_at + timedelta(minutes=rng.randint(0, 10))}
        if rng.random() >= NO_POSITION:
            record.update(
                latitude=shift.checkpoint.latitude + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES),
                longitude=shift.checkpoint.longitude + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES),
                accuracy=round(rng.uniform(5, 30), 1),
            )
        records.append(record)
    return services.attendance_load(records=records)
