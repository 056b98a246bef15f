"""The employer's case pages link to what an approval produced: the verified enterprise and
the approved job posting, each on the account's own page; no other employer sees them."""

from __future__ import annotations

from django.urls import reverse

from employment import services
from employment.services import employers, postings
from portal.workflow.models import Case
from tests.employment.conftest import register_employer
from tests.employment.test_postings import post


def _pages(client, user, case_id: int) -> tuple[str, str]:
    client.force_login(user)
    return client.get(f"/work/mine/{case_id}/").content.decode(), f"/work/mine/{case_id}/"


def test_the_case_page_links_to_the_enterprise_once_verified(
    employer_user, other_employer_user, district_a, hr_a, employer_window, client
):
    registered = register_employer(employer_user, district_a, seq=1)
    target = reverse("employment:employer", args=[registered.pk])
    before, case_page = _pages(client, employer_user, registered.case_id)
    assert employers.issued_link(Case.objects.get(pk=registered.case_id)) is None

    services.approve_employer(actor=hr_a, employer_id=registered.pk)

    assert f'href="{target}"' not in before
    after = client.get(case_page).content.decode()
    assert f'href="{target}"' in after
    assert "我的已核验企业" in after
    assert client.get(target).status_code == 200
    client.force_login(other_employer_user)
    assert client.get(case_page).status_code == 404
    assert client.get(target).status_code == 404


def test_the_case_page_links_to_the_posting_once_approved(
    employer, employer_user, other_employer, other_employer_user, district_a, hr_a, client
):
    posting = post(employer_user, employer, district_a)
    target = reverse("employment:posting_applicants", args=[posting.pk])
    before, case_page = _pages(client, employer_user, posting.case_id)
    assert postings.issued_link(Case.objects.get(pk=posting.case_id)) is None

    services.approve_posting(actor=hr_a, posting_id=posting.pk)

    assert f'href="{target}"' not in before
    after = client.get(case_page).content.decode()
    assert f'href="{target}"' in after
    assert "我的招聘信息及应聘人员" in after
    assert client.get(target).status_code == 200
    client.force_login(other_employer_user)
    assert client.get(case_page).status_code == 404
    assert client.get(target).status_code == 404
