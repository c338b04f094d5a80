"""The demo town's volunteer service: its teams, about 150 volunteers (some of them the grid
workers), and the activities of this calendar year and the last, made through the services.

The town reports 83 outreach sessions (宣讲场次) this year, reaching every grid and every old
compound. The plan below makes that true of the rows: each grid has at least one session, and
its first session reaches all the old compounds of the grid; the coverage page then counts the
sessions, grids and compounds from the rows, not from these constants.
"""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from itertools import product

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Prefetch
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Role
from grids.models import Community, Compound, Grid, GridWorker
from incidents import demo_data as town_data

from . import services
from .models import Activity, Team, Volunteer

OUTREACH_SESSIONS_THIS_YEAR = 83
LEGAL_AID_THIS_YEAR = 30
CULTURE_THIS_YEAR = 36
ACTIVITIES_LAST_YEAR = 160
PHOTOS = 6  # activities given a small generated photo: enough to see the pages, quick to seed
HOURS = [Decimal("1.5"), Decimal("2.0"), Decimal("2.5"), Decimal("3.0"), Decimal("4.0")]

P = Volunteer.Profession
# Members of each kind of team besides its grid workers: (profession, how many, skills).
RED_TEAM = [(P.RESIDENT, 5, "邻里互助、环境整治"), (P.TEACHER, 2, "少儿辅导"), (P.DOCTOR, 1, "健康义诊")]
OUTREACH_TEAM = [(P.TEACHER, 8, "政策宣讲"), (P.RESIDENT, 8, "党史宣讲"), (P.OTHER, 4, "文艺演出")]
LEGAL_AID_TEAM = [(P.LAWYER, 10, "法律咨询"), (P.OTHER, 4, "人民调解")]
JUDICIAL_TEAM = [(P.JUDGE, 2, "以案说法"), (P.PROSECUTOR, 2, "普法宣传"), (P.POLICE, 3, "反诈宣传"), (P.LAWYER, 3, "法律咨询")]
WORKERS_PER_RED_TEAM = 3
WORKERS_PER_JUDICIAL_TEAM = 2

TITLES = {
    Activity.Kind.POLICY_OUTREACH: ["惠民政策进小区", "医保政策宣讲", "养老服务政策解读", "老旧小区改造政策宣讲", "防范电信诈骗宣讲"],
    Activity.Kind.HISTORY_OUTREACH: ["党史故事进小区", "红色故事会", "学党史 跟党走", "老党员讲党课"],
    Activity.Kind.LEGAL_AID: ["法律咨询进网格", "以案说法", "邻里纠纷调解", "民法典宣传"],
    Activity.Kind.CULTURE_ELDERLY: ["重阳敬老文艺演出", "老年健康讲座", "为老人理发义剪", "敬老书画展"],
    Activity.Kind.CULTURE_CHILDREN: ["暑期少儿课堂", "少儿书法兴趣班", "亲子阅读会", "少儿安全教育"],
}


def build(*, rng: random.Random, now: datetime) -> dict[str, int]:
    """Teams, volunteers, and the activities of last year and of this year up to today."""
    today = timezone.localdate(now)
    actor = get_user_model().objects.filter(role=Role.DISPATCHER, is_active=True).order_by("pk").first()
    teams = _teams(rng, actor=actor, now=now)
    grids = list(Grid.objects.select_related("community").prefetch_related(
        Prefetch("compounds", queryset=Compound.objects.order_by("name"))
    ).order_by("code"))
    made = {"teams": len(teams["all"]), "volunteers": Volunteer.objects.count(), "activities": 0, "sessions": 0}
    plan = _this_year(rng, teams, grids, today=today) + _last_year(rng, teams, grids, today=today)
    with_photos = set(rng.sample(range(len(plan)), min(PHOTOS, len(plan))))
    for index, planned in enumerate(plan):
        team = planned["team"]
        members = teams["members"][team.pk]
        chosen = rng.sample(members, min(len(members), rng.randint(2, 4)))
        services.activity_record(
            actor=actor, kind=planned["kind"], title=rng.choice(TITLES[planned["kind"]]), team=team, day=planned["day"],
            grid=planned["grid"], audience=planned["audience"], volunteer_hours=[(volunteer.pk, rng.choice(HOURS)) for volunteer in chosen],
            compound_ids=[compound.pk for compound in planned["compounds"]],
            photos=[_photo(rng, index)] if index in with_photos else [], now=now,
        )
        made["activities"] += 1
        made["sessions"] += planned["kind"] in Activity.OUTREACH_KINDS and planned["day"].year == today.year
    return made


