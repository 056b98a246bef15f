"""The one reason rule (portal.workflow.services): a rejection or a return without a reason is
refused with the same translated error, naming the field, whichever app and door it came by."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from portal.errors import InvalidInput

BLANK_REASONS = ["", "   "]


def assert_service_wants_a_reason(call: Callable[[], Any]) -> None:
    """`call` runs a reject or return service with a blank reason; it must be refused."""
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        call()
    assert refused.value.code == "reason_required"
    assert str(refused.value.message) == "请填写理由。"
    assert {k: [str(m) for m in v] for k, v in refused.value.fields.items()} == {
        "reason": ["必须填写理由。"]
    }


def assert_api_wants_a_reason(response: Any) -> None:
    """An API reject or return with a blank reason: 400 with the rule's error body."""
    assert response.status_code == 400, response.content
    assert response.json() == {
        "code": "reason_required",
        "message": "请填写理由。",
        "fields": {"reason": ["必须填写理由。"]},
    }
