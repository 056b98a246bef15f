"""The grid officer's page to settle a discrepancy of the nightly reconciliation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import ApplicationError, NotFound
from residents.models import Disposition
from residents.reconciliation import dispositions, selectors


class SettleForm(forms.Form):
    disposition = forms.ChoiceField(
        label=gettext_lazy("Disposition"), choices=Disposition.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


@login_required
def settle(request: HttpRequest, pk: int) -> HttpResponse:
    """Settle the unsettled discrepancies of one verification task (outside the grids: 404)."""
    discrepancy = (
        selectors.discrepancies_settleable_by(request.user)
        .filter(task_id=pk, disposition="")
        .select_related("run__feed", "address", "person")
        .order_by("-id")
        .first()
    )
    if discrepancy is None:
        raise Http404
    form = SettleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dispositions.settle_discrepancy(
                    actor=request.user,
                    discrepancy_id=discrepancy.pk,
                    disposition=form.cleaned_data["disposition"],
                    reason=form.cleaned_data["reason"],
                )
            except NotFound:
                raise Http404 from None
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
                for field, problems in exc.fields.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, _("The discrepancy is settled."))
                return redirect("residents:field_address", pk=discrepancy.address_id)
        status = 400
    return render(
        request,
        "residents/field/settle.html",
        {
            "discrepancy": discrepancy,
            "evidence": dispositions.evidence_text(discrepancy),
            "form": form,
        },
        status=status,
    )
