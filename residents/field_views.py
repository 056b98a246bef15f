"""Pages of the grid officers' field work, mobile first: home, a grid's addresses, the visit
form at an address, the visit receipt, the task list, and the supervisors' coverage page.

Thin: reads through residents.selectors, writes through residents.services.record_visit.
With JavaScript (static/js/field.js) the visit form is sent to the field API, and kept on the
phone while there is no connection; without it the form posts here and gets the same rules.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.accounts.models import Role, User
from portal.areas.models import Area, Level
from portal.errors import ApplicationError, NotFound
from residents import selectors, services
from residents.models import Reason, TaskStatus, VisitOutcome

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ADDRESSES_PER_PAGE = 50
GRIDS_PER_PAGE = 100

# What the officer found about each person registered at the address.
PRESENT, DEPARTED, NOT_SEEN = "present", "departed", "not_seen"
RESIDENT_CHOICES = [
    (PRESENT, gettext_lazy("Lives here")),
    (DEPARTED, gettext_lazy("Has left")),
    (NOT_SEEN, gettext_lazy("Not confirmed")),
]


# --- forms -----------------------------------------------------------------------------------


class GridSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Find an address or a resident"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Part of the address, a name, or a full ID number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class VisitForm(forms.Form):
    """The visit at one address. One radio group per person registered there is added."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome of the visit"),
        choices=VisitOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Notes of the visit"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, residents: list, tasks: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.residents = residents
        self.fields["client_id"].initial = uuid.uuid4()
        self.tasks = tasks
        for task in tasks:
            self.fields[f"task_{task.pk}"] = forms.CharField(
                label=task.get_kind_display(),
                required=False,
                max_length=1000,
                help_text=_("What the visit found. Leave empty to keep the task open."),
            )
        for registration in residents:
            person = registration.person
            self.fields[f"resident_{person.pk}"] = forms.ChoiceField(
                label=person.name,
                choices=RESIDENT_CHOICES,
                widget=forms.RadioSelect,
                initial=NOT_SEEN,
            )
            self.fields[f"departed_on_{person.pk}"] = forms.DateField(
                label=_("Left on"),
                required=False,
                widget=DATE_INPUT,
                initial=timezone.localdate,
            )

    def resident_rows(self) -> list[dict]:
        return [
            {
                "registration": registration,
                "choice": self[f"resident_{registration.person_id}"],
                "departed_on": self[f"departed_on_{registration.person_id}"],
            }
            for registration in self.residents
        ]

    def task_rows(self) -> list[dict]:
        return [{"task": task, "finding": self[f"task_{task.pk}"]} for task in self.tasks]

    def task_findings(self) -> dict[int, str]:
        """Task id -> the finding written for it, for the tasks given one."""
        return {
            task.pk: self.cleaned_data[f"task_{task.pk}"].strip()
            for task in self.tasks
            if self.cleaned_data.get(f"task_{task.pk}", "").strip()
        }

    def findings(self) -> tuple[list[int], list[services.Departure]]:
        present: list[int] = []
        departures: list[services.Departure] = []
        for registration in self.residents:
            choice = self.cleaned_data[f"resident_{registration.person_id}"]
            if choice == PRESENT:
                present.append(registration.person_id)
            elif choice == DEPARTED:
                departures.append(
                    services.Departure(
                        person_id=registration.person_id,
                        end_date=self.cleaned_data[f"departed_on_{registration.person_id}"],
                    )
                )
        return present, departures


class ArrivalForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    start_date = forms.DateField(
        label=gettext_lazy("Living here since"), widget=DATE_INPUT, initial=timezone.localdate
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=Reason.choices, initial=Reason.WORK
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


ArrivalFormSet = forms.formset_factory(ArrivalForm, extra=3, max_num=3)


class CoverageFilterForm(forms.Form):
    district = forms.ChoiceField(label=gettext_lazy("District"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        districts = Area.objects.filter(level=Level.DISTRICT).order_by("code")
        self.fields["district"].choices = [
            ("", _("All districts")),
            *((d.code, d.display_name) for d in districts),
        ]


# --- helpers ---------------------------------------------------------------------------------


def _require_officer(user: User) -> None:
    if not user.has_role(Role.GRID_OFFICER):
        raise Http404


def _place_errors(
    exc: ApplicationError, *, form: VisitForm, arrivals: Any, arrival_forms: list[int]
) -> None:
    """Put a service's field errors (`arrivals.0.id_number`, `departures.1.end_date`) on the
    fields they belong to; the rest on top of the form."""
    placed = False
    _present, departures = form.findings()
    for key, field_messages in exc.fields.items():
        parts = key.split(".")
        for message in field_messages:
            if parts[0] == "arrivals" and len(parts) == 3 and int(parts[1]) < len(arrival_forms):
                target = arrivals.forms[arrival_forms[int(parts[1])]]
                target.add_error(parts[2] if parts[2] in target.fields else None, message)
            elif parts[0] == "departures" and len(parts) == 3 and int(parts[1]) < len(departures):
                person_id = departures[int(parts[1])].person_id
                field = f"departed_on_{person_id}" if parts[2] == "end_date" else None
                form.add_error(field or f"resident_{person_id}", message)
            elif parts[0] == "task_findings" and f"task_{parts[-1]}" in form.fields:
                form.add_error(f"task_{parts[-1]}", message)
            elif key in form.fields:
                form.add_error(key, message)
            else:
                form.add_error(None, message)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _error_summary(form: VisitForm, arrivals: Any) -> list[dict]:
    """Every error of the visit form and its arrival rows, each linking to its field."""
    items = [{"anchor": "", "message": str(m)} for m in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        field = form[name]
        items += [
            {"anchor": field.auto_id, "label": field.label, "message": str(m)} for m in errors
        ]
    for number, row in enumerate(arrivals.forms, start=1):
        items += [{"anchor": "", "message": str(m)} for m in row.non_field_errors()]
        for name, errors in row.errors.items():
            if name == "__all__":
                continue
            field = row[name]
            label = _("Arrival %(number)s, %(field)s") % {"number": number, "field": field.label}
            items += [{"anchor": field.auto_id, "label": label, "message": str(m)} for m in errors]
    return items


# --- offline: the service worker and the key of the visits kept on the phone --------------------

QUEUE_SECRET_SESSION_KEY = "field_queue_secret"  # noqa: S105 (a session key name)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that opens the field pages offline (served under /field/ for its scope)."""
    response = render(request, "residents/field/sw.js", content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@never_cache
@require_GET
def queue_key(request: HttpRequest) -> JsonResponse:
    """The key that encrypts the visits queued in this officer's browser, one per session.

    A random secret kept in the session: a new sign-in gets a new key, and signing out ends
    it. The browser imports it as a non-extractable AES-GCM key (static/js/field.js).
    """
    _require_officer(request.user)
    secret = request.session.get(QUEUE_SECRET_SESSION_KEY)
    if not secret:
        secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        request.session[QUEUE_SECRET_SESSION_KEY] = secret
    key_id = hashlib.sha256(secret.encode()).hexdigest()[:16]
    return JsonResponse({"key": secret, "id": key_id})


# --- the officer -------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The officer's grids with their counts and coverage, and the tasks due soonest."""
    _require_officer(request.user)
    grids = [
        {"grid": grid, "coverage": selectors.coverage_share(grid.covered_count, grid.address_count)}
        for grid in selectors.field_grids_of(request.user)
    ]
    open_tasks = selectors.open_field_tasks_of(request.user)
    return render(
        request,
        "residents/field/home.html",
        {
            "grids": grids,
            "tasks": list(open_tasks[:5]),
            "task_count": open_tasks.count(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def grid(request: HttpRequest, pk: int) -> HttpResponse:
    """A grid's standard addresses with who is registered at each; searchable (htmx)."""
    _require_officer(request.user)
    area = get_object_or_404(selectors.field_grids_of(request.user), pk=pk)
    form = GridSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    addresses = selectors.search_field_addresses(
        selectors.field_addresses_of(
            request.user, residents_listed=selectors.RESIDENTS_LISTED_PER_ADDRESS
        ).filter(grid=area),
        query,
    )
    page = Paginator(addresses, ADDRESSES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "grid": area,
        "coverage": selectors.coverage_share(area.covered_count, area.address_count),
        "form": form,
        "page": page,
        "query": query,
        "id_number_search": selectors.looks_like_id_number(query),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "residents/field/_addresses.html", context)
    return render(request, "residents/field/grid.html", context)


@login_required
def address(request: HttpRequest, pk: int) -> HttpResponse:
    """One address: who is registered there, its open tasks and visits, and the visit form."""
    _require_officer(request.user)
    place = get_object_or_404(selectors.field_addresses_of(request.user), pk=pk)
    residents = list(place.current_registrations)
    open_tasks = list(selectors.open_field_tasks_of(request.user).filter(address=place))
    form = VisitForm(request.POST or None, residents=residents, tasks=open_tasks)
    arrivals = ArrivalFormSet(request.POST or None, prefix="arrivals")
    status = 200
    if request.method == "POST":
        if form.is_valid() and arrivals.is_valid():
            present, departures = form.findings()
            arrival_forms = [
                index
                for index, row in enumerate(arrivals.forms)
                if row.has_changed() and row.cleaned_data
            ]
            try:
                recorded, created = services.record_visit(
                    actor=request.user,
                    client_id=form.cleaned_data["client_id"],
                    address_id=place.pk,
                    outcome=form.cleaned_data["outcome"],
                    present=present,
                    departures=departures,
                    arrivals=[
                        services.Arrival(**arrivals.forms[index].cleaned_data)
                        for index in arrival_forms
                    ],
                    task_findings=form.task_findings(),
                    note=form.cleaned_data["note"],
                )
            except NotFound:
                raise Http404 from None
            except ApplicationError as exc:
                _place_errors(exc, form=form, arrivals=arrivals, arrival_forms=arrival_forms)
            else:
                if created:
                    messages.success(request, _("The visit is recorded."))
                return redirect("residents:field_visit", pk=recorded.pk)
        status = 400
    return render(
        request,
        "residents/field/address.html",
        {
            "address": place,
            "residents": residents,
            "tasks": open_tasks,
            "visits": list(selectors.field_visits_of(request.user).filter(address=place)[:5]),
            "form": form,
            "arrivals": arrivals,
            "errors": _error_summary(form, arrivals) if request.method == "POST" else [],
        },
        status=status,
    )


@login_required
@require_GET
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    """The record of one visit: what was found, what changed, what the officer must know."""
    _require_officer(request.user)
    recorded = get_object_or_404(selectors.field_visits_of(request.user), pk=pk)
    return render(
        request,
        "residents/field/visit.html",
        {"visit": recorded, "notices": selectors.visit_notices(recorded)},
    )


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """The officer's task list: open tasks soonest due first (overdue marked), or closed ones."""
    _require_officer(request.user)
    closed = request.GET.get("status") == TaskStatus.CLOSED
    queryset = selectors.field_tasks_of(request.user).filter(
        status=TaskStatus.CLOSED if closed else TaskStatus.OPEN
    )
    if closed:
        queryset = queryset.order_by("-closed_at", "-id")
    page = Paginator(queryset, ADDRESSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "residents/field/tasks.html",
        {"page": page, "closed": closed, "today": timezone.localdate()},
    )


# --- supervisors ------------------------------------------------------------------------------------


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Supervisors: the share of addresses visited in the last 30 days, per grid and per officer."""
    if not selectors.can_supervise_field_work(request.user):
        raise Http404
    form = CoverageFilterForm(request.GET or None)
    district = form.cleaned_data["district"] if form.is_valid() else ""
    grids = selectors.coverage_by_grid(request.user)
    if district:
        grids = grids.filter(district__code=district)
    page = Paginator(grids, GRIDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"grid": g, "coverage": selectors.coverage_share(g.covered_count, g.address_count)}
        for g in page
    ]
    officers = [
        {"officer": o, "coverage": selectors.coverage_share(o.covered_count, o.address_count)}
        for o in selectors.coverage_by_officer(request.user)
    ]
    return render(
        request,
        "residents/field/coverage.html",
        {
            "form": form,
            "district": district,
            "page": page,
            "rows": rows,
            "officers": officers,
            "days": selectors.COVERAGE_DAYS,
        },
    )
