"""Errors the domain and the service layer raise; entry points map them to responses
(web/errors.py gives each class its HTTP status)."""


class HallError(Exception):
    """Base class: `code` is the snake_case error code a client can act on."""

    code = "hall_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(HallError):
    code = "not_found"


class Invalid(HallError):
    """A well-formed request the hall cannot accept (unknown service, bad priority...)."""

    code = "invalid"


class Conflict(HallError):
    """The current state does not allow this action."""

    code = "conflict"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class Forbidden(HallError):
    """The actor's role or halls do not allow this."""

    code = "forbidden"


class Unauthorized(HallError):
    """Missing, unknown, expired or revoked credentials."""

    code = "unauthorized"


class TooManyAttempts(HallError):
    """Too many failed attempts; `retry_after_s` says when to try again."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(message, code)
        self.retry_after_s = retry_after_s
