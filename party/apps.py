from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    """The party organisation on the grids (党建引领): branches, groups, members and their posts,
    in-service members' check-ins, and the meetings of one committee and three councils."""

    name = "party"
    verbose_name = _("Party building")
