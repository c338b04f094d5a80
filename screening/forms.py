"""The forms of the register's pages (console and phone): they parse what was typed into types
and hand it to the services, which check the rest and name the field at fault."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from emergency.models import Campaign
from grids.models import Compound
from incidents.errors import WorkflowError

from . import services
from .models import FollowUp, HealthStatus
from .selectors import registrable_grids


def _grouped(items, group, label) -> list:
    """Choices grouped under a heading, in the items' order."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(group(item), []).append((str(item.pk), label(item)))
    return list(groups.items())


def show_refusal(form: forms.Form, error: WorkflowError) -> None:
    """A service's refusal on the form: each message under its field, the rest above the form."""
    placed = False
    for name, message in error.fields.items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, error.message)


class ArrivalForm(forms.Form):
    grid = forms.ChoiceField(label=gettext_lazy("Grid"))
    compound = forms.ChoiceField(label=gettext_lazy("Compound"), required=False)
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=50)
    phone = forms.CharField(
        label=gettext_lazy("Phone"), max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=gettext_lazy("ID number"), max_length=40, help_text=gettext_lazy("18 characters; the last may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "data-id-number": ""}),
    )
    origin = forms.CharField(label=gettext_lazy("Arriving from"), max_length=100, help_text=gettext_lazy("City or county, and where in it."))
    arrived_on = forms.DateField(label=gettext_lazy("Arrival date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    health_status = forms.ChoiceField(label=gettext_lazy("Health status"), choices=HealthStatus.choices, initial=HealthStatus.HEALTHY)
    campaign = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        grids = list(registrable_grids(user))
        self.grids = {str(grid.pk): grid for grid in grids}
        if len(grids) == 1:
            self.fields["grid"].choices = [(str(grids[0].pk), grids[0].name)]
        else:
            self.fields["grid"].choices = [("", _("Choose the grid"))] + _grouped(grids, lambda g: g.community.name, lambda g: g.name)
        compounds = list(Compound.objects.filter(grid__in=grids).select_related("grid").order_by("grid__code", "name"))
        self.compounds = {str(compound.pk): compound for compound in compounds}
        self.fields["compound"].choices = [("", _("none or not known"))] + _grouped(compounds, lambda c: c.grid.name, lambda c: c.name)
        campaigns = list(Campaign.objects.filter(active=True).order_by("-started", "pk"))
        self.campaigns = {str(campaign.pk): campaign for campaign in campaigns}
        self.fields["campaign"].choices = [("", _("none"))] + [(str(c.pk), c.name) for c in campaigns]
        if not campaigns:
            del self.fields["campaign"]
        today = timezone.localdate()
        self.fields["arrived_on"].widget.attrs["max"] = today.isoformat()
        self.fields["arrived_on"].initial = today

    def register(self):
        """The entry registered, or None with the refusal shown on the form."""
        if not self.is_valid():
            return None
        values = dict(self.cleaned_data)
        try:
            return services.arrival_register(
                actor=self.user, grid=self.grids[values.pop("grid")], compound=self.compounds.get(values.pop("compound")),
                campaign=self.campaigns.get(values.pop("campaign", "")), **values,
            )
        except WorkflowError as error:
            show_refusal(self, error)
            return None


class FollowUpDoneForm(forms.Form):
    health_status = forms.ChoiceField(label=gettext_lazy("Health status now"), choices=HealthStatus.choices)
    note = forms.CharField(label=gettext_lazy("Result"), required=False, max_length=200)

    def __init__(self, *args, follow_up: FollowUp, **kwargs):
        kwargs.setdefault("prefix", f"f{follow_up.pk}")
        super().__init__(*args, **kwargs)
        self.follow_up = follow_up
        self.fields["health_status"].initial = follow_up.arrival.health_status

    def mark_done(self, user) -> bool:
        if not self.is_valid():
            return False
        try:
            services.follow_up_done(actor=user, follow_up_id=self.follow_up.pk, **self.cleaned_data)
        except WorkflowError as error:
            show_refusal(self, error)
            return False
        return True
