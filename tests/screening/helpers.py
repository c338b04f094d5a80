"""Valid ID numbers and entries made through the real services."""

from datetime import date, datetime, time, timedelta
from itertools import count

from django.utils import timezone

from accounts.privacy import id_number_check_character
from screening import services

_sequence = count(1)


def valid_id(born: date = date(1990, 3, 7), sequence: int | None = None) -> str:
    first17 = f"320724{born:%Y%m%d}{(next(_sequence) if sequence is None else sequence) % 1000:03d}"
    return first17 + id_number_check_character(first17)


def wrong_check(number: str) -> tuple[str, str]:
    """The number with another last character, and the character expected."""
    right = number[-1]
    return number[:-1] + ("1" if right != "1" else "2"), right


def register(actor, grid, **extra):
    values = {
        "name": "张三", "phone": "13812345678", "id_number": valid_id(), "origin": "上海市浦东新区",
        "arrived_on": timezone.localdate() - timedelta(days=2),
    }
    values.update(extra)
    # Registered on the arrival day (09:00, or now if earlier) unless told otherwise: every
    # follow-up is scheduled then (one due before the registration would not be).
    values.setdefault("now", min(timezone.now(), timezone.make_aware(datetime.combine(values["arrived_on"], time(9)))))
    arrival, _created = services.arrival_register(actor=actor, grid=grid, **values)
    return arrival
