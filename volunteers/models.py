"""Volunteer service (志愿服务): teams, their volunteers, and the activities they hold in the grids.

A volunteer's service hours are not stored: they are the sum of the hours of their activities
(`ActivityVolunteer.hours`), computed where they are shown (volunteers/selectors.py).
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govgrid.text import CleanCharField, CleanTextField

MAX_HOURS_PER_ACTIVITY = 24


class Team(models.Model):
    class Kind(models.TextChoices):
        RED = "red", _("red volunteers")
        OUTREACH = "outreach", _("outreach team")
        LEGAL_AID = "legal_aid", _("legal aid")
        JUDICIAL = "judicial", _("judges, prosecutors, police and lawyers")
        OTHER = "other", _("other")

    name = CleanCharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    leader = models.ForeignKey(
        "Volunteer", verbose_name=_("leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="teams_led"
    )
    community = models.ForeignKey(
        "grids.Community", verbose_name=_("community"), null=True, blank=True, on_delete=models.PROTECT, related_name="volunteer_teams",
        help_text=_("Empty for a town-wide team."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    class Profession(models.TextChoices):
        GRID_WORKER = "grid_worker", _("grid worker")
        JUDGE = "judge", _("judge")
        PROSECUTOR = "prosecutor", _("prosecutor")
        POLICE = "police", _("police officer")
        LAWYER = "lawyer", _("lawyer")
        TEACHER = "teacher", _("teacher")
        DOCTOR = "doctor", _("doctor")
        RESIDENT = "resident", _("resident")
        OTHER = "other", _("other")

    name = CleanCharField(_("full name"), max_length=100)
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="volunteers")
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices, default=Profession.RESIDENT)
    skills = CleanCharField(_("skills"), max_length=200, blank=True)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[RegexValidator(r"^\d{7,20}$", _("A phone number has 7 to 20 digits, digits only."))],
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteer",
        help_text=_("For a grid worker who volunteers too."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["team__name", "name", "id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self):
        return self.name


class Activity(models.Model):
    class Kind(models.TextChoices):
        POLICY_OUTREACH = "policy_outreach", _("policy outreach")
        HISTORY_OUTREACH = "history_outreach", _("party-history outreach")
        LEGAL_AID = "legal_aid", _("legal aid")
        CULTURE_ELDERLY = "culture_elderly", _("culture for the elderly")
        CULTURE_CHILDREN = "culture_children", _("culture for children")
        OTHER = "other", _("other")

    # An outreach session (宣讲场次) is an activity of one of these kinds: the one definition that
    # the coverage figures and the lists count by.
    OUTREACH_KINDS = (Kind.POLICY_OUTREACH, Kind.HISTORY_OUTREACH)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = CleanCharField(_("title"), max_length=200)
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="activities")
    date = models.DateField(_("date"))
    grid = models.ForeignKey("grids.Grid", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="volunteer_activities")
    compounds = models.ManyToManyField("grids.Compound", verbose_name=_("compounds reached"), related_name="volunteer_activities", blank=True)
    audience = models.PositiveIntegerField(_("audience"), default=0, help_text=_("People reached."))
    notes = CleanTextField(_("notes"), blank=True)
    volunteers = models.ManyToManyField(Volunteer, verbose_name=_("volunteers"), through="ActivityVolunteer", related_name="activities")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    client_uuid = models.UUIDField(
        _("UUID from the phone"), null=True, blank=True, unique=True, editable=False,
        help_text=_("Made on the phone: the same form sent twice is one activity."),
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        indexes = [models.Index(fields=["date"], name="volunteer_activity_date")]

    def __str__(self):
        return f"{self.title} {self.date:%Y-%m-%d}"

    @property
    def is_outreach(self) -> bool:
        return self.kind in self.OUTREACH_KINDS


class ActivityVolunteer(models.Model):
    """A volunteer's part in an activity and the hours they served at it."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participations")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="participations")
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(0.1), MaxValueValidator(MAX_HOURS_PER_ACTIVITY)],
    )

    class Meta:
        ordering = ["activity", "volunteer__name"]
        verbose_name = _("volunteer at an activity")
        verbose_name_plural = _("volunteers at activities")
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="one_part_per_volunteer_and_activity"),
            models.CheckConstraint(condition=models.Q(hours__gt=0, hours__lte=MAX_HOURS_PER_ACTIVITY), name="activity_hours_in_range"),
        ]

    def __str__(self):
        return f"{self.volunteer} {self.hours}"


def photo_path(photo: "ActivityPhoto", filename: str) -> str:
    # The extension is the one incidents.photos gave for the format read from the content.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"volunteers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ActivityPhoto(models.Model):
    """A photo of an activity as `incidents.photos` stored it: re-encoded, without metadata."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to=photo_path)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self):
        return self.image.name


class Event(models.Model):
    """Each change of a team, a volunteer or an activity, who made it and when: the audit trail.
    One of the three links is set, the thing that changed."""

    class Action(models.TextChoices):
        TEAM_CREATE = "team_create", _("team created")
        TEAM_CHANGE = "team_change", _("team changed")
        VOLUNTEER_CREATE = "volunteer_create", _("volunteer registered")
        VOLUNTEER_CHANGE = "volunteer_change", _("volunteer changed")
        ACTIVITY_RECORD = "activity_record", _("activity recorded")
        ACTIVITY_CHANGE = "activity_change", _("activity changed")
        PHOTO_ADD = "photo_add", _("photo added")

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"), null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("volunteer service event")
        verbose_name_plural = _("volunteer service events")

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
