"""Ranking a round, offering units in rank order by type, and the households' answers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from housing import selectors, services, tasks
from housing.models import (
    HousingApplication,
    HousingUnit,
    Offer,
    OfferStatus,
    RoundStatus,
    UnitType,
    lottery_key,
)
from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from portal.notices.models import Notification
from tests import factories
from tests.housing.conftest import apply, give_points, holder


def after_close(housing_round) -> dt.datetime:
    return timezone.now() + dt.timedelta(
        days=(housing_round.closes_on - timezone.localdate()).days + 1
    )


def after_publication(ranked_round) -> dt.datetime:
    """The day after the ranking's publication (公示) window."""
    ranked_round.refresh_from_db()
    day = ranked_round.objection_until + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


@pytest.fixture
def households(housing_round, address_a, police_a, housing_a, rules_in_force):
    """Six qualified households: five for one-bedroom flats (50; 40 with the better quality
    sub-score, applied later; 40; 30; no score) and a family of three for the two-bedroom."""
    made = {}
    for key, seq, name, points, quality, unit_type, size in (
        ("a", 81, "孙悦", "50", 0, UnitType.ONE_BEDROOM, 1),
        ("c", 85, "周全", "40", 20, UnitType.ONE_BEDROOM, 1),
        ("b", 83, "钱进", "40", 60, UnitType.ONE_BEDROOM, 2),
        ("d", 87, "吴桐", "30", 0, UnitType.ONE_BEDROOM, 1),
        ("e", 89, "郑和", "35", 0, UnitType.TWO_BEDROOM, 3),
        ("f", 93, "冯青", None, 0, UnitType.ONE_BEDROOM, 1),
    ):
        user = factories.UserFactory(username=f"household_{key}")
        person = holder(user, seq=seq, name=name, address=address_a, police=police_a)
        if points:
            give_points(person, rules_in_force, points, subs={"quality": quality})
        application = apply(user, housing_round, unit_type=unit_type, household_size=size)
        services.submit_housing_application(actor=user, application_id=application.pk)
        services.approve_housing_application(actor=housing_a, application_id=application.pk)
        made[key] = (user, application)
    return made


@pytest.fixture
def ranked(housing_round, households, housing_a):
    return services.rank_round(
        actor=housing_a, round_id=housing_round.pk, now=after_close(housing_round)
    )


@pytest.fixture
def offered(ranked, housing_a):
    services.allocate_round(actor=housing_a, round_id=ranked.pk, now=after_publication(ranked))
    return ranked


def offer_of(households, key) -> Offer | None:
    user, application = households[key]
    return selectors.offers_of(user).filter(application=application).first()


def test_ranking_waits_until_applications_close(housing_round, households, housing_a):
    with pytest.raises(TransitionNotAllowed):
        services.rank_round(actor=housing_a, round_id=housing_round.pk)
    housing_round.refresh_from_db()
    assert housing_round.status == RoundStatus.OPEN


def test_ranking_waits_for_every_submitted_application_to_be_decided(
    housing_round, households, housing_a, address_a, police_a
):
    late = factories.UserFactory(username="household_late")
    holder(late, seq=91, name="冯远", address=address_a, police=police_a)
    application = apply(late, housing_round)
    services.submit_housing_application(actor=late, application_id=application.pk)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.rank_round(
            actor=housing_a, round_id=housing_round.pk, now=after_close(housing_round)
        )
    assert refused.value.code == "pending_applications"


def test_only_housing_reviewers_of_the_district_rank(housing_round, households, housing_b):
    with pytest.raises(NotFound):
        services.rank_round(
            actor=housing_b, round_id=housing_round.pk, now=after_close(housing_round)
        )


def test_the_ranking_orders_points_then_the_rules_tie_breaks_and_reveals_the_seed(
    ranked, households, housing_a
):
    ranks = {
        key: HousingApplication.objects.get(pk=application.pk)
        for key, (_user, application) in households.items()
    }
    # 50; 40 with the better quality sub-score though applied later; 40; 35; 30; no score
    assert ranks["c"].applied_at < ranks["b"].applied_at
    assert [ranks[k].rank for k in "abcde"] == [1, 2, 3, 5, 4]
    assert ranks["f"].rank is None  # unscored: not ranked as 0
    assert ranked.tie_break == ["quality", "insurance", "residence"]
    assert ranked.revealed_seed == ranked.seed
    for key in "abcde":
        assert ranks[key].lottery_key == lottery_key(ranked.seed, ranks[key].pk)
    with pytest.raises(TransitionNotAllowed):
        services.rank_round(actor=housing_a, round_id=ranked.pk, now=after_close(ranked))


