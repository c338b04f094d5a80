"""The admin loads our admin modules by name (govgrid.apps.AdminConfig): an app whose module is
left off that list has no admin at all, silently. Every app with an admin module is registered,
and each of its lists and add forms opens for an administrator."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from tests.conftest import make_user

OUR_APPS = [config for config in apps.get_app_configs() if Path(config.path).parent == Path(settings.BASE_DIR)]


@pytest.mark.parametrize("config", [c for c in OUR_APPS if (Path(c.path) / "admin.py").exists()], ids=lambda c: c.label)
def test_every_admin_module_is_loaded(config):
    registered = {model._meta.app_label for model in admin.site._registry}
    assert config.label in registered


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m._meta.app_label in {c.label for c in OUR_APPS}], ids=lambda m: m._meta.label
)
def test_each_list_and_add_form_opens_for_an_administrator(client, rf, model):
    root = make_user("root", "admin", is_staff=True, is_superuser=True)
    client.force_login(root)
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    request = rf.get("/")
    request.user = root
    if admin.site._registry[model].has_add_permission(request):
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
