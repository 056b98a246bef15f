"""Reads of the schooling app, each scoped to the user asking: the one place that decides visibility.

- Rounds, once opened, and the schools taking part are public information.
- A family sees its own applications, preferences, offers and results.
- An education reviewer sees the applications of their districts, and the results of the
  schools in their districts; they run the draw of a round whose schools all lie in their
  districts. A superuser manages every round.
- Anyone else sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from portal.accounts import selectors as account_selectors
from portal.accounts.models import DepartmentCode, User
from portal.areas.models import Area
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import Status
from schooling.allocation import Key
from schooling.models import (
    LIVE_OFFER,
    DrawEntry,
    EnrolmentApplication,
    EnrolmentRound,
    Material,
    Offer,
    OfferPhase,
    OfferStatus,
    Preference,
    RoundSchool,
    RoundStatus,
    School,
)


def is_education_reviewer(user: User) -> bool:
    return account_selectors.is_reviewer_of(user, DepartmentCode.EDUCATION)


# --- rounds and schools ----------------------------------------------------------------------------


def rounds_visible_to(user: User) -> QuerySet[EnrolmentRound]:
    """Published rounds for everyone signed in; rounds being prepared only for those who manage them."""
    if not user.is_authenticated:
        return EnrolmentRound.objects.none()
    return EnrolmentRound.objects.filter(
        ~Q(status=RoundStatus.SETUP) | Q(pk__in=rounds_managed_by(user).values("pk"))
    ).order_by("-year", "stage", "name")


def rounds_managed_by(user: User) -> QuerySet[EnrolmentRound]:
    """Rounds the user may configure and draw: an education reviewer of every district of their schools."""
    if not user.is_authenticated:
        return EnrolmentRound.objects.none()
    if user.is_superuser:
        return EnrolmentRound.objects.all()
    if not is_education_reviewer(user):
        return EnrolmentRound.objects.none()
    outside = Area.objects.filter(level="district").exclude(pk__in=user.districts.all())
    return EnrolmentRound.objects.exclude(schools__school__district__in=outside)


def open_rounds(user: User, *, on) -> list[EnrolmentRound]:
    """Rounds taking applications or preferences on the day."""
    return [
        r
        for r in rounds_visible_to(user).filter(status=RoundStatus.OPEN)
        if r.application_window_open(on) or r.preference_window_open(on)
    ]


def round_schools(enrolment_round: EnrolmentRound) -> QuerySet[RoundSchool]:
    """The schools of a round with their seats and results, by district."""
    return enrolment_round.schools.select_related(
        "school", "school__district", "school__community"
    ).order_by("school__district__code", "school__code")


def schools_visible_to(user: User) -> QuerySet[School]:
    """The schools taking migrant children (public reference data), with their catchments."""
    if not user.is_authenticated:
        return School.objects.none()
    return (
        School.objects.filter(active=True)
        .select_related("district", "community")
        .prefetch_related("catchment")
        .order_by("district__code", "code")
    )


def catchment_ids(schools: list[School] | QuerySet[School]) -> dict[int, set[int]]:
    """School id -> the ids of the communities in its catchment."""
    through = School.catchment.through
    result: dict[int, set[int]] = {s.pk: set() for s in schools}
    for school_id, area_id in through.objects.filter(school__in=list(result)).values_list(
        "school_id", "area_id"
    ):
        result[school_id].add(area_id)
    return result


# --- applications ----------------------------------------------------------------------------------


def _application_queryset() -> QuerySet[EnrolmentApplication]:
    return EnrolmentApplication.objects.select_related(
        "case",
        "case__department",
        "case__district",
        "case__applicant",
        "round",
        "child",
        "guardian",
        "home_community",
        "draw",
    )


def applications_of(user: User) -> QuerySet[EnrolmentApplication]:
    """The applications the user filed for their children."""
    return _application_queryset().filter(case__in=workflow_selectors.cases_of_applicant(user))


def applications_reviewable_by(user: User) -> QuerySet[EnrolmentApplication]:
    """The applications submitted in the reviewer's department (education) and districts."""
    return _application_queryset().filter(case__in=workflow_selectors.cases_reviewable_by(user))


