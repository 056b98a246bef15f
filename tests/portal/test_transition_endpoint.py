"""One transition endpoint shape: reason none / optional / required, scope and refusals."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory, force_authenticate

import tests.portal.kinds  # noqa: F401  (registers test_kind)
from portal.workflow import services
from portal.workflow.endpoints import transition_endpoint
from portal.workflow.models import Case, Status
from portal.workflow.selectors import cases_of_applicant


class CaseOut(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "status", "last_reason"]


SubmitApi = transition_endpoint(services.submit_case, output=CaseOut, lookup="case_id")
WithdrawApi = transition_endpoint(
    services.withdraw_case,
    output=CaseOut,
    lookup="case_id",
    reason="optional",
    scope=cases_of_applicant,
)
RejectApi = transition_endpoint(
    services.reject_case, output=CaseOut, lookup="case_id", reason="required"
)


def _post(view, user, pk, data=None, *, language="zh-hans"):
    request = APIRequestFactory().post("/", data or {}, format="json")
    force_authenticate(request, user=user)
    with translation.override(language):
        response = view.as_view()(request, pk=pk)
        response.render()
    return response


@pytest.fixture
def draft(resident, district_a):
    return services.create_case(
        kind="test_kind", applicant=resident, district=district_a, actor=resident
    )


@pytest.fixture
def submitted(draft, resident):
    return services.submit_case(case_id=draft.pk, actor=resident)


def test_without_a_reason_the_body_is_ignored(draft, resident):
    response = _post(SubmitApi, resident, draft.pk, {"reason": "x" * 5000})

    assert response.status_code == 200, response.content
    assert response.data == {"id": draft.pk, "status": Status.SUBMITTED, "last_reason": ""}
    assert draft.transitions.get(to_status=Status.SUBMITTED).reason == ""


def test_an_optional_reason_may_be_blank(draft, resident):
    response = _post(WithdrawApi, resident, draft.pk, {"reason": ""})

    assert response.status_code == 200, response.content
    assert response.data["status"] == Status.WITHDRAWN


def test_an_optional_reason_is_passed_on(draft, resident):
    response = _post(WithdrawApi, resident, draft.pk, {"reason": "moved away"})

    assert response.status_code == 200, response.content
    assert response.data["last_reason"] == "moved away"


def test_an_optional_reason_is_checked_for_shape(draft, resident):
    response = _post(WithdrawApi, resident, draft.pk, {"reason": "x" * 2001})

    assert response.status_code == 400
    assert set(response.data["fields"]) == {"reason"}
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize(
    ("language", "message", "field"),
    [
        ("zh-hans", "请填写理由。", "必须填写理由。"),
        ("en", "Please give a reason.", "A reason is required."),
    ],
)
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_a_required_reason_left_blank_is_refused_naming_the_field(
    submitted, police_a, language, message, field, body
):
    response = _post(RejectApi, police_a, submitted.pk, body, language=language)

    assert response.status_code == 400, response.content
    assert response.data == {
        "code": "reason_required",
        "message": message,
        "fields": {"reason": [field]},
    }
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_required_reason_given_moves_the_case(submitted, police_a):
    response = _post(RejectApi, police_a, submitted.pk, {"reason": "not resident here"})

    assert response.status_code == 200, response.content
    assert response.data["status"] == Status.REJECTED
    assert response.data["last_reason"] == "not resident here"


def test_another_users_case_is_not_found(draft, other_resident):
    response = _post(WithdrawApi, other_resident, draft.pk)

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_reviewer_of_another_district_does_not_find_the_case(submitted, police_b):
    response = _post(RejectApi, police_b, submitted.pk, {"reason": "no"})

    assert response.status_code == 404


def test_a_move_the_table_refuses_is_a_conflict(submitted, resident, police_a):
    services.reject_case(case_id=submitted.pk, actor=police_a, reason="no")

    response = _post(WithdrawApi, resident, submitted.pk)

    assert response.status_code == 409
    assert response.data["code"] == "conflict"


def test_an_unknown_reason_mode_is_refused_when_the_endpoint_is_built():
    with pytest.raises(ValueError, match="reason"):
        transition_endpoint(services.submit_case, output=CaseOut, reason="maybe")
