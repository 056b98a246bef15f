"""Reads of the residents registry, each scoped to the user asking: the one place that decides visibility.

- A resident sees themselves and the dependants they are guardian of, and their own applications.
- A grid officer sees the persons currently registered at addresses in their grids.
- A public-security reviewer sees the persons currently registered in their districts and the
  permit applications and permits of those districts.
- A grid officer also sees the visits made and the field tasks raised at addresses in their
  grids; analysts see visit coverage of every grid and officer.
- Anyone else sees nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Length, Reverse
from django.db.models.lookups import GreaterThanOrEqual, StartsWith
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts import selectors as account_selectors
from portal.accounts.models import DepartmentCode, Role, User
from portal.areas.models import Address, Area, Level
from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput
from portal.periods import (
    add_months,
    continuous_months,
    continuous_since,
    merge,
    whole_months_between,
)
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import OPEN_STATUSES
from residents import idnumber, permit_keys, permit_tokens
from residents.models import (
    CardDelivery,
    Dependant,
    FieldTask,
    Finding,
    InsuranceMonth,
    Material,
    MaterialKind,
    PeerCity,
    Permit,
    PermitApplication,
    PermitPolicy,
    PermitState,
    PermitStatus,
    PermitTransfer,
    Person,
    ReconciliationRun,
    Registration,
    RegistrationPolicy,
    TaskKind,
    TaskStatus,
    TransferPolicy,
    Visit,
    VisitEntry,
    VisitOutcome,
    counted_period,
)

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
    # One IN over a union of two index lookups: an OR of the two conditions would make the
    # database read every person.
    members = Person.objects.filter(user=user).values("pk").union(_guarded_ids(user))
    return (
        Person.objects.filter(pk__in=members)
        .select_related("user")
        .order_by(F("user_id").asc(nulls_last=True), "birth_date", "id")
    )


def _guarded_ids(user: User) -> QuerySet:
    return Dependant.objects.filter(guardian__user=user).values("dependant_id")


def dependants_of(user: User) -> QuerySet[Dependant]:
    """The household links where the user is the guardian."""
    if not user.is_authenticated:
        return Dependant.objects.none()
    return Dependant.objects.filter(guardian__user=user).select_related("dependant")


def _is_police_reviewer(user: User) -> bool:
    return account_selectors.is_reviewer_of(user, DepartmentCode.PUBLIC_SECURITY)


def may_open_full_records(user: User) -> bool:
    """The full-record right: grid officers and public-security reviewers, for persons in their
    scope, behind a logged reason (residents.services.open_person_record). Only they may look a
    person up by the full ID number, and that search is logged the same way."""
    return bool(
        user.is_authenticated and (user.has_role(Role.GRID_OFFICER) or _is_police_reviewer(user))
    )


def persons_in_staff_scope(user: User) -> QuerySet[Person]:
    """The persons a member of staff may look up and open: registered in their grids or districts.

    A grid officer: persons with a current registration at an address in their grids. A
    public-security reviewer: persons with a current registration in their districts, or with
    a permit application they can review. In id order, the key staff lists are paged by
    (residents.pagination).
    """
    if not user.is_authenticated:
        return Person.objects.none()
    scope = _staff_scope(user)
    if scope is None:
        return Person.objects.none()
    return _with_current_address(Person.objects.all()).filter(scope).order_by("id")


def current_address() -> Subquery:
    """The id of the person's current registered address (at most one, by constraint), for a
    condition tested person by person (`alias(current_address=current_address())`)."""
    return Subquery(
        Registration.objects.filter(person=OuterRef("pk"), end_date__isnull=True)
        .order_by()
        .values("address_id")[:1]
    )


def _with_current_address(queryset: QuerySet[Person]) -> QuerySet[Person]:
    return queryset.alias(current_address=current_address())


def _staff_scope(user: User) -> Q | None:
    """The user's staff scope as one condition on a person, or None outside staff.

    Tested person by person: the person's current address (one index probe) against the
    addresses of the user's grids or districts (hashed once per query: bounded by the city's
    addresses, not its persons), or a permit application the user can review. A list in id
    order then reads persons along the primary key until its page is full, however many
    hundred thousand the scope holds; a join or a union of the scope's ids would gather and
    sort all of them on every page.
    """
    parts: list[Q] = []
    if user.has_role(Role.GRID_OFFICER):
        parts.append(
            Q(current_address__in=Address.objects.filter(grid__in=user.grids.all()).values("pk"))
        )
    if _is_police_reviewer(user):
        parts.append(
            Q(
                current_address__in=Address.objects.filter(
                    grid__district__in=user.districts.all()
                ).values("pk")
            )
        )
        parts.append(
            Q(
                Exists(
                    PermitApplication.objects.filter(
                        person=OuterRef("pk"),
                        case__in=workflow_selectors.cases_reviewable_by(user).order_by(),
                    )
                )
            )
        )
    if not parts:
        return None
    scope = parts[0]
    for part in parts[1:]:
        scope |= part
    return scope


def _persons_among(id_queries: list[QuerySet]) -> QuerySet[Person]:
    """The persons whose ids one of the queries gives: one IN over their union (an OR of
    several INs makes the database test every person against each)."""
    first, *rest = id_queries
    ids = first.union(*rest) if rest else first
    return Person.objects.filter(pk__in=ids).order_by("id")


def persons_visible_to(user: User) -> QuerySet[Person]:
    """Every person the user may see in a list: their household, plus those in their staff scope,
    in id order (the key the list is paged by).

    Each row carries `in_household`: whether it is the user or one of their dependants, whose
    own details they see (others are shown as residents.disclosure describes).

    A resident's household is a few index lookups (one IN over their union); for staff, the
    household joins the scope's person-by-person condition (_staff_scope).
    """
    if not user.is_authenticated:
        return Person.objects.none()
    household = household_of(user).values("pk")
    scope = _staff_scope(user)
    if scope is None:
        queryset = _persons_among(
            [Person.objects.filter(user=user).values("pk"), _guarded_ids(user)]
        )
    else:
        guarded = Dependant.objects.filter(guardian__user=user, dependant=OuterRef("pk"))
        queryset = (
            _with_current_address(Person.objects.all())
            .filter(Q(user=user) | Q(Exists(guarded)) | scope)
            .order_by("id")
        )
    return queryset.annotate(in_household=Exists(household.filter(pk=OuterRef("pk"))))


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


def grid_ids_of(users: list[User]) -> dict[int, set[int]]:
    """The ids of the grids each user serves (User.grids), in one query for all of them."""
    grids: dict[int, set[int]] = {user.pk: set() for user in users if user.pk is not None}
    for user_id, area_id in User.grids.through.objects.filter(user_id__in=list(grids)).values_list(
        "user_id", "area_id"
    ):
        grids[user_id].add(area_id)
    return grids


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
    """The person's residence registrations as the periods continuous residence counts
    (start, end or None), oldest first: an unverified late declaration from its declaration
    date (residents.models.counted_period)."""
    rows = (
        Registration.objects.filter(person=person)
        .order_by("start_date", "id")
        .values_list("start_date", "end_date", "counted_from")
    )
    return [period for row in rows if (period := counted_period(*row)) is not None]


def registration_policy_on(day: dt.date) -> RegistrationPolicy:
    """The registration rules in force on `day` (the latest effective_from not after it)."""
    policy = (
        RegistrationPolicy.objects.filter(effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )
    return policy or RegistrationPolicy(effective_from=day)


def declaration_window_start(source: str, *, on: dt.date | None = None) -> dt.date:
    """The oldest start date the declarer `source` may declare on `on` (today) without the
    declaration being late: the policy's window counted back in working (or calendar) days."""
    day = on or timezone.localdate()
    policy = registration_policy_on(day)
    days = policy.window_days(source)
    if policy.calendar_days:
        return day - dt.timedelta(days=days)
    return add_working_days(day, -days)


