"""The workbench as a work table: scope, columns, sorting, filters, paging, the Excel export,
the decision forms and the applicant's page of one case."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.workflow import services, views
from portal.workflow.models import Status
from portal.workflow.registry import ApplicationKind, register_kind
from residents.services import persons
from tests import factories
from tests.portal.kinds import TEST_KIND

SHANGHAI = ZoneInfo("Asia/Shanghai")
ID_NUMBER = factories.make_id_number(birth=dt.date(1990, 5, 17), seq=123)

register_kind(
    ApplicationKind(
        code="test_issuing_kind",
        label="Test issuing kind",
        department="public_security",
        prefix="TSI",
        due_days=10,
        extra={"issued_link": lambda case: ("The test certificate", f"/certificates/{case.pk}/")},
    )
)


def submit(applicant, district, *, kind=TEST_KIND.code, subject="张三"):
    case = services.create_case(
        kind=kind, applicant=applicant, district=district, subject=subject, actor=applicant
    )
    return services.submit_case(case_id=case.pk, actor=applicant)


def references(response) -> list[str]:
    """The reference numbers of the table's rows, in order."""
    body = response.content.decode()
    return re.findall(r'class="case-ref">([A-Z]+-\d{4}-\d{6})<', body)


def sheet_rows(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


def table_part(rows: list[tuple]) -> tuple[tuple, list[tuple]]:
    """The heading row and the data rows of an exported sheet (after the filter lines and the
    blank row that ends them)."""
    start = next(i for i, row in enumerate(rows) if all(cell is None for cell in row)) + 1
    return rows[start], rows[start + 1 :]


@pytest.fixture
def person(resident):
    return persons.create_own_person(actor=resident, name="张三", id_number=ID_NUMBER)


@pytest.fixture
def three_cases(resident, district_a, time_machine):
    """Submitted on 2 March (due 16 March), 5 March (due 19 March) and 10 March (due 24 March)."""
    made = []
    for day in (2, 5, 10):
        time_machine.move_to(dt.datetime(2026, 3, day, 9, 0, tzinfo=SHANGHAI), tick=False)
        made.append(submit(resident, district_a))
    return made


# --- scope ----------------------------------------------------------------------------------


def test_reviewers_of_another_district_or_department_get_no_rows_and_no_case(
    client, police_b, housing_a, resident, district_a
):
    case = submit(resident, district_a)
    for outsider in (police_b, housing_a):
        client.force_login(outsider)
        assert references(client.get(reverse("workflow:workbench"), {"status": "submitted"})) == []
        assert client.get(reverse("workflow:case_detail", args=[case.pk])).status_code == 404
        assert (
            client.post(
                reverse("workflow:case_decide", args=[case.pk, "reject"]), {"reject-reason": "x"}
            )
        ).status_code == 404
        export = client.get(reverse("workflow:workbench_export"), {"q": case.reference})
        assert export.status_code == 200
        _heading, rows = table_part(sheet_rows(export))
        assert rows == []
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_a_resident_gets_neither_the_table_nor_the_export(client, resident):
    client.force_login(resident)
    assert client.get(reverse("workflow:workbench")).status_code == 403
    assert client.get(reverse("workflow:workbench_export")).status_code == 403


# --- columns --------------------------------------------------------------------------------


def test_the_table_shows_the_columns_and_the_applicant_masked(
    client, police_a, resident, person, district_a
):
    case = submit(resident, district_a)
    client.force_login(police_a)

    body = client.get(reverse("workflow:workbench")).content.decode()

    for heading in ("办件编号", "事项类型", "申请人", "区域", "已提交", "办结时限", "办理状态"):
        assert f">{heading}<" in body or f">{heading}<span" in body, heading
    assert case.reference in body
    assert f"张三 ({person.id_masked})" in body
    assert person.id_masked == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert ID_NUMBER not in body
    assert "19900517" not in body


def test_the_table_holds_a_bounded_number_of_rows_per_page(
    client, police_a, resident, district_a, django_assert_max_num_queries
):
    for _ in range(12):
        submit(resident, district_a)
    client.force_login(police_a)

    assert len(references(client.get(reverse("workflow:workbench"), {"per_page": "10"}))) == 10
    assert len(references(client.get(reverse("workflow:workbench"), {"per_page": "5000"}))) == 12
    second = client.get(reverse("workflow:workbench"), {"per_page": "10", "page": "2"})
    assert len(references(second)) == 2
    with django_assert_max_num_queries(12):
        client.get(reverse("workflow:workbench"), {"per_page": "100"})


# --- sorting --------------------------------------------------------------------------------


def test_the_table_sorts_by_each_column_both_ways(client, police_a, three_cases):
    first, second, third = three_cases
    in_order = [first.reference, second.reference, third.reference]
    client.force_login(police_a)

    def sorted_by(key):
        return references(
            client.get(reverse("workflow:workbench"), {"sort": key, "status": "submitted"})
        )

    assert sorted_by("due") == in_order
    assert sorted_by("-due") == in_order[::-1]
    assert sorted_by("submitted") == in_order
    assert sorted_by("-submitted") == in_order[::-1]
    assert sorted_by("reference") == in_order
    assert sorted_by("-reference") == in_order[::-1]
    # equal kind, area and status: the case id decides, so pages never overlap
    assert sorted_by("kind") == in_order
    assert sorted_by("-area") == in_order[::-1]
    assert sorted_by("status") == in_order


def test_status_sorts_by_the_lifecycle_and_an_unknown_key_by_due_date(
    client, police_a, three_cases
):
    first, second, third = three_cases
    services.start_review(case_id=first.pk, actor=police_a)
    client.force_login(police_a)

    by_status = references(
        client.get(
            reverse("workflow:workbench"), {"sort": "status", "status": ["submitted", "in_review"]}
        )
    )
    unknown = references(
        client.get(reverse("workflow:workbench"), {"sort": "applicant_name; drop"})
    )

    assert by_status == [second.reference, third.reference, first.reference]
    assert unknown == [first.reference, second.reference, third.reference]


def test_the_column_heading_says_how_the_table_is_sorted(client, police_a, three_cases):
    client.force_login(police_a)
    body = client.get(reverse("workflow:workbench"), {"sort": "-due"}).content.decode()
    assert re.search(r'aria-sort="descending">\s*<a href="\?[^"]*sort=due"', body)
    assert body.count('aria-sort="none"') == 5


# --- filters --------------------------------------------------------------------------------


def test_the_kind_filter_offers_only_the_kinds_of_the_department(client, police_a, district_a):
    from schooling.services import applications as school_applications

    education_a = factories.reviewer(
        department="education", districts=[district_a], username="education_a"
    )
    client.force_login(police_a)
    police_page = client.get(reverse("workflow:workbench")).content.decode()
    client.force_login(education_a)
    education_page = client.get(reverse("workflow:workbench")).content.decode()

    assert f'value="{TEST_KIND.code}"' in police_page
    assert f'value="{school_applications.KIND}"' not in police_page
    assert f'value="{school_applications.KIND}"' in education_page
    assert f'value="{TEST_KIND.code}"' not in education_page


def test_a_kind_of_another_department_is_refused_and_shows_nothing_more(
    client, police_a, resident, district_a
):
    from schooling.services import applications as school_applications

    case = submit(resident, district_a)
    client.force_login(police_a)

    response = client.get(reverse("workflow:workbench"), {"kind": school_applications.KIND})

    assert 'class="error-summary"' in response.content.decode()
    assert references(response) == [case.reference]  # the refused filter is not applied


def test_the_overdue_filter_keeps_cases_waiting_past_the_working_day_due_date(
    client, police_a, resident, district_a, time_machine
):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
    late = submit(resident, district_a)  # due 16 March: ten working days
    late_in_review = submit(resident, district_a)
    services.start_review(case_id=late_in_review.pk, actor=police_a)
    decided = submit(resident, district_a)
    services.approve_case(case_id=decided.pk, actor=police_a)
    returned = submit(resident, district_a)
    services.return_case(case_id=returned.pk, actor=police_a, reason="请补充劳动合同")
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI), tick=False)
    not_yet_due = submit(resident, district_a)  # due 24 March
    client.force_login(police_a)

    time_machine.move_to(dt.datetime(2026, 3, 16, 18, 0, tzinfo=SHANGHAI), tick=False)
    on_the_due_day = references(client.get(reverse("workflow:workbench"), {"overdue": "true"}))
    time_machine.move_to(dt.datetime(2026, 3, 17, 9, 0, tzinfo=SHANGHAI), tick=False)
    page = client.get(reverse("workflow:workbench"), {"overdue": "true"})
    others = references(client.get(reverse("workflow:workbench"), {"overdue": "false"}))

    assert on_the_due_day == []
    assert sorted(references(page)) == sorted([late.reference, late_in_review.reference])
    assert sorted(others) == sorted([decided.reference, returned.reference, not_yet_due.reference])
    body = page.content.decode()
    assert "已超期" in body
    assert "工作日" in body  # the help text says how the due date is counted


