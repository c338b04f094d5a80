import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from govgrid.text import CleanCharField, CleanTextField

from . import holidays
from .timelimits import TimeUnit
from .workflow import Action, Appeal, Card, Closure, Stage, Status


def town_time(moment) -> str:
    """A moment in the town's time, written as the admin writes the times beside it."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


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
    # Who called the hotline (热线), when the report came by phone.
    contact_name = CleanCharField(_("contact name"), max_length=50, blank=True)
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
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure = models.CharField(_("closure type"), max_length=10, choices=Closure.CHOICES, blank=True, db_index=True)
    # The case's own clock, report to close: the stage limits one after another from the
    # report, moved by an approved extension and by the time spent suspended.
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("warning time"), null=True, blank=True)
    # The clock of the stage the case is in now; its history is in IncidentStage.
    current_stage = models.ForeignKey(
        "IncidentStage", verbose_name=_("current stage"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Counted as they happen, so the measures read columns instead of searching the history.
    rework_count = models.PositiveSmallIntegerField(_("times reworked"), default=0)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    # Sent to another handler after a first dispatch (returned, or reassigned): against the
    # accurate dispatch rate.
    resend_count = models.PositiveSmallIntegerField(_("times re-sent"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    extension_requested_until = models.DateTimeField(_("extension requested until"), null=True, blank=True)
    appeal = models.CharField(_("appeal"), max_length=10, choices=Appeal.CHOICES, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    review_on = models.DateField(_("review suspension on"), null=True, blank=True)
    review_reminded_at = models.DateTimeField(_("review reminder sent at"), null=True, blank=True)
    # Bumped by every transition: a client that sends the version it saw gets a conflict
    # instead of overwriting a change it has not seen.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["status", "deadline"]),
            # The open cases by deadline, with what the dashboard's clock counters read, so
            # that they are counted from this small index alone (PostgreSQL; a plain partial
            # index elsewhere).
            models.Index(
                fields=["deadline"], name="open_case_deadline", condition=models.Q(status__in=sorted(Status.OPEN)),
                include=["id", "reported_at", "status", "appeal", "rework_count", "grid", "category", "assigned_department", "source"],
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.category.name}"

    @property
    def is_open(self) -> bool:
        return self.status in Status.OPEN

    @property
    def time_exempt(self) -> bool:
        """An upheld appeal takes the case out of the time measures: never late, never reworked."""
        return self.appeal == Appeal.UPHELD

    def warning_light(self, now=None) -> str | None:
        """The case's overall light; None once finished or while suspended."""
        if not self.is_open:
            return None
        return light(self.warn_at, self.deadline, now or timezone.now())

    def stage_light(self, now=None) -> str | None:
        """The light of the stage the case is in now."""
        if not self.is_open or self.current_stage is None:
            return None
        return self.current_stage.light(now or timezone.now())


def light(warn_at, deadline, now) -> str | None:
    """green below the warning time (80 % of the limit), yellow up to the deadline, red past it."""
    if deadline is None:
        return None
    if now >= deadline:
        return "red"
    if warn_at and now >= warn_at:
        return "yellow"
    return "green"


class IncidentStage(models.Model):
    """One stage of one case, timed against its own limit: the record behind the stage
    measures (time to dispatch, to handle, to inspect; the timely dispatch rate).

    A case passes through a stage more than once when it is returned, reworked or reopened;
    each pass is a row. The deadline watch warns and escalates each row once.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.CHOICES)
    started_at = models.DateTimeField(_("started at"))
    # The limit as it was set when the stage began (a category's or the town's).
    limit = models.FloatField(_("limit"))
    unit = models.CharField(_("time unit"), max_length=20, choices=TimeUnit.choices)
    deadline = models.DateTimeField(_("deadline"))
    warn_at = models.DateTimeField(_("warning time"))
    # Handling only: when the watch issues the yellow and the red card by rule.
    yellow_card_at = models.DateTimeField(_("yellow card due at"), null=True, blank=True)
    red_card_at = models.DateTimeField(_("red card due at"), null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Time suspended, counted the way the limit is: not held against the stage.
    paused_seconds = models.FloatField(_("seconds suspended"), default=0)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=20, choices=Action.CHOICES, blank=True)
    # Ended by the action that completes the stage (workflow.COMPLETES), so it is measured.
    completed = models.BooleanField(_("completed"), default=False)
    # Time taken, counted the way the limit is (working time for working units), less pauses.
    elapsed_seconds = models.FloatField(_("seconds taken"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        indexes = [
            models.Index(fields=["ended_at", "deadline"]),
            models.Index(fields=["stage", "started_at"]),
            # The running stages by deadline, for the dashboard's count of stages past their limit.
            models.Index(fields=["deadline"], name="running_stage_deadline", condition=models.Q(ended_at__isnull=True), include=["incident", "stage"]),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} {town_time(self.started_at)}"

    def light(self, now) -> str | None:
        return light(self.warn_at, self.deadline, now)

    @property
    def on_time(self) -> bool | None:
        return None if self.ended_at is None else self.ended_at <= self.deadline


class StageLimit(models.Model):
    """The limit of accepting, dispatching or inspecting, in minutes: for the town (no category),
    or for one category that needs its own. Without a row, STAGE_LIMIT_MINUTES applies. Handling
    is timed by the category's own time limit."""

    class Timed(models.TextChoices):
        ACCEPT = Stage.ACCEPT, _("accepting")
        DISPATCH = Stage.DISPATCH, _("dispatching")
        INSPECT = Stage.INSPECT, _("inspecting")

    stage = models.CharField(_("stage"), max_length=10, choices=Timed.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="stage_limits")
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["category__code", "stage"]
        verbose_name = _("stage limit")
        verbose_name_plural = _("stage limits")
        constraints = [
            models.UniqueConstraint(fields=["stage", "category"], name="one_stage_limit_per_category"),
            models.UniqueConstraint(fields=["stage"], condition=models.Q(category__isnull=True), name="one_town_stage_limit"),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} {self.minutes} min"


