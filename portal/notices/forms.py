"""Forms of the notices pages. They check shape only; the services decide.

The target form shows every registered criterion as a group: a box to use it, and its own
parameter fields (prefixed by the criterion's code). Only the ticked groups become the target;
their parameters are checked by the criterion itself (criteria.clean_target).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Department
from portal.notices import criteria
from portal.notices.models import OPTIONAL_CHANNELS, Channel, Policy
from portal.notices.services import PolicyInput


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PolicyForm(forms.Form):
    title = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the policy offers, who it is for and how to use it. Plain text."),
    )
    body_en = forms.CharField(
        label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    department = forms.ChoiceField(label=_("Issuing department"), required=False)
    starts_on = forms.DateField(label=_("In force from"), widget=DateInput())
    ends_on = forms.DateField(label=_("In force until"), widget=DateInput(), required=False)
    link = forms.CharField(
        label=_("Link for more information"),
        max_length=300,
        required=False,
        help_text=_("A page of this portal (starting with /) or an https:// address."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Also send by"),
        choices=[(c.value, c.label) for c in OPTIONAL_CHANNELS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every notice goes to the resident's portal inbox."),
    )
    grant_name = forms.CharField(
        label=_("Benefit granted without applying (Chinese)"),
        max_length=100,
        required=False,
        help_text=_("For example 租房补贴. Leave empty for a notice without a benefit."),
    )
    grant_name_en = forms.CharField(
        label=_("Benefit granted (English)"), max_length=100, required=False
    )
    grant_amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=10, decimal_places=2, required=False, min_value=0
    )

    def __init__(self, *args: Any, choose_department: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if choose_department:
            self.fields["department"].choices = [
                (d.code, d.display_name) for d in Department.objects.order_by("code")
            ]
            self.fields["department"].required = True
        else:
            del self.fields["department"]

    @staticmethod
    def initial_from(policy: Policy) -> dict[str, Any]:
        return {
            "title": policy.title,
            "title_en": policy.title_en,
            "body": policy.body,
            "body_en": policy.body_en,
            "department": policy.department.code,
            "starts_on": policy.starts_on,
            "ends_on": policy.ends_on,
            "link": policy.link,
            "channels": list(policy.channels),
            "grant_name": policy.grant_name,
            "grant_name_en": policy.grant_name_en,
            "grant_amount": policy.grant_amount,
        }

    def to_input(self, target: list[dict[str, Any]]) -> PolicyInput:
        data = self.cleaned_data
        return PolicyInput(
            title=data["title"],
            title_en=data.get("title_en", ""),
            body=data["body"],
            body_en=data.get("body_en", ""),
            department=data.get("department") or None,
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            link=data.get("link", ""),
            channels=tuple(data.get("channels") or ()),
            grant_name=data.get("grant_name", ""),
            grant_name_en=data.get("grant_name_en", ""),
            grant_amount=data.get("grant_amount"),
            target=target,
        )


def field_key(code: str) -> str:
    """A criterion's code as a form-field prefix (no dots in HTML ids)."""
    return code.replace(".", "-")


class TargetForm(forms.Form):
    """Every registered criterion: a "use" box and its parameters, prefixed by the criterion."""

    def __init__(self, *args: Any, target: list[dict[str, Any]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = criteria.all_criteria()
        chosen = {item["criterion"]: item.get("params") or {} for item in target or []}
        self.param_names: dict[str, list[str]] = {}
        for criterion in self.criteria:
            key = field_key(criterion.code)
            self.fields[f"use__{key}"] = forms.BooleanField(
                label=criterion.label,
                required=False,
                help_text=criterion.help_text,
                initial=criterion.code in chosen,
            )
            names = []
            for name, field in criterion.fields().items():
                field.required = False
                if criterion.code in chosen and name in chosen[criterion.code]:
                    field.initial = chosen[criterion.code][name]
                self.fields[f"{key}__{name}"] = field
                names.append(name)
            self.param_names[criterion.code] = names

    def groups(self) -> list[tuple[criteria.Criterion, forms.BoundField, list[forms.BoundField]]]:
        rows = []
        for criterion in self.criteria:
            key = field_key(criterion.code)
            rows.append(
                (
                    criterion,
                    self[f"use__{key}"],
                    [self[f"{key}__{name}"] for name in self.param_names[criterion.code]],
                )
            )
        return rows

    def raw_target(self) -> list[dict[str, Any]]:
        """The ticked criteria with their parameters as typed (the criteria check them)."""
        target = []
        for criterion in self.criteria:
            key = field_key(criterion.code)
            if self.data.get(f"use__{key}") not in ("on", "true", "True", "1"):
                continue
            params: dict[str, Any] = {}
            for name in self.param_names[criterion.code]:
                data_key = f"{key}__{name}"
                if isinstance(self.fields[data_key], forms.MultipleChoiceField):
                    params[name] = self.data.getlist(data_key)
                elif self.data.get(data_key, "") != "":
                    params[name] = self.data.get(data_key)
            target.append({"criterion": criterion.code, "params": params})
        return target

    def place_errors(self, fields: dict[str, list[str]]) -> list[str]:
        """Put `target.<code>.<param>` messages on their fields; return the others."""
        rest: list[str] = []
        for key, messages in fields.items():
            field = self._field_for(key)
            if field is None:
                rest.extend(messages)
                continue
            for message in messages:
                self.add_error(field, message)
        return rest

    def _field_for(self, key: str) -> str | None:
        if not key.startswith("target."):
            return None
        rest = key.removeprefix("target.")
        for criterion in self.criteria:
            use = f"use__{field_key(criterion.code)}"
            if rest == criterion.code:
                return use
            if rest.startswith(criterion.code + "."):
                name = f"{field_key(criterion.code)}__{rest.removeprefix(criterion.code + '.')}"
                return name if name in self.fields else use
        return None


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"), widget=forms.Textarea(attrs={"rows": 3})
    )


class PreferencesForm(forms.Form):
    """The channels besides the inbox that the resident wants to receive policy notices by."""

    sms = forms.BooleanField(label=Channel.SMS.label, required=False)
    email = forms.BooleanField(label=Channel.EMAIL.label, required=False)
