from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
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
        "left": _("%(span)s left") % {"span": _span(seconds)} if seconds >= 0 else _("late by %(span)s") % {"span": _span(-seconds)},
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
def select_options(bound_field) -> str:
    """A select's options, written here rather than through Django's widget templates (one
    template per option): the filters offer several hundred, on every page of the list."""
    chosen = str(bound_field.value() or "")

    def option(value, label) -> str:
        value = str(value)
        return format_html('<option value="{}"{}>{}</option>', value, mark_safe(" selected") if value == chosen else "", label)

    parts = []
    for value, label in bound_field.field.choices:
        if isinstance(label, (list, tuple)):
            inner = format_html_join("", "{}", ((option(v, l),) for v, l in label))
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', value, inner))
        else:
            parts.append(option(value, label))
    return mark_safe("".join(parts))
