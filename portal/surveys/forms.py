"""Forms of the survey pages. They check shape only; the services decide."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Department
from portal.notices.forms import DateInput
from portal.surveys.models import Question, QuestionKind, Survey
from portal.surveys.services import QuestionInput, SurveyInput


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Why you ask and what the answers are used for. Plain text."),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())

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
    def initial_from(survey: Survey) -> dict[str, Any]:
        return {
            "title": survey.title,
            "intro": survey.intro,
            "department": survey.department.code,
            "opens_on": survey.opens_on,
            "closes_on": survey.closes_on,
        }

    def to_input(self, target: list[dict[str, Any]]) -> SurveyInput:
        data = self.cleaned_data
        return SurveyInput(
            title=data["title"],
            intro=data.get("intro", ""),
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            department=data.get("department") or None,
            target=target,
        )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("For choice questions: one option a line."),
    )
    scale_min = forms.IntegerField(label=_("Scale from"), required=False, initial=1)
    scale_max = forms.IntegerField(label=_("Scale to"), required=False, initial=5)
    scale_min_label = forms.CharField(
        label=_("Label of the lowest point"), max_length=50, required=False
    )
    scale_max_label = forms.CharField(
        label=_("Label of the highest point"), max_length=50, required=False
    )

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        return QuestionInput(
            kind=data["kind"],
            text=data["text"],
            required=bool(data.get("required")),
            options=tuple((data.get("options") or "").splitlines()),
            scale_min=data.get("scale_min"),
            scale_max=data.get("scale_max"),
            scale_min_label=data.get("scale_min_label", ""),
            scale_max_label=data.get("scale_max_label", ""),
        )


@dataclass
class AnswerRow:
    """One question on the answer page: what was sent back for it and what is wrong with it."""

    question: Question
    values: list[str]
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.question.field_name

    @property
    def choices(self) -> list[tuple[str, str, bool]]:
        """(value, label, checked) of each option or scale point."""
        question = self.question
        if question.kind == QuestionKind.SCALE:
            points = question.scale_points
            ends = {points[0]: question.scale_min_label, points[-1]: question.scale_max_label}
            return [
                (str(p), f"{p} {ends[p]}" if ends.get(p) else str(p), str(p) in self.values)
                for p in points
            ]
        return [(str(o.pk), o.text, str(o.pk) in self.values) for o in question.options.all()]

    @property
    def text(self) -> str:
        return self.values[0] if self.values else ""


def answer_rows(
    questions: list[Question], data: Any = None, errors: dict[str, list[str]] | None = None
) -> list[AnswerRow]:
    """The answer page's questions with the values sent back (a QueryDict) and their errors."""
    errors = errors or {}
    return [
        AnswerRow(
            question=q,
            values=data.getlist(q.field_name) if data is not None else [],
            errors=[str(m) for m in errors.get(q.field_name, [])],
        )
        for q in questions
    ]
