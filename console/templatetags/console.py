from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from incidents.templatetags.cases import clock, moment

register = template.Library()
# The case tags, under the names the console's templates load them by.
register.simple_tag(clock)
register.filter(moment)


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