def registrations_verifiable_by(user: User) -> QuerySet[Registration]:
    """Registrations whose start date the user may verify (late declarations among them): a
    grid officer's in their grids, a public-security reviewer's in their districts."""
    if not user.is_authenticated:
        return Registration.objects.none()
    conditions = Q(pk__in=[])
    if user.has_role(Role.GRID_OFFICER):
        conditions |= Q(address__grid__in=user.grids.all())
    if _is_police_reviewer(user):
        conditions |= Q(address__grid__district__in=user.districts.all())
    return (
        Registration.objects.filter(conditions)
        .select_related("person__user", "address")
        .order_by("counted_from", "id")
    )


def late_declarations_verifiable_by(user: User) -> QuerySet[Registration]:
    """Late declarations still counted from their declaration date that the user may verify
    (registrations_verifiable_by), oldest declaration first."""
    return registrations_verifiable_by(user).filter(counted_from__isnull=False)


def clock_restart_of(person: Person) -> dt.date | None:
    """The latest day the continuous-residence clock restarted (a late endorsement), if any."""
    return (
        Permit.objects.filter(person=person, clock_restarted_on__isnull=False)
        .order_by("-clock_restarted_on")
        .values_list("clock_restarted_on", flat=True)
        .first()
    )


@dataclass(frozen=True)
class InsuranceRecord:
    """What the human-resources feeds state of a person's social insurance: the months paid
    in this city as periods (start, end), oldest first, and the feed that last stated them."""

    periods: list[tuple[dt.date, dt.date | None]]
    run_id: int
    feed_name: str
    stated_on: dt.date


