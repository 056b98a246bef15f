"""The draw: the committed seed, the first round's offers and cutoffs, explanations, the second round."""

from __future__ import annotations

import pytest
import time_machine

from portal.errors import NotEligible, NotFound, TransitionNotAllowed
from schooling import allocation, selectors, services
from schooling.models import (
    AllocationRun,
    DrawEntry,
    EnrolmentApplication,
    Offer,
    OfferPhase,
    OfferStatus,
    RoundSchool,
    RoundStatus,
    Tenure,
)
from schooling.services.draw import read_applicants
from tests.schooling.conftest import add_community, after, build_round, enter, make_school


@pytest.fixture
def entrants(enrolment_round, schools, address_a, police_a, education_a):
    """Three families of district A ranking X then Y (one seat each).

    rented: 80 points, rents in X's catchment (category 2 at X);
    top: 95 points, no priority; middle: 86 points, no priority.
    """
    x, y = schools["X"], schools["Y"]
    common = {"address": address_a, "police": police_a, "reviewer": education_a, "choices": [x, y]}
    return {
        "rented": enter(enrolment_round, username="rented", tenure=Tenure.RENTED, **common)[1],
        "top": enter(
            enrolment_round,
            username="top",
            tenure=Tenure.OTHER,
            points={"insurance_years": 10},
            **common,
        )[1],
        "middle": enter(
            enrolment_round,
            username="middle",
            tenure=Tenure.OTHER,
            points={"insurance_years": 4},
            **common,
        )[1],
    }


def draw(enrolment_round, actor, *, seed="published-seed-2026"):
    services.commit_lottery_seed(actor=actor, round_id=enrolment_round.pk, seed=seed)
    with time_machine.travel(after(enrolment_round.preference_closes), tick=False):
        return services.run_first_round(actor=actor, round_id=enrolment_round.pk)


def placed_at(application):
    offer = Offer.objects.filter(application=application, phase=OfferPhase.FIRST).first()
    return offer.place.school.code if offer else None


# --- the seed --------------------------------------------------------------------------------------


def test_the_seed_hash_is_published_and_the_seed_hidden_until_the_draw(
    enrolment_round, education_all
):
    committed = services.commit_lottery_seed(
        actor=education_all, round_id=enrolment_round.pk, seed="abc"
    )

    assert committed.lottery_seed_sha256 == allocation.seed_hash("abc")
    assert committed.revealed_seed == ""
    with pytest.raises(TransitionNotAllowed):
        services.commit_lottery_seed(actor=education_all, round_id=enrolment_round.pk, seed="x")


def test_a_seed_is_made_when_none_is_given(enrolment_round, education_all):
    committed = services.commit_lottery_seed(actor=education_all, round_id=enrolment_round.pk)

    assert len(committed.lottery_seed) == 32
    assert committed.lottery_seed_sha256 == allocation.seed_hash(committed.lottery_seed)


def test_the_seed_cannot_be_committed_once_preferences_are_final(enrolment_round, education_all):
    with (
        time_machine.travel(after(enrolment_round.preference_closes)),
        pytest.raises(NotEligible),
    ):
        services.commit_lottery_seed(actor=education_all, round_id=enrolment_round.pk)


def test_only_those_managing_every_district_of_the_round_draw_it(
    enrolment_round, education_a, police_a
):
    for outsider in (education_a, police_a):
        with pytest.raises(NotFound):
            services.commit_lottery_seed(actor=outsider, round_id=enrolment_round.pk)


def test_no_draw_without_a_committed_seed_or_before_the_window_closes(
    enrolment_round, education_all
):
    with time_machine.travel(after(enrolment_round.preference_closes)), pytest.raises(NotEligible):
        services.run_first_round(actor=education_all, round_id=enrolment_round.pk)
    services.commit_lottery_seed(actor=education_all, round_id=enrolment_round.pk)
    with pytest.raises(NotEligible) as refused:
        services.run_first_round(actor=education_all, round_id=enrolment_round.pk)
    assert refused.value.code == "too_early"


# --- the first round ---------------------------------------------------------------------------------


def test_the_draw_places_by_category_then_points(enrolment_round, entrants, education_all):
    run = draw(enrolment_round, education_all)

    assert placed_at(entrants["rented"]) == "X"  # category 2 at X beats more points
    assert placed_at(entrants["top"]) == "Y"
    assert placed_at(entrants["middle"]) is None
    assert (run.applicants, run.placed) == (3, 2)
    enrolment_round.refresh_from_db()
    assert enrolment_round.status == RoundStatus.ALLOCATED
    assert enrolment_round.revealed_seed == "published-seed-2026"
    assert AllocationRun.objects.filter(round=enrolment_round, phase=OfferPhase.FIRST).count() == 1


