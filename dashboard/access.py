"""The one access check of every dashboard page, and what each asker may see."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import Role
from console.views import CONSOLE_ROLES
from grids.models import Town
from incidents.stats import Filters

from .filters import DashboardFilterForm

# Everyone with a part in the loop sees figures: the town for the command centre, inspectors
# and officials; a grid worker their own grids'; a department member their department's.
DASHBOARD_ROLES = (Role.DISPATCHER, Role.INSPECTOR, Role.OFFICIAL, Role.WORKER, Role.DEPARTMENT)


def dashboard_view(view):
    @wraps(view)
    @login_required
    def checked(request, *args, **kwargs):
        if not request.user.has_role(*DASHBOARD_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


def read_filters(request, now=None) -> tuple[DashboardFilterForm, Filters | None]:
    """The filters in the query string, and the cases they name within what the asker may see
    (None when the form has errors, which the page shows)."""
    form = DashboardFilterForm(request.GET, now=now or timezone.now(), user=request.user)
    if not form.is_valid():
        return form, None
    return form, form.to_filters()


def filter_query(request) -> str:
    """The filters of the query string alone (no page, no measure): what every link carries on."""
    return urlencode([(name, request.GET[name]) for name in DashboardFilterForm.base_fields if request.GET.get(name)])


def page_frame(request, form, section: str, now) -> dict:
    return {
        "section": section,
        "filters": form,
        "query": filter_query(request),
        "may_open_console": request.user.has_role(*CONSOLE_ROLES),
        "now": now,
        "town": Town.objects.first(),
        "described": form.described() if form.is_valid() else [],
        "scope": form.scope_words(),
    }