def applications_visible_to(user: User) -> QuerySet[EnrolmentApplication]:
    if not user.is_authenticated:
        return EnrolmentApplication.objects.none()
    return _application_queryset().filter(
        Q(case__in=workflow_selectors.cases_of_applicant(user))
        | Q(case__in=workflow_selectors.cases_reviewable_by(user))
    )


def with_details(queryset: QuerySet[EnrolmentApplication]) -> QuerySet[EnrolmentApplication]:
    """Applications with their preferences (and schools), materials and offers loaded."""
    return queryset.prefetch_related(
        Prefetch(
            "preferences",
            queryset=Preference.objects.select_related("school").order_by("rank"),
        ),
        "materials",
        Prefetch(
            "offers",
            queryset=Offer.objects.select_related("place__school").order_by("offered_at", "id"),
        ),
    )


def draw_entry_of(application: EnrolmentApplication) -> DrawEntry | None:
    """The child's place in the drawn round's order and lottery number, if they took part."""
    try:
        return application.draw
    except DrawEntry.DoesNotExist:
        return None


def materials_visible_to(user: User) -> QuerySet[Material]:
    return Material.objects.filter(
        application__in=applications_visible_to(user).values("pk")
    ).select_related("application__case")


def active_application_of(enrolment_round: EnrolmentRound, child_id: int):
    return (
        EnrolmentApplication.objects.filter(round=enrolment_round, child_id=child_id, active=True)
        .select_related("case")
        .first()
    )


# --- offers ----------------------------------------------------------------------------------------


# Offers a family sees: those of a draw that has finished (a draw being written is not published).
PUBLISHED_ROUND_STATUSES = (RoundStatus.ALLOCATED, RoundStatus.COMPLETED, RoundStatus.CLOSED)


def offers_of(user: User) -> QuerySet[Offer]:
    """The offers made to the user's children, once their round's draw is published."""
    return (
        Offer.objects.filter(application__in=applications_of(user).values("pk"))
        .filter(round__status__in=PUBLISHED_ROUND_STATUSES)
        .select_related("application__child", "application__case", "place__school", "round")
    )


def live_seats_by_place(enrolment_round: EnrolmentRound) -> dict[int, set[int]]:
    """Place id -> the seat numbers held by a live offer (offered or accepted)."""
    seats: dict[int, set[int]] = {}
    for place_id, seat_no in Offer.objects.filter(
        round=enrolment_round, status__in=sorted(LIVE_OFFER)
    ).values_list("place_id", "seat_no"):
        seats.setdefault(place_id, set()).add(seat_no)
    return seats


def waiting_list(place: RoundSchool, *, on) -> QuerySet[Preference]:
    """Who a seat of this school passes to, in order: children who listed it and hold nothing better.

    In the school's order (category there, then place in the round's order), children of the
    draw still active and approved, who never had an offer at this school, never let an offer
    lapse (nor hold one unanswered past its deadline on `on`), and hold no live offer at a
    school they ranked at least as high.
    """
    better_held = Offer.objects.filter(
        application=OuterRef("application_id"),
        status__in=sorted(LIVE_OFFER),
        place__school__in=Preference.objects.filter(
            application=OuterRef(OuterRef("application_id")), rank__lte=OuterRef(OuterRef("rank"))
        ).values("school"),
    )
    return (
        Preference.objects.filter(
            school_id=place.school_id,
            application__round_id=place.round_id,
            application__active=True,
            application__draw__isnull=False,
            application__case__status=Status.APPROVED,
        )
        .exclude(application__offers__place=place)
        .exclude(application__offers__status=OfferStatus.EXPIRED)
        .exclude(
            Exists(
                Offer.objects.filter(
                    application=OuterRef("application_id"),
                    status=OfferStatus.OFFERED,
                    deadline__lt=on,
                )
            )
        )
        .exclude(Exists(better_held))
        .select_related("application", "application__case")
        .order_by("category", "application__draw__order_rank")
    )


# --- results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceExplanation:
    """Why one of the family's choices ended as it did in the first round."""

    rank: int
    school: School
    category: int
    key: Key | None
    cutoff: Key | None
    cutoff_points: object
    seats: int
    outcome: str  # placed, below_cutoff, no_seats, not_needed, not_in_round, not_drawn
    message: str


