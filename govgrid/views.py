"""The site's own pages: the home page that sends each role where it works, and the icon."""

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse

from accounts.models import Role

# Where each role works, and the part of it they start their day in: the command centre at its
# desks, grid workers and department members on their phones.
FRONTS = {
    Role.DISPATCHER: ("console:cases", "?queue=new"),
    Role.INSPECTOR: ("console:cases", "?queue=inspection"),
    Role.OFFICIAL: ("dashboard:index", ""),
    Role.DEPARTMENT: ("mobile:home", ""),
    Role.WORKER: ("mobile:home", ""),
}


def home(request):
    user = request.user
    if user.is_authenticated and not user.is_platform_admin and user.role in FRONTS:
        page, query = FRONTS[user.role]
        return redirect(reverse(page) + query)
    return render(request, "home.html")


def favicon(request):
    return redirect(static("favicon.ico"), permanent=True)
