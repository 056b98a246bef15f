"""Settling discrepancies (confirmed, false positive, disputed, resolved elsewhere), and
suppressing evidence an officer found false.

A discrepancy is settled once, by a grid officer of its address's grid (outside: not found),
with a reason; the settling is written on the discrepancy (who, when, why) and as a history
row (`DiscrepancySettlement`). Every unsettled discrepancy sharing its verification task (the
same finding of earlier nights) is settled with it.

- confirmed, for a probably-departed person: the person's current registration at the
  address ends (residents.services.end_registration, which also cancels a valid permit),
  its reason naming the evidence (feed, day, row, discrepancy). This and a visit's recorded
  departure are the only ways the reconciliation ends a registration: no departure without
  evidence.
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

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

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
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        discrepancy = (
            selectors.discrepancies_settleable_by(actor)
            .select_for_update(of=("self",))
            .select_related("run__feed")
            .filter(pk=discrepancy_id)
            .first()
        )
        if discrepancy is None:
            raise NotFound()
        errors: dict[str, list[str]] = {}
        if disposition not in Disposition.values:
            errors["disposition"] = [_("Please choose a disposition from the list.")]
        if not reason:
            errors["reason"] = [_("Please say why.")]
        if errors:
            raise InvalidInput(fields=errors)
        if discrepancy.disposition:
            raise TransitionNotAllowed(_("This discrepancy has already been settled."))
        now = timezone.now()
        day = on or timezone.localdate(now)
        ended: Registration | None = None
        if (
            disposition == Disposition.CONFIRMED
            and discrepancy.kind == DiscrepancyKind.PROBABLY_DEPARTED
            and discrepancy.person_id is not None
        ):
            current = Registration.objects.filter(
                person_id=discrepancy.person_id,
                address_id=discrepancy.address_id,
                end_date__isnull=True,
            ).first()
            if current is not None:
                ended = registrations.end_registration(
                    actor=actor,
                    registration_id=current.pk,
                    end_date=max(day, current.start_date),
                    reason=_("Departure confirmed by a grid officer: %(evidence)s. %(reason)s")
                    % {"evidence": evidence_text(discrepancy), "reason": reason},
                )
        same_case = list(
            Discrepancy.objects.select_for_update()
            .select_related("run__feed")
            .filter(task_id=discrepancy.task_id, disposition="")
            .order_by("pk")
        )
        Discrepancy.objects.filter(pk__in=[d.pk for d in same_case]).update(
            disposition=disposition, settled_at=now, settled_by=actor, settle_reason=reason
        )
        DiscrepancySettlement.objects.bulk_create(
            DiscrepancySettlement(
                discrepancy=d,
                disposition=disposition,
                actor=actor,
                at=now,
                reason=reason,
                registration_ended=ended if d.pk == discrepancy.pk else None,
            )
            for d in same_case
        )
        if disposition == Disposition.FALSE_POSITIVE:
            SuppressedEvidence.objects.bulk_create(
                (
                    SuppressedEvidence(
                        feed_kind=d.run.feed.kind,
                        kind=d.kind,
                        address_id=d.address_id,
                        person_id=d.person_id,
                        evidence=d.evidence,
                        discrepancy=d,
                        created_at=now,
                    )
                    for d in same_case
                    if d.evidence
                ),
                ignore_conflicts=True,
            )
    discrepancy.refresh_from_db()
    return discrepancy
