"""Settling discrepancies (confirmed, false positive, disputed, resolved elsewhere), and
suppressing evidence an officer found false.

A discrepancy is settled once, by a grid officer of its address's grid (outside: not found),
with a reason; the settling is written on the discrepancy (who, when, why) and as a history
row (`DiscrepancySettlement`). Every unsettled discrepancy sharing its verification task (the
same finding of earlier nights) is settled with it.

- confirmed, for a probably-departed person: the person's current registration at the
  address ends (residents.services.registrations.end_registrations, which also cancels a
  valid permit), its reason naming the evidence (feed, day, row, discrepancy). This and a
  visit's recorded departure are the only ways the reconciliation ends a registration: no
  departure without evidence.
- false positive: the evidence is suppressed (`SuppressedEvidence`): the next run finding
  the same evidence raises nothing. The same evidence is the same feed kind, discrepancy
  kind, address, person (or nobody) and fingerprint of the first feed row showing it: MD5 of
  the row's signal, address, dates and usage (`EVIDENCE_SQL`), never its row number. A later
  row that says something new (another month's payment stop) raises it again.
- disputed and resolved elsewhere are recorded only.

During a run (the write phase, services._write), `suppress` drops the found discrepancies
whose evidence is suppressed, and `stamp_evidence` stores each recorded discrepancy's
fingerprint.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal import rowupdates
from portal.accounts.models import User
from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from residents.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancySettlement,
    Disposition,
    Registration,
    SuppressedEvidence,
)
from residents.reconciliation import matching, selectors
from residents.reconciliation.loader import rows_table
from residents.services import registrations

# The fingerprint of a feed row: what it says, not where it sits in the file.
EVIDENCE_SQL = (
    "md5(concat_ws('|', %(feed_kind)s, f.kind, t.signal, t.address_id, t.event_date, "
    "t.end_date, t.usage))"
)


def suppress(cursor, *, run_id: int, feed_kind: str) -> dict[str, int]:
    """Fingerprint the run's found discrepancies, drop those an officer found false; count
    the rest by kind. Runs inside the write phase's transaction, before the tasks are raised."""
    found = matching.FOUND
    cursor.execute(f"ALTER TABLE {found} ADD COLUMN evidence text")
    cursor.execute(
        f"UPDATE {found} f SET evidence = {EVIDENCE_SQL} "  # noqa: S608 - our own table names
        f"FROM {rows_table(run_id)} t WHERE t.row_no = f.row_no",
        {"feed_kind": feed_kind},
    )
    cursor.execute(
        f"""
        DELETE FROM {found} f
        USING residents_suppressedevidence s
        WHERE s.feed_kind = %(feed_kind)s AND s.kind = f.kind AND s.address_id = f.address_id
          AND coalesce(s.person_id, 0) = coalesce(f.person_id, 0) AND s.evidence = f.evidence
        """,  # noqa: S608 - our own table names
        {"feed_kind": feed_kind},
    )
    cursor.execute(f"SELECT kind, count(*) FROM {found} GROUP BY kind ORDER BY kind")  # noqa: S608 - our own table names
    return dict(cursor.fetchall())


def stamp_evidence(cursor, *, run_id: int) -> None:
    """Store the fingerprint on each discrepancy the run recorded (after record_discrepancies)."""
    cursor.execute(
        f"""
        UPDATE residents_discrepancy d SET evidence = coalesce(f.evidence, '')
        FROM {matching.FOUND} f
        WHERE d.run_id = %(run_id)s AND d.kind = f.kind AND d.address_id = f.address_id
          AND coalesce(d.person_id, 0) = coalesce(f.person_id, 0)
        """,  # noqa: S608 - our own table names
        {"run_id": run_id},
    )


