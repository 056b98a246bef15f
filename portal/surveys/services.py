"""Every write of surveys: drafting, questions, publishing (announced through notices), new
versions, and answers.

Publishing a survey creates and publishes its announcement, a notices Policy with the survey's
window and target linking to the survey, in the same transaction: the notices push (set-based,
once per person) reaches the residents, and the persons it reached are the survey's audience.
A published survey is never edited; `new_version` copies it into a draft, and publishing that
replaces the old version (its announcement is withdrawn; its answers stay in its results).

Answering: one response per survey and person, by a unique key. The answers are checked all at
once (every wrong question named) before anything is written, and written in one transaction
with the response, so nothing is half-written. A second submit, even at the same moment, finds
the first (the unique index makes the later insert wait for the earlier one) and is refused as
already answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.models import Department, User
from portal.errors import InvalidInput, NotAllowed, NotEligible, NotFound, TransitionNotAllowed
from portal.notices import criteria
from portal.notices import services as notice_services
from portal.notices.models import PolicyStatus
from portal.surveys import selectors
from portal.surveys.models import (
    CHOICE_KINDS,
    Answer,
    Channel,
    Option,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)

MAX_TEXT = 2000
MAX_OPTIONS = 20
DEFAULT_SCALE = (1, 5)


class AlreadyAnswered(TransitionNotAllowed):
    default_code = "already_answered"
    default_message = _("You have already answered this survey.")


# --- drafting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyInput:
    """What staff fill in for a survey; the services check it."""

    title: str
    opens_on: dt.date
    closes_on: dt.date
    target: Any
    intro: str = ""
    department: str | None = None  # a department code; only administrators choose


@dataclass(frozen=True)
class QuestionInput:
    kind: str
    text: str
    required: bool = True
    options: Sequence[str] = field(default_factory=tuple)
    scale_min: int | None = None
    scale_max: int | None = None
    scale_min_label: str = ""
    scale_max_label: str = ""


def _is_admin(actor: User) -> bool:
    return actor.is_superuser or actor.has_role("administrator")


def _department_for(actor: User, code: str | None) -> Department:
    if _is_admin(actor) and code:
        department = Department.objects.filter(code=code).first()
        if department is None:
            raise InvalidInput(fields={"department": [_("This department is not known.")]})
        return department
    if actor.department_id is None:
        raise InvalidInput(fields={"department": [_("Choose the department.")]})
    return actor.department


def _check_survey(data: SurveyInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the survey a title.")]
    if data.closes_on < data.opens_on:
        errors["closes_on"] = [_("The closing day must not be before the opening day.")]
    target: list[dict[str, Any]] = []
    try:
        target = criteria.clean_target(data.target)
    except InvalidInput as exc:
        errors.update(exc.fields or {"target": [str(exc.message)]})
    if errors:
        raise InvalidInput(fields=errors)
    return {
        "title": data.title.strip()[:200],
        "intro": data.intro.strip(),
        "opens_on": data.opens_on,
        "closes_on": data.closes_on,
        "target": target,
    }


def create_survey(*, actor: User, data: SurveyInput) -> Survey:
    """Staff who publish their department's policies draft a survey for that department."""
    if not selectors.can_build_surveys(actor):
        raise NotAllowed()
    fields = _check_survey(data)
    department = _department_for(actor, data.department)
    return Survey.objects.create(**fields, department=department, created_by=actor)


def _lock_draft(actor: User, survey_id: int) -> Survey:
    try:
        survey = (
            selectors.surveys_managed_by(actor).select_for_update(of=("self",)).get(pk=survey_id)
        )
    except Survey.DoesNotExist:
        raise NotFound() from None
    if survey.status != SurveyStatus.DRAFT:
        raise TransitionNotAllowed(
            _("A published survey does not change: make a new version to change it."),
            code="survey_published",
        )
    return survey


def update_survey(*, actor: User, survey_id: int, data: SurveyInput) -> Survey:
    """Change a draft's title, introduction, window or target."""
    fields = _check_survey(data)
    with transaction.atomic():
        survey = _lock_draft(actor, survey_id)
        for name, value in fields.items():
            setattr(survey, name, value)
        if data.department and _is_admin(actor):
            survey.department = _department_for(actor, data.department)
        survey.save()
        return survey