def insurance_record(person: Person, *, on: dt.date | None = None) -> InsuranceRecord | None:
    """The person's social insurance as the feeds state it up to `on` (today), or None when no
    social-insurance feed names them (they claim it instead). Each paid month is a period from
    its first day to the next month's; continuity over them is portal.periods'."""
    day = on or timezone.localdate()
    rows = list(
        InsuranceMonth.objects.filter(person=person, month__lte=day)
        .order_by("month")
        .values_list("month", "paid", "run_id")
    )
    if not rows:
        return None
    latest = max(run_id for _month, _paid, run_id in rows)
    feed_name, stated_on = ReconciliationRun.objects.filter(pk=latest).values_list(
        "feed__original_name", "run_on"
    )[0]
    return InsuranceRecord(
        periods=merge([(month, add_months(month, 1)) for month, paid, _run in rows if paid]),
        run_id=latest,
        feed_name=feed_name,
        stated_on=stated_on,
    )


def continuous_residence_since(person: Person, *, on: dt.date | None = None) -> dt.date | None:
    """The first day of the person's unbroken run of registration reaching `on` (today), under
    the permit policy in force that day (portal.periods.continuous_since); None if none does."""
    day = on or timezone.localdate()
    return continuous_since(
        residence_periods(person),
        on=day,
        gap_days=permit_policy_on(day).continuity_gap_days,
        restart=clock_restart_of(person),
    )


def continuous_residence_months(person: Person, *, on: dt.date | None = None) -> int:
    """Whole months of continuous registration up to `on` (today), under the policy in force."""
    day = on or timezone.localdate()
    return continuous_months(
        residence_periods(person),
        on=day,
        gap_days=permit_policy_on(day).continuity_gap_days,
        restart=clock_restart_of(person),
    )


def residence_eligible_from(person: Person, *, on: dt.date | None = None) -> dt.date | None:
    """The first day the current run of registration reaches the months the permit needs."""
    day = on or timezone.localdate()
    since = continuous_residence_since(person, on=day)
    if since is None:
        return None
    return add_months(since, permit_policy_on(day).min_residence_months)


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
    """Whether the person holds a permit valid on `on` (today): Permit.state_on is "valid"."""
    return permit_valid_on(person, on=on) is not None


def permit_valid_on(person: Person, *, on: dt.date | None = None) -> Permit | None:
    """The person's permit valid on `on` (today), by the one rule (PermitQuerySet.valid_on)."""
    day = on or timezone.localdate()
    return _permit_queryset().filter(person=person).valid_on(day).first()


def permit_held_since(person: Person, *, on: dt.date | None = None) -> dt.date | None:
    """The day from which the permit valid on `on` (today) counts as held: its issue, or the
    late endorsement that restarted the clock; None without a valid permit."""
    day = on or timezone.localdate()
    permit = permit_valid_on(person, on=day)
    if permit is None:
        return None
    return continuous_since([(permit.issued_on, None)], on=day, restart=permit.clock_restarted_on)


def permit_held_months(person: Person, *, on: dt.date | None = None) -> int | None:
    """Whole months the person has held the permit valid on `on` (today); None without one."""
    day = on or timezone.localdate()
    since = permit_held_since(person, on=day)
    return None if since is None else whole_months_between(since, day)


