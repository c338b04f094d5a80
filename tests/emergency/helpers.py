from datetime import datetime, timedelta

from django.utils import timezone

from emergency.models import Shift


def slot_start(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour)


def put(checkpoint, person, starts_at: datetime, hours: int = 8) -> Shift:
    """A shift written straight to the database: the state a test starts from."""
    return Shift.objects.create(checkpoint=checkpoint, person=person, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours))
