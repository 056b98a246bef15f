"""An employer uploads a worker list with one bad row and sees the report.

On a phone-sized screen: the employer signs in, opens the verified enterprise, uploads a CSV
of three workers whose second row has a wrong ID number and an impossible date, and lands on
the report: two rows accepted, the bad row listed by its number with the ID number and the
start date as the fields at fault (in Chinese, the portal's first language). The two valid workers are declared; the bad one is not.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from employment import services
from employment.models import Employment
from residents.models import Person
from tests import factories
from tests.employment.conftest import bad_id, credit_code, worker_id

PASSWORD = "pass-for-tests-2026"


@pytest.mark.e2e
def test_an_employer_uploads_a_worker_list_and_sees_the_bad_row_reported(
    page, live_server, district_a, tmp_path, console_errors
):
    # Given: an employer whose enterprise human resources verified.
    boss = factories.UserFactory(username="boss_e2e", roles=["employer"])
    hr = factories.reviewer(department="human_resources", districts=[district_a], username="hr_e")
    employer = services.register_employer(
        actor=boss,
        name="温州鹿城鞋业有限公司",
        credit_code=credit_code(31),
        district_id=district_a.pk,
        trade="manufacturing",
        contact_name="陈经理",
        contact_phone="0577-88886666",
    )
    services.approve_employer(actor=hr, employer_id=employer.pk)
    started = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    workers = tmp_path / "workers.csv"
    workers.write_text(
        "姓名,身份证号,入职日期,岗位\n"
        f"赵磊,{worker_id(51)},{started},车工\n"
        f"钱芳,{bad_id(52)},2026-02-30,质检\n"
        f"孙伟,{worker_id(53)},{started},\n",
        encoding="utf-8-sig",
    )

    # When: the employer signs in, opens the enterprise and uploads the list.
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("boss_e2e")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("navigation").first).to_be_visible()
    page.goto("/employment/employers/")
    page.locator(f"a[href='/employment/employers/{employer.pk}/']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(employer.name)
    page.locator(f"a[href='/employment/employers/{employer.pk}/upload/']").click()
    page.locator("#id_action_0").check()
    page.locator("#id_file").set_input_files(str(workers))
    page.locator("main form button[type=submit]").click()

    # Then: the report shows two accepted and the bad row with both its fields.
    expect(page.locator(".upload-summary")).to_contain_text("2")
    rows = page.locator("table.reject-report tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").first).to_have_text("3")
    expect(rows.nth(1).locator("td").first).to_have_text("3")
    report = page.locator("table.reject-report")
    expect(report).to_contain_text("公民身份号码")
    expect(report).to_contain_text("入职日期")

    # ...and the valid rows are declared, the bad one is not.
    assert set(Employment.objects.values_list("person__name", flat=True)) == {"赵磊", "孙伟"}
    assert not Person.objects.filter(name="钱芳").exists()
    assert console_errors == []
