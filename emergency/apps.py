from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    """Emergency duty (应急值守): campaigns, their checkpoints and the round-the-clock shift rosters."""

    name = "emergency"
    verbose_name = _("Emergency duty")
