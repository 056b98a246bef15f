"""Every account and shell page renders in Chinese (the default) and in English (on the switch)."""

from __future__ import annotations

import pytest
from django.urls import path

from portal import navigation
from portal.urls import urlpatterns as portal_urlpatterns
from tests import factories
from tests.accounts.helpers import sign_up

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = {
    "/": ("新居民服务平台", "New-resident services portal"),
    "/accounts/login/": ("用户名或手机号码", "Username or mobile number"),
    "/accounts/signup/": ("确认密码", "Password again"),
    "/accounts/password/reset/": ("找回密码", "Reset your password"),
    "/accounts/inactive/": ("账号已停用", "Account deactivated"),
}
SIGNED_IN_PAGES = {
    "/": ("您好", "Hello"),
    "/accounts/password/change/": ("当前密码", "Current password"),
    "/accounts/logout/": ("确定退出登录吗", "Do you want to sign out"),
    "/accounts/phone/change/": ("更换手机号码", "Change mobile number"),
}


def choose_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies["django_language"].value == "en"


@pytest.mark.parametrize(("url", "texts"), ANONYMOUS_PAGES.items())
def test_anonymous_pages_render_in_chinese_by_default(client, url, texts):
    response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans"' in body
    assert texts[0] in body


@pytest.mark.parametrize(("url", "texts"), ANONYMOUS_PAGES.items())
def test_anonymous_pages_render_in_english_after_the_switch(client, url, texts):
    choose_english(client)

    body = client.get(url).content.decode()

    assert '<html lang="en"' in body
    assert texts[1] in body


@pytest.mark.parametrize(("url", "texts"), SIGNED_IN_PAGES.items())
@pytest.mark.parametrize("english", [False, True])
def test_signed_in_pages_render_in_both_languages(client, resident, url, texts, english):
    client.force_login(resident)
    if english:
        choose_english(client)

    response = client.get(url)

    assert response.status_code == 200
    assert texts[english] in response.content.decode()


@pytest.mark.parametrize("english", [False, True])
def test_the_code_pages_render_in_both_languages(client, sms_outbox, english):
    if english:
        choose_english(client)
    sign_up(client)
    client.post("/accounts/password/reset/", {"phone": "13612345678"})

    verify = client.get("/accounts/phone/verify/").content.decode()
    reset = client.get("/accounts/password/reset/confirm/").content.decode()

    assert ("Confirm your mobile number" if english else "验证手机号码") in verify
    assert ("Enter the code" if english else "输入验证码") in reset


def test_the_switch_offers_both_languages_and_returns_to_the_same_page(client):
    body = client.get("/accounts/signup/?next=/work/").content.decode()

    assert 'action="/i18n/setlang/"' in body
    assert 'value="zh-hans"' in body
    assert 'value="en"' in body
    assert "简体中文" in body
    assert "English" in body
    assert 'name="next" value="/accounts/signup/?next=/work/"' in body


def test_the_shell_loads_htmx_and_sends_the_csrf_token(client):
    body = client.get("/").content.decode()

    assert "/static/vendor/htmx/htmx.min.js" in body
    assert "/static/css/portal.css" in body
    assert "/static/js/portal.js" in body
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert 'href="#main"' in body
    assert "<script>" not in body
    assert "style=" not in body


def test_large_text_is_rendered_from_the_cookie(client):
    client.cookies["portal_text_size"] = "large"

    body = client.get("/").content.decode()

    assert 'class="text-large"' in body


def test_visitors_see_the_services_and_the_way_in(client):
    body = client.get("/").content.decode()

    for service in ["居住登记", "居住证", "房屋租赁登记", "保障性租赁住房", "随迁子女入学", "积分"]:
        assert service in body
    assert 'href="/accounts/login/"' in body
    assert 'href="/accounts/signup/"' in body


@pytest.fixture
def resident_nav_entry(only_test_navigation):
    navigation.register(
        key="test_home_entry",
        label="测试办事入口",
        url_name="account_change_password",
        roles={"resident"},
    )


def test_a_residents_menu_entry_is_in_the_menu_and_the_rest_on_the_home_page(
    client, resident, resident_nav_entry
):
    navigation.register(
        key="test_grouped_entry",
        label="测试分组入口",
        url_name="account_change_phone",
        roles={"resident"},
        menu_roles=set(),
        group="测试分组",
    )
    client.force_login(resident)

    body = client.get("/").content.decode()
    menu = body.split('class="main-nav"')[1].split("</nav>")[0]

    assert "测试办事入口" in menu
    assert "测试分组入口" not in menu
    assert "测试分组" in body.split('id="services-title"')[1]
    assert "测试分组入口" in body.split('id="services-title"')[1]
    # Without a registry entry the account's username is all there is to greet by.
    assert "resident_t" in body


def test_staff_see_their_entries_as_cards_and_in_the_menu(client, resident_nav_entry):
    navigation.register(
        key="test_staff_entry",
        label="测试审核入口",
        url_name="account_change_password",
        roles={"analyst"},
    )
    analyst = factories.UserFactory(username="analyst_x", roles=["analyst"])
    client.force_login(analyst)

    assert client.get("/").content.decode().count("测试审核入口") == 2


def test_entries_of_other_roles_are_not_shown(client, resident_nav_entry):
    officer = factories.UserFactory(username="officer_x", roles=["grid_officer"])
    client.force_login(officer)

    assert "测试办事入口" not in client.get("/").content.decode()


def _forbidden(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def _broken(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [
    path("forbidden-for-test/", _forbidden),
    path("broken-for-test/", _broken),
    *portal_urlpatterns,
]
handler403 = "portal.views.forbidden"
handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"


@pytest.mark.urls("tests.accounts.test_pages")
@pytest.mark.parametrize(
    ("url", "status", "texts"),
    [
        ("/forbidden-for-test/", 403, ("无权访问", "Access denied")),
        ("/no-such-page/", 404, ("页面不存在", "Page not found")),
        ("/broken-for-test/", 500, ("服务暂时不可用", "Service temporarily unavailable")),
    ],
)
@pytest.mark.parametrize("english", [False, True])
def test_error_pages_render_in_both_languages(client, url, status, texts, english):
    client.raise_request_exception = False
    if english:
        choose_english(client)

    response = client.get(url)

    assert response.status_code == status
    assert texts[english] in response.content.decode()
