"""The demo town's party organisation: 24 grid party branches (the town's reported figure), each
with a secretary, resident groups in old compounds, members (about a third in service at some
fifteen employers), check-in posts and building captains, a year and a bit of in-service
members' check-ins (most met the rule last year and are on track this year; some are behind; a
few wait for their grid worker), and meetings of each body of one committee, three councils,
with follow-ups, two of which (from the two latest meetings) opened a case.

The branches, groups, members and posts are master data, loaded in bulk; check-ins, meetings,
follow-ups and cases go through the services (the confirmed history of check-ins through the one
that takes a list), so the build stays quick.
"""

import random
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from shapely.geometry import shape

from accounts.models import Role
from grids.models import Compound, Grid, GridWorker
from incidents import demo_data
from incidents.models import Category

from . import services
from .models import Employer, MemberKind, PartyBranch, PartyGroup, PartyMember, ServicePost
from .selectors import expected_by, required_per_year

User = get_user_model()

BRANCHES = 24
RESIDENTS_PER_BRANCH = (8, 14)
IN_SERVICE = 140
EMPLOYERS = [
    ("县财政局", "刘建华"), ("县人民医院", "王海燕"), ("镇中心小学", "张志强"), ("灌南供电公司", "陈国庆"),
    ("县教育局", "李红梅"), ("县住建局", "赵立新"), ("县市场监管局", "孙晓东"), ("县税务局", "周玉兰"),
    ("新安镇人民政府", "吴卫东"), ("县公安局新安派出所", "徐海波"), ("县自然资源局", "朱丽娟"), ("灌南农商银行", "胡俊杰"),
    ("县中医院", "郭雪梅"), ("灌南高级中学", "何永红"), ("县交通运输局", "高文静"),
]
# Of the in-service members: behind the rule last year, and behind where they should be this year.
BEHIND_LAST_YEAR = 0.08
BEHIND_THIS_YEAR = 0.15
WAITING = 8  # recent check-ins the grid workers have yet to confirm
REFUSED = 3
ACTIVITIES = [
    "协助网格员入户走访，宣传反诈知识", "参与小区环境整治，清理楼道堆物", "在小区党员报到点值班，收集居民诉求",
    "陪同网格员巡查，排查消防安全隐患", "为老年人讲解医保政策", "参与文明城市创建志愿服务", "协助开展垃圾分类宣传",
    "走访困难家庭，送去慰问品", "参加网格议事，协调停车问题", "为居民义诊、测量血压",
]
MEETINGS = {
    "party": ["党支部主题党日暨老旧小区改造动员会", "网格党支部季度工作例会", "党员冬季集中学习会"],
    "deliberation": ["小区停车难问题议事会", "楼道加装照明议事会", "小区绿化改造方案议事会"],
    "affairs": ["小区公共收益使用理事会", "环境卫生长效管理理事会", "老年食堂运营理事会"],
    "supervision": ["老旧小区改造工程质量监督会", "公共收益账目公开监督会", "物业服务质量监事会"],
}
# What a meeting asked to be done; whether it is a problem in the grid, and then the category of
# the case it would open.
FOLLOW_UPS = [
    ("清理小区东门违规堆放的建筑垃圾", True, "积存垃圾渣土"), ("修复3号楼前损坏的路灯", True, "路灯"),
    ("张贴停车管理公告，划定临时停车位", False, ""), ("联系物业公司落实楼道保洁", False, ""),
    ("走访独居老人，登记用餐需求", False, ""), ("公示第三季度公共收益收支", False, ""),
    ("协调施工单位整改破损人行道板", True, "人行道板"), ("组织党员志愿者开展周末大扫除", False, ""),
]
CASES = 2  # the latest meetings' grid problems that opened a case


