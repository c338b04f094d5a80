"""The console's forms: the case list's filters and the hotline report. Each action's form is
drawn by incidents.forms, for every front."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, Role, User, phone_validator
from grids.models import Community, Grid
from incidents.models import Category, Source
from incidents.selectors import LIGHTS, QUEUES, SORTS, incidents_filter, incidents_in_queue, incidents_sorted
from incidents.workflow import Status

LIGHT_CHOICES = [("green", _("green")), ("yellow", _("yellow")), ("red", _("red"))]


def _blank(label) -> list:
    return [("", label)]


class CaseFilterForm(forms.Form):
    """The list's and the map's filters, all in the query string so a view can be bookmarked."""

    queue = forms.ChoiceField(label=_("Queue"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    community = forms.ChoiceField(label=_("Community"), required=False)
    grid = forms.ChoiceField(label=_("Grid"), required=False)
    major = forms.ChoiceField(label=_("Major category"), required=False)
    category = forms.ChoiceField(label=_("Minor category"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.all(), empty_label=_("every department")
    )
    assignee = forms.ModelChoiceField(
        label=_("Handler"), required=False, queryset=User.objects.filter(role=Role.WORKER), empty_label=_("every grid worker")
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=_blank(_("any source")) + list(Source.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(_("any status")) + list(Status.CHOICES))
    light = forms.ChoiceField(label=_("Light"), required=False, choices=_blank(_("any light")) + LIGHT_CHOICES)
    reported_from = forms.DateField(label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reported_to = forms.DateField(label=_("Reported to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=list(SORTS.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = _blank(_("all cases")) + [(name, label) for name, (label, _test) in QUEUES.items()]
        self.fields["community"].choices = _blank(_("every community")) + [(c.code, c.name) for c in Community.objects.order_by("code")]
        grids = list(Grid.objects.select_related("community").order_by("code"))
        communities = list(dict.fromkeys(grid.community for grid in grids))
        # Grouped by community; the page offers only the chosen community's group.
        self.fields["grid"].choices = _blank(_("every grid")) + [
            (community.name, [(g.code, g.name) for g in grids if g.community_id == community.pk]) for community in communities
        ]
        categories = list(Category.objects.filter(active=True).order_by("code"))
        majors = [c for c in categories if c.parent_id is None]
        self.fields["major"].choices = _blank(_("every major category")) + [(c.code, f"{c.code} {c.name}") for c in majors]
        # Grouped by major category; the page shows only the chosen major's group.
        self.fields["category"].choices = _blank(_("every minor category")) + [
            (f"{major.code} {major.name}", [(c.code, f"{c.code} {c.name}") for c in categories if c.parent_id == major.pk])
            for major in majors
        ]
        self.fields["assignee"].label_from_instance = lambda user: f"{user.display_name} ({user.username})"
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter")

    def clean(self):
        values = super().clean()
        start, end = values.get("reported_from"), values.get("reported_to")
        if start and end and start > end:
            self.add_error("reported_to", _("The end of the period is before its start."))
        major, minor = values.get("major"), values.get("category")
        if major and minor and not minor.startswith(major):
            self.add_error("category", _("This minor category is not in the chosen major category."))
        return values

    def apply(self, incidents, *, now):
        values = self.cleaned_data
        if values.get("queue"):
            incidents = incidents_in_queue(incidents, values["queue"], now=now)
        incidents = incidents_filter(
            incidents,
            status=values.get("status"),
            community=values.get("community"),
            grid=values.get("grid"),
            category=values.get("category") or values.get("major"),
            department=values.get("department"),
            assignee=values.get("assignee"),
            source=values.get("source"),
            light=values.get("light") if values.get("light") in LIGHTS else None,
            text=values.get("q", "").strip(),
            reported_from=values.get("reported_from"),
            reported_to=values.get("reported_to"),
            now=now,
        )
        return incidents_sorted(incidents, values.get("sort") or "-reported_at", now=now)


class PhoneField(forms.CharField):
    """A phone number as people say and type it: spaces left out."""

    def to_python(self, value):
        return "".join(super().to_python(value).split())


class HotlineForm(forms.Form):
    """A resident's phone call (热线), typed in by the command centre."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True, parent__isnull=False).select_related("parent").order_by("code")
    )
    description = forms.CharField(label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(
        label=_("Address"), max_length=200, required=False,
        help_text=_("Where it is; the name of a compound finds its position when none is picked on the map."),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    contact_phone = PhoneField(label=_("Caller's phone"), max_length=20, required=False, validators=[phone_validator])

    def __init__(self, *args, compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The longest name first: "世纪花园二期" before "世纪花园".
        self.compounds = sorted(compounds, key=lambda compound: -len(compound.name))
        self.fields["category"].label_from_instance = lambda c: f"{c.code} {c.parent.name} / {c.name}"

    def compound_in(self, address: str):
        """The compound an address names ("世纪花园3号楼" is in 世纪花园), or None."""
        return next((compound for compound in self.compounds if compound.name in address), None)

    def clean(self):
        values = super().clean()
        if values.get("latitude") is None or values.get("longitude") is None:
            compound = self.compound_in(values.get("address") or "")
            if compound is None:
                self.add_error("address", _("Pick the place on the map, or type the name of a compound."))
            else:
                values["latitude"], values["longitude"] = compound.latitude, compound.longitude
        return values
