"""The site's own pages: the home page that sends each role where it works, and the icon."""

from django.shortcuts import redirect, render
from django.templatetags.static import static

from accounts.models import Role

# Where each role works; roles whose pages are yet to come stay on the home page.
FRONTS = {
    Role.DISPATCHER: "console:cases",
    Role.INSPECTOR: "console:cases",
    Role.OFFICIAL: "console:cases",
    Role.DEPARTMENT: "console:cases",
}


def home(request):
    user = request.user
    if user.is_authenticated and not user.is_platform_admin and user.role in FRONTS:
        return redirect(FRONTS[user.role])
    return render(request, "home.html")


def favicon(request):
    return redirect(static("favicon.ico"), permanent=True)
