"""Reads of the residents registry, each scoped to the user asking: the one place that decides visibility.

- A resident sees themselves and the dependants they are guardian of, and their own applications.
- A grid officer sees the persons currently registered at addresses in their grids.
- A public-security reviewer sees the persons currently registered in their districts and the
  permit applications and permits of those districts.
- Anyone else sees nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.models import DepartmentCode, Role, User
from portal.areas.models import Address
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import OPEN_STATUSES
from residents import idnumber
from residents.continuity import add_months, continuous_months, continuous_since
from residents.models import (
    Dependant,
    Material,
    MaterialKind,
    Permit,
    PermitApplication,
    PermitPolicy,
    PermitState,
    PermitStatus,
    Person,
    Registration,
)

VERIFY_SALT = "residents.permit.verify"


# --- persons -----------------------------------------------------------------------------------


def person_of(user: User) -> Person | None:
    """The registry entry of the signed-in user themselves, if they have registered."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def household_of(user: User) -> QuerySet[Person]:
    """The user's own person and the dependants they are guardian of."""
    if not user.is_authenticated:
        return Person.objects.none()
    guarded = Dependant.objects.filter(dependant=OuterRef("pk"), guardian__user=user)
    return (
        Person.objects.filter(Q(user=user) | Exists(guarded))
        .select_related("user")
        .order_by(F("user_id").asc(nulls_last=True), "birth_date", "id")
    )


def dependants_of(user: User) -> QuerySet[Dependant]:
    """The household links where the user is the guardian."""
    if not user.is_authenticated:
        return Dependant.objects.none()
    return Dependant.objects.filter(guardian__user=user).select_related("dependant")


def _is_police_reviewer(user: User) -> bool:
    return (
        user.is_authenticated
        and user.has_role(Role.REVIEWER)
        and user.department_id is not None
        and user.department.code == DepartmentCode.PUBLIC_SECURITY
    )


def persons_in_staff_scope(user: User) -> QuerySet[Person]:
    """The persons a member of staff may look up and open: registered in their grids or districts.

    A grid officer: persons with a current registration at an address in their grids. A
    public-security reviewer: persons with a current registration in their districts, or with
    a permit application they can review.
    """
    if not user.is_authenticated:
        return Person.objects.none()
    conditions = Q(pk__in=[])
    if user.has_role(Role.GRID_OFFICER):
        conditions |= Q(
            pk__in=Registration.objects.filter(
                end_date__isnull=True, address__grid__in=user.grids.all()
            ).values("person_id")
        )
    if _is_police_reviewer(user):
        conditions |= Q(
            pk__in=Registration.objects.filter(
                end_date__isnull=True, address__grid__district__in=user.districts.all()
            ).values("person_id")
        )
        conditions |= Q(
            pk__in=PermitApplication.objects.filter(
                case__in=workflow_selectors.cases_reviewable_by(user)
            ).values("person_id")
        )
    return Person.objects.filter(conditions).order_by("name", "id")


def persons_visible_to(user: User) -> QuerySet[Person]:
    """Every person the user may see in a list: their household, plus those in their staff scope."""
    if not user.is_authenticated:
        return Person.objects.none()
    return Person.objects.filter(
        Q(pk__in=household_of(user).values("pk"))
        | Q(pk__in=persons_in_staff_scope(user).values("pk"))
    ).order_by("name", "id")


def person_by_id_number(queryset: QuerySet[Person], raw: str) -> QuerySet[Person]:
    """Exact match on an ID number through its keyed hash, inside an already scoped queryset."""
    return queryset.filter(id_hash=idnumber.keyed_hash(raw))


# --- registrations ---------------------------------------------------------------------------