def _names(rng: random.Random, count: int) -> list[str]:
    return rng.sample([surname + given for surname, given in product(town_data.SURNAMES, town_data.GIVEN_NAMES)], count)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _teams(rng: random.Random, *, actor, now: datetime) -> dict:
    """A red volunteer team per community with three of its grid workers, the town's outreach
    team, legal aid team and two mixed teams of judges, prosecutors, police and lawyers."""
    workers = list(GridWorker.objects.select_related("user").prefetch_related("grids").order_by("user__username"))
    by_community = {}
    for worker in workers:
        first = min(worker.grids.all(), key=lambda grid: grid.code, default=None)
        if first is not None:
            by_community.setdefault(first.community_id, []).append(worker)
    names = iter(_names(rng, 200))
    taken_workers = set()
    rosters = {}

    def staffed(team: Team, members: list[tuple], grid_workers: list[GridWorker]) -> Team:
        people = [
            {"name": worker.user.display_name, "profession": P.GRID_WORKER, "skills": "网格服务", "phone": _phone(rng), "user": worker.user}
            for worker in grid_workers
        ]
        taken_workers.update(worker.pk for worker in grid_workers)
        people += [
            {"name": next(names), "profession": profession, "skills": skills, "phone": _phone(rng)}
            for profession, count, skills in members for _n in range(count)
        ]
        rosters[team.pk] = services.volunteers_register(actor=actor, team=team, people=people, now=now)
        services.team_update(actor=actor, team=team, changes={"leader": rosters[team.pk][0]}, now=now)
        return team

    red = {}
    for community in Community.objects.order_by("code"):
        team = services.team_create(actor=actor, name=f"{community.name}红色义工队", kind=Team.Kind.RED, community=community, now=now)
        red[community.pk] = staffed(team, RED_TEAM, by_community.get(community.pk, [])[:WORKERS_PER_RED_TEAM])
    outreach = staffed(services.team_create(actor=actor, name=f"{town_data.TOWN_NAME}宣讲团", kind=Team.Kind.OUTREACH, now=now), OUTREACH_TEAM, [])
    legal_aid = staffed(services.team_create(actor=actor, name=f"{town_data.TOWN_NAME}法律援助服务队", kind=Team.Kind.LEGAL_AID, now=now), LEGAL_AID_TEAM, [])
    spare = [worker for worker in workers if worker.pk not in taken_workers]
    judicial = [
        staffed(
            services.team_create(actor=actor, name=f"三官一律服务{number}队", kind=Team.Kind.JUDICIAL, now=now), JUDICIAL_TEAM,
            spare[(number - 1) * WORKERS_PER_JUDICIAL_TEAM:number * WORKERS_PER_JUDICIAL_TEAM],
        )
        for number in (1, 2)
    ]
    return {"red": red, "outreach": outreach, "legal_aid": legal_aid, "judicial": judicial,
            "all": [*red.values(), outreach, legal_aid, *judicial], "members": rosters}


