import uuid
from datetime import date

from party import services
from party.models import MemberCheckIn

from ..conftest import local


def checkin(actor, member, day: date, *, grid=None, hours=2, confirm=True) -> MemberCheckIn:
    """A check-in recorded (and confirmed) by `actor` the evening of `day`."""
    now = local(day.year, day.month, day.day, 20, 0)
    made, _created = services.checkin_record(
        actor=actor, member=member, grid=grid or member.grid, day=day, activity="入户走访", hours=hours, uuid=uuid.uuid4(), now=now,
    )
    if confirm:
        made = services.checkin_confirm(actor=actor, checkin_id=made.pk, now=now)
    return made