def permit_eligible_from(person: Person, *, on: dt.date | None = None) -> dt.date | None:
    """The first day the person could hold a residence permit, by the permit's own rules: today
    if they hold one; else when their registration reaches the months the permit needs
    (residence_eligible_from, never before `on`); None without a current registration."""
    day = on or timezone.localdate()
    if permit_valid_on(person, on=day) is not None:
        return day
    if current_registration(person) is None:
        return None
    eligible = residence_eligible_from(person, on=day)
    return None if eligible is None else max(eligible, day)


def endorsement_window(permit: Permit) -> tuple[dt.date, dt.date]:
    """The days on which the yearly endorsement is on time: the month(s) before the anniversary."""
    anniversary = permit.valid_until + dt.timedelta(days=1)
    months = permit_policy_on(permit.valid_until).endorsement_window_months
    return add_months(anniversary, -months), permit.valid_until


# --- verification ------------------------------------------------------------------------------


def verify_token(permit: Permit, *, now: dt.datetime | None = None) -> str:
    """The QR token the electronic permit shows now: permit number and card version, signed
    with the portal's Ed25519 key, valid PERMIT_TOKEN_LIFETIME_SECONDS (residents/permit_tokens.py)."""
    moment = now or timezone.now()
    return permit_tokens.issue(
        permit_keys.signing_key(),
        number=permit.number,
        card_version=permit.card_version,
        now=int(moment.timestamp()),
        lifetime=settings.PERMIT_TOKEN_LIFETIME_SECONDS,
    )


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
    state: str  # a PermitState value, or "unknown", "bad_token", "stale_token", "superseded"
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
    """Read a QR token: forged or malformed ("bad_token"), no longer fresh ("stale_token": the
    holder's page shows a new one every few seconds), an older card (reissued), or the permit's state."""
    day = on or timezone.localdate()
    try:
        claims = permit_tokens.verify(
            token, permit_keys.trusted_keys(), now=int(timezone.now().timestamp())
        )
    except permit_tokens.TokenError as exc:
        state = "stale_token" if exc.reason == "expired" else "bad_token"
        return Verification(valid=False, state=state)
    number, version = claims.number, claims.card_version
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
    months = continuous_residence_months(person, on=day) + months_recognised_from_peers(
        person, on=day
    )
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


# --- grid officers' field work -----------------------------------------------------------------
#
# A grid officer sees the addresses of their grids (portal.accounts User.grids), the persons
# currently registered there, the visits made there and the tasks raised there. Analysts see
# coverage for every grid and officer. Counts are correlated subqueries: one query however
# many grids, addresses or visits there are.

COVERAGE_DAYS = 30


class _SubqueryCount(Subquery):
    """The number of rows a correlated subquery returns (0 when none)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _count(queryset: QuerySet) -> _SubqueryCount:
    return _SubqueryCount(queryset.order_by().values("pk"))


def _count_distinct(queryset: QuerySet, field: str) -> _SubqueryCount:
    return _SubqueryCount(queryset.order_by().values(field).distinct())


def _is_grid_officer(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.GRID_OFFICER)


def can_supervise_field_work(user: User) -> bool:
    """Analysts (and administrators) supervise visit coverage across the city."""
    return user.is_authenticated and (
        user.has_role(Role.ANALYST) or user.has_role(Role.ADMINISTRATOR) or user.is_superuser
    )


def coverage_since(*, now: dt.datetime | None = None) -> dt.datetime:
    """The start of the coverage window: visits after it count an address as covered."""
    return (now or timezone.now()) - dt.timedelta(days=COVERAGE_DAYS)


def month_start(*, now: dt.datetime | None = None) -> dt.datetime:
    """Midnight of the first day of the current month, in the portal's time zone."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _covering_visits() -> QuerySet[Visit]:
    """Visits that count towards coverage: someone was home and the residents were checked."""
    return Visit.objects.filter(outcome=VisitOutcome.DONE, visited_at__gte=coverage_since())


