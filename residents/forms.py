"""Forms of the residents' pages. They check shape only; the services decide the rules."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from portal.areas.widgets import DivisionCodePicker
from portal.errors import InvalidInput
from residents import idnumber
from residents.models import Basis, Education, MaterialKind, Reason, Relation

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=20,
        help_text=_("18 characters. Birth date and sex are read from it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    origin_code = forms.CharField(
        label=_("Hukou place"),
        max_length=12,
        required=False,
        help_text=_(
            "Choose the place from the lists. For a place elsewhere, type its division code "
            "(6 or 12 digits, for example 330304) if you know it; you may leave it empty."
        ),
        widget=DivisionCodePicker(),
    )
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *Education.choices], required=False
    )
    employer = forms.CharField(label=_("Employer"), max_length=200, required=False)

    def clean_id_number(self) -> str:
        try:
            return idnumber.parse(self.cleaned_data["id_number"]).number
        except InvalidInput as exc:
            raise forms.ValidationError(exc.fields["id_number"]) from None


class DependantForm(PersonForm):
    relation = forms.ChoiceField(label=_("Relation to you"), choices=Relation.choices)

    field_order = ["relation", "name", "id_number", "phone", "origin_code", "education", "employer"]


class PersonDetailsForm(forms.Form):
    phone = PersonForm.base_fields["phone"]
    origin_code = PersonForm.base_fields["origin_code"]
    education = PersonForm.base_fields["education"]
    employer = PersonForm.base_fields["employer"]


class AddressSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find your address"),
        max_length=100,
        required=False,
        help_text=_("Type the road and door number, for example 人民路 12."),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "hx-get": reverse_lazy("residents:address_search"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#address-results",
            }
        ),
    )


class RegistrationForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Who lives there"), coerce=int)
    address = forms.IntegerField(label=_("Address"), widget=forms.HiddenInput)
    start_date = forms.DateField(label=_("Living there since"), widget=DATE_INPUT)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    moving = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, persons=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in persons]


class DepartForm(forms.Form):
    end_date = forms.DateField(label=_("Moved away on"), widget=DATE_INPUT)


class PermitStartForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Who is the permit for"), coerce=int)
    basis = forms.ChoiceField(
        label=_("Basis of the application"), choices=Basis.choices, widget=forms.RadioSelect
    )
    basis_detail = forms.CharField(
        label=_("Employer, tenancy or school"),
        max_length=200,
        help_text=_("Name the employer, the address of the home or tenancy, or the school."),
        error_messages={
            "required": _("Please name the employer, the tenancy or home, or the school.")
        },
    )

    def __init__(self, *args, persons=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in persons]


class PermitBasisForm(forms.Form):
    basis = PermitStartForm.base_fields["basis"]
    basis_detail = PermitStartForm.base_fields["basis_detail"]


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is the file"), choices=MaterialKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("JPEG, PNG or PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# What a reviewer most often finds missing: ticked items are listed together in one return.
RETURN_ITEMS = [
    ("photo", _("A clear recent photo (bare head, white background)")),
    ("id", _("A readable copy of the ID card, both sides")),
    ("employment", _("Proof of employment: labour contract or employer's certificate")),
    ("residence", _("Proof of residence: property deed or registered tenancy")),
    ("study", _("Proof of study: school enrolment certificate")),
]


class ReturnForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("What is missing"),
        choices=RETURN_ITEMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other = forms.CharField(
        label=_("Anything else"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def reason(self) -> str:
        labels = dict(RETURN_ITEMS)
        lines = [str(labels[item]) for item in self.cleaned_data.get("items", [])]
        other = (self.cleaned_data.get("other") or "").strip()
        if other:
            lines.append(other)
        return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))


class AccessReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you opening this record?"),
        max_length=500,
        help_text=_("For example: reviewing application JZZ-2026-000012. The reason is logged."),
    )


class VerifyStartForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence of the earlier start date"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: tenancy contract of 2024-01-02 seen; landlord confirms."),
    )


class PersonSearchForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    reason = forms.CharField(
        label=_("Reason for searching by ID number (logged)"), max_length=500, required=False
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
