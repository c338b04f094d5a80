"""Each action of the transition table as a page form, for every front: its fields drawn from
the action's input (incidents.inputs), and the posted form taken through the same input and
service as the API, so the table, the pages and the API never disagree."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from . import services
from .errors import WorkflowError
from .inputs import ACTIONS, action_take
from .selectors import incidents_visible_to
from .workflow import Action, action_label, actions_for


# How a serializer field of an action's input is drawn.
def _kind(field) -> str:
    if isinstance(field, serializers.ListField):
        return "photos"
    if isinstance(field, serializers.BooleanField):
        return "checkbox"
    if isinstance(field, serializers.ChoiceField):
        return "select"
    if isinstance(field, serializers.DateTimeField):
        return "datetime"
    if isinstance(field, serializers.DateField):
        return "date"
    if isinstance(field, serializers.RelatedField):
        return field.field_name  # assignee, department, duplicate_of: their own widgets
    return "text"


# Values an action's form sends without asking: passing an inspection is `inspect` itself.
PRESET = {Action.INSPECT: {"passed": "true"}}
# The assign form draws the assignee and the department as one choice, "handler".
JOINED = {"department": "assignee"}


def _messages(errors) -> list[str]:
    """A field's errors as sentences: a list of photos reports its errors by position."""
    if isinstance(errors, dict):
        return [message for inner in errors.values() for message in _messages(inner)]
    return [str(message) for message in errors]


def action_form(action: str, *, data=None, errors=None) -> dict:
    """What the page needs to draw the form of one action: its fields, values and errors."""
    input_class = ACTIONS[action][0]
    errors = dict(errors or {})
    for joined, shown in JOINED.items():
        if joined in errors:
            errors[shown] = _messages(errors.get(shown, [])) + _messages(errors.pop(joined))
    fields = []
    for name, field in input_class().fields.items():
        if name == "version" or name in PRESET.get(action, {}) or name in JOINED:
            continue
        if name == "note" and "reason" in input_class().fields:
            continue  # the reason says it; a second box beside it only asks which one is read
        value = data.get(name, "") if data is not None else ""
        fields.append({
            "name": name,
            "kind": _kind(field),
            "label": field.label,
            "required": field.required,
            "value": value,
            "choices": getattr(field, "choices", {}).items() if isinstance(field, serializers.ChoiceField) else (),
            "errors": _messages(errors.get(name, [])),
        })
    return {"action": action, "fields": fields, "preset": PRESET.get(action, {}), "errors": _messages(errors.get("non_field_errors", []))}


def action_data(post, files, *, preset=None):
    """The posted form as the action's input takes it. A field left empty is not given (so a
    required one says so); the assign form's one handler choice, "u<id>" or "d<id>", becomes an
    assignee or a department; what the action presets cannot be posted otherwise."""
    data = post.copy()
    data.update(files)
    for name in list(data):
        given = [value for value in data.getlist(name) if value != ""]
        if given:
            data.setlist(name, given)
        else:
            del data[name]
    for name, value in (preset or {}).items():
        data.setlist(name, [value])
    handler = data.pop("handler", [""])[-1].strip()
    if handler[:1] == "u" and handler[1:].isdigit():
        data["assignee"] = handler[1:]
    elif handler[:1] == "d" and handler[1:].isdigit():
        data["department"] = handler[1:]
    return data


def action_forms(user, incident, now, *, posted: tuple | None = None) -> list[dict]:
    """A form for each action this user may take on the case now, in the table's order.
    `posted` is (action, data, errors) of a form that came back with errors: it is drawn open,
    with what was typed."""
    forms = []
    for action in actions_for(user, incident, now):
        data, errors = (posted[1], posted[2]) if posted and posted[0] == action else (None, None)
        forms.append({**action_form(action, data=data, errors=errors), "label": action_label(action), "open": bool(errors)})
    return forms


def action_post(request, incident, action: str) -> tuple[str | None, tuple]:
    """Take the posted action on the case: (None, ()) when done, else (the page's message,
    `posted` for action_forms). A refusal or a bad field changes nothing."""
    user = request.user
    version = request.POST.get("version", "")
    data = action_data(request.POST, request.FILES, preset=PRESET.get(action, {}))
    duplicate_code = data.pop("duplicate_code", [""])[-1].strip()
    if duplicate_code and "duplicate_of" not in data:
        # The code every page shows, rather than the id behind it.
        found = incidents_visible_to(user).filter(code=duplicate_code).values_list("pk", flat=True).first()
        data["duplicate_of"] = str(found or 0)
    try:
        services.incident_check_action(
            incident=incident, actor=user, action=action, at=timezone.now(), expected_version=int(version) if version.isdigit() else None
        )
        body = ACTIONS[action][0](data=data, context={"request": request})
        if body.is_valid():
            action_take(action, incident_id=incident.pk, actor=user, values=body.validated_data)
            return None, ()
        return _("The form has errors; nothing was changed."), (action, data, body.errors, 400)
    except WorkflowError as error:
        errors = {field: [message] for field, message in error.fields.items()}
        return error.message, (action, data, errors, error.status_code)
