from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    """Grid workers' daily patrols (巡查): the GPS track, check-ins at compounds, coverage."""

    name = "patrols"
    verbose_name = _("Patrols")