def evidence_text(discrepancy: Discrepancy) -> str:
    """The evidence a confirmed departure names: the feed, its day, the row, the discrepancy."""
    run = discrepancy.run
    return _("%(feed)s of %(date)s, row %(row)s (discrepancy %(id)s: %(kind)s)") % {
        "feed": run.feed.get_kind_display(),
        "date": date_format(run.run_on),
        "row": discrepancy.row_no,
        "id": discrepancy.pk,
        "kind": discrepancy.get_kind_display(),
    }


@dataclass(frozen=True)
class SettlementInput:
    """One settlement of a batch (settle_discrepancies): who settles which discrepancy, how,
    why, and the day a confirmed departure ends (today unless given)."""

    actor: User
    discrepancy_id: int
    disposition: str
    reason: str
    on: dt.date | None = None


def settle_discrepancy(
    *,
    actor: User,
    discrepancy_id: int,
    disposition: str,
    reason: str,
    on: dt.date | None = None,
) -> Discrepancy:
    """Settle a discrepancy with a disposition, a reason, who and when; return it.

    Refused, every problem at once: a disposition not in the list, no reason. A discrepancy
    settled already: 409. Outside the officer's grids: not found. A confirmed departure ends
    the person's current registration at the address on `on` (today unless given), naming
    the evidence. Concurrency: the discrepancy rows of its task are locked.

    The rules are settle_discrepancies', applied to a batch of one (its errors are named
    without the `items.0.` prefix).
    """
    one = SettlementInput(
        actor=actor, discrepancy_id=discrepancy_id, disposition=disposition, reason=reason, on=on
    )
    return _settle([one], prefixed=False)[0]


def settle_discrepancies(items: Sequence[SettlementInput]) -> list[Discrepancy]:
    """Settle a batch of discrepancies (a day's settlements of several officers) in one
    transaction, set-based; return each settled discrepancy in the order given.

    Each item follows settle_discrepancy's rules, checked against its own officer (a
    discrepancy outside their grids: not found, nothing written). Every problem of every item
    is reported at once, named `items.<i>.<field>`: first the input (a disposition not in the
    list, no reason), then, when the input is sound, the discrepancies settled already
    (before the batch, or by an earlier item of it settling the same task): 409, then the
    departures the registry refuses (an end date in the future). Nothing is written unless
    all of it is. Reads are one query per kind of row for the whole batch (the scope, by
    selectors.settleable_pairs: discrepancies_settleable_by's rule for all the officers at
    once; the items' discrepancies and those of their tasks, locked; the current
    registrations a confirmed departure ends); writes are one UPDATE of the discrepancies, one INSERT of the
    settlements and one of the suppressed evidence. Departures are ended by
    residents.services.registrations.end_registrations as one batch, so they follow its rules.
    """
    return _settle(list(items), prefixed=True)


