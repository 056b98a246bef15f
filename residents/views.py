"""Pages of residence registration and residence permits, for residents and for staff.

Thin: each view reads through residents.selectors and writes through residents.services,
and shows a refusal's message on the form it came from.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import NotFound as DrfNotFound
from rest_framework.request import Request

from portal import throttling, uploads
from portal.accounts.models import Role
from portal.errors import ApplicationError, NotFound
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import Status
from portal.workflow.registry import get_kind
from residents import disclosure, idnumber, permit_views, selectors, services
from residents import forms as resident_forms
from residents.models import MaterialKind, Sex
from residents.pagination import PersonPages
from residents.services import permits as permit_services

STAFF_ROLES = (Role.REVIEWER, Role.GRID_OFFICER)


def _apply_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: each field message on its field, the rest on top."""
    placed = False
    for field, field_messages in exc.fields.items():
        for message in field_messages:
            if field in form.fields:
                form.add_error(field, message)
                placed = True
            else:
                form.add_error(None, message)
                placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _is_staff(user) -> bool:
    return any(user.has_role(role) for role in STAFF_ROLES)


def _id_preview(raw: str) -> dict:
    parsed = idnumber.parse(raw)
    return {"birth_date": parsed.birth_date, "sex": Sex(parsed.sex).label}


# --- residence registration ---------------------------------------------------------------


def late_declaration_message(registration) -> str:
    return _(
        "The start date %(start)s lies outside the declaration window: this is a late "
        "declaration. Continuous residence counts from %(counted)s until a grid officer or the "
        "police station verifies the earlier date with evidence."
    ) % {
        "start": date_format(registration.start_date),
        "counted": date_format(registration.counted_from),
    }


@login_required
@require_GET
def registrations(request: HttpRequest) -> HttpResponse:
    """我的居住登记: the household's current registrations, their history and continuous months."""
    today = timezone.localdate()
    household = []
    for person in selectors.household_of(request.user):
        household.append(
            {
                "person": person,
                "current": selectors.current_registration(person),
                "history": selectors.registration_history(person),
                "months": selectors.continuous_residence_months(person, on=today),
            }
        )
    return render(
        request,
        "residents/registrations.html",
        {"household": household, "me": selectors.person_of(request.user)},
    )


