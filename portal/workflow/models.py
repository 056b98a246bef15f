from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for more information")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The one lifecycle of every application kind: status -> the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.IN_REVIEW, Status.WITHDRAWN}),
    Status.IN_REVIEW: frozenset({Status.APPROVED, Status.REJECTED, Status.RETURNED}),
    Status.RETURNED: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.APPROVED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
OPEN_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED})
REASON_REQUIRED = frozenset({Status.REJECTED, Status.RETURNED})

# The actions people take on a case, each named by the status it moves the case to. The
# applicant submits and withdraws; a reviewer of the case's department and district accepts
# (受理) and decides. A decision on a submitted case takes it up first (services._decide).
ACTION_TARGETS: dict[str, str] = {
    "submit": Status.SUBMITTED,
    "withdraw": Status.WITHDRAWN,
    "accept": Status.IN_REVIEW,
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "return": Status.RETURNED,
}
APPLICANT_ACTIONS = frozenset({"submit", "withdraw"})
REVIEWER_ACTIONS = frozenset({"accept", "approve", "reject", "return"})
DECISIONS = frozenset({"approve", "reject", "return"})


class Case(models.Model):
    """One application of any kind (permit, housing, enrolment, points claim...), as the work queue sees it.

    The lifecycle status lives here and only here; the domain row (for example a permit
    application) points at its case one-to-one and holds the domain data. The staff
    workbench is one indexed query over this table.
    """

    kind = models.CharField(_("kind"), max_length=40)
    reference = models.CharField(_("reference number"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT
    )
    district = models.ForeignKey(
        "areas.Area", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    last_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="case_status_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(REASON_REQUIRED)) | ~Q(last_reason=""),
                name="case_decision_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "district", "status", "due_date"]),
            models.Index(fields=["applicant", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    def actions_open_to(self, *, applicant: bool, reviewer: bool) -> frozenset[str]:
        """The actions the transition table allows now to someone who is the applicant and/or
        a reviewer of this case (who is which is the caller's question: see
        selectors.allowed_actions)."""
        roles = (APPLICANT_ACTIONS if applicant else frozenset()) | (
            REVIEWER_ACTIONS if reviewer else frozenset()
        )
        allowed = set()
        for action in roles:
            target = ACTION_TARGETS[action]
            if self.can_move_to(target) or (
                action in DECISIONS
                and self.status == Status.SUBMITTED
                and target in TRANSITIONS[Status.IN_REVIEW]
            ):
                allowed.add(action)
        return frozenset(allowed)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Transition(models.Model):
    """One step in a case's history: who moved it from which status to which, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_status__in=sorted(REASON_REQUIRED)) | ~Q(reason=""),
                name="transition_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} -> {self.to_status}"


class Counter(models.Model):
    """The last number handed out under one key (for example `JZZ-2026`): reference and permit numbers."""

    key = models.CharField(max_length=64, primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last}"
