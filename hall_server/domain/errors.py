"""Errors the domain and the service layer raise; entry points map them to responses."""


class HallError(Exception):
    """Base class: `code` is the snake_case error code, `status` the HTTP status it maps to."""

    code = "hall_error"
    status = 400

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(HallError):
    code = "not_found"
    status = 404


class Invalid(HallError):
    """A well-formed request the hall cannot accept (unknown service, bad priority...)."""

    code = "invalid"
    status = 422


class Conflict(HallError):
    """The current state does not allow this action."""

    code = "conflict"
    status = 409


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class Forbidden(HallError):
    """The actor's role or halls do not allow this."""

    code = "forbidden"
    status = 403