def explain_application(application: EnrolmentApplication) -> list[ChoiceExplanation]:
    """Each preferred school's first-round outcome for this child, with the school's cutoff.

    Uses the stored draw: the child's key at a school is (category there, place in the
    round's order); a school's cutoff is its lowest admitted key. Loads the preferences'
    schools and the round's school results in two queries.
    """
    enrolment_round = application.round
    preferences = list(application.preferences.select_related("school").order_by("rank"))
    places = {
        p.school_id: p
        for p in RoundSchool.objects.filter(
            round=enrolment_round, school__in=[pref.school_id for pref in preferences]
        )
    }
    first = (
        Offer.objects.filter(application=application, phase=OfferPhase.FIRST)
        .values_list("place__school_id", flat=True)
        .first()
    )
    entry = draw_entry_of(application)
    drawn = enrolment_round.is_drawn and entry is not None
    results = []
    reached = False
    for pref in preferences:
        place = places.get(pref.school_id)
        key = Key(pref.category, entry.order_rank) if drawn else None
        cutoff = (
            Key(place.cutoff_category, place.cutoff_rank)
            if place is not None and place.cutoff_rank is not None
            else None
        )
        if place is None:
            outcome, message = "not_in_round", _("This school does not take part in the round.")
        elif not drawn:
            outcome, message = "not_drawn", _("Not drawn yet.")
        elif pref.school_id == first:
            reached = True
            outcome, message = "placed", _("Placed here in the first round.")
        elif reached:
            outcome = "not_needed"
            message = _("Not needed: you were placed at a school you ranked higher.")
        elif place.seats == 0:
            outcome, message = "no_seats", _("This school had no seats for non-hukou children.")
        else:
            outcome = "below_cutoff"
            if cutoff is not None and key is not None and key.category > cutoff.category:
                message = _(
                    "Full: the last child admitted was in priority category %(theirs)s, "
                    "yours there is %(mine)s."
                ) % {"theirs": cutoff.category, "mine": key.category}
            else:
                message = _(
                    "Full: in your priority category the last child admitted was number "
                    "%(theirs)s in the round's order (%(points)s points); you are number %(mine)s."
                ) % {
                    "theirs": cutoff.rank if cutoff else "",
                    "points": place.cutoff_points,
                    "mine": entry.order_rank,
                }
        results.append(
            ChoiceExplanation(
                rank=pref.rank,
                school=pref.school,
                category=pref.category,
                key=key,
                cutoff=cutoff,
                cutoff_points=place.cutoff_points if place else None,
                seats=place.seats if place else 0,
                outcome=outcome,
                message=message,
            )
        )
    return results


def results_for_reviewer(user: User, enrolment_round: EnrolmentRound) -> QuerySet[RoundSchool]:
    """Per school of the reviewer's districts: seats, applicants, admitted, cutoff, seats held now."""
    if user.is_superuser:
        queryset = round_schools(enrolment_round)
    elif is_education_reviewer(user):
        queryset = round_schools(enrolment_round).filter(school__district__in=user.districts.all())
    else:
        return RoundSchool.objects.none()
    return queryset.annotate(
        held=Count("offers", filter=Q(offers__status__in=sorted(LIVE_OFFER))),
        accepted=Count("offers", filter=Q(offers__status=OfferStatus.ACCEPTED)),
    )


@dataclass(frozen=True)
class PlacementRate:
    drawn: int  # children in the draw
    placed_first: int  # placed in the first round
    holding: int  # holding a seat now (offered or accepted)
    accepted: int
    seats: int

    @property
    def rate(self) -> float:
        return self.holding / self.drawn if self.drawn else 0.0

    @property
    def first_rate(self) -> float:
        return self.placed_first / self.drawn if self.drawn else 0.0


def placement_rate(enrolment_round: EnrolmentRound) -> PlacementRate:
    """How many children of the draw were placed in the first round, hold a seat now, accepted."""
    drawn = DrawEntry.objects.filter(round=enrolment_round).count()
    offers = Offer.objects.filter(round=enrolment_round)
    counts = offers.aggregate(
        placed_first=Count("application", filter=Q(phase=OfferPhase.FIRST), distinct=True),
        holding=Count("application", filter=Q(status__in=sorted(LIVE_OFFER)), distinct=True),
        accepted=Count("application", filter=Q(status=OfferStatus.ACCEPTED), distinct=True),
    )
    seats = sum(enrolment_round.schools.values_list("seats", flat=True))
    return PlacementRate(drawn=drawn, seats=seats, **counts)
