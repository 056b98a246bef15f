"""Residence permits (居住证): the application on the shared lifecycle, issue, endorsement, reissue, cancellation.

Rules come from the Interim Regulation on Residence Permits (居住证暂行条例, State Council
Order 663, 2016; docs/domain.md "Residence permit") and are read from PermitPolicy, the city's
rules by effective date:
- art. 2: eligible after six months of registration plus stable employment, stable residence
  or continuous study;
- art. 11: guardians apply for minors and for those who cannot apply themselves;
- art. 14-15: endorsement once a year, in the month before each anniversary; a late
  endorsement restores the permit but the continuous-residence clock restarts from that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from portal.periods import add_months
from portal.workflow import services as workflow
from portal.workflow.models import Case, Status
from residents import hooks, selectors
from residents.models import (
    Basis,
    MaterialKind,
    Permit,
    PermitApplication,
    PermitEvent,
    PermitEventKind,
    PermitStatus,
    Person,
    Registration,
)

KIND = "residence_permit"
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
ONE_DAY = dt.timedelta(days=1)


def _application_link(application: PermitApplication) -> str:
    return reverse("residents:permit_application", args=[application.pk])


def _permit_link(permit: Permit) -> str:
    return reverse("residents:permit", args=[permit.pk])


def case_detail_url(case: Case) -> str:
    """Where the workbench sends a reviewer for a permit case."""
    return reverse("residents:review_permit", args=[case.pk])


def issued_link(case: Case) -> tuple[str, str] | None:
    """What an approved permit application produced: the permit, on the applicant's page."""
    permit = Permit.objects.filter(application__case=case).only("pk").first()
    if permit is None:
        return None
    return _("My residence permit"), reverse("residents:permit", args=[permit.pk])


