"""The public-service list (办事指南 as data, versioned) and the ratings of decided cases (好差评)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


def in_language(zh: str, en: str) -> str:
    """The English text when English is active and there is one, else the Chinese."""
    if en and (get_language() or "").startswith("en"):
        return en
    return zh


class LifeEvent(models.TextChoices):
    ARRIVING = "arriving", _("Arriving in the city")
    WORKING = "working", _("Working")
    HOUSING = "housing", pgettext_lazy("life event", "Housing")
    SCHOOL = "school", _("Children's school and care")
    POINTS = "points", pgettext_lazy("life event", "Points")
    HEALTH = "health", _("Health")
    RIGHTS = "rights", _("Legal aid and culture")


class Service(models.Model):
    """One public service the city offers new residents, run by the portal or only described here.

    What a guide says lives in its versions (ServiceVersion), each in force from a date; `kind`
    names the workflow application kind when the portal itself handles the service.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    life_event = models.CharField(_("life event"), max_length=16, choices=LifeEvent.choices)
    department_name = models.CharField(_("department (Chinese)"), max_length=100)
    department_name_en = models.CharField(_("department (English)"), max_length=100, blank=True)
    kind = models.CharField(
        _("application kind handled by the portal"),
        max_length=40,
        blank=True,
        help_text=_("Empty for services the portal only describes and links."),
    )
    keywords = models.TextField(
        _("search keywords"),
        blank=True,
        help_text=_("Other words residents use for this service, separated by spaces."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("public service")
        verbose_name_plural = _("public services")
        constraints = [
            models.CheckConstraint(
                condition=Q(life_event__in=LifeEvent.values), name="catalogue_service_event_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)

    @property
    def display_department(self) -> str:
        return in_language(self.department_name, self.department_name_en)

    @property
    def is_online(self) -> bool:
        return bool(self.kind)


class ServiceVersion(models.Model):
    """What the guide of a service says from one date on; the version in force on a day is the
    latest `effective_from` not after it. List fields hold one item per line."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField(_("in force from"))
    summary = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    eligibility = models.TextField(_("who qualifies (Chinese), one per line"), blank=True)
    eligibility_en = models.TextField(_("who qualifies (English), one per line"), blank=True)
    materials = models.TextField(_("materials (Chinese), one per line"), blank=True)
    materials_en = models.TextField(_("materials (English), one per line"), blank=True)
    steps = models.TextField(_("steps (Chinese), one per line"), blank=True)
    steps_en = models.TextField(_("steps (English), one per line"), blank=True)
    time_limit = models.CharField(_("time limit (Chinese)"), max_length=200, blank=True)
    time_limit_en = models.CharField(_("time limit (English)"), max_length=200, blank=True)
    fees = models.CharField(_("fees (Chinese)"), max_length=200, blank=True)
    fees_en = models.CharField(_("fees (English)"), max_length=200, blank=True)
    legal_basis = models.TextField(_("legal basis, one per line"), blank=True)
    office_address = models.CharField(_("office address (Chinese)"), max_length=300, blank=True)
    office_address_en = models.CharField(_("office address (English)"), max_length=300, blank=True)
    office_hours = models.CharField(_("office hours (Chinese)"), max_length=200, blank=True)
    office_hours_en = models.CharField(_("office hours (English)"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    online_link = models.CharField(_("online link"), max_length=300, blank=True)

    class Meta:
        ordering = ["service", "-effective_from"]
        verbose_name = _("guide version")
        verbose_name_plural = _("guide versions")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "effective_from"], name="catalogue_version_unique_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.effective_from}"

    @property
    def display_summary(self) -> str:
        return self.text("summary")

    @property
    def text_time_limit(self) -> str:
        return self.text("time_limit")

    @property
    def text_fees(self) -> str:
        return self.text("fees")

    @property
    def text_office_address(self) -> str:
        return self.text("office_address")

    @property
    def text_office_hours(self) -> str:
        return self.text("office_hours")

    @property
    def steps_list(self) -> list[str]:
        return self.lines("steps")

    @property
    def legal_basis_list(self) -> list[str]:
        return self.lines("legal_basis")

    def text(self, field: str) -> str:
        return in_language(getattr(self, field), getattr(self, f"{field}_en", ""))

    def lines(self, field: str) -> list[str]:
        return [line.strip() for line in self.text(field).splitlines() if line.strip()]


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


# Ratings at or below this level open a rectification task.
POOR_RATINGS = frozenset({RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED})


class RatingPolicy(models.Model):
    """The rating rules in force from one date on: how long a department has to answer a poor
    rating (docs/domain.md "Service ratings")."""

    effective_from = models.DateField(_("in force from"), unique=True)
    rectification_days = models.PositiveSmallIntegerField(
        _("days to answer a poor rating"),
        help_text=_("Counted in working days from the rating."),
    )
    source = models.CharField(_("source of the rule"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("rating policy")
        verbose_name_plural = _("rating policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(rectification_days__gte=1), name="catalogue_rating_policy_days"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.rectification_days}"


class Rating(models.Model):
    """The applicant's one rating of a decided case (好差评), with the department and kind it rates."""

    case = models.OneToOneField(
        "workflow.Case",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="rating",
    )
    level = models.PositiveSmallIntegerField(_("rating"), choices=RatingLevel.choices)
    comment = models.TextField(_("comment"), blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=40)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("rated"))

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="catalogue_rating_level_valid"
            ),
        ]
        indexes = [models.Index(fields=["department", "kind"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.level}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")


class Rectification(models.Model):
    """The deciding department's task to look into a poor rating and answer the applicant."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    due_date = models.DateField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RectificationStatus.values),
                name="catalogue_rectification_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=RectificationStatus.OPEN)
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="catalogue_rectification_answer_given",
            ),
        ]
        indexes = [models.Index(fields=["department", "status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.rating_id}: {self.status}"
