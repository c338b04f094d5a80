"""Emergency duty (应急值守): a campaign (an epidemic, a flood) with its checkpoints (卡点), the pool
of people on duty, and their shifts, generated as rosters (emergency/roster.py) and checked in and
out from the phone.

A person on duty is a grid worker (a user), a volunteer (`volunteers.Volunteer`, who may have a
user account too), or someone named with a phone (a helper from outside the platform):
`DutyPerson` covers all three, so rosters and shifts only know persons. The same user or volunteer
is one person per campaign; across campaigns their rows are told apart by campaign, and the
overlap and rest checks look at all of them (emergency/services.py).
"""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import phone_validator
from govgrid.text import CleanCharField
from govgrid.towntime import town_minute


class Campaign(models.Model):
    """One emergency: its shift length and rest rule are the roster's rules for every checkpoint."""

    class Kind(models.TextChoices):
        EPIDEMIC = "epidemic", _("Epidemic")
        FLOOD = "flood", _("Flood")
        OTHER = "other", _("Other emergency")

    name = CleanCharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EPIDEMIC)
    started = models.DateField(_("started"))
    ended = models.DateField(_("ended"), null=True, blank=True, help_text=_("Empty while the campaign runs."))
    active = models.BooleanField(_("active"), default=True)
    shift_hours = models.PositiveSmallIntegerField(
        _("shift length (hours)"), default=8, validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Shifts start at midnight and every shift length after it, so it should divide 24."),
    )
    rest_hours = models.PositiveSmallIntegerField(
        _("minimum rest between shifts (hours)"), default=8, validators=[MaxValueValidator(72)],
    )
    max_hours_per_day = models.PositiveSmallIntegerField(
        _("maximum hours per day per person"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("emergency campaign")
        verbose_name_plural = _("emergency campaigns")

    def __str__(self):
        return self.name


class Checkpoint(models.Model):
    """A checkpoint (卡点) to staff: round the clock, or daily between two times, on a range of dates."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="checkpoints")
    name = CleanCharField(_("name"), max_length=100)
    grid = models.ForeignKey("grids.Grid", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="checkpoints")
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    round_the_clock = models.BooleanField(_("round the clock"), default=True)
    daily_from = models.TimeField(_("daily from"), default=time(0))
    daily_to = models.TimeField(_("daily to"), default=time(0), help_text=_("Equal to 'daily from' means round the clock."))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    people_per_shift = models.PositiveSmallIntegerField(_("people per shift"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)])
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, help_text=_("Closed checkpoints are staffed no more: no new shifts from then on."),
    )

    class Meta:
        ordering = ["campaign", "name", "id"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self):
        return self.name


class DutyPerson(models.Model):
    """Someone in a campaign's pool: a grid worker (user), a volunteer, or a named person with a
    phone. A volunteer with a user account carries both links, so they are never two people."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.PROTECT, related_name="duty_people",
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", verbose_name=_("volunteer"), null=True, blank=True, on_delete=models.PROTECT, related_name="duty_people",
    )
    name = CleanCharField(_("full name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    available = models.BooleanField(_("available"), default=True, help_text=_("Only available people are given new shifts."))

    class Meta:
        ordering = ["campaign", "name", "id"]
        verbose_name = _("person on duty")
        verbose_name_plural = _("people on duty")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], condition=models.Q(user__isnull=False), name="one_duty_person_per_user_and_campaign"),
            models.UniqueConstraint(
                fields=["campaign", "volunteer"], condition=models.Q(volunteer__isnull=False), name="one_duty_person_per_volunteer_and_campaign",
            ),
        ]

    def __str__(self):
        return self.name


