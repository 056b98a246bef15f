"""Reads of the housing app, each scoped to who asks: the one place that decides visibility.

- A landlord sees their own rental homes and the tenancies in them.
- A tenant sees their own tenancies (where they are the registered person).
- An applicant sees their own affordable-housing applications and offers.
- A housing reviewer sees the rental homes and applications of their districts (the
  workflow's scope) and manages the rounds of projects in their districts.
- Projects, rounds and published rankings (公示, names masked) are public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Floor, Greatest, Least
from django.utils import timezone

from housing.models import (
    AllocationRunStatus,
    ApplicationRound,
    HousingApplication,
    HousingProject,
    HousingUnit,
    OccupancyPolicy,
    Offer,
    OfferStatus,
    RentalHome,
    RoundStatus,
    Tenancy,
    UnitType,
)
from portal.accounts import selectors as account_selectors
from portal.accounts.models import DepartmentCode, User
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import Status
from residents import selectors as resident_selectors
from residents.models import FieldTask, Registration

FIELD_SOURCE = "housing"


def is_housing_reviewer(user: User) -> bool:
    return account_selectors.is_reviewer_of(user, DepartmentCode.HOUSING)


# --- rental homes and tenancies -------------------------------------------------------------------


def _home_queryset() -> QuerySet[RentalHome]:
    return RentalHome.objects.select_related(
        "case", "address", "address__grid", "address__grid__district", "landlord"
    )


def homes_of_landlord(user: User) -> QuerySet[RentalHome]:
    """The landlord's own rental homes, with the number of current tenants."""
    if not user.is_authenticated:
        return RentalHome.objects.none()
    return (
        _home_queryset()
        .filter(landlord=user)
        .annotate(tenant_count=Count("tenancies", filter=Q(tenancies__end_date__isnull=True)))
        .order_by("-created_at", "-id")
    )


def homes_reviewable_by(user: User) -> QuerySet[RentalHome]:
    """Rental homes whose safety check the housing reviewer may see (their department and districts)."""
    return _home_queryset().filter(case__in=workflow_selectors.cases_reviewable_by(user))


def home_of_case(case_id: int, user: User) -> RentalHome | None:
    return homes_reviewable_by(user).filter(case_id=case_id).first()


def _tenancy_queryset() -> QuerySet[Tenancy]:
    return Tenancy.objects.select_related(
        "person", "home", "home__address", "home__address__grid", "home__landlord", "registration"
    )


def tenancies_of_landlord(user: User) -> QuerySet[Tenancy]:
    """The tenancies, current and past, in the landlord's own homes."""
    if not user.is_authenticated:
        return Tenancy.objects.none()
    return _tenancy_queryset().filter(home__landlord=user).order_by("-start_date", "-id")


def tenancies_of_tenant(user: User) -> QuerySet[Tenancy]:
    """The tenancies where the signed-in user is the tenant."""
    if not user.is_authenticated:
        return Tenancy.objects.none()
    return _tenancy_queryset().filter(person__user=user).order_by("-start_date", "-id")


def tenancies_of_home(home: RentalHome) -> list[Tenancy]:
    """A home's tenancies, current first, then past ones newest first."""
    return list(
        _tenancy_queryset()
        .filter(home=home)
        .order_by(F("end_date").desc(nulls_first=True), "-start_date", "-id")
    )


def current_occupants(address_id: int) -> int:
    """How many people are registered at the address now (every source, not just tenants)."""
    return Registration.objects.filter(address_id=address_id, end_date__isnull=True).count()


def verification_tasks(tenancy: Tenancy) -> QuerySet[FieldTask]:
    """The grid officer's verification task(s) raised for a declared tenancy."""
    return resident_selectors.field_tasks_raised_by(
        source=FIELD_SOURCE, source_ref=tenancy_task_ref(tenancy.pk)
    )


def tenancy_task_ref(tenancy_id: int) -> str:
    return f"tenancy-{tenancy_id}"


def overcrowding_task_ref(home_id: int) -> str:
    return f"overcrowded-{home_id}"


def occupancy_policy_on(day: dt.date | None = None) -> OccupancyPolicy:
    """The overcrowding rules in force on `day` (today)."""
    day = day or timezone.localdate()
    policy = (
        OccupancyPolicy.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    )
    if policy is None:
        # Before any recorded rule: the seed's figures (5 m² a person, 2 a room).
        return OccupancyPolicy(effective_from=day, min_area_per_person=Decimal(5), max_per_room=2)
    return policy


def occupancy_limit(home: RentalHome, *, on: dt.date | None = None) -> int:
    """The most people the home may house, from its floor area and rooms under the rules in
    force (OccupancyPolicy.limit_for): never the landlord's own figure."""
    return occupancy_policy_on(on).limit_for(home.floor_area, home.rooms)


def homes_to_check_for_overcrowding(*, on: dt.date | None = None) -> QuerySet[RentalHome]:
    """Approved homes on the register whose registered occupants exceed the limit their floor
    area and rooms allow (OccupancyPolicy), and the homes flagged now (to clear the flag once
    they no longer do): one query, the limit computed in SQL as limit_for does."""
    policy = occupancy_policy_on(on)
    occupants = _SubqueryCount(
        Registration.objects.filter(address=OuterRef("address"), end_date__isnull=True)
        .order_by()
        .values("pk")
    )
    by_area = Cast(
        Floor(F("floor_area") / Value(policy.min_area_per_person, output_field=DecimalField())),
        output_field=IntegerField(),
    )
    by_rooms = ExpressionWrapper(
        F("rooms") * Value(policy.max_per_room), output_field=IntegerField()
    )
    limit = Greatest(Least(by_area, by_rooms), Value(0), output_field=IntegerField())
    return (
        _home_queryset()
        .filter(is_active=True, case__status=Status.APPROVED)
        .annotate(occupants=occupants, occupancy_limit=limit)
        .filter(Q(occupants__gt=F("occupancy_limit")) | Q(overcrowded_since__isnull=False))
    )