def test_the_draw_publishes_each_schools_cutoff(enrolment_round, entrants, education_all):
    draw(enrolment_round, education_all)

    results = {p.school.code: p for p in RoundSchool.objects.filter(round=enrolment_round)}
    rented = EnrolmentApplication.objects.get(pk=entrants["rented"].pk)
    top = EnrolmentApplication.objects.get(pk=entrants["top"].pk)
    x, y, z = results["X"], results["Y"], results["Z"]
    assert (x.applicants, x.admitted, x.cutoff_category) == (3, 1, 2)
    assert (x.cutoff_rank, x.cutoff_points) == (rented.draw.order_rank, rented.points)
    assert x.cutoff_lottery == rented.draw.lottery_number
    assert (y.admitted, y.cutoff_category, y.cutoff_rank) == (1, 3, top.draw.order_rank)
    assert (z.applicants, z.admitted, z.cutoff_rank) == (0, 0, None)


def test_the_result_explains_every_choice(enrolment_round, entrants, education_all):
    draw(enrolment_round, education_all)
    middle = EnrolmentApplication.objects.get(pk=entrants["middle"].pk)
    top = EnrolmentApplication.objects.get(pk=entrants["top"].pk)

    unplaced = selectors.explain_application(middle)
    second_choice = selectors.explain_application(top)

    assert [c.outcome for c in unplaced] == ["below_cutoff", "below_cutoff"]
    assert "第2优先类别" in unplaced[0].message  # X's last admitted child had priority (category 2)
    assert unplaced[1].key > unplaced[1].cutoff  # same category at Y, later in the order
    assert str(top.draw.order_rank) in unplaced[1].message
    assert [c.outcome for c in second_choice] == ["below_cutoff", "placed"]


def test_anyone_can_recompute_the_draw_from_the_revealed_seed(
    enrolment_round, entrants, education_all
):
    draw(enrolment_round, education_all, seed="recompute-me")
    enrolment_round.refresh_from_db()

    applicants, _points = read_applicants(enrolment_round)
    places = {p.school_id: p for p in enrolment_round.schools.all()}
    again = allocation.allocate(
        applicants,
        {school: place.seats for school, place in places.items()},
        seed=enrolment_round.revealed_seed,
    )

    for application in EnrolmentApplication.objects.filter(round=enrolment_round):
        offer = Offer.objects.filter(application=application).first()
        assert again.placed[application.pk] == (offer.place.school_id if offer else None)
        assert application.draw.order_rank == again.rank[application.pk]
        assert application.draw.lottery_number == allocation.lottery_number(
            "recompute-me", application.case.reference
        )


def test_equal_points_are_decided_by_the_lottery_of_the_committed_seed(
    schools, education_all, address_a, police_a, education_a
):
    def run(seed: str, suffix: str):
        enrolment_round = build_round(schools=schools, seats={"Y": 1}, actor=education_all)
        common = {
            "address": address_a,
            "police": police_a,
            "reviewer": education_a,
            "choices": [schools["Y"]],
            "tenure": Tenure.OTHER,
        }
        one = enter(enrolment_round, username=f"one{suffix}", **common)[1]
        two = enter(enrolment_round, username=f"two{suffix}", **common)[1]
        draw(enrolment_round, education_all, seed=seed)
        winner = min((one, two), key=lambda a: allocation.lottery_number(seed, a.case.reference))
        assert placed_at(winner) == "Y"
        return placed_at(one) == "Y"

    outcomes = {run(f"seed-{n}", str(n)) for n in range(6)}
    assert outcomes == {True, False}  # different seeds, different winners


def test_a_round_is_drawn_once(enrolment_round, entrants, education_all):
    draw(enrolment_round, education_all)
    with (
        time_machine.travel(after(enrolment_round.preference_closes)),
        pytest.raises(TransitionNotAllowed),
    ):
        services.run_first_round(actor=education_all, round_id=enrolment_round.pk)
    assert Offer.objects.filter(round=enrolment_round).count() == 2


def test_applications_not_approved_stay_out_of_the_draw(
    enrolment_round, schools, entrants, education_all, address_a, police_a
):
    from tests.schooling.conftest import attach_materials, make_guardian

    user, _guardian, child = make_guardian(username="pending", address=address_a, police=police_a)
    pending = services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure=Tenure.OWNED
    )
    attach_materials(user, pending)
    services.submit_application(actor=user, application_id=pending.pk)
    services.save_preferences(actor=user, application_id=pending.pk, school_ids=[schools["X"].pk])

    run = draw(enrolment_round, education_all)

    assert run.applicants == 3
    assert not DrawEntry.objects.filter(application=pending).exists()