# --- export ---------------------------------------------------------------------------------


def test_the_export_has_the_columns_rows_and_order_of_the_filtered_table(
    client, police_a, police_b, resident, person, district_a, district_b, three_cases, caplog
):
    elsewhere = submit(resident, district_b)
    first, second, third = three_cases
    services.approve_case(case_id=second.pk, actor=police_a)
    client.force_login(police_a)
    query = {"sort": "-due", "status": ["submitted", "approved"]}

    with caplog.at_level(logging.INFO, logger="portal.workflow.exports"):
        response = client.get(reverse("workflow:workbench_export"), query)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    heading, rows = table_part(sheet_rows(response))
    assert heading == ("办件编号", "事项类型", "申请人", "区域", "已提交", "办结时限", "办理状态")
    assert [row[0] for row in rows] == references(client.get(reverse("workflow:workbench"), query))
    assert [row[0] for row in rows] == [third.reference, second.reference, first.reference]
    assert elsewhere.reference not in {row[0] for row in rows}
    assert rows[0][2] == f"张三 ({person.id_masked})"
    assert rows[0][5] == "2026-03-24"
    assert rows[1][6] == "已通过"
    assert ID_NUMBER not in str(sheet_rows(response))
    assert [r.getMessage() for r in caplog.records if r.name == "portal.workflow.exports"] == [
        f"workbench export by user {police_a.pk} (public_security): 3 rows, filters "
        "sort=-due&status=submitted&status=approved"
    ]


