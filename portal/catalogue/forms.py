from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.catalogue.models import RatingLevel
from portal.catalogue.services import MAX_TEXT


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("How satisfied are you with how this application was handled?"),
        choices=RatingLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose one of the five ratings.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the applicant"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please write the answer to the applicant.")},
    )
