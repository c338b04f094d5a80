"""The party organisation on the grids (党建引领).

A branch is set up in a grid (支部建在网格上); resident groups sit in compounds; members take
service posts. In-service members (在职党员), employed by a government body or an enterprise,
check in at a grid at least PARTY_CHECKINS_PER_YEAR times a calendar year, each check-in
confirmed by the grid's worker. The old town's "one committee, three councils" (一委三会) meet
and record decisions; a follow-up that is a problem in a grid opens a case in the loop.

Every change of a check-in, a meeting or a follow-up writes a PartyEvent (party/services.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import phone_validator
from govgrid.text import CleanCharField, CleanTextField


class Employer(models.Model):
    """A government body or an enterprise employing in-service members; its contact receives
    the monthly summary of its members behind the rule."""

    name = CleanCharField(_("name"), max_length=100, unique=True)
    contact_person = CleanCharField(_("contact person"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("The monthly summary of members behind is sent here."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self):
        return self.name


class PartyBranch(models.Model):
    """A grid party branch (网格党支部): one per grid."""

    grid = models.OneToOneField("grids.Grid", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="party_branch")
    name = CleanCharField(_("name"), max_length=100)
    secretary = models.ForeignKey(
        "PartyMember", verbose_name=_("secretary"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_up_on = models.DateField(_("set up on"))

    class Meta:
        ordering = ["grid__code"]
        verbose_name = _("grid party branch")
        verbose_name_plural = _("grid party branches")

    def __str__(self):
        return self.name


class PartyGroup(models.Model):
    """A resident party group (居民党小组) of a branch, in a compound."""

    branch = models.ForeignKey(PartyBranch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="groups")
    compound = models.ForeignKey("grids.Compound", verbose_name=_("compound"), on_delete=models.PROTECT, related_name="party_groups")
    name = CleanCharField(_("name"), max_length=100)
    leader = models.ForeignKey("PartyMember", verbose_name=_("leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["branch", "name"]
        verbose_name = _("resident party group")
        verbose_name_plural = _("resident party groups")

    def __str__(self):
        return self.name


class MemberKind(models.TextChoices):
    RESIDENT = "resident", _("resident member")
    IN_SERVICE = "in_service", _("in-service member")


class PartyMember(models.Model):
    """A party member: a resident of the town, or in service at an employer (then the grid is
    where they check in)."""

    name = CleanCharField(_("full name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=MemberKind.choices, default=MemberKind.RESIDENT)
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), null=True, blank=True, on_delete=models.PROTECT, related_name="members",
        help_text=_("Required for an in-service member."),
    )
    branch = models.ForeignKey(PartyBranch, verbose_name=_("branch"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    group = models.ForeignKey(PartyGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="party_members",
        help_text=_("Where the member lives, or for an in-service member where they check in."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="party_member"
    )
    joined_on = models.DateField(_("joined the party on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=MemberKind.IN_SERVICE) | models.Q(employer__isnull=False),
                name="in_service_member_has_employer",
                violation_error_message=_("An in-service member needs an employer."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "active"], name="party_member_kind_active")]

    def __str__(self):
        return self.name

    @property
    def in_service(self) -> bool:
        return self.kind == MemberKind.IN_SERVICE

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == MemberKind.IN_SERVICE and self.employer_id is None:
            raise ValidationError({"employer": _("An in-service member needs an employer.")})
        if self.group_id and self.branch_id and self.group.branch_id != self.branch_id:
            raise ValidationError({"group": _("This group belongs to another branch.")})


class ServicePost(models.Model):
    """A member's service post: a compound's check-in point (小区党员报到点) or a building
    captain (党员楼栋长) looking after some of a compound's buildings."""

    class Kind(models.TextChoices):
        CHECKIN_POINT = "checkin_point", _("party check-in post")
        BUILDING_CAPTAIN = "building_captain", _("building captain")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    member = models.ForeignKey(PartyMember, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="posts")
    compound = models.ForeignKey("grids.Compound", verbose_name=_("compound"), on_delete=models.PROTECT, related_name="party_posts")
    buildings = CleanCharField(_("buildings"), max_length=200, blank=True, help_text=_("For a building captain: the buildings looked after, e.g. 3、4、5栋."))
    since = models.DateField(_("since"))

    class Meta:
        ordering = ["compound__name", "kind", "id"]
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")

    def __str__(self):
        return f"{self.get_kind_display()} {self.compound} {self.member}"


