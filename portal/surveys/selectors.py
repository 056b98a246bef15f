"""Reading surveys: the one place that decides who sees which survey, and the results.

- Staff who publish their department's policies build its surveys and read their results;
  administrators every survey. Everyone else (another department included) finds none.
- A resident sees the published surveys whose announcement reached their person (the notices
  push, once per person: the target's audience); any other survey is not found.
- `open_surveys_for(user)`: the surveys a resident may still answer today (open, not answered).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.notices import selectors as notice_selectors
from portal.notices.models import PolicyNotice, PolicyStatus
from portal.surveys.models import (
    CHOICE_KINDS,
    Answer,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)

# --- staff ---------------------------------------------------------------------------------------


def can_build_surveys(user: User) -> bool:
    """The staff who send notices to residents (a department's reviewers, administrators)."""
    return notice_selectors.can_manage_policies(user)


def surveys_managed_by(user: User) -> QuerySet[Survey]:
    """The surveys the user builds and reads results of: their department's, or all for
    administrators; newest first."""
    if not can_build_surveys(user):
        return Survey.objects.none()
    queryset = Survey.objects.select_related("department", "policy", "created_by")
    if not (user.is_superuser or user.has_role(Role.ADMINISTRATOR)):
        queryset = queryset.filter(department_id=user.department_id)
    return queryset.order_by("-created_at", "-id")


def surveys_with_counts(user: User) -> QuerySet[Survey]:
    return surveys_managed_by(user).annotate(
        answered=Count("responses", distinct=True), asked=Count("questions", distinct=True)
    )


# --- residents -----------------------------------------------------------------------------------


def person_id_of(user: User) -> int | None:
    """The id of the user's own person in the registry, if they are registered."""
    if not user.is_authenticated:
        return None
    persons = Response._meta.get_field("person").related_model
    return persons.objects.filter(user=user).values_list("pk", flat=True).first()


def surveys_for_resident(user: User) -> QuerySet[Survey]:
    """The published surveys whose announcement reached the user's person, newest first.

    Withdrawing the announcement (on the notices pages) takes the survey away from residents."""
    if not user.is_authenticated:
        return Survey.objects.none()
    reached = PolicyNotice.objects.filter(policy_id=OuterRef("policy_id"), person__user=user)
    return (
        Survey.objects.filter(status=SurveyStatus.PUBLISHED, policy__status=PolicyStatus.PUBLISHED)
        .filter(Exists(reached))
        .select_related("department")
        .order_by("-published_at", "-id")
    )


def open_surveys_for(user: User, *, on: dt.date | None = None) -> QuerySet[Survey]:
    """The surveys the resident may still answer on `on` (today): sent to them, open, and not
    answered yet. Ordered by closing day, the most urgent first."""
    day = on or timezone.localdate()
    answered = Response.objects.filter(survey_id=OuterRef("pk"), person__user=user)
    return (
        surveys_for_resident(user)
        .filter(opens_on__lte=day, closes_on__gte=day)
        .exclude(Exists(answered))
        .order_by("closes_on", "id")
    )


def response_of(user: User, survey: Survey) -> Response | None:
    if not user.is_authenticated:
        return None
    return Response.objects.filter(survey=survey, person__user=user).first()


# --- results -------------------------------------------------------------------------------------


def share(count: int, of: int) -> Decimal:
    """`count` of `of` as a percentage with two decimals (half up); 0 when nobody answered."""
    if not of:
        return Decimal("0.00")
    return (Decimal(count) * 100 / Decimal(of)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    share: Decimal  # per cent of those who answered the question


@dataclass
class QuestionResult:
    question: Question
    answered: int  # responses that answer it
    rows: list[Row] = field(default_factory=list)  # options or scale points, in order
    texts: list[str] = field(default_factory=list)  # free-text answers, oldest first
    mean: Decimal | None = None  # scale questions

    @property
    def chart(self) -> dict:
        kind = self.question.kind
        return {
            "id": self.question.pk,
            "kind": kind,
            "title": self.question.text,
            "labels": [row.label for row in self.rows],
            "counts": [row.count for row in self.rows],
            "shares": [float(row.share) for row in self.rows],
        }


@dataclass
class Results:
    survey: Survey
    responses: int
    questions: list[QuestionResult]

    @property
    def charts(self) -> list[dict]:
        return [q.chart for q in self.questions if q.question.kind != QuestionKind.TEXT]


def results(survey: Survey) -> Results:
    """Per question: how many answered it, and per option or scale point the count and share of
    those; a scale's mean; the free-text answers. Four aggregate queries, whatever the number of
    responses (texts are read in one query)."""
    questions = list(survey.questions.prefetch_related("options"))
    answers = Answer.objects.filter(response__survey=survey)
    answered = dict(
        answers.values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
        .order_by()
    )
    tally: dict[tuple[int, int | None, int | None], int] = {
        (row["question_id"], row["option_id"], row["value"]): row["n"]
        for row in answers.exclude(option__isnull=True, value__isnull=True)
        .values("question_id", "option_id", "value")
        .annotate(n=Count("id"))
        .order_by()
    }
    texts: dict[int, list[str]] = {}
    for question_id, text in (
        answers.filter(question__kind=QuestionKind.TEXT)
        .order_by("response__submitted_at", "response_id")
        .values_list("question_id", "text")
    ):
        texts.setdefault(question_id, []).append(text)
    out = []
    for question in questions:
        of = answered.get(question.pk, 0)
        result = QuestionResult(question=question, answered=of)
        if question.kind in CHOICE_KINDS:
            for option in question.options.all():
                n = tally.get((question.pk, option.pk, None), 0)
                result.rows.append(Row(option.text, n, share(n, of)))
        elif question.kind == QuestionKind.SCALE:
            total = 0
            for point in question.scale_points:
                n = tally.get((question.pk, None, point), 0)
                total += n * point
                result.rows.append(Row(str(point), n, share(n, of)))
            if of:
                result.mean = (Decimal(total) / of).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
        else:
            result.texts = texts.get(question.pk, [])
        out.append(result)
    return Results(survey=survey, responses=survey.responses.count(), questions=out)
