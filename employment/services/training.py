"""Training on demand (点单式公益课): wishes, the yearly course plan, enrolment, attendance, certificates.

Residents add topics to their wish list (心愿清单), counted by the district of their current
registration. Human-resources staff publish courses (capacity, schedule, place or online)
in a year's plan, record attendance per session and complete enrolments: completion with
the course's required sessions attended issues a certificate (结业证书). A certificate is a
community-education certificate the points rules may score (Zhongshan: 4 each, at most 20):
the points registry fact "community_education_certs" is refreshed on the resident's fact
sheet at once, through points' services, with no claim to file.

Concurrency: enrolment locks the course row, so of two residents taking the last seat at
once the second waits, then finds the course full (and a check constraint keeps
seats_taken within capacity).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from employment import selectors
from employment.models import (
    Attendance,
    Certificate,
    Course,
    CourseMode,
    Enrolment,
    EnrolmentStatus,
    TrainingTopic,
    TrainingWish,
)
from employment.services.postings import require_hr_staff
from points.services import registry as points_registry
from portal.accounts.models import User
from portal.areas.models import Area, Level
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from portal.workflow.services import next_number
from residents import selectors as resident_selectors

CERTIFICATE_FACT = "community_education_certs"


def _person(actor: User):
    person = resident_selectors.person_of(actor)
    if person is None:
        raise NotEligible(
            _("Please fill in your personal details first (your resident record)."),
            code="no_person",
        )
    return person


# --- wishes ------------------------------------------------------------------------------------------


def add_wish(*, actor: User, topic: str, note: str = "") -> TrainingWish:
    """A resident wishes for a topic; counted in the district where they are registered."""
    errors: dict[str, list[str]] = {}
    if topic not in TrainingTopic.values:
        errors["topic"] = [_("Please choose a topic from the list.")]
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = [_("At most 200 characters.")]
    if errors:
        raise InvalidInput(fields=errors)
    person = _person(actor)
    registration = resident_selectors.current_registration(person)
    if registration is None:
        raise NotEligible(
            _("Wishes are counted by where you live: please register your residence first."),
            code="not_registered",
        )
    try:
        with transaction.atomic():
            return TrainingWish.objects.create(
                person=person,
                topic=topic,
                district=registration.address.grid.district,
                note=note,
                created_at=timezone.now(),
            )
    except IntegrityError:
        message = _("This topic is already on your wish list.")
        raise InvalidInput(message, code="wish_exists", fields={"topic": [message]}) from None


def remove_wish(*, actor: User, wish_id: int) -> None:
    deleted, _rows = selectors.wishes_of(actor).filter(pk=wish_id).delete()
    if not deleted:
        raise NotFound()


# --- courses -----------------------------------------------------------------------------------------


def publish_course(
    *,
    actor: User,
    title: str,
    topic: str,
    mode: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    schedule: str,
    capacity: object,
    place: str = "",
    district_id: int | None = None,
    description: str = "",
    sessions_required: object = 1,
) -> Course:
    """Human-resources staff put a course in the plan of its starting year."""
    require_hr_staff(actor)
    errors: dict[str, list[str]] = {}
    title, schedule, place = (title or "").strip(), (schedule or "").strip(), (place or "").strip()
    if not title:
        errors["title"] = [_("Please enter the course title.")]
    if topic not in TrainingTopic.values:
        errors["topic"] = [_("Please choose a topic from the list.")]
    if mode not in CourseMode.values:
        errors["mode"] = [_("Please choose in person or online.")]
    elif mode == CourseMode.IN_PERSON and not place:
        errors["place"] = [_("Please say where the course takes place.")]
    if starts_on is None:
        errors["starts_on"] = [_("Please enter a date.")]
    if ends_on is None:
        errors["ends_on"] = [_("Please enter a date.")]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The end date must not be before the start date.")]
    if not schedule:
        errors["schedule"] = [_("Please give the schedule, e.g. Saturdays 9:00-11:00.")]
    seats = _whole(capacity, "capacity", errors, most=1000)
    sessions = _whole(sessions_required, "sessions_required", errors, most=100)
    district = None
    if district_id:
        district = Area.objects.filter(pk=district_id, level=Level.DISTRICT).first()
        if district is None:
            errors["district"] = [_("Please choose a district from the list.")]
    if errors:
        raise InvalidInput(fields=errors)
    return Course.objects.create(
        year=starts_on.year,
        title=title[:100],
        topic=topic,
        description=(description or "").strip(),
        district=district,
        mode=mode,
        place=place[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        schedule=schedule[:200],
        capacity=seats,
        sessions_required=sessions,
        published_by=actor,
    )


def _whole(value: object, field: str, errors: dict[str, list[str]], *, most: int) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= most:
        errors[field] = [_("Please enter a whole number from 1 to %(most)s.") % {"most": most}]
    return number


def enrol(*, actor: User, course_id: int) -> Enrolment:
    """A resident takes a seat on a course that has not ended.

    Concurrency: the course row is locked, so the last seat is taken exactly once.
    """
    person = _person(actor)
    today = timezone.localdate()
    with transaction.atomic():
        course = Course.objects.select_for_update().filter(pk=course_id).first()
        if course is None:
            raise NotFound()
        if course.ends_on < today:
            raise NotEligible(_("This course has ended."), code="course_ended")
        if (
            course.enrolments.filter(person=person)
            .exclude(status=EnrolmentStatus.CANCELLED)
            .exists()
        ):
            raise TransitionNotAllowed(
                _("You are already enrolled on this course."), code="already_enrolled"
            )
        if course.seats_taken >= course.capacity:
            raise NotEligible(_("Sorry, this course is full."), code="course_full")
        enrolment = Enrolment.objects.create(
            course=course, person=person, enrolled_at=timezone.now()
        )
        course.seats_taken += 1
        course.save(update_fields=["seats_taken"])
        return enrolment


def cancel_enrolment(*, actor: User, enrolment_id: int) -> Enrolment:
    """A resident gives their seat back before completing the course."""
    with transaction.atomic():
        enrolment = (
            selectors.enrolments_of(actor)
            .select_for_update(of=("self",))
            .filter(pk=enrolment_id)
            .first()
        )
        if enrolment is None:
            raise NotFound()
        if enrolment.status != EnrolmentStatus.ENROLLED:
            raise TransitionNotAllowed(_("Only a current enrolment can be cancelled."))
        course = Course.objects.select_for_update().get(pk=enrolment.course_id)
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.save(update_fields=["status"])
        course.seats_taken -= 1
        course.save(update_fields=["seats_taken"])
        return enrolment


def _managed_course(actor: User, course_id: int) -> Course:
    require_hr_staff(actor)
    course = selectors.courses_managed_by(actor).filter(pk=course_id).first()
    if course is None:
        raise NotFound()
    return course


def record_attendance(
    *, actor: User, course_id: int, session_date: dt.date | None, enrolment_ids: list[int]
) -> int:
    """Staff record who was present at one session; returns how many were newly recorded.
    Recording the same session again adds only those not yet recorded."""
    course = _managed_course(actor, course_id)
    if session_date is None or not course.starts_on <= session_date <= course.ends_on:
        message = _("The session must fall within the course dates (%(start)s to %(end)s).") % {
            "start": date_format(course.starts_on),
            "end": date_format(course.ends_on),
        }
        raise InvalidInput(message, fields={"session_date": [message]})
    enrolments = list(
        course.enrolments.filter(pk__in=enrolment_ids, status=EnrolmentStatus.ENROLLED)
    )
    if len(enrolments) != len(set(enrolment_ids)):
        message = _("Some of the chosen people are not enrolled on this course.")
        raise InvalidInput(message, fields={"enrolments": [message]})
    recorded = set(
        Attendance.objects.filter(enrolment__in=enrolments, session_date=session_date).values_list(
            "enrolment_id", flat=True
        )
    )
    now = timezone.now()
    new = [
        Attendance(enrolment=e, session_date=session_date, recorded_by=actor, recorded_at=now)
        for e in enrolments
        if e.pk not in recorded
    ]
    Attendance.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def complete_enrolment(*, actor: User, enrolment_id: int) -> Certificate:
    """Staff complete an enrolment whose required sessions were attended: a certificate is issued
    (number JYZS-YYYY-NNNNNN) and the resident's points fact sheet counts it at once.
    Completing again is refused."""
    require_hr_staff(actor)
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update()
            .select_related("course", "person")
            .filter(pk=enrolment_id, course__in=selectors.courses_managed_by(actor))
            .first()
        )
        if enrolment is None:
            raise NotFound()
        if enrolment.status != EnrolmentStatus.ENROLLED:
            raise TransitionNotAllowed(_("This enrolment is not open for completion."))
        attended = enrolment.attendance.count()
        if attended < enrolment.course.sessions_required:
            raise NotEligible(
                _("%(attended)s of the %(required)s required sessions were attended.")
                % {"attended": attended, "required": enrolment.course.sessions_required},
                code="not_enough_attendance",
            )
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.save(update_fields=["status"])
        today = timezone.localdate()
        number = next_number(f"JYZS-{today.year}")
        certificate = Certificate.objects.create(
            enrolment=enrolment,
            person=enrolment.person,
            number=f"JYZS-{today.year}-{number:06d}",
            issued_on=today,
            issued_by=actor,
        )
        points_registry.refresh_registry_fact(person_id=enrolment.person_id, code=CERTIFICATE_FACT)
        person = enrolment.person
        if person.user_id:
            title = enrolment.course.title
            notify_after_commit(
                person.user,
                lambda: (
                    _("Certificate issued: %(course)s") % {"course": title},
                    _(
                        "You completed the course. Where the points rules score "
                        "community-education certificates, it counts without a claim."
                    ),
                ),
                link=reverse("employment:my_training"),
            )
        return certificate


def certificates_fact(person, on: dt.date) -> int | None:
    """The points registry fact: community-education certificates held on `on` (None if none)."""
    count = selectors.certificates_count(person, on=on)
    return count or None