def _check_basis(basis: str, basis_detail: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if basis not in Basis.values:
        errors["basis"] = [_("Please choose the basis of the application.")]
    if len(basis_detail) > 200:
        errors["basis_detail"] = [_("At most 200 characters.")]
    return errors


# --- the applicant ----------------------------------------------------------------------------


def create_permit_application(
    *, actor: User, person_id: int, basis: str, basis_detail: str = ""
) -> PermitApplication:
    """Start a residence-permit application (a draft) for the actor or a dependant.

    Refused when the person has no current registration, fewer months of continuous
    registration than the policy requires, a permit already, or an application in progress.
    The case goes to public security of the district of the registration address.
    Concurrency: the person row is locked, so two starts for one person cannot both succeed.
    """
    basis_detail = (basis_detail or "").strip()
    errors = _check_basis(basis, basis_detail)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        person = (
            selectors.household_of(actor)
            .select_for_update(of=("self",))
            .filter(pk=person_id)
            .first()
        )
        if person is None:
            raise NotFound()
        problems = selectors.permit_eligibility_problems(person)
        if problems:
            raise NotEligible(next(iter(problems.values()))[0], fields=problems)
        registration = selectors.current_registration(person)
        case = workflow.create_case(
            kind=KIND,
            applicant=actor,
            district=registration.address.grid.district,
            subject=person.name,
            actor=actor,
        )
        return PermitApplication.objects.create(
            case=case,
            person=person,
            registration=registration,
            basis=basis,
            basis_detail=basis_detail,
        )


def _lock_own(actor: User, application_id: int) -> PermitApplication:
    application = (
        selectors.permit_applications_of(actor)
        .select_for_update(of=("self",))
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound()
    return application


def update_permit_application(
    *, actor: User, application_id: int, basis: str, basis_detail: str = ""
) -> PermitApplication:
    """Change the declared basis while the application is a draft or returned for more material."""
    basis_detail = (basis_detail or "").strip()
    errors = _check_basis(basis, basis_detail)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        if application.case.status not in EDITABLE:
            raise TransitionNotAllowed(_("This application can no longer be changed."))
        application.basis = basis
        application.basis_detail = basis_detail
        application.save(update_fields=["basis", "basis_detail"])
        return application


def submission_problems(application: PermitApplication) -> dict[str, list[str]]:
    """Everything that stops an application from being submitted, listed at once (一次性告知)."""
    person = application.person
    problems = selectors.permit_eligibility_problems(person, application=application)
    current = selectors.current_registration(person)
    if current is not None and current.pk != application.registration_id:
        problems.setdefault("registration", []).append(
            _(
                "The registered address changed after this application was started: "
                "please withdraw it and start a new one."
            )
        )
    if not application.basis_detail:
        problems["basis_detail"] = [
            _("Please name the employer, the tenancy or home, or the school.")
        ]
    kinds = set(application.materials.values_list("kind", flat=True))
    missing = []
    if MaterialKind.PHOTO not in kinds:
        missing.append(_("a recent photo (JPEG or PNG)"))
    if MaterialKind.PROOF not in kinds:
        missing.append(
            _("proof of the basis: a labour contract, a tenancy or deed, or a school certificate")
        )
    if missing:
        problems["materials"] = [_("Missing material: %(item)s.") % {"item": m} for m in missing]
    return problems


def submit_permit_application(*, actor: User, application_id: int) -> PermitApplication:
    """The applicant submits (or resubmits after a return); the kind's on_submit hook checks eligibility."""
    application = selectors.permit_applications_of(actor).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    workflow.submit_case(case_id=application.case_id, actor=actor)
    return selectors.permit_applications_of(actor).get(pk=application_id)


def withdraw_permit_application(
    *, actor: User, application_id: int, reason: str = ""
) -> PermitApplication:
    """The applicant withdraws an application nobody has taken up yet."""
    application = selectors.permit_applications_of(actor).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    workflow.withdraw_case(case_id=application.case_id, actor=actor, reason=reason)
    return selectors.permit_applications_of(actor).get(pk=application_id)


# --- the reviewer --------------------------------------------------------------------------


def _reviewable(actor: User, application_id: int) -> PermitApplication:
    application = (
        selectors.permit_applications_reviewable_by(actor).filter(pk=application_id).first()
    )
    if application is None:
        raise NotFound()
    return application


def accept_permit_application(*, actor: User, application_id: int) -> PermitApplication:
    """A public-security reviewer of the case's district takes the application up (受理)."""
    application = _reviewable(actor, application_id)
    workflow.start_review(case_id=application.case_id, actor=actor)
    return _reviewable(actor, application_id)


def approve_permit_application(
    *, actor: User, application_id: int, reason: str = ""
) -> PermitApplication:
    """Approve; the kind's on_approve hook issues the permit in the same transaction."""
    application = _reviewable(actor, application_id)
    workflow.approve_case(case_id=application.case_id, actor=actor, reason=reason)
    return _reviewable(actor, application_id)


def reject_permit_application(
    *, actor: User, application_id: int, reason: str
) -> PermitApplication:
    """Reject, with a reason the applicant reads."""
    application = _reviewable(actor, application_id)
    workflow.reject_case(case_id=application.case_id, actor=actor, reason=reason)
    return _reviewable(actor, application_id)


def return_permit_application(
    *, actor: User, application_id: int, reason: str
) -> PermitApplication:
    """Return for more material; the reason lists everything missing at once (一次性告知)."""
    application = _reviewable(actor, application_id)
    workflow.return_case(case_id=application.case_id, actor=actor, reason=reason)
    return _reviewable(actor, application_id)


# --- hooks of the "residence_permit" kind (run inside the transition's transaction) -----------


def _application_of(case: Case) -> PermitApplication:
    return PermitApplication.objects.select_related("person", "registration").get(case=case)


def on_submit(*, case: Case, actor: User) -> None:
    """Refuse a submission that is not complete or not eligible, listing every problem at once."""
    application = _application_of(case)
    problems = submission_problems(application)
    if problems:
        raise NotEligible(
            _("The application cannot be submitted yet: please see the items listed."),
            code="incomplete",
            fields=problems,
        )

    def message() -> tuple[str, str]:
        fresh = Case.objects.get(pk=case.pk)
        return (
            _("Application received: %(reference)s") % {"reference": fresh.reference},
            _("We will decide by %(date)s. You can follow the progress online.")
            % {"date": date_format(fresh.due_date) if fresh.due_date else ""},
        )

    notify_after_commit(case.applicant, message, link=_application_link(application))


def on_start_review(*, case: Case, actor: User) -> None:
    """Tell the applicant the application was taken up, whichever page the reviewer used."""
    application = _application_of(case)
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Application accepted: %(reference)s") % {"reference": case.reference},
            _("Public security has accepted the residence permit application for %(name)s.")
            % {"name": application.person.name},
        ),
        link=_application_link(application),
    )


