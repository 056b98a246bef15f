"""Job postings: employers post, human resources approve, residents search and apply with their
profile, the employer sees applicants masked; policy-push criteria; pushing a posting."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from employment import selectors, services
from employment.models import JobApplication, JobPosting
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices import services as notice_services
from portal.notices.criteria import audience_sql, clean_target
from portal.notices.models import PolicyNotice, PolicyStatus
from portal.workflow.models import Status
from tests.employment.conftest import make_person
from tests.reasons import BLANK_REASONS, assert_service_wants_a_reason


def post(user, employer, district, **extra):
    values = {
        "title": "缝纫工",
        "trade": "manufacturing",
        "district_id": district.pk,
        "pay_min": 5000,
        "pay_max": 7000,
        "description": "包吃住，做六休一。",
        "skills": "缝纫, 平车",
        **extra,
    }
    return services.create_posting(actor=user, employer_id=employer.pk, **values)


def approved(user, employer, district, hr, **extra):
    posting = post(user, employer, district, **extra)
    return services.approve_posting(actor=hr, posting_id=posting.pk)


def profile_for(user, *, seq: int, **extra):
    make_person(user, seq=seq)
    values = {
        "education": "senior_middle",
        "skill_level": "level_4",
        "employment_status": "seeking",
        "trade": "manufacturing",
        "skills": "缝纫",
        **extra,
    }
    return services.save_profile(actor=user, **values)


def test_a_posting_is_seen_by_residents_only_once_approved(
    employer, employer_user, district_a, hr_a
):
    posting = post(employer_user, employer, district_a)
    assert posting.case.kind == "job_posting"
    assert posting.skills == ["缝纫", "平车"]
    assert not selectors.open_postings().exists()

    services.approve_posting(actor=hr_a, posting_id=posting.pk)
    assert list(selectors.open_postings()) == [posting]

    services.close_posting(actor=employer_user, posting_id=posting.pk)
    assert not selectors.open_postings().exists()


def test_a_rejected_posting_stays_hidden(employer, employer_user, district_a, hr_a):
    posting = post(employer_user, employer, district_a)
    services.reject_posting(actor=hr_a, posting_id=posting.pk, reason="薪资描述不清")
    assert JobPosting.objects.get(pk=posting.pk).case.status == Status.REJECTED
    assert not selectors.open_postings().exists()


def test_bad_postings_name_every_problem(employer, employer_user):
    with pytest.raises(InvalidInput) as refused:
        services.create_posting(
            actor=employer_user,
            employer_id=employer.pk,
            title="",
            trade="mining",
            district_id=0,
            pay_min=8000,
            pay_max=6000,
            description="",
        )
    assert set(refused.value.fields) == {"title", "trade", "district", "pay_max", "description"}


def test_residents_filter_by_district_trade_pay_and_skills(
    employer, employer_user, district_a, district_b, hr_a, hr_b
):
    sewing = approved(employer_user, employer, district_a, hr_a)
    driving = approved(
        employer_user,
        employer,
        district_b,
        hr_b,
        title="配送司机",
        trade="logistics",
        pay_min=6000,
        pay_max=9000,
        skills=["驾驶", "C1驾照"],
    )
    assert list(selectors.search_postings(district_id=district_a.pk)) == [sewing]
    assert list(selectors.search_postings(trade="logistics")) == [driving]
    assert list(selectors.search_postings(pay_at_least=8000)) == [driving]
    assert list(selectors.search_postings(skills=["平车"])) == [sewing]
    assert set(selectors.search_postings()) == {sewing, driving}


def test_a_resident_applies_once_with_their_profile_and_the_employer_sees_a_masked_id(
    employer, employer_user, district_a, hr_a, resident
):
    posting = approved(employer_user, employer, district_a, hr_a)
    with pytest.raises(NotEligible):
        services.apply_for_job(actor=resident, posting_id=posting.pk)  # no person yet
    profile_for(resident, seq=61)

    application = services.apply_for_job(actor=resident, posting_id=posting.pk)

    assert application.profile["skill_level"] == "level_4"
    with pytest.raises(TransitionNotAllowed):
        services.apply_for_job(actor=resident, posting_id=posting.pk)
    seen = list(selectors.applicants_of(employer_user, posting))
    assert seen == [application]
    assert "*" in seen[0].person.id_masked


def test_applicants_are_the_posting_employer_s_alone(
    employer, employer_user, other_employer_user, district_a, hr_a, resident
):
    posting = approved(employer_user, employer, district_a, hr_a)
    profile_for(resident, seq=62)
    services.apply_for_job(actor=resident, posting_id=posting.pk)
    assert not selectors.applicants_of(other_employer_user, posting).exists()
    assert not selectors.applicants_of(resident, posting).exists()
    assert not selectors.postings_of(other_employer_user).exists()
    with pytest.raises(NotFound):
        services.close_posting(actor=other_employer_user, posting_id=posting.pk)


@pytest.mark.parametrize(
    ("criterion", "params", "reached"),
    [
        ("employment.education", {"values": ["senior_middle"]}, {"a"}),
        ("employment.skill_level", {"values": ["level_2", "level_3"]}, {"b"}),
        ("employment.status", {"values": ["seeking"]}, {"a", "b"}),
        ("employment.trade", {"values": ["it"]}, {"b"}),
    ],
)
def test_policy_push_criteria_read_the_jobseeker_profiles(
    resident, other_resident, criterion, params, reached
):
    profiles = {
        "a": profile_for(resident, seq=63),
        "b": profile_for(
            other_resident, seq=64, education="bachelor", skill_level="level_3", trade="it"
        ),
    }
    target = [{"criterion": criterion, "params": params}]
    assert notice_services.count_audience(target=target) == len(reached)
    sql, sql_params = audience_sql(clean_target(target), on=timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        ids = {row[0] for row in cursor.fetchall()}
    assert ids == {profiles[key].person_id for key in reached}


def test_human_resources_push_an_approved_posting_to_the_residents_chosen(
    employer, employer_user, district_a, hr_a, resident, other_resident
):
    posting = approved(employer_user, employer, district_a, hr_a)
    seeker = profile_for(resident, seq=65)
    profile_for(other_resident, seq=66, employment_status="employed")
    target = [{"criterion": "employment.status", "params": {"values": ["seeking"]}}]

    pushed = services.push_posting(actor=hr_a, posting_id=posting.pk, target=target)

    assert pushed.policy.status == PolicyStatus.PUBLISHED
    assert pushed.policy.link == f"/employment/jobs/{posting.pk}/"
    notice_services.push_policy(policy_id=pushed.policy_id)
    assert list(PolicyNotice.objects.values_list("person_id", flat=True)) == [seeker.person_id]
    with pytest.raises(TransitionNotAllowed):
        services.push_posting(actor=hr_a, posting_id=posting.pk, target=target)


def test_a_posting_not_approved_is_not_pushed(employer, employer_user, district_a, hr_a):
    posting = post(employer_user, employer, district_a)
    with pytest.raises(NotEligible):
        services.push_posting(
            actor=hr_a,
            posting_id=posting.pk,
            target=[{"criterion": "employment.status", "params": {"values": ["seeking"]}}],
        )
    assert JobApplication.objects.count() == 0


@pytest.mark.parametrize("reason", BLANK_REASONS)
def test_a_posting_is_not_rejected_without_a_reason(
    employer, employer_user, district_a, hr_a, reason
):
    posting = post(employer_user, employer, district_a)
    assert_service_wants_a_reason(
        lambda: services.reject_posting(actor=hr_a, posting_id=posting.pk, reason=reason)
    )
    assert JobPosting.objects.get(pk=posting.pk).case.status == Status.SUBMITTED