def test_the_placement_rate_of_the_round(enrolment_round, entrants, education_all):
    draw(enrolment_round, education_all)

    rate = selectors.placement_rate(enrolment_round)

    assert (rate.drawn, rate.placed_first, rate.holding, rate.accepted) == (3, 2, 2, 0)
    assert rate.rate == pytest.approx(2 / 3)
    assert rate.seats == 4


def test_reviewers_see_the_results_of_their_districts_only(
    enrolment_round, entrants, education_all, education_b
):
    draw(enrolment_round, education_all)

    assert {
        p.school.code for p in selectors.results_for_reviewer(education_b, enrolment_round)
    } == {"Z"}
    rows = {
        p.school.code: p for p in selectors.results_for_reviewer(education_all, enrolment_round)
    }
    assert (rows["X"].seats, rows["X"].applicants, rows["X"].admitted, rows["X"].held) == (
        1,
        3,
        1,
        1,
    )


# --- the second round ---------------------------------------------------------------------------------


def test_the_second_round_places_the_unplaced_at_the_nearest_school_of_their_district(
    schools, education_all, address_a, police_a, education_a, district_a, community_a
):
    near = make_school("W", district_a, community_a)
    far_community = add_community(district_a, code_suffix="019", lon=121.40, lat=28.05)
    far = make_school("V", district_a, far_community)
    enrolment_round = build_round(
        schools={**schools, "W": near, "V": far},
        seats={"X": 1, "W": 1, "V": 3},
        actor=education_all,
    )
    common = {"address": address_a, "police": police_a, "reviewer": education_a}
    first = enter(enrolment_round, username="f1", choices=[schools["X"]], **common)[1]
    second = enter(
        enrolment_round,
        username="f2",
        choices=[schools["X"]],
        tenure=Tenure.OTHER,
        points={"insurance_years": 8},
        **common,
    )[1]
    third = enter(
        enrolment_round,
        username="f3",
        choices=[schools["X"]],
        tenure=Tenure.OTHER,
        points={"insurance_years": 2},
        **common,
    )[1]
    draw(enrolment_round, education_all)
    assert placed_at(first) == "X"  # rented in X's catchment: category 2

    with pytest.raises(NotEligible):
        services.run_second_round(actor=education_all, round_id=enrolment_round.pk)
    with time_machine.travel(after(enrolment_round.offer_deadline), tick=False):
        run = services.run_second_round(actor=education_all, round_id=enrolment_round.pk)

    second_offer = Offer.objects.get(application=second, phase=OfferPhase.SECOND)
    third_offer = Offer.objects.get(application=third, phase=OfferPhase.SECOND)
    assert second_offer.place.school.code == "W"  # more points: the nearest school
    assert third_offer.place.school.code == "V"
    assert second_offer.distance_km < third_offer.distance_km
    assert third_offer.status == OfferStatus.OFFERED
    assert (run.applicants, run.placed) == (2, 2)
    assert RoundSchool.objects.get(round=enrolment_round, school=far).admitted_second == 1
    enrolment_round.refresh_from_db()
    assert enrolment_round.status == RoundStatus.COMPLETED


def test_the_families_are_told_their_result_once(enrolment_round, entrants, education_all):
    from portal.notices.models import Notification

    draw(enrolment_round, education_all)

    assert services.send_round_results(round_id=enrolment_round.pk) == 3
    assert services.send_round_results(round_id=enrolment_round.pk) == 0
    top_user = entrants["top"].case.applicant
    assert (
        Notification.objects.filter(
            recipient=top_user, title__contains=enrolment_round.name
        ).count()
        == 1
    )


def test_after_the_draw_the_first_round_seats_are_numbered(
    enrolment_round, entrants, education_all
):
    draw(enrolment_round, education_all)
    seats = sorted(Offer.objects.filter(round=enrolment_round).values_list("seat_no", flat=True))
    assert seats == [1, 1]
    assert Offer.objects.first().deadline == enrolment_round.offer_deadline


def test_a_round_with_an_unknown_tie_break_cannot_open(schools, education_all):
    with pytest.raises(NotEligible) as refused:
        build_round(schools=schools, seats={"X": 1}, actor=education_all, tie_breaks=["height"])
    assert refused.value.code == "tie_breaks"
