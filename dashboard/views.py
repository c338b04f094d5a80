"""The officials' dashboard (领导驾驶舱). Every view starts with `dashboard_view`; every figure
comes from incidents.stats, over the Filters that `read_filters` has narrowed to the asker."""

from collections import defaultdict
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_lazy

from grids.geojson import grid_feature
from grids.widgets import map_settings_json
from incidents import stats
from incidents.models import Source
from incidents.selectors import incidents_visible_to
from incidents.workflow import Status

from .access import dashboard_view, page_frame, read_filters
from .figures import BY_KEY, FIGURES, MEASURE_TITLES, figure_cards
from .filters import DashboardFilterForm

PAGE_SIZE = 50
# The console's status for a drill-down that lists the cases of one status.
CONSOLE_STATUS = {"closed": Status.CLOSED, "suspended": Status.SUSPENDED, "rejected": Status.REJECTED, "merged": Status.MERGED}
SOURCES = dict(Source.choices)
GRAINS = (("day", gettext_lazy("by day")), ("week", gettext_lazy("by week")), ("month", gettext_lazy("by month")))
# The measures the map can shade the grids by.
SHADES = (
    ("completion_rate", BY_KEY["completion_rate"].label),
    ("overdue_open", BY_KEY["overdue_open"].label),
    ("per_thousand", gettext_lazy("Cases per 1,000 residents")),
)


# The figures


# The charts and the map, from the same counters


def _added(into: dict, counters: dict) -> None:
    for name, value in counters.items():
        into[name] = into.get(name, 0) + value


def trend(filters: stats.Filters, by_day: dict[date, dict]) -> dict:
    """Reported, closed, overdue-open and the completion rate by day, week (from Monday) and
    month, folded from the daily counters; a bucket is named by its first day in the period."""
    days = [filters.first_day + timedelta(days=i) for i in range((filters.last_day - filters.first_day).days + 1)]
    starts = {"day": lambda day: day, "week": lambda day: day - timedelta(days=day.weekday()), "month": lambda day: day.replace(day=1)}
    folded = {}
    for grain, start_of in starts.items():
        buckets: dict[date, dict] = {}
        for day in days:
            _added(buckets.setdefault(max(start_of(day), filters.first_day), {}), by_day.get(day, {}))
        figures = [(start, stats.measures(counters)) for start, counters in buckets.items()]
        folded[grain] = {
            "labels": [start.strftime("%Y-%m" if grain == "month" else "%Y-%m-%d") for start, _figures in figures],
            **{name: [m[name] for _start, m in figures] for name in ("reported", "closed", "overdue_open", "due", "completion_rate")},
        }
    return folded


def _bars(by_key: dict, named: dict) -> list[dict]:
    """A breakdown, most reported first: [{filter (the value to filter by, "" for none), name, figures}]."""
    rows = [
        {"filter": named[key][0] if key in named else "", "name": named[key][1] if key in named else _("outside every grid"),
         "reported": m["reported"], "closed": m["closed"], "overdue_open": m["overdue_open"], "completion_rate": m["completion_rate"]}
        for key, m in by_key.items()
    ]
    return sorted(rows, key=lambda row: -row["reported"])


def overview(form: DashboardFilterForm, filters: stats.Filters, *, now) -> dict:
    """Everything the overview's charts and map draw (the page embeds it; `data` sends it)."""
    by_day = {key[0]: counters for key, counters in stats.count(filters, now=now, by=("day",)).items()}
    by_grid = {key[0]: counters for key, counters in stats.count(filters, now=now, by=("grid",)).items()}
    grids = [grid for grid in form.grids if filters.grids is None or grid.pk in filters.grids]
    community_of = {grid.pk: grid.community_id for grid in form.grids}
    by_community: dict = defaultdict(dict)
    for grid, counters in by_grid.items():
        _added(by_community[community_of.get(grid)], counters)
    majors = {c.pk: (c.code, f"{c.code} {c.name}") for c in form.categories if c.parent_id is None}
    features = []
    for grid in grids:
        m = stats.measures(by_grid.get(grid.pk, {}))
        per_thousand = round(1000 * m["reported"] / grid.population, 1) if grid.population else None
        features.append(grid_feature(
            grid, community=grid.code[:12], population=grid.population, reported=m["reported"],
            completion_rate=m["completion_rate"], overdue_open=m["overdue_open"], per_thousand=per_thousand,
        ))
    return {
        "trend": trend(filters, by_day),
        "major": _bars(stats.summary_by(filters, "major", now=now), majors),
        "source": _bars(stats.summary_by(filters, "source", now=now), {code: (code, str(label)) for code, label in SOURCES.items()}),
        "community": _bars(
            {key: stats.measures(counters) for key, counters in by_community.items()},
            {c.pk: (c.code, c.name) for c in form.communities},
        ),
        "grids": {"type": "FeatureCollection", "features": features},
    }


