"""The staff workbench (one queue of every application kind) and the applicant's progress page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.models import Role
from portal.dashboard import exports
from portal.dashboard.selectors import Table
from portal.errors import ApplicationError, NotAllowed, NotFound, TransitionNotAllowed
from portal.workflow import selectors, services
from portal.workflow.filters import WorkbenchFilter
from portal.workflow.models import Case, Status
from portal.workflow.registry import get_kind

log = logging.getLogger("portal.workflow.exports")

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
# An export holds at most this many rows (the first ones in the page's order); past it the
# sheet says how many matched, and the reviewer narrows the filters.
EXPORT_LIMIT = 5000
# Without any filter in the address, the workbench shows what waits for the department.
DEFAULT_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW)


def _require_reviewer(request: HttpRequest) -> None:
    if not request.user.has_role(Role.REVIEWER):
        raise PermissionDenied


def case_link(case) -> str:
    """Where a case opens: its kind's own page when the kind has one, else the generic detail."""
    spec = get_kind(case.kind)
    return (
        spec.detail_url(case)
        if spec.detail_url
        else reverse("workflow:case_detail", args=[case.pk])
    )


def _kind_label(code: str) -> str:
    try:
        return str(get_kind(code).label)
    except LookupError:
        return code


def _filter_data(query: QueryDict) -> QueryDict:
    """The query as the filters read it: the default statuses when no filter was given."""
    data = query.copy()
    if not any(name in query for name in WorkbenchFilter.base_filters):
        data.setlist("status", list(DEFAULT_STATUSES))
    return data


def _work_queue(request: HttpRequest) -> WorkbenchFilter:
    """The reviewer's scoped queue, filtered and sorted as the query asks (the page and the
    export read the same one)."""
    scoped = selectors.with_applicant(
        selectors.sorted_work_queue(selectors.cases_reviewable_by(request.user), None)
    )
    return WorkbenchFilter(_filter_data(request.GET), queryset=scoped, request=request)


def _page_size(raw: str | None) -> int:
    try:
        size = int(raw or DEFAULT_PAGE_SIZE)
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class Column:
    label: Any
    sort: str = ""  # the sort key of selectors.SORT_KEYS, or "" when the column does not sort


def _columns() -> list[Column]:
    return [
        Column(gettext_lazy("Reference number"), "reference"),
        Column(gettext_lazy("Kind"), "kind"),
        Column(gettext_lazy("Applicant")),
        Column(gettext_lazy("Area"), "area"),
        Column(gettext_lazy("Submitted"), "submitted"),
        Column(gettext_lazy("Due"), "due"),
        Column(gettext_lazy("Status"), "status"),
    ]


def _applicant(case: Case) -> str:
    """The applicant as the list shows them: name and masked ID number, or the account name."""
    name = getattr(case, "applicant_name", None)
    masked = getattr(case, "applicant_id_masked", None)
    if name:
        return f"{name} ({masked})" if masked else name
    return case.applicant.get_username()


def _query_without(query: QueryDict, *names: str) -> str:
    rest = query.copy()
    for name in names:
        rest.pop(name, None)
    return rest.urlencode()


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    """The reviewer's work table: cases of their department and districts, filtered, sorted by
    a column (due date first by default) and paginated."""
    _require_reviewer(request)
    filterset = _work_queue(request)
    size = _page_size(request.GET.get("per_page"))
    page = Paginator(filterset.qs, size).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "case": case,
            "link": case_link(case),
            "kind": _kind_label(case.kind),
            "applicant": _applicant(case),
            "overdue": case.status in selectors.WAITING
            and case.due_date is not None
            and case.due_date < today,
        }
        for case in page
    ]
    sort_key, descending = selectors.parse_sort(filterset.form.data.get("sort"))
    query = request.GET.copy()
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "columns": _columns(),
        "sort_key": sort_key,
        "sort_descending": descending,
        "sort_query": _query_without(query, "sort", "page"),
        "page_query": _query_without(query, "page"),
        "export_query": _query_without(query, "page", "per_page"),
        "page_sizes": PAGE_SIZES,
        "page_size": size,
        "counts": selectors.queue_counts(request.user),
        "export_limit": EXPORT_LIMIT,
    }
    template = "workflow/workbench.html#case-list" if request.htmx else "workflow/workbench.html"
    return render(request, template, context)


