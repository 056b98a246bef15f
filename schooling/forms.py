"""Forms of the schooling pages. They check shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from schooling.models import MaterialKind, Tenure

MAX_CHOICES = 5


class ApplyForm(forms.Form):
    child = forms.TypedChoiceField(label=_("Child"), coerce=int, widget=forms.RadioSelect)
    tenure = forms.ChoiceField(
        label=_("How is the family housed?"),
        choices=Tenure.choices,
        widget=forms.RadioSelect,
        help_text=_("An owned or rented home in a school's catchment gives priority there."),
    )

    def __init__(self, *args, children: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = children


class HousingForm(forms.Form):
    tenure = forms.ChoiceField(
        label=_("How is the family housed?"), choices=Tenure.choices, widget=forms.RadioSelect
    )


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is the file?"), choices=MaterialKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("JPEG, PNG or PDF, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )


class PreferencesForm(forms.Form):
    """Up to five schools, most wanted first; empty choices at the end are ignored."""

    def __init__(self, *args, schools: list[tuple[int, str]], count: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("(none)")), *schools]
        for rank in range(1, min(count, MAX_CHOICES) + 1):
            self.fields[f"choice_{rank}"] = forms.TypedChoiceField(
                label=_("Choice %(rank)s") % {"rank": rank},
                choices=options,
                coerce=int,
                empty_value=None,
                required=rank == 1,
            )

    def school_ids(self) -> list[int]:
        return [
            self.cleaned_data[name]
            for name in self.fields
            if self.cleaned_data.get(name) is not None
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = [cleaned.get(name) for name in self.fields]
        seen: set[int] = set()
        for name, value in zip(self.fields, chosen, strict=True):
            if value is None:
                continue
            if value in seen:
                self.add_error(name, _("Each school may be listed once."))
            seen.add(value)
        return cleaned


class SeedForm(forms.Form):
    seed = forms.CharField(
        label=_("Lottery seed"),
        max_length=128,
        required=False,
        help_text=_("A seed drawn in public, or leave empty for a random one."),
    )
