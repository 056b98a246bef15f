"""The employment pages: employers (enterprise, workers, lists, dormitories, postings,
applicants), human-resources review pages and course management, residents' job search,
profile, wishes and the training plan. They call the same services and selectors as the
API; a refusal is shown next to the form that caused it. Outside scope is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from employment import forms, selectors, services
from employment.models import Employment, TrainingTopic
from employment.services import uploads as upload_services
from portal.errors import ApplicationError, NotAllowed
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import Status
from residents import selectors as resident_selectors

PAGE_SIZE = 25


def _apply_error(form: Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: each field's messages on the field, the rest on top."""
    placed = False
    for field, errors in exc.fields.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _require_employer(request: HttpRequest) -> None:
    if not selectors.is_employer(request.user):
        raise NotAllowed(_("This page is for employers."))


def _require_hr(request: HttpRequest) -> None:
    if not selectors.is_hr_staff(request.user):
        raise NotAllowed(_("This page is for human-resources staff."))


# --- employers ---------------------------------------------------------------------------------------


@login_required
@require_GET
def employers(request: HttpRequest) -> HttpResponse:
    """The enterprises the employer account registered, with their verification status."""
    _require_employer(request)
    return render(
        request, "employment/employers.html", {"employers": selectors.employers_of(request.user)}
    )


@login_required
def employer_new(request: HttpRequest) -> HttpResponse:
    _require_employer(request)
    form = forms.EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        district = values.pop("district")
        try:
            employer = services.register_employer(
                actor=request.user, district_id=district.pk, **values
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Sent to human resources for verification: %(reference)s")
                % {"reference": employer.case.reference},
            )
            return redirect("employment:employer", pk=employer.pk)
    return render(request, "employment/employer_form.html", {"form": form})