def test_the_published_ranking_masks_names_and_id_numbers(ranked):
    lines = selectors.ranking_lines(selectors.published_ranking(ranked))
    assert [line.rank for line in lines] == [1, 2, 3, 4, 5]
    assert lines[0].name_masked == "孙*"
    assert "*" in lines[0].id_masked
    assert all("悦" not in line.name_masked for line in lines)


def test_nothing_is_published_before_the_ranking(housing_round, households):
    assert not selectors.published_ranking(housing_round).exists()


def test_units_are_offered_in_rank_order_by_type_and_the_rest_wait(offered, households):
    one_bedrooms = list(
        HousingUnit.objects.filter(unit_type=UnitType.ONE_BEDROOM)
        .order_by("label")
        .values_list("pk", flat=True)
    )
    assert offer_of(households, "a").unit_id == one_bedrooms[0]
    assert offer_of(households, "b").unit_id == one_bedrooms[1]
    assert offer_of(households, "c").unit_id == one_bedrooms[2]
    assert offer_of(households, "d") is None
    assert offer_of(households, "e").unit.unit_type == UnitType.TWO_BEDROOM
    assert selectors.waiting_count(offered) == 1


def test_allocating_again_offers_nothing_more(offered, housing_a):
    assert (
        services.allocate_round(
            actor=housing_a, round_id=offered.pk, now=after_publication(offered)
        )
        == 0
    )
    assert Offer.objects.count() == 4


def test_no_offers_before_the_ranking(housing_round, households, housing_a):
    with pytest.raises(TransitionNotAllowed):
        services.allocate_round(actor=housing_a, round_id=housing_round.pk)


def test_a_household_accepts_before_the_deadline_once(offered, households):
    user, _application = households["a"]
    offer = offer_of(households, "a")
    accepted = services.accept_offer(actor=user, offer_id=offer.pk)
    assert accepted.status == OfferStatus.ACCEPTED
    assert accepted.decided_by == user
    with pytest.raises(TransitionNotAllowed):
        services.accept_offer(actor=user, offer_id=offer.pk)
    with pytest.raises(TransitionNotAllowed):
        services.decline_offer(actor=user, offer_id=offer.pk)


def test_an_offer_cannot_be_accepted_after_its_deadline(offered, households):
    user, _application = households["a"]
    offer = offer_of(households, "a")
    with pytest.raises(TransitionNotAllowed) as refused:
        services.accept_offer(
            actor=user, offer_id=offer.pk, now=offer.deadline + dt.timedelta(seconds=1)
        )
    assert refused.value.code == "offer_lapsed"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


def test_another_household_cannot_answer_the_offer(offered, households, other_resident):
    offer = offer_of(households, "a")
    other_user, _application = households["b"]
    for outsider in (other_user, other_resident):
        with pytest.raises(NotFound):
            services.accept_offer(actor=outsider, offer_id=offer.pk)
        with pytest.raises(NotFound):
            services.decline_offer(actor=outsider, offer_id=offer.pk)


def test_a_decline_passes_the_unit_to_the_next_household_waiting_for_its_type(
    offered, households, housing_a
):
    user, _application = households["b"]
    declined = services.decline_offer(actor=user, offer_id=offer_of(households, "b").pk)
    assert declined.status == OfferStatus.DECLINED
    passed = offer_of(households, "d")
    assert passed.unit_id == declined.unit_id
    assert passed.status == OfferStatus.OFFERED
    later = after_publication(offered)
    assert services.allocate_round(actor=housing_a, round_id=offered.pk, now=later) == 0
    assert Offer.objects.filter(application=households["b"][1]).count() == 1


def test_lapsed_offers_pass_their_units_on_and_a_second_run_changes_nothing(offered, households):
    deadline = offer_of(households, "a").deadline
    later = deadline + dt.timedelta(minutes=1)
    assert services.lapse_offers(now=later) == 4
    assert offer_of(households, "a").status == OfferStatus.LAPSED
    passed = offer_of(households, "d")
    assert passed.unit_id == offer_of(households, "a").unit_id
    assert services.lapse_offers(now=later) == 0
    assert Offer.objects.filter(status=OfferStatus.OFFERED).count() == 1