def first_grain(filters: stats.Filters) -> str:
    """The trend's buckets at first: days for a month, weeks for a quarter, months beyond."""
    days = (filters.last_day - filters.first_day).days + 1
    return "day" if days <= 45 else "week" if days <= 200 else "month"


def chart_labels() -> dict:
    """The words the charts and the map draw, in the page's language."""
    return {
        "reported": _("Reported"), "closed": _("Closed"), "overdue_open": BY_KEY["overdue_open"].label,
        "completion_rate": BY_KEY["completion_rate"].label, "per_thousand": str(SHADES[2][1]),
        "unknown": _("unknown"), "no_cases": _("no cases"), "cases": _("cases"),
    }


@dashboard_view
def index(request):
    now = timezone.now()
    form, filters = read_filters(request, now)
    context = page_frame(request, form, "index", now)
    if filters is not None:
        figures = stats.summary(filters, now=now)
        before = form.previous(filters)
        context.update({
            "cards": figure_cards(figures, stats.summary(before, now=now), context["query"]),
            "before": before,
            # The demo, or a town new to the platform: a period before the first case.
            "before_partial": before.first_day < (stats.first_reported_day() or before.first_day),
            "charts": overview(form, filters, now=now),
            "labels": chart_labels(),
            "map_json": map_settings_json(),
            "grain": first_grain(filters),
            "grains": GRAINS,
            "shades": SHADES,
        })
    return render(request, "dashboard/index.html", context)


@dashboard_view
def data(request):
    """The overview's figures, charts and map as JSON, for the same filters."""
    now = timezone.now()
    form, filters = read_filters(request, now)
    if filters is None:
        return JsonResponse({"errors": form.errors}, status=400)
    figures = stats.summary(filters, now=now)
    return JsonResponse({
        "as_of": now.isoformat(),
        "filters": form.described(),
        "figures": {figure.key: figures[figure.key] for figure in FIGURES},
        **overview(form, filters, now=now),
    })


# The drill-down


def lateness(incident, now) -> tuple[str, str]:
    """Whether a case is late, as the measures count it: ("late"/"on-time"/"", words)."""
    if incident.time_exempt or incident.deadline is None:
        return "", "—"
    if incident.status == Status.CLOSED:
        return ("late", _("closed late")) if incident.closed_at > incident.deadline else ("on-time", _("on time"))
    if incident.status in Status.OPEN and incident.deadline <= now:
        return "late", _("overdue")
    return "", "—"


def console_query(form: DashboardFilterForm, measure: str) -> str:
    """The command centre's list with the same cases: the same places, categories, department,
    source and days, and the status where the measure is one; "" where its filters cannot say
    which cases a measure counts (closed late, reworked, overdue by the case's own deadline)."""
    if measure != "reported" and measure not in CONSOLE_STATUS:
        return ""
    values = form.cleaned_data
    query = [(name, values[name]) for name in ("community", "grid", "major", "category", "source") if values.get(name)]
    if values.get("department"):
        query.append(("department", values["department"].pk))
    query += [("reported_from", values["start"].isoformat()), ("reported_to", values["end"].isoformat())]
    if measure in CONSOLE_STATUS:
        query.append(("status", CONSOLE_STATUS[measure]))
    return urlencode(query)


@dashboard_view
def cases(request):
    now = timezone.now()
    form, filters = read_filters(request, now)
    context = page_frame(request, form, "cases", now)
    measure = request.GET.get("measure") or "reported"
    context["extra_query"] = [("measure", measure)] if measure in stats.DRILLABLE else []
    if measure not in stats.DRILLABLE:
        context["problem"] = _("There is no such figure to list the cases of.")
        return render(request, "dashboard/cases.html", context, status=400)
    if filters is None:
        return render(request, "dashboard/cases.html", context)
    found = stats.filter_cases(incidents_visible_to(request.user), filters).filter(stats.cases_behind(measure, now=now))
    page = Paginator(found.order_by("-reported_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = f"{context['query']}{'&' if context['query'] else ''}measure={measure}"
    context.update({
        "listed": True,
        "measure": measure,
        "title": MEASURE_TITLES[measure],
        "page": page,
        "rows": [(incident, *lateness(incident, now)) for incident in page],
        "case_query": query,
        "console_query": console_query(form, measure) if context["may_open_console"] else "",
    })
    return render(request, "dashboard/cases.html", context)
