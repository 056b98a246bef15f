"""Worker declarations (以业管人: 人来申报、人走注销): whoever employs declares.

A verified employer declares each worker's start and end, one by one or as an uploaded list.
A worker housed in one of the employer's dormitories is registered there with source
"employer" through residents' declared-residence services (the same path landlords'
declarations take), and the grid's officers get a task to verify it; the end of the
employment ends that registration. A declaration made more days after the start or end than
the registration policy in force allows employers (residents.selectors.declaration_window_start)
is recorded as late (start_late, end_late).

Concurrency: the employer row is locked for every declaration, the dormitory row for its
capacity count, and the person row by the registry, so two declarations of one worker at
once cannot both open an employment (and a partial unique constraint stands behind that).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from employment import selectors
from employment.models import Dormitory, Employer, Employment, WorkerUpload
from employment.services import dormitories
from portal.accounts.models import User
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from portal.workflow.models import Status
from residents import idnumber
from residents import selectors as resident_selectors
from residents import services as resident_services
from residents.models import Reason, Registration, Source, TaskKind

VERIFY_WITHIN_DAYS = 7


def is_late(day: dt.date, *, declared_on: dt.date) -> bool:
    """Declared after the employer's window of the registration policy in force (residents'
    one declaration-window rule, the same that flags the worker's registration late)."""
    return day < resident_selectors.declaration_window_start(Source.EMPLOYER, on=declared_on)


def lock_verified_employer(actor: User, employer_id: int) -> Employer:
    employer = (
        selectors.employers_of(actor).select_for_update(of=("self",)).filter(pk=employer_id).first()
    )
    if employer is None:
        raise NotFound()
    if not employer.is_active or employer.case.status != Status.APPROVED:
        raise NotEligible(
            _("Workers can be declared once human resources have verified the enterprise."),
            code="employer_not_verified",
        )
    return employer


def current_employment(
    *, actor: User, employer_id: int, id_number: str, name: str = ""
) -> Employment:
    """The current employment, at the actor's employer, of the worker with this ID number (and
    this name, when given); InvalidInput naming the field otherwise."""
    try:
        parsed = idnumber.parse(id_number)
    except InvalidInput as exc:
        raise InvalidInput(fields=exc.fields) from None
    employment = (
        selectors.employments_of(actor)
        .filter(
            employer_id=employer_id,
            person__id_hash=idnumber.keyed_hash(parsed.number),
            end_date__isnull=True,
        )
        .first()
    )
    if employment is None:
        message = _("No current worker of the enterprise has this ID number.")
        raise InvalidInput(message, code="not_employed", fields={"id_number": [message]})
    if name.strip() and employment.person.name != name.strip():
        message = _("The name does not match the worker with this ID number.")
        raise InvalidInput(message, code="name_mismatch", fields={"name": [message]})
    return employment


def _date_errors(field: str, day: dt.date | None, today: dt.date) -> dict[str, list[str]]:
    if day is None:
        return {field: [_("Please enter a date.")]}
    if day > today:
        return {field: [_("The date cannot be in the future.")]}
    return {}


