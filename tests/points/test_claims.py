"""Points applications and claims: each claim verified by its own department, then scored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format

from points import selectors
from points.models import ApplicationStatus, Claim, FactSheet, Score
from points.services import claims
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.models import Notification
from portal.periods import add_months
from portal.workflow.models import Status
from residents.models import Permit
from tests.points.conftest import give_permit, make_person, pdf
from tests.reasons import BLANK_REASONS, assert_service_wants_a_reason


@pytest.fixture
def application(zhongshan, me, resident):
    return claims.start_application(actor=resident, service="school")


def add(resident, application, fact_type, value, *, evidence=True):
    claim = claims.add_claim(
        actor=resident, application_id=application.pk, fact_type=fact_type, value=value
    )
    if evidence:
        claims.add_evidence(actor=resident, claim_id=claim.pk, upload=pdf())
    return claim


def test_an_application_starts_with_the_declarations_every_application_needs(
    application, district_a
):
    assert application.status == ApplicationStatus.DRAFT
    assert application.reference.startswith("JF-")
    assert application.district == district_a
    declared = {c.fact_type_id: c for c in application.claims.select_related("case")}
    assert set(declared) == {"detentions", "criminal_penalties"}
    for claim in declared.values():
        assert claim.case.kind == "points_claim_public_security"
        assert claim.case.department.code == "public_security"
        assert claim.case.district == district_a
        assert claim.case.status == Status.DRAFT
    assert declared["detentions"].value == []


def test_a_claim_goes_to_the_department_that_owns_the_fact(application, resident):
    education = add(resident, application, "education", ["junior_college"])
    insurance = add(resident, application, "insurance_type_years_province", 12)
    home = add(resident, application, "owns_home", True)
    donation = add(resident, application, "donation_yuan", 2000)
    assert education.case.kind == "points_claim_education"
    assert insurance.case.department.code == "human_resources"
    assert home.case.department.code == "housing"
    assert donation.case.department.code == "service_centre"


def test_facts_the_registry_knows_cannot_be_claimed(application, resident):
    with pytest.raises(InvalidInput) as caught:
        claims.add_claim(
            actor=resident,
            application_id=application.pk,
            fact_type="residence_periods",
            value=[["2010-01-01", None]],
        )
    assert "fact_type" in caught.value.fields


@pytest.mark.parametrize(
    ("fact_type", "value"),
    [
        ("education", ["professor"]),
        ("education", 3),
        ("insurance_type_years_province", -2),
        ("patents_invention", ["2999-01-01"]),
        ("unmarried", "yes"),
    ],
)
def test_a_claimed_value_must_fit_its_fact(application, resident, fact_type, value):
    with pytest.raises(InvalidInput) as caught:
        claims.add_claim(
            actor=resident, application_id=application.pk, fact_type=fact_type, value=value
        )
    assert "value" in caught.value.fields
    assert not application.claims.filter(fact_type_id=fact_type).exists()


def test_one_claim_per_fact(application, resident):
    add(resident, application, "education", ["bachelor"], evidence=False)
    with pytest.raises(InvalidInput):
        add(resident, application, "education", ["master"], evidence=False)


def test_no_application_without_a_residence_registration(zhongshan, resident):
    make_person(seq=15, user=resident)
    with pytest.raises(NotEligible) as caught:
        claims.start_application(actor=resident, service="school")
    assert caught.value.code == "no_registration"


def test_one_open_application_at_a_time(application, resident):
    with pytest.raises(TransitionNotAllowed):
        claims.start_application(actor=resident, service="hukou")


def test_submitting_lists_every_missing_proof_at_once(application, resident):
    add(resident, application, "education", ["bachelor"], evidence=False)
    add(resident, application, "unmarried", True, evidence=False)
    with pytest.raises(NotEligible) as caught:
        claims.submit_application(actor=resident, application_id=application.pk)
    assert len(caught.value.fields["evidence"]) == 2
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_evidence_must_be_a_real_document(application, resident):
    claim = add(resident, application, "education", ["bachelor"], evidence=False)
    with pytest.raises(InvalidInput):
        claims.add_evidence(
            actor=resident,
            claim_id=claim.pk,
            upload=SimpleUploadedFile("diploma.pdf", b"GIF89a" + b"\x00" * 100),
        )
    assert not claim.evidence.exists()


def test_evidence_of_someone_elses_claim_is_not_found(application, resident, other_resident):
    claim = add(resident, application, "education", ["bachelor"], evidence=False)
    with pytest.raises(NotFound):
        claims.add_evidence(actor=other_resident, claim_id=claim.pk, upload=pdf())


# --- the whole flow ---------------------------------------------------------------------------------


@pytest.fixture
def submitted(application, resident, me):
    give_permit(me)
    add(resident, application, "education", ["junior_college"])
    add(resident, application, "insurance_type_years_province", 12)
    add(resident, application, "work_years_city", 3)
    return claims.submit_application(actor=resident, application_id=application.pk)


def decide_all(application, *, education_a, hr_a, police_a_points, detentions=None):
    for claim in Claim.objects.filter(application=application).select_related("case"):
        reviewer = {
            "education": education_a,
            "human_resources": hr_a,
            "public_security": police_a_points,
        }[claim.case.department.code]
        value = detentions if claim.fact_type_id == "detentions" else None
        claims.verify_claim(actor=reviewer, claim_id=claim.pk, verified_value=value)


def test_submitting_sends_every_claim_to_its_department(submitted):
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_at is not None
    statuses = set(submitted.claims.values_list("case__status", flat=True))
    assert statuses == {Status.SUBMITTED}


def test_when_every_claim_is_decided_the_score_is_written_and_the_resident_told(
    submitted, resident, me, education_a, hr_a, police_a_points, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide_all(submitted, education_a=education_a, hr_a=hr_a, police_a_points=police_a_points)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.COMPLETED
    sheet = FactSheet.objects.get(person=me)
    assert sheet.reference_date == timezone.localdate(submitted.submitted_at)
    # registry facts come from the registry, claims from the departments' verification
    assert sheet.facts["has_permit"] is True
    assert sheet.facts["birth_date"] == me.birth_date.isoformat()
    assert sheet.facts["residence_periods"][0][1] is None
    assert sheet.facts["education"] == ["junior_college"]
    assert sheet.facts["detentions"] == []
    score = Score.objects.get(person=me, is_current=True)
    lines = {line[0]: line for line in score.data["items"]}
    assert lines["education"][4] == 60  # junior college, verified by education
    assert lines["insurance_province"][4] == 18  # 12 type-years x 1.5, verified by HR
    assert lines["residence"][1] >= 35  # three years of registration, from the registry
    assert score.total("school") == sum(line[4] for line in lines.values() if line[6])
    assert "school" in score.passed
    assert selectors.passes(me, "school")
    notice = Notification.objects.filter(recipient=resident).order_by("-id").first()
    assert submitted.reference in notice.title


def test_a_department_may_confirm_a_different_value(
    submitted, me, education_a, hr_a, police_a_points
):
    decide_all(
        submitted,
        education_a=education_a,
        hr_a=hr_a,
        police_a_points=police_a_points,
        detentions=[(timezone.localdate() - dt.timedelta(days=100)).isoformat()],
    )
    score = Score.objects.get(person=me, is_current=True)
    school = score.data["services"]["school"][0]
    hukou = score.data["services"]["hukou"][0]
    assert hukou == school - 10  # the detention deducts from hukou, never from school


def test_a_rejected_claim_does_not_count(submitted, me, education_a, hr_a, police_a_points):
    education = submitted.claims.get(fact_type_id="education")
    claims.reject_claim(actor=education_a, claim_id=education.pk, reason="证书无法核实")
    for claim in submitted.claims.exclude(pk=education.pk).select_related("case__department"):
        reviewer = hr_a if claim.case.department.code == "human_resources" else police_a_points
        claims.verify_claim(actor=reviewer, claim_id=claim.pk)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.COMPLETED
    assert "education" not in FactSheet.objects.get(person=me).facts


def test_the_application_waits_for_the_last_decision(submitted, education_a):
    education = submitted.claims.get(fact_type_id="education")
    claims.verify_claim(actor=education_a, claim_id=education.pk)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert not FactSheet.objects.exists()


def test_a_returned_claim_is_corrected_and_sent_again(submitted, resident, education_a):
    education = submitted.claims.get(fact_type_id="education")
    claims.return_claim(actor=education_a, claim_id=education.pk, reason="请上传学位证书")
    claims.update_claim(actor=resident, claim_id=education.pk, value=["bachelor_degree"])
    claims.add_evidence(actor=resident, claim_id=education.pk, upload=pdf("degree.pdf"))
    claims.resubmit_claim(actor=resident, claim_id=education.pk)
    education.refresh_from_db()
    assert education.case.status == Status.SUBMITTED
    assert education.value == ["bachelor_degree"]


def test_a_claim_cannot_change_once_submitted(submitted, resident):
    education = submitted.claims.get(fact_type_id="education")
    with pytest.raises(TransitionNotAllowed):
        claims.update_claim(actor=resident, claim_id=education.pk, value=["doctor"])


# --- scoping --------------------------------------------------------------------------------------------


def test_another_departments_reviewer_cannot_verify_the_claim(submitted, hr_a):
    education = submitted.claims.get(fact_type_id="education")
    with pytest.raises(NotFound):
        claims.verify_claim(actor=hr_a, claim_id=education.pk)
    education.refresh_from_db()
    assert education.case.status == Status.SUBMITTED


def test_a_reviewer_of_another_district_cannot_verify_the_claim(submitted, hr_b):
    insurance = submitted.claims.get(fact_type_id="insurance_type_years_province")
    with pytest.raises(NotFound):
        claims.verify_claim(actor=hr_b, claim_id=insurance.pk)


def test_reviewers_see_only_their_departments_claims(submitted, education_a, hr_a, hr_b):
    assert set(
        selectors.claims_reviewable_by(education_a).values_list("fact_type_id", flat=True)
    ) == {"education"}
    assert set(selectors.claims_reviewable_by(hr_a).values_list("fact_type_id", flat=True)) == {
        "insurance_type_years_province",
        "work_years_city",
    }
    assert not selectors.claims_reviewable_by(hr_b).exists()


def test_withdrawing_withdraws_the_open_claims(submitted, resident):
    claims.withdraw_application(actor=resident, application_id=submitted.pk)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.WITHDRAWN
    assert set(submitted.claims.values_list("case__status", flat=True)) == {Status.WITHDRAWN}


def test_a_new_account_without_a_permit_cannot_start_and_is_told_when_it_can(
    zhongshan, other_resident, address_a
):
    from residents import services as resident_services
    from tests.residents.conftest import make_person as make_own_person

    person = make_own_person(other_resident, seq=57)
    resident_services.register_residence(
        actor=other_resident,
        person_id=person.pk,
        address_id=address_a.pk,
        start_date=timezone.localdate(),
        reason="work",
    )
    with pytest.raises(NotEligible) as refused:
        claims.start_application(actor=other_resident, service="school")
    assert refused.value.code == "entry_conditions"
    [unmet] = refused.value.fields["entry"]
    assert "持有广东省居住证" in unmet
    six_months = add_months(timezone.localdate(), 6)
    assert date_format(six_months) in unmet


def test_submitting_lists_every_unmet_entry_condition_at_once(application, resident, me):
    Permit.objects.filter(person=me).update(
        status="cancelled", cancelled_on=timezone.localdate(), cancel_reason="迁出"
    )
    add(resident, application, "education", ["junior_college"])
    with pytest.raises(NotEligible) as refused:
        claims.submit_application(actor=resident, application_id=application.pk)
    entry = refused.value.fields["entry"]
    assert len(entry) == 2
    assert any("持有广东省居住证" in line for line in entry)
    assert any("在本市工作满1年" in line for line in entry)


@pytest.mark.parametrize(
    ("fact_type", "value", "department"),
    [
        ("unmarried", True, "civil_affairs"),
        ("patents_invention", ["2024-03-01"], "science"),
        ("blood_donation_cc", 400, "health"),
        ("income_tax_5y", 12000, "tax"),
        ("housing_fund_months", 24, "housing_fund"),
    ],
)
def test_claims_go_to_the_department_of_the_verification_map(
    application, resident, fact_type, value, department
):
    claim = add(resident, application, fact_type, value, evidence=False)
    assert claim.case.department.code == department


@pytest.mark.parametrize("reason", BLANK_REASONS)
@pytest.mark.parametrize("decide", [claims.reject_claim, claims.return_claim])
def test_a_claim_is_not_rejected_or_returned_without_a_reason(
    submitted, education_a, decide, reason
):
    education = submitted.claims.get(fact_type_id="education")
    assert_service_wants_a_reason(
        lambda: decide(actor=education_a, claim_id=education.pk, reason=reason)
    )
    assert Claim.objects.get(pk=education.pk).case.status == Status.SUBMITTED


def test_withdrawing_an_application_leaves_its_status_history(submitted, resident):
    claims.withdraw_application(actor=resident, application_id=submitted.pk)

    assert list(submitted.events.order_by("pgh_id").values_list("pgh_label", "status")) == [
        ("status_changed", ApplicationStatus.SUBMITTED),
        ("status_changed", ApplicationStatus.WITHDRAWN),
    ]
