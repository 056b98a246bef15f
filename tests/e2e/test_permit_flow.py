"""A new resident registers their residence, and seven months later gets a residence permit.

The whole journey through the pages on a phone-sized screen: registration in the past (with
time-machine, which the live server's thread sees too), the application at the present, a
public-security reviewer's approval in the workbench, the electronic permit and its public
QR verification page.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.periods import add_months
from portal.workflow.models import Status
from residents.models import Permit, PermitApplication, Person, Registration
from tests import factories
from tests.uploads import use_upload_root

PASSWORD = "pass-for-tests-2026"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NAME = "林晓燕"
ID_NUMBER = factories.make_id_number(birth=dt.date(1994, 3, 18), seq=124)  # even: female

# A 1x1 JPEG and a one-page PDF: small, but real files of their kind.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP////////////////////////////////////////////////////"
    "//////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgB"
    "AQABPxA="
)


def _pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def sign_in(page: Page, username: str, shown: str = "") -> None:
    """Sign in; the page greets the user by `shown` (their registered name, once they have one)."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"您好，{shown or username}")


def sign_out(page: Page, shown: str) -> None:
    page.get_by_text(f"我的账号（{shown}）").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("navigation", name="主菜单")).to_have_count(0)


def nav(page: Page, label: str) -> None:
    """Follow `label` from the header menu, or from the home page's list of services when the
    page is not one of the few the menu holds."""
    link = page.get_by_role("navigation", name="主菜单").get_by_role("link", name=label)
    if link.count() == 0:
        page.goto("/")
        link = page.get_by_role("region", name="服务").get_by_role("link", name=label, exact=True)
    link.click()


