"""Every write of notices: messages to users, policies, pushing them, delivering copies, opt-outs.

Callers that notify about a state change queue `notify` with `transaction.on_commit`, so a
notice is only sent for a change that was committed.

Pushing a policy (精准推送) is set-based: the audience is computed from the registered
criteria as one query and staged; the persons it reaches for the first time are staged again
with their notice ids and contacts, and the inbox notices, the grants (免申直享) and the queued
SMS and e-mail deliveries are each written from them by one INSERT ... SELECT, under the unique
(policy, person) and (notice, channel) keys. A push that is retried, run twice at once or killed
halfway therefore leaves exactly one notice (and one grant) per person and policy: the push is
one transaction, and the policy row is locked while it runs, so a duplicate push waits and then
finds nothing left to add.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import runs
from portal.accounts.models import Department, User
from portal.errors import InvalidInput, NotAllowed, NotEligible, NotFound, TransitionNotAllowed
from portal.notices import channels as notice_channels
from portal.notices import criteria, selectors
from portal.notices.models import (
    OPTIONAL_CHANNELS,
    Channel,
    ChannelOptOut,
    Delivery,
    DeliveryStatus,
    Grant,
    Notification,
    Policy,
    PolicyEvent,
    PolicyNotice,
    PolicyStatus,
    PushRun,
    RunStatus,
    RunTrigger,
)

BATCH_SIZE = 1000
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60
STALE_AFTER = dt.timedelta(minutes=15)


# --- messages to one user ------------------------------------------------------------------------


def notify(*, user: User, title: str, body: str, link: str = "") -> Notification:
    """Put one notice in a user's inbox."""
    return Notification.objects.create(
        recipient=user, title=str(title)[:200], body=str(body), link=link[:300]
    )


def notify_after_commit(
    user: User | None, message: Callable[[], tuple[str, str]], *, link: str = ""
) -> None:
    """Send `user` a notice once the current transaction commits; nothing if it rolls back.

    `message` returns (title, body); it is called after commit in the portal's language, so a
    notice caused by a reviewer working in English still reaches the resident in Chinese.
    """
    if user is None:
        return

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            title, body = message()
            notify(user=user, title=title, body=body, link=link)

    transaction.on_commit(send)


def mark_read(*, notification_id: int, actor: User) -> Notification:
    """Mark one of the actor's own notices read; another user's notice is not found."""
    with transaction.atomic():
        try:
            notice = selectors.notifications_of(actor).select_for_update().get(pk=notification_id)
        except Notification.DoesNotExist:
            raise NotFound() from None
        if notice.read_at is None:
            notice.read_at = timezone.now()
            notice.save(update_fields=["read_at"])
        return notice


def dismiss_notification(*, notification_id: int, actor: User) -> Notification:
    """Take one of the actor's own messages out of their inbox."""
    with transaction.atomic():
        try:
            notice = selectors.notifications_of(actor).select_for_update().get(pk=notification_id)
        except Notification.DoesNotExist:
            raise NotFound() from None
        now = timezone.now()
        notice.dismissed_at = now
        notice.read_at = notice.read_at or now
        notice.save(update_fields=["dismissed_at", "read_at"])
        return notice


def mark_all_read(*, actor: User) -> int:
    """Mark every unread message and policy notice of the actor read; returns how many changed."""
    now = timezone.now()
    with transaction.atomic():
        messages = (
            selectors.notifications_of(actor).filter(read_at__isnull=True).update(read_at=now)
        )
        notices = PolicyNotice.objects.filter(
            pk__in=selectors.policy_notices_of(actor).filter(read_at__isnull=True).values("pk")
        ).update(read_at=now)
    return messages + notices


# --- a resident's policy notices -------------------------------------------------------------------


def _own_policy_notice(actor: User, notice_id: int) -> PolicyNotice:
    try:
        return selectors.policy_notices_of(actor).select_for_update(of=("self",)).get(pk=notice_id)
    except PolicyNotice.DoesNotExist:
        raise NotFound() from None


def open_policy_notice(*, notice_id: int, actor: User) -> PolicyNotice:
    """The resident opens one of their own policy notices: it counts as opened from then on."""
    with transaction.atomic():
        notice = _own_policy_notice(actor, notice_id)
        if notice.read_at is None:
            notice.read_at = timezone.now()
            notice.save(update_fields=["read_at"])
        return notice