class SupervisionCard(models.Model):
    """督办: issued by the deadline watch by rule (`rule` says which), or by hand with a note."""

    class Rule(models.TextChoices):
        OVERDUE = "overdue", _("overdue")
        FAR_OVERDUE = "far_overdue", _("overdue by more than half the limit")
        TWICE_LIMIT = "twice_limit", _("twice the limit taken")
        SECOND_REWORK = "second_rework", _("failed inspection twice")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="cards")
    level = models.CharField(_("card"), max_length=10, choices=Card.CHOICES)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = CleanTextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("supervision card")
        verbose_name_plural = _("supervision cards")
        constraints = [
            # The watch issues each colour once per case, however often it runs.
            models.UniqueConstraint(fields=["incident", "level"], condition=~models.Q(rule=""), name="one_card_by_rule_per_level"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {town_time(self.created_at)}"


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
        INSPECTION = "inspection", _("at inspection")

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

    def __str__(self):
        return f"{self.get_stage_display()} {town_time(self.created_at)}"


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
        return f"{self.get_action_display()} {town_time(self.created_at)}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.get("update_fields") == ["processed_at"]:
            raise ValueError("incident events are immutable")
        super().save(*args, **kwargs)


class RollupDay(models.Model):
    """A past day (town time) whose cases are summed in DailyCount, or about to be.

    A day with no row, or a row marked changed, is read from the cases themselves; so is
    today. Every event on a case of a past day marks its day changed in the same transaction,
    so the measures are exact whether or not the worker has caught up.
    """

    day = models.DateField(_("day"), primary_key=True)
    # Bumped by each change to one of the day's cases; a refresh clears it only if no change
    # came while it ran (incidents.rollups.rollup_refresh_day).
    changes = models.PositiveIntegerField(_("changes since summed"), default=0)
    summed_at = models.DateTimeField(_("summed at"), null=True, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("summed day")
        verbose_name_plural = _("summed days")

    def __str__(self):
        return str(self.day)


class DailyCount(models.Model):
    """The counters of incidents.stats for the cases reported on one day, by status, in each
    breakdown the dashboard filters or groups by: the whole town, by grid, category,
    department or source, and by all of them at once ("cell") for filters that combine them. A
    dimension a breakdown does not split by is empty. What the clock changes with no event
    (an open case passing its deadline) is not stored: it is counted from the open cases."""

    class Breakdown(models.TextChoices):
        TOWN = "town", _("town")
        GRID = "grid", _("grid")
        CATEGORY = "category", _("category")
        DEPARTMENT = "department", _("department")
        SOURCE = "source", _("source")
        CELL = "cell", _("every dimension")

    day = models.DateField(_("day"))
    breakdown = models.CharField(_("breakdown"), max_length=10, choices=Breakdown.choices)
    grid = models.ForeignKey("grids.Grid", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.CHOICES)
    # One column per counter of incidents.stats.STORED_COUNTERS.
    reported = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    accurately_dispatched = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    appeals = models.PositiveIntegerField(default=0)
    appeals_upheld = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    close_seconds = models.FloatField(default=0)
    closure_normal = models.PositiveIntegerField(default=0)
    closure_overdue = models.PositiveIntegerField(default=0)
    closure_erroneous = models.PositiveIntegerField(default=0)
    closure_special = models.PositiveIntegerField(default=0)
    card_ordinary = models.PositiveIntegerField(default=0)
    card_yellow = models.PositiveIntegerField(default=0)
    card_red = models.PositiveIntegerField(default=0)
    accept_done = models.PositiveIntegerField(default=0)
    accept_on_time = models.PositiveIntegerField(default=0)
    accept_seconds = models.FloatField(default=0)
    dispatch_done = models.PositiveIntegerField(default=0)
    dispatch_on_time = models.PositiveIntegerField(default=0)
    dispatch_seconds = models.FloatField(default=0)
    handle_done = models.PositiveIntegerField(default=0)
    handle_on_time = models.PositiveIntegerField(default=0)
    handle_seconds = models.FloatField(default=0)
    inspect_done = models.PositiveIntegerField(default=0)
    inspect_on_time = models.PositiveIntegerField(default=0)
    inspect_seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["day", "breakdown"]
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        indexes = [
            models.Index(fields=["breakdown", "day"]),
            models.Index(fields=["grid", "day"]),
            models.Index(fields=["category", "day"]),
            models.Index(fields=["department", "day"]),
        ]

    def __str__(self):
        return f"{self.day} {self.breakdown}"