class _SubqueryCount(Subquery):
    """The number of rows a correlated subquery returns (0 when none)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


# --- affordable housing ---------------------------------------------------------------------------


def projects() -> QuerySet[HousingProject]:
    return HousingProject.objects.select_related("district").order_by("name", "id")


def rounds() -> QuerySet[ApplicationRound]:
    """Every round, public: with its project and the unit types it offers."""
    return (
        ApplicationRound.objects.select_related("project", "project__district")
        .prefetch_related("unit_types")
        .order_by("-opens_on", "-id")
    )


def open_rounds(*, on: dt.date | None = None) -> QuerySet[ApplicationRound]:
    day = on or timezone.localdate()
    return rounds().filter(status=RoundStatus.OPEN, opens_on__lte=day, closes_on__gte=day)


def rounds_managed_by(user: User) -> QuerySet[ApplicationRound]:
    """Rounds of projects in the housing reviewer's districts."""
    if not is_housing_reviewer(user):
        return ApplicationRound.objects.none()
    return rounds().filter(project__district__in=user.districts.all())


@dataclass(frozen=True)
class UnitSummary:
    unit_type: str
    label: str
    count: int
    let: int
    offered: int


def units_summary(application_round: ApplicationRound) -> list[UnitSummary]:
    """The project's units by type: how many, how many let, how many on offer now."""
    rows = (
        HousingUnit.objects.filter(project_id=application_round.project_id)
        .values("unit_type")
        .annotate(
            count=Count("id", distinct=True),
            let=Count("offers", filter=Q(offers__status=OfferStatus.ACCEPTED), distinct=True),
            offered=Count("offers", filter=Q(offers__status=OfferStatus.OFFERED), distinct=True),
        )
        .order_by("unit_type")
    )
    return [
        UnitSummary(
            unit_type=r["unit_type"],
            label=str(UnitType(r["unit_type"]).label),
            count=r["count"],
            let=r["let"],
            offered=r["offered"],
        )
        for r in rows
    ]


def _application_queryset() -> QuerySet[HousingApplication]:
    return HousingApplication.objects.select_related(
        "case",
        "case__department",
        "case__district",
        "case__applicant",
        "round",
        "round__project",
        "person",
    )


def housing_applications_of(user: User) -> QuerySet[HousingApplication]:
    """The applications the user filed."""
    return _application_queryset().filter(case__in=workflow_selectors.cases_of_applicant(user))


def housing_applications_reviewable_by(user: User) -> QuerySet[HousingApplication]:
    """The applications of the housing reviewer's department and districts."""
    return _application_queryset().filter(case__in=workflow_selectors.cases_reviewable_by(user))


def application_of_case(case_id: int, user: User) -> HousingApplication | None:
    return housing_applications_reviewable_by(user).filter(case_id=case_id).first()


def offers_of(user: User) -> QuerySet[Offer]:
    """The offers made to the user's applications, newest first (an allocation still being
    written is not shown)."""
    if not user.is_authenticated:
        return Offer.objects.none()
    return (
        Offer.objects.filter(application__case__applicant=user)
        .exclude(run__status=AllocationRunStatus.RUNNING)
        .select_related("unit", "unit__project", "application", "application__round")
        .order_by("-offered_at", "-id")
    )


def offers_of_round(application_round: ApplicationRound) -> QuerySet[Offer]:
    return Offer.objects.filter(application__round=application_round).select_related(
        "unit", "application", "application__person"
    )


@dataclass(frozen=True)
class RankingLine:
    rank: int
    name_masked: str
    id_masked: str
    unit_type: str
    points: Decimal | None
    applied_at: dt.datetime | None
    lottery_key: str


def published_ranking(application_round: ApplicationRound) -> QuerySet[HousingApplication]:
    """The ranking of a ranked round (公示), best first; empty before the round is ranked."""
    if application_round.status != RoundStatus.RANKED:
        return HousingApplication.objects.none()
    return (
        HousingApplication.objects.filter(round=application_round, rank__isnull=False)
        .select_related("person")
        .order_by("rank")
    )


def ranking_lines(applications) -> list[RankingLine]:
    """Ranking rows as published: names masked (张*), ID numbers masked."""
    return [
        RankingLine(
            rank=a.rank,
            name_masked=resident_selectors.mask_name(a.person.name),
            id_masked=a.person.id_masked,
            unit_type=a.unit_type,
            points=a.points,
            applied_at=a.applied_at,
            lottery_key=a.lottery_key,
        )
        for a in applications
    ]


def pending_review_count(application_round: ApplicationRound) -> int:
    """Applications of the round still waiting for a decision (submitted or in review)."""
    return HousingApplication.objects.filter(
        round=application_round, case__status__in=[Status.SUBMITTED, Status.IN_REVIEW]
    ).count()


def waiting_count(application_round: ApplicationRound) -> int:
    """Ranked applications that have not yet been offered a unit."""
    return (
        HousingApplication.objects.filter(round=application_round, rank__isnull=False)
        .filter(~Exists(Offer.objects.filter(application=OuterRef("pk"))))
        .count()
    )