def dismiss_policy_notice(*, notice_id: int, actor: User) -> PolicyNotice:
    """The resident dismisses one of their own policy notices: it leaves their inbox.

    A grant received under the policy stays granted.
    """
    with transaction.atomic():
        notice = _own_policy_notice(actor, notice_id)
        now = timezone.now()
        notice.dismissed_at = now
        notice.read_at = notice.read_at or now
        notice.save(update_fields=["dismissed_at", "read_at"])
        return notice


def set_channel(*, actor: User, channel: str, enabled: bool) -> set[str]:
    """Switch one channel (SMS or e-mail) on or off for the actor; returns the channels now off.

    The inbox cannot be switched off: notices about rights and duties must reach the resident.
    Switching a channel off also stops the copies already queued for it.
    """
    if not actor.is_authenticated:
        raise NotAllowed()
    if channel == Channel.INBOX:
        raise InvalidInput(
            _("Messages in the portal cannot be switched off."),
            code="inbox_required",
            fields={"channel": [_("Messages in the portal cannot be switched off.")]},
        )
    if channel not in OPTIONAL_CHANNELS:
        raise InvalidInput(fields={"channel": [_("This channel is not known.")]})
    with transaction.atomic():
        if enabled:
            ChannelOptOut.objects.filter(user=actor, channel=channel).delete()
        else:
            ChannelOptOut.objects.get_or_create(user=actor, channel=channel)
            Delivery.objects.filter(
                channel=channel, status=DeliveryStatus.PENDING, notice__person__user=actor
            ).update(status=DeliveryStatus.SKIPPED)
    return selectors.opted_out_channels(actor)


# --- policies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyInput:
    """What staff fill in for a policy; the services check it."""

    title: str
    body: str
    starts_on: dt.date
    target: Any
    title_en: str = ""
    body_en: str = ""
    ends_on: dt.date | None = None
    link: str = ""
    channels: tuple[str, ...] = ()
    grant_name: str = ""
    grant_name_en: str = ""
    grant_amount: Decimal | None = None
    department: str | None = None  # a department code; reviewers always publish for their own


def _department_for(actor: User, code: str | None) -> Department:
    if actor.is_superuser or actor.has_role("administrator"):
        if code:
            department = Department.objects.filter(code=code).first()
            if department is None:
                raise InvalidInput(fields={"department": [_("This department is not known.")]})
            return department
        if actor.department_id is None:
            raise InvalidInput(fields={"department": [_("Choose the issuing department.")]})
        return actor.department
    return actor.department


def _check_input(data: PolicyInput) -> dict[str, Any]:
    """The fields of a policy, checked: text present, window ordered, link safe, target valid."""
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the policy a title.")]
    if not data.body.strip():
        errors["body"] = [_("Say what the policy offers and how to use it.")]
    if data.ends_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = [_("The end date must not be before the start date.")]
    link = data.link.strip()
    if (
        link
        and not (link.startswith("/") and not link.startswith("//"))
        and not (link.startswith("https://"))
    ):
        errors["link"] = [_("Give a page of this portal (starting with /) or an https:// address.")]
    unknown = set(data.channels) - {str(c) for c in OPTIONAL_CHANNELS}
    if unknown:
        errors["channels"] = [_("This channel is not known.")]
    if data.grant_amount is not None and not data.grant_name.strip():
        errors["grant_name"] = [_("Name the benefit that the amount is for.")]
    if data.grant_amount is not None and data.grant_amount <= 0:
        errors["grant_amount"] = [_("The amount must be more than zero.")]
    target: list[dict[str, Any]] = []
    try:
        target = criteria.clean_target(data.target)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput(fields=errors)
    return {
        "title": data.title.strip()[:200],
        "title_en": data.title_en.strip()[:200],
        "body": data.body.strip(),
        "body_en": data.body_en.strip(),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "link": link[:300],
        "target": target,
        "channels": sorted(set(data.channels)),
        "grant_name": data.grant_name.strip()[:100],
        "grant_name_en": data.grant_name_en.strip()[:100],
        "grant_amount": data.grant_amount,
    }


def create_policy(*, actor: User, data: PolicyInput) -> Policy:
    """Staff draft a policy for their department (administrators for any department)."""
    if not selectors.can_manage_policies(actor):
        raise NotAllowed()
    fields = _check_input(data)
    with transaction.atomic():
        policy = Policy.objects.create(
            **fields, department=_department_for(actor, data.department), created_by=actor
        )
        PolicyEvent.objects.create(
            policy=policy,
            from_status=PolicyStatus.DRAFT,
            to_status=PolicyStatus.DRAFT,
            actor=actor,
            note="created",
            at=timezone.now(),
        )
        return policy


