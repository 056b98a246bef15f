"""Reads of the catalogue (public) and of ratings (scoped: applicant, deciding department, analysts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from portal.accounts import selectors as account_selectors
from portal.accounts.models import Role, User
from portal.catalogue.eligibility import Answer, eligibility_of
from portal.catalogue.models import (
    POOR_RATINGS,
    LifeEvent,
    Rating,
    RatingLevel,
    Rectification,
    Service,
    ServiceVersion,
    in_language,
)
from portal.catalogue.registry import GuideFacts, guide_facts
from portal.workflow.models import Case, Status
from portal.workflow.selectors import cases_of_applicant

DECIDED = (Status.APPROVED, Status.REJECTED)
MAX_SEARCH_RESULTS = 30


def services_in_force(*, on: dt.date) -> QuerySet[Service]:
    """Every service with a guide version in force on `on` (public), that version prefetched as `current`."""
    current = ServiceVersion.objects.filter(effective_from__lte=on).order_by("-effective_from")
    return (
        Service.objects.filter(versions__effective_from__lte=on)
        .distinct()
        .prefetch_related(Prefetch("versions", queryset=current, to_attr="in_force"))
        .order_by("order", "code")
    )


def catalogue_by_life_event(*, on: dt.date) -> list[tuple[str, str, list[Service]]]:
    """The services in force grouped by life event, in the life events' order: (code, label, services)."""
    groups: dict[str, list[Service]] = {code: [] for code in LifeEvent.values}
    for service in services_in_force(on=on):
        groups[service.life_event].append(service)
    return [(code, label, groups[code]) for code, label in LifeEvent.choices if groups[code]]


@dataclass(frozen=True)
class MyService:
    service: Service
    answer: Answer | None


def services_for(user: User, *, on: dt.date) -> list[tuple[str, str, list[MyService]]]:
    """我能办什么: every service in force, by life event, each with where `user` stands on `on`
    as the owning app's own checks answer (portal.catalogue.eligibility); None where the portal
    does not run the service (its guide says who qualifies)."""
    return [
        (
            code,
            label,
            [MyService(service, eligibility_of(service.code, user, on=on)) for service in services],
        )
        for code, label, services in catalogue_by_life_event(on=on)
    ]


@dataclass(frozen=True)
class Guide:
    service: Service
    version: ServiceVersion
    facts: GuideFacts | None
    eligibility: list[str]
    materials: list[str]


def guide_of(code: str, *, on: dt.date) -> Guide | None:
    """The guide of a service on `on`: its version in force, with eligibility and materials from
    the rules in force where the owning app registered guide facts (so they cannot disagree)."""
    service = services_in_force(on=on).filter(code=code).first()
    if service is None:
        return None
    version = service.in_force[0]
    facts = guide_facts(code, on=on)
    return Guide(
        service=service,
        version=version,
        facts=facts,
        eligibility=facts.eligibility if facts else version.lines("eligibility"),
        materials=facts.materials if facts else version.lines("materials"),
    )


def search_services(query: str, *, on: dt.date) -> list[Service]:
    """Services whose name, keywords, department or guide text contain every word of the query.

    Chinese has no spaces between words, so matching is by substring (ILIKE) over the service's
    own synonyms (`keywords`: "上学" on the school-place service, "租房" on tenancy and housing),
    names in both languages and the guide text in force. Services matching by name come first.
    """
    words = query.split()[:5]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= (
            Q(name__icontains=word)
            | Q(name_en__icontains=word)
            | Q(keywords__icontains=word)
            | Q(department_name__icontains=word)
            | Q(versions__summary__icontains=word, versions__effective_from__lte=on)
            | Q(versions__summary_en__icontains=word, versions__effective_from__lte=on)
        )
    found = list(services_in_force(on=on).filter(condition)[:MAX_SEARCH_RESULTS])
    by_name = [
        s for s in found if any(w in s.name or w.lower() in s.name_en.lower() for w in words)
    ]
    return by_name + [s for s in found if s not in by_name]


def decided_case_of_applicant(user: User, pk: int) -> QuerySet[Case]:
    """The user's own decided case `pk` (empty otherwise: someone else's case is a 404)."""
    return cases_of_applicant(user).filter(pk=pk, status__in=DECIDED)


def rating_of(case: Case) -> Rating | None:
    return Rating.objects.filter(case=case).select_related("rectification").first()


def rectifications_of_department(user: User) -> QuerySet[Rectification]:
    """The rectification tasks of the reviewer's department (only that department sees them)."""
    if not account_selectors.is_reviewer_of(user):
        return Rectification.objects.none()
    return Rectification.objects.filter(department_id=user.department_id).select_related(
        "rating", "rating__case", "department"
    )


def can_see_rating_statistics(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser
        or any(user.has_role(r) for r in (Role.ANALYST, Role.LEADER, Role.ADMINISTRATOR))
    )


@dataclass
class RatingRow:
    department: str
    kind: str
    ratings: int
    average: Decimal | None
    by_level: dict[int, int]
    poor: int
    open_rectifications: int
    kind_label: str = ""


def rating_statistics(user: User) -> list[RatingRow]:
    """Ratings per department and application kind: count, average, count per level, poor ones and
    rectifications still open. Analysts, leaders and administrators only (empty for others)."""
    if not can_see_rating_statistics(user):
        return []
    level_counts = {
        f"level_{level}": Count("id", filter=Q(level=level)) for level in RatingLevel.values
    }
    rows = (
        Rating.objects.values("department__name", "department__name_en", "kind")
        .annotate(
            ratings=Count("id"),
            average=Avg("level"),
            poor=Count("id", filter=Q(level__in=sorted(POOR_RATINGS))),
            open_rectifications=Count("rectification", filter=Q(rectification__status="open")),
            **level_counts,
        )
        .order_by("department__name", "kind")
    )
    return [
        RatingRow(
            department=in_language(row["department__name"], row["department__name_en"]),
            kind=row["kind"],
            ratings=row["ratings"],
            average=Decimal(row["average"]).quantize(Decimal("0.01")) if row["average"] else None,
            by_level={level: row[f"level_{level}"] for level in RatingLevel.values},
            poor=row["poor"],
            open_rectifications=row["open_rectifications"],
        )
        for row in rows
    ]
