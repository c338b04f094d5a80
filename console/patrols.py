"""The command centre's patrol page (巡查): one day's patrols with their tracks on the map, the
grid workers with no patrol that day, and each grid's coverage that day and the six before.

Reads go through patrols.selectors; the page costs the same queries for 3 patrols as for 300.
"""

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_lazy
from shapely import LineString

from accounts.models import Role
from grids.geojson import grid_feature
from grids.models import Community, Grid
from grids.widgets import map_settings_json
from incidents.selectors import incidents_visible_to
from incidents.templatetags.cases import span
from patrols.selectors import (
    FIRST_DAY,
    LAST_DAY,
    coverage_by_grid_and_day,
    patrol_tracks,
    patrols_filter,
    patrols_visible_to,
    with_checkins,
    workers_without_patrol,
)

from .views import _frame, console_view

# Department members work in the console on their cases; patrols are not theirs to watch.
PATROL_ROLES = (Role.DISPATCHER, Role.INSPECTOR, Role.OFFICIAL)
DAYS_SHOWN = 7
# Tracks are drawn simplified to about 2 m (in degrees): the shape of the walk, a fraction of the bytes.
DRAWN_TOLERANCE_DEGREES = 0.00002
# One colour per patrol on the map and beside its row, in turn.
TRACK_COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f"]
# Coverage shades, from the least share each starts at; the page's legend and the map share them.
COVERAGE_SHADES = [(0.5, "cov-4"), (0.25, "cov-3"), (0.1, "cov-2"), (0.0001, "cov-1"), (0.0, "cov-0")]


class PatrolDayForm(forms.Form):
    """The day and the place, in the query string so a view can be bookmarked."""

    date = forms.DateField(
        label=gettext_lazy("Day"), required=False, validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}),
    )
    community = forms.ChoiceField(label=gettext_lazy("Community"), required=False)
    grid = forms.ChoiceField(label=gettext_lazy("Grid"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("every community"))] + [(c.code, c.name) for c in Community.objects.order_by("code")]
        grids = list(Grid.objects.select_related("community").order_by("code"))
        communities = list(dict.fromkeys(grid.community for grid in grids))
        self.fields["grid"].choices = [("", _("every grid"))] + [
            (community.name, [(g.code, g.name) for g in grids if g.community_id == community.pk]) for community in communities
        ]
        self.grids = {grid.code: grid for grid in grids}
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter")

    def clean(self):
        values = super().clean()
        community, grid = values.get("community"), values.get("grid")
        if community and grid and not grid.startswith(community):
            self.add_error("grid", _("This grid is not in the chosen community."))
        return values

    def chosen_grids(self) -> list[Grid] | None:
        """The grids chosen, or None for the whole town."""
        community, grid = self.cleaned_data.get("community"), self.cleaned_data.get("grid")
        if grid:
            return [self.grids[grid]]
        if community:
            return [g for g in self.grids.values() if g.code.startswith(community)]
        return None


def percent(coverage: float | None) -> str:
    """A share as the page shows it: a trace of coverage (a neighbour's track reaching over the
    border) is "<1 %", not "0 %"."""
    if coverage is None:
        return "—"
    if 0 < coverage < 0.005:
        return "<1 %"
    return f"{round(coverage * 100)} %"


def shade(coverage: float | None) -> str:
    if coverage is None:
        return "cov-none"
    return next(name for least, name in COVERAGE_SHADES if coverage >= least)


@console_view
def patrols(request):
    if not request.user.has_role(*PATROL_ROLES):
        raise PermissionDenied
    now = timezone.now()
    today = timezone.localdate(now)
    form = PatrolDayForm(request.GET)
    valid = form.is_valid()
    day = (form.cleaned_data.get("date") if valid else None) or today
    chosen = form.chosen_grids() if valid else []
    filters = {"grid": form.cleaned_data.get("grid"), "community": form.cleaned_data.get("community")} if valid else {}

    found = with_checkins(patrols_filter(patrols_visible_to(request.user), day=day, **filters)).order_by("started_at", "pk")
    day_patrols = list(found) if valid else []
    tracks = patrol_tracks(patrol.pk for patrol in day_patrols)
    rows = [
        {
            "patrol": patrol,
            "colour": TRACK_COLOURS[n % len(TRACK_COLOURS)],
            "duration": span(patrol.duration_seconds(now)),
            "shade": shade(patrol.coverage),
            "percent": percent(patrol.coverage),
            "has_track": len(tracks.get(patrol.pk, ())) > 0,
        }
        for n, patrol in enumerate(day_patrols)
    ]
    first = day - timedelta(days=DAYS_SHOWN - 1)
    days = [first + timedelta(days=n) for n in range(DAYS_SHOWN)]
    by_grid = {}
    if chosen is None or chosen:
        for row in coverage_by_grid_and_day(first, day, grids=chosen):
            shown = row.coverage if row.patrols or row.coverage else None
            by_grid.setdefault(row.grid.pk, {"grid": row.grid, "days": []})["days"].append(
                {"row": row, "shade": shade(shown), "percent": percent(shown)}
            )
    coverage_rows = list(by_grid.values())
    missing = workers_without_patrol(day, grids=chosen) if chosen is None or chosen else []

    visible = incidents_visible_to(request.user)
    query = {key: value for key, value in request.GET.items() if key in form.fields and key != "date" and value}
    return render(request, "console/patrols.html", {
        **_frame(request, visible, now, "patrols"),
        "form": form,
        "day": day,
        "today": today,
        "days": [{"date": shown, "url": _day_url(shown, query)} for shown in days],
        "previous_url": _day_url(day - timedelta(days=1), query),
        "next_url": _day_url(day + timedelta(days=1), query) if day < today else "",
        "today_url": _day_url(today, query) if day != today else "",
        "rows": rows,
        "missing": missing,
        "coverage_rows": coverage_rows,
        "running": sum(1 for patrol in day_patrols if patrol.running),
        "map_json": map_settings_json(),
        "map_grids": _grids_shaded(by_grid),
        "map_tracks": _tracks_drawn(rows, tracks),
        "shades": [(name, least) for least, name in reversed(COVERAGE_SHADES)],
    })


def _day_url(day, query: dict) -> str:
    return reverse("console:patrols") + "?" + urlencode({"date": day.isoformat(), **query})


def _grids_shaded(by_grid: dict) -> dict:
    """The grids shown, each a feature with the day's coverage (null where nobody walked it)."""
    features = []
    for entry in by_grid.values():
        that_day = entry["days"][-1]
        walked = that_day["shade"] != "cov-none"
        features.append(grid_feature(
            entry["grid"], community=entry["grid"].community.name,
            coverage=round(that_day["row"].coverage, 4) if walked else None, shade=that_day["shade"],
        ))
    return {"type": "FeatureCollection", "features": features}


def _tracks_drawn(rows: list[dict], tracks: dict) -> dict:
    """Each patrol's track as a simplified LineString feature, with its row's colour."""
    features = []
    for row in rows:
        positions = tracks.get(row["patrol"].pk, [])
        if len(positions) < 2:
            continue
        line = LineString([(longitude, latitude) for latitude, longitude in positions]).simplify(DRAWN_TOLERANCE_DEGREES)
        features.append({
            "type": "Feature",
            "id": row["patrol"].pk,
            "geometry": {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in line.coords]},
            "properties": {"worker": row["patrol"].worker.display_name, "colour": row["colour"]},
        })
    return {"type": "FeatureCollection", "features": features}
