"""Forms of the points pages. They check shape only; the services decide.

A fact's input follows its value type: a number, a choice of levels, yes or no, a date, or a
list of dates (one per line). `value_field` builds it; `json_value` turns the cleaned input
into the fact's JSON form, the same the API takes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from points.models import FactType, RuleSet, Service, ValueType

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class DateListField(forms.CharField):
    """Dates, one per line (YYYY-MM-DD)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value) or ""
        days = []
        for raw in text.replace("，", "\n").replace(",", "\n").splitlines():
            raw = raw.strip()
            if not raw:
                continue
            try:
                days.append(dt.date.fromisoformat(raw).isoformat())
            except ValueError:
                raise forms.ValidationError(
                    _("%(value)s is not a date: write dates as 2024-05-01, one per line.")
                    % {"value": raw}
                ) from None
        return days


def value_field(fact_type: FactType, *, required: bool) -> forms.Field:
    """The input for one fact."""
    label = fact_type.display_label
    unit = fact_type.display_unit
    kind = fact_type.value_type
    if kind == ValueType.NUMBER:
        return forms.DecimalField(
            label=label,
            required=required,
            min_value=0,
            max_digits=12,
            decimal_places=2,
            help_text=unit,
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        )
    if kind == ValueType.LEVEL:
        return forms.MultipleChoiceField(
            label=label,
            required=required,
            choices=fact_type.level_choices(),
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Choose every one you hold; the highest counts."),
        )
    if kind == ValueType.FLAG:
        return forms.ChoiceField(
            label=label, required=required, choices=YES_NO, widget=forms.RadioSelect
        )
    if kind == ValueType.DATE:
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    return DateListField(
        label=label,
        required=False,
        help_text=_("One date per line, for example 2024-05-01. Leave empty for none."),
    )


def json_value(fact_type: FactType, cleaned: Any) -> Any:
    """A cleaned input as the fact's JSON value (None when left empty)."""
    kind = fact_type.value_type
    if cleaned in (None, "", []):
        return [] if kind == ValueType.EVENTS else None
    if kind == ValueType.NUMBER:
        number = float(cleaned)
        return int(number) if number.is_integer() else number
    if kind == ValueType.FLAG:
        return cleaned == "yes"
    if kind == ValueType.DATE:
        return cleaned.isoformat()
    return list(cleaned)


def initial_value(fact_type: FactType, value: Any) -> Any:
    """A fact's JSON value as the form's initial input."""
    if value is None:
        return None
    kind = fact_type.value_type
    if kind == ValueType.FLAG:
        return "yes" if value else "no"
    if kind == ValueType.EVENTS:
        return "\n".join(value)
    return value


class StartForm(forms.Form):
    service = forms.ChoiceField(
        label=gettext_lazy("Which service do you apply for?"), widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, services: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(s, Service(s).label) for s in services]


class ChooseFactForm(forms.Form):
    fact_type = forms.ChoiceField(label=gettext_lazy("What do you claim?"))

    def __init__(self, *args: Any, fact_types: list[FactType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fact_type"].choices = [("", "—")] + [
            (ft.code, ft.display_label) for ft in fact_types
        ]


class ClaimForm(forms.Form):
    """The value of one claim, and a short explanation."""

    note = forms.CharField(
        label=gettext_lazy("Explanation for the reviewer"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, fact_type: FactType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fact_type = fact_type
        self.fields = {"value": value_field(fact_type, required=True), **self.fields}

    def value(self) -> Any:
        return json_value(self.fact_type, self.cleaned_data.get("value"))


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Evidence (JPEG, PNG or PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )


class VerifyForm(forms.Form):
    """A reviewer's approval: the value the records show (by default what was claimed)."""

    def __init__(self, *args: Any, fact_type: FactType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fact_type = fact_type
        field = value_field(fact_type, required=False)
        field.label = gettext_lazy("Value confirmed by the records")
        self.fields["value"] = field

    def value(self) -> Any:
        """The confirmed value, or None to confirm what was claimed (events: the list, even empty)."""
        return json_value(self.fact_type, self.cleaned_data.get("value"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


# Calculator inputs for registry facts (the registry knows them for signed-in residents).
REGISTRY_INPUTS = {
    "birth_date": "birth_date",
    "residence_periods": "residence_since",
    "has_permit": "has_permit",
    "zone": "zone",
}


class CalculatorForm(forms.Form):
    """模拟估分: every fact the chosen rules read, all optional."""

    rule_set = forms.ModelChoiceField(
        label=gettext_lazy("Points rules"), queryset=RuleSet.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        rule_sets: Any,
        fact_types: list[FactType],
        zones: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule_set"].queryset = rule_sets
        self.fields["rule_set"].empty_label = None
        self.fact_types = {ft.code: ft for ft in fact_types}
        for ft in fact_types:
            if ft.code == "birth_date":
                self.fields["birth_date"] = forms.DateField(
                    label=gettext_lazy("Birth date"),
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            elif ft.code == "residence_periods":
                self.fields["residence_since"] = forms.DateField(
                    label=gettext_lazy("Registered here without a break since"),
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            elif ft.code == "residence_restart":
                continue
            elif ft.code == "has_permit":
                self.fields["has_permit"] = forms.ChoiceField(
                    label=gettext_lazy("Do you hold a valid residence permit?"),
                    choices=YES_NO,
                    required=False,
                    widget=forms.RadioSelect,
                )
            elif ft.code == "zone":
                if zones:
                    self.fields["zone"] = forms.ChoiceField(
                        label=gettext_lazy("Where do you live?"),
                        choices=[("", gettext_lazy("Elsewhere")), *zones],
                        required=False,
                    )
            else:
                self.fields[ft.code] = value_field(ft, required=False)

    def facts(self) -> dict[str, Any]:
        """The inputs as facts in JSON form (empty inputs left out)."""
        data = self.cleaned_data
        found: dict[str, Any] = {}
        if data.get("birth_date"):
            found["birth_date"] = data["birth_date"].isoformat()
        if data.get("residence_since"):
            found["residence_periods"] = [[data["residence_since"].isoformat(), None]]
        if data.get("has_permit"):
            found["has_permit"] = data["has_permit"] == "yes"
        if data.get("zone"):
            found["zone"] = [data["zone"]]
        for code, ft in self.fact_types.items():
            if code in REGISTRY_INPUTS or code not in self.fields:
                continue
            value = json_value(ft, data.get(code))
            if value not in (None, []):
                found[code] = value
        return found


class RankingForm(forms.Form):
    service = forms.ChoiceField(label=gettext_lazy("Service"), choices=Service.choices)
    round_name = forms.CharField(label=gettext_lazy("Round"), max_length=100)
    applications_from = forms.DateField(
        label=gettext_lazy("Applications from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    applications_until = forms.DateField(
        label=gettext_lazy("Applications until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your objection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
