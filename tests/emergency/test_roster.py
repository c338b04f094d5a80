"""The roster generator's promises, over random people, checkpoints, hours and rest (hypothesis):
nobody in two places at once, the rest kept, every slot staffed or its shortfall reported exactly,
hours spread fairly, and no shortfall with enough people."""

from collections import Counter, defaultdict
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from emergency.roster import HOUR, Assignment, Hours, generate, slots_of

ZONE = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 3, 2)
SHIFT_HOURS = st.sampled_from([4, 6, 8, 12])


@st.composite
def checkpoint_hours(draw):
    first = FIRST + timedelta(days=draw(st.integers(0, 2)))
    last = first + timedelta(days=draw(st.integers(0, 3)))
    if draw(st.booleans()):
        return Hours(first, last)
    opens = time(draw(st.integers(0, 23)))
    closes = time(draw(st.integers(0, 23)))
    return Hours(first, last, round_the_clock=False, opens=opens, closes=closes)


@st.composite
def problems(draw, *, round_the_clock=False):
    shift_hours = draw(SHIFT_HOURS)
    count = draw(st.integers(1, 4))
    slots = []
    for number in range(count):
        hours = Hours(FIRST, FIRST + timedelta(days=draw(st.integers(0, 3)))) if round_the_clock else draw(checkpoint_hours())
        need = draw(st.integers(1, 3))
        slots += slots_of(checkpoint=f"cp{number}", hours=hours, need=need, shift_hours=shift_hours, first_day=FIRST, last_day=FIRST + timedelta(days=5), zone=ZONE)
    people = [f"p{number:02d}" for number in range(draw(st.integers(0, 14)))]
    rest_hours = draw(st.sampled_from([0, 4, 8, 12, 16]))
    max_hours = draw(st.one_of(st.none(), st.integers(4, 24)))
    return {"slots": slots, "people": people, "rest_hours": rest_hours, "max_hours": max_hours, "shift_hours": shift_hours}


def run(problem, busy=()):
    return generate(
        slots=problem["slots"], people=problem["people"], busy=list(busy), rest_hours=problem["rest_hours"],
        max_hours_per_day=problem["max_hours"], zone=ZONE,
    )


def by_person(assignments):
    shifts = defaultdict(list)
    for assignment in assignments:
        shifts[assignment.person].append(assignment)
    return {person: sorted(mine, key=lambda a: a.starts_at) for person, mine in shifts.items()}


@settings(max_examples=150, deadline=None)
@given(problems())
def test_nobody_is_in_two_places_and_everyone_rests(problem):
    roster = run(problem)
    rest = timedelta(hours=problem["rest_hours"])
    for shifts in by_person(roster.assignments).values():
        for before, after in zip(shifts, shifts[1:]):
            assert before.ends_at <= after.starts_at, "overlap"
            assert after.starts_at - before.ends_at >= rest, "rest"


@settings(max_examples=150, deadline=None)
@given(problems())
def test_a_day_never_exceeds_the_maximum(problem):
    roster = run(problem)
    if problem["max_hours"] is None:
        return
    hours = Counter()
    for assignment in roster.assignments:
        moment = assignment.starts_at
        while moment < assignment.ends_at:
            hours[(assignment.person, moment.astimezone(ZONE).date())] += 1
            moment += HOUR
    assert all(total <= problem["max_hours"] for total in hours.values())


@settings(max_examples=150, deadline=None)
@given(problems())
def test_each_slot_has_its_need_or_the_exact_number_missing(problem):
    roster = run(problem)
    staffed = Counter((a.checkpoint, a.starts_at) for a in roster.assignments)
    missing = {(gap.checkpoint, gap.starts_at): gap.missing for gap in roster.gaps}
    for slot in problem["slots"]:
        key = (slot.checkpoint, slot.starts_at)
        assert staffed[key] + missing.get(key, 0) == slot.need
        assert missing.get(key, 0) >= 0
    assert len(missing) == len(roster.gaps)


@settings(max_examples=150, deadline=None)
@given(problems(round_the_clock=True))
def test_hours_spread_fairly_when_nobody_is_short_of_rest(problem):
    problem["max_hours"] = None
    roster = run(problem)
    if roster.strained or not problem["people"]:
        return
    hours = Counter({person: 0 for person in problem["people"]})
    for assignment in roster.assignments:
        hours[assignment.person] += (assignment.ends_at - assignment.starts_at) / HOUR
    assert max(hours.values()) - min(hours.values()) <= problem["shift_hours"]


