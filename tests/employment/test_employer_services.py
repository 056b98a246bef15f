"""Employers: registration by unified social credit code, verified by human resources on the
shared lifecycle."""

from __future__ import annotations

import pytest

from employment import selectors, services
from employment.models import Employer
from portal.errors import InvalidInput, NotAllowed, NotFound
from portal.workflow.models import Status, Transition
from tests.employment.conftest import credit_code, register_employer
from tests.reasons import BLANK_REASONS, assert_service_wants_a_reason


def test_an_employer_registers_and_human_resources_verify_it(employer_user, district_a, hr_a):
    # Given / When: an employer account registers its enterprise.
    employer = register_employer(employer_user, district_a, seq=1)

    # Then: it waits in the human-resources queue of its district...
    employer.case.refresh_from_db()
    assert employer.case.status == Status.SUBMITTED
    assert employer.case.kind == "employer"
    assert employer.case.department.code == "human_resources"
    assert employer.credit_code == credit_code(1)
    assert list(selectors.employers_reviewable_by(hr_a)) == [employer]

    # ...and approval verifies it, with the history on the case.
    services.approve_employer(actor=hr_a, employer_id=employer.pk)
    assert list(selectors.verified_employers_of(employer_user)) == [employer]
    steps = list(Transition.objects.filter(case=employer.case).values_list("to_status", flat=True))
    assert steps == [Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED]


def test_the_credit_code_is_compacted_before_checking(employer_user, district_a):
    code = credit_code(7)
    employer = services.register_employer(
        actor=employer_user,
        name="温州某厂",
        credit_code=f" {code[:6]} {code[6:].lower()} ",
        district_id=district_a.pk,
        trade="retail",
        contact_name="张三",
        contact_phone="13800000000",
    )
    assert employer.credit_code == code


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("91330302MA2A0001XA", "check character"),  # wrong check character
        ("91330302MA2A0001", "18 characters"),  # too short
        ("91330302MA2A0O01XL", "other than I, O, S, V and Z"),  # a letter O
        ("", "enter the unified social credit code"),
    ],
)
def test_an_invalid_credit_code_is_refused_on_its_field(employer_user, district_a, code, words):
    with pytest.raises(InvalidInput) as refused:
        services.register_employer(
            actor=employer_user,
            name="温州某厂",
            credit_code=code,
            district_id=district_a.pk,
            trade="retail",
            contact_name="张三",
            contact_phone="13800000000",
        )
    assert words in refused.value.fields["credit_code"][0]
    assert not Employer.objects.exists()


def test_every_problem_is_named_at_once(employer_user):
    with pytest.raises(InvalidInput) as refused:
        services.register_employer(
            actor=employer_user,
            name="",
            credit_code="123",
            district_id=0,
            trade="mining",
            contact_name="",
            contact_phone="",
        )
    assert set(refused.value.fields) == {
        "name",
        "credit_code",
        "district",
        "trade",
        "contact_name",
        "contact_phone",
    }


def test_a_code_registered_twice_is_refused_until_the_first_is_rejected(
    employer_user, other_employer_user, district_a, hr_a
):
    first = register_employer(employer_user, district_a, seq=3)
    with pytest.raises(InvalidInput) as refused:
        register_employer(other_employer_user, district_a, seq=3)
    assert refused.value.code == "credit_code_taken"

    services.reject_employer(actor=hr_a, employer_id=first.pk, reason="营业执照已注销")
    first.refresh_from_db()
    assert first.is_active is False
    again = register_employer(other_employer_user, district_a, seq=3)
    assert again.is_active is True


def test_only_an_employer_account_registers(resident, district_a):
    with pytest.raises(NotAllowed):
        register_employer(resident, district_a, seq=4)


def test_reviewers_of_another_district_do_not_see_the_registration(employer_user, district_a, hr_b):
    employer = register_employer(employer_user, district_a, seq=5)
    assert not selectors.employers_reviewable_by(hr_b).exists()
    with pytest.raises(NotFound):
        services.approve_employer(actor=hr_b, employer_id=employer.pk)


def test_a_returned_registration_is_sent_again(employer_user, district_a, hr_a):
    employer = register_employer(employer_user, district_a, seq=6)
    services.return_employer(actor=hr_a, employer_id=employer.pk, reason="联系电话无法接通")
    again = services.resubmit_employer(actor=employer_user, employer_id=employer.pk)
    assert again.case.status == Status.SUBMITTED


@pytest.mark.parametrize("reason", BLANK_REASONS)
@pytest.mark.parametrize("decide", [services.reject_employer, services.return_employer])
def test_a_registration_is_not_rejected_or_returned_without_a_reason(
    employer_user, district_a, hr_a, decide, reason
):
    employer = register_employer(employer_user, district_a, seq=8)
    assert_service_wants_a_reason(
        lambda: decide(actor=hr_a, employer_id=employer.pk, reason=reason)
    )
    assert Employer.objects.get(pk=employer.pk).case.status == Status.SUBMITTED