def build(*, rng: random.Random, now: datetime) -> dict[str, int]:
    today = timezone.localdate(now)
    grids = list(Grid.objects.select_related("community").order_by("code"))
    if not grids:
        return {"branches": 0, "members": 0, "in_service": 0, "posts": 0, "checkins": 0, "meetings": 0, "follow_ups": 0, "cases": 0}
    worker_of = _workers_by_grid()
    dispatcher = User.objects.filter(role=Role.DISPATCHER, is_active=True).order_by("pk").first()
    old_compounds = defaultdict(list)
    for compound in Compound.objects.filter(is_old=True).order_by("name"):
        old_compounds[compound.grid_id].append(compound)

    branch_grids = sorted(rng.sample(grids, min(BRANCHES, len(grids))), key=lambda grid: grid.code)
    employers = Employer.objects.bulk_create([
        Employer(name=name, contact_person=contact, email=f"party{n:02d}@example.org") for n, (name, contact) in enumerate(EMPLOYERS, 1)
    ])
    names = _names(rng)
    branches = PartyBranch.objects.bulk_create([
        PartyBranch(grid=grid, name=f"{grid.name}党支部", set_up_on=date(2020, 7, 1) + timedelta(days=rng.randrange(0, 900)))
        for grid in branch_grids
    ])
    members = []
    for branch in branches:
        for _n in range(rng.randint(*RESIDENTS_PER_BRANCH)):
            members.append(_member(rng, names, kind=MemberKind.RESIDENT, grid=branch.grid, branch=branch, today=today))
    for _n in range(IN_SERVICE):
        branch = rng.choice(branches)
        members.append(_member(rng, names, kind=MemberKind.IN_SERVICE, grid=branch.grid, branch=branch, today=today, employer=rng.choice(employers)))
    PartyMember.objects.bulk_create(members)

    residents = defaultdict(list)
    for member in members:
        if member.kind == MemberKind.RESIDENT:
            residents[member.branch.pk].append(member)
    groups, posts = [], []
    for branch in branches:
        people = residents[branch.pk]
        branch.secretary = people[0]
        for number, compound in enumerate(old_compounds[branch.grid_id][:3], 1):
            leader = people[number % len(people)]
            groups.append(PartyGroup(branch=branch, compound=compound, name=f"{compound.name}居民党小组", leader=leader))
            posts.append(ServicePost(kind=ServicePost.Kind.CHECKIN_POINT, member=leader, compound=compound, since=branch.set_up_on))
            for captain_number in range(rng.randint(1, 3)):
                captain = people[(number * 3 + captain_number + 1) % len(people)]
                first = captain_number * 3 + 1
                posts.append(ServicePost(
                    kind=ServicePost.Kind.BUILDING_CAPTAIN, member=captain, compound=compound,
                    buildings=f"{first}—{first + 2}栋", since=branch.set_up_on + timedelta(days=rng.randrange(0, 300)),
                ))
    PartyBranch.objects.bulk_update(branches, ["secretary"])
    PartyGroup.objects.bulk_create(groups)
    ServicePost.objects.bulk_create(posts)
    by_group_member = {}
    for group in groups:
        by_group_member[group.leader.pk] = group
    for member in members:
        member.group = by_group_member.get(member.pk)
    PartyMember.objects.bulk_update([m for m in members if m.group], ["group"])

    in_service = [member for member in members if member.kind == MemberKind.IN_SERVICE]
    checkins = _checkins(rng, in_service, worker_of, dispatcher, today=today, now=now)
    made = _meetings(rng, branches, residents, worker_of, dispatcher, today=today, now=now) if dispatcher else {"meetings": 0, "follow_ups": 0, "cases": 0}
    return {
        "branches": len(branches), "members": len(members), "in_service": len(in_service), "posts": len(posts),
        "checkins": checkins, **made,
    }


def _workers_by_grid() -> dict[int, object]:
    """Each grid's first grid worker (by user name)."""
    worker_of = {}
    for worker in GridWorker.objects.filter(user__is_active=True).select_related("user").prefetch_related("grids").order_by("user__username"):
        for grid in worker.grids.all():
            worker_of.setdefault(grid.pk, worker.user)
    return worker_of


def _names(rng: random.Random):
    used = set()
    while True:
        name = rng.choice(demo_data.SURNAMES) + rng.choice(demo_data.GIVEN_NAMES)
        if name in used and rng.random() < 0.9:
            continue
        used.add(name)
        yield name


def _member(rng, names, *, kind, grid, branch, today, employer=None) -> PartyMember:
    return PartyMember(
        name=next(names), phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}", kind=kind, employer=employer,
        branch=branch, grid=grid, joined_on=date(rng.randint(1975, today.year - 3), rng.randint(1, 12), rng.randint(1, 28)),
        email=f"member{rng.randrange(10**6):06d}@example.org" if employer and rng.random() < 0.5 else "",
    )


def _at(day: date, hour: int) -> datetime:
    """A moment of the town's day, its minutes varying from day to day."""
    return timezone.make_aware(datetime.combine(day, time(hour, day.toordinal() * 7 % 60)))


