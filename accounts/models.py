from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from govgrid.text import CleanCharField, CleanTextField

phone_validator = RegexValidator(r"^\+?[0-9\-]{7,20}$", _("Enter a valid phone number."))


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DISPATCHER = "dispatcher", _("Command centre dispatcher")
    INSPECTOR = "inspector", _("Inspector")
    OFFICIAL = "official", _("Official")
    WORKER = "worker", _("Grid worker")
    DEPARTMENT = "department", _("Department member")


class Department(models.Model):
    """A handling unit: urban management, housing, the gas company, the police station..."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = CleanCharField(_("name"), max_length=100, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class User(AbstractUser):
    first_name = CleanCharField(_("first name"), max_length=150, blank=True)
    last_name = CleanCharField(_("last name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.WORKER)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    is_department_head = models.BooleanField(
        _("head of department"), default=False, help_text=_("Told of the supervision cards issued on the department's cases.")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_platform_admin or self.role in roles

    def save(self, *args, **kwargs):
        if self.is_superuser and self.role != Role.ADMIN:
            self.role = Role.ADMIN
        super().save(*args, **kwargs)


class Notification(models.Model):
    """An in-app message; e-mailed as well when the recipient had an address when it was made.

    `email_to` is that address, empty for a message not to be mailed: giving a user an address
    later mails what arrives from then on, not their whole history. A mail is tried at most
    EMAIL_MAX_ATTEMPTS times; then `email_failed_at` and `email_error` record that it was given up.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # The event that caused it: one notification per recipient per event, however often
    # the event is processed.
    event = models.ForeignKey("incidents.IncidentEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    subject = CleanCharField(_("subject"), max_length=200)
    body = CleanTextField(_("body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_to = models.EmailField(_("e-mail to"), blank=True)
    # Set while one process sends the mail; a claim older than EMAIL_CLAIM_SECONDS was a sender
    # that died half-way, and the sweep tries again.
    email_claimed_at = models.DateTimeField(_("e-mail being sent since"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_failed_at = models.DateTimeField(_("e-mail given up at"), null=True, blank=True)
    email_error = CleanCharField(_("last e-mail error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="one_notification_per_recipient_and_event"),
        ]
        indexes = [
            # What the mail sweep looks for.
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_to__gt="", emailed_at__isnull=True, email_failed_at__isnull=True),
                name="notification_mail_pending",
            ),
        ]

    def __str__(self):
        return self.subject


class PersonalDataView(models.Model):
    """One sight of someone's personal data in full (an unmasked phone or ID number): who saw
    which record, when, and where. Written by the page or API view that showed it, through
    `accounts.services.personal_data_views_record`; listed for administrators in the admin."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("viewer"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    record_type = models.CharField(_("kind of record"), max_length=60, help_text=_("app_label.model of the record seen."))
    record_id = models.PositiveBigIntegerField(_("record id"))
    record = CleanCharField(_("record"), max_length=200, help_text=_("The record as it was named when seen."))
    fields = models.JSONField(_("fields seen"), default=list)
    where = CleanCharField(_("where"), max_length=200, help_text=_("The page or API address that showed it."))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("view of personal data")
        verbose_name_plural = _("views of personal data")
        indexes = [
            models.Index(fields=["record_type", "record_id", "at"], name="personal_view_record"),
            models.Index(fields=["viewer", "at"], name="personal_view_viewer"),
        ]

    def __str__(self):
        return f"{self.viewer} · {self.record}"
