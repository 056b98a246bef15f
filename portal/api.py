"""The API's one error format: {"code", "message", "fields"} for every refusal.

Service refusals (portal.errors.ApplicationError) keep their own code and status. DRF's own
exceptions (validation, authentication, permission, not found, throttling) are rewritten into
the same body; per-field messages of nested input are flattened to dotted keys
(`address.road`, `items.0.name`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import ApplicationError


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal."""

    code = serializers.CharField(help_text="A stable machine-readable code, e.g. `invalid`.")
    message = serializers.CharField(help_text="A message for the user, in their language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages for each input field that is wrong (dotted keys for nested input).",
    )


_ERROR_DESCRIPTIONS = {
    400: "Invalid input, or the conditions are not met.",
    401: "Not signed in.",
    403: "Not signed in, or not allowed.",
    404: "Not found, or outside the caller's scope.",
    409: "The object has already been acted on.",
    429: "Too many requests.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the given error statuses, all with the one error body."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[status])
        for status in statuses
    }


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {dotted.key: [messages]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix: [str(m) for m in messages]}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        response = Response(exc.as_body(), status=exc.status_code)
        if getattr(exc, "retry_after", None):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(exc.detail, dict):
            fields = _flatten(exc.detail)
            general = fields.pop("non_field_errors", None)
        else:
            fields = {}
            general = [str(m) for m in exc.detail] if isinstance(exc.detail, list) else None
        response.data = {
            "code": "invalid",
            "message": general[0] if general else str(ApplicationError.default_message),
            "fields": fields,
        }
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": code, "message": str(detail), "fields": {}}
    return response
