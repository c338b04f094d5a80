from importlib import import_module

from django.contrib.admin.apps import SimpleAdminConfig


class AdminConfig(SimpleAdminConfig):
    """The admin, loading our admin modules by name instead of autodiscovering every app's:
    django-leaflet's own admin module needs GDAL, which govgrid does without."""

    admin_modules = [
        "django.contrib.auth.admin",
        "rest_framework.authtoken.admin",
        "accounts.admin",
        "grids.admin",
        "incidents.admin",
        "patrols.admin",
        "party.admin",
        "volunteers.admin",
        "emergency.admin",
        "screening.admin",
    ]

    def ready(self):
        super().ready()
        for module in self.admin_modules:
            import_module(module)