def on_approve(*, case: Case, actor: User) -> None:
    issue_permit(application=_application_of(case), actor=actor)


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
            _("More material needed: %(reference)s") % {"reference": case.reference},
            _("Please provide everything listed, then submit again:\n%(reason)s")
            % {"reason": reason},
        ),
        link=_application_link(application),
    )


# --- the permit --------------------------------------------------------------------------------


def _record(
    permit: Permit, *, kind: str, on: dt.date, actor: User | None, reason: str = ""
) -> None:
    PermitEvent.objects.create(
        permit=permit,
        kind=kind,
        on=on,
        valid_until=permit.valid_until,
        card_version=permit.card_version,
        reason=reason,
        actor=actor,
        at=timezone.now(),
    )


def issue_permit(*, application: PermitApplication, actor: User) -> Permit:
    """Issue the permit of an approved application (called by the on_approve hook).

    The number is the issuing district's 6-digit code, the year and a 6-digit sequence from
    the workflow counter, unique and gap-free under concurrency. Valid for the policy's months
    (one year). Refused if the person is no longer registered or already holds a permit.
    """
    today = timezone.localdate()
    person = Person.objects.select_for_update().get(pk=application.person_id)
    registration = (
        Registration.objects.select_related("address__grid__district")
        .filter(person=person, end_date__isnull=True)
        .first()
    )
    if registration is None:
        raise NotEligible(
            _("%(name)s is no longer registered: the permit cannot be issued.")
            % {"name": person.name}
        )
    if Permit.objects.filter(person=person, status=PermitStatus.VALID).exists():
        raise NotEligible(_("%(name)s already holds a residence permit.") % {"name": person.name})
    district = registration.address.grid.district
    code = district.code[:6]
    sequence = workflow.next_number(f"permit-{code}-{today.year}")
    policy = selectors.permit_policy_on(today)
    permit = Permit.objects.create(
        number=f"{code}{today.year}{sequence:06d}",
        person=person,
        application=application,
        district=district,
        address=registration.address,
        issued_on=today,
        valid_until=add_months(today, policy.validity_months) - ONE_DAY,
    )
    _record(permit, kind=PermitEventKind.ISSUED, on=today, actor=actor)
    notify_after_commit(
        application.case.applicant,
        lambda: (
            _("Residence permit issued: %(number)s") % {"number": permit.number},
            _("The residence permit of %(name)s is valid until %(date)s.")
            % {"name": person.name, "date": date_format(permit.valid_until)},
        ),
        link=_permit_link(permit),
    )
    return permit


def _lock_held(actor: User, permit_id: int) -> Permit:
    permit = (
        selectors.permits_held_by(actor)
        .select_for_update(of=("self",))
        .filter(pk=permit_id)
        .first()
    )
    if permit is None:
        raise NotFound()
    if permit.status == PermitStatus.CANCELLED:
        raise TransitionNotAllowed(_("This permit has been cancelled."))
    return permit


