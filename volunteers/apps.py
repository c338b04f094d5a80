from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Party branches, volunteer teams and duty rosters; their models arrive with their issues."""

    name = "volunteers"
    verbose_name = _("Party and volunteers")