def registrations_visible_to(user: User) -> QuerySet[Registration]:
    """Registrations of the user's household, and the current ones in their grids or districts."""
    if not user.is_authenticated:
        return Registration.objects.none()
    conditions = Q(person__in=household_of(user).values("pk"))
    if user.has_role(Role.GRID_OFFICER):
        conditions |= Q(end_date__isnull=True, address__grid__in=user.grids.all())
    if _is_police_reviewer(user):
        conditions |= Q(end_date__isnull=True, address__grid__district__in=user.districts.all())
    return Registration.objects.filter(conditions).select_related(
        "person", "address", "address__grid", "address__grid__district"
    )


def household_registrations(user: User) -> QuerySet[Registration]:
    """Every registration, current and past, of the user's household."""
    return Registration.objects.filter(person__in=household_of(user).values("pk")).select_related(
        "person", "address", "address__grid", "address__grid__district"
    )


def registrations_managed_by(user: User) -> QuerySet[Registration]:
    """Registrations the user may end: their household's, and for a grid officer those in their grids."""
    if not user.is_authenticated:
        return Registration.objects.none()
    conditions = Q(person__in=household_of(user).values("pk"))
    if user.has_role(Role.GRID_OFFICER):
        conditions |= Q(address__grid__in=user.grids.all())
    return Registration.objects.filter(conditions).select_related("person", "address")


def current_registration(person: Person) -> Registration | None:
    return (
        Registration.objects.filter(person=person, end_date__isnull=True)
        .select_related("address", "address__grid", "address__grid__district")
        .first()
    )


def registration_history(person: Person) -> list[Registration]:
    return list(
        Registration.objects.filter(person=person)
        .select_related("address", "address__grid__district")
        .order_by("-start_date", "-id")
    )


def residence_periods(person: Person) -> list[tuple[dt.date, dt.date | None]]:
    return list(Registration.objects.filter(person=person).values_list("start_date", "end_date"))


def clock_restart_of(person: Person) -> dt.date | None:
    """The latest day the continuous-residence clock restarted (a late endorsement), if any."""
    return (
        Permit.objects.filter(person=person, clock_restarted_on__isnull=False)
        .order_by("-clock_restarted_on")
        .values_list("clock_restarted_on", flat=True)
        .first()
    )


def continuous_residence_months(person: Person, *, on: dt.date | None = None) -> int:
    """Whole months of continuous registration up to `on` (today), under the policy in force."""
    day = on or timezone.localdate()
    return continuous_months(
        residence_periods(person),
        on=day,
        gap_days=permit_policy_on(day).continuity_gap_days,
        not_before=clock_restart_of(person),
    )


def residence_eligible_from(person: Person, *, on: dt.date | None = None) -> dt.date | None:
    """The first day the current run of registration reaches the months the permit needs."""
    day = on or timezone.localdate()
    policy = permit_policy_on(day)
    since = continuous_since(residence_periods(person), on=day, gap_days=policy.continuity_gap_days)
    if since is None:
        return None
    restart = clock_restart_of(person)
    if restart is not None and restart > since:
        since = restart
    return add_months(since, policy.min_residence_months)


def standard_address(pk: int | None) -> Address | None:
    """One standard address by id, with its grid and district (addresses are public reference data)."""
    if pk is None:
        return None
    return Address.objects.select_related("grid", "grid__district").filter(pk=pk).first()


def addresses_matching(text: str, *, limit: int = 20) -> list[Address]:
    """Standard addresses whose full text contains every word typed (for choosing an address)."""
    words = [w for w in text.split() if w]
    if not words:
        return []
    queryset = Address.objects.select_related("grid", "grid__district")
    for word in words[:5]:
        queryset = queryset.filter(Q(text__icontains=word) | Q(grid__name__icontains=word))
    return list(queryset.order_by("text")[:limit])


# --- permit rules ---------------------------------------------------------------------------


def permit_policy_on(day: dt.date) -> PermitPolicy:
    """The residence-permit rules in force on `day` (the latest effective_from not after it)."""
    policy = (
        PermitPolicy.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    )
    if policy is None:
        # Before any recorded rule: the national regulation's defaults.
        return PermitPolicy(effective_from=day)
    return policy


