import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govgrid.text import CleanCharField, CleanTextField

from . import holidays
from .timelimits import TimeUnit
from .workflow import Action, Status


class Category(models.Model):
    """Two levels (CJ/T 214): 大类 (2-digit code) and 小类 (its code + 2 digits).

    Events and components are separate trees in the standard with overlapping numbers; here
    component codes carry a "B" (部件) in front so that one code names one category.
    """

    class Kind(models.TextChoices):
        EVENT = "event", _("event")
        COMPONENT = "component", _("component")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EVENT)
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = CleanCharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("major category"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    time_limit = models.DecimalField(_("time limit"), max_digits=6, decimal_places=2, null=True, blank=True)
    time_unit = models.CharField(_("time unit"), max_length=20, choices=TimeUnit.choices, blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("default department"), null=True, blank=True, on_delete=models.SET_NULL
    )
    filing_condition = CleanTextField(_("filing condition"), blank=True)
    closing_condition = CleanTextField(_("closing condition"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_minor(self) -> bool:
        return self.parent_id is not None

    def clean(self):
        errors = {}
        if self.parent_id:
            if self.parent.parent_id:
                errors["parent"] = _("Only two levels: a minor category's parent must be a major category.")
            elif self.code and not self.code.startswith(self.parent.code):
                errors["code"] = _("A minor category's code starts with its major category's code.")
            if self.time_limit is None or not self.time_unit:
                errors["time_limit"] = _("A minor category needs a time limit and its unit.")
        if errors:
            raise ValidationError(errors)


class CalendarDay(models.Model):
    """An exception to the Monday-to-Friday week: a public holiday, or a make-up working day (调休).

    National days come from the State Council's notices (incidents/holidays.py); a day entered
    or changed in the admin is local and is never overwritten by them.
    """

    class Source(models.TextChoices):
        NATIONAL = holidays.NATIONAL, _("State Council notice")
        LOCAL = holidays.LOCAL, _("entered locally")

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Ticked for a make-up working day on a weekend; unticked for a holiday.")
    )
    name = CleanCharField(_("name"), max_length=50)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.LOCAL)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("working calendar")

    def __str__(self):
        return f"{self.date} {self.name}"


class Source(models.TextChoices):
    PATROL = "patrol", _("patrol")
    PHONE = "phone", _("phone call")
    RESIDENT = "resident", _("resident")
    OPEN311 = "open311", _("Open311")
    OTHER = "other", _("other")


class Incident(models.Model):
    code = models.CharField(_("code"), max_length=24, unique=True, null=True, editable=False)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="incidents")
    description = CleanTextField(_("description"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    address = CleanCharField(_("address"), max_length=200, blank=True)
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.PATROL)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reporter"), null=True, blank=True, on_delete=models.PROTECT, related_name="reported_incidents"
    )
    contact_phone = CleanCharField(_("contact phone"), max_length=20, blank=True)
    client_uuid = models.UUIDField(_("client UUID"), null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.CHOICES, default=Status.REPORTED, db_index=True)
    handled_on_spot = models.BooleanField(_("handled on the spot"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_incidents"
    )
    assigned_department = models.ForeignKey(
        "accounts.Department", verbose_name=_("assigned department"), null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("warning time"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Bumped by every transition: a client that sends the version it saw gets a conflict
    # instead of overwriting a change it has not seen.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"{self.code} {self.category.name}"

    @property
    def is_open(self) -> bool:
        return self.status in Status.OPEN

    def warning_light(self, now=None) -> str | None:
        """green below the warning time, yellow up to the deadline, red past it; None once finished."""
        if not self.is_open or self.deadline is None:
            return None
        now = now or timezone.now()
        if now >= self.deadline:
            return "red"
        if self.warn_at and now >= self.warn_at:
            return "yellow"
        return "green"


def photo_path(photo: "IncidentPhoto", filename: str) -> str:
    # The extension is the one incidents.photos gave for the format read from the content.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"incidents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class IncidentPhoto(models.Model):
    """A photo as `incidents.photos` stored it: re-encoded, without metadata. When and where it
    was taken, read from its EXIF before that was stripped, is kept here."""

    class Stage(models.TextChoices):
        REPORT = "report", _("report")
        BEFORE = "before", _("before handling")
        AFTER = "after", _("after handling")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey("IncidentEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    image = models.ImageField(_("image"), upload_to=photo_path)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    # Made by a Celery task after the upload commits (incidents.tasks.make_thumbnail).
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.FloatField(_("latitude where taken"), null=True, blank=True)
    longitude = models.FloatField(_("longitude where taken"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class IncidentEvent(models.Model):
    """One immutable row per action: the audit trail, and the outbox for background work.

    `processed_at` stays empty until the follow-up work (notifications, routing) is done, so a
    message lost with the broker is found again by the sweep.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.CHOICES)
    from_status = models.CharField(_("from status"), max_length=20, choices=Status.CHOICES, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status.CHOICES)
    note = CleanTextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        indexes = [models.Index(fields=["processed_at", "created_at"])]

    def __str__(self):
        return f"{self.incident_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.get("update_fields") == ["processed_at"]:
            raise ValueError("incident events are immutable")
        super().save(*args, **kwargs)
