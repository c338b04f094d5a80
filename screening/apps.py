from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    """The screening register (摸排) of people arriving in each grid, with their follow-ups."""

    name = "screening"
    verbose_name = _("Screening register")
