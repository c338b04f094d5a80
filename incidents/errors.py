class WorkflowError(Exception):
    """An action that changed nothing, and why. `status_code` is what the API answers."""

    status_code = 400

    def __init__(self, message: str, *, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(WorkflowError):
    status_code = 400


class NotAllowed(WorkflowError):
    status_code = 403


class Missing(WorkflowError):
    status_code = 404


class NotPossible(WorkflowError):
    """Not possible from the case's current status."""

    status_code = 409


class Conflict(WorkflowError):
    """Someone else changed the case since the client last saw it."""

    status_code = 409