@settings(max_examples=150, deadline=None)
@given(problems(round_the_clock=True))
def test_hours_spread_fairly_with_no_rest_at_all(problem):
    """With no rest and enough people for each hour, nobody can be passed over: fairness always holds."""
    problem.update(max_hours=None, rest_hours=0)
    per_hour = Counter(slot.starts_at for slot in problem["slots"] for _ in range(slot.need))
    problem["people"] = [f"p{n:02d}" for n in range(max(per_hour.values()) + len(problem["people"]))]
    roster = run(problem)
    assert not roster.strained and not roster.gaps
    hours = Counter({person: 0 for person in problem["people"]})
    for assignment in roster.assignments:
        hours[assignment.person] += (assignment.ends_at - assignment.starts_at) / HOUR
    assert max(hours.values()) - min(hours.values()) <= problem["shift_hours"]


@settings(max_examples=150, deadline=None)
@given(problems(round_the_clock=True), st.integers(0, 5))
def test_enough_people_leave_no_shortfall(problem, spare):
    """A person can work one shift in every 1 + ⌈rest / shift⌉: that many times each shift's
    need is enough for any roster."""
    problem["max_hours"] = None
    shift, rest = problem["shift_hours"], problem["rest_hours"]
    blocks = 1 + -(-rest // shift)
    per_start = Counter()
    for slot in problem["slots"]:
        per_start[slot.starts_at] += slot.need
    problem["people"] = [f"p{n:02d}" for n in range(max(per_start.values()) * blocks + spare)]
    assert run(problem).gaps == []


def test_a_roster_with_too_few_people_says_where_and_when():
    slots = slots_of(checkpoint="east", hours=Hours(FIRST, FIRST), need=2, shift_hours=8, first_day=FIRST, last_day=FIRST, zone=ZONE)
    roster = generate(slots=slots, people=["a", "b", "c"], busy=[], rest_hours=8, max_hours_per_day=None, zone=ZONE)
    # 00–08 takes a and b; 08–16 only c is rested; 16–24 a and b again.
    assert [(gap.checkpoint, gap.starts_at.hour, gap.missing) for gap in roster.gaps] == [("east", 8, 1)]
    assert len(roster.assignments) == 5


def test_shifts_already_fixed_block_their_time_and_count_as_hours():
    slots = slots_of(checkpoint="east", hours=Hours(FIRST, FIRST), need=1, shift_hours=8, first_day=FIRST, last_day=FIRST, zone=ZONE)
    first = slots[0]
    busy = [Assignment("west", "a", first.starts_at, first.ends_at)]
    roster = generate(slots=slots, people=["a", "b"], busy=busy, rest_hours=0, max_hours_per_day=None, zone=ZONE)
    # a is busy elsewhere at 00–08, so b takes it; then they are level and alternate.
    assert [(a.person, a.starts_at.hour) for a in roster.assignments] == [("b", 0), ("a", 8), ("b", 16)]


def test_slots_follow_the_hours_to_staff():
    round_the_clock = slots_of(checkpoint="x", hours=Hours(FIRST, FIRST), need=2, shift_hours=8, first_day=FIRST, last_day=FIRST, zone=ZONE)
    assert [(s.starts_at.hour, s.ends_at.hour) for s in round_the_clock] == [(0, 8), (8, 16), (16, 0)]
    evening = Hours(FIRST, FIRST, round_the_clock=False, opens=time(20), closes=time(6))
    overnight = slots_of(checkpoint="x", hours=evening, need=1, shift_hours=8, first_day=FIRST, last_day=FIRST, zone=ZONE)
    assert [(s.starts_at.hour, s.ends_at.hour, s.ends_at.date()) for s in overnight] == [(20, 4, FIRST + timedelta(days=1)), (4, 6, FIRST + timedelta(days=1))]
    assert slots_of(checkpoint="x", hours=Hours(FIRST, FIRST), need=1, shift_hours=8, first_day=FIRST + timedelta(days=1), last_day=FIRST + timedelta(days=2), zone=ZONE) == []


def test_the_same_input_gives_the_same_roster():
    slots = slots_of(checkpoint="x", hours=Hours(FIRST, FIRST + timedelta(days=2)), need=2, shift_hours=8, first_day=FIRST, last_day=FIRST + timedelta(days=2), zone=ZONE)
    people = [f"p{n}" for n in range(7)]
    first = generate(slots=slots, people=people, busy=[], rest_hours=8, max_hours_per_day=None, zone=ZONE)
    second = generate(slots=slots, people=list(reversed(people)), busy=[], rest_hours=8, max_hours_per_day=None, zone=ZONE)
    assert first.assignments == second.assignments