# --- permit applications ---------------------------------------------------------------------


def _application_queryset() -> QuerySet[PermitApplication]:
    return PermitApplication.objects.select_related(
        "case",
        "case__department",
        "case__district",
        "case__applicant",
        "person",
        "registration",
        "registration__address",
        "registration__address__grid",
    )


def permit_applications_of(user: User) -> QuerySet[PermitApplication]:
    """The applications the user filed, for themselves or for a dependant."""
    return _application_queryset().filter(case__in=workflow_selectors.cases_of_applicant(user))


def permit_applications_reviewable_by(user: User) -> QuerySet[PermitApplication]:
    """The applications in the reviewer's department and districts (public security only)."""
    return _application_queryset().filter(case__in=workflow_selectors.cases_reviewable_by(user))


def permit_applications_visible_to(user: User) -> QuerySet[PermitApplication]:
    if not user.is_authenticated:
        return PermitApplication.objects.none()
    return _application_queryset().filter(
        Q(case__in=workflow_selectors.cases_of_applicant(user))
        | Q(case__in=workflow_selectors.cases_reviewable_by(user))
    )


def open_application_of(
    person: Person, *, exclude: PermitApplication | None = None
) -> PermitApplication | None:
    queryset = PermitApplication.objects.filter(
        person=person, case__status__in=list(OPEN_STATUSES)
    ).select_related("case")
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.first()


def materials_visible_to(user: User) -> QuerySet[Material]:
    """Uploaded files: the applicant's own, and those of applications the reviewer can see."""
    return Material.objects.filter(
        application__in=permit_applications_visible_to(user).values("pk")
    ).select_related("application__case")


# --- permits -------------------------------------------------------------------------------------


def _permit_queryset() -> QuerySet[Permit]:
    return Permit.objects.select_related(
        "person", "district", "address", "address__grid", "application__case"
    )


def permits_held_by(user: User) -> QuerySet[Permit]:
    """The permits of the user's household: their own and their dependants'."""
    return _permit_queryset().filter(person__in=household_of(user).values("pk"))


def permits_visible_to(user: User) -> QuerySet[Permit]:
    """Permits of the user's household, and for public security the permits issued in their districts."""
    if not user.is_authenticated:
        return Permit.objects.none()
    conditions = Q(person__in=household_of(user).values("pk"))
    if _is_police_reviewer(user):
        conditions |= Q(district__in=user.districts.all())
    return _permit_queryset().filter(conditions)


def valid_permit_of(person: Person) -> Permit | None:
    """The person's permit that is not cancelled (it may be expired, awaiting a late endorsement)."""
    return _permit_queryset().filter(person=person, status=PermitStatus.VALID).first()


def permit_photo(permit: Permit) -> Material | None:
    """The latest photo uploaded with the permit's application, shown on the electronic permit."""
    return (
        Material.objects.filter(application_id=permit.application_id, kind=MaterialKind.PHOTO)
        .order_by("-id")
        .first()
    )


def permits_of_person(person: Person) -> list[Permit]:
    return list(_permit_queryset().filter(person=person))


def has_valid_permit(person: Person, *, on: dt.date | None = None) -> bool:
    day = on or timezone.localdate()
    return Permit.objects.filter(
        person=person, status=PermitStatus.VALID, valid_until__gte=day
    ).exists()


def endorsement_window(permit: Permit) -> tuple[dt.date, dt.date]:
    """The days on which the yearly endorsement is on time: the month(s) before the anniversary."""
    anniversary = permit.valid_until + dt.timedelta(days=1)
    months = permit_policy_on(permit.valid_until).endorsement_window_months
    return add_months(anniversary, -months), permit.valid_until


# --- verification ------------------------------------------------------------------------------


def verify_token(permit: Permit) -> str:
    """The signed token the electronic permit's QR code carries: number and card version."""
    return signing.dumps({"n": permit.number, "v": permit.card_version}, salt=VERIFY_SALT)