@login_required
def person_new(request: HttpRequest) -> HttpResponse:
    """Enter one's own details in the registry: form, check your answers, confirm."""
    if selectors.person_of(request.user) is not None:
        return redirect("residents:registrations")
    form = resident_forms.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = request.POST.get("step")
        if step == "check":
            return render(
                request,
                "residents/person_check.html",
                {"form": form, "preview": _id_preview(form.cleaned_data["id_number"])},
            )
        if step == "confirm":
            try:
                services.create_own_person(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Your details are saved. Now register your address."))
                return redirect("residents:registration_new")
    return render(request, "residents/person_form.html", {"form": form})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(selectors.household_of(request.user), pk=pk)
    initial = {
        "phone": str(person.phone or ""),
        "origin_code": person.origin_code,
        "education": person.education,
        "employer": person.employer,
    }
    form = resident_forms.PersonDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(actor=request.user, person_id=person.pk, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The details are saved."))
            return redirect("residents:family")
    return render(request, "residents/person_edit.html", {"form": form, "person": person})


@login_required
@require_GET
def address_search(request: HttpRequest) -> HttpResponse:
    """The list of standard addresses matching what was typed (an htmx fragment)."""
    form = resident_forms.AddressSearchForm(request.GET)
    found = selectors.addresses_matching(form.data.get("q", "")) if form.is_valid() else []
    return render(
        request,
        "residents/_address_results.html",
        {"addresses": found, "searched": bool(form.data.get("q")), "chosen": None},
    )


@login_required
def registration_new(request: HttpRequest) -> HttpResponse:
    """Declare where a person lives (人来申报), or a move: find the address, dates, check, confirm."""
    household = list(selectors.household_of(request.user))
    if not household:
        messages.info(request, _("Please enter your own details first."))
        return redirect("residents:person_new")
    moving = request.GET.get("move") == "1" or request.POST.get("moving") in ("True", "on", "1")
    initial = {"moving": moving, "reason": "work", "start_date": timezone.localdate()}
    if request.GET.get("person", "").isdigit():
        initial["person"] = int(request.GET["person"])
    form = resident_forms.RegistrationForm(request.POST or None, initial=initial, persons=household)
    search = resident_forms.AddressSearchForm(request.GET)
    query = search.data.get("q", "") if search.is_valid() else ""
    chosen = None
    if request.method == "POST":
        chosen = selectors.standard_address(
            int(request.POST["address"]) if request.POST.get("address", "").isdigit() else None
        )
        if form.is_valid():
            step = request.POST.get("step")
            person = next(p for p in household if p.pk == form.cleaned_data["person"])
            if chosen is None:
                form.add_error("address", _("Please choose a standard address from the list."))
            elif step == "check":
                return render(
                    request,
                    "residents/registration_check.html",
                    {
                        "form": form,
                        "person": person,
                        "address": chosen,
                        "current": selectors.current_registration(person),
                        "moving": form.cleaned_data["moving"],
                    },
                )
            elif step == "confirm":
                try:
                    registration = services.register_residence(
                        actor=request.user,
                        person_id=person.pk,
                        address_id=chosen.pk,
                        start_date=form.cleaned_data["start_date"],
                        reason=form.cleaned_data["reason"],
                        moving=form.cleaned_data["moving"],
                    )
                except ApplicationError as exc:
                    _apply_error(form, exc)
                else:
                    messages.success(request, _("The residence registration is recorded."))
                    if registration.is_late:
                        messages.warning(request, late_declaration_message(registration))
                    return redirect("residents:certificate", pk=registration.pk)
    found = selectors.addresses_matching(query) if query else []
    return render(
        request,
        "residents/registration_form.html",
        {
            "form": form,
            "search": search,
            "addresses": found,
            "searched": bool(query),
            "chosen": chosen,
            "moving": moving,
        },
    )


@login_required
def registration_depart(request: HttpRequest, pk: int) -> HttpResponse:
    """Departure (人走注销): end a current registration, with a warning that the permit is cancelled."""
    registration = get_object_or_404(
        selectors.registrations_managed_by(request.user), pk=pk, end_date__isnull=True
    )
    form = resident_forms.DepartForm(
        request.POST or None, initial={"end_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.end_registration(
                actor=request.user,
                registration_id=registration.pk,
                end_date=form.cleaned_data["end_date"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The registration has ended."))
            return redirect("residents:registrations")
    return render(
        request,
        "residents/registration_depart.html",
        {
            "form": form,
            "registration": registration,
            "permit": selectors.valid_permit_of(registration.person),
        },
    )


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """居住登记凭证: the registration certificate, print-friendly."""
    registration = get_object_or_404(selectors.household_registrations(request.user), pk=pk)
    return render(
        request,
        "residents/certificate.html",
        {"registration": registration, "printed_on": timezone.localdate()},
    )


# --- family ---------------------------------------------------------------------------------


@login_required
@require_GET
def family(request: HttpRequest) -> HttpResponse:
    """家庭成员: the user and the dependants they act for."""
    return render(
        request,
        "residents/family.html",
        {
            "me": selectors.person_of(request.user),
            "links": selectors.dependants_of(request.user),
        },
    )


@login_required
def dependant_new(request: HttpRequest) -> HttpResponse:
    """Add a child or another family member the user acts for: form, check, confirm."""
    if selectors.person_of(request.user) is None:
        messages.info(request, _("Please enter your own details first."))
        return redirect("residents:person_new")
    form = resident_forms.DependantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = request.POST.get("step")
        if step == "check":
            return render(
                request,
                "residents/dependant_check.html",
                {"form": form, "preview": _id_preview(form.cleaned_data["id_number"])},
            )
        if step == "confirm":
            try:
                person = services.add_dependant(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(
                    request, _("%(name)s is added to your family.") % {"name": person.name}
                )
                return redirect("residents:family")
    return render(request, "residents/dependant_form.html", {"form": form})


# --- residence permit: the applicant --------------------------------------------------------


@login_required
@require_GET
def permit_guide(request: HttpRequest) -> HttpResponse:
    """办事指南 of the residence permit: conditions, materials, time limit; who can apply now."""
    today = timezone.localdate()
    policy = selectors.permit_policy_on(today)
    household = [
        {
            "person": person,
            "problems": selectors.permit_eligibility_problems(person, on=today),
            "months": selectors.continuous_residence_months(person, on=today),
        }
        for person in selectors.household_of(request.user)
    ]
    return render(
        request,
        "residents/permit_guide.html",
        {
            "policy": policy,
            "due_days": get_kind(permit_services.KIND).due_days,
            "household": household,
            "can_start": any(not entry["problems"] for entry in household),
            "applications": selectors.permit_applications_of(request.user).order_by("-created_at"),
        },
    )


@login_required
def permit_start(request: HttpRequest) -> HttpResponse:
    """Start an application: who it is for and on what basis; then materials."""
    household = list(selectors.household_of(request.user))
    initial = {}
    if request.GET.get("person", "").isdigit():
        initial["person"] = int(request.GET["person"])
    form = resident_forms.PermitStartForm(request.POST or None, initial=initial, persons=household)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.create_permit_application(
                actor=request.user,
                person_id=form.cleaned_data["person"],
                basis=form.cleaned_data["basis"],
                basis_detail=form.cleaned_data["basis_detail"],
            )
        except NotFound:
            raise Http404 from None
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            return redirect("residents:permit_application", pk=application.pk)
    return render(request, "residents/permit_start.html", {"form": form})


def _own_application(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.permit_applications_of(request.user), pk=pk)


def _application_context(application) -> dict:
    case = application.case
    return {
        "application": application,
        "case": case,
        "person": application.person,
        "registration": application.registration,
        "materials": list(application.materials.all()),
        "timeline": workflow_selectors.case_timeline(case),
        "editable": case.status in permit_services.EDITABLE,
        "months": selectors.continuous_residence_months(application.person),
    }


@login_required
def permit_application(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: while a draft or returned, its basis and materials; afterwards its progress."""
    application = _own_application(request, pk)
    context = _application_context(application)
    context["basis_form"] = resident_forms.PermitBasisForm(
        initial={"basis": application.basis, "basis_detail": application.basis_detail}
    )
    context["material_form"] = resident_forms.MaterialForm(
        initial={"kind": MaterialKind.PHOTO if not context["materials"] else MaterialKind.PROOF}
    )
    if request.method == "POST":
        form = resident_forms.PermitBasisForm(request.POST)
        context["basis_form"] = form
        if form.is_valid():
            try:
                services.update_permit_application(
                    actor=request.user, application_id=application.pk, **form.cleaned_data
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("The basis is saved."))
                return redirect("residents:permit_application", pk=application.pk)
    return render(request, "residents/permit_application.html", context)


@login_required
@require_POST
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    form = resident_forms.MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_material(
                actor=request.user,
                application_id=application.pk,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The file is uploaded."))
            return redirect("residents:permit_application", pk=application.pk)
    context = _application_context(application)
    context["basis_form"] = resident_forms.PermitBasisForm(
        initial={"basis": application.basis, "basis_detail": application.basis_detail}
    )
    context["material_form"] = form
    return render(request, "residents/permit_application.html", context, status=400)


@login_required
@require_POST
def material_remove(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(
        selectors.materials_visible_to(request.user).filter(
            application__case__applicant=request.user
        ),
        pk=pk,
    )
    try:
        services.remove_material(actor=request.user, material_id=material.pk)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("residents:permit_application", pk=material.application_id)


@login_required
@require_GET
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve an uploaded file to the applicant and to reviewers who can see the case; 404 for others."""
    material = get_object_or_404(selectors.materials_visible_to(request.user), pk=pk)
    try:
        content = uploads.open_stored(material)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        content, content_type=material.content_type, filename=material.original_name
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response


@login_required
def permit_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers before submitting; submitting shows the receipt."""
    application = _own_application(request, pk)
    if application.case.status not in permit_services.EDITABLE:
        return redirect("residents:permit_application", pk=application.pk)
    context = _application_context(application)
    context["problems"] = permit_services.submission_problems(application)
    if request.method == "POST":
        try:
            services.submit_permit_application(actor=request.user, application_id=application.pk)
        except ApplicationError as exc:
            context["problems"] = exc.fields or {"": [str(exc.message)]}
            return render(request, "residents/permit_check.html", context, status=400)
        return redirect("residents:permit_receipt", pk=application.pk)
    return render(request, "residents/permit_check.html", context)


@login_required
@require_GET
def permit_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt after submitting: reference number, what happens next, the promised date."""
    application = _own_application(request, pk)
    if application.case.status == Status.DRAFT:
        return redirect("residents:permit_application", pk=application.pk)
    return render(request, "residents/permit_receipt.html", _application_context(application))


@login_required
@require_POST
def permit_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    try:
        services.withdraw_permit_application(actor=request.user, application_id=application.pk)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect("residents:permit_application", pk=application.pk)


# --- residence permit: the holder ----------------------------------------------------------------


@login_required
@require_GET
def permits(request: HttpRequest) -> HttpResponse:
    """我的居住证: the household's permits."""
    today = timezone.localdate()
    held = [
        {"permit": permit, "state": permit.state_on(today), "label": permit.state_label_on(today)}
        for permit in selectors.permits_held_by(request.user)
    ]
    return render(request, "residents/permits.html", {"permits": held})


@login_required
@never_cache
@require_GET
def permit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The electronic permit: the card's facts, its QR code for verifiers, endorsement and reissue."""
    permit = get_object_or_404(selectors.permits_held_by(request.user), pk=pk)
    today = timezone.localdate()
    state = permit.state_on(today)
    opens, last_day = selectors.endorsement_window(permit)
    return render(
        request,
        "residents/permit_detail.html",
        {
            **(permit_views.permit_qr_context(request, permit) if state != "cancelled" else {}),
            "permit": permit,
            "person": permit.person,
            "state": state,
            "state_label": permit.state_label_on(today),
            "current": selectors.current_registration(permit.person),
            "window_opens": opens,
            "window_closes": last_day,
            "can_endorse": state != "cancelled" and today >= opens,
            "late": today > permit.valid_until,
            "events": list(permit.events.select_related("actor")),
            "photo": selectors.permit_photo(permit),
            "reissue_form": resident_forms.ReasonForm(),
        },
    )


@login_required
@require_POST
def permit_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    permit = get_object_or_404(selectors.permits_held_by(request.user), pk=pk)
    try:
        permit = services.endorse_permit(actor=request.user, permit_id=permit.pk)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The permit is endorsed."))
    return redirect("residents:permit", pk=permit.pk)


@login_required
@require_POST
def permit_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    permit = get_object_or_404(selectors.permits_held_by(request.user), pk=pk)
    form = resident_forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reissue_permit(
                actor=request.user, permit_id=permit.pk, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _(
                    "A new card is issued under the same number. The old QR code no longer verifies."
                ),
            )
    else:
        messages.error(request, _("Please say why the permit is reissued (for example: lost)."))
    return redirect("residents:permit", pk=permit.pk)


@never_cache
@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone who scans the QR code sees whether the permit is valid, with name and ID masked."""
    return render(request, "residents/verify.html", {"result": selectors.verify_by_token(token)})


# --- staff ------------------------------------------------------------------------------------


def _decide(request: HttpRequest, application, action: str, context: dict) -> int | None:
    """Run one reviewer action; None when done, else the HTTP status of the refusal."""
    form: forms.Form | None = None
    if action == "approve":
        form = context["approve_form"] = resident_forms.ReasonForm(request.POST, prefix="approve")
        form.fields["reason"].required = False
    elif action == "reject":
        form = context["reject_form"] = resident_forms.ReasonForm(request.POST, prefix="reject")
    elif action == "return":
        form = context["return_form"] = resident_forms.ReturnForm(request.POST, prefix="return")
    elif action != "accept":
        return 400
    if form is not None and not form.is_valid():
        return 400
    try:
        if action == "accept":
            services.accept_permit_application(actor=request.user, application_id=application.pk)
        elif action == "approve":
            services.approve_permit_application(
                actor=request.user,
                application_id=application.pk,
                reason=form.cleaned_data["reason"],
            )
        elif action == "reject":
            services.reject_permit_application(
                actor=request.user,
                application_id=application.pk,
                reason=form.cleaned_data["reason"],
            )
        else:
            services.return_permit_application(
                actor=request.user, application_id=application.pk, reason=form.reason()
            )
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        if form is not None:
            _apply_error(form, exc)
        context["action_error"] = str(exc.message)
        return exc.status_code
    return None


@login_required
def review_permit(request: HttpRequest, case_id: int) -> HttpResponse:
    """The reviewer's page of one permit application: data, materials, history, decisions."""
    application = get_object_or_404(
        selectors.permit_applications_reviewable_by(request.user), case_id=case_id
    )
    context = _application_context(application)
    context.update(
        staff_view=True,
        problems=permit_services.submission_problems(application)
        if application.case.status in (Status.SUBMITTED, Status.IN_REVIEW)
        else {},
        approve_form=resident_forms.ReasonForm(prefix="approve"),
        reject_form=resident_forms.ReasonForm(prefix="reject"),
        return_form=resident_forms.ReturnForm(prefix="return"),
    )
    status = 200
    if request.method == "POST":
        refused = _decide(request, application, request.POST.get("action", ""), context)
        if refused is None:
            messages.success(request, _("The decision is recorded."))
            return redirect("residents:review_permit", case_id=case_id)
        status = refused
    return render(request, "residents/review_permit.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_persons(request: HttpRequest) -> HttpResponse:
    """Staff list the persons in their scope, narrowed by name (GET), or find one by exact ID
    number (keyed hash) with a reason (POST: a whole ID number never travels in a URL, a log
    line or the page). The list comes in pages of 50 by key (residents.pagination): no count."""
    if not _is_staff(request.user):
        raise Http404
    if request.method == "GET" and "id_number" in request.GET:
        return redirect("residents:staff_persons")
    if not throttling.page_allows(request):
        return render(request, "429.html", status=429)
    form = resident_forms.PersonSearchForm(request.POST or request.GET or None)
    results: list = []
    pages = None
    status = 200
    if form.is_valid() and form.cleaned_data["id_number"]:
        # A full ID number: only with the full-record right and a reason, each match logged.
        try:
            found = services.search_by_id_number(
                actor=request.user,
                id_number=form.cleaned_data["id_number"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
            status = exc.status_code
        else:
            name = form.cleaned_data["name"].strip()
            results = [p for p in found if name in p.name]
        # The page never shows a whole ID number back, not even the one typed.
        data = form.data.copy()
        data["id_number"] = ""
        form.data = data
    elif request.method == "GET" and (form.is_valid() or not form.is_bound):
        queryset = selectors.persons_in_staff_scope(request.user)
        if name := (form.cleaned_data["name"].strip() if form.is_bound else ""):
            queryset = queryset.filter(selectors.name_contains(name))
        pages = PersonPages()
        try:
            results = pages.paginate_queryset(queryset, Request(request))
        except DrfNotFound:
            raise Http404 from None
    return render(
        request,
        "residents/staff_persons.html",
        {
            "form": form,
            "results": results,
            "next_page": pages.get_next_link() if pages else None,
            "previous_page": pages.get_previous_link() if pages else None,
            "listed": pages is not None,
            "id_search": selectors.may_open_full_records(request.user),
        },
        status=status,
    )


@login_required
@never_cache
def staff_person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's record for staff: masked until the member of staff gives a reason, which is logged."""
    if not _is_staff(request.user):
        raise Http404
    if not throttling.page_allows(request):
        return render(request, "429.html", status=429)
    person = get_object_or_404(selectors.persons_in_staff_scope(request.user), pk=pk)
    form = resident_forms.AccessReasonForm(
        request.POST or None, initial={"reason": request.GET.get("reason", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.open_person_record(
                actor=request.user, person_id=person.pk, reason=form.cleaned_data["reason"]
            )
        except NotFound:
            raise Http404 from None
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            return render(
                request,
                "residents/staff_person_full.html",
                {
                    "person": person,
                    "history": selectors.registration_history(person),
                    "permits": selectors.permits_of_person(person),
                    "months": selectors.continuous_residence_months(person),
                    "reason": form.cleaned_data["reason"],
                },
            )
    return render(
        request,
        "residents/staff_person.html",
        {
            "person": person,
            "form": form,
            "current": selectors.current_registration(person),
            "origin_province": disclosure.origin_province(person.origin_code),
        },
    )


@login_required
@require_GET
def late_declarations(request: HttpRequest) -> HttpResponse:
    """Late declarations in the user's grids or districts, each with a form to verify the
    earlier start date with evidence (grid officers; public-security reviewers)."""
    if not _is_staff(request.user):
        raise Http404
    rows = [
        {
            "registration": registration,
            "form": resident_forms.VerifyStartForm(prefix=f"r{registration.pk}"),
        }
        for registration in selectors.late_declarations_verifiable_by(request.user)[:100]
    ]
    return render(request, "residents/late_declarations.html", {"rows": rows})


@login_required
@require_POST
def late_declaration_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify one late declaration's start date: htmx swaps the card (the errors shown in it,
    since htmx swaps only successful responses); without htmx, back to the list, or the card
    with its errors (400)."""
    registration = get_object_or_404(selectors.late_declarations_verifiable_by(request.user), pk=pk)
    form = resident_forms.VerifyStartForm(request.POST, prefix=f"r{registration.pk}")
    verified = False
    if form.is_valid():
        try:
            services.verify_registration_start(
                actor=request.user,
                registration_id=registration.pk,
                evidence=form.cleaned_data["evidence"],
            )
        except NotFound:
            raise Http404 from None
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            verified = True
    if request.htmx:
        return render(
            request,
            "residents/_late_declaration.html",
            {"row": {"registration": registration, "form": form}, "verified": verified},
        )
    if verified:
        messages.success(
            request,
            _("The start date is verified: residence now counts from %(date)s.")
            % {"date": date_format(registration.start_date)},
        )
        return redirect("residents:late_declarations")
    return render(
        request,
        "residents/late_declarations.html",
        {"rows": [{"registration": registration, "form": form}]},
        status=400,
    )
