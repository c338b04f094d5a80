"""The rankings page, the printable monthly report and the wall screen: each reads the figures
of incidents.stats for the filters in its query string, narrowed to what the asker may see."""

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from grids.models import Community, Grid, Town
from incidents import stats
from incidents.selectors import incidents_visible_to, late_by

from .access import dashboard_view, page_frame, read_filters
from .figures import BY_KEY, figure_cards, shown
from .filters import DashboardFilterForm
from .rankings import GRADES, LEVELS, headers, level_of, ranking, sorted_rows
from .views import chart_labels

# The monthly report lists the best and the worst of a long table; all of a short one.
REPORT_TOP, REPORT_BOTTOM = 10, 5
# The wall lists this many of the worst units and of the newest overdue cases.
WALL_WORST, WALL_OVERDUE = 5, 8


@dashboard_view
def rankings(request):
    now = timezone.now()
    form, filters = read_filters(request, now)
    level = level_of(request.GET.get("level"))
    table, rows, sort = None, [], "rank"
    if filters is not None:
        table = ranking(filters, level, user=request.user, now=now)
        rows, sort = sorted_rows(table, request.GET.get("sort"))
    return render(request, "dashboard/rankings.html", {
        **page_frame(request, form, "rankings", now),
        "levels": LEVELS.items(),
        "level": level,
        "table": table,
        "rows": rows,
        "headers": headers(table, sort) if table else [],
        "sort": sort,
        "grades": GRADES,
        "extra_query": [("level", level)],
    })


# The monthly report


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthForm(forms.Form):
    """The month of the report: the last full month unless another is given."""

    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, data, *, today: date):
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        data = data.copy()
        if not data.get("month"):
            data["month"] = last_month.strftime("%Y-%m")
        super().__init__(data)
        self.today = today

    def clean_month(self) -> date:
        """The first day of the month."""
        value = self.cleaned_data["month"].strip()
        found = MONTH.match(value)
        if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
            raise forms.ValidationError(_("Give a month as YYYY-MM, for example 2026-10."))
        first = date(int(found[1]), int(found[2]), 1)
        if first > self.today:
            raise forms.ValidationError(_("This month has not begun yet."))
        return first


def month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@dashboard_view
def monthly(request):
    now = timezone.now()
    month_form = MonthForm(request.GET, today=timezone.localdate(now))
    first = month_form.cleaned_data["month"] if month_form.is_valid() else None
    days = (first, month_end(first)) if first else (timezone.localdate(now),) * 2
    where = {name: request.GET.get(name, "") for name in ("community", "department")}
    form = DashboardFilterForm({"period": "custom", "start": days[0], "end": days[1], **where}, now=now, user=request.user)
    context = {**page_frame(request, form, "report", now), "month_form": month_form}
    if first is not None and form.is_valid():
        context.update(_month_report(form.to_filters(), user=request.user, now=now))
    return render(request, "dashboard/report.html", context)


def _month_report(filters: stats.Filters, *, user, now: datetime) -> dict:
    """The month's figures beside the calendar month before, its charts and its rankings."""
    first = filters.first_day
    before_first = (first - timedelta(days=1)).replace(day=1)
    before = replace(filters, first_day=before_first, last_day=month_end(before_first))
    by_day = stats.summary_by(filters, "day", now=now)
    by_community = stats.summary_by(filters, "community", now=now)
    communities = [
        (community.name, by_community[community.pk]["completion_rate"])
        for community in Community.objects.filter(pk__in=[pk for pk in by_community if pk]).order_by("code")
    ]
    days = [first + timedelta(days=n) for n in range((filters.last_day - first).days + 1)]
    return {
        "month": first,
        "previous_month": before_first,
        "cards": figure_cards(stats.summary(filters, now=now), stats.summary(before, now=now), ""),
        "charts": {
            "days": [day.day for day in days],
            "cases": sum(m["reported"] for m in by_day.values()),
            "reported": [by_day.get(day, {}).get("reported", 0) for day in days],
            "closed": [by_day.get(day, {}).get("closed", 0) for day in days],
            "communities": [name for name, _rate in communities],
            "completion": [rate for _name, rate in communities],
            "labels": chart_labels(),
        },
        "tables": [_top_and_bottom(ranking(filters, level, user=user, now=now)) for level in ("community", "department", "worker")],
        "grades": GRADES,
    }


