from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The command centre's pages (指挥中心): a front over the domain apps, with no models."""

    name = "console"
    verbose_name = _("command centre console")
