"""Forms of the projection pages: they check shape only; services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.areas.models import Area, Level


def parse_series(text: str) -> list[list[float]]:
    """'2020:1.2, 2030:1.8' -> [[2020, 1.2], [2030, 1.8]]; raises ValueError on bad shape."""
    points = []
    for part in text.replace("，", ",").replace("：", ":").split(","):
        if not part.strip():
            continue
        year, value = part.split(":")
        points.append([int(year.strip()), float(value.strip())])
    return points


def format_series(points: list[list[float]]) -> str:
    return ", ".join(f"{int(year)}:{value:g}" for year, value in points)


class SeriesField(forms.CharField):
    def to_python(self, value: Any) -> list[list[float]]:
        text = super().to_python(value)
        try:
            return parse_series(text)
        except ValueError:
            raise forms.ValidationError(
                _("Write each year and value as year:value, separated by commas.")
            ) from None


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tfr = SeriesField(
        label=_("Total fertility rate by year"),
        help_text=_("Year:value pairs, interpolated in between, e.g. 2020:1.2, 2030:1.8"),
    )
    life_expectancy = SeriesField(
        label=_("Life expectancy at birth by year"),
        help_text=_("Year:value pairs, e.g. 2020:79.75, 2030:81"),
    )
    life_expectancy_gap = forms.FloatField(label=_("Women's life expectancy above men's (years)"))
    sex_ratio_at_birth = forms.FloatField(label=_("Sex ratio at birth (boys per 100 girls)"))
    migration_years = forms.TypedChoiceField(
        label=_("Years of registry arrivals and departures that set migration"),
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
    )
    migration_factor = forms.FloatField(label=_("Factor on net migration"))
    brass_beta = forms.FloatField(label=_("Brass logit slope (beta)"))
    horizon = forms.IntegerField(label=_("Years ahead"))
    persons_per_job = forms.FloatField(label=_("Persons arriving per new job"))
    housing_application_rate = forms.FloatField(
        label=_("Share of eligible adults who apply for affordable housing")
    )

    ASSUMPTION_FIELDS = (
        "tfr",
        "life_expectancy",
        "life_expectancy_gap",
        "sex_ratio_at_birth",
        "migration_years",
        "migration_factor",
        "brass_beta",
        "horizon",
        "persons_per_job",
        "housing_application_rate",
    )

    @classmethod
    def initial_from(cls, name: str, description: str, assumptions: dict) -> dict[str, Any]:
        initial: dict[str, Any] = {"name": name, "description": description}
        for key in cls.ASSUMPTION_FIELDS:
            value = assumptions.get(key)
            initial[key] = format_series(value) if key in ("tfr", "life_expectancy") else value
        return initial

    def assumptions(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in self.ASSUMPTION_FIELDS}


def _districts() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Area.objects.filter(level=Level.DISTRICT).order_by("code"),
        label=_("District"),
        required=False,
    )


class DecisionForm(forms.Form):
    """A planner's decision: new jobs, a new school, a changed points threshold (any of them)."""

    name = forms.CharField(label=_("Name of the assessment"), max_length=100)
    description = forms.CharField(
        label=_("The decision described"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    jobs_district = _districts()
    jobs_from_year = forms.IntegerField(label=_("Jobs from year"), required=False)
    jobs = forms.IntegerField(label=_("New jobs"), required=False, min_value=0)
    school_district = _districts()
    school_from_year = forms.IntegerField(label=_("School opens in year"), required=False)
    school_seats = forms.IntegerField(
        label=_("Seats for non-hukou children per year"), required=False, min_value=0
    )
    points_threshold = forms.DecimalField(
        label=_("New points threshold for affordable housing"), required=False, min_value=0
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        groups = {
            "jobs": ("jobs_district", "jobs_from_year", "jobs"),
            "school": ("school_district", "school_from_year", "school_seats"),
        }
        for fields in groups.values():
            given = [data.get(f) not in (None, "") for f in fields]
            if any(given) and not all(given):
                for field, present in zip(fields, given, strict=True):
                    if not present:
                        self.add_error(field, _("Fill in all three, or none."))
        if not self.errors and not self.decisions():
            raise forms.ValidationError(_("Describe at least one decision."))
        return data

    def decisions(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        out: list[dict[str, Any]] = []
        if data.get("jobs_district") and data.get("jobs") is not None:
            out.append(
                {
                    "kind": "jobs",
                    "district": data["jobs_district"].pk,
                    "from_year": data["jobs_from_year"],
                    "jobs": data["jobs"],
                }
            )
        if data.get("school_district") and data.get("school_seats") is not None:
            out.append(
                {
                    "kind": "school",
                    "district": data["school_district"].pk,
                    "from_year": data["school_from_year"],
                    "seats": data["school_seats"],
                }
            )
        if data.get("points_threshold") is not None:
            out.append({"kind": "points_threshold", "threshold": float(data["points_threshold"])})
        return out


class CompareForm(forms.Form):
    a = forms.IntegerField(widget=forms.HiddenInput)
    b = forms.IntegerField(widget=forms.HiddenInput)