def declare_worker_start(
    *,
    actor: User,
    employer_id: int,
    name: str,
    id_number: str,
    start_date: dt.date | None,
    job_title: str = "",
    dormitory_id: int | None = None,
    upload: WorkerUpload | None = None,
) -> Employment:
    """The employer declares a worker who started on `start_date` (人来申报).

    Refused, with nothing written and every problem of the input listed at once: an invalid
    ID number or name, a date in the future, a dormitory not the employer's or full, a worker
    already employed here. A late declaration is accepted and flagged.
    """
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    clean_name, parsed = "", None
    try:
        clean_name, parsed = resident_services.check_declared_person(name=name, id_number=id_number)
    except InvalidInput as exc:
        errors.update(exc.fields)
    errors.update(_date_errors("start_date", start_date, today))
    job_title = (job_title or "").strip()
    if len(job_title) > 50:
        errors["job_title"] = [_("At most 50 characters.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        employer = lock_verified_employer(actor, employer_id)
        dormitory = None
        if dormitory_id:
            dormitory = (
                Dormitory.objects.select_for_update()
                .select_related("address")
                .filter(pk=dormitory_id, employer=employer, is_active=True)
                .first()
            )
            if dormitory is None:
                message = _("This dormitory is not one of the enterprise's.")
                raise InvalidInput(message, fields={"dormitory": [message]})
        person = resident_services.declared_person(name=clean_name, parsed=parsed)
        if start_date < person.birth_date:
            message = _("The start date cannot be before the person's birth.")
            raise InvalidInput(message, fields={"start_date": [message]})
        current = employer.employments.filter(person=person, end_date__isnull=True).first()
        if current is not None:
            message = _("%(name)s is already declared as working here since %(date)s.") % {
                "name": person.name,
                "date": date_format(current.start_date),
            }
            raise InvalidInput(message, code="already_employed", fields={"id_number": [message]})
        registration = None
        if dormitory is not None:
            already_here = Registration.objects.filter(
                person=person, address=dormitory.address, end_date__isnull=True
            ).exists()
            occupants = selectors.occupancy(dormitory.address_id) + (0 if already_here else 1)
            if occupants > dormitory.capacity:
                message = _(
                    "This dormitory has %(max)s beds, and %(count)s people are already "
                    "registered there."
                ) % {"max": dormitory.capacity, "count": occupants - 1}
                raise InvalidInput(message, code="over_capacity", fields={"dormitory": [message]})
            registration = resident_services.record_declared_residence(
                actor=actor,
                person_id=person.pk,
                address=dormitory.address,
                start_date=start_date,
                reason=Reason.WORK,
                source=Source.EMPLOYER,
            )
        try:
            with transaction.atomic():
                employment = Employment.objects.create(
                    employer=employer,
                    person=person,
                    job_title=job_title,
                    dormitory=dormitory,
                    registration=registration,
                    start_date=start_date,
                    start_declared_at=timezone.now(),
                    start_late=is_late(start_date, declared_on=today),
                    declared_by=actor,
                    upload=upload,
                )
        except IntegrityError:
            raise TransitionNotAllowed(
                _("This worker was declared at the same time. Please check the list.")
            ) from None
        if dormitory is not None:
            resident_services.raise_field_task(
                kind=TaskKind.VERIFY_DECLARATION,
                address=dormitory.address,
                person=person,
                due_date=today + dt.timedelta(days=VERIFY_WITHIN_DAYS),
                source=selectors.FIELD_SOURCE,
                source_ref=selectors.employment_task_ref(employment.pk),
                note=_(
                    "%(employer)s declared %(name)s as living in its dormitory from %(date)s. "
                    "Please verify."
                )
                % {"employer": employer.name, "name": person.name, "date": date_format(start_date)},
            )
            if person.user_id:
                address = dormitory.address.text
                notify_after_commit(
                    person.user,
                    lambda: (
                        _("Your employer registered your residence"),
                        _("You are registered at %(address)s from %(date)s (employer's dormitory).")
                        % {"address": address, "date": date_format(start_date)},
                    ),
                )
        return employment


def declare_worker_end(
    *, actor: User, employment_id: int, end_date: dt.date | None, reason: str = ""
) -> Employment:
    """The employer declares that a worker left on `end_date` (人走注销).

    A worker housed in the dormitory has that registration ended the same day (and with it
    their residence permit, which rests on a current registration). Ending twice is refused.
    """
    today = timezone.localdate()
    errors = _date_errors("end_date", end_date, today)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        employment = (
            selectors.employments_of(actor)
            .select_for_update(of=("self",))
            .filter(pk=employment_id)
            .first()
        )
        if employment is None:
            raise NotFound()
        if employment.end_date is not None:
            raise TransitionNotAllowed(_("This employment has already ended."))
        if end_date < employment.start_date:
            message = _("The end date cannot be before the start date (%(date)s).") % {
                "date": date_format(employment.start_date)
            }
            raise InvalidInput(message, fields={"end_date": [message]})
        employment.end_date = end_date
        employment.end_declared_at = timezone.now()
        employment.end_late = is_late(end_date, declared_on=today)
        employment.ended_by = actor
        employment.save(update_fields=["end_date", "end_declared_at", "end_late", "ended_by"])
        if employment.registration_id is not None:
            resident_services.end_declared_residence(
                actor=actor,
                registration_id=employment.registration_id,
                end_date=end_date,
                reason=(reason or "").strip() or _("Departure declared by the employer."),
            )
        if employment.dormitory_id is not None:
            dormitory = (
                Dormitory.objects.select_for_update()
                .select_related("address")
                .get(pk=employment.dormitory_id)
            )
            dormitories.check_occupancy(dormitory=dormitory)
        return employment