@pytest.mark.e2e
def test_a_resident_registered_for_seven_months_gets_a_permit_that_verifies_as_valid(
    page, live_server, settings, tmp_path, district_a, grid_a, grid_b, console_errors
):
    # Given: a resident account, a standard address in district A (and a look-alike in
    # district B), a public-security reviewer of district A, and the files to upload.
    use_upload_root(settings, tmp_path / "uploads")
    address = factories.AddressFactory(
        grid=grid_a, road="学院路", number="88", building="3", unit="2", room="502"
    )
    factories.AddressFactory(grid=grid_b, road="学院中路", number="7", room="101")
    factories.UserFactory(username="xiaoyan", phone="+8613957712345", phone_verified=True)
    police = factories.reviewer(
        department="public_security", districts=[district_a], username="police_a"
    )
    police.phone, police.phone_verified = "+8613957700088", True
    police.save(update_fields=["phone", "phone_verified"])
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(JPEG)
    contract = tmp_path / "labour-contract.pdf"
    contract.write_bytes(_pdf())
    heading = page.get_by_role("heading", level=1)
    main = page.get_by_role("main")

    today = timezone.localdate()
    registered_on = add_months(today, -7)

    # When: seven months ago, the resident enters their details and registers the address.
    with time_machine.travel(
        dt.datetime.combine(registered_on, dt.time(10, 0), tzinfo=SHANGHAI), tick=True
    ):
        sign_in(page, "xiaoyan")
        nav(page, "我的居住登记")
        expect(heading).to_have_text("我的居住登记")
        main.get_by_role("link", name="填写本人信息").click()

        expect(heading).to_have_text("填写本人信息")
        page.get_by_label("姓名").fill(NAME)
        page.get_by_label("公民身份号码").fill(ID_NUMBER)
        page.get_by_role("button", name="下一步").click()

        expect(heading).to_have_text("核对信息")
        expect(main).to_contain_text("1994-03-18")
        expect(main).to_contain_text("女")
        page.get_by_role("button", name="确认保存").click()

        expect(heading).to_have_text("办理居住登记")
        expect(page.get_by_role("status").first).to_contain_text("个人信息已保存")
        search_hint = page.get_by_text("请先在上方搜索地址，再在此处选择。")
        expect(search_hint).to_be_visible()
        page.wait_for_load_state()  # htmx is deferred: let it take up the search box first
        page.get_by_label("查找您的居住地址").fill("学院路 88")
        choice = page.get_by_label(re.compile("学院路88号3幢2单元502室"))
        expect(choice).to_be_visible()
        expect(page.get_by_label(re.compile("学院中路"))).to_have_count(0)
        expect(search_hint).to_have_count(0)
        choice.check()
        expect(page.get_by_label("居住起始日期")).to_have_value(registered_on.isoformat())
        page.get_by_role("button", name="下一步").click()

        expect(heading).to_have_text("核对信息")
        expect(main).to_contain_text("学院路88号3幢2单元502室")
        expect(main).to_contain_text(registered_on.isoformat())
        page.get_by_role("button", name="确认登记").click()

        expect(heading).to_contain_text("居住登记凭证")
        expect(main).to_contain_text("学院路88号3幢2单元502室")
        expect(main).to_contain_text(district_a.name)
        sign_out(page, NAME)

    person = Person.objects.get(name=NAME)
    registration = Registration.objects.get(person=person)
    assert (registration.address, registration.start_date) == (address, registered_on)

    # When: at the present, the resident reads the service guide and applies on the basis of
    # employment, with a photo and a labour contract.
    sign_in(page, "xiaoyan", NAME)
    nav(page, "居住证申领")
    expect(page.get_by_role("heading", name="办事指南")).to_be_visible()
    card = main.get_by_role("listitem").filter(has_text=NAME)
    expect(card).to_contain_text("现在可以申领")
    card.get_by_role("link", name="开始申领").click()

    expect(page.get_by_label("为谁申领")).to_have_value(str(person.pk))
    page.get_by_label("合法稳定就业").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写工作单位、住所或就读学校")
    page.get_by_label("工作单位、住所或就读学校").fill("温州青山电子有限公司")
    page.get_by_role("button", name="下一步").click()

    reference = re.compile(r"JZZ-\d{4}-\d+")
    expect(heading).to_contain_text(reference)
    page.get_by_label("材料类型").select_option(label="照片")
    page.get_by_label("文件").set_input_files(photo)
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_role("status").first).to_contain_text("文件已上传")
    page.get_by_label("材料类型").select_option(label="就业、住所或就读证明")
    page.get_by_label("文件").set_input_files(contract)
    page.get_by_role("button", name="上传").click()
    expect(main.get_by_role("link", name=re.compile("labour-contract.pdf"))).to_be_visible()
    expect(main.get_by_role("link", name=re.compile("photo.jpg"))).to_be_visible()
    main.get_by_role("link", name="核对并提交").click()

    expect(heading).to_have_text("核对信息")
    expect(main).to_contain_text("温州青山电子有限公司")
    expect(main).to_contain_text("学院路88号3幢2单元502室")
    expect(page.get_by_text("提交前请补齐")).to_have_count(0)
    page.get_by_role("button", name="提交申请").click()

    expect(heading).to_have_text("申请已提交")
    number = page.locator(".receipt__reference").inner_text()
    assert reference.fullmatch(number)
    case = PermitApplication.objects.get(person=person).case
    assert (case.reference, case.status) == (number, Status.SUBMITTED)
    expect(main).to_contain_text(f"承诺于 {case.due_date:%Y-%m-%d} 前办结")
    sign_out(page, NAME)

    # When: the reviewer of district A finds the case in the workbench, accepts and approves it.
    sign_in(page, "police_a")
    nav(page, "工作台")
    expect(heading).to_have_text("工作台")
    main.get_by_role("link", name=re.compile(number)).click()

    expect(heading).to_contain_text(number)
    expect(main).to_contain_text("温州青山电子有限公司")
    page.get_by_role("button", name="受理").click()
    expect(page.get_by_role("button", name="受理")).to_have_count(0)
    expect(page.get_by_role("status").first).to_contain_text("审批结果已记录")
    page.get_by_role("button", name="通过并签发居住证").click()
    expect(page.get_by_role("button", name="通过并签发居住证")).to_have_count(0)
    expect(page.get_by_role("status").first).to_contain_text("审批结果已记录")
    expect(main).to_contain_text("已通过")
    sign_out(page, "police_a")

    permit = Permit.objects.get(person=person)
    assert permit.district == district_a
    assert permit.issued_on == today

    # Then: the resident sees the electronic permit with its QR code, and the public check
    # page it links to says the permit is valid, with name and ID number masked.
    sign_in(page, "xiaoyan", NAME)
    nav(page, "我的居住证")
    main.get_by_role("link", name=NAME).click()

    expect(heading).to_have_text("电子居住证")
    expect(main).to_contain_text(permit.number)
    qr = main.get_by_role("img", name="居住证核验二维码")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    holder_photo = main.get_by_role("img", name="持证人照片")
    expect(holder_photo).to_be_visible()
    page.wait_for_load_state()
    assert holder_photo.evaluate("img => img.naturalWidth") == 1  # the uploaded 1x1 JPEG
    main.get_by_role("link", name="居住证核验").click()

    expect(page).to_have_url(re.compile(r"/verify/[^/]+$"))
    expect(heading).to_have_text("居住证核验")
    verdict = page.get_by_role("status")
    expect(verdict).to_contain_text("有效")
    expect(verdict).to_contain_text("林**")
    expect(verdict).to_contain_text(person.id_masked)
    expect(verdict).to_contain_text(permit.number)
    expect(main).not_to_contain_text(NAME)
    expect(main).not_to_contain_text(ID_NUMBER)
    assert console_errors == []
