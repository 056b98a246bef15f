"""The housing pages show each button exactly when the user may take that action."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from housing import services
from portal.workflow.models import Status

MARKERS = ("withdraw", "submit")


def _buttons(client, url) -> set[str]:
    html = client.get(url).content.decode()
    return {action for action in MARKERS if f'value="{action}"' in html}


def _decisions(client, url, case_id) -> set[str]:
    """The decisions the review page offers, each a form posting to the one dispatcher."""
    html = client.get(url).content.decode()
    return {
        action
        for action in ("take", "approve", "reject", "return")
        if reverse("workflow:case_decide", args=[case_id, action]) in html
    }


def test_the_reviewer_accepts_and_decides_a_submitted_home(client, draft_home, landlord, housing_a):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    client.force_login(housing_a)
    url = reverse("housing:review_home", args=[draft_home.case_id])

    assert _decisions(client, url, draft_home.case_id) == {"take", "approve", "reject", "return"}

    services.accept_rental_home(actor=housing_a, home_id=draft_home.pk)
    assert _decisions(client, url, draft_home.case_id) == {"approve", "reject", "return"}

    services.approve_rental_home(actor=housing_a, home_id=draft_home.pk)
    assert _decisions(client, url, draft_home.case_id) == set()


def test_the_landlord_withdraws_only_before_review(client, draft_home, landlord, housing_a):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    client.force_login(landlord)
    url = reverse("housing:home", args=[draft_home.pk])

    assert _buttons(client, url) == {"withdraw"}

    services.accept_rental_home(actor=housing_a, home_id=draft_home.pk)
    assert _buttons(client, url) == set()


def test_a_decision_posted_from_the_review_page_returns_to_it(
    client, draft_home, landlord, housing_a
):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    client.force_login(housing_a)
    case_id = draft_home.case_id

    taken = client.post(reverse("workflow:case_decide", args=[case_id, "take"]))
    approved = client.post(
        reverse("workflow:case_decide", args=[case_id, "approve"]), {"approve-reason": ""}
    )

    review = reverse("housing:review_home", args=[case_id])
    assert (taken.status_code, taken["Location"]) == (302, review)
    assert (approved.status_code, approved["Location"]) == (302, review)
    draft_home.refresh_from_db()
    assert draft_home.case.status == Status.APPROVED


def test_a_refused_decision_comes_back_as_the_form_alone_to_htmx(
    client, draft_home, landlord, housing_a
):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    client.force_login(housing_a)

    with translation.override("zh-hans"):
        response = client.post(
            reverse("workflow:case_decide", args=[draft_home.case_id, "reject"]),
            {"reject-reason": " "},
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 200
    assert "必须填写理由。" in response.content.decode()
    draft_home.refresh_from_db()
    assert draft_home.case.status == Status.SUBMITTED