def _check_question(data: QuestionInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if data.kind not in QuestionKind.values:
        errors["kind"] = [_("Choose the kind of question.")]
    if not data.text.strip():
        errors["text"] = [_("Write the question.")]
    options = [o.strip() for o in data.options if o.strip()]
    scale_min = scale_max = None
    if data.kind in CHOICE_KINDS:
        if len(options) < 2:
            errors["options"] = [_("A choice question needs at least two options.")]
        elif len(options) > MAX_OPTIONS:
            errors["options"] = [_("At most %(n)d options.") % {"n": MAX_OPTIONS}]
        elif len(set(options)) != len(options):
            errors["options"] = [_("Each option must be different.")]
        elif any(len(o) > 200 for o in options):
            errors["options"] = [_("An option is at most 200 characters long.")]
    elif data.kind == QuestionKind.SCALE:
        scale_min = DEFAULT_SCALE[0] if data.scale_min is None else data.scale_min
        scale_max = DEFAULT_SCALE[1] if data.scale_max is None else data.scale_max
        if not (0 <= scale_min < scale_max <= 10):
            errors["scale_max"] = [_("A scale runs from 0 or more up to at most 10, low to high.")]
    if errors:
        raise InvalidInput(fields=errors)
    return {
        "kind": data.kind,
        "text": data.text.strip()[:300],
        "required": data.required,
        "scale_min": scale_min,
        "scale_max": scale_max,
        "scale_min_label": data.scale_min_label.strip()[:50] if scale_min is not None else "",
        "scale_max_label": data.scale_max_label.strip()[:50] if scale_min is not None else "",
        "options": options if data.kind in CHOICE_KINDS else [],
    }


def add_question(*, actor: User, survey_id: int, data: QuestionInput) -> Question:
    """Add a question at the end of a draft."""
    fields = _check_question(data)
    options = fields.pop("options")
    with transaction.atomic():
        survey = _lock_draft(actor, survey_id)
        last = survey.questions.order_by("-position").values_list("position", flat=True).first()
        question = Question.objects.create(survey=survey, position=(last or 0) + 1, **fields)
        Option.objects.bulk_create(
            Option(question=question, position=n, text=text) for n, text in enumerate(options, 1)
        )
        return question


def remove_question(*, actor: User, survey_id: int, question_id: int) -> None:
    """Take a question out of a draft."""
    with transaction.atomic():
        survey = _lock_draft(actor, survey_id)
        deleted, _rows = Question.objects.filter(survey=survey, pk=question_id).delete()
        if not deleted:
            raise NotFound()


def publish_survey(*, actor: User, survey_id: int, queue_push: bool = True) -> Survey:
    """Publish a draft: its announcement (a notices policy with the survey's window, target and
    link) is published with it and pushed to everyone the target reaches, now or on the opening
    day. Refused without questions, after the closing day, or when the target reaches nobody
    (the policy's own checks). Publishing a new version replaces the one before: its
    announcement is withdrawn, its answers stay."""
    with transaction.atomic():
        survey = _lock_draft(actor, survey_id)
        if not survey.questions.exists():
            raise NotEligible(
                _("Add at least one question before publishing."),
                code="no_questions",
                fields={"questions": [_("The survey has no questions.")]},
            )
        # The announcement is in the portal's language, whatever the language of the page.
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Survey: %(title)s") % {"title": survey.title}
            body = _announcement_body(survey)
        policy = notice_services.create_policy(
            actor=actor,
            data=notice_services.PolicyInput(
                title=title,
                body=body,
                starts_on=survey.opens_on,
                ends_on=survey.closes_on,
                link=f"/surveys/{survey.pk}/",
                target=survey.target,
                department=survey.department.code,
            ),
        )
        policy = notice_services.publish_policy(
            actor=actor, policy_id=policy.pk, queue_push=queue_push
        )
        survey.status = SurveyStatus.PUBLISHED
        survey.policy = policy
        survey.published_at = timezone.now()
        survey.save(update_fields=["status", "policy", "published_at"])
        previous = survey.previous
        if previous is not None and previous.status == SurveyStatus.PUBLISHED:
            previous.status = SurveyStatus.REPLACED
            previous.save(update_fields=["status"])
            if previous.policy.status == PolicyStatus.PUBLISHED:
                notice_services.withdraw_policy(
                    actor=actor,
                    policy_id=previous.policy_id,
                    reason=_("Replaced by version %(version)d of the survey.")
                    % {"version": survey.version},
                )
        return survey


def _announcement_body(survey: Survey) -> str:
    lines = [survey.intro] if survey.intro else []
    lines.append(
        _("Please answer by %(date)s. It takes a few minutes; you answer once.")
        % {"date": survey.closes_on.isoformat()}
    )
    return "\n".join(lines)


def new_version(*, actor: User, survey_id: int) -> Survey:
    """A draft copy of a published survey (its questions and options), to change and publish.

    One next version per version (a unique key): asking again returns the existing one.
    """
    with transaction.atomic():
        try:
            survey = (
                selectors.surveys_managed_by(actor)
                .select_for_update(of=("self",))
                .get(pk=survey_id)
            )
        except Survey.DoesNotExist:
            raise NotFound() from None
        if survey.status == SurveyStatus.DRAFT:
            raise TransitionNotAllowed(_("A draft can be changed as it is."), code="survey_draft")
        existing = Survey.objects.filter(previous=survey).first()
        if existing is not None:
            return existing
        copy = Survey.objects.create(
            department=survey.department,
            title=survey.title,
            intro=survey.intro,
            version=survey.version + 1,
            previous=survey,
            opens_on=max(survey.opens_on, timezone.localdate()),
            closes_on=max(survey.closes_on, timezone.localdate()),
            target=survey.target,
            created_by=actor,
        )
        questions = list(survey.questions.prefetch_related("options"))
        new_questions = Question.objects.bulk_create(
            Question(
                survey=copy,
                position=q.position,
                kind=q.kind,
                text=q.text,
                required=q.required,
                scale_min=q.scale_min,
                scale_max=q.scale_max,
                scale_min_label=q.scale_min_label,
                scale_max_label=q.scale_max_label,
            )
            for q in questions
        )
        Option.objects.bulk_create(
            Option(question=new, position=o.position, text=o.text)
            for old, new in zip(questions, new_questions, strict=True)
            for o in old.options.all()
        )
        return copy


# --- answering -----------------------------------------------------------------------------------


def _values(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str | int):
        raw = [raw]
    return [str(v).strip() for v in raw if str(v).strip()]


def questions_of(survey: Survey) -> list[Question]:
    """The survey's questions in order, with their options (two queries)."""
    return list(survey.questions.prefetch_related("options"))


def check_answers(questions: Sequence[Question], raw: Mapping[str, Any]) -> list[Answer]:
    """Every question's answer checked at once; the unsaved answers, or InvalidInput naming each
    wrong question (`q<id>`). `raw` maps `q<id>` to a value or a list of values (option ids,
    a scale point, a text)."""
    errors: dict[str, list[str]] = {}
    answers: list[Answer] = []
    for question in questions:
        name = question.field_name
        values = _values(raw.get(name))
        if not values:
            if question.required:
                errors[name] = [_("Please answer this question.")]
            continue
        if question.kind in CHOICE_KINDS:
            options = {str(o.pk): o for o in question.options.all()}
            if any(v not in options for v in values):
                errors[name] = [_("Choose from the options given.")]
            elif question.kind == QuestionKind.SINGLE and len(values) > 1:
                errors[name] = [_("Choose one option only.")]
            else:
                answers.extend(
                    Answer(question=question, option=options[v]) for v in dict.fromkeys(values)
                )
        elif question.kind == QuestionKind.SCALE:
            points = question.scale_points
            if (
                len(values) > 1
                or not values[0].lstrip("-").isdigit()
                or int(values[0]) not in points
            ):
                errors[name] = [
                    _("Choose a point from %(low)d to %(high)d.")
                    % {"low": points[0], "high": points[-1]}
                ]
            else:
                answers.append(Answer(question=question, value=int(values[0])))
        else:
            text = "\n".join(values)
            if len(text) > MAX_TEXT:
                errors[name] = [
                    _("Please keep the answer to %(n)d characters (now %(count)d).")
                    % {"n": MAX_TEXT, "count": len(text)}
                ]
            else:
                answers.append(Answer(question=question, text=text))
    if errors:
        raise InvalidInput(
            _("Some answers need your attention."), code="invalid_answers", fields=errors
        )
    return answers


def submit_response(*, actor: User, survey_id: int, answers: Mapping[str, Any]) -> Response:
    """The resident answers a survey sent to them, once, while it is open.

    A survey not sent to the actor is not found; outside its window it is refused; a second
    answer is refused as already answered (also when both arrive at once: the unique key on
    survey and person decides, and the loser's transaction writes nothing).
    """
    survey = selectors.surveys_for_resident(actor).filter(pk=survey_id).first()
    if survey is None:
        raise NotFound()
    if not survey.is_open_on(timezone.localdate()):
        raise NotEligible(_("This survey is not open for answers."), code="survey_closed")
    person_id = selectors.person_id_of(actor)
    if Response.objects.filter(survey=survey, person_id=person_id).exists():
        raise AlreadyAnswered()
    checked = check_answers(questions_of(survey), answers)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                person_id=person_id,
                channel=Channel.ONLINE,
                submitted_at=timezone.now(),
            )
            for answer in checked:
                answer.response = response
            Answer.objects.bulk_create(checked)
    except IntegrityError:
        if Response.objects.filter(survey=survey, person_id=person_id).exists():
            raise AlreadyAnswered() from None
        raise
    return response


def record_paper_responses(
    *, survey: Survey, responses: Iterable[Mapping[str, Any]], at: dt.datetime | None = None
) -> int:
    """Type in paper questionnaires (no person each): every one checked like an online answer,
    then all written with one bulk insert of responses and one of answers. Returns how many."""
    questions = questions_of(survey)
    checked = [check_answers(questions, raw) for raw in responses]
    moment = at or timezone.now()
    with transaction.atomic():
        rows = Response.objects.bulk_create(
            Response(survey=survey, channel=Channel.PAPER, submitted_at=moment) for _a in checked
        )
        for response, answers in zip(rows, checked, strict=True):
            for answer in answers:
                answer.response = response
        Answer.objects.bulk_create([a for answers in checked for a in answers], batch_size=5000)
    return len(rows)
