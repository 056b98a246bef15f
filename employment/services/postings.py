"""Job postings (招聘信息): verified employers post, human resources approve, residents apply.

A posting is a workflow case of kind "job_posting" reviewed by the human-resources department
of the posting's district; residents see it once approved and until it is closed. A resident
applies with their jobseeker profile (copied into the application as it was). Human
resources may push an approved posting to the residents a target selects, as a policy notice
(portal.notices: the same set-based push as any policy).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from employment import selectors
from employment.models import (
    Education,
    EmploymentStatus,
    JobApplication,
    JobPosting,
    JobseekerProfile,
    SkillLevel,
    Trade,
)
from employment.services import workers
from portal.accounts.models import User
from portal.areas.models import Area, Level
from portal.errors import InvalidInput, NotAllowed, NotEligible, NotFound, TransitionNotAllowed
from portal.notices import services as notice_services
from portal.notices.services import notify_after_commit
from portal.workflow import services as workflow
from portal.workflow.models import Case, Status
from residents import selectors as resident_selectors

KIND = "job_posting"
MAX_PAY = 1_000_000
MAX_SKILLS = 10


def case_detail_url(case: Case) -> str:
    return reverse("employment:review_posting", args=[case.pk])


def issued_link(case: Case) -> tuple[str, str] | None:
    """What an approved posting leads to: the employer's page of it, with its applicants."""
    if case.status != Status.APPROVED:
        return None
    posting = JobPosting.objects.filter(case=case).only("pk").first()
    if posting is None:
        return None
    return _("My job posting and its applicants"), reverse(
        "employment:posting_applicants", args=[posting.pk]
    )


def clean_skills(raw: Any) -> list[str]:
    """Skills as a list of short words: a list, or text separated by commas or spaces."""
    if isinstance(raw, str):
        raw = raw.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
    skills: list[str] = []
    for item in raw or []:
        word = str(item).strip()[:30]
        if word and word not in skills:
            skills.append(word)
    return skills[:MAX_SKILLS]


def _number(
    value: object, field: str, errors: dict[str, list[str]], *, least: int, most: int
) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = -1
    if not least <= number <= most:
        errors[field] = [
            _("Please enter a whole number from %(least)s to %(most)s.")
            % {"least": least, "most": most}
        ]
    return number


