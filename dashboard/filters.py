"""The dashboard's filters: a period and where, in the query string so a view can be
bookmarked, sent, and opened again on the wall screen."""

from dataclasses import replace
from datetime import date, timedelta

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from grids.models import Community, Grid
from incidents.models import Category, Source
from incidents.stats import Filters, scope_of

PERIODS = [
    ("today", _("today")),
    ("week", _("this week")),
    ("month", _("this month")),
    ("quarter", _("this quarter")),
    ("year", _("this year")),
    ("custom", _("custom range")),
]
# A custom range at most this long: three years answer any question a meeting asks.
LONGEST_DAYS = 3 * 366


def period_start(period: str, today: date) -> date:
    if period == "today":
        return today
    if period == "week":
        return today - timedelta(days=today.weekday())
    if period == "month":
        return today.replace(day=1)
    if period == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return today.replace(month=1, day=1)


def _blank(label) -> list:
    return [("", label)]


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIODS)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    community = forms.ChoiceField(label=_("Community"), required=False)
    grid = forms.ChoiceField(label=_("Grid"), required=False)
    major = forms.ChoiceField(label=_("Major category"), required=False)
    category = forms.ChoiceField(label=_("Minor category"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.order_by("code"), empty_label=_("every department")
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=_blank(_("any source")) + list(Source.choices))

    def __init__(self, data=None, *, now, user=None, **kwargs):
        if data is not None and not data.get("period"):
            data = data.copy()
            data["period"] = "month"  # shown as chosen, as it is used
        super().__init__(data, **kwargs)
        self.today = timezone.localdate(now)
        # Only the places and department the asker may see are offered: another grid's code in
        # the address is refused as a choice that does not exist.
        self.scope = scope_of(user) if user is not None else (None, None)
        scoped_grids, scoped_departments = self.scope
        grids = Grid.objects.select_related("community").order_by("code")
        if scoped_grids is not None:
            grids = grids.filter(pk__in=scoped_grids)
        grids = list(grids)
        communities = list(dict.fromkeys(grid.community for grid in grids)) if scoped_grids is not None else list(Community.objects.order_by("code"))
        if scoped_departments is not None:
            self.fields["department"].queryset = Department.objects.filter(pk__in=scoped_departments)
        categories = list(Category.objects.order_by("code"))
        # Kept for the pages: the map's grids, the charts' names.
        self.grids, self.communities, self.categories = grids, communities, categories
        self.fields["community"].choices = _blank(_("every community")) + [(c.code, c.name) for c in communities]
        self.fields["grid"].choices = _blank(_("every grid")) + [(g.code, g.name) for g in grids]
        majors = [c for c in categories if c.parent_id is None]
        self.fields["major"].choices = _blank(_("every major category")) + [(c.code, f"{c.code} {c.name}") for c in majors]
        self.fields["category"].choices = _blank(_("every minor category")) + [
            (c.code, f"{c.code} {c.name}") for c in categories if c.parent_id is not None
        ]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter")

    def clean(self):
        values = super().clean()
        period = values.get("period") or "month"
        if period == "custom":
            start, end = values.get("start"), values.get("end")
            if start is None:
                self.add_error("start", _("Give the first day of the range."))
            if end is None:
                self.add_error("end", _("Give the last day of the range."))
            if start and end and start > end:
                self.add_error("end", _("The end of the period is before its start."))
            elif start and end and (end - start).days >= LONGEST_DAYS:
                self.add_error("end", _("Choose a range of at most three years."))
        else:
            values["start"], values["end"] = period_start(period, self.today), self.today
        grid, community = values.get("grid"), values.get("community")
        if grid and community and not grid.startswith(community):
            self.add_error("grid", _("This grid is not in the chosen community."))
        major, minor = values.get("major"), values.get("category")
        if major and minor and not minor.startswith(major):
            self.add_error("category", _("This minor category is not in the chosen major category."))
        return values

    def scope_words(self) -> str:
        """What a grid worker's or a department member's figures cover, said on every page."""
        scoped_grids, scoped_departments = self.scope
        if scoped_departments is not None:
            names = "、".join(department.name for department in self.fields["department"].queryset)
            return _("Figures of your department only: %(name)s") % {"name": names}
        if scoped_grids:
            return _("Figures of your grids only: %(names)s") % {"names": "、".join(grid.name for grid in self.grids)}
        return ""

    def to_filters(self) -> Filters:
        """The cases the form names, within the asker's scope."""
        values = self.cleaned_data
        department = values.get("department")
        return Filters.by_codes(
            values["start"], values["end"],
            community=values.get("community"), grid=values.get("grid"), category=values.get("category") or values.get("major"),
            department_id=department.pk if department else None, source=values.get("source"),
        ).narrowed(self.scope)

    def previous(self, filters: Filters) -> Filters:
        """The period to compare with, of the same length: the same days of the week, month,
        quarter or year before (this month's first 29 days against last month's first 29), the
        day before for today, and the days just before a custom range."""
        period = self.cleaned_data["period"]
        if period == "custom":
            return filters.previous()
        start = filters.first_day
        if period == "today":
            first = start - timedelta(days=1)
        elif period == "week":
            first = start - timedelta(days=7)
        elif period == "year":
            first = start.replace(year=start.year - 1)
        else:
            back = 1 if period == "month" else 3
            month = start.month - back
            first = start.replace(year=start.year + (month - 1) // 12, month=(month - 1) % 12 + 1)
        last = min(first + (filters.last_day - start), start - timedelta(days=1))
        return replace(filters, first_day=first, last_day=last)

    def described(self) -> list[tuple[str, str]]:
        """The filters in words, for titles and exports: [(label, value)], the period first."""
        values = self.cleaned_data
        period = dict(PERIODS)[values["period"]]
        span = f"{formats.date_format(values['start'], 'SHORT_DATE_FORMAT')} – {formats.date_format(values['end'], 'SHORT_DATE_FORMAT')}"
        described = [(str(_("Period")), f"{period} ({span})")]
        for name in ("community", "grid", "major", "category", "source"):
            if values.get(name):
                described.append((str(self.fields[name].label), str(dict(self.fields[name].choices)[values[name]])))
        if values.get("department"):
            described.append((str(self.fields["department"].label), values["department"].name))
        return described