def test_a_unit_can_never_hold_two_live_offers(offered, households):
    offer = offer_of(households, "a")
    _user, waiting = households["d"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            unit=offer.unit,
            application=waiting,
            offered_at=timezone.now(),
            deadline=timezone.now() + dt.timedelta(days=7),
        )


def test_households_are_told_of_their_offers_once(offered, households):
    offered_at = Offer.objects.first().offered_at
    assert services.notify_offers(round_id=offered.pk, offered_at=offered_at) == 4
    assert services.notify_offers(round_id=offered.pk, offered_at=offered_at) == 0
    user, _application = households["a"]
    assert Notification.objects.filter(recipient=user, title__contains="1幢101").count() == 1


def test_no_offer_before_the_publication_window_of_twenty_working_days_has_passed(
    ranked, housing_a
):
    ranked.refresh_from_db()
    ranked_on = timezone.localdate(ranked.ranked_at)
    assert ranked.objection_until == add_working_days(ranked_on, 20)
    last_day = timezone.make_aware(dt.datetime.combine(ranked.objection_until, dt.time(18)))
    with pytest.raises(TransitionNotAllowed) as refused:
        services.allocate_round(actor=housing_a, round_id=ranked.pk, now=last_day)
    assert refused.value.code == "publication_window"
    assert not Offer.objects.exists()


def test_an_objection_is_answered_before_any_offer(ranked, households, housing_a, other_resident):
    user, application = households["c"]
    with pytest.raises(InvalidInput):
        services.raise_ranking_objection(actor=user, application_id=application.pk, text=" ")
    with pytest.raises(NotFound):
        services.raise_ranking_objection(
            actor=other_resident, application_id=application.pk, text="排名有误"
        )
    objection = services.raise_ranking_objection(
        actor=user, application_id=application.pk, text="我的社保年限没有计入"
    )
    later = after_publication(ranked)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.allocate_round(actor=housing_a, round_id=ranked.pk, now=later)
    assert refused.value.code == "objections_open"

    services.answer_ranking_objection(
        actor=housing_a, objection_id=objection.pk, answer="已核实，社保年限已计入。"
    )
    assert services.allocate_round(actor=housing_a, round_id=ranked.pk, now=later) == 4


def test_submission_time_decides_only_where_the_rules_name_it(
    housing_round, households, housing_a, rules_in_force
):
    from points.models import ServiceRule

    ServiceRule.objects.filter(rule_set=rules_in_force, service="housing").update(
        tie_break=["applied_at"]
    )
    from points import spec

    spec.forget_compiled()
    ranked = services.rank_round(
        actor=housing_a, round_id=housing_round.pk, now=after_close(housing_round)
    )
    ranks = {
        key: HousingApplication.objects.get(pk=application.pk).rank
        for key, (_user, application) in households.items()
    }
    assert ranked.tie_break == ["applied_at"]
    assert (ranks["c"], ranks["b"]) == (2, 3)  # c applied first


def test_an_answer_leaves_a_history_event_naming_who_answered(offered, households):
    user, _application = households["a"]
    offer = offer_of(households, "a")

    services.accept_offer(actor=user, offer_id=offer.pk)

    [event] = offer.events.all()
    assert (event.pgh_label, event.status, event.decided_by_id) == (
        "status_changed",
        OfferStatus.ACCEPTED,
        user.pk,
    )


def test_offers_lapsed_by_the_task_leave_events_naming_the_task(offered, households):
    offer = offer_of(households, "a")
    with time_machine.travel(offer.deadline + dt.timedelta(minutes=1)):
        tasks.lapse_offers.apply()

    [event] = offer.events.select_related("pgh_context")
    assert event.status == OfferStatus.LAPSED
    assert event.decided_by_id is None
    assert event.pgh_context.metadata == {"task": "housing.lapse_offers"}


def test_an_offer_change_other_than_its_answer_leaves_no_event(offered, households):
    offer = offer_of(households, "a")

    Offer.objects.filter(pk=offer.pk).update(announced_at=timezone.now())

    assert not offer.events.exists()
