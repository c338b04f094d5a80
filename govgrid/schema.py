"""The OpenAPI schema documents the errors each operation can answer, not only its success.

drf-spectacular describes what a view returns when it succeeds. Every answer below is one
this API gives, in the shape the client gets: a 400 names the fields (a list's field errors
are keyed by the item's index), the others carry a `detail`, and a 409 may name fields too.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

MESSAGES = {"type": "array", "items": {"type": "string"}}
ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": MESSAGES,
}
# {"field": ["message"]}, {"non_field_errors": [...]}, or {"photos": {"0": ["message"]}}.
FIELD_ERRORS = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"oneOf": [MESSAGES, {"type": "object", "additionalProperties": MESSAGES}]},
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, (schema, description) in self.error_responses().items():
            responses.setdefault(code, {"description": str(description), "content": {"application/json": {"schema": schema}}})
        return responses

    def error_responses(self) -> dict:
        errors = {}
        queried = any(parameter["in"] == "query" for parameter in self._get_parameters())
        has_query = self.method == "GET" and (self._is_list_view() or queried)
        if self.method != "GET" or has_query:
            errors["400"] = (FIELD_ERRORS, _("Bad input: a message for each field at fault."))
        if self.get_auth():
            errors["401"] = (ERROR, _("No credentials, or a token that is not valid."))
            if self.method != "GET":
                errors["403"] = (ERROR, _("Not allowed for your role (or a browser's form without its CSRF token)."))
        if "{" in self.path or self._is_list_view():
            errors["404"] = (ERROR, _("No such object, or none you may see; or a page past the last."))
        if self.method == "POST" and self.path.startswith("/api/v1/incidents/"):
            errors["409"] = (ERROR, _("Not possible in the case's current status, or someone changed it since you read it."))
        if getattr(self.view, "throttled_logins", False):
            errors["429"] = (ERROR, _("Too many failed logins from here: wait for the lock to pass."))
        return errors
