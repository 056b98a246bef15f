"""School-place applications on the shared lifecycle, their materials and the ranked preferences.

A guardian applies for a child they are registered as guardian of (residents.Dependant), in a
round's application window. The case goes to education in the district of the guardian's
registration. Eligibility (schooling.eligibility) is checked when the application is
submitted, and the points, permit months and residence months are read then. Preferences
(up to the round's maximum, at most five) are entered in the preference window; each school's
priority category for the child is fixed when the list is saved.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal import uploads
from portal.accounts.models import User
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from portal.workflow import services as workflow
from portal.workflow.models import Case, Status
from residents import selectors as resident_selectors
from schooling import eligibility, selectors
from schooling.models import (
    EnrolmentApplication,
    EnrolmentRound,
    Material,
    MaterialKind,
    Preference,
    RoundSchool,
    Tenure,
    category_at,
)

KIND = "school_enrolment"
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
PREFERENCE_STATUSES = frozenset(
    {Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED, Status.APPROVED}
)
MAX_FILES_PER_APPLICATION = 20


def application_link(application: EnrolmentApplication) -> str:
    return reverse("schooling:application", args=[application.pk])


def issued_link(case: Case) -> tuple[str, str] | None:
    """What an approved application leads to: the family's page of it, where the schools are
    ranked and the result of the draw and the place offered appear."""
    if case.status != Status.APPROVED:
        return None
    application = EnrolmentApplication.objects.filter(case=case).only("pk").first()
    if application is None:
        return None
    return _("My child's schools and school place"), application_link(application)


def case_detail_url(case: Case) -> str:
    """Where the workbench sends a reviewer for an enrolment case."""
    return reverse("schooling:review", args=[case.pk])


def _check_tenure(tenure: str) -> None:
    if tenure not in Tenure.values:
        message = _("Please say how the family is housed.")
        raise InvalidInput(message, fields={"tenure": [message]})


def _home_of(guardian):
    registration = resident_selectors.current_registration(guardian)
    if registration is None:
        raise NotEligible(
            _(
                "Register your residence first: the application goes to your district's education bureau."
            ),
            code="not_registered",
            fields={"registration": [_("No current residence registration.")]},
        )
    return registration


# --- the family -------------------------------------------------------------------------------------


def create_application(
    *, actor: User, round_id: int, child_id: int, tenure: str
) -> EnrolmentApplication:
    """Start an application (a draft) for one of the actor's children in an open round.

    Refused outside the application window, for a child the actor is not guardian of, a child
    too young for the round, a child who already has an active application in the round, or
    a guardian without a current registration. Concurrency: the child's person row is locked,
    and a partial unique constraint keeps one active application per child and round.
    """
    _check_tenure(tenure)
    today = timezone.localdate()
    with transaction.atomic():
        enrolment_round = selectors.rounds_visible_to(actor).filter(pk=round_id).first()
        if enrolment_round is None:
            raise NotFound()
        if not enrolment_round.application_window_open(today):
            raise NotEligible(
                _("Applications to this round are accepted from %(start)s to %(end)s.")
                % {
                    "start": date_format(enrolment_round.application_opens),
                    "end": date_format(enrolment_round.application_closes),
                },
                code="window_closed",
            )
        guardian = resident_selectors.person_of(actor)
        link = (
            resident_selectors.dependants_of(actor)
            .filter(dependant_id=child_id)
            .select_for_update(of=("dependant",))
            .first()
            if guardian is not None
            else None
        )
        if link is None:
            raise NotFound()
        child = link.dependant
        problem = eligibility.age_problem(enrolment_round, child)
        if problem:
            raise NotEligible(problem, code="age", fields={"child": [problem]})
        if selectors.active_application_of(enrolment_round, child.pk) is not None:
            message = _("%(name)s already has an application in this round.") % {"name": child.name}
            raise NotEligible(message, code="duplicate", fields={"child": [message]})
        registration = _home_of(guardian)
        case = workflow.create_case(
            kind=KIND,
            applicant=actor,
            district=registration.address.grid.district,
            subject=child.name,
            actor=actor,
        )
        return EnrolmentApplication.objects.create(
            case=case,
            round=enrolment_round,
            child=child,
            guardian=guardian,
            home_community=registration.address.grid.parent,
            tenure=tenure,
        )


def _lock_own(actor: User, application_id: int) -> EnrolmentApplication:
    application = (
        selectors.applications_of(actor)
        .select_for_update(of=("self",), no_key=True)
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound()
    return application


def _refresh_categories(application: EnrolmentApplication) -> None:
    preferences = list(application.preferences.select_related("school"))
    if not preferences:
        return
    categories = list(application.round.categories.all())
    catchments = selectors.catchment_ids([p.school for p in preferences])
    for pref in preferences:
        pref.category = category_at(
            categories,
            tenure=application.tenure,
            in_catchment=application.home_community_id in catchments[pref.school_id],
        )
    Preference.objects.bulk_update(preferences, ["category"])


def update_application(*, actor: User, application_id: int, tenure: str) -> EnrolmentApplication:
    """Change the declared housing while the application is a draft or returned; categories follow."""
    _check_tenure(tenure)
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        if application.case.status not in EDITABLE:
            raise TransitionNotAllowed(_("This application can no longer be changed."))
        application.tenure = tenure
        application.save(update_fields=["tenure"])
        _refresh_categories(application)
        return application


def add_material(*, actor: User, application_id: int, kind: str, upload: UploadedFile) -> Material:
    """Attach a file (vaccination certificate, household or housing proof) to a draft or returned application.

    The file is checked and stored by portal.uploads (type by content, name ending, size) under
    `schooling/<application>/` with a random name, and removed again if the row cannot be written.
    """
    if kind not in MaterialKind.values:
        message = _("Please choose what the file is.")
        raise InvalidInput(message, fields={"kind": [message]})
    content_type = uploads.check_upload(upload)
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        if application.case.status not in EDITABLE:
            raise TransitionNotAllowed(
                _("Materials can only be added before submitting or after a return.")
            )
        if application.materials.count() >= MAX_FILES_PER_APPLICATION:
            message = _("At most %(count)s files per application.") % {
                "count": MAX_FILES_PER_APPLICATION
            }
            raise InvalidInput(message, code="too_many_files", fields={"file": [message]})
        with uploads.stored_upload(
            upload,
            folder=f"schooling/{application.pk}",
            content_type=content_type,
            uploaded_by=actor,
        ) as stored:
            return Material.objects.create(application=application, kind=kind, **stored)


def remove_material(*, actor: User, material_id: int) -> None:
    """Remove a file from the actor's own application while it can still be changed."""
    with transaction.atomic():
        material = (
            selectors.materials_visible_to(actor)
            .filter(application__case__applicant=actor, pk=material_id)
            .select_for_update(of=("self",))
            .first()
        )
        if material is None:
            raise NotFound()
        if material.application.case.status not in EDITABLE:
            raise TransitionNotAllowed(
                _("Materials can only be removed before submitting or after a return.")
            )
        material.delete()
        uploads.delete_after_commit(material.path)


