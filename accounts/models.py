from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    name = models.CharField(_("name"), max_length=100, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class User(AbstractUser):
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
    """An in-app message; e-mailed as well when the recipient has an address."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # The event that caused it: one notification per recipient per event, however often
    # the event is processed.
    event = models.ForeignKey("incidents.IncidentEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="one_notification_per_recipient_and_event"),
        ]

    def __str__(self):
        return self.subject
