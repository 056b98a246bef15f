"""Settling a day's discrepancies in one batch: the same rows as one by one, every problem of
every item named at once with nothing written, and each officer's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from residents.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancySettlement,
    Disposition,
    Registration,
    SuppressedEvidence,
)
from residents.reconciliation import dispositions, selectors
from residents.reconciliation.dispositions import SettlementInput
from tests import factories
from tests.residents.conftest import make_person, register
from tests.residents.test_dispositions import telecom
from tests.residents.test_reconciliation_runs import reconcile


class _Undo(Exception):
    pass


def resident_at(address, *, seq: int, name: str):
    """A person who entered themselves and registered at `address` eight months ago."""
    user = factories.UserFactory(username=f"resident_{seq}")
    person = make_person(user, seq=seq, name=name)
    register(user, person, address)
    return person


@pytest.fixture
def tenants(address_a):
    """Four persons registered at address_a in grid_a (officer_a's grid)."""
    return [
        resident_at(address_a, seq=seq, name=name)
        for seq, name in enumerate(["王芳", "张伟", "刘洋", "陈静"], start=30)
    ]


@pytest.fixture
def officer_b(grid_b):
    return factories.officer(grids=[grid_b], username="officer_b")


@pytest.fixture
def address_b(grid_b):
    return factories.AddressFactory(grid=grid_b)


def probably_departed(tmp_path, tenants, **kwargs) -> list[int]:
    run = reconcile(tmp_path, "telecom", [telecom(person) for person in tenants], **kwargs)
    by_person = {
        d.person_id: d.pk for d in run.discrepancies.filter(kind=DiscrepancyKind.PROBABLY_DEPARTED)
    }
    return [by_person[person.pk] for person in tenants]


def snapshot() -> dict[str, list[tuple]]:
    """The rows a settlement writes, without the moment it was written."""
    return {
        "discrepancies": list(
            Discrepancy.objects.order_by("pk").values_list(
                "pk", "disposition", "settled_by_id", "settle_reason"
            )
        ),
        "settlements": list(
            DiscrepancySettlement.objects.order_by("discrepancy_id").values_list(
                "discrepancy_id", "disposition", "actor_id", "reason", "registration_ended_id"
            )
        ),
        "suppressed": list(
            SuppressedEvidence.objects.order_by("discrepancy_id").values_list(
                "feed_kind", "kind", "address_id", "person_id", "evidence", "discrepancy_id"
            )
        ),
        "registrations": list(
            Registration.objects.order_by("pk").values_list("pk", "person_id", "end_date")
        ),
    }


def nothing_settled() -> bool:
    return (
        not DiscrepancySettlement.objects.exists()
        and not SuppressedEvidence.objects.exists()
        and not Discrepancy.objects.exclude(disposition="").exists()
        and not Registration.objects.filter(end_date__isnull=False).exists()
    )


def settled_one_by_one_then_undone(items: list[SettlementInput]) -> dict[str, list[tuple]]:
    """The rows the items write settled one by one; the settlements are then rolled back."""
    try:
        with transaction.atomic():
            for one in items:
                dispositions.settle_discrepancy(
                    actor=one.actor,
                    discrepancy_id=one.discrepancy_id,
                    disposition=one.disposition,
                    reason=one.reason,
                    on=one.on,
                )
            rows = snapshot()
            raise _Undo
    except _Undo:
        return rows


def test_a_batch_writes_the_same_rows_as_the_items_settled_one_by_one(tmp_path, tenants, officer_a):
    ids = probably_departed(tmp_path, tenants)
    day = timezone.localdate() - dt.timedelta(days=1)
    items = [
        SettlementInput(officer_a, ids[0], Disposition.CONFIRMED, " Moved away. ", on=day),
        SettlementInput(officer_a, ids[1], Disposition.FALSE_POSITIVE, "At home.", on=day),
        SettlementInput(officer_a, ids[2], Disposition.DISPUTED, "Unsure.", on=day),
        SettlementInput(officer_a, ids[3], Disposition.RESOLVED_ELSEWHERE, "Done.", on=day),
    ]
    one_by_one = settled_one_by_one_then_undone(items)
    assert nothing_settled()
    assert nothing_settled()

    settled = dispositions.settle_discrepancies(items)

    assert snapshot() == one_by_one
    assert [d.pk for d in settled] == ids
    assert [d.disposition for d in settled] == [one.disposition for one in items]
    ended = Registration.objects.get(person=tenants[0])
    assert ended.end_date == day
    assert DiscrepancySettlement.objects.get(discrepancy_id=ids[0]).registration_ended == ended
    assert SuppressedEvidence.objects.get().person == tenants[1]
    assert Registration.objects.filter(end_date__isnull=True).count() == 3


def test_a_batch_names_every_problem_of_every_item_and_writes_nothing(tmp_path, tenants, officer_a):
    ids = probably_departed(tmp_path, tenants)
    with pytest.raises(InvalidInput) as refused:
        dispositions.settle_discrepancies(
            [
                SettlementInput(officer_a, ids[0], Disposition.CONFIRMED, "Moved away."),
                SettlementInput(officer_a, ids[1], "maybe", " "),
                SettlementInput(officer_a, ids[2], Disposition.DISPUTED, ""),
            ]
        )
    assert set(refused.value.fields) == {
        "items.1.disposition",
        "items.1.reason",
        "items.2.reason",
    }
    assert nothing_settled()


def test_a_batch_names_every_item_settled_already_and_writes_nothing(tmp_path, tenants, officer_a):
    ids = probably_departed(tmp_path, tenants)
    dispositions.settle_discrepancy(
        actor=officer_a, discrepancy_id=ids[1], disposition=Disposition.DISPUTED, reason="x"
    )
    with pytest.raises(TransitionNotAllowed) as refused:
        dispositions.settle_discrepancies(
            [
                SettlementInput(officer_a, ids[0], Disposition.CONFIRMED, "Moved away."),
                SettlementInput(officer_a, ids[1], Disposition.CONFIRMED, "Moved away."),
                SettlementInput(officer_a, ids[2], Disposition.DISPUTED, "Unsure."),
                SettlementInput(officer_a, ids[2], Disposition.CONFIRMED, "Twice."),
            ]
        )
    assert set(refused.value.fields) == {"items.1.discrepancy_id", "items.3.discrepancy_id"}
    assert DiscrepancySettlement.objects.count() == 1
    assert not Registration.objects.filter(end_date__isnull=False).exists()


def test_a_departure_the_registration_service_refuses_is_named_and_nothing_is_written(
    tmp_path, tenants, officer_a
):
    ids = probably_departed(tmp_path, tenants)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        dispositions.settle_discrepancies(
            [
                SettlementInput(officer_a, ids[0], Disposition.CONFIRMED, "Moved away."),
                SettlementInput(officer_a, ids[1], Disposition.CONFIRMED, "Soon.", on=tomorrow),
            ]
        )
    assert set(refused.value.fields) == {"items.1.end_date"}
    assert nothing_settled()


def test_an_item_outside_its_officers_grids_is_not_found_and_nothing_is_written(
    tmp_path, tenants, officer_a, officer_b, address_b
):
    ids = probably_departed(tmp_path, tenants)
    elsewhere = resident_at(address_b, seq=40, name="赵磊")
    (theirs,) = probably_departed(tmp_path, [elsewhere], name="b.csv")
    # Each officer settles in their own grid: accepted together.
    dispositions.settle_discrepancies(
        [
            SettlementInput(officer_a, ids[0], Disposition.DISPUTED, "Unsure."),
            SettlementInput(officer_b, theirs, Disposition.DISPUTED, "Unsure."),
        ]
    )
    assert DiscrepancySettlement.objects.count() == 2
    # Officer b naming a discrepancy of grid a: not found, and the batch writes nothing.
    with pytest.raises(NotFound):
        dispositions.settle_discrepancies(
            [
                SettlementInput(officer_a, ids[1], Disposition.CONFIRMED, "Moved away."),
                SettlementInput(officer_b, ids[2], Disposition.CONFIRMED, "Moved away."),
            ]
        )
    assert DiscrepancySettlement.objects.count() == 2
    assert Registration.objects.filter(end_date__isnull=False).count() == 0


def test_an_empty_batch_settles_nothing(db):
    assert dispositions.settle_discrepancies([]) == []


def test_a_batch_reads_and_writes_each_kind_of_row_once_whatever_its_size(
    tmp_path, tenants, officer_a
):
    ids = probably_departed(tmp_path, tenants)
    with CaptureQueriesContext(connection) as one:
        dispositions.settle_discrepancies(
            [SettlementInput(officer_a, ids[0], Disposition.FALSE_POSITIVE, "At home.")]
        )
    with CaptureQueriesContext(connection) as three:
        dispositions.settle_discrepancies(
            [
                SettlementInput(officer_a, ids[1], Disposition.FALSE_POSITIVE, "At home."),
                SettlementInput(officer_a, ids[2], Disposition.DISPUTED, "Unsure."),
                SettlementInput(officer_a, ids[3], Disposition.RESOLVED_ELSEWHERE, "Done."),
            ]
        )
    assert len(three) == len(one)
    assert DiscrepancySettlement.objects.count() == 4


def test_an_inactive_officer_or_nobody_signed_in_finds_nothing(tmp_path, tenants, officer_a):
    ids = probably_departed(tmp_path, tenants)
    with pytest.raises(NotFound):
        dispositions.settle_discrepancies(
            [SettlementInput(AnonymousUser(), ids[0], Disposition.DISPUTED, "Unsure.")]
        )
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    with pytest.raises(NotFound):
        dispositions.settle_discrepancies(
            [SettlementInput(officer_a, ids[0], Disposition.DISPUTED, "Unsure.")]
        )
    assert nothing_settled()


def test_the_batch_scope_is_the_selectors_rule_for_every_officer_in_one_query(
    tmp_path, tenants, officer_a, officer_b, address_b, grid_a
):
    ids = probably_departed(tmp_path, tenants)
    elsewhere = resident_at(address_b, seq=41, name="赵磊")
    (theirs,) = probably_departed(tmp_path, [elsewhere], name="b.csv")
    colleague = factories.officer(grids=[grid_a], username="officer_a2")
    idle = factories.officer(grids=[grid_a], username="officer_a3")
    idle.is_active = False
    idle.save(update_fields=["is_active"])
    officers = [officer_a, colleague, idle, officer_b, AnonymousUser()]
    asked = [*ids, theirs]
    with CaptureQueriesContext(connection) as captured:
        pairs = selectors.settleable_pairs(officers, asked)
    assert len(captured) == 1
    assert pairs == {
        (officer.pk, pk)
        for officer in officers
        for pk in selectors.discrepancies_settleable_by(officer)
        .filter(pk__in=asked)
        .values_list("pk", flat=True)
    }
    assert pairs == {(o.pk, pk) for o in (officer_a, colleague) for pk in ids} | {
        (officer_b.pk, theirs)
    }
