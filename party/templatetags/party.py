"""The case page's link back to the meeting whose follow-up opened the case."""

from django import template

from party.selectors import case_origin as follow_up_of_case

register = template.Library()


@register.simple_tag(takes_context=True)
def case_origin(context, incident):
    """The follow-up (with its meeting) that opened the case, if the page's user may see it."""
    return follow_up_of_case(user=context["request"].user, incident=incident)
