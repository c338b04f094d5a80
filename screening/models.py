"""The screening register (摸排): people arriving in a grid (返乡/来镇人员), registered by the grid's
workers or the command centre, with the follow-ups (回访) scheduled from their arrival date.

Phone and ID number are personal data: shown in full only to the grid's own workers and the
command centre, and each such sight recorded (screening/services.py `arrivals_disclose`). An
entry's name (`__str__`) carries neither, since the record of views keeps it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import phone_validator
from govgrid.text import CleanCharField, CleanTextField


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    SYMPTOMS = "symptoms", _("Has symptoms")
    HOME_OBSERVATION = "home_observation", _("Home observation")
    ISOLATION = "isolation", _("Centralised isolation")
    HOSPITAL = "hospital", _("Sent to hospital")
    CLEARED = "cleared", _("Cleared")


class Arrival(models.Model):
    """One person arriving on one day: the same ID number is registered once per arrival date."""

    grid = models.ForeignKey("grids.Grid", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="arrivals")
    compound = models.ForeignKey(
        "grids.Compound", verbose_name=_("compound"), null=True, blank=True, on_delete=models.PROTECT, related_name="arrivals"
    )
    campaign = models.ForeignKey(
        "emergency.Campaign", verbose_name=_("campaign"), null=True, blank=True, on_delete=models.PROTECT, related_name="arrivals"
    )
    name = CleanCharField(_("full name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    id_number = models.CharField(_("ID number"), max_length=18, help_text=_("18 characters, checked by their check digit (GB 11643)."))
    origin = CleanCharField(_("arriving from"), max_length=100)
    arrived_on = models.DateField(_("arrival date"))
    health_status = models.CharField(_("health status"), max_length=20, choices=HealthStatus.choices, default=HealthStatus.HEALTHY)
    notes = CleanTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    client_uuid = models.UUIDField(
        _("UUID from the phone"), null=True, blank=True, unique=True, editable=False,
        help_text=_("Made on the phone: the same form sent twice is one entry."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-arrived_on", "-id"]
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        constraints = [
            models.UniqueConstraint(fields=["id_number", "arrived_on"], name="one_arrival_per_person_and_day"),
        ]
        indexes = [
            models.Index(fields=["grid", "arrived_on"], name="arrival_grid_arrived_on"),
            models.Index(fields=["arrived_on"], name="arrival_arrived_on"),
        ]

    def __str__(self):
        return f"{self.name} {self.arrived_on:%Y-%m-%d} #{self.pk}"


class FollowUp(models.Model):
    """A follow-up due on a day after the arrival; done once, with the health status found then."""

    arrival = models.ForeignKey(Arrival, verbose_name=_("arrival"), on_delete=models.CASCADE, related_name="follow_ups")
    day = models.PositiveSmallIntegerField(_("day after arrival"))
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    health_status = models.CharField(_("health status then"), max_length=20, choices=HealthStatus.choices, blank=True)
    note = CleanCharField(_("result"), max_length=200, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [models.UniqueConstraint(fields=["arrival", "day"], name="one_follow_up_per_arrival_and_day")]
        indexes = [
            # What the due and overdue lists look for.
            models.Index(fields=["due_on"], condition=models.Q(done_at__isnull=True), name="follow_up_open_due_on"),
        ]

    def __str__(self):
        return f"{self.arrival} +{self.day}"

    @property
    def done(self) -> bool:
        return self.done_at is not None


class ScreeningEvent(models.Model):
    """Each change of an entry, who made it and when: the audit trail."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("registered")
        FOLLOW_UP_DONE = "follow_up_done", _("follow-up visit done")
        CORRECTED = "corrected", _("entry corrected")

    arrival = models.ForeignKey(Arrival, verbose_name=_("arrival"), on_delete=models.CASCADE, related_name="events")
    follow_up = models.ForeignKey(
        FollowUp, verbose_name=_("follow-up visit"), null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("screening event")
        verbose_name_plural = _("screening events")

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
