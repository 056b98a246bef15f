"""Notices: messages to one user, and policies pushed to the residents they are for.

- A Notification is one message to one account (an application was accepted, a permit issued).
- A Policy is a measure a department publishes (a training course, a rent subsidy, a reminder)
  with a target: the conditions a resident must meet. Publishing it (or its scheduled start)
  pushes one PolicyNotice to every person who meets them, exactly once per person; a person
  with an account reads it in their inbox. A policy may carry a Grant (免申直享): recorded for
  every qualifying person without any application, once.
- Deliveries are the copies sent through the other channels (SMS, e-mail), one per notice and
  channel, with their attempts and last error. A user may opt out of a channel (never of the
  inbox): a ChannelOptOut.
- A PushRun is one computation of a policy's audience and the rows it wrote.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _in_language(zh: str, en: str) -> str:
    if en and (get_language() or "").startswith("en"):
        return en
    return zh


class Notification(models.Model):
    """One in-app notice to one user: a title, a short body, a link to act on, read or not."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    INBOX = "inbox", _("Messages in the portal")
    SMS = "sms", _("Text message (SMS)")
    EMAIL = "email", _("E-mail")


# The channels besides the inbox: a policy may use them, a user may switch them off.
OPTIONAL_CHANNELS = (Channel.SMS, Channel.EMAIL)


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A draft is published once; a published policy can be withdrawn (pushing stops); that is all.
POLICY_MOVES: dict[str, frozenset[str]] = {
    PolicyStatus.DRAFT: frozenset({PolicyStatus.PUBLISHED}),
    PolicyStatus.PUBLISHED: frozenset({PolicyStatus.WITHDRAWN}),
    PolicyStatus.WITHDRAWN: frozenset(),
}


