"""The forms of the register's pages (console and phone): they parse what was typed into types
and hand it to the services, which check the rest and name the field at fault."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from emergency.models import Campaign
from grids.models import Compound
from accounts.privacy import id_number_normalised
from incidents.errors import Conflict, WorkflowError

from . import services
from .models import FollowUp, HealthStatus
from .selectors import arrivals_visible_to, registrable_grids


def _grouped(items, group, label) -> list:
    """Choices grouped under a heading, in the items' order."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(group(item), []).append((str(item.pk), label(item)))
    return list(groups.items())


def own_messages(form: forms.Form, **invalid) -> None:
    """The register's own words for a field left empty, too long or not one of the choices,
    rather than the framework's stock ones: `invalid` gives a field's message for a wrong value."""
    for name, field in form.fields.items():
        field.error_messages["required"] = _("%(field)s is required.") % {"field": field.label}
        field.error_messages["max_length"] = _("At most %(limit_value)d characters.")
        if name in invalid:
            field.error_messages["invalid_choice" if isinstance(field, forms.ChoiceField) else "invalid"] = invalid[name]


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
    # Made on the phone (static/mobile/queued-form.js): the same form sent twice is one entry.
    uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.refusal: WorkflowError | None = None
        self.duplicate = None
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
        own_messages(
            self, grid=_("Choose one of your grids."), compound=_("Choose a compound of the chosen grid, or none."),
            health_status=_("Choose one of the health statuses."), campaign=_("Choose one of the campaigns listed, or none."),
            arrived_on=_("Give the arrival date as year-month-day."), uuid=_("Not a UUID: send the form again."),
        )

    def register(self):
        """(entry, created), or (None, False) with the refusal shown on the form. An ID number
        registered already for the date in a grid the worker serves: `duplicate` is that entry."""
        if not self.is_valid():
            return None, False
        values = dict(self.cleaned_data)
        try:
            return services.arrival_register(
                actor=self.user, grid=self.grids[values.pop("grid")], compound=self.compounds.get(values.pop("compound")),
                campaign=self.campaigns.get(values.pop("campaign", "")), client_uuid=values.pop("uuid"), **values,
            )
        except WorkflowError as error:
            self.refusal = error
            show_refusal(self, error)
            if isinstance(error, Conflict) and "id_number" in error.fields:
                self.duplicate = arrivals_visible_to(self.user).filter(
                    id_number=id_number_normalised(values["id_number"]), arrived_on=values["arrived_on"],
                ).first()
            return None, False


class FollowUpDoneForm(forms.Form):
    health_status = forms.ChoiceField(label=gettext_lazy("Health status now"), choices=HealthStatus.choices)
    note = forms.CharField(label=gettext_lazy("Result"), required=False, max_length=200)

    def __init__(self, *args, follow_up: FollowUp, **kwargs):
        kwargs.setdefault("prefix", f"f{follow_up.pk}")
        super().__init__(*args, **kwargs)
        self.follow_up = follow_up
        self.fields["health_status"].initial = follow_up.arrival.health_status
        own_messages(self, health_status=_("Choose one of the health statuses."))

    def mark_done(self, user) -> bool:
        """True once done (now, or before: a second tap, a retry from the phone's outbox)."""
        self.refusal = None
        if not self.is_valid():
            return False
        try:
            services.follow_up_done(actor=user, follow_up_id=self.follow_up.pk, **self.cleaned_data)
        except WorkflowError as error:
            self.refusal = error
            show_refusal(self, error)
            return False
        return True
