"""The enterprise pages show each button exactly when the user may take that action."""

from __future__ import annotations

from django.urls import reverse

from employment import services
from tests.employment.conftest import register_employer

MARKERS = ("approve", "reject", "return", "withdraw", "resubmit")


def _buttons(client, url) -> set[str]:
    html = client.get(url).content.decode()
    return {action for action in MARKERS if f'value="{action}"' in html}


def test_the_reviewer_decides_a_registration_until_it_is_decided(
    client, employer_user, district_a, hr_a, employer_window
):
    registered = register_employer(employer_user, district_a, seq=5)
    client.force_login(hr_a)
    url = reverse("employment:review_employer", args=[registered.case_id])

    assert _buttons(client, url) == {"approve", "reject", "return"}

    services.return_employer(actor=hr_a, employer_id=registered.pk, reason="营业执照不清晰")
    assert _buttons(client, url) == set()


def test_the_employer_sends_again_only_a_returned_registration(
    client, employer_user, district_a, hr_a, employer_window
):
    registered = register_employer(employer_user, district_a, seq=6)
    client.force_login(employer_user)
    url = reverse("employment:employer", args=[registered.pk])

    assert _buttons(client, url) == {"withdraw"}

    services.return_employer(actor=hr_a, employer_id=registered.pk, reason="营业执照不清晰")
    assert _buttons(client, url) == {"withdraw", "resubmit"}

    services.resubmit_employer(actor=employer_user, employer_id=registered.pk)
    services.approve_employer(actor=hr_a, employer_id=registered.pk)
    assert _buttons(client, url) == set()
