from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class IndicatorValueForm(forms.Form):
    """An indicator's value for a year (shape only; the service checks the rules)."""

    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=4)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("Where the figure comes from, e.g. the statistical yearbook and its table."),
    )
    published_on = forms.DateField(
        label=_("Date of the source"), widget=forms.DateInput(attrs={"type": "date"})
    )
