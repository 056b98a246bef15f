"""Every read of the employment app for a user, scoped to that user (the one place for visibility).

- An employer account sees only its own employers, and through them only their workers,
  dormitories, postings, uploads and applicants (applicants with a masked ID number).
- Human-resources reviewers see employers and postings of their districts (through the
  workflow's reviewer scope), wish counts, and manage courses.
- Residents see approved open postings, their own profile, applications, wishes,
  enrolments and certificates; everyone signed in sees the published course plan.
Outside scope is a 404: views fetch with get_object_or_404 over these querysets.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from employment.models import (
    Course,
    Dormitory,
    Employer,
    Employment,
    Enrolment,
    EnrolmentStatus,
    JobApplication,
    JobPosting,
    JobseekerProfile,
    TrainingWish,
    WorkerUpload,
)
from portal.accounts import selectors as account_selectors
from portal.accounts.models import DepartmentCode, Role, User
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import Status
from residents import selectors as resident_selectors
from residents.models import Person, Registration

FIELD_SOURCE = "employment"


def employment_task_ref(employment_id: int) -> str:
    return f"employment:{employment_id}"


def overcrowding_task_ref(dormitory_id: int) -> str:
    return f"dormitory-overcrowded:{dormitory_id}"


def is_employer(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.EMPLOYER))


def is_hr_staff(user: User) -> bool:
    """A human-resources reviewer (人社): verifies employers and postings, runs the courses."""
    return account_selectors.is_reviewer_of(user, DepartmentCode.HUMAN_RESOURCES)


# --- employers ---------------------------------------------------------------------------------------


def employers_of(user: User) -> QuerySet[Employer]:
    """The employers the account registered (every status)."""
    if not is_employer(user):
        return Employer.objects.none()
    return Employer.objects.filter(account=user).select_related("case", "district")


def verified_employers_of(user: User) -> QuerySet[Employer]:
    return employers_of(user).filter(is_active=True, case__status=Status.APPROVED)


def employers_reviewable_by(user: User) -> QuerySet[Employer]:
    cases = workflow_selectors.cases_reviewable_by(user)
    return Employer.objects.filter(case__in=cases).select_related("case", "district", "account")


def employments_of(user: User) -> QuerySet[Employment]:
    """Every worker declaration of the account's employers."""
    return Employment.objects.filter(employer__in=employers_of(user)).select_related(
        "employer", "person", "dormitory__address"
    )


def workers_of_employer(employer: Employer) -> QuerySet[Employment]:
    return employer.employments.select_related("person", "dormitory__address").order_by(
        "end_date", "-start_date", "-id"
    )


def uploads_of(user: User) -> QuerySet[WorkerUpload]:
    return WorkerUpload.objects.filter(employer__in=employers_of(user)).select_related("employer")


def dormitories_of(user: User) -> QuerySet[Dormitory]:
    return Dormitory.objects.filter(employer__in=employers_of(user)).select_related(
        "employer", "address__grid"
    )


def occupancy(address_id: int) -> int:
    """People with a current residence registration at the address (the dormitory's occupancy)."""
    return Registration.objects.filter(address_id=address_id, end_date__isnull=True).count()


def occupancy_of(dormitories: list[Dormitory]) -> dict[int, int]:
    """Occupancy of several dormitories in one query: dormitory id -> people registered."""
    by_address = dict(
        Registration.objects.filter(
            address_id__in=[d.address_id for d in dormitories], end_date__isnull=True
        )
        .values("address_id")
        .annotate(n=Count("id"))
        .values_list("address_id", "n")
    )
    return {d.pk: by_address.get(d.address_id, 0) for d in dormitories}