def endorse_permit(*, actor: User, permit_id: int) -> Permit:
    """The yearly endorsement (签注), asked for by the holder or their guardian.

    On time: in the window before the anniversary (the month before, by default); validity
    runs one more period from the anniversary. Late (after valid_until): the permit is
    restored from today and the continuous-residence clock restarts today (recorded on the
    permit and in its history). Before the window: refused. The holder must still be registered.
    """
    today = timezone.localdate()
    with transaction.atomic():
        permit = _lock_held(actor, permit_id)
        if selectors.current_registration(permit.person) is None:
            raise NotEligible(
                _("Endorsement needs a current residence registration: register the address first.")
            )
        opens, _last_day = selectors.endorsement_window(permit)
        if today < opens:
            raise NotEligible(
                _("The endorsement can be asked for from %(date)s.") % {"date": date_format(opens)},
                code="too_early",
            )
        validity = selectors.permit_policy_on(today).validity_months
        if today <= permit.valid_until:
            permit.valid_until = add_months(permit.valid_until + ONE_DAY, validity) - ONE_DAY
            kind = PermitEventKind.ENDORSED
            update = ["valid_until"]
        else:
            permit.valid_until = add_months(today, validity) - ONE_DAY
            permit.clock_restarted_on = today
            kind = PermitEventKind.ENDORSED_LATE
            update = ["valid_until", "clock_restarted_on"]
        permit.save(update_fields=update)
        _record(permit, kind=kind, on=today, actor=actor)
        notify_after_commit(
            permit.application.case.applicant,
            lambda: (
                _("Residence permit endorsed: %(number)s") % {"number": permit.number},
                _("Valid until %(date)s.") % {"date": date_format(permit.valid_until)},
            ),
            link=_permit_link(permit),
        )
        return permit


def reissue_permit(*, actor: User, permit_id: int, reason: str) -> Permit:
    """Reissue after loss or damage: same number, a new card version; the old card's QR code stops working."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Please say why the permit is reissued (for example: lost).")
        raise InvalidInput(message, code="reason_required", fields={"reason": [message]})
    today = timezone.localdate()
    with transaction.atomic():
        permit = _lock_held(actor, permit_id)
        permit.card_version += 1
        permit.save(update_fields=["card_version"])
        _record(permit, kind=PermitEventKind.REISSUED, on=today, actor=actor, reason=reason[:500])
        notify_after_commit(
            permit.application.case.applicant,
            lambda: (
                _("Residence permit reissued: %(number)s") % {"number": permit.number},
                _("The QR code of the earlier card no longer verifies."),
            ),
            link=_permit_link(permit),
        )
        return permit


@dataclass(frozen=True)
class Cancellation:
    """A departure's permit cancellation (cancel_permits_of_persons): whose, by whom, when, why."""

    person: Person
    actor: User | None
    on: dt.date
    reason: str


def cancel_permits_of(
    *, person: Person, actor: User | None, on: dt.date, reason: str
) -> list[Permit]:
    """Cancel the person's valid permit (departure). Called inside the caller's transaction."""
    return cancel_permits_of_persons(
        [Cancellation(person=person, actor=actor, on=on, reason=reason)]
    )


def cancel_permits_of_persons(cancellations: Sequence[Cancellation]) -> list[Permit]:
    """Cancel the valid permits of several departed persons; the valid permits of all of them
    are read (locked) in one query. Called inside the caller's transaction."""
    of_person = {c.person.pk: c for c in cancellations}
    if not of_person:
        return []
    cancelled = []
    for permit in (
        Permit.objects.select_for_update()
        .select_related("application__case__applicant")
        .filter(person_id__in=list(of_person), status=PermitStatus.VALID)
        .order_by("pk")
    ):
        cancellation = of_person[permit.person_id]
        actor, on, reason = cancellation.actor, cancellation.on, cancellation.reason
        permit.status = PermitStatus.CANCELLED
        permit.cancelled_on = on
        permit.cancel_reason = reason
        permit.save(update_fields=["status", "cancelled_on", "cancel_reason"])
        _record(permit, kind=PermitEventKind.CANCELLED, on=on, actor=actor, reason=reason)
        hooks.permit_cancelled(permit=permit, actor=actor, on=on)
        number = permit.number
        notify_after_commit(
            permit.application.case.applicant,
            lambda number=number, reason=reason: (
                _("Residence permit cancelled: %(number)s") % {"number": number},
                reason,
            ),
            link=reverse("residents:permits"),
        )
        cancelled.append(permit)
    return cancelled
