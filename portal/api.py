"""The API's one error format: {"code", "message", "fields"} for every refusal."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import ApplicationError


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(exc.as_body(), status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        fields = {
            k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in exc.detail.items()
        }
        message = fields.pop("non_field_errors", None)
        response.data = {
            "code": "invalid",
            "message": message[0] if message else str(ApplicationError.default_message),
            "fields": fields,
        }
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": code, "message": str(detail), "fields": {}}
    return response