def field_grids_of(user: User) -> QuerySet[Area]:
    """The officer's grids, each with its counts: addresses, current residents, visits this
    month, open tasks, and addresses covered (a checked visit in the last 30 days)."""
    if not _is_grid_officer(user):
        return Area.objects.none()
    grid = OuterRef("pk")
    return (
        user.grids.select_related("parent", "district")
        .annotate(
            address_count=_count(Address.objects.filter(grid=grid)),
            resident_count=_count(
                Registration.objects.filter(address__grid=grid, end_date__isnull=True)
            ),
            visits_this_month=_count(
                Visit.objects.filter(address__grid=grid, visited_at__gte=month_start())
            ),
            open_task_count=_count(
                FieldTask.objects.filter(address__grid=grid, status=TaskStatus.OPEN)
            ),
            covered_count=_count_distinct(
                _covering_visits().filter(address__grid=grid), "address_id"
            ),
        )
        .order_by("code")
    )


# A list of addresses names at most this many of the persons registered at each (the earliest
# first) beside their count: a dormitory holds hundreds, and a page of such addresses would
# otherwise carry tens of thousands of names. The address's own page names everyone.
RESIDENTS_LISTED_PER_ADDRESS = 20


def field_addresses_of(user: User, *, residents_listed: int | None = None) -> QuerySet[Address]:
    """The addresses of the officer's grids, each with the persons registered there now (all of
    them, or the first `residents_listed`), how many they are, its open tasks and its last
    visit."""
    if not _is_grid_officer(user):
        return Address.objects.none()
    address = OuterRef("pk")
    current = Registration.objects.filter(end_date__isnull=True).select_related("person")
    listed = current.order_by("start_date", "id")
    if residents_listed is not None:
        listed = listed[:residents_listed]
    return (
        Address.objects.filter(grid__in=user.grids.all())
        .select_related("grid")
        .annotate(
            resident_count=_count(current.filter(address=address)),
            open_task_count=_count(
                FieldTask.objects.filter(address=address, status=TaskStatus.OPEN)
            ),
            last_visited_at=Subquery(
                Visit.objects.filter(address=address)
                .order_by("-visited_at")
                .values("visited_at")[:1]
            ),
        )
        .prefetch_related(
            Prefetch("registrations", queryset=listed, to_attr="current_registrations")
        )
        .order_by("grid__code", "text", "id")
    )


def looks_like_id_number(text: str) -> bool:
    compact = text.strip().upper().replace(" ", "")
    return len(compact) in (15, 18) and compact[:-1].isdigit() and compact[-1] in "0123456789X"


def search_field_addresses(queryset: QuerySet[Address], text: str) -> QuerySet[Address]:
    """Narrow the officer's addresses by what was typed: a full ID number matches exactly
    (keyed hash) the address where that person is registered now; otherwise every word must
    be in the address or in the name of someone registered there."""
    text = (text or "").strip()
    if not text:
        return queryset
    if looks_like_id_number(text):
        try:
            number = idnumber.parse(text).number
        except InvalidInput:
            return queryset.none()
        return queryset.filter(
            Exists(
                Registration.objects.filter(
                    address=OuterRef("pk"),
                    end_date__isnull=True,
                    person__id_hash=idnumber.keyed_hash(number),
                )
            )
        )
    for word in text.split()[:5]:
        queryset = queryset.filter(
            Q(text__icontains=word)
            | Exists(
                Registration.objects.filter(
                    name_contains(word, "person__name"),
                    address=OuterRef("pk"),
                    end_date__isnull=True,
                )
            )
        )
    return queryset


def name_contains(text: str, field: str = "name") -> Q:
    """Persons whose name contains `text`, written so that an index can find them.

    A part of a name is at its start, at its end, or strictly inside a name at least two
    characters longer than the part. The first is a prefix search on the name, the second a
    prefix search on the reversed name, the third reads only the (few) long names; each has its
    index on Person, so a rare two-character part is found without walking every person in
    scope. The result is exactly that of `name__contains`.
    """
    return (
        Q(**{f"{field}__startswith": text})
        | Q(StartsWith(Reverse(field), text[::-1]))
        | (Q(GreaterThanOrEqual(Length(field), len(text) + 2)) & Q(**{f"{field}__contains": text}))
    )


