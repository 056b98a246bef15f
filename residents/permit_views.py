"""Pages of the permit beyond the counter: the living QR code and the printable PDFs.

Thin like residents.views: reads through residents.selectors, renders, and leaves the rules to
the selectors and services.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import throttling
from portal.errors import ApplicationError
from residents import documents, idnumber, selectors
from residents.models import DeliveryStatus, PermitState
from residents.services import delivery, transfers


def qr_data_uri(text: str, *, scale: int = 5) -> str:
    """An SVG QR code of `text` as a data: URL (pages and PDFs embed it without a fetch)."""
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)


def qr_refresh_seconds() -> int:
    """How often the holder's page fetches a new code: three times per token lifetime."""
    return max(1, settings.PERMIT_TOKEN_LIFETIME_SECONDS // 3)


def permit_qr_context(request: HttpRequest, permit) -> dict:
    """The QR code and verify link of a fresh token, for the e-permit page and its refresh."""
    verify_url = request.build_absolute_uri(
        reverse("residents:verify", args=[selectors.verify_token(permit)])
    )
    return {
        "permit": permit,
        "qr": qr_data_uri(verify_url),
        "verify_url": verify_url,
        "qr_refresh_seconds": qr_refresh_seconds(),
    }


@login_required
@never_cache
@require_GET
def permit_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The e-permit's QR code with a new token (htmx polls it; a cancelled permit has none)."""
    permit = get_object_or_404(selectors.permits_held_by(request.user), pk=pk)
    if permit.state_on(timezone.localdate()) == PermitState.CANCELLED:
        return HttpResponse(status=286)  # htmx: stop polling
    return render(request, "residents/_permit_qr.html", permit_qr_context(request, permit))


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@require_GET
def permit_card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The permit card as PDF, for the holder (and the guardian of a dependant); none of a
    cancelled permit."""
    permit = get_object_or_404(selectors.permits_held_by(request.user), pk=pk)
    if permit.state_on(timezone.localdate()) == PermitState.CANCELLED:
        raise Http404
    verify_url = request.build_absolute_uri(reverse("residents:verify_card", args=[permit.number]))
    content = documents.permit_card_pdf(permit, verify_url=verify_url, qr=qr_data_uri(verify_url))
    return _pdf_response(content, f"permit-{permit.number}.pdf")


@login_required
@never_cache
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The residence registration certificate (居住登记凭证) as PDF, for the household."""
    registration = get_object_or_404(selectors.household_registrations(request.user), pk=pk)
    verify_url = request.build_absolute_uri(
        reverse("residents:verify_certificate", args=[documents.certificate_token(registration)])
    )
    content = documents.certificate_pdf(
        registration, verify_url=verify_url, qr=qr_data_uri(verify_url)
    )
    return _pdf_response(content, f"registration-{registration.pk}.pdf")


class CardCheckForm(forms.Form):
    id_number = forms.CharField(label=_("Holder's ID number"), max_length=20)


@never_cache
@require_http_methods(["GET", "POST"])
def verify_card(request: HttpRequest, number: str) -> HttpResponse:
    """The printed card's QR code: the checker enters the ID number on the holder's ID card, and
    learns what `POST /api/v1/permits/verify/` answers (limited per client like a sign-in)."""
    form = CardCheckForm(request.POST or None)
    result = None
    if request.method == "POST":
        if not throttling.page_allows(request, throttles=(throttling.TokenLoginThrottle,)):
            return render(request, "429.html", status=429)
        if form.is_valid():
            try:
                parsed = idnumber.parse(form.cleaned_data["id_number"])
            except ApplicationError as exc:
                form.add_error("id_number", str(exc.message))
            else:
                result = selectors.verify_by_number(number, parsed.number)
    return render(
        request, "residents/verify_card.html", {"form": form, "number": number, "result": result}
    )


@never_cache
@require_GET
def verify_certificate(request: HttpRequest, token: str) -> HttpResponse:
    """The certificate's QR code: is this registration current? Name and ID number masked."""
    registration = documents.registration_by_certificate_token(token)
    return render(
        request,
        "residents/verify_certificate.html",
        {
            "registration": registration,
            "name_masked": selectors.mask_name(registration.person.name) if registration else "",
        },
    )


@login_required
@require_POST
def permit_delivery_choice(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick-up or courier (address, phone) for an application's card; errors come back at once."""
    application = get_object_or_404(selectors.permit_applications_of(request.user), pk=pk)
    try:
        delivery.choose_delivery(
            actor=request.user,
            application_id=application.pk,
            method=request.POST.get("method", ""),
            address=request.POST.get("address", ""),
            phone=request.POST.get("phone", ""),
        )
    except ApplicationError as exc:
        for field_messages in exc.fields.values():
            for message in field_messages:
                messages.error(request, message)
        if not exc.fields:
            messages.error(request, str(exc.message))
    else:
        messages.success(request, gettext("The way to receive the card is saved."))
    return redirect("residents:permit_application", pk=application.pk)


class TransferForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Whose permit"), coerce=int)
    peer = forms.ChoiceField(label=_("City that issued the permit"))
    number = forms.CharField(label=_("Permit number"), max_length=20)

    def __init__(self, *args, persons=(), peers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in persons]
        self.fields["peer"].choices = [(p.code, p.name) for p in peers]


@login_required
@require_http_methods(["GET", "POST"])
def permit_transfer(request: HttpRequest) -> HttpResponse:
    """转换互认: a permit of another city of the province, checked with that city, counted here."""
    form = TransferForm(
        request.POST or None,
        persons=list(selectors.household_of(request.user)),
        peers=list(selectors.active_peer_cities()),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                transfer = transfers.transfer_permit_in(
                    actor=request.user,
                    person_id=form.cleaned_data["person"],
                    peer_code=form.cleaned_data["peer"],
                    peer_permit_number=form.cleaned_data["number"],
                )
            except ApplicationError as exc:
                status = exc.status_code
                placed = False
                for field, field_messages in exc.fields.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
                        placed = True
                if not placed or exc.code in ("peer_unavailable", "not_eligible"):
                    form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    gettext(
                        "The permit of %(city)s is recognised: it counts as %(months)s months "
                        "of residence here."
                    )
                    % {"city": transfer.peer.name, "months": transfer.months_recognised},
                )
                return redirect("residents:permit_transfer")
        else:
            status = 400
    return render(
        request,
        "residents/permit_transfer.html",
        {"form": form, "transfers": list(selectors.transfers_of(request.user))},
        status=status,
    )


class DeliveryStepForm(forms.Form):
    status = forms.ChoiceField(choices=DeliveryStatus.choices)
    waybill = forms.CharField(max_length=40, required=False)
    reason = forms.CharField(max_length=500, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def staff_deliveries(request: HttpRequest) -> HttpResponse:
    """Public security staff: cards to print for the courier, and deliveries to move on (their
    districts only; anyone else gets 404)."""
    if not selectors.sends_cards(request.user):
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("permit"):
                delivery.start_card_delivery(
                    actor=request.user, permit_id=int(request.POST["permit"])
                )
            else:
                form = DeliveryStepForm(request.POST)
                if not form.is_valid():
                    raise ApplicationError(gettext("Please correct the delivery step."))
                delivery.move_card_delivery(
                    actor=request.user,
                    delivery_id=int(request.POST.get("delivery", "0") or 0),
                    to_status=form.cleaned_data["status"],
                    waybill=form.cleaned_data["waybill"],
                    reason=form.cleaned_data["reason"],
                )
        except (ValueError, ApplicationError) as exc:
            problems = getattr(exc, "fields", {}) or {}
            for field_messages in problems.values():
                for message in field_messages:
                    messages.error(request, message)
            if not problems:
                messages.error(request, str(getattr(exc, "message", exc)))
        else:
            messages.success(request, gettext("The delivery is updated."))
        return redirect("residents:staff_deliveries")
    return render(
        request,
        "residents/staff_deliveries.html",
        {
            "to_send": list(selectors.cards_to_send_by(request.user)),
            "deliveries": list(
                selectors.deliveries_managed_by(request.user)
                .filter(status__in=[DeliveryStatus.PRINTED, DeliveryStatus.HANDED_OVER])
                .order_by("updated_at")
            ),
        },
    )
