"""Ranking lists (公示): order, masking, the objection window, objections and the final list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from points.models import RankingStatus
from points.services import rankings
from portal.errors import InvalidInput, NotAllowed, NotFound, TransitionNotAllowed
from tests import factories
from tests.points.conftest import complete_application, give_permit, register_person

BASE_CLAIMS = {"work_years_city": 3, "insurance_type_years_province": 10}


@pytest.fixture
def applicants(zhongshan, address_a, reviewers):
    """Three residents who applied for a school place: 张三 and 李四 tie on total."""
    made = []
    for seq, name, education in (
        (41, "张三", ["bachelor"]),
        (43, "李四", ["bachelor"]),
        (45, "王小五", ["junior_college"]),
    ):
        user = factories.UserFactory(username=f"applicant{seq}")
        person = register_person(user, address_a, seq=seq, name=name)
        give_permit(person)
        application = complete_application(
            user,
            service="school",
            claims_made={**BASE_CLAIMS, "education": education},
            reviewers=reviewers,
        )
        made.append((user, person, application))
    return made


@pytest.fixture
def hr_office(hr_a):
    return hr_a


def publish(actor, service="school", name="2026年第一批"):
    today = timezone.localdate()
    return rankings.publish_ranking(
        actor=actor,
        service=service,
        round_name=name,
        applications_from=today - dt.timedelta(days=30),
        applications_until=today,
    )


def test_the_ranking_orders_by_total_and_masks_identity_and_level_lines_share_a_rank(
    applicants, hr_office
):
    ranking = publish(hr_office)
    entries = list(ranking.entries.order_by("rank", "id"))
    assert {e.person_id for e in entries[:2]} == {applicants[0][1].pk, applicants[1][1].pk}
    assert entries[2].person_id == applicants[2][1].pk
    assert entries[0].total == entries[1].total > entries[2].total
    # The Zhongshan set does not name the time of application: a level tie is not decided by
    # who submitted a moment earlier; both stand at rank 1 and the next line is third.
    assert entries[0].applied_at < entries[1].applied_at
    assert [e.rank for e in entries] == [1, 1, 3]
    assert sorted(e.name_masked for e in entries[:2]) == sorted(["张*", "李*"])
    assert entries[2].name_masked == "王**"
    assert "*" in entries[0].id_masked


def test_the_time_of_application_decides_a_tie_only_where_the_rules_name_it(
    applicants, hr_office, zhongshan
):
    from points import spec
    from points.models import ServiceRule

    ServiceRule.objects.filter(rule_set=zhongshan, service="school").update(
        tie_break=["quality", "insurance", "residence", "applied_at"]
    )
    spec.forget_compiled()
    ranking = publish(hr_office)
    entries = list(ranking.entries.order_by("rank"))
    assert [e.rank for e in entries] == [1, 2, 3]
    assert [e.person_id for e in entries] == [p.pk for _u, p, _a in applicants]


def test_a_tie_break_the_rules_name_before_the_time_beats_an_earlier_application(
    zhongshan, address_a, reviewers, hr_office
):
    """The rule set names the time of application, but after quality: the later applicant
    with the better quality sub-score ranks first, a microsecond earlier does not help."""
    from points import spec
    from points.models import ServiceRule

    ServiceRule.objects.filter(rule_set=zhongshan, service="school").update(
        tie_break=["quality", "applied_at"]
    )
    spec.forget_compiled()
    early = factories.UserFactory(username="tie_early")
    early_person = register_person(early, address_a, seq=61, name="孙早")
    give_permit(early_person)
    complete_application(
        early,
        service="school",
        claims_made={
            "work_years_city": 3,
            "education": ["junior_college"],
            "insurance_type_years_province": 20,
        },
        reviewers=reviewers,
    )
    late = factories.UserFactory(username="tie_late")
    late_person = register_person(late, address_a, seq=63, name="周晚")
    give_permit(late_person)
    complete_application(
        late,
        service="school",
        claims_made={
            "work_years_city": 3,
            "education": ["bachelor"],
            "insurance_type_years_city": 20,
        },
        reviewers=reviewers,
    )
    ranking = publish(hr_office)
    top, runner_up = ranking.entries.order_by("rank")
    assert top.total == runner_up.total
    assert top.applied_at > runner_up.applied_at
    assert (top.person_id, top.rank, runner_up.rank) == (late_person.pk, 1, 2)


def test_ties_compare_the_sub_scores_before_application_time(
    zhongshan, address_a, reviewers, hr_office
):
    # equal totals: junior college 60 + province insurance 20 x 1.5 = 30 (quality 60) against
    # bachelor 80 + city insurance 20 x 0.5 = 10 (quality 80); the later applicant ranks first
    first = factories.UserFactory(username="tie_first")
    person = register_person(first, address_a, seq=51, name="赵一")
    give_permit(person)
    complete_application(
        first,
        service="school",
        claims_made={
            "work_years_city": 3,
            "education": ["junior_college"],
            "insurance_type_years_province": 20,
        },
        reviewers=reviewers,
    )
    second = factories.UserFactory(username="tie_second")
    person2 = register_person(second, address_a, seq=53, name="钱二")
    give_permit(person2)
    complete_application(
        second,
        service="school",
        claims_made={
            "work_years_city": 3,
            "education": ["bachelor"],
            "insurance_type_years_city": 20,
        },
        reviewers=reviewers,
    )
    ranking = publish(hr_office)
    top, runner_up = ranking.entries.order_by("rank")
    assert top.total == runner_up.total
    assert (top.person_id, runner_up.person_id) == (person2.pk, person.pk)
    assert top.tie_keys[0] > runner_up.tie_keys[0]


def test_the_objection_window_is_the_services_working_days(applicants, hr_office):
    with time_machine.travel(dt.datetime(2026, 3, 6, 10, tzinfo=dt.UTC), tick=False):  # a Friday
        school = publish(hr_office, name="第一批")
    assert school.objection_until == dt.date(2026, 3, 13)  # five working days later


def test_the_objection_window_skips_statutory_holidays(applicants, hr_office):
    # Friday 3 April 2026, before Qingming (4-6 April): Monday 6 April is no working day
    with time_machine.travel(dt.datetime(2026, 4, 3, 2, tzinfo=dt.UTC), tick=False):
        school = publish(hr_office, name="第一批")
    assert school.objection_until == dt.date(2026, 4, 13)


def test_public_rental_housing_lists_stay_open_twenty_working_days(hr_office, zhongshan):
    with time_machine.travel(dt.datetime(2026, 3, 6, 10, tzinfo=dt.UTC), tick=False):
        housing = publish(hr_office, service="housing", name="第一批")
    assert housing.objection_until == dt.date(2026, 4, 3)


def test_only_the_points_office_publishes(applicants, education_a):
    with pytest.raises(NotAllowed):
        publish(education_a)


def test_a_round_is_published_once(applicants, hr_office):
    publish(hr_office)
    with pytest.raises(InvalidInput):
        publish(hr_office)


def test_the_person_ranked_may_object_in_the_window(applicants, hr_office, other_resident):
    ranking = publish(hr_office)
    user, person, _application = applicants[2]
    entry = ranking.entries.get(person=person)
    objection = rankings.raise_objection(actor=user, entry_id=entry.pk, text="社保年限有误")
    assert objection.entry == entry
    with pytest.raises(NotFound):
        rankings.raise_objection(actor=other_resident, entry_id=entry.pk, text="不对")


def test_objections_close_with_the_window(applicants, hr_office):
    ranking = publish(hr_office)
    user, person, _application = applicants[0]
    entry = ranking.entries.get(person=person)
    later = timezone.now() + dt.timedelta(days=30)
    with time_machine.travel(later, tick=False), pytest.raises(TransitionNotAllowed):
        rankings.raise_objection(actor=user, entry_id=entry.pk, text="有误")


def test_the_list_becomes_final_after_the_window_once_every_objection_is_answered(
    applicants, hr_office
):
    ranking = publish(hr_office)
    user, person, _application = applicants[0]
    objection = rankings.raise_objection(
        actor=user, entry_id=ranking.entries.get(person=person).pk, text="有误"
    )
    with pytest.raises(TransitionNotAllowed):
        rankings.finalise_ranking(actor=hr_office, ranking_id=ranking.pk)  # still open
    later = timezone.now() + dt.timedelta(days=30)
    with time_machine.travel(later, tick=False):
        with pytest.raises(TransitionNotAllowed):
            rankings.finalise_ranking(actor=hr_office, ranking_id=ranking.pk)  # unanswered
        rankings.answer_objection(actor=hr_office, objection_id=objection.pk, answer="已核实无误")
        final = rankings.finalise_ranking(actor=hr_office, ranking_id=ranking.pk)
    assert final.status == RankingStatus.FINAL