@login_required
def employer(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the account's enterprises: status, workers, declaring one, dormitories, postings."""
    employer = get_object_or_404(selectors.employers_of(request.user), pk=pk)
    dormitories = list(employer.dormitories.filter(is_active=True).select_related("address"))
    worker_form = forms.WorkerForm(
        request.POST if request.POST.get("action") == "declare" else None,
        dormitories=dormitories,
        initial={"start_date": timezone.localdate()},
    )
    dormitory_form = forms.DormitoryForm(
        request.POST if request.POST.get("action") == "dormitory" else None
    )
    action = request.POST.get("action")
    if request.method == "POST" and action in ("resubmit", "withdraw"):
        step = services.resubmit_employer if action == "resubmit" else services.withdraw_employer
        try:
            step(actor=request.user, employer_id=employer.pk)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("employment:employer", pk=employer.pk)
    if request.method == "POST" and action == "declare" and worker_form.is_valid():
        values = dict(worker_form.cleaned_data)
        try:
            employment = services.declare_worker_start(
                actor=request.user,
                employer_id=employer.pk,
                dormitory_id=values.pop("dormitory"),
                **values,
            )
        except ApplicationError as exc:
            _apply_error(worker_form, exc)
        else:
            messages.success(request, _("%(name)s is declared.") % {"name": employment.person.name})
            return redirect("employment:employer", pk=employer.pk)
    if request.method == "POST" and action == "dormitory" and dormitory_form.is_valid():
        matches = resident_selectors.addresses_matching(
            dormitory_form.cleaned_data["address"], limit=2
        )
        if len(matches) != 1:
            dormitory_form.add_error(
                "address",
                _("No standard address matches.")
                if not matches
                else _("Several addresses match: please type the address more fully."),
            )
        else:
            try:
                services.add_dormitory(
                    actor=request.user,
                    employer_id=employer.pk,
                    address_id=matches[0].pk,
                    capacity=dormitory_form.cleaned_data["capacity"],
                )
            except ApplicationError as exc:
                _apply_error(dormitory_form, exc)
            else:
                messages.success(request, _("Dormitory added."))
                return redirect("employment:employer", pk=employer.pk)
    occupancy = selectors.occupancy_of(dormitories)
    return render(
        request,
        "employment/employer.html",
        {
            "employer": employer,
            "case": employer.case,
            "verified": employer.is_active and employer.case.status == Status.APPROVED,
            "workers": _page(request, selectors.workers_of_employer(employer)),
            "worker_form": worker_form,
            "dormitory_form": dormitory_form,
            "dormitories": [(d, occupancy[d.pk]) for d in dormitories],
            "postings": employer.postings.select_related("case", "district")[:50],
            "uploads": employer.uploads.all()[:10],
            "timeline": workflow_selectors.case_timeline(employer.case),
        },
    )


@login_required
def worker_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a list of worker starts or ends; the next page shows the report."""
    employer = get_object_or_404(selectors.employers_of(request.user), pk=pk)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > upload_services.MAX_BYTES:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            try:
                result = services.upload_worker_list(
                    actor=request.user,
                    employer_id=employer.pk,
                    action=form.cleaned_data["action"],
                    filename=upload.name,
                    content=upload.read(),
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                return redirect("employment:upload", pk=result.pk)
    return render(request, "employment/upload_form.html", {"employer": employer, "form": form})


@login_required
@require_GET
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of one uploaded list: accepted rows, and every problem by row and field."""
    upload = get_object_or_404(selectors.uploads_of(request.user), pk=pk)
    labels = upload_services.FIELD_LABELS
    problems = [{**p, "label": labels.get(p.get("field", ""), labels[""])} for p in upload.problems]
    return render(request, "employment/upload.html", {"upload": upload, "problems": problems})


@login_required
def worker_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Declare that a worker left (人走注销)."""
    employment: Employment = get_object_or_404(selectors.employments_of(request.user), pk=pk)
    form = forms.WorkerEndForm(request.POST or None, initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_worker_end(
                actor=request.user, employment_id=employment.pk, **form.cleaned_data
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The departure is declared."))
            return redirect("employment:employer", pk=employment.employer_id)
    return render(request, "employment/worker_end.html", {"employment": employment, "form": form})


@login_required
def posting_new(request: HttpRequest, pk: int) -> HttpResponse:
    employer = get_object_or_404(selectors.employers_of(request.user), pk=pk)
    form = forms.PostingForm(request.POST or None, initial={"district": employer.district_id})
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        district = values.pop("district")
        try:
            services.create_posting(
                actor=request.user, employer_id=employer.pk, district_id=district.pk, **values
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Sent to human resources for approval."))
            return redirect("employment:employer", pk=employer.pk)
    return render(request, "employment/posting_form.html", {"employer": employer, "form": form})


@login_required
def posting_applicants(request: HttpRequest, pk: int) -> HttpResponse:
    """The employer's own posting and its applicants (ID numbers masked)."""
    posting = get_object_or_404(selectors.postings_of(request.user), pk=pk)
    if request.method == "POST" and request.POST.get("action") == "close":
        services.close_posting(actor=request.user, posting_id=posting.pk)
        messages.success(request, _("The posting is closed."))
        return redirect("employment:posting_applicants", pk=posting.pk)
    return render(
        request,
        "employment/applicants.html",
        {
            "posting": posting,
            "applications": _page(request, selectors.applicants_of(request.user, posting)),
        },
    )


# --- human resources ---------------------------------------------------------------------------------


def _decide(request: HttpRequest, *, approve, reject, ret) -> str | None:
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    try:
        if action == "approve":
            approve(actor=request.user, reason=reason)
        elif action == "reject":
            reject(actor=request.user, reason=reason)
        elif action == "return" and ret is not None:
            ret(actor=request.user, reason=reason)
        else:
            return _("Choose a decision.")
    except ApplicationError as exc:
        return str(exc.message)
    return None


@login_required
def review_employer(request: HttpRequest, case_id: int) -> HttpResponse:
    employer = get_object_or_404(selectors.employers_reviewable_by(request.user), case_id=case_id)
    error = None
    if request.method == "POST":
        error = _decide(
            request,
            approve=lambda **kw: services.approve_employer(employer_id=employer.pk, **kw),
            reject=lambda **kw: services.reject_employer(employer_id=employer.pk, **kw),
            ret=lambda **kw: services.return_employer(employer_id=employer.pk, **kw),
        )
        if error is None:
            messages.success(request, _("Decision recorded."))
            return redirect("employment:review_employer", case_id=case_id)
    employer.case.refresh_from_db()
    return render(
        request,
        "employment/review_employer.html",
        {
            "employer": employer,
            "case": employer.case,
            "error": error,
            "timeline": workflow_selectors.case_timeline(employer.case),
        },
    )


@login_required
def review_posting(request: HttpRequest, case_id: int) -> HttpResponse:
    posting = get_object_or_404(selectors.postings_reviewable_by(request.user), case_id=case_id)
    error = None
    push_form = forms.PushForm(request.POST if request.POST.get("action") == "push" else None)
    if request.method == "POST" and request.POST.get("action") == "push":
        if push_form.is_valid():
            target = _push_target(posting, push_form.cleaned_data)
            if not target:
                push_form.add_error(None, _("Choose at least one group of residents."))
            else:
                try:
                    services.push_posting(actor=request.user, posting_id=posting.pk, target=target)
                except ApplicationError as exc:
                    error = str(exc.message)
                else:
                    messages.success(request, _("The posting is pushed to the residents chosen."))
                    return redirect("employment:review_posting", case_id=case_id)
    elif request.method == "POST":
        error = _decide(
            request,
            approve=lambda **kw: services.approve_posting(posting_id=posting.pk, **kw),
            reject=lambda **kw: services.reject_posting(posting_id=posting.pk, **kw),
            ret=None,
        )
        if error is None:
            messages.success(request, _("Decision recorded."))
            return redirect("employment:review_posting", case_id=case_id)
    posting.case.refresh_from_db()
    posting.refresh_from_db(fields=["policy"])
    return render(
        request,
        "employment/review_posting.html",
        {
            "posting": posting,
            "case": posting.case,
            "pushable": posting.case.status == Status.APPROVED
            and posting.closed_at is None
            and posting.policy_id is None,
            "push_form": push_form,
            "error": error,
            "timeline": workflow_selectors.case_timeline(posting.case),
        },
    )


def _push_target(posting, chosen: dict) -> list[dict]:
    target = []
    if chosen.get("same_trade"):
        target.append({"criterion": "employment.trade", "params": {"values": [posting.trade]}})
    if chosen.get("seeking"):
        target.append({"criterion": "employment.status", "params": {"values": ["seeking"]}})
    if chosen.get("in_district"):
        target.append(
            {"criterion": "residents.district", "params": {"districts": [posting.district_id]}}
        )
    return target


@login_required
@require_GET
def wish_counts(request: HttpRequest) -> HttpResponse:
    """Training wishes counted by topic and district, for planning the courses."""
    _require_hr(request)
    labels = dict(TrainingTopic.choices)
    rows = [
        {**row, "topic_label": labels.get(row["topic"], row["topic"])}
        for row in selectors.wish_counts()
    ]
    return render(request, "employment/wish_counts.html", {"rows": rows})


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    _require_hr(request)
    form = forms.CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        district = values.pop("district")
        try:
            course = services.publish_course(
                actor=request.user, district_id=district.pk if district else None, **values
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The course is in the plan."))
            return redirect(f"{_plan_url()}?year={course.year}")
    return render(request, "employment/course_form.html", {"form": form})


def _plan_url() -> str:
    return reverse("employment:plan")


@login_required
def course_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record attendance and complete enrolments (which issues certificates)."""
    _require_hr(request)
    course = get_object_or_404(selectors.courses_managed_by(request.user), pk=pk)
    enrolments = list(selectors.enrolments_of_course(course).select_related("certificate"))
    form = forms.AttendanceForm(
        request.POST if request.POST.get("action") == "attendance" else None,
        enrolments=[e for e in enrolments if e.status == "enrolled"],
        initial={"session_date": timezone.localdate()},
    )
    action = request.POST.get("action")
    if request.method == "POST" and action == "attendance" and form.is_valid():
        try:
            count = services.record_attendance(
                actor=request.user,
                course_id=course.pk,
                session_date=form.cleaned_data["session_date"],
                enrolment_ids=form.cleaned_data["enrolments"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("%(count)s attendances recorded.") % {"count": count})
            return redirect("employment:course_manage", pk=course.pk)
    if request.method == "POST" and action == "complete":
        try:
            certificate = services.complete_enrolment(
                actor=request.user, enrolment_id=int(request.POST.get("enrolment", 0))
            )
        except (ApplicationError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        else:
            messages.success(
                request, _("Certificate %(number)s issued.") % {"number": certificate.number}
            )
        return redirect("employment:course_manage", pk=course.pk)
    return render(
        request,
        "employment/course_manage.html",
        {"course": course, "enrolments": enrolments, "form": form},
    )


# --- residents ---------------------------------------------------------------------------------------


@login_required
@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    """Search the approved job postings by district, trade, pay and skills."""
    form = forms.JobSearchForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "district_id": data["district"].pk if data.get("district") else None,
            "trade": data.get("trade") or "",
            "pay_at_least": data.get("pay"),
            "skills": services.postings.clean_skills(data.get("skills") or ""),
        }
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "employment/jobs.html",
        {
            "form": form,
            "postings": _page(request, selectors.search_postings(**filters)),
            "query": query.urlencode(),
            "profile": selectors.profile_of(request.user),
            "applications": selectors.applications_of(request.user)[:20],
        },
    )


@login_required
def posting(request: HttpRequest, pk: int) -> HttpResponse:
    posting = get_object_or_404(selectors.open_postings(), pk=pk)
    if request.method == "POST":
        try:
            services.apply_for_job(actor=request.user, posting_id=posting.pk)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("You applied. The employer will contact you."))
        return redirect("employment:posting", pk=posting.pk)
    applied = selectors.applications_of(request.user).filter(posting=posting).exists()
    return render(request, "employment/posting.html", {"posting": posting, "applied": applied})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    current = selectors.profile_of(request.user)
    initial = {}
    if current is not None:
        initial = {
            "education": current.education,
            "skill_level": current.skill_level,
            "employment_status": current.employment_status,
            "trade": current.trade,
            "skills": ", ".join(current.skills),
            "summary": current.summary,
        }
    form = forms.ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("employment:jobs")
    return render(request, "employment/profile.html", {"form": form})


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    """The year's training plan (年度培训计划): every course, seats left, enrolling."""
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if request.method == "POST":
        try:
            services.enrol(actor=request.user, course_id=int(request.POST.get("course", 0)))
        except (ApplicationError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        else:
            messages.success(request, _("You are enrolled."))
        return redirect(f"{_plan_url()}?year={year}")
    enrolled = set(
        selectors.enrolments_of(request.user)
        .exclude(status="cancelled")
        .values_list("course_id", flat=True)
    )
    return render(
        request,
        "employment/plan.html",
        {
            "year": year,
            "courses": _page(request, selectors.courses_of_year(year), size=50),
            "enrolled": enrolled,
            "staff": selectors.is_hr_staff(request.user),
        },
    )


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    """The resident's wish list (心愿清单), enrolments and certificates."""
    form = forms.WishForm(request.POST if request.POST.get("action") == "wish" else None)
    if request.method == "POST" and request.POST.get("action") == "wish" and form.is_valid():
        try:
            services.add_wish(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Added to your wish list."))
            return redirect("employment:my_training")
    return render(
        request,
        "employment/my_training.html",
        {
            "form": form,
            "wishes": selectors.wishes_of(request.user),
            "enrolments": selectors.enrolments_of(request.user),
        },
    )


@login_required
@require_POST
def wish_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.remove_wish(actor=request.user, wish_id=pk)
    return redirect("employment:my_training")


@login_required
@require_POST
def enrolment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.cancel_enrolment(actor=request.user, enrolment_id=pk)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("employment:my_training")