def _checkins(rng: random.Random, members, worker_of, dispatcher, *, today: date, now: datetime) -> int:
    """Last year's and this year's check-ins, recorded by the grid's worker (the command centre
    where a grid has none) and confirmed by them a day or two later: the confirmed history in
    one go, the few refused and the latest ones still waiting one by one, as the pages make them."""
    required = required_per_year()
    last_year, this_year = today.year - 1, today.year
    planned = []  # (member, day)
    for member in members:
        count = rng.randint(0, required - 1) if rng.random() < BEHIND_LAST_YEAR else required + (rng.random() < 0.3)
        planned += [(member, _day_in(rng, date(last_year, 1, 1), date(last_year, 12, 31))) for _n in range(count)]
        expected = expected_by(today, this_year)
        if expected and rng.random() < BEHIND_THIS_YEAR:
            count = rng.randint(0, expected - 1)
        else:
            count = expected + (rng.random() < 0.5)
        planned += [(member, _day_in(rng, date(this_year, 1, 1), today)) for _n in range(count)]
    # One check-in a day per member: a day drawn twice is kept once.
    planned = sorted({(member.pk, day): (member, day) for member, day in planned}.values(), key=lambda item: (item[1], item[0].pk))
    waiting_from = len(planned) - WAITING
    refused = set(rng.sample(range(waiting_from), min(REFUSED, max(0, waiting_from))))
    history, one_by_one = [], []
    for index, (member, day) in enumerate(planned):
        actor = worker_of.get(member.grid_id) or dispatcher
        recorded = min(_at(day, 10), now)
        entry = services.PastCheckIn(
            member=member, grid=member.grid, day=day, activity=rng.choice(ACTIVITIES), hours=rng.choice([1, 1.5, 2, 2, 3, 4]),
            uuid=uuid.UUID(int=rng.getrandbits(128)), actor=actor, recorded_at=recorded,
            confirmed_at=min(recorded + timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 6)), now),
        )
        if index >= waiting_from or index in refused:
            one_by_one.append((entry, index in refused))
        else:
            history.append(entry)
    services.checkins_record_confirmed(entries=history, now=now)
    # Those still waiting, or refused, were recorded by the command centre (one the grid's own
    # worker records is confirmed at once) and are the grid's worker's to decide.
    for entry, refuse in one_by_one:
        checkin, _created = services.checkin_record(
            actor=dispatcher, member=entry.member, grid=entry.grid, day=entry.day, activity=entry.activity, hours=entry.hours,
            uuid=entry.uuid, now=entry.recorded_at,
        )
        if refuse:
            services.checkin_refuse(
                actor=entry.actor, checkin_id=checkin.pk, reason="当日未在网格见到该党员，请核实后重新登记", now=entry.confirmed_at,
            )
    return len(planned)


def _day_in(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _meetings(rng: random.Random, branches, residents, worker_of, dispatcher, *, today: date, now: datetime) -> dict[str, int]:
    """Three meetings of each body over the past ten months, with follow-ups. The two latest
    meetings each left a problem in their grid open, and it opened a case this morning."""
    made = {"meetings": 0, "follow_ups": 0, "cases": 0}
    plans = sorted(
        ((today - timedelta(days=rng.randint(3, 300)), body, title, rng.choice(branches)) for body, titles in MEETINGS.items() for title in titles),
        key=lambda plan: plan[0],
    )
    in_grid = [item for item in FOLLOW_UPS if item[1]]
    to_open = []
    for number, (day, body, title, branch) in enumerate(plans):
        grid = branch.grid
        people = residents[branch.pk]
        meeting = services.meeting_record(
            actor=dispatcher, body=body, community=grid.community, grid=grid, day=day, title=title,
            topics=f"{title}：听取居民意见，研究解决办法。", decisions="形成决议，明确责任人和完成时限，下次会议通报进展。",
            attendees=rng.sample(people, min(len(people), rng.randint(3, 7))),
            other_attendees="居民代表5人、物业公司负责人" if body != "party" else "",
            now=_at(day, 15),
        )
        made["meetings"] += 1
        opens_case = number >= len(plans) - CASES
        follow_ups = rng.sample(FOLLOW_UPS, rng.randint(1, 3))
        if opens_case:
            follow_ups = [in_grid[number % len(in_grid)], *(item for item in follow_ups if item[0] != in_grid[number % len(in_grid)][0])]
        for position, (what, is_grid_problem, category_name) in enumerate(follow_ups):
            due = day + timedelta(days=rng.randint(7, 30))
            follow_up = services.follow_up_add(
                actor=dispatcher, meeting=meeting, what=what, due_on=due, owner=worker_of.get(grid.pk) if is_grid_problem else None,
                owner_name="" if is_grid_problem else rng.choice(people).name, grid=grid if is_grid_problem else None, now=_at(day, 16),
            )
            made["follow_ups"] += 1
            if opens_case and position == 0:
                to_open.append((follow_up, grid, category_name))
                continue
            done = due - timedelta(days=rng.randint(0, 5))
            if done < today and rng.random() < 0.7:
                services.follow_up_done(actor=dispatcher, follow_up_id=follow_up.pk, done_on=done, now=_at(done, 17))
    categories = Category.objects.filter(parent__isnull=False, active=True).order_by("code")
    for follow_up, grid, category_name in to_open:
        category = categories.filter(name=category_name).first() or categories.first()
        if category is None:
            break
        centre = shape(grid.boundary).representative_point()
        services.follow_up_open_case(
            actor=dispatcher, follow_up_id=follow_up.pk, category=category, latitude=centre.y, longitude=centre.x,
            now=now - timedelta(hours=2),
        )
        made["cases"] += 1
    return made