def persons_in_grids_of(user: User) -> QuerySet[Person]:
    """The persons currently registered at an address in the officer's grids."""
    if not _is_grid_officer(user):
        return Person.objects.none()
    return Person.objects.filter(
        pk__in=Registration.objects.filter(
            end_date__isnull=True, address__grid__in=user.grids.all()
        ).values("person_id")
    )


def field_tasks_of(user: User) -> QuerySet[FieldTask]:
    """The tasks at addresses in the officer's grids, open and closed, soonest due first."""
    if not _is_grid_officer(user):
        return FieldTask.objects.none()
    return (
        FieldTask.objects.filter(address__grid__in=user.grids.all())
        .select_related("address", "address__grid", "person", "closed_by")
        .order_by("due_date", "id")
    )


def open_field_tasks_of(user: User) -> QuerySet[FieldTask]:
    return field_tasks_of(user).filter(status=TaskStatus.OPEN)


def field_tasks_raised_by(*, source: str, source_ref: str) -> QuerySet[FieldTask]:
    """The tasks another part of the portal raised under its own reference, for it to read back
    (open or closed, and by which visit)."""
    return FieldTask.objects.filter(source=source, source_ref=source_ref).select_related(
        "closed_by"
    )


def field_visits_of(user: User) -> QuerySet[Visit]:
    """The visits made at addresses in the officer's grids, and the officer's own visits,
    newest first, with their findings."""
    if not _is_grid_officer(user):
        return Visit.objects.none()
    entries = VisitEntry.objects.select_related(
        "person", "registration", "moved_from__address__grid__district"
    )
    return (
        Visit.objects.filter(Q(address__grid__in=user.grids.all()) | Q(officer=user))
        .select_related("address", "address__grid", "officer")
        .prefetch_related(
            Prefetch("entries", queryset=entries),
            Prefetch("closed_tasks", queryset=FieldTask.objects.order_by("id")),
        )
        .order_by("-visited_at", "-id")
    )


def field_visit_by_client_id(client_id: uuid.UUID) -> Visit | None:
    return Visit.objects.filter(client_id=client_id).first()


def coverage_by_grid(user: User) -> QuerySet[Area]:
    """Every grid with its coverage for supervisors: addresses, addresses covered in the last
    30 days, visits in the last 30 days, open and overdue tasks, and its officers."""
    if not can_supervise_field_work(user):
        return Area.objects.none()
    grid = OuterRef("pk")
    since = coverage_since()
    today = timezone.localdate()
    open_tasks = FieldTask.objects.filter(address__grid=grid, status=TaskStatus.OPEN)
    officers = User.objects.filter(roles__contains=[Role.GRID_OFFICER]).order_by("username")
    return (
        Area.objects.filter(level=Level.GRID)
        .select_related("parent", "district")
        .annotate(
            address_count=_count(Address.objects.filter(grid=grid)),
            covered_count=_count_distinct(
                _covering_visits().filter(address__grid=grid), "address_id"
            ),
            recent_visits=_count(Visit.objects.filter(address__grid=grid, visited_at__gte=since)),
            open_task_count=_count(open_tasks),
            overdue_task_count=_count(open_tasks.filter(due_date__lt=today)),
        )
        .prefetch_related(Prefetch("officers", queryset=officers, to_attr="grid_officers"))
        .order_by("code")
    )


def coverage_by_officer(user: User) -> QuerySet[User]:
    """Every grid officer with the coverage of their grids for supervisors: grids, addresses,
    addresses covered in the last 30 days, their own visits in the last 30 days, open tasks."""
    if not can_supervise_field_work(user):
        return User.objects.none()
    officer = OuterRef("pk")
    return (
        User.objects.filter(roles__contains=[Role.GRID_OFFICER])
        .annotate(
            grid_count=_count(Area.objects.filter(officers=officer)),
            address_count=_count(Address.objects.filter(grid__officers=officer)),
            covered_count=_count_distinct(
                _covering_visits().filter(address__grid__officers=officer), "address_id"
            ),
            recent_visits=_count(
                Visit.objects.filter(officer=officer, visited_at__gte=coverage_since())
            ),
            open_task_count=_count(
                FieldTask.objects.filter(address__grid__officers=officer, status=TaskStatus.OPEN)
            ),
        )
        .order_by("username")
    )


def coverage_share(covered: int, total: int) -> float:
    """Covered addresses as a share of all addresses, 0.0 to 1.0 (0.0 for a grid without any)."""
    return round(covered / total, 4) if total else 0.0