def _settle(items: list[SettlementInput], *, prefixed: bool) -> list[Discrepancy]:
    def key(index: int, field: str) -> str:
        return f"items.{index}.{field}" if prefixed else field

    if not items:
        return []
    reasons = [(one.reason or "").strip() for one in items]
    with transaction.atomic():
        settleable = selectors.settleable_pairs(
            list({one.actor.pk: one.actor for one in items}.values()),
            {one.discrepancy_id for one in items},
        )
        locked = {
            d.pk: d
            for d in Discrepancy.objects.select_for_update(of=("self",))
            .select_related("run__feed", "address")
            .filter(pk__in={one.discrepancy_id for one in items})
            .order_by("pk")
        }
        for one in items:
            if (one.actor.pk, one.discrepancy_id) not in settleable:
                raise NotFound()
        errors: dict[str, list[str]] = {}
        for i, one in enumerate(items):
            if one.disposition not in Disposition.values:
                errors[key(i, "disposition")] = [_("Please choose a disposition from the list.")]
            if not reasons[i]:
                errors[key(i, "reason")] = [_("Please say why.")]
        if errors:
            raise InvalidInput(fields=errors)
        same_task: dict[int, list[Discrepancy]] = defaultdict(list)
        for d in (
            Discrepancy.objects.select_for_update(of=("self",))
            .select_related("run__feed")
            .filter(task_id__in={d.task_id for d in locked.values()}, disposition="")
            .order_by("pk")
        ):
            same_task[d.task_id].append(d)
        settled_tasks: set[int] = set()
        for i, one in enumerate(items):
            discrepancy = locked[one.discrepancy_id]
            if discrepancy.disposition or discrepancy.task_id in settled_tasks:
                errors[key(i, "discrepancy_id")] = [_("This discrepancy has already been settled.")]
            settled_tasks.add(discrepancy.task_id)
        if errors:
            raise TransitionNotAllowed(
                _("This discrepancy has already been settled."),
                fields=errors if prefixed else None,
            )
        now = timezone.now()
        today = timezone.localdate(now)
        departing = [
            (i, locked[one.discrepancy_id])
            for i, one in enumerate(items)
            if one.disposition == Disposition.CONFIRMED
            and locked[one.discrepancy_id].kind == DiscrepancyKind.PROBABLY_DEPARTED
            and locked[one.discrepancy_id].person_id is not None
        ]
        current: dict[tuple[int, int], Registration] = {}
        if departing:
            for registration in Registration.objects.filter(
                person_id__in={d.person_id for _i, d in departing},
                address_id__in={d.address_id for _i, d in departing},
                end_date__isnull=True,
            ).order_by("pk"):
                current.setdefault((registration.person_id, registration.address_id), registration)
        ending: list[Discrepancy] = []
        rows: list[registrations.Ending] = []
        for i, discrepancy in departing:
            registration = current.pop((discrepancy.person_id, discrepancy.address_id), None)
            if registration is None:
                continue  # none, or ended by an earlier item of the batch
            ending.append(discrepancy)
            rows.append(
                registrations.Ending(
                    actor=items[i].actor,
                    registration_id=registration.pk,
                    end_date=max(items[i].on or today, registration.start_date),
                    reason=_("Departure confirmed by a grid officer: %(evidence)s. %(reason)s")
                    % {"evidence": evidence_text(discrepancy), "reason": reasons[i]},
                    prefix=key(i, ""),
                )
            )
        try:
            made = registrations.end_registrations(rows)
        except InvalidInput as exc:
            if not prefixed:
                raise
            raise InvalidInput(fields=exc.fields) from None
        ended = {d.pk: registration for d, registration in zip(ending, made, strict=True)}
        changed: list[Discrepancy] = []
        settlements: list[DiscrepancySettlement] = []
        suppressed: list[SuppressedEvidence] = []
        for i, one in enumerate(items):
            discrepancy = locked[one.discrepancy_id]
            for d in same_task[discrepancy.task_id]:
                d.disposition = one.disposition
                d.settled_at = now
                d.settled_by = one.actor
                d.settle_reason = reasons[i]
                changed.append(d)
                settlements.append(
                    DiscrepancySettlement(
                        discrepancy=d,
                        disposition=one.disposition,
                        actor=one.actor,
                        at=now,
                        reason=reasons[i],
                        registration_ended=ended.get(d.pk) if d.pk == discrepancy.pk else None,
                    )
                )
                if one.disposition == Disposition.FALSE_POSITIVE and d.evidence:
                    suppressed.append(
                        SuppressedEvidence(
                            feed_kind=d.run.feed.kind,
                            kind=d.kind,
                            address_id=d.address_id,
                            person_id=d.person_id,
                            evidence=d.evidence,
                            discrepancy=d,
                            created_at=now,
                        )
                    )
        rowupdates.update_rows(
            changed, ["disposition", "settled_at", "settled_by", "settle_reason"]
        )
        DiscrepancySettlement.objects.bulk_create(settlements)
        if suppressed:
            SuppressedEvidence.objects.bulk_create(suppressed, ignore_conflicts=True)
    fresh = Discrepancy.objects.in_bulk([one.discrepancy_id for one in items])
    return [fresh[one.discrepancy_id] for one in items]
