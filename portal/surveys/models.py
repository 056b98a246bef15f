"""Needs surveys: questionnaires staff send to the residents a target reaches, and their answers.

- A Survey is one version of a questionnaire of a department: its questions, its window
  (opens on / closes on, both days included) and its target (the notice criteria, see
  portal/notices/criteria.py). Published, it is announced by a notices Policy with the same
  window and target, pushed set-based to the persons the target reaches: those persons, and only
  they, may answer it. A published version never changes; a change is a new version, and
  publishing that replaces the one before.
- A Question is one question of a survey: single choice, multiple choice, a scale or free text.
- A Response is one person's answers to one survey, once (unique per survey and person); or one
  paper questionnaire typed in (no person).
- An Answer is one chosen option, one scale point or one text of a response.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    REPLACED = "replaced", _("Replaced by a newer version")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Survey(models.Model):
    """One version of a department's questionnaire to the residents its target reaches."""

    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    target = models.JSONField(_("target"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    policy = models.OneToOneField(
        "notices.Policy",
        verbose_name=_("announcement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SurveyStatus.values), name="survey_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="survey_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status=SurveyStatus.DRAFT)
                | (Q(published_at__isnull=False) & Q(policy__isnull=False)),
                name="survey_published_is_announced",
            ),
            models.CheckConstraint(
                condition=Q(version=1, previous__isnull=True)
                | Q(version__gt=1, previous__isnull=False),
                name="survey_version_follows_previous",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def is_open_on(self, day) -> bool:
        """Published and inside its window on `day`: the days it can be answered."""
        return self.status == SurveyStatus.PUBLISHED and self.opens_on <= day <= self.closes_on


class Question(models.Model):
    """One question of a survey, in its place; choice questions have options, a scale its ends."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("answer required"), default=True)
    scale_min = models.SmallIntegerField(_("scale from"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("scale to"), null=True, blank=True)
    scale_min_label = models.CharField(_("label of the lowest point"), max_length=50, blank=True)
    scale_max_label = models.CharField(_("label of the highest point"), max_length=50, blank=True)

    class Meta:
        ordering = ["survey", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_position_once"),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=QuestionKind.SCALE)
                    & Q(scale_min__isnull=False)
                    & Q(scale_max__gt=F("scale_min"))
                )
                | (~Q(kind=QuestionKind.SCALE) & Q(scale_min__isnull=True, scale_max__isnull=True)),
                name="question_scale_only_on_scales",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def field_name(self) -> str:
        """The name of its answer on forms and in refusals."""
        return f"q{self.pk}"

    @property
    def scale_points(self) -> list[int]:
        if self.kind != QuestionKind.SCALE:
            return []
        return list(range(self.scale_min, self.scale_max + 1))


class Option(models.Model):
    """One option of a choice question, in its place."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("option"), max_length=200)

    class Meta:
        ordering = ["question", "position"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="option_position_once"),
        ]

    def __str__(self) -> str:
        return self.text


class Channel(models.TextChoices):
    ONLINE = "online", _("Answered in the portal")
    PAPER = "paper", _("Paper questionnaire typed in")


class Response(models.Model):
    """One person's answers to one survey, given once; or one paper questionnaire (no person)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    person = models.ForeignKey(
        "residents.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], name="survey_answered_once"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="response_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel=Channel.PAPER) | Q(person__isnull=False),
                name="response_online_has_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.person_id or self.channel}"


class Answer(models.Model):
    """One part of a response: a chosen option, a scale point, or a text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(
        Option, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    value = models.SmallIntegerField(_("scale point"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question__position", "option__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "option"],
                condition=Q(option__isnull=False),
                name="answer_option_once",
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(option__isnull=True),
                name="answer_value_once",
            ),
            models.CheckConstraint(
                condition=(Q(option__isnull=False) & Q(value__isnull=True) & Q(text=""))
                | (Q(option__isnull=True) & Q(value__isnull=False) & Q(text=""))
                | (Q(option__isnull=True) & Q(value__isnull=True) & ~Q(text="")),
                name="answer_is_one_thing",
            ),
        ]
        indexes = [models.Index(fields=["question", "option", "value"], name="answer_tally")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
