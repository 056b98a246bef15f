"""The one error body {"code", "message", "fields"} for every refusal the API gives."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions

from portal.api import exception_handler
from portal.errors import InvalidInput, NotAllowed, TransitionNotAllowed
from tests.api.conftest import assert_error_body


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (TransitionNotAllowed(), 409, "conflict"),
        (NotAllowed(), 403, "not_allowed"),
        (
            InvalidInput("坏了", code="reason_required", fields={"reason": ["必填"]}),
            400,
            "reason_required",
        ),
    ],
)
def test_service_refusals_keep_their_status_and_code(error, status, code):
    response = exception_handler(error, {})

    assert response.status_code == status
    assert_error_body(response.data, code=code)


def test_service_refusals_keep_their_field_messages():
    error = InvalidInput("地址不完整", fields={"road": ["必填"]})

    response = exception_handler(error, {})

    assert response.data == {
        "code": "invalid",
        "message": "地址不完整",
        "fields": {"road": ["必填"]},
    }


def test_nested_input_errors_are_flattened_to_dotted_fields():
    error = exceptions.ValidationError(
        {
            "non_field_errors": ["两次输入不一致"],
            "address": {"road": ["必填"]},
            "members": [{}, {"name": ["太长"]}],
            "phone": ["格式不对"],
        }
    )

    response = exception_handler(error, {})

    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "message": "两次输入不一致",
        "fields": {"address.road": ["必填"], "members.1.name": ["太长"], "phone": ["格式不对"]},
    }


def test_a_validation_error_without_fields_gives_its_first_message():
    response = exception_handler(exceptions.ValidationError(["第一条", "第二条"]), {})

    assert response.data == {"code": "invalid", "message": "第一条", "fields": {}}


def test_a_validation_error_with_only_fields_gives_a_general_message():
    response = exception_handler(exceptions.ValidationError({"phone": ["格式不对"]}), {})

    assert_error_body(response.data, code="invalid")
    assert response.data["fields"] == {"phone": ["格式不对"]}


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Http404(), 404, "not_found"),
        (PermissionDenied(), 403, "permission_denied"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
        (exceptions.Throttled(wait=30), 429, "throttled"),
    ],
)
def test_framework_refusals_use_the_same_body(error, status, code):
    response = exception_handler(error, {})

    assert response.status_code == status
    assert_error_body(response.data, code=code)


def test_unexpected_errors_are_left_to_the_server_error_handler():
    assert exception_handler(RuntimeError("boom"), {}) is None


def test_a_wrong_method_on_a_read_only_endpoint_is_refused_in_the_error_format(
    api_client, resident
):
    api_client.force_authenticate(resident)

    response = api_client.post("/api/v1/areas/", {"code": "1"})

    assert response.status_code == 405
    assert_error_body(response.json(), code="method_not_allowed")
