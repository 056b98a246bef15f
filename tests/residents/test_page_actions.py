"""The permit pages show each button exactly when the user may take that action."""

from __future__ import annotations

from django.urls import reverse

from residents import services

MARKERS = ("accept", "approve", "reject", "return")


def _review_buttons(client, application) -> set[str]:
    url = reverse("residents:review_permit", args=[application.case_id])
    html = client.get(url).content.decode()
    return {action for action in MARKERS if f'value="{action}"' in html}


def _withdraw_buttons(client, application) -> int:
    html = client.get(reverse("residents:permit_application", args=[application.pk])).content
    return html.decode().count(reverse("residents:permit_withdraw", args=[application.pk]))


def test_the_reviewer_accepts_and_decides_a_submitted_application(client, police_a, submitted):
    client.force_login(police_a)

    assert _review_buttons(client, submitted) == {"accept", "approve", "reject", "return"}


def test_once_accepted_only_the_decisions_remain(client, police_a, submitted):
    services.accept_permit_application(actor=police_a, application_id=submitted.pk)
    client.force_login(police_a)

    assert _review_buttons(client, submitted) == {"approve", "reject", "return"}


def test_a_returned_application_offers_the_reviewer_nothing(client, police_a, submitted):
    services.return_permit_application(
        actor=police_a, application_id=submitted.pk, reason="照片不清晰"
    )
    client.force_login(police_a)

    assert _review_buttons(client, submitted) == set()


def test_the_applicant_may_withdraw_a_draft_a_submitted_and_a_returned_application(
    client, resident, police_a, draft
):
    client.force_login(resident)
    assert _withdraw_buttons(client, draft) == 1

    services.submit_permit_application(actor=resident, application_id=draft.pk)
    assert _withdraw_buttons(client, draft) == 1

    services.return_permit_application(actor=police_a, application_id=draft.pk, reason="缺租赁合同")
    assert _withdraw_buttons(client, draft) == 1


def test_the_applicant_may_not_withdraw_once_it_is_in_review(client, resident, police_a, submitted):
    services.accept_permit_application(actor=police_a, application_id=submitted.pk)
    client.force_login(resident)

    assert _withdraw_buttons(client, submitted) == 0