def dormitories_to_check_for_overcrowding() -> QuerySet[Dormitory]:
    """Active dormitories over capacity now, or flagged (the flag may need clearing): one query."""
    occupants = (
        Registration.objects.filter(address_id=OuterRef("address_id"), end_date__isnull=True)
        .order_by()
        .values("address_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Dormitory.objects.filter(is_active=True)
        .annotate(occupants=Coalesce(Subquery(occupants), 0))
        .filter(Q(occupants__gt=F("capacity")) | Q(overcrowded_since__isnull=False))
    )


# --- postings ----------------------------------------------------------------------------------------


def postings_of(user: User) -> QuerySet[JobPosting]:
    return JobPosting.objects.filter(employer__in=employers_of(user)).select_related(
        "case", "employer", "district"
    )


def postings_reviewable_by(user: User) -> QuerySet[JobPosting]:
    cases = workflow_selectors.cases_reviewable_by(user)
    return JobPosting.objects.filter(case__in=cases).select_related("case", "employer", "district")


def open_postings() -> QuerySet[JobPosting]:
    """Approved postings of employers on the register, not closed: what residents search."""
    return JobPosting.objects.filter(
        case__status=Status.APPROVED, closed_at__isnull=True, employer__is_active=True
    ).select_related("employer", "district")


def search_postings(
    *,
    district_id: int | None = None,
    trade: str = "",
    pay_at_least: int | None = None,
    skills: list[str] | None = None,
) -> QuerySet[JobPosting]:
    found = open_postings()
    if district_id:
        found = found.filter(district_id=district_id)
    if trade:
        found = found.filter(trade=trade)
    if pay_at_least:
        found = found.filter(pay_max__gte=pay_at_least)
    if skills:
        found = found.filter(skills__overlap=skills)
    return found.order_by("-created_at", "-id")


def applicants_of(user: User, posting: JobPosting) -> QuerySet[JobApplication]:
    """Applicants of one of the account's postings (the person's ID number is shown masked)."""
    return (
        JobApplication.objects.filter(posting__in=postings_of(user), posting=posting)
        .select_related("person")
        .order_by("-applied_at", "-id")
    )


def applications_of(user: User) -> QuerySet[JobApplication]:
    person = resident_selectors.person_of(user)
    if person is None:
        return JobApplication.objects.none()
    return JobApplication.objects.filter(person=person).select_related(
        "posting__employer", "posting__district"
    )


def profile_of(user: User) -> JobseekerProfile | None:
    person = resident_selectors.person_of(user)
    if person is None:
        return None
    return JobseekerProfile.objects.filter(person=person).first()


# --- training ----------------------------------------------------------------------------------------


def wishes_of(user: User) -> QuerySet[TrainingWish]:
    person = resident_selectors.person_of(user)
    if person is None:
        return TrainingWish.objects.none()
    return TrainingWish.objects.filter(person=person).select_related("district")


def wish_counts() -> list[dict]:
    """Wishes by topic and district: [{"topic", "district__name", "n"}], most wished first."""
    return list(
        TrainingWish.objects.values("topic", "district_id", "district__name")
        .annotate(n=Count("id"))
        .order_by("-n", "topic", "district__name")
    )


def courses_of_year(year: int | None = None) -> QuerySet[Course]:
    """The year's training plan (年度培训计划)."""
    return Course.objects.filter(year=year or timezone.localdate().year).select_related("district")


def enrolments_of(user: User) -> QuerySet[Enrolment]:
    person = resident_selectors.person_of(user)
    if person is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(person=person).select_related("course", "certificate")


def enrolments_of_course(course: Course) -> QuerySet[Enrolment]:
    return (
        course.enrolments.exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("person")
        .annotate(attended=Count("attendance"))
        .order_by("enrolled_at", "id")
    )


def courses_managed_by(user: User) -> QuerySet[Course]:
    if not is_hr_staff(user):
        return Course.objects.none()
    return Course.objects.select_related("district")


def certificates_count(person: Person, *, on: dt.date) -> int:
    """Community-education certificates the person holds on `on` (the points registry fact)."""
    return person.course_certificates.filter(issued_on__lte=on).count()
