from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Volunteer service (志愿服务): teams, volunteers, their activities and the outreach coverage."""

    name = "volunteers"
    verbose_name = _("Volunteers")
