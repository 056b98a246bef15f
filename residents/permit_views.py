"""Pages of the permit beyond the counter: the living QR code and the printable PDFs.

Thin like residents.views: reads through residents.selectors, renders, and leaves the rules to
the selectors and services.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from residents import selectors
from residents.models import PermitState


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
