"""Each action of the transition table (incidents/workflow.py): the input it takes and the
service it calls. The API and the console's forms both read their fields from here, so an
action added to the table and here is offered by both without new page code."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Department
from govgrid.ids import related_id_field

from . import services
from .photos import PhotoRefused, prepare_photo
from .selectors import incidents_visible_to
from .workflow import Action, Card

User = get_user_model()


class PhotoField(serializers.FileField):
    """A JPEG, PNG, WebP or HEIC photo, judged by its content (incidents.photos); the value is
    the photo as it will be stored."""

    def to_internal_value(self, data):
        try:
            return prepare_photo(super().to_internal_value(data))
        except PhotoRefused as refused:
            raise serializers.ValidationError(str(refused)) from None


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}})
class PhotoListField(serializers.ListField):
    """Up to PHOTO_MAX_COUNT photos, sent as repeated multipart parts of one name."""

    child = PhotoField()

    def to_internal_value(self, data):
        if not isinstance(data, list):
            return super().to_internal_value(data)  # "Expected a list of items"
        # The docs page sends an empty list of files as one empty part: no photo, not an error.
        data = [item for item in data if item != ""]
        if len(data) > settings.PHOTO_MAX_COUNT:
            raise serializers.ValidationError(
                _("At most %(count)d photos at a time.") % {"count": settings.PHOTO_MAX_COUNT}
            )
        return super().to_internal_value(data)


def photo_list(**kwargs) -> PhotoListField:
    return PhotoListField(required=False, allow_empty=True, **kwargs)


class ActionInput(serializers.Serializer):
    note = serializers.CharField(label=_("Note"), max_length=2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, help_text="The version you saw; a stale one gives 409.")


class NoteInput(ActionInput):
    note = serializers.CharField(label=_("Note"), max_length=2000)


class ReasonInput(ActionInput):
    reason = serializers.CharField(label=_("Reason"), max_length=2000)


class AssignInput(ActionInput):
    assignee = related_id_field(label=_("Handler"), queryset=User.objects.all(), required=False, allow_null=True, default=None)
    department = related_id_field(label=_("Department"), queryset=Department.objects.all(), required=False, allow_null=True, default=None)

    def validate(self, values):
        if (values["assignee"] is None) == (values["department"] is None):
            raise serializers.ValidationError(
                {"assignee": _("Choose who handles it: a person (assignee, a user id) or a department (department, its id), not both.")}
            )
        return values


class HandleWithPhotosInput(ActionInput):
    """Handling as multipart/form-data, with photos as repeated file parts."""

    before_photos = photo_list(label=_("Photos before handling"), help_text="Photos before handling.")
    photos = photo_list(label=_("Photos after handling"), help_text="Photos after handling.")

    def validate(self, values):
        # A step is recorded with what was done: handling with neither a word nor a photo would
        # send the inspector out blind.
        if not values.get("note", "").strip() and not values.get("photos"):
            raise serializers.ValidationError({"note": _("Say what was done, or add a photo after handling.")})
        return values


class InspectJsonInput(ActionInput):
    passed = serializers.BooleanField(label=_("Passed"))


class InspectInput(InspectJsonInput):
    photos = photo_list(label=_("Photos taken at inspection"), help_text="Photos taken at inspection.")


class ReworkInput(NoteInput):
    photos = photo_list(label=_("Photos taken at inspection"), help_text="Photos taken at inspection.")


class ExtensionRequestInput(ReasonInput):
    until = serializers.DateTimeField(label=_("New deadline"), help_text="The deadline asked for; later than the present one.")


class ExtensionDecisionInput(ActionInput):
    until = serializers.DateTimeField(
        label=_("Another deadline"), required=False, allow_null=True, default=None, help_text="Another deadline than the one asked for."
    )


class SuspendInput(ReasonInput):
    review_on = serializers.DateField(
        label=_("Review on"), help_text="When the command centre looks at the case again (YYYY-MM-DD), after today."
    )


class CardInput(NoteInput):
    level = serializers.ChoiceField(label=_("Card"), choices=Card.CHOICES)


@extend_schema_field(OpenApiTypes.INT)
class VisibleIncidentField(serializers.PrimaryKeyRelatedField):
    """The id of a case the asker may see; any other id is "does not exist"."""

    def get_queryset(self):
        return incidents_visible_to(self.context["request"].user)


class MergeInput(ActionInput):
    duplicate_of = related_id_field(
        VisibleIncidentField, label=_("Duplicate of"), help_text="The id of the live case this one duplicates.",
        error_messages={"does_not_exist": _("No such case."), "required": _("Choose the case this one duplicates.")},
    )


def _handle(common, values):
    photos = services.Photos(report=[], before=values.get("before_photos", []), after=values.get("photos", []))
    return services.incident_handle(**common, note=values["note"], photos=photos)


def _inspect(common, values):
    """Passed or not (`inspect` says which; `rework` is a fail), with the photos taken."""
    photos = services.Photos(report=[], before=[], after=[], inspection=values.get("photos", []))
    return services.incident_inspect(**common, passed=values.get("passed", False), note=values["note"], photos=photos)


# Each action of the transition table (incidents/workflow.py) at POST /incidents/{id}/{action}/
# (with hyphens): the body it takes, and the service it calls.
ACTIONS = {
    Action.ACCEPT: (ActionInput, lambda common, v: services.incident_accept(**common, note=v["note"])),
    Action.ASSIGN: (
        AssignInput,
        lambda common, v: services.incident_assign(**common, assignee=v["assignee"], department=v["department"], note=v["note"]),
    ),
    Action.RETURN: (ReasonInput, lambda common, v: services.incident_return(**common, reason=v["reason"])),
    Action.REQUEST_EXTENSION: (
        ExtensionRequestInput,
        lambda common, v: services.incident_request_extension(**common, reason=v["reason"], until=v["until"]),
    ),
    Action.APPROVE_EXTENSION: (
        ExtensionDecisionInput,
        lambda common, v: services.incident_decide_extension(**common, approve=True, note=v["note"], until=v["until"]),
    ),
    Action.REFUSE_EXTENSION: (NoteInput, lambda common, v: services.incident_decide_extension(**common, approve=False, note=v["note"])),
    Action.HANDLE: (HandleWithPhotosInput, _handle),
    Action.INSPECT: (InspectInput, _inspect),
    Action.REWORK: (ReworkInput, _inspect),
    Action.CLOSE: (ActionInput, lambda common, v: services.incident_close(**common, note=v["note"])),
    Action.CLOSE_ERRONEOUS: (ReasonInput, lambda common, v: services.incident_close_erroneous(**common, reason=v["reason"])),
    Action.CLOSE_SPECIAL: (ReasonInput, lambda common, v: services.incident_close_special(**common, reason=v["reason"])),
    Action.REOPEN: (ReasonInput, lambda common, v: services.incident_reopen(**common, reason=v["reason"])),
    Action.REJECT: (ReasonInput, lambda common, v: services.incident_reject(**common, reason=v["reason"])),
    Action.MERGE: (
        MergeInput, lambda common, v: services.incident_merge(**common, duplicate_of=v["duplicate_of"], note=v["note"])
    ),
    Action.SUSPEND: (SuspendInput, lambda common, v: services.incident_suspend(**common, reason=v["reason"], review_on=v["review_on"])),
    Action.RESUME: (ActionInput, lambda common, v: services.incident_resume(**common, note=v["note"])),
    Action.APPEAL: (ReasonInput, lambda common, v: services.incident_appeal(**common, reason=v["reason"])),
    Action.UPHOLD_APPEAL: (NoteInput, lambda common, v: services.incident_decide_appeal(**common, uphold=True, note=v["note"])),
    Action.DISMISS_APPEAL: (NoteInput, lambda common, v: services.incident_decide_appeal(**common, uphold=False, note=v["note"])),
    Action.CARD: (CardInput, lambda common, v: services.incident_card(**common, level=v["level"], note=v["note"])),
}
# Documented as JSON too, where the full input (photos) can only come as multipart/form-data.
JSON_INPUT = {Action.HANDLE: NoteInput, Action.INSPECT: InspectJsonInput, Action.REWORK: NoteInput}



def action_take(name: str, *, incident_id: int, actor, values: dict):
    """Perform the action with its validated input; the version the client saw, if it sent one,
    is checked by the service under the lock."""
    values = dict(values)
    _input, perform = ACTIONS[name]
    return perform({"incident_id": incident_id, "actor": actor, "expected_version": values.pop("version", None)}, values)