def create_posting(
    *,
    actor: User,
    employer_id: int,
    title: str,
    trade: str,
    district_id: int,
    pay_min: object,
    pay_max: object,
    description: str,
    skills: Any = (),
    openings: object = 1,
) -> JobPosting:
    """A verified employer posts a job and sends it to human resources for approval."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        errors["title"] = [_("Please enter the job title.")]
    elif len(title) > 100:
        errors["title"] = [_("At most 100 characters.")]
    if trade not in Trade.values:
        errors["trade"] = [_("Please choose a trade from the list.")]
    district = Area.objects.filter(pk=district_id, level=Level.DISTRICT).first()
    if district is None:
        errors["district"] = [_("Please choose a district from the list.")]
    low = _number(pay_min, "pay_min", errors, least=0, most=MAX_PAY)
    high = _number(pay_max, "pay_max", errors, least=0, most=MAX_PAY)
    if "pay_min" not in errors and "pay_max" not in errors and high < low:
        errors["pay_max"] = [_("The highest pay cannot be below the lowest.")]
    seats = _number(openings, "openings", errors, least=1, most=1000)
    if not description:
        errors["description"] = [_("Please describe the job: duties, hours, conditions.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        employer = workers.lock_verified_employer(actor, employer_id)
        case = workflow.create_case(
            kind=KIND, applicant=actor, district=district, subject=title, actor=actor
        )
        posting = JobPosting.objects.create(
            case=case,
            employer=employer,
            title=title,
            trade=trade,
            district=district,
            pay_min=low,
            pay_max=high,
            skills=clean_skills(skills),
            openings=seats,
            description=description,
        )
        workflow.submit_case(case_id=case.pk, actor=actor)
        return JobPosting.objects.select_related("case", "employer", "district").get(pk=posting.pk)


def _own(actor: User, posting_id: int) -> JobPosting:
    posting = selectors.postings_of(actor).filter(pk=posting_id).first()
    if posting is None:
        raise NotFound()
    return posting


def close_posting(*, actor: User, posting_id: int) -> JobPosting:
    """The employer takes a posting off the list (or withdraws one not yet approved)."""
    with transaction.atomic():
        posting = _own(actor, posting_id)
        posting = JobPosting.objects.select_for_update().get(pk=posting.pk)
        if posting.case.is_open:
            workflow.withdraw_case(case_id=posting.case_id, actor=actor)
        if posting.closed_at is None:
            posting.closed_at = timezone.now()
            posting.save(update_fields=["closed_at"])
        return posting


def _reviewed(actor: User, posting_id: int) -> JobPosting:
    posting = selectors.postings_reviewable_by(actor).filter(pk=posting_id).first()
    if posting is None:
        raise NotFound()
    return posting


def approve_posting(*, actor: User, posting_id: int, reason: str = "") -> JobPosting:
    posting = _reviewed(actor, posting_id)
    workflow.approve_case(case_id=posting.case_id, actor=actor, reason=reason)
    return JobPosting.objects.select_related("case").get(pk=posting.pk)


def reject_posting(*, actor: User, posting_id: int, reason: str) -> JobPosting:
    posting = _reviewed(actor, posting_id)
    workflow.reject_case(case_id=posting.case_id, actor=actor, reason=reason)
    return JobPosting.objects.select_related("case").get(pk=posting.pk)


def on_decided(*, case: Case, actor: User) -> None:
    """Tell the employer what human resources decided about the posting."""
    posting = JobPosting.objects.select_related("employer__account").get(case=case)
    status = case.status
    link = reverse("employment:posting_applicants", args=[posting.pk])

    def message() -> tuple[str, str]:
        if status == Status.APPROVED:
            return (
                _("Job posting approved: %(title)s") % {"title": posting.title},
                _("Residents can now find it and apply."),
            )
        return (
            _("Job posting not approved: %(title)s") % {"title": posting.title},
            case.last_reason,
        )

    notify_after_commit(posting.employer.account, message, link=link)


def push_posting(
    *, actor: User, posting_id: int, target: Any, ends_on: dt.date | None = None
) -> JobPosting:
    """Human resources push an approved, open posting to the residents `target` selects, as a
    published policy notice (精准推送) linking to the posting. A posting is pushed once."""
    with transaction.atomic():
        posting = _reviewed(actor, posting_id)
        posting = (
            JobPosting.objects.select_for_update(of=("self",))
            .select_related("case", "employer")
            .get(pk=posting.pk)
        )
        if posting.case.status != Status.APPROVED or posting.closed_at is not None:
            raise NotEligible(
                _("Only an approved posting that is still open can be pushed."),
                code="posting_not_open",
            )
        if posting.policy_id is not None:
            raise TransitionNotAllowed(_("This posting has already been pushed."))
        body = _(
            "%(employer)s is hiring: %(title)s, %(low)s-%(high)s yuan a month. "
            "Open the posting to apply with your profile."
        ) % {
            "employer": posting.employer.name,
            "title": posting.title,
            "low": posting.pay_min,
            "high": posting.pay_max,
        }
        policy = notice_services.create_policy(
            actor=actor,
            data=notice_services.PolicyInput(
                title=_("Job: %(title)s") % {"title": posting.title},
                body=body,
                starts_on=timezone.localdate(),
                ends_on=ends_on,
                target=target,
                link=reverse("employment:posting", args=[posting.pk]),
            ),
        )
        posting.policy = notice_services.publish_policy(actor=actor, policy_id=policy.pk)
        posting.save(update_fields=["policy"])
        return posting


# --- residents: profile and applications --------------------------------------------------------


def _person(actor: User):
    person = resident_selectors.person_of(actor)
    if person is None:
        raise NotEligible(
            _("Please fill in your personal details first (your resident record)."),
            code="no_person",
        )
    return person


def save_profile(
    *,
    actor: User,
    education: str,
    skill_level: str,
    employment_status: str,
    trade: str,
    skills: Any = (),
    summary: str = "",
) -> JobseekerProfile:
    """The resident's jobseeker profile: created or replaced."""
    errors: dict[str, list[str]] = {}
    if education not in Education.values:
        errors["education"] = [_("Please choose from the list.")]
    if skill_level not in SkillLevel.values:
        errors["skill_level"] = [_("Please choose from the list.")]
    if employment_status not in EmploymentStatus.values:
        errors["employment_status"] = [_("Please choose from the list.")]
    if trade not in Trade.values:
        errors["trade"] = [_("Please choose a trade from the list.")]
    summary = (summary or "").strip()
    if len(summary) > 1000:
        errors["summary"] = [_("At most 1000 characters.")]
    if errors:
        raise InvalidInput(fields=errors)
    person = _person(actor)
    with transaction.atomic():
        profile, _created = JobseekerProfile.objects.update_or_create(
            person=person,
            defaults={
                "education": education,
                "skill_level": skill_level,
                "employment_status": employment_status,
                "trade": trade,
                "skills": clean_skills(skills),
                "summary": summary,
                "updated_at": timezone.now(),
            },
        )
        return profile


def apply_for_job(*, actor: User, posting_id: int) -> JobApplication:
    """A resident applies for an open posting with their profile. Applying twice is refused."""
    person = _person(actor)
    with transaction.atomic():
        posting = selectors.open_postings().filter(pk=posting_id).first()
        if posting is None:
            raise NotFound()
        profile = JobseekerProfile.objects.filter(person=person).first()
        if profile is None:
            raise NotEligible(
                _("Please fill in your jobseeker profile before applying."), code="no_profile"
            )
        snapshot = {
            "education": profile.education,
            "skill_level": profile.skill_level,
            "employment_status": profile.employment_status,
            "trade": profile.trade,
            "skills": list(profile.skills),
            "summary": profile.summary,
        }
        try:
            with transaction.atomic():
                application = JobApplication.objects.create(
                    posting=posting, person=person, profile=snapshot, applied_at=timezone.now()
                )
        except IntegrityError:
            raise TransitionNotAllowed(
                _("You have already applied for this job."), code="already_applied"
            ) from None
        notify_after_commit(
            posting.employer.account,
            lambda: (
                _("New applicant: %(title)s") % {"title": posting.title},
                _("A resident applied for the job. Open the posting to see the applicants."),
            ),
            link=reverse("employment:posting_applicants", args=[posting.pk]),
        )
        return application


def require_hr_staff(actor: User) -> None:
    if not selectors.is_hr_staff(actor):
        raise NotAllowed(_("This is for human-resources staff."))
