"""Forms of the housing pages. They check shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from housing.models import UnitType
from portal.areas.models import Area, Level


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        district = obj.district.display_name if obj.district_id else ""
        community = obj.parent.display_name if obj.parent_id else ""
        return f"{district} {community} {obj.display_name}".strip()


class RentalHomeForm(forms.Form):
    grid = GridChoiceField(
        label=_("Grid (community area)"),
        queryset=Area.objects.filter(level=Level.GRID).select_related("district", "parent"),
    )
    road = forms.CharField(label=_("Road or street"), max_length=100)
    number = forms.CharField(label=_("Door number"), max_length=20)
    building = forms.CharField(label=_("Building"), max_length=20, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    room = forms.CharField(label=_("Room"), max_length=20, required=False)
    owner_name = forms.CharField(
        label=_("Owner"), max_length=50, help_text=_("As written on the property certificate.")
    )
    property_certificate = forms.CharField(label=_("Property certificate number"), max_length=40)
    rooms = forms.IntegerField(label=_("Rooms"), min_value=1, max_value=50)
    floor_area = forms.DecimalField(
        label=_("Floor area (m²)"), min_value=1, max_digits=7, decimal_places=2
    )
    max_occupants = forms.IntegerField(
        label=_("Maximum number of occupants"),
        min_value=1,
        max_value=200,
        help_text=_("More people registered here than this is flagged to the grid officer."),
    )


class TenantForm(forms.Form):
    name = forms.CharField(label=_("Tenant's name"), max_length=50)
    id_number = forms.CharField(
        label=_("Tenant's ID number"),
        max_length=20,
        help_text=_("18 characters, as on the resident ID card."),
    )
    phone = forms.CharField(label=_("Tenant's mobile number"), max_length=20, required=False)
    start_date = forms.DateField(
        label=_("Moved in on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class EndTenancyForm(forms.Form):
    end_date = forms.DateField(
        label=_("Moved out on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"end_date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ApplicationForm(forms.Form):
    unit_type = forms.ChoiceField(label=_("Unit type"), choices=UnitType.choices)
    owns_no_home = forms.BooleanField(
        label=_("I declare that nobody in my household owns a home in this city."),
        required=False,
    )

    def __init__(self, *args, unit_types: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if unit_types is not None:
            self.fields["unit_type"].choices = [
                (value, label) for value, label in UnitType.choices if value in unit_types
            ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