def submit_application(*, actor: User, application_id: int) -> EnrolmentApplication:
    """Submit (or resubmit after a return); the kind's on_submit hook checks eligibility."""
    application = selectors.applications_of(actor).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    workflow.submit_case(case_id=application.case_id, actor=actor)
    return selectors.applications_of(actor).get(pk=application_id)


def withdraw_application(
    *, actor: User, application_id: int, reason: str = ""
) -> EnrolmentApplication:
    """Withdraw an application nobody has taken up yet; the child may then apply again."""
    application = selectors.applications_of(actor).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    workflow.withdraw_case(case_id=application.case_id, actor=actor, reason=reason)
    return selectors.applications_of(actor).get(pk=application_id)


def save_preferences(
    *, actor: User, application_id: int, school_ids: list[int]
) -> list[Preference]:
    """Replace the child's ranked schools (most wanted first) during the preference window.

    Up to the round's maximum (at most five), no school twice, only schools of the round's
    stage taking part in it. Each preference records the child's priority category at that
    school, from the declared housing and whether the home community is in its catchment.
    """
    school_ids = [int(s) for s in school_ids]
    today = timezone.localdate()
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        enrolment_round = application.round
        if not application.active or application.case.status not in PREFERENCE_STATUSES:
            raise TransitionNotAllowed(
                _("Preferences can no longer be changed for this application.")
            )
        if not enrolment_round.preference_window_open(today):
            raise NotEligible(
                _("Preferences can be entered from %(start)s to %(end)s.")
                % {
                    "start": date_format(enrolment_round.preference_opens),
                    "end": date_format(enrolment_round.preference_closes),
                },
                code="window_closed",
            )
        problems = []
        if not school_ids:
            problems.append(_("Please choose at least one school."))
        if len(school_ids) > enrolment_round.max_preferences:
            problems.append(
                _("At most %(count)s schools.") % {"count": enrolment_round.max_preferences}
            )
        if len(set(school_ids)) != len(school_ids):
            problems.append(_("Each school may be listed once."))
        places = {
            p.school_id: p
            for p in RoundSchool.objects.filter(
                round=enrolment_round, school_id__in=school_ids
            ).select_related("school")
        }
        if any(s not in places for s in school_ids):
            problems.append(_("Only schools taking part in this round can be chosen."))
        if problems:
            raise InvalidInput(
                problems[0], code="invalid_preferences", fields={"schools": problems}
            )
        categories = list(enrolment_round.categories.all())
        catchments = selectors.catchment_ids([places[s].school for s in school_ids])
        application.preferences.all().delete()
        return Preference.objects.bulk_create(
            Preference(
                application=application,
                rank=rank,
                school_id=school_id,
                category=category_at(
                    categories,
                    tenure=application.tenure,
                    in_catchment=application.home_community_id in catchments[school_id],
                ),
            )
            for rank, school_id in enumerate(school_ids, start=1)
        )


