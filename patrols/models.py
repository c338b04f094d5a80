"""A grid worker's patrol (巡查): started and stopped on the phone, its GPS track sent in batches
(kept on the phone while offline), check-ins (打卡) at compounds on the way.

Distance, point count and coverage are kept on the patrol, recomputed from its points whenever a
batch arrives (patrols/services.py), so lists read them without touching the points.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Patrol(models.Model):
    """One patrol of one worker; its UUID is made on the phone, so a start sent twice is one patrol.

    The grid is the one the worker chose at the start (`grid_given`), else their first grid by
    code; a worker serving several grids who did not choose has it moved, with the first position
    that arrives, to their grid containing that position.
    """

    uuid = models.UUIDField(_("UUID"), unique=True, help_text=_("Made on the phone: the same patrol sent twice is one patrol."))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("grid worker"), on_delete=models.PROTECT, related_name="patrols")
    grid = models.ForeignKey("grids.Grid", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="patrols")
    grid_given = models.BooleanField(_("grid chosen by the worker"), default=False)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, help_text=_("Empty while the patrol runs."))
    last_point_at = models.DateTimeField(_("last position at"), null=True, blank=True)
    distance_m = models.FloatField(_("distance (m)"), default=0)
    coverage = models.FloatField(
        _("coverage"), null=True, blank=True, help_text=_("Share of the grid's area within reach of the track, 0 to 1; empty until positions arrive.")
    )
    point_count = models.PositiveIntegerField(_("positions"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        constraints = [
            # Two taps on "start", or two phones: never two patrols running for one worker.
            models.UniqueConstraint(fields=["worker"], condition=models.Q(ended_at__isnull=True), name="one_running_patrol_per_worker"),
        ]
        indexes = [
            models.Index(fields=["started_at"], name="patrol_started_at"),
            models.Index(fields=["worker", "started_at"], name="patrol_worker_started_at"),
        ]

    def __str__(self):
        return f"{self.worker} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.ended_at is None

    def duration_seconds(self, now: datetime) -> int:
        """Stopped, from its start to its end; running today, to now; left running from an
        earlier day (the watch is yet to close it), to its last position."""
        if self.ended_at is not None:
            end = self.ended_at
        elif timezone.localdate(self.started_at) == timezone.localdate(now):
            end = now
        else:
            end = self.last_point_at or self.started_at
        return max(0, int((end - self.started_at).total_seconds()))


class PatrolPoint(models.Model):
    """A position of the track, kept after thinning; one per patrol and instant, so a batch sent
    again adds nothing."""

    patrol = models.ForeignKey(Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="points")
    recorded_at = models.DateTimeField(_("recorded at"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"))

    class Meta:
        ordering = ["patrol", "recorded_at"]
        verbose_name = _("patrol position")
        verbose_name_plural = _("patrol positions")
        constraints = [models.UniqueConstraint(fields=["patrol", "recorded_at"], name="one_patrol_point_per_instant")]

    def __str__(self):
        return f"{self.latitude:.6f}, {self.longitude:.6f}"


class PatrolCheckin(models.Model):
    """A check-in (打卡) at a compound on the way, made within reach of it."""

    uuid = models.UUIDField(_("UUID"), unique=True, help_text=_("Made on the phone: the same check-in sent twice is one check-in."))
    patrol = models.ForeignKey(Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="checkins")
    compound = models.ForeignKey("grids.Compound", verbose_name=_("compound"), on_delete=models.PROTECT, related_name="checkins")
    at = models.DateTimeField(_("at"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    distance_m = models.FloatField(_("distance from the compound (m)"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self):
        return f"{self.compound} {self.at:%Y-%m-%d %H:%M}"


class PatrolEvent(models.Model):
    """Each change of a patrol, who made it and when: the audit trail."""

    class Action(models.TextChoices):
        START = "start", _("started")
        GRID = "grid", _("grid set by the first position")
        CHECKIN = "checkin", _("checked in")
        STOP = "stop", _("stopped")
        CLOSED_BY_WATCH = "closed_by_watch", _("closed by the watch")

    patrol = models.ForeignKey(Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty for the platform's own watch."),
    )
    at = models.DateTimeField(_("at"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("patrol event")
        verbose_name_plural = _("patrol events")

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class PatrolReminder(models.Model):
    """The day's "no patrol yet" reminder to the command centre, claimed once per day: a second
    run of the beat task, or two beats at once, finds the day taken and sends nothing."""

    date = models.DateField(_("date"), unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    workers = models.JSONField(_("grid workers listed"), default=list, blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("patrol reminder")
        verbose_name_plural = _("patrol reminders")

    def __str__(self):
        return str(self.date)
