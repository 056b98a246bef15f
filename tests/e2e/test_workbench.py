"""The reviewer's main path on a phone: filter the work table, sort it, open a case, try to
reject it without a reason and see why not, then reject it with one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.workflow import services
from portal.workflow.models import Case, Status
from tests.e2e import axe
from tests.portal.kinds import TEST_KIND

PASSWORD = "pass-for-tests-2026"


def _sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"您好，{username}")


def _fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def _no_violations(page) -> None:
    found = axe.violations(page)
    assert not found, axe.report(found)


def _references(page) -> list[str]:
    return page.locator("#case-list tbody th a").all_inner_texts()


@pytest.mark.e2e
def test_a_reviewer_filters_sorts_and_rejects_on_a_phone(
    page, console_errors, police_a, resident, district_a
):
    cases = []
    for subject in ("张三", "李四", "王五"):
        case = services.create_case(
            kind=TEST_KIND.code,
            applicant=resident,
            district=district_a,
            subject=subject,
            actor=resident,
        )
        cases.append(services.submit_case(case_id=case.pk, actor=resident))
    late = cases[1]
    # submitted long ago: its due date (ten working days on) has passed
    Case.objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=3),
        submitted_at=timezone.now() - dt.timedelta(days=20),
    )

    _sign_in(page, "police_a")
    page.goto("/work/")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.locator("#case-list tbody tr")).to_have_count(3)
    assert _fits_the_phone(page)
    _no_violations(page)

    # Filter: only the overdue case is left, and the count is announced.
    page.get_by_text("筛选和排序").click()
    page.get_by_label("已超期").select_option("true")
    expect(page.locator("#case-list tbody tr")).to_have_count(1)
    expect(page.locator("#case-list-status")).to_have_text("共 1 件符合条件。")
    assert _references(page) == [late.reference]
    assert "overdue=true" in page.url
    page.get_by_label("已超期").select_option("unknown")
    expect(page.locator("#case-list tbody tr")).to_have_count(3)

    # Sort: by reference number, then the other way round.
    page.get_by_label("排序方式").select_option("reference")
    expect(page.locator("#case-list tbody tr").first).to_contain_text(cases[0].reference)
    page.get_by_label("排序方式").select_option("-reference")
    expect(page.locator("#case-list tbody tr").first).to_contain_text(cases[2].reference)
    assert _references(page) == [c.reference for c in reversed(cases)]
    _no_violations(page)

    # Open a case.
    target = cases[2]
    page.get_by_role("link", name=target.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(target.reference)
    assert _fits_the_phone(page)
    _no_violations(page)

    # Reject without a reason: the error shows in the open form and takes the focus.
    reject = page.locator("#decision-reject")
    reject.locator("summary").click()
    reject.get_by_role("button", name="不予通过").click()
    alert = reject.get_by_role("alert")
    expect(alert).to_contain_text("必须填写理由")
    expect(reject).to_have_attribute("open", "")
    expect(alert).to_be_focused()
    expect(reject.get_by_label("不予通过的理由")).to_have_attribute(
        "aria-describedby", re.compile("id_reject-reason_error")
    )
    _no_violations(page)
    target.refresh_from_db()
    assert target.status == Status.SUBMITTED

    # Reject with a reason.
    reject.get_by_label("不予通过的理由").fill("所附材料与申请人不符")
    reject.get_by_role("button", name="不予通过").click()
    expect(page.get_by_role("status").first).to_contain_text("已作出不予通过决定。")
    expect(page.locator(".facts")).to_contain_text("未通过")
    expect(page.get_by_text("所附材料与申请人不符")).to_be_visible()
    _no_violations(page)
    target.refresh_from_db()
    assert (target.status, target.last_reason) == (Status.REJECTED, "所附材料与申请人不符")
    assert console_errors == []