class MemberCheckIn(models.Model):
    """An in-service member's check-in at a grid (在职党员到网格报到): what they did there and for
    how long, recorded and then confirmed (or refused) by the grid's worker.

    The UUID is made where it is recorded (the phone's form): a retry is the same check-in."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        REFUSED = "refused", _("refused")

    uuid = models.UUIDField(_("UUID"), unique=True, help_text=_("The same check-in sent twice is one check-in."))
    member = models.ForeignKey(PartyMember, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="checkins")
    grid = models.ForeignKey("grids.Grid", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="party_checkins")
    date = models.DateField(_("date"))
    activity = CleanTextField(_("what they did"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECORDED)
    refusal_reason = CleanCharField(_("reason for refusal"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed or refused by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("confirmed or refused at"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("in-service party member check-in")
        verbose_name_plural = _("in-service party member check-ins")
        indexes = [
            models.Index(fields=["status", "date"], name="party_checkin_status_date"),
            models.Index(fields=["member", "date"], name="party_checkin_member_date"),
        ]

    def __str__(self):
        return f"{self.member} {self.date}"


class Meeting(models.Model):
    """A meeting of one committee, three councils (一委三会)."""

    class Body(models.TextChoices):
        PARTY_COMMITTEE = "party", _("party organisation")
        DELIBERATION = "deliberation", _("deliberation council")
        AFFAIRS = "affairs", _("affairs council")
        SUPERVISION = "supervision", _("supervision council")

    date = models.DateField(_("date"))
    body = models.CharField(_("body"), max_length=15, choices=Body.choices)
    community = models.ForeignKey("grids.Community", verbose_name=_("community"), on_delete=models.PROTECT, related_name="party_meetings")
    grid = models.ForeignKey("grids.Grid", verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT, related_name="party_meetings")
    title = CleanCharField(_("title"), max_length=200)
    attendees = models.ManyToManyField(PartyMember, verbose_name=_("members attending"), blank=True, related_name="meetings")
    other_attendees = CleanTextField(_("others attending"), blank=True, help_text=_("Residents, council members and guests who are not party members."))
    topics = CleanTextField(_("topics"))
    decisions = CleanTextField(_("decisions"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return f"{self.date} {self.title}"


class MeetingFollowUp(models.Model):
    """What a meeting decided someone should do, by when; a problem in a grid may open a case,
    which it keeps."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="follow_ups")
    what = CleanTextField(_("what"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_name = CleanCharField(_("owner (name)"), max_length=100, blank=True, help_text=_("When the owner has no account."))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    grid = models.ForeignKey("grids.Grid", verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    incident = models.OneToOneField(
        "incidents.Incident", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_follow_up"
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return self.what[:60]

    @property
    def owner_shown(self) -> str:
        return self.owner.display_name if self.owner_id else self.owner_name


class PartyEvent(models.Model):
    """Each change of a check-in, a meeting or a follow-up, who made it and when."""

    class Action(models.TextChoices):
        CHECKIN_RECORDED = "checkin_recorded", _("check-in recorded")
        CHECKIN_CONFIRMED = "checkin_confirmed", _("check-in confirmed")
        CHECKIN_REFUSED = "checkin_refused", _("check-in refused")
        MEETING_RECORDED = "meeting_recorded", _("meeting recorded")
        FOLLOW_UP_ADDED = "follow_up_added", _("follow-up added")
        FOLLOW_UP_DONE = "follow_up_done", _("follow-up done")
        CASE_OPENED = "case_opened", _("case opened")

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    checkin = models.ForeignKey(MemberCheckIn, verbose_name=_("check-in"), null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    follow_up = models.ForeignKey(
        MeetingFollowUp, verbose_name=_("follow-up"), null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("party event")
        verbose_name_plural = _("party events")

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class PartyReminder(models.Model):
    """A month's reminders to the members behind and their employers, claimed once: a second
    run of the beat task, or two at once, finds the month taken and sends nothing."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    sent_on = models.DateField(_("sent on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    members = models.JSONField(_("members reminded"), default=list, blank=True)
    employers = models.JSONField(_("employers sent a summary"), default=list, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("check-in reminder")
        verbose_name_plural = _("check-in reminders")

    def __str__(self):
        return f"{self.month:%Y-%m}"
