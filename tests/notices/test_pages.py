"""The notices pages: a resident's inbox, notices and channels; staff policies and the live count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.notices import services
from portal.notices.models import ChannelOptOut, Policy, PolicyNotice, PolicyStatus
from tests.notices.conftest import RENT, district_target, make_policy, resident_at


@pytest.fixture
def pushed(hr_staff, district_a, me):
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True)
    services.push_policy(policy_id=policy.pk)
    return policy


def own_notice(person) -> PolicyNotice:
    return PolicyNotice.objects.get(person=person)


# --- residents -------------------------------------------------------------------------------------


def test_the_inbox_shows_policy_notices_and_messages_together(client, resident, me, pushed):
    services.notify(user=resident, title="居住证已签发", body="请查看")
    client.force_login(resident)
    page = client.get(reverse("notices:inbox"))
    assert page.status_code == 200
    assert page.context["unread"] == 2
    html = page.content.decode()
    assert "免费技能培训报名" in html
    assert "居住证已签发" in html


def test_the_inbox_is_read_with_a_fixed_number_of_queries(
    client, resident, me, hr_staff, district_a, django_assert_max_num_queries
):
    for n in range(8):
        policy = make_policy(
            hr_staff, target=district_target(district_a), publish=True, title=f"政策{n}", **RENT
        )
        services.push_policy(policy_id=policy.pk)
        services.notify(user=resident, title=f"消息{n}", body="b")
    client.force_login(resident)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("notices:inbox"))
    assert len(page.context["entries"]) == 16


def test_opening_a_notice_shows_it_and_counts_it_opened(client, resident, me, pushed):
    notice = own_notice(me)
    client.force_login(resident)
    page = client.get(reverse("notices:policy_notice", args=[notice.pk]))
    assert page.status_code == 200
    assert "本季度开设免费培训班" in page.content.decode()
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.get(reverse("notices:inbox")).context["unread"] == 0


def test_another_residents_notice_is_not_found(client, other_resident, them, me, pushed):
    notice = own_notice(me)
    client.force_login(other_resident)
    assert client.get(reverse("notices:policy_notice", args=[notice.pk])).status_code == 404
    dismiss = reverse("notices:policy_notice_dismiss", args=[notice.pk])
    assert client.post(dismiss).status_code == 404
    assert "免费技能培训报名" not in client.get(reverse("notices:inbox")).content.decode()
    notice.refresh_from_db()
    assert notice.read_at is None
    assert notice.dismissed_at is None


def test_dismissing_takes_the_notice_out_of_the_inbox(client, resident, me, pushed):
    notice = own_notice(me)
    client.force_login(resident)
    response = client.post(reverse("notices:policy_notice_dismiss", args=[notice.pk]))
    assert response.status_code == 302
    page = client.get(reverse("notices:inbox"))
    assert page.context["entries"] == []
    assert page.context["unread"] == 0


def test_dismissing_a_message(client, resident):
    message = services.notify(user=resident, title="受理通知", body="b")
    client.force_login(resident)
    client.post(reverse("notices:dismiss", args=[message.pk]))
    assert "受理通知" not in client.get(reverse("notices:inbox")).content.decode()


def test_a_body_with_script_is_shown_as_text(client, resident, me, hr_staff, district_a):
    policy = make_policy(
        hr_staff,
        target=district_target(district_a),
        publish=True,
        title="<img src=x onerror=alert(1)>",
        body="<script>alert('x')</script>报名",
    )
    services.push_policy(policy_id=policy.pk)
    client.force_login(resident)
    for url in (
        reverse("notices:inbox"),
        reverse("notices:policy_notice", args=[own_notice(me).pk]),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html
        assert "<img src=x" not in html


def test_the_notice_page_names_the_benefit_received(
    client, resident, me, housing_staff, district_a
):
    policy = make_policy(housing_staff, target=district_target(district_a), publish=True, **RENT)
    services.push_policy(policy_id=policy.pk)
    client.force_login(resident)
    html = client.get(reverse("notices:policy_notice", args=[own_notice(me).pk])).content.decode()
    assert "租房补贴" in html
    assert "1200.00" in html


def test_a_withdrawn_policy_leaves_the_inbox(client, resident, me, pushed, hr_staff):
    services.withdraw_policy(actor=hr_staff, policy_id=pushed.pk, reason="发布有误")
    client.force_login(resident)
    assert client.get(reverse("notices:inbox")).context["entries"] == []


def test_a_resident_switches_sms_off_but_never_the_inbox(client, resident):
    client.force_login(resident)
    page = client.get(reverse("notices:preferences"))
    assert page.status_code == 200
    assert "inbox" not in page.context["form"].fields
    client.post(reverse("notices:preferences"), {"email": "on"})
    assert set(ChannelOptOut.objects.values_list("channel", flat=True)) == {"sms"}
    client.post(reverse("notices:preferences"), {"sms": "on", "email": "on"})
    assert not ChannelOptOut.objects.exists()


def test_resident_pages_need_a_sign_in(client, db):
    for name in ("notices:inbox", "notices:preferences"):
        assert client.get(reverse(name)).status_code == 302


# --- staff -------------------------------------------------------------------------------------


def test_a_resident_cannot_reach_the_policy_pages(client, resident, pushed):
    client.force_login(resident)
    for url in (
        reverse("notices:policy_list"),
        reverse("notices:policy_new"),
        reverse("notices:policy_detail", args=[pushed.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("notices:policy_preview"), {}).status_code == 404


def test_staff_of_another_department_get_404(client, housing_staff, pushed):
    client.force_login(housing_staff)
    assert client.get(reverse("notices:policy_detail", args=[pushed.pk])).status_code == 404
    publish = reverse("notices:policy_publish", args=[pushed.pk])
    assert client.post(publish).status_code == 404


def form_data(district, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "title": "夜校报名",
        "body": "免费夜校课程。",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        "use__residents-district": "on",
        "residents-district__districts": [str(district.pk)],
    }
    data.update(overrides)
    return data


def test_staff_build_a_target_and_see_its_reach_before_publishing(
    client, hr_staff, district_a, address_a
):
    for _ in range(3):
        resident_at(address_a)
    client.force_login(hr_staff)
    page = client.get(reverse("notices:policy_new"))
    assert page.status_code == 200
    assert "residents-district__districts" in page.content.decode()

    preview = client.post(
        reverse("notices:policy_preview"), form_data(district_a), HTTP_HX_REQUEST="true"
    )
    assert preview.context["count"] == 3

    response = client.post(reverse("notices:policy_new"), form_data(district_a))
    policy = Policy.objects.get()
    assert response["Location"] == reverse("notices:policy_detail", args=[policy.pk])
    assert policy.target == [
        {"criterion": "residents.district", "params": {"districts": [district_a.pk]}}
    ]

    client.post(reverse("notices:policy_publish", args=[policy.pk]))
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED


def test_the_preview_says_when_nobody_is_reached_or_the_input_is_wrong(
    client, hr_staff, district_a
):
    client.force_login(hr_staff)
    empty = client.post(reverse("notices:policy_preview"), form_data(district_a))
    assert empty.context["count"] == 0
    wrong = client.post(
        reverse("notices:policy_preview"),
        {"use__residents-age": "on", "residents-age__min_age": "abc"},
    )
    assert wrong.context["errors"]
    nothing = client.post(reverse("notices:policy_preview"), {})
    assert nothing.context["errors"]


def test_the_form_shows_each_error_on_its_field(client, hr_staff, district_a):
    client.force_login(hr_staff)
    data = form_data(
        district_a,
        **{
            "ends_on": "2000-01-01",
            "link": "javascript:alert(1)",
            "use__residents-age": "on",
            "residents-age__min_age": "-3",
            "residents-age__max_age": "40",
        },
    )
    page = client.post(reverse("notices:policy_new"), data)
    assert page.status_code == 200
    assert "ends_on" in page.context["form"].errors
    assert "link" in page.context["form"].errors
    assert "residents-age__min_age" in page.context["target_form"].errors
    assert not Policy.objects.exists()


def test_publishing_a_target_that_reaches_nobody_is_refused_on_the_page(
    client, hr_staff, district_b, address_a
):
    resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_b))
    client.force_login(hr_staff)
    response = client.post(reverse("notices:policy_publish", args=[policy.pk]), follow=True)
    assert "无符合条件的居民" in response.content.decode()
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT


def test_the_detail_page_shows_the_reach(client, hr_staff, pushed, resident, me):
    services.open_policy_notice(notice_id=own_notice(me).pk, actor=resident)
    client.force_login(hr_staff)
    page = client.get(reverse("notices:policy_detail", args=[pushed.pk]))
    assert page.status_code == 200
    stats = page.context["stats"]
    assert (stats.audience, stats.opened, stats.delivered, stats.failed) == (1, 1, 0, 0)
    listing = client.get(reverse("notices:policy_list"))
    assert [(p.audience, p.opened) for p in listing.context["policies"]] == [(1, 1)]


def test_staff_withdraw_with_a_reason(client, hr_staff, pushed):
    client.force_login(hr_staff)
    url = reverse("notices:policy_withdraw", args=[pushed.pk])
    client.post(url, {"reason": ""})
    pushed.refresh_from_db()
    assert pushed.status == PolicyStatus.PUBLISHED
    client.post(url, {"reason": "政策调整"})
    pushed.refresh_from_db()
    assert pushed.status == PolicyStatus.WITHDRAWN


def test_a_published_policy_cannot_be_edited(client, hr_staff, pushed):
    client.force_login(hr_staff)
    response = client.get(reverse("notices:policy_edit", args=[pushed.pk]))
    assert response["Location"] == reverse("notices:policy_detail", args=[pushed.pk])


def test_staff_see_the_policies_menu_and_residents_do_not(resident, hr_staff):
    from portal import navigation

    assert "notices:policy_list" in {i.url_name for i in navigation.items_for(hr_staff)}
    assert "notices:policy_list" not in {i.url_name for i in navigation.items_for(resident)}
