from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .clocks import forget_stage_limits
        from .models import CalendarDay, StageLimit
        from .timelimits import forget_calendar

        # The clocks keep these two tables in memory (timelimits, clocks): a change is seen at once here.
        for signal in (post_save, post_delete):
            signal.connect(forget_calendar, sender=CalendarDay)
            signal.connect(forget_stage_limits, sender=StageLimit)
