"""Forms the console and the phone share for the party's check-ins."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Role
from grids.models import Grid
from incidents.errors import WorkflowError

from .models import MemberKind
from .selectors import members_filter, members_visible_to


class CheckInForm(forms.Form):
    """A check-in as the command centre or a grid worker records it; its UUID is made with the form, so a form
    sent twice records one check-in."""

    uuid = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "required": gettext_lazy("The form is out of date: reload the page."), "invalid": gettext_lazy("The form is out of date: reload the page."),
    })
    member = forms.ModelChoiceField(label=gettext_lazy("In-service member"), queryset=None, error_messages={
        "required": gettext_lazy("Choose the member."), "invalid_choice": gettext_lazy("Choose an in-service member of your grids."),
    })
    grid = forms.ModelChoiceField(label=gettext_lazy("Grid"), queryset=None, error_messages={
        "required": gettext_lazy("Choose the grid."), "invalid_choice": gettext_lazy("Choose one of your grids."),
    })
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), error_messages={
        "required": gettext_lazy("Give the day of the check-in."), "invalid": gettext_lazy("Enter the day as YYYY-MM-DD."),
    })
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"), max_digits=4, decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        error_messages={
            "required": gettext_lazy("Give the hours."),
            "invalid": gettext_lazy("Enter the hours as a number, such as 2 or 1.5."),
            "max_decimal_places": gettext_lazy("At most one decimal, such as 1.5."),
            "max_digits": gettext_lazy("More than 0 and at most 24 hours."),
            "max_whole_digits": gettext_lazy("More than 0 and at most 24 hours."),
        },
    )
    activity = forms.CharField(label=gettext_lazy("What they did"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), error_messages={
        "required": gettext_lazy("Say what the member did."), "max_length": gettext_lazy("At most %(limit_value)d characters (it has %(show_value)d)."),
    })

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].label_from_instance = lambda m: " · ".join(filter(None, [m.name, m.employer.name if m.employer_id else ""]))
        self.fields["member"].queryset = members_filter(members_visible_to(user), kind=MemberKind.IN_SERVICE).order_by("name", "pk")
        grids = Grid.objects.select_related("community").order_by("code")
        if user.role == Role.WORKER and not user.is_platform_admin:
            grids = grids.filter(workers__user=user)
            # A worker of several grids is told which one each member checks in at.
            if grids.count() > 1:
                self.fields["member"].label_from_instance = lambda m: " · ".join(
                    filter(None, [m.name, m.employer.name if m.employer_id else "", m.grid.name if m.grid_id else ""])
                )
        self.fields["grid"].queryset = grids
        self.fields["grid"].label_from_instance = lambda grid: f"{grid.name} ({grid.community.name})"

    @classmethod
    def fresh(cls, *, user):
        return cls(user=user, initial={"uuid": uuid.uuid4(), "date": timezone.localdate()})


class RefuseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, error_messages={
        "required": gettext_lazy("Say why the check-in is refused."),
        "max_length": gettext_lazy("At most %(limit_value)d characters (it has %(show_value)d)."),
    })


def show_errors(form: forms.Form, error: WorkflowError) -> None:
    """A service's refusal as the form's messages: per field where it names one the form has."""
    placed = False
    for name, message in error.fields.items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed or not error.fields:
        form.add_error(None, error.message)