def _lock(actor: User, policy_id: int) -> Policy:
    try:
        return (
            selectors.policies_managed_by(actor).select_for_update(of=("self",)).get(pk=policy_id)
        )
    except Policy.DoesNotExist:
        raise NotFound() from None


def update_policy(*, actor: User, policy_id: int, data: PolicyInput) -> Policy:
    """Change a draft. A published policy is not edited: what residents received stays as sent."""
    fields = _check_input(data)
    with transaction.atomic():
        policy = _lock(actor, policy_id)
        if policy.status != PolicyStatus.DRAFT:
            raise TransitionNotAllowed(_("Only a draft can be changed."))
        for name, value in fields.items():
            setattr(policy, name, value)
        if data.department and (actor.is_superuser or actor.has_role("administrator")):
            policy.department = _department_for(actor, data.department)
        policy.save()
        PolicyEvent.objects.create(
            policy=policy,
            from_status=PolicyStatus.DRAFT,
            to_status=PolicyStatus.DRAFT,
            actor=actor,
            note="changed",
            at=timezone.now(),
        )
        return policy


def _persons_table() -> str:
    return PolicyNotice._meta.get_field("person").related_model._meta.db_table


def count_audience(*, target: Any, on: dt.date | None = None) -> int:
    """How many persons a target reaches on `on` (today): the preview staff see before publishing."""
    cleaned = criteria.clean_target(target)
    sql, params = criteria.audience_sql(cleaned, on=on or timezone.localdate())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"SELECT count(*) FROM ({sql}) audience", params)  # noqa: S608
        return cursor.fetchone()[0]


def publish_policy(*, actor: User, policy_id: int, queue_push: bool = True) -> Policy:
    """Publish a draft: from its start date it is pushed to everyone its target reaches.

    Refused when the window has already ended or the target reaches nobody (counted on the
    start date, or today if it has started). A policy that has started is pushed as soon as
    this commits (unless `queue_push` is false: the caller pushes it itself); one starting
    later is pushed by the periodic job on its start date.
    """
    today = timezone.localdate()
    with transaction.atomic():
        policy = _lock(actor, policy_id)
        if not policy.can_move_to(PolicyStatus.PUBLISHED):
            raise TransitionNotAllowed(_("This policy has already been published or withdrawn."))
        if policy.has_ended_by(today):
            raise NotEligible(
                _("The policy ended on %(date)s: change its dates before publishing.")
                % {"date": policy.ends_on},
                code="window_ended",
                fields={"ends_on": [_("This date has passed.")]},
            )
        reached = count_audience(target=policy.target, on=max(today, policy.starts_on))
        if reached == 0:
            raise NotEligible(
                _("This target reaches nobody: widen the conditions before publishing."),
                code="empty_audience",
                fields={"target": [_("No resident meets all these conditions.")]},
            )
        now = timezone.now()
        policy.status = PolicyStatus.PUBLISHED
        policy.published_at = now
        policy.save(update_fields=["status", "published_at"])
        PolicyEvent.objects.create(
            policy=policy,
            from_status=PolicyStatus.DRAFT,
            to_status=PolicyStatus.PUBLISHED,
            actor=actor,
            note=f"audience {reached}",
            at=now,
        )
        if queue_push and policy.starts_on <= today:
            transaction.on_commit(lambda: _enqueue_push(policy.pk))
        return policy


def _enqueue_push(policy_id: int) -> None:
    from portal.notices import tasks

    tasks.push_policy.delay(policy_id)


def _enqueue_delivery(policy_id: int, channel: str, *, countdown: float = 0) -> None:
    from portal.notices import tasks

    tasks.deliver.apply_async(args=[policy_id, channel], countdown=countdown)


