"""The in-app notice inbox: sending, reading, and each user seeing only their own."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from portal import navigation
from portal.errors import NotFound
from portal.notices import selectors, services
from portal.notices.models import Notification


def test_a_notice_lands_in_the_recipients_inbox_unread(resident, other_resident):
    services.notify(user=resident, title="受理通知", body="您的申请已受理", link="/permit/")
    assert selectors.unread_count(resident) == 1
    assert selectors.unread_count(other_resident) == 0
    assert list(selectors.notifications_of(other_resident)) == []


def test_a_notice_queued_on_commit_is_not_sent_when_the_transaction_rolls_back(
    resident, django_capture_on_commit_callbacks
):
    class Boom(Exception):
        pass

    def change_then_fail():
        with transaction.atomic():
            transaction.on_commit(lambda: services.notify(user=resident, title="t", body="b"))
            raise Boom

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom):
        change_then_fail()
    assert not Notification.objects.exists()


def test_notify_after_commit_sends_only_once_committed_in_the_portals_language(
    resident, django_capture_on_commit_callbacks
):
    # given a reviewer working in English
    with translation.override("en"), django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            services.notify_after_commit(
                resident, lambda: (translation.get_language(), "b"), link="/permit/"
            )
        # when nothing has run the on-commit callbacks yet
        assert not Notification.objects.exists()
    # then committing sends one notice, written in the portal's language
    assert len(callbacks) == 1
    callbacks[0]()
    notice = Notification.objects.get()
    assert (notice.recipient, notice.title, notice.link) == (resident, "zh-hans", "/permit/")


def test_notify_after_commit_sends_nothing_when_the_transaction_rolls_back(
    resident, django_capture_on_commit_callbacks
):
    class Boom(Exception):
        pass

    def change_then_fail():
        with transaction.atomic():
            services.notify_after_commit(resident, lambda: ("t", "b"))
            raise Boom

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom):
        change_then_fail()
    assert not Notification.objects.exists()


def test_notify_after_commit_to_nobody_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify_after_commit(None, lambda: ("t", "b"))
    assert callbacks == []


def test_marking_read_is_for_the_recipient_only(resident, other_resident):
    notice = services.notify(user=resident, title="t", body="b")
    with pytest.raises(NotFound):
        services.mark_read(notification_id=notice.pk, actor=other_resident)
    services.mark_read(notification_id=notice.pk, actor=resident)
    services.mark_read(notification_id=notice.pk, actor=resident)  # twice is harmless
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert selectors.unread_count(resident) == 0


def test_mark_all_read(resident):
    for n in range(3):
        services.notify(user=resident, title=f"t{n}", body="b")
    assert services.mark_all_read(actor=resident) == 3
    assert selectors.unread_count(resident) == 0


def test_the_inbox_page_shows_the_unread_count_and_marks_read(client, resident, other_resident):
    notice = services.notify(
        user=resident, title="居住证已签发", body="有效期至", link="/permit/mine/"
    )
    client.force_login(resident)
    page = client.get(reverse("notices:inbox"))
    assert page.status_code == 200
    assert page.context["unread"] == 1
    assert "居住证已签发".encode() in page.content

    opened = client.post(reverse("notices:read", args=[notice.pk]), {"open": "1"})
    assert opened["Location"] == "/permit/mine/"
    assert client.get(reverse("notices:inbox")).context["unread"] == 0

    client.force_login(other_resident)
    assert client.post(reverse("notices:read", args=[notice.pk])).status_code == 404
    assert "居住证已签发".encode() not in client.get(reverse("notices:inbox")).content


def test_a_link_to_another_site_is_not_followed(client, resident):
    notice = services.notify(user=resident, title="t", body="b", link="https://evil.example/")
    client.force_login(resident)
    response = client.post(reverse("notices:read", args=[notice.pk]), {"open": "1"})
    assert response["Location"] == reverse("notices:inbox")


def test_every_role_reaches_the_inbox(resident, police_a, officer_a):
    for user in (resident, police_a, officer_a):
        assert "notices:inbox" in {item.url_name for item in navigation.items_for(user)}


def test_the_inbox_needs_a_sign_in(client, db):
    assert client.get(reverse("notices:inbox")).status_code == 302


def test_the_context_processor_counts_unread_notices(rf, resident):
    from django.contrib.auth.models import AnonymousUser

    from portal.notices.context_processors import unread_notices

    services.notify(user=resident, title="t", body="b")
    request = rf.get("/")
    request.user = resident
    assert unread_notices(request) == {"unread_notices": 1}
    request.user = AnonymousUser()
    assert unread_notices(request) == {"unread_notices": 0}
