"""The refusals a service can raise. Views and the API map them to one error body.

Each carries a translatable message for the user, a stable machine code, and optional
per-field messages. HTTP status: TransitionNotAllowed 409, NotEligible 400, NotAllowed 403,
NotFound 404, InvalidInput 400, TooSoon 429 (with Retry-After).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status_code = 400
    default_code = "error"
    default_message = _("The request could not be completed.")

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_body(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
        }


class InvalidInput(ApplicationError):
    status_code = 400
    default_code = "invalid"
    default_message = _("Some of the information is not valid.")


class NotEligible(ApplicationError):
    status_code = 400
    default_code = "not_eligible"
    default_message = _("The conditions for this service are not met.")


class NotAllowed(ApplicationError):
    status_code = 403
    default_code = "not_allowed"
    default_message = _("You are not allowed to do this.")


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"
    default_message = _("Not found.")


class TransitionNotAllowed(ApplicationError):
    status_code = 409
    default_code = "conflict"
    default_message = _("This application has already been acted on or cannot move that way.")


class TooSoon(ApplicationError):
    """Asked again before a pause is over; `retry_after` says how many seconds are left."""

    status_code = 429
    default_code = "too_soon"
    default_message = _("Too many attempts. Please wait a moment and try again.")

    def __init__(self, message: str | None = None, *, retry_after: int, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
