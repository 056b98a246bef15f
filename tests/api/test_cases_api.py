"""The staff work queue and an applicant's own applications."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.workflow import services
from portal.workflow.registry import ApplicationKind, register_kind
from tests import factories
from tests.api.conftest import assert_error_body

register_kind(
    ApplicationKind(
        code="api_test_kind",
        label="API test kind",
        department="public_security",
        prefix="APT",
        due_days=10,
    )
)
register_kind(
    ApplicationKind(
        code="api_test_other_kind",
        label="API other kind",
        department="public_security",
        prefix="APO",
        due_days=20,
    )
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUEUE = "/api/v1/cases/"
MINE = "/api/v1/my-cases/"


def draft(applicant, district, *, kind="api_test_kind", subject=""):
    return services.create_case(
        kind=kind, applicant=applicant, district=district, subject=subject, actor=applicant
    )


def submitted(applicant, district, *, kind="api_test_kind", subject=""):
    case = draft(applicant, district, kind=kind, subject=subject)
    return services.submit_case(case_id=case.pk, actor=applicant)


def references(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


@pytest.fixture
def as_police_a(api_client, police_a):
    api_client.force_authenticate(police_a)
    return api_client


def test_a_reviewer_sees_submitted_cases_of_their_department_and_districts(
    as_police_a, resident, district_a, district_b
):
    mine = submitted(resident, district_a, subject="居住证申领")
    submitted(resident, district_b)
    draft(resident, district_a)

    response = as_police_a.get(QUEUE)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    row = response.json()["results"][0]
    assert row == {
        "id": mine.pk,
        "kind": "api_test_kind",
        "kind_label": "API test kind",
        "reference": mine.reference,
        "status": "submitted",
        "status_label": row["status_label"],
        "department": {"code": "public_security", "name": mine.department.name},
        "district": {"code": district_a.code, "name": "第1区"},
        "applicant": "resident_t",
        "subject": "居住证申领",
        "submitted_at": row["submitted_at"],
        "due_date": mine.due_date.isoformat(),
        "decided_at": None,
    }
    assert row["status_label"]
    assert row["submitted_at"] is not None


def test_a_reviewer_of_another_department_sees_nothing_of_it(
    api_client, housing_a, resident, district_a
):
    submitted(resident, district_a)
    api_client.force_authenticate(housing_a)

    assert api_client.get(QUEUE).json()["count"] == 0


def test_a_resident_is_refused_the_work_queue(api_client, resident, district_a):
    submitted(resident, district_a)
    api_client.force_authenticate(resident)

    response = api_client.get(QUEUE)

    assert response.status_code == 403
    assert_error_body(response.json(), code="permission_denied")


def test_a_grid_officer_is_refused_the_work_queue(api_client, officer_a):
    api_client.force_authenticate(officer_a)

    response = api_client.get(QUEUE)

    assert response.status_code == 403
    assert_error_body(response.json(), code="permission_denied")


def test_the_queue_is_ordered_by_due_date_then_submission(
    as_police_a, resident, district_a, time_machine
):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
    due_later = submitted(resident, district_a, kind="api_test_other_kind")  # due 03-22
    time_machine.move_to(dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI), tick=False)
    due_first = submitted(resident, district_a)  # due 03-13
    time_machine.move_to(dt.datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
    due_first_later_submitted = submitted(resident, district_a)  # due 03-13

    response = as_police_a.get(QUEUE)

    assert references(response) == [
        due_first.reference,
        due_first_later_submitted.reference,
        due_later.reference,
    ]


def test_the_queue_filters_by_kind_and_by_several_statuses(
    as_police_a, police_a, resident, district_a
):
    waiting = submitted(resident, district_a)
    taken = submitted(resident, district_a)
    services.start_review(case_id=taken.pk, actor=police_a)
    decided = submitted(resident, district_a)
    services.approve_case(case_id=decided.pk, actor=police_a)
    other_kind = submitted(resident, district_a, kind="api_test_other_kind")

    open_ones = as_police_a.get(QUEUE, {"status": ["submitted", "in_review"]})
    of_kind = as_police_a.get(QUEUE, {"kind": "api_test_other_kind"})

    assert sorted(references(open_ones)) == sorted(
        [waiting.reference, taken.reference, other_kind.reference]
    )
    assert references(of_kind) == [other_kind.reference]


def test_the_queue_filters_by_district(api_client, resident, district_a, district_b):
    both = factories.reviewer(
        department="public_security", districts=[district_a, district_b], username="police_ab"
    )
    in_a = submitted(resident, district_a)
    submitted(resident, district_b)
    api_client.force_authenticate(both)

    response = api_client.get(QUEUE, {"district": district_a.code})

    assert references(response) == [in_a.reference]


def test_the_queue_filters_overdue_cases(as_police_a, police_a, resident, district_a, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
    late = submitted(resident, district_a)  # due 03-16, ten working days later
    decided_in_time = submitted(resident, district_a)
    services.approve_case(case_id=decided_in_time.pk, actor=police_a)
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI), tick=False)
    not_yet_due = submitted(resident, district_a)  # due 03-24
    time_machine.move_to(dt.datetime(2026, 3, 17, 9, 0, tzinfo=SHANGHAI), tick=False)

    overdue = as_police_a.get(QUEUE, {"overdue": "true"})
    not_overdue = as_police_a.get(QUEUE, {"overdue": "false"})

    assert references(overdue) == [late.reference]
    assert sorted(references(not_overdue)) == sorted(
        [decided_in_time.reference, not_yet_due.reference]
    )


def test_the_queue_filters_by_due_and_submission_dates(
    as_police_a, resident, district_a, time_machine
):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
    early = submitted(resident, district_a)  # due 03-16, ten working days later
    time_machine.move_to(dt.datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI), tick=False)
    late = submitted(resident, district_a)  # due 03-19

    due_by = as_police_a.get(QUEUE, {"due_before": "2026-03-16"})
    since = as_police_a.get(QUEUE, {"submitted_after": "2026-03-05"})

    assert references(due_by) == [early.reference]
    assert references(since) == [late.reference]


def test_the_queue_finds_a_case_by_the_start_of_its_reference(as_police_a, resident, district_a):
    wanted = submitted(resident, district_a, kind="api_test_other_kind")
    submitted(resident, district_a)

    response = as_police_a.get(QUEUE, {"q": wanted.reference[:4].lower()})

    assert references(response) == [wanted.reference]


def test_an_unknown_status_filter_is_refused_in_the_error_format(as_police_a, district_a):
    response = as_police_a.get(QUEUE, {"status": "lost"})

    assert response.status_code == 400
    assert_error_body(response.json(), code="invalid")
    assert list(response.json()["fields"]) == ["status"]


def test_the_queue_comes_in_pages_of_fifty(as_police_a, resident, district_a):
    for _ in range(51):
        submitted(resident, district_a)

    first = as_police_a.get(QUEUE).json()
    second = as_police_a.get(first["next"]).json()

    assert first["count"] == 51
    assert len(first["results"]) == 50
    assert len(second["results"]) == 1
    assert first["previous"] is None


@pytest.mark.parametrize("rows", [3, 30])
def test_queue_queries_do_not_grow_with_rows(
    as_police_a, resident, district_a, rows, django_assert_max_num_queries
):
    for n in range(rows):
        submitted(
            factories.UserFactory(),
            district_a,
            kind=("api_test_kind", "api_test_other_kind")[n % 2],
        )

    # the count, the page
    with django_assert_max_num_queries(2):
        response = as_police_a.get(QUEUE, {"status": ["submitted"], "overdue": "false"})

    assert response.json()["count"] == rows


def test_a_case_in_scope_shows_its_history(as_police_a, police_a, resident, district_a):
    case = submitted(resident, district_a)
    services.return_case(case_id=case.pk, actor=police_a, reason="照片不清晰")

    response = as_police_a.get(f"{QUEUE}{case.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == case.reference
    assert body["status"] == "returned"
    assert body["reviewer"] == "police_a"
    assert body["last_reason"] == "照片不清晰"
    steps = [(s["status"], s["actor"], s["reason"]) for s in body["timeline"]]
    assert steps == [
        ("draft", "resident_t", ""),
        ("submitted", "resident_t", ""),
        ("in_review", "police_a", ""),
        ("returned", "police_a", "照片不清晰"),
    ]
    assert all(s["status_label"] and s["at"] for s in body["timeline"])


@pytest.mark.parametrize("outsider", ["police_b", "housing_a"])
def test_a_reviewer_outside_the_scope_gets_not_found(
    api_client, resident, district_a, outsider, request
):
    case = submitted(resident, district_a)
    api_client.force_authenticate(request.getfixturevalue(outsider))

    response = api_client.get(f"{QUEUE}{case.pk}/")

    assert response.status_code == 404
    assert_error_body(response.json(), code="not_found")


def test_a_draft_is_not_in_the_queue_even_by_its_id(as_police_a, resident, district_a):
    case = draft(resident, district_a)

    assert as_police_a.get(f"{QUEUE}{case.pk}/").status_code == 404


def test_a_resident_is_refused_a_case_detail_from_the_queue(api_client, resident, district_a):
    case = submitted(resident, district_a)
    api_client.force_authenticate(resident)

    response = api_client.get(f"{QUEUE}{case.pk}/")

    assert response.status_code == 403
    assert_error_body(response.json(), code="permission_denied")


def test_an_applicant_lists_their_own_cases_drafts_included(
    api_client, resident, other_resident, district_a
):
    first = submitted(resident, district_a)
    second = draft(resident, district_a)
    submitted(other_resident, district_a)
    api_client.force_authenticate(resident)

    response = api_client.get(MINE)

    assert response.status_code == 200
    assert references(response) == [second.reference, first.reference]
    assert response.json()["results"][0]["applicant"] == "resident_t"


def test_an_applicant_filters_their_cases_by_status(api_client, resident, district_a):
    sent = submitted(resident, district_a)
    draft(resident, district_a)
    api_client.force_authenticate(resident)

    response = api_client.get(MINE, {"status": "submitted"})

    assert references(response) == [sent.reference]


def test_an_applicant_follows_the_progress_of_their_case(
    api_client, resident, police_a, district_a
):
    case = submitted(resident, district_a)
    services.reject_case(case_id=case.pk, actor=police_a, reason="不符合条件")
    api_client.force_authenticate(resident)

    body = api_client.get(f"{MINE}{case.pk}/").json()

    assert body["status"] == "rejected"
    assert body["last_reason"] == "不符合条件"
    steps = [(s["status"], s["by_applicant"], s["reason"]) for s in body["timeline"]]
    assert steps == [
        ("draft", True, ""),
        ("submitted", True, ""),
        ("in_review", False, ""),
        ("rejected", False, "不符合条件"),
    ]
    assert "actor" not in body["timeline"][0]
    assert "reviewer" not in body


def test_another_residents_case_is_not_found(api_client, resident, other_resident, district_a):
    case = submitted(resident, district_a)
    api_client.force_authenticate(other_resident)

    response = api_client.get(f"{MINE}{case.pk}/")

    assert response.status_code == 404
    assert_error_body(response.json(), code="not_found")


@pytest.mark.parametrize("rows", [3, 30])
def test_my_cases_queries_do_not_grow_with_rows(
    api_client, resident, district_a, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        submitted(resident, district_a)
    api_client.force_authenticate(resident)

    # the count, the page
    with django_assert_max_num_queries(2):
        response = api_client.get(MINE)

    assert response.json()["count"] == rows
