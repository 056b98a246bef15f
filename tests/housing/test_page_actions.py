"""The housing pages show each button exactly when the user may take that action."""

from __future__ import annotations

from django.urls import reverse

from housing import services

MARKERS = ("accept", "approve", "reject", "return", "withdraw", "submit")


def _buttons(client, url) -> set[str]:
    html = client.get(url).content.decode()
    return {action for action in MARKERS if f'value="{action}"' in html}


def test_the_reviewer_accepts_and_decides_a_submitted_home(client, draft_home, landlord, housing_a):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    client.force_login(housing_a)
    url = reverse("housing:review_home", args=[draft_home.case_id])

    assert _buttons(client, url) == {"accept", "approve", "reject", "return"}

    services.accept_rental_home(actor=housing_a, home_id=draft_home.pk)
    assert _buttons(client, url) == {"approve", "reject", "return"}

    services.approve_rental_home(actor=housing_a, home_id=draft_home.pk)
    assert _buttons(client, url) == set()


def test_the_landlord_withdraws_only_before_review(client, draft_home, landlord, housing_a):
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    client.force_login(landlord)
    url = reverse("housing:home", args=[draft_home.pk])

    assert _buttons(client, url) == {"withdraw"}

    services.accept_rental_home(actor=housing_a, home_id=draft_home.pk)
    assert _buttons(client, url) == set()