def _top_and_bottom(table) -> dict:
    """The best REPORT_TOP and the worst REPORT_BOTTOM ranked rows, all when they are few; the
    unranked counted, not listed."""
    ranked = table.ranked
    cut = len(ranked) > REPORT_TOP + REPORT_BOTTOM
    return {
        "table": table,
        "headers": headers(table),
        "top": ranked[:REPORT_TOP] if cut else ranked,
        "bottom": ranked[-REPORT_BOTTOM:] if cut else [],
        "unranked": len(table.rows) - len(ranked),
    }


# The wall screen

# The big rates, and the counts shown for today and for the period.
WALL_RATES = ("completion_rate", "on_time_rate", "rework_rate")
WALL_COUNTS = ("due", "closed", "open", "overdue_open")


@dashboard_view
def wall(request):
    return render(request, "dashboard/wall.html", {**_wall_figures(request), "town": Town.objects.first(), "time_zone": settings.TIME_ZONE})


@dashboard_view
def wall_data(request):
    """Polled every minute by the wall: the same figures, and a session that lasts while the
    wall runs (each poll starts its SESSION_COOKIE_AGE again)."""
    request.session.set_expiry(settings.SESSION_COOKIE_AGE)
    return render(request, "dashboard/_wall_figures.html", _wall_figures(request))


def _wall_figures(request) -> dict:
    now = timezone.now()
    form, filters = read_filters(request, now)
    context = {"filters": form, "now": timezone.localtime(now), "query": request.GET.urlencode()}
    if filters is None:
        return context
    today = timezone.localdate(now)
    period = stats.summary(filters, now=now)
    today_figures = stats.summary(replace(filters, first_day=today, last_day=today), now=now)
    overdue = stats.filter_cases(incidents_visible_to(request.user), filters).filter(late_by(now))
    context.update({
        "described": form.described(),
        # A rate where higher is better takes the colour of its grade (A ≥ 90 ...).
        "rates": [
            (BY_KEY[key], shown(period[key], "%"), stats.grade(period[key]) if BY_KEY[key].higher_is_better else "") for key in WALL_RATES
        ],
        # (figure, today, period, whether it is bad news: an overdue case)
        "counts": [
            (BY_KEY[key], shown(today_figures[key], ""), shown(period[key], ""), key == "overdue_open" and bool(period[key]))
            for key in WALL_COUNTS
        ],
        "worst": _worst(filters, now),
        "overdue": [
            (case, timesince(case.deadline, now, depth=1)) for case in overdue.order_by("-deadline")[:WALL_OVERDUE]
        ],
    })
    return context


def _worst(filters: stats.Filters, now: datetime) -> dict:
    """The units with the lowest completion rate: grids when the filters name some (a community,
    a grid, a grid worker's own), else communities."""
    group, model = ("grid", Grid) if filters.grids is not None else ("community", Community)
    rated = [(pk, m) for pk, m in stats.summary_by(filters, group, now=now).items() if pk and m["completion_rate"] is not None]
    rated = sorted(rated, key=lambda item: (item[1]["completion_rate"], -item[1]["due"]))[:WALL_WORST]
    names = dict(model.objects.filter(pk__in=[pk for pk, _m in rated]).values_list("pk", "name"))
    return {
        "label": LEVELS[group],
        "rows": [
            {"name": names.get(pk, "—"), "rate": shown(m["completion_rate"], "%"), "grade": stats.grade(m["completion_rate"]), "due": shown(m["due"], "")}
            for pk, m in rated
        ],
    }