def _filter_summary(filterset: WorkbenchFilter) -> list[tuple[str, str]]:
    """The filters that made the list, as `name | value` lines for the sheet's header."""
    user = filterset.request.user
    lines = [
        (_("Department"), user.department.display_name),
        (_("Districts"), "、".join(d.display_name for d in user.districts.order_by("code"))),
    ]
    form = filterset.form
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", []):
            continue
        offered = getattr(field, "choices", None)
        choices = dict(offered) if offered is not None else {}
        if isinstance(value, list | tuple):
            shown = "、".join(str(choices.get(v, v)) for v in value)
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif choices:
            shown = str(choices.get(value, value))
        else:
            shown = str(value)
        lines.append((str(field.label), shown))
    return lines


@login_required
@require_GET
def workbench_export(request: HttpRequest) -> HttpResponse:
    """The filtered work table as an Excel file: the same columns, scope, filters and order as
    the page, at most EXPORT_LIMIT rows. Every export is logged (who, how many rows, filters)."""
    _require_reviewer(request)
    filterset = _work_queue(request)
    cases = list(filterset.qs[: EXPORT_LIMIT + 1])
    summary = _filter_summary(filterset) if filterset.is_valid() else []
    if len(cases) > EXPORT_LIMIT:
        total = filterset.qs.count()
        cases = cases[:EXPORT_LIMIT]
        summary.append(
            (
                _("Rows"),
                _("the first %(limit)d of %(total)d: narrow the filters to export the rest")
                % {"limit": EXPORT_LIMIT, "total": total},
            )
        )
    table = Table(
        name="workbench",
        title=_("Workbench"),
        filters=summary,
        columns=[str(column.label) for column in _columns()],
    )
    kinds: dict[str, str] = {}
    statuses = {value: str(label) for value, label in Status.choices}
    for case in cases:
        if case.kind not in kinds:
            kinds[case.kind] = _kind_label(case.kind)
        submitted = timezone.localtime(case.submitted_at) if case.submitted_at else None
        table.rows.append(
            [
                case.reference,
                kinds[case.kind],
                _applicant(case),
                case.district.display_name,
                submitted.strftime("%Y-%m-%d %H:%M") if submitted else "",
                case.due_date.isoformat() if case.due_date else "",
                statuses.get(case.status, case.status),
            ]
        )
    log.info(
        "workbench export by user %s (%s): %d rows, filters %s",
        request.user.pk,
        request.user.department.code,
        len(cases),
        _query_without(request.GET.copy(), "page", "per_page") or "-",
    )
    response = HttpResponse(exports.workbook(table), content_type=exports.XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="workbench-{stamp}.xlsx"'
    return response


# --- one case and its decisions ------------------------------------------------------------------


class DecisionForm(forms.Form):
    """The reason of a decision. Shape only: whether a reason is needed is the service's rule,
    and its refusal lands on this field."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, label: Any, required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].required = required
        self.fields["reason"].error_messages["required"] = _("A reason is required.")


@dataclass(frozen=True)
class Decision:
    action: str
    service: Callable[..., Case]
    title: Any
    button: Any
    reason_label: Any
    reason_required: bool
    done: Any


DECISIONS = {
    d.action: d
    for d in (
        Decision(
            "approve",
            services.approve_case,
            gettext_lazy("Approve"),
            gettext_lazy("Approve"),
            gettext_lazy("Note to the applicant"),
            False,
            gettext_lazy("Approved."),
        ),
        Decision(
            "return",
            services.return_case,
            gettext_lazy("Return for more information"),
            gettext_lazy("Return to the applicant"),
            gettext_lazy("Everything the applicant must add (one list, all at once)"),
            True,
            gettext_lazy("Returned to the applicant."),
        ),
        Decision(
            "reject",
            services.reject_case,
            gettext_lazy("Reject"),
            gettext_lazy("Reject the application"),
            gettext_lazy("Reason for rejection"),
            True,
            gettext_lazy("Rejected."),
        ),
    )
}


def _decision_form(decision: Decision, data: Any = None) -> DecisionForm:
    return DecisionForm(
        data,
        prefix=decision.action,
        label=decision.reason_label,
        required=decision.reason_required,
        use_required_attribute=False,
    )


def _decisions(case: Case, bound: DecisionForm | None = None, action: str = "") -> list[dict]:
    """Each decision with its form; the one just refused comes back bound, with its errors, open."""
    return [
        {
            "decision": decision,
            "form": bound if decision.action == action and bound is not None else None,
            "open": decision.action == action,
            "case": case,
        }
        for decision in DECISIONS.values()
    ]


def _with_forms(items: list[dict]) -> list[dict]:
    for item in items:
        if item["form"] is None:
            item["form"] = _decision_form(item["decision"])
    return items


def _case_context(case: Case, decisions: list[dict]) -> dict:
    return {
        "case": case,
        "kind": get_kind(case.kind),
        "applicant": _applicant(case),
        "timeline": selectors.case_timeline(case),
        "decisions": _with_forms(decisions),
        "overdue": case.status in selectors.WAITING
        and case.due_date is not None
        and case.due_date < timezone.localdate(),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case's history and the reviewer's decisions, for kinds without a page of their own."""
    _require_reviewer(request)
    case = get_object_or_404(
        selectors.with_applicant(selectors.cases_reviewable_by(request.user)), pk=pk
    )
    return render(request, "workflow/case_detail.html", _case_context(case, _decisions(case)))


@dataclass(frozen=True)
class Refusal:
    """A decision the service refused for its input: the bound form with the errors, and the
    status a page answers with (400, or the error's own)."""

    action: str
    form: DecisionForm
    status: int


def apply_decision(request: HttpRequest, case: Case, action: str) -> Refusal | None:
    """The one dispatcher of a reviewer's decision on a case, for every kind's review page:
    `take` (受理), approve, return or reject, through the workflow services.

    None when the page should show the case as it now stands: done, or refused because the
    case was decided meanwhile (a message says which). A Refusal when the input was refused
    (no reason): the page shows the decision's form again, with its errors.
    """
    if action == "take":
        try:
            services.start_review(case_id=case.pk, actor=request.user)
        except (NotFound, NotAllowed):
            raise
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Taken up for review."))
        return None
    decision = DECISIONS.get(action)
    if decision is None:
        raise PermissionDenied
    form = _decision_form(decision, request.POST)
    status = 400
    if form.is_valid():
        try:
            decision.service(
                case_id=case.pk, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except (NotFound, NotAllowed):
            raise
        except TransitionNotAllowed as exc:
            # decided meanwhile (by someone else): the page as it now stands, and why
            messages.error(request, exc.message)
            return None
        except ApplicationError as exc:
            status = exc.status_code
            if exc.fields:
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, decision.done)
            return None
    return Refusal(action=action, form=form, status=status)


def decision_items(case: Case, refusal: Refusal | None = None) -> list[dict]:
    """Each decision with its form, for workflow/_decisions.html: the one just refused bound,
    with its errors, and open."""
    if refusal is None:
        return _with_forms(_decisions(case))
    return _with_forms(_decisions(case, refusal.form, refusal.action))


def _to_case(request: HttpRequest, case: Case) -> HttpResponse:
    """Back to the case's own page (its kind's, or the generic one): a redirect, or for htmx
    an instruction to load it."""
    target = case_link(case)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take up, approve, return or reject, from any kind's review page. A refusal (no reason)
    comes back in the decision's own form, open: the form alone to htmx, the whole case page
    (400) otherwise."""
    _require_reviewer(request)
    case = get_object_or_404(
        selectors.with_applicant(selectors.cases_reviewable_by(request.user)), pk=pk
    )
    refusal = apply_decision(request, case, action)
    if refusal is None:
        return _to_case(request, case)
    items = decision_items(case, refusal)
    if request.htmx:
        # htmx swaps 2xx answers only: the refused form is the answer, its errors inside.
        item = next(i for i in items if i["decision"].action == action)
        return render(request, "workflow/_decision.html", {"item": item, "case": case})
    return render(
        request, "workflow/case_detail.html", _case_context(case, items), status=refusal.status
    )


# --- the applicant's side ------------------------------------------------------------------------


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """Progress of every application the user filed (办件进度), newest first, with its timeline."""
    cases = selectors.cases_of_applicant(request.user).prefetch_related("transitions")
    page = Paginator(cases.order_by("-created_at", "-id"), 10).get_page(request.GET.get("page"))
    rows = [(case, _kind_label(case.kind)) for case in page]
    return render(request, "workflow/my_cases.html", {"page": page, "rows": rows})


def issued_link(case: Case) -> tuple[str, str] | None:
    """What the approved case produced (the permit, the offer, the score), as (label, url).

    A kind names it in its registry entry: `extra={"issued_link": callable(case) -> (label,
    url) or None}`. Only an approved case has produced anything."""
    if case.status != Status.APPROVED:
        return None
    try:
        provider = get_kind(case.kind).extra.get("issued_link")
    except LookupError:
        return None
    return provider(case) if provider else None


@login_required
def my_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.cases_of_applicant(request.user), pk=pk)
    return render(
        request,
        "workflow/my_case.html",
        {
            "case": case,
            "kind": get_kind(case.kind),
            "timeline": selectors.case_timeline(case),
            "issued": issued_link(case),
            "waiting_for": selectors.waiting_for(case) if case.is_open else "",
        },
    )