# --- the reviewer ------------------------------------------------------------------------------------


def _reviewable(actor: User, application_id: int) -> EnrolmentApplication:
    application = selectors.applications_reviewable_by(actor).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    return application


def accept_application(*, actor: User, application_id: int) -> EnrolmentApplication:
    """An education reviewer of the case's district takes the application up (受理)."""
    application = _reviewable(actor, application_id)
    workflow.start_review(case_id=application.case_id, actor=actor)
    return _reviewable(actor, application_id)


def approve_application(
    *, actor: User, application_id: int, reason: str = ""
) -> EnrolmentApplication:
    """Approve: the child takes part in the round's draw with the points read at submission."""
    application = _reviewable(actor, application_id)
    workflow.approve_case(case_id=application.case_id, actor=actor, reason=reason)
    return _reviewable(actor, application_id)


def reject_application(*, actor: User, application_id: int, reason: str) -> EnrolmentApplication:
    """Reject, with a reason the family reads."""
    application = _reviewable(actor, application_id)
    workflow.reject_case(case_id=application.case_id, actor=actor, reason=reason)
    return _reviewable(actor, application_id)


def return_application(*, actor: User, application_id: int, reason: str) -> EnrolmentApplication:
    """Return for more material; the reason lists everything missing at once (一次性告知)."""
    application = _reviewable(actor, application_id)
    workflow.return_case(case_id=application.case_id, actor=actor, reason=reason)
    return _reviewable(actor, application_id)


# --- hooks of the "school_enrolment" kind (inside the transition's transaction) ---------------------


def _application_of(case: Case) -> EnrolmentApplication:
    return EnrolmentApplication.objects.select_related("round", "child", "guardian", "case").get(
        case=case
    )


def on_submit(*, case: Case, actor: User) -> None:
    """Refuse a submission that is not eligible or not complete, listing every problem at once;
    otherwise read the guardian's points, permit months and residence months as of today."""
    application = _application_of(case)
    today = timezone.localdate()
    problems = eligibility.submission_problems(application, on=today)
    if problems:
        raise NotEligible(
            _("The application cannot be submitted yet: please see the items listed."),
            code="incomplete",
            fields=problems,
        )
    guardian = application.guardian
    points, subs = eligibility.school_points_of(
        guardian, on=today, rule_set=application.round.points_rule_set
    )
    application.points = points
    application.sub_scores = {name: str(value) for name, value in subs.items()}
    application.permit_months = eligibility.permit_months_of(guardian, on=today)
    application.residence_months = resident_selectors.continuous_residence_months(
        guardian, on=today
    )
    registration = resident_selectors.current_registration(guardian)
    application.home_community = registration.address.grid.parent
    application.save(
        update_fields=[
            "points",
            "sub_scores",
            "permit_months",
            "residence_months",
            "home_community",
        ]
    )
    _refresh_categories(application)

    def message() -> tuple[str, str]:
        fresh = Case.objects.get(pk=case.pk)
        return (
            _("Application received: %(reference)s") % {"reference": fresh.reference},
            _("The education bureau will decide by %(date)s. You can follow the progress online.")
            % {"date": date_format(fresh.due_date) if fresh.due_date else ""},
        )

    notify_after_commit(case.applicant, message, link=application_link(application))


def on_start_review(*, case: Case, actor: User) -> None:
    application = _application_of(case)
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Application accepted: %(reference)s") % {"reference": case.reference},
            _("The education bureau has accepted the school place application for %(name)s.")
            % {"name": application.child.name},
        ),
        link=application_link(application),
    )


def on_approve(*, case: Case, actor: User) -> None:
    application = _application_of(case)
    enrolment_round: EnrolmentRound = application.round
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Application approved: %(reference)s") % {"reference": case.reference},
            _("%(name)s takes part in %(round)s. Rank your schools from %(start)s to %(end)s.")
            % {
                "name": application.child.name,
                "round": enrolment_round.name,
                "start": date_format(enrolment_round.preference_opens),
                "end": date_format(enrolment_round.preference_closes),
            },
        ),
        link=application_link(application),
    )


def on_reject(*, case: Case, actor: User) -> None:
    application = _application_of(case)
    application.active = False
    application.save(update_fields=["active"])
    reason = case.last_reason
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Application not approved: %(reference)s") % {"reference": case.reference},
            _("Reason: %(reason)s") % {"reason": reason},
        ),
        link=application_link(application),
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
        link=application_link(application),
    )


def on_withdraw(*, case: Case, actor: User) -> None:
    application = _application_of(case)
    application.active = False
    application.save(update_fields=["active"])