def mask_name(name: str) -> str:
    """Keep the first character only: 张三 -> 张*, 欧阳娜娜 -> 欧***."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


@dataclass(frozen=True)
class Verification:
    """What a verifier may learn about a permit: valid or not, and why; masked identity."""

    valid: bool
    state: str  # a PermitState value, or "unknown", "bad_token", "superseded"
    number: str = ""
    name_masked: str = ""
    id_masked: str = ""
    valid_until: dt.date | None = None
    district: str = ""


def _verification(permit: Permit, *, on: dt.date) -> Verification:
    state = permit.state_on(on)
    return Verification(
        valid=state == PermitState.VALID,
        state=state,
        number=permit.number,
        name_masked=mask_name(permit.person.name),
        id_masked=permit.person.id_masked,
        valid_until=permit.valid_until if state != PermitState.CANCELLED else None,
        district=permit.district.display_name,
    )


def verify_by_token(token: str, *, on: dt.date | None = None) -> Verification:
    """Read a QR token: bad or old signatures, an older card (reissued), or the permit's state."""
    day = on or timezone.localdate()
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.VERIFY_TOKEN_MAX_AGE)
        number, version = str(data["n"]), int(data["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return Verification(valid=False, state="bad_token")
    permit = _permit_queryset().filter(number=number).first()
    if permit is None:
        return Verification(valid=False, state="unknown")
    if version != permit.card_version:
        return Verification(
            valid=False,
            state="superseded",
            number=permit.number,
            name_masked=mask_name(permit.person.name),
            id_masked=permit.person.id_masked,
        )
    return _verification(permit, on=day)


def verify_by_number(number: str, id_number: str, *, on: dt.date | None = None) -> Verification:
    """A department system's check: does this permit number belong to this ID number, and is it valid?

    A number that does not exist and one that belongs to someone else answer the same way.
    """
    day = on or timezone.localdate()
    permit = (
        _permit_queryset()
        .filter(number=number.strip(), person__id_hash=idnumber.keyed_hash(id_number))
        .first()
    )
    if permit is None:
        return Verification(valid=False, state="unknown")
    return _verification(permit, on=day)


# --- eligibility -------------------------------------------------------------------------------


def permit_eligibility_problems(
    person: Person,
    *,
    on: dt.date | None = None,
    application: PermitApplication | None = None,
) -> dict[str, list[str]]:
    """Why `person` cannot apply for a residence permit today, by field; empty when they can.

    `application`: the application being checked, not counted as another one in progress.

    Rule (居住证暂行条例 art. 2): registered here for the months the policy requires
    (six by default) without a break, and not already holding a permit or an open application.
    """
    day = on or timezone.localdate()
    problems: dict[str, list[str]] = {}
    if current_registration(person) is None:
        problems["registration"] = [
            _("%(name)s has no current residence registration: register the address first.")
            % {"name": person.name}
        ]
        return problems
    policy = permit_policy_on(day)
    months = continuous_residence_months(person, on=day)
    if months < policy.min_residence_months:
        eligible_from = residence_eligible_from(person, on=day)
        problems["registration"] = [
            _(
                "A residence permit needs %(required)s months of continuous registration; "
                "%(name)s has %(months)s. You can apply from %(date)s."
            )
            % {
                "required": policy.min_residence_months,
                "name": person.name,
                "months": months,
                "date": date_format(eligible_from) if eligible_from else "",
            }
        ]
    if Permit.objects.filter(person=person, status=PermitStatus.VALID).exists():
        problems["person"] = [
            _("%(name)s already holds a residence permit: ask for its endorsement instead.")
            % {"name": person.name}
        ]
    elif open_application_of(person, exclude=application) is not None:
        problems["person"] = [
            _("%(name)s already has an application in progress.") % {"name": person.name}
        ]
    return problems