def withdraw_policy(*, actor: User, policy_id: int, reason: str) -> Policy:
    """Withdraw a published policy: pushing stops, its notices leave inboxes, queued copies are
    not sent. Grants already made stay on record."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            _("Please give a reason."),
            code="reason_required",
            fields={"reason": [_("A reason is required.")]},
        )
    with transaction.atomic():
        policy = _lock(actor, policy_id)
        if not policy.can_move_to(PolicyStatus.WITHDRAWN):
            raise TransitionNotAllowed(_("Only a published policy can be withdrawn."))
        now = timezone.now()
        policy.status = PolicyStatus.WITHDRAWN
        policy.withdrawn_at = now
        policy.withdraw_reason = reason
        policy.save(update_fields=["status", "withdrawn_at", "withdraw_reason"])
        Delivery.objects.filter(policy=policy, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SKIPPED, last_error=reason[:200]
        )
        PolicyEvent.objects.create(
            policy=policy,
            from_status=PolicyStatus.PUBLISHED,
            to_status=PolicyStatus.WITHDRAWN,
            actor=actor,
            note=reason,
            at=now,
        )
        return policy


# --- pushing -------------------------------------------------------------------------------------

STAGE = "notices_push_audience"
FRESH = "notices_push_fresh"

# The audience, staged: one set-based query (run in parallel, as a plain SELECT may be), each
# person marked new when the policy has not reached them yet. A rerun finds nobody new by a
# hash anti-join on the policy's notices instead of half a million conflicting inserts.
STAGE_AUDIENCE = """
CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS
SELECT a.person_id, NOT EXISTS (
    SELECT 1 FROM {notices} n WHERE n.policy_id = %s AND n.person_id = a.person_id
) AS is_new
FROM ({audience}) a
"""

# The persons reached for the first time, in person order (the order of the unique index), each
# with the id of the notice they will get, taken from the notices' own sequence, and, when the
# policy sends copies, the contact each channel uses. Every row below is then written by a
# plain INSERT ... SELECT of these rows: no join, no conflict to resolve.
STAGE_FRESH = """
CREATE TEMPORARY TABLE {fresh} ON COMMIT DROP AS
SELECT nextval((SELECT pg_get_serial_sequence('{notices}', 'id'))) AS notice_id, f.*
FROM (
    SELECT s.person_id{contact_columns}
    FROM {stage} s{contact_joins}
    WHERE s.is_new
    ORDER BY s.person_id
) f
"""

CONTACT_COLUMNS = """,
           p.user_id, p.phone, coalesce(u.email, '') AS email"""
CONTACT_JOINS = """
    JOIN {persons} p ON p.id = s.person_id
    LEFT JOIN {users} u ON u.id = p.user_id"""

# Unique per (policy, person): the audience's anti-join leaves nobody notified twice, and the
# policy row, locked for the whole push, keeps a second push waiting until this one commits.
INSERT_NOTICES = """
INSERT INTO {notices} (id, policy_id, person_id, created_at)
SELECT notice_id, %s, person_id, %s FROM {fresh}
"""

# A grant goes with a person's first notice of the policy; the anti-join keeps it once even
# for a person whose earlier notice is gone.
INSERT_GRANTS = """
INSERT INTO {grants} (policy_id, person_id, amount, granted_at)
SELECT %s, f.person_id, %s, %s FROM {fresh} f
WHERE NOT EXISTS (SELECT 1 FROM {grants} g WHERE g.policy_id = %s AND g.person_id = f.person_id)
"""

# One copy per new notice and channel, to the person's phone (SMS) or account e-mail, unless
# there is none or the person's account has switched the channel off.
INSERT_DELIVERIES = """
INSERT INTO {deliveries} (
    notice_id, policy_id, channel, address, status, attempts, last_error, next_attempt_at
)
SELECT f.notice_id, %s, c.channel, contact.address, 'pending', 0, '', %s
FROM {fresh} f
CROSS JOIN unnest(%s::text[]) AS c (channel)
CROSS JOIN LATERAL (
    SELECT CASE c.channel WHEN 'sms' THEN f.phone ELSE f.email END AS address
) contact
WHERE contact.address <> ''
  AND NOT EXISTS (
      SELECT 1 FROM {opt_outs} o WHERE o.user_id = f.user_id AND o.channel = c.channel
  )
