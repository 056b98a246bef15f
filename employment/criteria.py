"""The targeting criteria the employment app offers to policy push (portal.notices).

Each reads residents' jobseeker profiles (what they told the portal about their work):
- employment.education: the highest education is one of the chosen levels;
- employment.skill_level: the skill level is one of the chosen levels;
- employment.status: the employment status is one of the chosen ones (e.g. looking for work);
- employment.trade: works in, or looks for work in, one of the chosen trades.

Registered from EmploymentConfig.ready() with `criteria.register()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

from employment.models import Education, EmploymentStatus, JobseekerProfile, SkillLevel, Trade
from portal.notices.criteria import register_criterion


def _choice_fields(label: Any, choices: type[TextChoices]) -> Callable[[], dict[str, forms.Field]]:
    def fields() -> dict[str, forms.Field]:
        return {
            "values": forms.MultipleChoiceField(
                label=label, choices=choices.choices, widget=forms.CheckboxSelectMultiple
            )
        }

    return fields


def _builder(column: str) -> Callable[[Mapping[str, Any], dt.date], Any]:
    def build(params: Mapping[str, Any], on: dt.date) -> Any:
        return JobseekerProfile.objects.filter(**{f"{column}__in": params["values"]}).values(
            "person_id"
        )

    return build


def _describer(choices: type[TextChoices]) -> Callable[[Mapping[str, Any]], str]:
    def describe(params: Mapping[str, Any]) -> str:
        labels = dict(choices.choices)
        return "、".join(str(labels.get(value, value)) for value in params.get("values", []))

    return describe


CRITERIA = (
    ("employment.education", gettext_lazy("Education"), "education", Education, 110),
    ("employment.skill_level", gettext_lazy("Skill level"), "skill_level", SkillLevel, 111),
    (
        "employment.status",
        gettext_lazy("Employment status"),
        "employment_status",
        EmploymentStatus,
        112,
    ),
    ("employment.trade", gettext_lazy("Trade"), "trade", Trade, 113),
)


def register() -> None:
    for code, label, column, choices, order in CRITERIA:
        register_criterion(
            code,
            label,
            _choice_fields(label, choices),
            _builder(column),
            describe=_describer(choices),
            help_text=gettext_lazy("From the resident's jobseeker profile."),
            order=order,
        )