def _place_of(address: Address) -> str:
    """Where an address lies, without the door: its district and grid."""
    grid = address.grid
    district = grid.district.display_name if grid.district_id else ""
    return f"{district} {grid.display_name}".strip()


def visit_notices(visit: Visit) -> list[str]:
    """What the officer is told about a recorded visit: persons moved here from a registered
    address elsewhere (that registration ended), and the revisit that nobody home puts on the
    task list. The old address is named by district and grid only."""
    notices = []
    for entry in visit.entries.all():
        old = entry.moved_from
        if entry.finding != Finding.MOVED_IN or old is None:
            continue
        notices.append(
            _(
                "%(name)s was registered elsewhere (%(place)s) from %(start)s. That registration "
                "ended on %(end)s; %(name)s is now registered at this address."
            )
            % {
                "name": entry.person.name,
                "place": _place_of(old.address),
                "start": date_format(old.start_date),
                "end": date_format(old.end_date) if old.end_date else "",
            }
        )
    if visit.outcome == VisitOutcome.NOBODY_HOME:
        revisit = (
            FieldTask.objects.filter(
                address_id=visit.address_id, kind=TaskKind.REVISIT, status=TaskStatus.OPEN
            )
            .order_by("due_date")
            .first()
        )
        if revisit is not None:
            notices.append(
                _("Nobody was home: a revisit is on your task list, due by %(date)s.")
                % {"date": date_format(revisit.due_date)}
            )
    return notices


# --- card delivery -----------------------------------------------------------------------------


def sends_cards(user: User) -> bool:
    """Whether the user is public security staff who send cards (in their districts)."""
    return _is_police_reviewer(user)


def permits_for_delivery_by(user: User) -> QuerySet[Permit]:
    """Permits whose card public security staff may send: those issued in their districts."""
    if not _is_police_reviewer(user):
        return Permit.objects.none()
    return Permit.objects.filter(district__in=user.districts.all()).select_related(
        "application__case", "person"
    )


def deliveries_managed_by(user: User) -> QuerySet[CardDelivery]:
    """Card deliveries public security staff move: of permits issued in their districts."""
    if not _is_police_reviewer(user):
        return CardDelivery.objects.none()
    return CardDelivery.objects.filter(permit__district__in=user.districts.all()).select_related(
        "application__case", "permit"
    )


def delivery_of(permit: Permit) -> CardDelivery | None:
    """The courier delivery of the permit's card, with its steps; None for a pick-up."""
    return (
        CardDelivery.objects.filter(permit=permit)
        .prefetch_related("events")
        .order_by("-id")
        .first()
    )


# --- permits of other cities of the province (转换互认) -----------------------------------------


def transfer_policy_on(day: dt.date) -> TransferPolicy:
    """The transfer rule in force on `day` (latest effective_from not after it); none: nothing counts."""
    policy = TransferPolicy.objects.filter(effective_from__lte=day).first()
    return policy or TransferPolicy(effective_from=day, months_recognised=0)


def months_recognised_from_peers(person: Person, *, on: dt.date | None = None) -> int:
    """Months of residence a peer city's permit counts for here: the largest recognised transfer
    whose peer permit was still valid on the day of the transfer (0 without one)."""
    day = on or timezone.localdate()
    months = (
        PermitTransfer.objects.filter(person=person, recognised_at__date__lte=day)
        .order_by("-months_recognised")
        .values_list("months_recognised", flat=True)
        .first()
    )
    return months or 0


def active_peer_cities() -> QuerySet[PeerCity]:
    return PeerCity.objects.filter(active=True)


def transfers_of(user: User) -> QuerySet[PermitTransfer]:
    """The transfers recognised for the user's household."""
    return PermitTransfer.objects.filter(person__in=household_of(user).values("pk")).select_related(
        "peer", "person"
    )


def cards_to_send_by(user: User) -> QuerySet[Permit]:
    """Permits of the staff member's districts whose applicant chose the courier and whose card
    is not yet on its way."""
    return (
        permits_for_delivery_by(user)
        .filter(application__delivery_choice__method="courier", deliveries__isnull=True)
        .order_by("issued_on", "pk")
    )
