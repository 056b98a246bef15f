"""Survey pages.

Staff (a department's reviewers, administrators): their department's surveys; building a draft
(title, window, target with the live audience count of the notices pages, questions); publishing;
a new version of a published survey; results as charts with the free-text answers, and as an
Excel file. Residents: a survey sent to them, answered once. Every page asks the same services
and selectors; a survey outside the user's scope is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.errors import ApplicationError, InvalidInput
from portal.notices import criteria
from portal.notices.forms import TargetForm
from portal.surveys import exports, selectors, services
from portal.surveys.forms import QuestionForm, SurveyForm, answer_rows
from portal.surveys.models import Survey, SurveyStatus

# --- staff ---------------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if not selectors.can_build_surveys(request.user):
        raise Http404


def _is_admin(request: HttpRequest) -> bool:
    return request.user.is_superuser or request.user.has_role("administrator")


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    surveys = selectors.surveys_with_counts(request.user)
    return render(request, "surveys/manage.html", {"surveys": surveys})


def _place_errors(form: forms.Form, exc: ApplicationError, target_form=None) -> None:
    fields = dict(exc.fields)
    for name in list(fields):
        if name in form.fields:
            for message in fields.pop(name):
                form.add_error(name, message)
    rest = (
        target_form.place_errors(fields)
        if target_form is not None
        else [m for messages_ in fields.values() for m in messages_]
    )
    if rest or not exc.fields:
        for message in rest or [str(exc.message)]:
            form.add_error(None, message)


def _survey_form(request: HttpRequest, survey: Survey | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    today = timezone.localdate()
    initial = SurveyForm.initial_from(survey) if survey else {"opens_on": today, "closes_on": today}
    form = SurveyForm(data, initial=initial, choose_department=_is_admin(request))
    target_form = TargetForm(data, target=survey.target if survey else None)
    if request.method == "POST" and form.is_valid():
        try:
            if survey is None:
                saved = services.create_survey(
                    actor=request.user, data=form.to_input(target_form.raw_target())
                )
            else:
                saved = services.update_survey(
                    actor=request.user,
                    survey_id=survey.pk,
                    data=form.to_input(target_form.raw_target()),
                )
        except ApplicationError as exc:
            _place_errors(form, exc, target_form)
        else:
            messages.success(request, _("The draft is saved. Add the questions, then publish."))
            return redirect("surveys:detail", pk=saved.pk)
    return render(
        request,
        "surveys/form.html",
        {"form": form, "target_form": target_form, "survey": survey},
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return _survey_form(request, None)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(selectors.surveys_managed_by(request.user), pk=pk)
    if survey.status != SurveyStatus.DRAFT:
        messages.error(request, _("A published survey does not change: make a new version."))
        return redirect("surveys:detail", pk=pk)
    return _survey_form(request, survey)


def _detail(request: HttpRequest, survey: Survey, question_form: QuestionForm) -> HttpResponse:
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "questions": services.questions_of(survey),
            "conditions": criteria.describe_target(survey.target),
            "question_form": question_form,
            "answered": survey.responses.count(),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(selectors.surveys_managed_by(request.user), pk=pk)
    return _detail(request, survey, QuestionForm())


@login_required
@require_POST
def add_question(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(selectors.surveys_managed_by(request.user), pk=pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.add_question(actor=request.user, survey_id=pk, data=form.to_input())
        except ApplicationError as exc:
            _place_errors(form, exc)
        else:
            messages.success(request, _("The question is added."))
            return redirect("surveys:detail", pk=pk)
    return _detail(request, survey, form)


@login_required
@require_POST
def remove_question(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    get_object_or_404(selectors.surveys_managed_by(request.user), pk=pk)
    try:
        services.remove_question(actor=request.user, survey_id=pk, question_id=question_pk)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("surveys:detail", pk=pk)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(selectors.surveys_managed_by(request.user), pk=pk)
    try:
        services.publish_survey(actor=request.user, survey_id=pk)
    except ApplicationError as exc:
        problems = [m for messages_ in exc.fields.values() for m in messages_]
        messages.error(request, " ".join([str(exc.message), *map(str, problems)]))
    else:
        messages.success(request, _("Published. The residents it is for get a notice."))
    return redirect("surveys:detail", pk=pk)


@login_required
@require_POST
def version(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(selectors.surveys_managed_by(request.user), pk=pk)
    try:
        copy = services.new_version(actor=request.user, survey_id=pk)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("surveys:detail", pk=pk)
    messages.success(request, _("A new version to change. Publishing it replaces this one."))
    return redirect("surveys:detail", pk=copy.pk)


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(selectors.surveys_managed_by(request.user), pk=pk)
    found = selectors.results(survey)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "results": found,
            "charts": {
                "charts": found.charts,
                "labels": {
                    "save": _("Save as picture"),
                    "count": _("Count"),
                    "share": _("Share (%)"),
                },
            },
        },
    )


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(selectors.surveys_managed_by(request.user), pk=pk)
    response = HttpResponse(exports.workbook(selectors.results(survey)), content_type=exports.XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{survey.pk}-v{survey.version}.xlsx"'
    )
    return response


# --- residents -----------------------------------------------------------------------------------


@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey sent to the resident: the questions, or their receipt once answered."""
    survey = get_object_or_404(selectors.surveys_for_resident(request.user), pk=pk)
    questions = services.questions_of(survey)
    errors: dict[str, list[str]] = {}
    message = ""
    if request.method == "POST":
        try:
            services.submit_response(
                actor=request.user,
                survey_id=pk,
                answers={name: request.POST.getlist(name) for name in request.POST},
            )
        except InvalidInput as exc:
            errors = exc.fields
            message = str(exc.message)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("surveys:answer", pk=pk)
        else:
            messages.success(request, _("Thank you: your answers are recorded."))
            return redirect("surveys:answer", pk=pk)
    response = selectors.response_of(request.user, survey)
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "response": response,
            "is_open": survey.is_open_on(timezone.localdate()),
            "rows": answer_rows(questions, request.POST if errors else None, errors),
            "error_message": message,
        },
    )