"""


def push_policy(*, policy_id: int, trigger: str = RunTrigger.PUBLISH) -> PushRun | None:
    """Notify every person the policy's target reaches today who has not been notified yet.

    One transaction: the policy row is locked (a duplicate push waits for this one, then adds
    nothing); the audience is one set-based query, staged in a temporary table with the
    persons not yet reached marked; those are staged again with their notice ids and contacts,
    and the notices, grants and SMS/e-mail deliveries are each written by one INSERT ... SELECT
    of the staged rows. Each is unique per (policy, person) or (notice, channel), so nothing is
    ever written twice. Persons who qualify later are reached by the next periodic push. A
    policy that is not running today (a draft, withdrawn, not started or ended) is skipped; one
    that does not exist gives None.
    """
    today = timezone.localdate()
    if not Policy.objects.filter(pk=policy_id).exists():
        return None
    run = PushRun.objects.create(
        policy_id=policy_id, trigger=trigger, on=today, started_at=timezone.now()
    )
    with runs.heartbeat(PushRun, run.pk):
        return _push(run, today=today)


def _push(run: PushRun, *, today: dt.date) -> PushRun:
    policy_id = run.policy_id
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy_id)
        if not policy.is_running_on(today):
            run.status = RunStatus.SKIPPED
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
            return run
        audience_sql, audience_params = criteria.audience_sql(policy.target, on=today)
        tables = {
            "stage": STAGE,
            "fresh": FRESH,
            "notices": PolicyNotice._meta.db_table,
            "grants": Grant._meta.db_table,
            "deliveries": Delivery._meta.db_table,
            "persons": _persons_table(),
            "users": User._meta.db_table,
            "opt_outs": ChannelOptOut._meta.db_table,
        }
        channels = list(policy.channels)
        now = timezone.now()
        added = granted = queued = 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)"
            )
            cursor.execute(
                STAGE_AUDIENCE.format(audience=audience_sql, **tables),
                [policy.pk, *audience_params],
            )
            audience = cursor.rowcount
            cursor.execute(f"ANALYZE {STAGE}")
            runs.pause()
            cursor.execute(
                STAGE_FRESH.format(
                    contact_columns=CONTACT_COLUMNS if channels else "",
                    contact_joins=CONTACT_JOINS.format(**tables) if channels else "",
                    **tables,
                )
            )
            fresh = cursor.rowcount
            if fresh:
                cursor.execute(INSERT_NOTICES.format(**tables), [policy.pk, now])
                added = cursor.rowcount
                if policy.has_grant:
                    cursor.execute(
                        INSERT_GRANTS.format(**tables),
                        [policy.pk, policy.grant_amount, now, policy.pk],
                    )
                    granted = cursor.rowcount
                if channels:
                    cursor.execute(INSERT_DELIVERIES.format(**tables), [policy.pk, now, channels])
                    queued = cursor.rowcount
            cursor.execute(f"DROP TABLE {FRESH}, {STAGE}")
        run.audience, run.notices_added = audience, added
        run.grants_added, run.deliveries_added = granted, queued
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.save()
        if queued:
            for channel in policy.channels:
                transaction.on_commit(lambda c=channel: _enqueue_delivery(policy.pk, c))
    return run


# --- delivering copies ---------------------------------------------------------------------------

CLAIM = """
UPDATE {deliveries} d
SET status = 'sending', attempts = d.attempts + 1, claimed_at = %s
WHERE d.id IN (
    SELECT id FROM {deliveries}
    WHERE policy_id = %s AND channel = %s AND status = 'pending' AND next_attempt_at <= %s
    ORDER BY id
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING d.id, d.address, d.attempts, EXISTS (
    SELECT 1 FROM {notices} n
    JOIN {persons} p ON p.id = n.person_id
    JOIN {opt_outs} o ON o.user_id = p.user_id AND o.channel = d.channel
    WHERE n.id = d.notice_id
)
"""


@dataclass(frozen=True)
class BatchResult:
    claimed: int
    sent: int
    retrying: int
    failed: int
    skipped: int
    more_due: bool  # further deliveries are due now
    next_retry_in: float | None  # seconds until the earliest retry, if any wait


def message_for(policy: Policy) -> tuple[str, str]:
    """The subject and text of a policy's SMS and e-mail copies, in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(department)s] %(title)s") % {
            "department": policy.department.display_name,
            "title": policy.display_title,
        }
        lines = [policy.display_body]
        if policy.has_grant:
            lines.append(
                _("Granted to you without applying: %(benefit)s.") % {"benefit": grant_text(policy)}
            )
        lines.append(_("Details: sign in to the new-resident services portal, Messages."))
        return subject, "\n".join(lines)


def grant_text(policy: Policy, amount: Decimal | None = None) -> str:
    """The benefit in words: its name and, where there is one, the amount in yuan."""
    value = amount if amount is not None else policy.grant_amount
    if value is None:
        return policy.display_grant
    return _("%(benefit)s, %(amount)s yuan") % {
        "benefit": policy.display_grant,
        "amount": f"{value:,.2f}",
    }