def test_the_export_is_bounded_and_says_so(client, police_a, three_cases, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_LIMIT", 2)
    client.force_login(police_a)

    rows = sheet_rows(client.get(reverse("workflow:workbench_export")))

    _heading, data = table_part(rows)
    assert len(data) == 2
    assert any(row[0] == "行数" and "3" in str(row[1]) for row in rows)


# --- decisions ------------------------------------------------------------------------------


def test_rejecting_without_a_reason_answers_htmx_with_the_error_in_the_form(
    client, police_a, resident, district_a
):
    case = submit(resident, district_a)
    client.force_login(police_a)

    response = client.post(
        reverse("workflow:case_decide", args=[case.pk, "reject"]),
        {"reject-reason": "   "},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "data-error-summary" in body
    assert "必须填写理由" in body
    assert 'id="id_reject-reason"' in body
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_rejecting_without_a_reason_without_javascript_shows_the_page_with_the_form_open(
    client, police_a, resident, district_a
):
    case = submit(resident, district_a)
    client.force_login(police_a)

    response = client.post(reverse("workflow:case_decide", args=[case.pk, "return"]), {})

    body = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<details class="decision" id="decision-return" open>', body)
    assert not re.search(r'<details class="decision" id="decision-reject" open>', body)
    assert "data-error-summary" in body
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_rejecting_with_a_reason_records_it(client, police_a, resident, district_a):
    case = submit(resident, district_a)
    client.force_login(police_a)

    htmx = client.post(
        reverse("workflow:case_decide", args=[case.pk, "reject"]),
        {"reject-reason": "材料不符"},
        headers={"HX-Request": "true"},
    )

    assert htmx.status_code == 204
    assert htmx["HX-Redirect"] == reverse("workflow:case_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == Status.REJECTED
    assert case.last_reason == "材料不符"


def test_deciding_a_decided_case_shows_the_conflict_on_the_case_page(
    client, police_a, resident, district_a
):
    case = submit(resident, district_a)
    services.approve_case(case_id=case.pk, actor=police_a)
    client.force_login(police_a)

    response = client.post(
        reverse("workflow:case_decide", args=[case.pk, "reject"]),
        {"reject-reason": "材料不符"},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("workflow:case_detail", args=[case.pk]), 302)]
    assert 'class="message message--error" role="alert"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.APPROVED


# --- the applicant's page -------------------------------------------------------------------


def test_the_applicant_page_links_to_what_an_approved_case_issued(
    client, police_a, resident, district_a
):
    case = submit(resident, district_a, kind="test_issuing_kind")
    client.force_login(resident)
    before = client.get(reverse("workflow:my_case", args=[case.pk])).content.decode()
    services.approve_case(case_id=case.pk, actor=police_a)

    after = client.get(reverse("workflow:my_case", args=[case.pk])).content.decode()

    assert f"/certificates/{case.pk}/" not in before
    assert f'href="/certificates/{case.pk}/"' in after
    assert "The test certificate" in after
    assert "css/workbench.css" in after


def test_housing_staff_are_not_offered_school_places_either(client, housing_a):
    from schooling.services import applications as school_applications

    client.force_login(housing_a)
    page = client.get(reverse("workflow:workbench")).content.decode()
    assert f'value="{school_applications.KIND}"' not in page
    assert f'value="{TEST_KIND.code}"' not in page


def test_the_table_speaks_english_on_the_switch(client, police_a, resident, district_a):
    submit(resident, district_a)
    client.force_login(police_a)

    body = client.get(
        reverse("workflow:workbench"), headers={"Accept-Language": "en"}
    ).content.decode()

    assert ">Reference number<" in body
    assert "Filter and sort" in body
    assert "1 application matches." in body
