from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)dd %(hours)dh") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)dh %(minutes)dm") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)dm") % {"minutes": minutes}


@register.simple_tag
def time_left(incident, now) -> str:
    """"3h 20m left" or "late by 2d 4h", wall-clock time to the case's deadline; empty once the
    case is finished or its clock stands still."""
    if not incident.is_open or incident.deadline is None:
        return ""
    seconds = (incident.deadline - now).total_seconds()
    if seconds >= 0:
        return _("%(span)s left") % {"span": _span(seconds)}
    return _("late by %(span)s") % {"span": _span(-seconds)}


@register.simple_tag
def case_light(incident, now) -> str:
    return incident.warning_light(now) or ""


@register.simple_tag
def stage_light(stage, now) -> str:
    return stage.light(now) or "" if stage.ended_at is None else ""