def _retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def send_delivery_batch(
    *, policy_id: int, channel: str, limit: int | None = None, now: dt.datetime | None = None
) -> BatchResult:
    """Send up to `limit` due copies of a policy through one channel.

    The batch is claimed in its own short transaction (status `sending`, one more attempt,
    rows locked with SKIP LOCKED so parallel workers take different batches), then sent, then
    recorded: sent, retried later with exponential backoff after a passing failure, failed
    after MAX_ATTEMPTS or an undeliverable address, skipped when the resident has switched the
    channel off or the policy was withdrawn. A worker killed while sending leaves its batch
    `sending`; `release_stale_deliveries` puts it back in the queue.
    """
    moment = now or timezone.now()
    policy = Policy.objects.select_related("department").filter(pk=policy_id).first()
    if policy is None:
        return BatchResult(0, 0, 0, 0, 0, more_due=False, next_retry_in=None)
    table = Delivery._meta.db_table
    claim = CLAIM.format(
        deliveries=table,
        notices=PolicyNotice._meta.db_table,
        persons=_persons_table(),
        opt_outs=ChannelOptOut._meta.db_table,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(claim, [moment, policy_id, channel, moment, limit or BATCH_SIZE])
        claimed = cursor.fetchall()
    subject, body = message_for(policy)
    sent: list[int] = []
    skipped: list[int] = []
    retry: list[tuple[int, str, int]] = []
    failed: list[tuple[int, str]] = []
    for delivery_id, address, attempts, opted_out in claimed:
        if opted_out or policy.status != PolicyStatus.PUBLISHED:
            skipped.append(delivery_id)
            continue
        try:
            notice_channels.send(channel, address=address, subject=subject, body=body)
        except notice_channels.Undeliverable as exc:
            failed.append((delivery_id, str(exc) or exc.__class__.__name__))
        except Exception as exc:  # any passing failure of the gateway is retried
            error = f"{exc.__class__.__name__}: {exc}"[:500]
            if attempts >= MAX_ATTEMPTS:
                failed.append((delivery_id, error))
            else:
                retry.append((delivery_id, error, attempts))
        else:
            sent.append(delivery_id)
    finished = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk__in=sent).update(
            status=DeliveryStatus.SENT, sent_at=finished, claimed_at=None
        )
        Delivery.objects.filter(pk__in=skipped).update(
            status=DeliveryStatus.SKIPPED, claimed_at=None
        )
        for delivery_id, error in failed:
            Delivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.FAILED, last_error=error, claimed_at=None
            )
        for delivery_id, error, attempts in retry:
            Delivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.PENDING,
                last_error=error,
                claimed_at=None,
                next_attempt_at=finished + _retry_delay(attempts),
            )
    pending = Delivery.objects.filter(
        policy_id=policy_id, channel=channel, status=DeliveryStatus.PENDING
    )
    more_due = pending.filter(next_attempt_at__lte=timezone.now()).exists()
    next_retry_in = None
    if not more_due:
        earliest = pending.order_by("next_attempt_at").values_list("next_attempt_at", flat=True)
        first = earliest.first()
        if first is not None:
            next_retry_in = max((first - timezone.now()).total_seconds(), 0.0)
    return BatchResult(
        claimed=len(claimed),
        sent=len(sent),
        retrying=len(retry),
        failed=len(failed),
        skipped=len(skipped),
        more_due=more_due,
        next_retry_in=next_retry_in,
    )


def release_stale_deliveries(*, now: dt.datetime | None = None) -> int:
    """Put back in the queue the copies a killed worker left `sending` for too long."""
    moment = now or timezone.now()
    return Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=moment - STALE_AFTER
    ).update(status=DeliveryStatus.PENDING, claimed_at=None, next_attempt_at=moment)


def resume_push_run(run_id: int) -> None:
    """A push whose worker died wrote nothing (one transaction): mark it interrupted and push the
    policy again (after commit). The new push adds only what is missing."""
    from portal.notices import tasks

    interrupted = PushRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.INTERRUPTED, finished_at=timezone.now()
    )
    if not interrupted:
        return
    run = PushRun.objects.get(pk=run_id)
    transaction.on_commit(lambda: tasks.push_policy.delay(run.policy_id, run.trigger))