class RosterRun(models.Model):
    """One generation of a campaign's roster over a range of dates, with the slots it could not fill."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="roster_runs")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    shifts_created = models.PositiveIntegerField(_("shifts created"), default=0)
    shifts_replaced = models.PositiveIntegerField(_("shifts replaced"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("roster run")
        verbose_name_plural = _("roster runs")

    def __str__(self):
        return f"{self.campaign} {self.first_day}–{self.last_day}"


class Shortfall(models.Model):
    """A slot a roster run could not staff: where, when and how many are missing, shown until filled."""

    run = models.ForeignKey(RosterRun, verbose_name=_("roster run"), on_delete=models.CASCADE, related_name="shortfalls")
    checkpoint = models.ForeignKey(Checkpoint, verbose_name=_("checkpoint"), on_delete=models.CASCADE, related_name="shortfalls")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    missing = models.PositiveSmallIntegerField(_("people missing"))
    filled_at = models.DateTimeField(_("filled at"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "checkpoint", "id"]
        verbose_name = _("shortfall")
        verbose_name_plural = _("shortfalls")

    def __str__(self):
        return f"{self.checkpoint} {town_minute(self.starts_at)} −{self.missing}"


class Shift(models.Model):
    """One person at one checkpoint from one time to another, with their check-in and check-out.

    A position not available at check-in or check-out (refused or no fix) is recorded as such:
    the time is set and the position fields stay empty, with `*_position_missing` set.
    """

    checkpoint = models.ForeignKey(Checkpoint, verbose_name=_("checkpoint"), on_delete=models.CASCADE, related_name="shifts")
    person = models.ForeignKey(DutyPerson, verbose_name=_("person on duty"), on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checkin_latitude = models.FloatField(_("check-in latitude"), null=True, blank=True)
    checkin_longitude = models.FloatField(_("check-in longitude"), null=True, blank=True)
    checkin_accuracy_m = models.FloatField(_("check-in accuracy (m)"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checkout_latitude = models.FloatField(_("check-out latitude"), null=True, blank=True)
    checkout_longitude = models.FloatField(_("check-out longitude"), null=True, blank=True)
    checkout_accuracy_m = models.FloatField(_("check-out accuracy (m)"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "checkpoint", "id"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        indexes = [
            models.Index(fields=["person", "starts_at"], name="shift_person_starts_at"),
            models.Index(fields=["checkpoint", "starts_at"], name="shift_checkpoint_starts_at"),
        ]

    def __str__(self):
        return f"{self.person} {self.checkpoint} {town_minute(self.starts_at)}"

    @property
    def checkin_position_missing(self) -> bool:
        return self.checked_in_at is not None and self.checkin_latitude is None

    @property
    def checkout_position_missing(self) -> bool:
        return self.checked_out_at is not None and self.checkout_latitude is None

    @property
    def minutes_left_early(self) -> int:
        """Whole minutes between the check-out and the shift's end (0 when not before it)."""
        if self.checked_out_at is None or self.checked_out_at >= self.ends_at:
            return 0
        return int((self.ends_at - self.checked_out_at).total_seconds() // 60)


class SwapRequest(models.Model):
    """A request to hand a shift to another person, or to exchange it with another person's shift,
    approved or refused by the command centre."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    shift = models.ForeignKey(Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="swap_requests")
    from_person = models.ForeignKey(
        DutyPerson, verbose_name=_("handed over by"), on_delete=models.CASCADE, related_name="swaps_asked",
        help_text=_("The shift's person when the swap was asked."),
    )
    to_person = models.ForeignKey(DutyPerson, verbose_name=_("hand to"), on_delete=models.CASCADE, related_name="swaps_offered")
    other_shift = models.ForeignKey(
        Shift, verbose_name=_("in exchange for"), null=True, blank=True, on_delete=models.CASCADE, related_name="swap_counterparts",
        help_text=_("Empty to hand the shift over without taking one back."),
    )
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(_("asked at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")

    def __str__(self):
        return f"{self.from_person} → {self.to_person}: {self.shift.checkpoint} {town_minute(self.shift.starts_at)}"


class DutyEvent(models.Model):
    """Each change in a campaign, who made it and when: the audit trail."""

    class Action(models.TextChoices):
        CAMPAIGN_CREATED = "campaign_created", _("campaign created")
        CAMPAIGN_UPDATED = "campaign_updated", _("campaign updated")
        CAMPAIGN_ENDED = "campaign_ended", _("campaign ended")
        CHECKPOINT_ADDED = "checkpoint_added", _("checkpoint added")
        CHECKPOINT_UPDATED = "checkpoint_updated", _("checkpoint changed")
        CHECKPOINT_CLOSED = "checkpoint_closed", _("checkpoint closed")
        PEOPLE_ADDED = "people_added", _("people added")
        AVAILABILITY = "availability", _("availability changed")
        ROSTER_GENERATED = "roster_generated", _("roster generated")
        SHIFT_ADDED = "shift_added", _("shift added")
        CHECKIN = "checkin", _("checked in")
        CHECKOUT = "checkout", _("checked out")
        SWAP_ASKED = "swap_asked", _("swap asked")
        SWAP_APPROVED = "swap_approved", _("swap approved")
        SWAP_REFUSED = "swap_refused", _("swap refused")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="events")
    shift = models.ForeignKey(Shift, verbose_name=_("shift"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("duty event")
        verbose_name_plural = _("duty events")

    def __str__(self):
        return f"{self.get_action_display()} {town_minute(self.at)}"
