"""Tags every front shows a case with: the clock it runs against, and a time said briefly."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.spatial import metres_between
from incidents.workflow import may_report

register = template.Library()


def span(seconds: float) -> str:
    """A length of time as the pages say it: days and hours, hours and minutes, or minutes."""
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)dd %(hours)dh") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)dh %(minutes)dm") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)dm") % {"minutes": minutes}


@register.simple_tag
def clock(incident, now) -> dict:
    """The clock a case runs against now: its stage's (the light the standard means), or, with
    no stage timed (inspected, waiting to be closed), the case's own. Empty once finished or
    while suspended. `late` says whether the case as a whole is past its deadline."""
    if not incident.is_open:
        return {}
    timed = incident.current_stage or incident
    if timed.deadline is None:
        return {}
    seconds = (timed.deadline - now).total_seconds()
    return {
        "deadline": timed.deadline,
        "light": incident.stage_light(now) if incident.current_stage else incident.warning_light(now),
        "stage": incident.current_stage.get_stage_display() if incident.current_stage else "",
        "left": _("%(span)s left") % {"span": span(seconds)} if seconds >= 0 else _("late by %(span)s") % {"span": span(-seconds)},
        "case_late": incident.deadline is not None and incident.deadline <= now and not incident.time_exempt,
    }


@register.filter
def moment(value) -> str:
    """A time as short as it can be read: no year within this year."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return local.strftime("%m-%d %H:%M" if local.year == timezone.localtime().year else "%Y-%m-%d %H:%M")


@register.simple_tag
def photo_taken(photo) -> str:
    """When and where a photo was taken, as its EXIF said before it was stripped: the time, and
    how far from the case's position (a photo taken elsewhere stands out)."""
    parts = []
    if photo.taken_at:
        parts.append(_("taken %(time)s") % {"time": moment(photo.taken_at)})
    if photo.latitude is not None and photo.longitude is not None:
        metres = metres_between((photo.latitude, photo.longitude), (photo.incident.latitude, photo.incident.longitude))
        parts.append(_("%(metres)s m from the case's position") % {"metres": round(metres)})
    return " · ".join(parts)


@register.filter(name="may_report")
def may_report_filter(user) -> bool:
    """Whether the transition table lets this user report a problem."""
    return user.is_authenticated and may_report(user)
