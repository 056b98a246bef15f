"""The employment forms: they check shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from employment.models import (
    CourseMode,
    Education,
    EmploymentStatus,
    SkillLevel,
    Trade,
    TrainingTopic,
    WorkerUpload,
)
from portal.areas.models import Area, Level

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _districts() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("District"), queryset=Area.objects.filter(level=Level.DISTRICT).order_by("code")
    )


class EmployerForm(forms.Form):
    name = forms.CharField(label=_("Enterprise name"), max_length=100)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, as on the business licence (统一社会信用代码)."),
    )
    district = _districts()
    trade = forms.ChoiceField(label=_("Trade"), choices=Trade.choices)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)


class WorkerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    start_date = forms.DateField(label=pgettext_lazy("employment", "Start date"), widget=DATE)
    job_title = forms.CharField(label=_("Job"), max_length=50, required=False)
    dormitory = forms.TypedChoiceField(
        label=_("Lives in the dormitory"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, dormitories=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dormitory"].choices = [("", _("Not in a dormitory"))] + [
            (d.pk, f"{d.pk} · {d.address.text}") for d in dormitories
        ]


class WorkerEndForm(forms.Form):
    end_date = forms.DateField(label=pgettext_lazy("employment", "End date"), widget=DATE)
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)


class UploadForm(forms.Form):
    action = forms.ChoiceField(
        label=_("The list declares"),
        choices=WorkerUpload.Action.choices,
        widget=forms.RadioSelect,
        initial=WorkerUpload.Action.START,
    )
    file = forms.FileField(
        label=_("Worker list"),
        help_text=_(
            "Excel (.xlsx) or CSV. First row: 姓名, 身份证号, 入职日期 (or 离职日期), and "
            "optionally 岗位 and 宿舍编号."
        ),
    )


class DormitoryForm(forms.Form):
    address = forms.CharField(
        label=_("Standard address"),
        max_length=200,
        help_text=_("Type the address as registered; it must match one standard address."),
    )
    capacity = forms.IntegerField(label=_("Beds"), min_value=1, max_value=2000)


class PostingForm(forms.Form):
    title = forms.CharField(label=_("Job title"), max_length=100)
    trade = forms.ChoiceField(label=_("Trade"), choices=Trade.choices)
    district = _districts()
    pay_min = forms.IntegerField(label=_("Monthly pay from (yuan)"), min_value=0)
    pay_max = forms.IntegerField(label=_("Monthly pay up to (yuan)"), min_value=0)
    openings = forms.IntegerField(label=_("Openings"), min_value=1, initial=1)
    skills = forms.CharField(
        label=_("Skills"), max_length=300, required=False, help_text=_("Separated by commas.")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))


class JobSearchForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=Area.objects.filter(level=Level.DISTRICT).order_by("code"),
        required=False,
    )
    trade = forms.ChoiceField(
        label=_("Trade"), choices=[("", _("Any trade")), *Trade.choices], required=False
    )
    pay = forms.IntegerField(label=_("Monthly pay at least (yuan)"), min_value=0, required=False)
    skills = forms.CharField(label=_("Skills"), max_length=100, required=False)


class ProfileForm(forms.Form):
    education = forms.ChoiceField(label=_("Education"), choices=Education.choices)
    skill_level = forms.ChoiceField(label=_("Skill level"), choices=SkillLevel.choices)
    employment_status = forms.ChoiceField(
        label=_("Employment status"), choices=EmploymentStatus.choices
    )
    trade = forms.ChoiceField(label=_("Trade"), choices=Trade.choices)
    skills = forms.CharField(
        label=_("Skills"), max_length=300, required=False, help_text=_("Separated by commas.")
    )
    summary = forms.CharField(
        label=_("About me"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class PushForm(forms.Form):
    same_trade = forms.BooleanField(label=_("Residents of the posting's trade"), required=False)
    seeking = forms.BooleanField(label=_("Residents looking for work"), required=False)
    in_district = forms.BooleanField(
        label=_("Residents registered in the posting's district"), required=False
    )


class WishForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=TrainingTopic.choices)
    note = forms.CharField(label=_("What I would like to learn"), max_length=200, required=False)


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    topic = forms.ChoiceField(label=_("Topic"), choices=TrainingTopic.choices)
    mode = forms.ChoiceField(label=_("Mode"), choices=CourseMode.choices)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=Area.objects.filter(level=Level.DISTRICT).order_by("code"),
        required=False,
    )
    starts_on = forms.DateField(label=_("Starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), widget=DATE)
    schedule = forms.CharField(label=_("Schedule"), max_length=200)
    capacity = forms.IntegerField(label=_("Seats"), min_value=1)
    sessions_required = forms.IntegerField(
        label=_("Sessions to attend for the certificate"), min_value=1, initial=1
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AttendanceForm(forms.Form):
    session_date = forms.DateField(label=_("Session"), widget=DATE)
    enrolments = forms.TypedMultipleChoiceField(
        label=_("Present"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, enrolments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].choices = [(e.pk, e.person.name) for e in enrolments]