class Policy(models.Model):
    """One policy a department publishes to the residents it is for (精准推送).

    `target` is a list of conditions `[{"criterion": code, "params": {...}}]` (see
    portal/notices/criteria.py), met when all are met. Pushing runs from `starts_on` until the
    end of `ends_on` (open-ended when empty) while the policy is published. With a grant name,
    every qualifying person is granted it without applying (免申直享).
    """

    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("issuing department"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    link = models.CharField(_("link for more information"), max_length=300, blank=True)
    target = models.JSONField(_("target"), default=list)
    channels = ArrayField(
        models.CharField(max_length=10, choices=Channel.choices),
        verbose_name=_("also sent by"),
        default=list,
        blank=True,
    )
    grant_name = models.CharField(_("benefit granted (Chinese)"), max_length=100, blank=True)
    grant_name_en = models.CharField(_("benefit granted (English)"), max_length=100, blank=True)
    grant_amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PolicyStatus.values), name="policy_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="policy_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(channels__contained_by=[str(c) for c in OPTIONAL_CHANNELS]),
                name="policy_channels_valid",
            ),
            models.CheckConstraint(
                condition=Q(grant_amount__isnull=True)
                | (Q(grant_amount__gt=0) & ~Q(grant_name="")),
                name="policy_grant_amount_has_name",
            ),
            models.CheckConstraint(
                condition=Q(status=PolicyStatus.DRAFT) | Q(published_at__isnull=False),
                name="policy_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=PolicyStatus.WITHDRAWN)
                | (Q(withdrawn_at__isnull=False) & ~Q(withdraw_reason="")),
                name="policy_withdrawal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return _in_language(self.title, self.title_en)

    @property
    def display_body(self) -> str:
        return _in_language(self.body, self.body_en)

    @property
    def display_grant(self) -> str:
        return _in_language(self.grant_name, self.grant_name_en)

    @property
    def has_grant(self) -> bool:
        return bool(self.grant_name)

    def can_move_to(self, status: str) -> bool:
        return status in POLICY_MOVES[self.status]

    def is_running_on(self, day: dt.date) -> bool:
        """Published and inside its window on `day`: the days it is pushed."""
        return (
            self.status == PolicyStatus.PUBLISHED
            and self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
        )

    def has_ended_by(self, day: dt.date) -> bool:
        return self.ends_on is not None and self.ends_on < day


class PolicyEvent(models.Model):
    """One step in a policy's history: who created, changed, published or withdrew it, and why."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=PolicyStatus.choices)
    to_status = models.CharField(max_length=10, choices=PolicyStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.policy_id}: {self.from_status} -> {self.to_status}"


class RunTrigger(models.TextChoices):
    PUBLISH = "publish", _("Published")
    SCHEDULE = "schedule", _("Periodic check for new qualifiers")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Not running: outside its window or withdrawn")
    INTERRUPTED = "interrupted", _("Interrupted: its worker stopped; pushed again")


class PushRun(models.Model):
    """One computation of a policy's audience and what it wrote: notices, grants, deliveries.

    Recorded before the work starts and completed after it commits, so a run killed halfway
    stays `running` with nothing written (its work was one transaction) and stops beating:
    portal.runs marks it interrupted and pushes the policy again.
    """

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(_("trigger"), max_length=10, choices=RunTrigger.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    on = models.DateField(_("targeting day"))
    audience = models.PositiveIntegerField(_("persons matching"), default=0)
    notices_added = models.PositiveIntegerField(_("notices added"), default=0)
    grants_added = models.PositiveIntegerField(_("grants added"), default=0)
    deliveries_added = models.PositiveIntegerField(_("deliveries queued"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("push run")
        verbose_name_plural = _("push runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(trigger__in=RunTrigger.values), name="push_run_trigger_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="push_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.started_at:%Y-%m-%d %H:%M}: +{self.notices_added}"


class PolicyNotice(models.Model):
    """One policy notice to one person: pushed once (unique per policy and person), opened or not.

    A person with an account reads it in their inbox; others get it by SMS where the policy
    uses that channel. Dismissing hides it from the inbox.
    """

    # Both are looked up through the indexes below (a FK index each would only slow the push).
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="notices", db_index=False
    )
    # Not a database constraint: PostgreSQL checks a foreign key row by row, locking each
    # referenced person (FOR KEY SHARE), which doubles the time to push half a million
    # notices. Every id is read from the person table in the same statement, and deleting a
    # person through the ORM still deletes their notices.
    person = models.ForeignKey(
        "residents.Person",
        on_delete=models.CASCADE,
        related_name="policy_notices",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("policy notice")
        verbose_name_plural = _("policy notices")
        constraints = [
            models.UniqueConstraint(fields=["policy", "person"], name="policy_notice_once"),
        ]
        indexes = [models.Index(fields=["person", "-created_at"], name="policy_notice_inbox")]

    def __str__(self) -> str:
        return f"{self.policy_id} -> {self.person_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Grant(models.Model):
    """One benefit granted to one person under a policy without any application (免申直享).

    Recorded once per policy and person, when the person first qualifies; the amount is the
    policy's at that moment.
    """

    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="grants", db_index=False
    )
    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="policy_grants"
    )
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    granted_at = models.DateTimeField(_("granted at"))

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(fields=["policy", "person"], name="grant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} -> {self.person_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent: the resident switched this channel off")


class Delivery(models.Model):
    """One copy of a policy notice sent through one channel (SMS, e-mail): what was sent when,
    how many attempts it took, and the last error. One per notice and channel."""

    notice = models.ForeignKey(
        PolicyNotice, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="deliveries", db_index=False
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("sent to"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="delivery_once"),
            models.CheckConstraint(
                condition=Q(channel__in=[str(c) for c in OPTIONAL_CHANNELS]),
                name="delivery_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
                name="delivery_sent_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.FAILED) | ~Q(last_error=""),
                name="delivery_failure_has_error",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENDING) | Q(claimed_at__isnull=False),
                name="delivery_sending_is_claimed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["policy", "channel", "next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_due",
            ),
            models.Index(fields=["policy", "status"], name="delivery_policy_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.notice_id}: {self.status}"


class ChannelOptOut(models.Model):
    """One user's choice not to receive policy notices through one channel (never the inbox)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_opt_outs"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel opt-out")
        verbose_name_plural = _("channel opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="opt_out_once"),
            models.CheckConstraint(
                condition=Q(channel__in=[str(c) for c in OPTIONAL_CHANNELS]),
                name="opt_out_not_the_inbox",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} without {self.channel}"
