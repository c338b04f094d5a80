from datetime import date
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from volunteers import services
from volunteers.models import Activity


def jpeg(name="photo.jpg", size=(1200, 900)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def record(actor, *, team, grid, volunteers, kind=Activity.Kind.POLICY_OUTREACH, day: date | None = None, audience=40, compounds=(), **extra):
    """An activity through the service; each volunteer serves two hours unless told."""
    hours = extra.pop("hours", "2")
    return services.activity_record(
        actor=actor, kind=kind, title=extra.pop("title", "惠民政策进小区"), team=team, day=day or timezone.localdate(), grid=grid,
        audience=audience, volunteer_hours=[(volunteer.pk, hours) for volunteer in volunteers],
        compound_ids=[compound.pk for compound in compounds], **extra,
    )
