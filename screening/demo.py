"""The demo town's screening register: people who arrived in a few grids during the past
emergency campaign (two to four months ago), registered by the grids' workers, followed up on
the days after; most follow-ups done, a few left open. Made through the services, as the phones
would have sent them; ID numbers carry a real check character (address code 320724, Guannan).
"""

import random
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from accounts.privacy import id_number_check_character
from emergency.models import Campaign
from grids.models import Compound, Grid, GridWorker

from . import services
from .models import FollowUp, HealthStatus

# The emergency demo's past campaign, looked up by its name ("2026年疫情防控卡点值守"): arrivals are
# linked to it and fall within its days. Without it, the register covers WINDOW_DAYS and links to
# no campaign.
CAMPAIGN_NAME_ENDS = "年疫情防控卡点值守"
WINDOW_DAYS = (120, 60)  # days before today: from, to
GRIDS = 5
ARRIVALS_PER_GRID = (12, 20)
DONE = 0.94  # of the follow-ups due
ADDRESS_CODE = "320724"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌海燕宇浩鹏子涵梓轩欣怡佳琪"
ORIGINS = [
    "上海市浦东新区", "南京市鼓楼区", "苏州市工业园区", "无锡市新吴区", "武汉市江岸区", "北京市朝阳区", "深圳市南山区",
    "杭州市西湖区", "广州市天河区", "合肥市蜀山区", "徐州市云龙区", "连云港市海州区", "宿迁市宿城区", "郑州市金水区",
]
FIRST_STATUS = [(HealthStatus.HEALTHY, 0.78), (HealthStatus.HOME_OBSERVATION, 0.17), (HealthStatus.SYMPTOMS, 0.05)]
RESULTS = {
    HealthStatus.HEALTHY: ["体温正常，无不适", "电话回访，身体健康", "上门回访，无异常"],
    HealthStatus.HOME_OBSERVATION: ["居家观察中，体温正常", "已落实居家观察，家属配合"],
    HealthStatus.SYMPTOMS: ["有发热症状，已报告社区卫生服务站", "咳嗽，建议就医"],
    HealthStatus.HOSPITAL: ["已转诊县人民医院"],
    HealthStatus.CLEARED: ["观察期满，解除管控", "复查正常，解除"],
}


def build(*, rng: random.Random, now: datetime) -> dict[str, int]:
    today = timezone.localdate(now)
    campaign = Campaign.objects.filter(name__endswith=CAMPAIGN_NAME_ENDS).order_by("-started").first()
    if campaign is not None:
        first, last = campaign.started, min(campaign.ended or today, today)
    else:
        first, last = today - timedelta(days=WINDOW_DAYS[0]), today - timedelta(days=WINDOW_DAYS[1])
    workers = GridWorker.objects.filter(user__is_active=True).select_related("user")
    grids = list(
        Grid.objects.filter(workers__isnull=False).distinct().order_by("code")
        .prefetch_related(Prefetch("workers", queryset=workers), Prefetch("compounds", queryset=Compound.objects.order_by("name")))
    )
    last_day = settings.SCREENING_FOLLOW_UP_DAYS[-1]
    made = {"arrivals": 0, "follow_ups_done": 0, "follow_ups_open": 0}
    taken: set[str] = set()
    for grid in rng.sample(grids, min(GRIDS, len(grids))):
        people = [worker.user for worker in grid.workers.all()]
        compounds = list(grid.compounds.all())
        for _ in range(rng.randint(*ARRIVALS_PER_GRID)):
            arrived_on = first + timedelta(days=rng.randint(0, (last - first).days))
            recorded_at = min(_at(arrived_on + timedelta(days=rng.choice([0, 0, 1, 2])), rng), now)
            status = _drawn(rng, FIRST_STATUS)
            arrival, _created = services.arrival_register(
                actor=rng.choice(people), grid=grid, compound=rng.choice(compounds) if compounds and rng.random() < 0.7 else None,
                name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))),
                phone=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}", id_number=_id_number(rng, taken),
                origin=rng.choice(ORIGINS), arrived_on=arrived_on, health_status=status, campaign=campaign,
                notes="自驾返乡" if rng.random() < 0.2 else "", now=recorded_at,
            )
            made["arrivals"] += 1
            for follow_up in FollowUp.objects.filter(arrival=arrival).order_by("day"):
                done_at = _at(follow_up.due_on, rng)
                if done_at > now or rng.random() > DONE:
                    made["follow_ups_open"] += 1
                    continue
                status = _next_status(rng, status, last_one=follow_up.day == last_day)
                services.follow_up_done(
                    actor=rng.choice(people), follow_up_id=follow_up.pk, health_status=status,
                    note=rng.choice(RESULTS[status]), now=max(done_at, recorded_at),
                )
                made["follow_ups_done"] += 1
    return made


def _at(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0))) + timedelta(minutes=rng.randint(0, 8 * 60))


def _drawn(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def _next_status(rng: random.Random, status: str, *, last_one: bool) -> str:
    """How a person fares from one follow-up to the next: most stay well; those observed are
    cleared at the last one; a few with symptoms go to hospital and come back cleared."""
    if status == HealthStatus.SYMPTOMS:
        return HealthStatus.HOSPITAL if rng.random() < 0.4 else HealthStatus.HOME_OBSERVATION
    if status == HealthStatus.HOSPITAL:
        return HealthStatus.CLEARED if last_one or rng.random() < 0.5 else HealthStatus.HOSPITAL
    if status in (HealthStatus.HOME_OBSERVATION, HealthStatus.ISOLATION):
        return HealthStatus.CLEARED if last_one else status
    if status == HealthStatus.HEALTHY and rng.random() < 0.02:
        return HealthStatus.SYMPTOMS
    return status


def _id_number(rng: random.Random, taken: set[str]) -> str:
    """A valid 18-character number of someone born 1950–2005, not given out before."""
    while True:
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 55 * 365))
        first17 = f"{ADDRESS_CODE}{born:%Y%m%d}{rng.randint(0, 999):03d}"
        number = first17 + id_number_check_character(first17)
        if number not in taken:
            taken.add(number)
            return number
