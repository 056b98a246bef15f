"""Affordable rental housing applications (保障性租赁住房申请) on the shared lifecycle.

A round is opened with its lottery seed drawn and only the seed's hash published. A resident
applies for one unit type in an open round; eligibility (housing.eligibility) is checked when
the application is started and again when it is submitted, when the housing points and the
time of application are fixed for the ranking. Housing-department reviewers of the project's
district decide (workflow kind "affordable_housing").
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from housing import eligibility, selectors
from housing.models import (
    ApplicationRound,
    HousingApplication,
    HousingProject,
    RoundStatus,
    RoundUnitType,
    UnitType,
    seed_hash,
)
from portal.accounts import selectors as account_selectors
from portal.accounts.models import DepartmentCode, User
from portal.errors import InvalidInput, NotAllowed, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from portal.workflow import services as workflow
from portal.workflow.models import Case, Status
from residents import selectors as resident_selectors
from residents.models import Person

KIND = "affordable_housing"
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


def case_detail_url(case: Case) -> str:
    return reverse("housing:review_application", args=[case.pk])


def _application_link(application: HousingApplication) -> str:
    return reverse("housing:application", args=[application.pk])


def issued_link(case: Case) -> tuple[str, str] | None:
    """What an approved application leads to: the applicant's page of it, where the rank in
    the published ranking and the units offered appear."""
    if case.status != Status.APPROVED:
        return None
    application = HousingApplication.objects.filter(case=case).only("pk").first()
    if application is None:
        return None
    return _("My rank and housing offers"), _application_link(application)


# --- rounds ------------------------------------------------------------------------------------


def _may_manage(actor: User, project: HousingProject) -> bool:
    if actor.is_authenticated and actor.is_superuser:
        return True
    return account_selectors.is_reviewer_of(
        actor, DepartmentCode.HOUSING, district_id=project.district_id
    )


def create_round(
    *,
    actor: User,
    project_id: int,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date,
    unit_types: Sequence[tuple[str, int, int]],
    min_points: Decimal | str | None = None,
    offer_days: int = 7,
) -> ApplicationRound:
    """Open an application round of a project and commit to its lottery seed.

    `unit_types` lists (unit type, smallest household, largest household). The seed is drawn
    here and only its SHA-256 is shown until the round is ranked. Only housing reviewers of
    the project's district (or an administrator) open rounds.
    """
    project = HousingProject.objects.filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    if not _may_manage(actor, project):
        raise NotAllowed()
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Please name the round (at most 100 characters).")]
    if closes_on < opens_on:
        errors["closes_on"] = [_("The round must close on or after the day it opens.")]
    if not 1 <= int(offer_days) <= 60:
        errors["offer_days"] = [_("Please enter a whole number from 1 to %(most)s.") % {"most": 60}]
    points = None
    if min_points not in (None, ""):
        try:
            points = Decimal(str(min_points)).quantize(Decimal("0.01"))
        except InvalidOperation:
            points = Decimal(-1)
        if points < 0:
            errors["min_points"] = [_("Please enter the minimum points as a number.")]
    seen: set[str] = set()
    for unit_type, low, high in unit_types:
        if unit_type not in UnitType.values or unit_type in seen or not 1 <= low <= high:
            errors["unit_types"] = [
                _("Each unit type once, with household sizes from 1 and smallest ≤ largest.")
            ]
        seen.add(unit_type)
    if not unit_types:
        errors["unit_types"] = [_("Please list the unit types the round offers.")]
    if errors:
        raise InvalidInput(fields=errors)
    seed, commitment = draw_seed()
    with transaction.atomic():
        application_round = ApplicationRound.objects.create(
            project=project,
            name=name,
            opens_on=opens_on,
            closes_on=closes_on,
            min_points=points,
            offer_days=offer_days,
            seed=seed,
            seed_hash=commitment,
        )
        RoundUnitType.objects.bulk_create(
            RoundUnitType(
                round=application_round, unit_type=t, min_household=low, max_household=high
            )
            for t, low, high in unit_types
        )
        return application_round


def draw_seed() -> tuple[str, str]:
    """A new lottery seed (256 random bits, hex) and its published commitment (SHA-256)."""
    seed = secrets.token_hex(32)
    return seed, seed_hash(seed)


# --- the applicant -------------------------------------------------------------------------------


def _refuse(problems: dict[str, list[str]]) -> NotEligible:
    return NotEligible(next(iter(problems.values()))[0], fields=problems)


def _check_shape(unit_type: str) -> None:
    if unit_type not in UnitType.values:
        raise InvalidInput(fields={"unit_type": [_("Please choose a unit type.")]})


def registered_household_size(actor: User) -> int:
    """The people of the applicant's registered household: themselves and the dependants
    they are guardian of (residents.selectors.household_of), never a number typed in."""
    return resident_selectors.household_of(actor).count()


def create_housing_application(
    *,
    actor: User,
    round_id: int,
    unit_type: str,
    owns_home_in_city: bool,
    household_size: object = None,
) -> HousingApplication:
    """Start an application (a draft) in an open round, for the signed-in resident's household.

    The household's size is the registered household's (`household_size`, once typed in, is
    accepted for old callers and ignored).

    Refused, with nothing written, when the applicant is not eligible (see housing.eligibility:
    no valid residence permit, a home owned in the city, a household that does not fit the unit
    type, too few points) or already applied in the round. The case goes to the housing
    department of the project's district. Concurrency: the person row is locked, so two starts
    at once cannot both succeed (and the unique (round, person) holds anyway).
    """
    _check_shape(unit_type)
    size = registered_household_size(actor)
    today = timezone.localdate()
    with transaction.atomic():
        own = resident_selectors.person_of(actor)
        if own is None:
            raise NotAllowed(
                _("Please enter your own details in the registry before applying."),
                code="no_person",
            )
        person = Person.objects.select_for_update().get(pk=own.pk)
        application_round = selectors.rounds().filter(pk=round_id).first()
        if application_round is None:
            raise NotFound()
        problems, _points = eligibility.eligibility_problems(
            application_round,
            person,
            unit_type=unit_type,
            household_size=size,
            owns_home_in_city=owns_home_in_city,
            on=today,
        )
        if problems:
            raise _refuse(problems)
        if HousingApplication.objects.filter(round=application_round, person=person).exists():
            raise _already_applied()
        case = workflow.create_case(
            kind=KIND,
            applicant=actor,
            district=application_round.project.district,
            subject=person.name,
            actor=actor,
        )
        try:
            with transaction.atomic():
                return HousingApplication.objects.create(
                    case=case,
                    round=application_round,
                    person=person,
                    unit_type=unit_type,
                    household_size=size,
                    owns_home_in_city=owns_home_in_city,
                )
        except IntegrityError:
            raise _already_applied() from None


def _already_applied() -> InvalidInput:
    return InvalidInput(_("You have already applied in this round."), code="already_applied")


def _lock_own(actor: User, application_id: int) -> HousingApplication:
    application = (
        selectors.housing_applications_of(actor)
        .select_for_update(of=("self",))
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound()
    return application


def update_housing_application(
    *,
    actor: User,
    application_id: int,
    unit_type: str,
    owns_home_in_city: bool,
    household_size: object = None,
) -> HousingApplication:
    """Change the unit type or declaration of a draft or returned application; the household
    size is read again from the registered household (`household_size` is ignored)."""
    _check_shape(unit_type)
    size = registered_household_size(actor)
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        if application.case.status not in EDITABLE:
            raise TransitionNotAllowed(_("This application can no longer be changed."))
        application.unit_type = unit_type
        application.household_size = size
        application.owns_home_in_city = owns_home_in_city
        application.save(update_fields=["unit_type", "household_size", "owns_home_in_city"])
        return application


def submission_problems(application: HousingApplication, *, on: dt.date) -> dict[str, list[str]]:
    """Everything that stops the application from being submitted today, listed at once."""
    problems, _points = eligibility.eligibility_problems(
        application.round,
        application.person,
        unit_type=application.unit_type,
        household_size=application.household_size,
        owns_home_in_city=application.owns_home_in_city,
        on=on,
    )
    return problems


def submit_housing_application(*, actor: User, application_id: int) -> HousingApplication:
    """The applicant submits (or resubmits after a return); eligibility is checked again and
    the housing points and the time of application are fixed for the ranking."""
    application = selectors.housing_applications_of(actor).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    workflow.submit_case(case_id=application.case_id, actor=actor)
    return selectors.housing_applications_of(actor).get(pk=application_id)


def withdraw_housing_application(
    *, actor: User, application_id: int, reason: str = ""
) -> HousingApplication:
    application = selectors.housing_applications_of(actor).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    workflow.withdraw_case(case_id=application.case_id, actor=actor, reason=reason)
    return selectors.housing_applications_of(actor).get(pk=application_id)


# --- the reviewer ------------------------------------------------------------------------------


def _reviewable(actor: User, application_id: int) -> HousingApplication:
    application = (
        selectors.housing_applications_reviewable_by(actor).filter(pk=application_id).first()
    )
    if application is None:
        raise NotFound()
    return application


def accept_housing_application(*, actor: User, application_id: int) -> HousingApplication:
    application = _reviewable(actor, application_id)
    workflow.start_review(case_id=application.case_id, actor=actor)
    return _reviewable(actor, application_id)


def approve_housing_application(
    *, actor: User, application_id: int, reason: str = ""
) -> HousingApplication:
    """The household qualifies: it will be ranked when the round is."""
    application = _reviewable(actor, application_id)
    workflow.approve_case(case_id=application.case_id, actor=actor, reason=reason)
    return _reviewable(actor, application_id)


def reject_housing_application(
    *, actor: User, application_id: int, reason: str
) -> HousingApplication:
    application = _reviewable(actor, application_id)
    workflow.reject_case(case_id=application.case_id, actor=actor, reason=reason)
    return _reviewable(actor, application_id)


def return_housing_application(
    *, actor: User, application_id: int, reason: str
) -> HousingApplication:
    application = _reviewable(actor, application_id)
    workflow.return_case(case_id=application.case_id, actor=actor, reason=reason)
    return _reviewable(actor, application_id)


# --- hooks of the "affordable_housing" kind (inside the transition's transaction) --------------


def _application_of(case: Case) -> HousingApplication:
    return (
        HousingApplication.objects.select_related("round", "person")
        .select_for_update(of=("self",))
        .get(case=case)
    )


def on_submit(*, case: Case, actor: User) -> None:
    """Refuse a submission that is not eligible today; fix the points and time of application."""
    application = _application_of(case)
    now = timezone.now()
    application.household_size = registered_household_size(case.applicant)
    problems, points = eligibility.eligibility_problems(
        application.round,
        application.person,
        unit_type=application.unit_type,
        household_size=application.household_size,
        owns_home_in_city=application.owns_home_in_city,
        on=timezone.localdate(now),
    )
    if problems:
        raise NotEligible(
            _("The application cannot be submitted: please see the items listed."),
            code="not_eligible",
            fields=problems,
        )
    application.points = points
    application.applied_at = now
    application.save(update_fields=["points", "applied_at", "household_size"])
    closes = application.round.closes_on
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Application received: %(reference)s") % {"reference": case.reference},
            _(
                "The housing department will check your application. The ranking is published "
                "after the round closes on %(date)s."
            )
            % {"date": date_format(closes)},
        ),
        link=_application_link(application),
    )


def on_approve(*, case: Case, actor: User) -> None:
    application = _application_of(case)
    if application.round.status != RoundStatus.OPEN:
        raise TransitionNotAllowed(
            _("The round has already been ranked: the application can no longer be approved.")
        )
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Application approved: %(reference)s") % {"reference": case.reference},
            _("Your household qualifies. You will be ranked when the round closes."),
        ),
        link=_application_link(application),
    )


def on_reject(*, case: Case, actor: User) -> None:
    application = _application_of(case)
    reason = case.last_reason
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Application not approved: %(reference)s") % {"reference": case.reference},
            _("Reason: %(reason)s") % {"reason": reason},
        ),
        link=_application_link(application),
    )


def on_return(*, case: Case, actor: User) -> None:
    application = _application_of(case)
    reason = case.last_reason
    notify_after_commit(
        case.applicant,
        lambda: (
            _("More information needed: %(reference)s") % {"reference": case.reference},
            _("Please provide everything listed, then submit again:\n%(reason)s")
            % {"reason": reason},
        ),
        link=_application_link(application),
    )
