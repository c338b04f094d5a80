"""The roster generator: pure Python, no database, so its rules can be checked on their own
(tests/emergency/test_roster.py runs them with hypothesis).

A checkpoint's hours to staff are cut into slots of the campaign's shift length: round the clock
from midnight (00/08/16 for 8-hour shifts), a daily window from its opening time (the last slot
of the window may be shorter). Slots are filled in time order, each with the people who have
worked the fewest hours so far among those free for it (no other shift overlapping it, the
campaign's rest before and after it, the day's maximum), ties broken by who rested longest and
then by key, so the same input always gives the same roster. What cannot be filled is a
`Gap` with the number missing: a roster never leaves a silent hole.
"""

from bisect import insort
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Hashable

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Hours:
    """When a checkpoint is staffed: round the clock, or daily from `opens` to `closes`
    (a window past midnight when `closes` is earlier), from `first_day` to `last_day`."""

    first_day: date
    last_day: date
    round_the_clock: bool = True
    opens: time = time(0)
    closes: time = time(0)


@dataclass(frozen=True)
class Slot:
    checkpoint: Hashable
    starts_at: datetime
    ends_at: datetime
    need: int

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at) / HOUR


@dataclass(frozen=True)
class Assignment:
    checkpoint: Hashable
    person: Hashable
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Gap:
    """A slot short of people: where, when and how many are missing."""

    checkpoint: Hashable
    starts_at: datetime
    ends_at: datetime
    missing: int


@dataclass
class Roster:
    assignments: list[Assignment] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    # True when someone with fewer hours than a person given a slot was passed over (for rest, an
    # overlap or the day's maximum): the only case in which hours may spread unevenly.
    strained: bool = False


def slots_of(*, checkpoint: Hashable, hours: Hours, need: int, shift_hours: int, first_day: date, last_day: date, zone: tzinfo) -> list[Slot]:
    """The checkpoint's slots that start on the days from `first_day` to `last_day` (and within its own dates)."""
    first, last = max(first_day, hours.first_day), min(last_day, hours.last_day)
    length = timedelta(hours=shift_hours)
    slots = []
    day = first
    while day <= last:
        if hours.round_the_clock or hours.opens == hours.closes:
            start, end = datetime.combine(day, time(0), zone), datetime.combine(day + timedelta(days=1), time(0), zone)
        else:
            start = datetime.combine(day, hours.opens, zone)
            closes_on = day if hours.closes > hours.opens else day + timedelta(days=1)
            end = datetime.combine(closes_on, hours.closes, zone)
        while start < end:
            slots.append(Slot(checkpoint, start, min(start + length, end), need))
            start += length
        day += timedelta(days=1)
    return slots


def _day_hours(starts_at: datetime, ends_at: datetime, zone: tzinfo) -> dict[date, float]:
    """A shift's hours on each town-local day it touches."""
    hours = {}
    start = starts_at.astimezone(zone)
    end = ends_at.astimezone(zone)
    while start < end:
        midnight = datetime.combine(start.date() + timedelta(days=1), time(0), zone)
        stop = min(end, midnight)
        hours[start.date()] = hours.get(start.date(), 0) + (stop - start) / HOUR
        start = stop
    return hours


class _Person:
    """A person's shifts as the generator fills the roster: for the conflict test, their hours and the day's hours."""

    def __init__(self, key):
        self.key = key
        self.shifts: list[tuple[datetime, datetime]] = []
        self.hours = 0.0
        self.by_day: dict[date, float] = defaultdict(float)

    def add(self, starts_at: datetime, ends_at: datetime, zone: tzinfo) -> None:
        insort(self.shifts, (starts_at, ends_at))
        self.hours += (ends_at - starts_at) / HOUR
        for day, hours in _day_hours(starts_at, ends_at, zone).items():
            self.by_day[day] += hours

    def free_for(self, slot: Slot, *, rest: timedelta, max_hours_per_day: int | None, zone: tzinfo) -> bool:
        # Two shifts clash when they overlap or come closer than the rest; one test covers both.
        for starts_at, ends_at in self.shifts:
            if starts_at >= slot.ends_at + rest:
                break
            if slot.starts_at < ends_at + rest and starts_at < slot.ends_at + rest:
                return False
        if max_hours_per_day is not None:
            for day, hours in _day_hours(slot.starts_at, slot.ends_at, zone).items():
                if self.by_day[day] + hours > max_hours_per_day + 1e-9:
                    return False
        return True

    def last_end_before(self, moment: datetime) -> datetime | None:
        ends = [ends_at for _, ends_at in self.shifts if ends_at <= moment]
        return max(ends) if ends else None


def generate(
    *, slots: list[Slot], people: list[Hashable], busy: list[Assignment], rest_hours: int, max_hours_per_day: int | None, zone: tzinfo,
) -> Roster:
    """Fill `slots` with `people` (keys that sort), around their shifts already fixed (`busy`,
    which count towards their hours and block their time). `need` of a slot is the number still
    to find: the caller subtracts the shifts it keeps there."""
    rest = timedelta(hours=rest_hours)
    pool = {key: _Person(key) for key in people}
    for shift in busy:
        if shift.person in pool:
            pool[shift.person].add(shift.starts_at, shift.ends_at, zone)
    roster = Roster()
    for slot in sorted(slots, key=lambda s: (s.starts_at, s.ends_at, str(s.checkpoint))):
        if slot.need <= 0:
            continue
        never = datetime.min.replace(tzinfo=slot.starts_at.tzinfo)
        ranked = sorted(pool.values(), key=lambda p: (p.hours, p.last_end_before(slot.starts_at) or never, p.key))
        chosen, least_passed_over = [], None
        for person in ranked:
            if len(chosen) == slot.need:
                break
            if person.free_for(slot, rest=rest, max_hours_per_day=max_hours_per_day, zone=zone):
                chosen.append(person)
            elif least_passed_over is None:
                least_passed_over = person.hours
        if chosen and least_passed_over is not None and least_passed_over < chosen[-1].hours:
            roster.strained = True
        for person in chosen:
            person.add(slot.starts_at, slot.ends_at, zone)
            roster.assignments.append(Assignment(slot.checkpoint, person.key, slot.starts_at, slot.ends_at))
        if len(chosen) < slot.need:
            roster.gaps.append(Gap(slot.checkpoint, slot.starts_at, slot.ends_at, slot.need - len(chosen)))
    return roster