def _outreach_team(rng: random.Random, teams: dict, grid: Grid, kind: str) -> Team:
    if kind == Activity.Kind.POLICY_OUTREACH and rng.random() < 0.25:
        return rng.choice(teams["judicial"])
    return teams["outreach"] if rng.random() < 0.5 else teams["red"][grid.community_id]


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _session(rng: random.Random, teams: dict, grid: Grid, day: date, *, first_in_grid: bool) -> dict:
    """An outreach session in `grid`: the first of the year in a grid reaches all its old
    compounds, a later one some of the grid's compounds."""
    compounds = list(grid.compounds.all())
    if first_in_grid:
        reached = [compound for compound in compounds if compound.is_old]
        reached += [compound for compound in compounds if not compound.is_old and rng.random() < 0.5]
    else:
        reached = rng.sample(compounds, min(len(compounds), rng.randint(0, 2)))
    kind = rng.choice(Activity.OUTREACH_KINDS)
    return {
        "kind": kind, "team": _outreach_team(rng, teams, grid, kind), "grid": grid, "day": day, "compounds": reached,
        "audience": rng.randint(25, 120) + 15 * len(reached),
    }


def _other(rng: random.Random, teams: dict, grids: list[Grid], day: date, kind: str) -> dict:
    grid = rng.choice(grids)
    if kind == Activity.Kind.LEGAL_AID:
        team = rng.choice([teams["legal_aid"], *teams["judicial"]])
    else:
        team = teams["red"][grid.community_id]
    compounds = list(grid.compounds.all())
    return {
        "kind": kind, "team": team, "grid": grid, "day": day,
        "compounds": rng.sample(compounds, min(len(compounds), 1)), "audience": rng.randint(8, 60),
    }


def _this_year(rng: random.Random, teams: dict, grids: list[Grid], *, today: date) -> list[dict]:
    """Every grid's first session of the year, then the rest of the 83 in grids drawn at random;
    legal aid and culture besides. All between 1 January and today."""
    first = date(today.year, 1, 1)
    visited = rng.sample(grids, len(grids))
    visited += [rng.choice(grids) for _n in range(max(0, OUTREACH_SESSIONS_THIS_YEAR - len(grids)))]
    # The first session of each grid comes first in time too, so it is its first of the year.
    days = sorted(_day_between(rng, first, today) for _n in visited)
    seen = set()
    plan = []
    for grid, day in zip(visited, days):
        plan.append(_session(rng, teams, grid, day, first_in_grid=grid.pk not in seen))
        seen.add(grid.pk)
    plan += [_other(rng, teams, grids, _day_between(rng, first, today), Activity.Kind.LEGAL_AID) for _n in range(LEGAL_AID_THIS_YEAR)]
    plan += [
        _other(rng, teams, grids, _day_between(rng, first, today), rng.choice([Activity.Kind.CULTURE_ELDERLY, Activity.Kind.CULTURE_CHILDREN]))
        for _n in range(CULTURE_THIS_YEAR)
    ]
    return plan


def _last_year(rng: random.Random, teams: dict, grids: list[Grid], *, today: date) -> list[dict]:
    first, last = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    plan = []
    for _n in range(ACTIVITIES_LAST_YEAR):
        day = _day_between(rng, first, last)
        kind = rng.choice(list(TITLES))
        if kind in Activity.OUTREACH_KINDS:
            plan.append(_session(rng, teams, rng.choice(grids), day, first_in_grid=rng.random() < 0.5))
        else:
            plan.append(_other(rng, teams, grids, day, kind))
    return plan


def _photo(rng: random.Random, index: int) -> SimpleUploadedFile:
    """A small JPEG of coloured blocks: a stand-in for a photo of the activity."""
    image = Image.new("RGB", (480, 360), (rng.randint(150, 230), rng.randint(150, 230), rng.randint(150, 230)))
    drawing = ImageDraw.Draw(image)
    for _n in range(6):
        x, y = rng.randint(0, 400), rng.randint(0, 300)
        drawing.rectangle([x, y, x + rng.randint(30, 120), y + rng.randint(30, 90)], fill=(rng.randint(0, 255), rng.randint(0, 120), rng.randint(0, 120)))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile(f"activity-{index}.jpg", buffer.getvalue(), content_type="image/jpeg")
