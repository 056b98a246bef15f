"""Settling discrepancies: dispositions with history, suppression of false evidence, and no
departure without evidence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from residents import selectors
from residents.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancySettlement,
    Disposition,
    Registration,
    SuppressedEvidence,
)
from residents.reconciliation import dispositions
from tests import factories
from tests.residents.conftest import make_person, register
from tests.residents.test_reconciliation_runs import OTHER_CITY, reconcile

HERE = "330302"


def telecom(person, *, place=OTHER_CITY, month="2026-10"):
    return [person.id_number, person.name, "", place, month]


@pytest.fixture
def tenant(other_resident, address_a):
    """王芳, registered eight months ago at address_a in grid_a (officer_a's grid)."""
    person = make_person(other_resident, seq=25, name="王芳")
    register(other_resident, person, address_a)
    return person


@pytest.fixture
def officer_b(grid_b):
    return factories.officer(grids=[grid_b], username="officer_b")


def departed(run) -> Discrepancy:
    return run.discrepancies.get(kind=DiscrepancyKind.PROBABLY_DEPARTED)


def test_a_phone_seen_only_outside_the_city_marks_probably_departed(tmp_path, tenant):
    run = reconcile(tmp_path, "telecom", [telecom(tenant)])
    discrepancy = departed(run)
    assert discrepancy.person == tenant
    assert len(discrepancy.evidence) == 32


def test_a_phone_seen_in_the_city_raises_nothing(tmp_path, tenant):
    run = reconcile(tmp_path, "telecom", [telecom(tenant, place=HERE)])
    assert run.discrepancy_total == 0


def test_a_false_positive_is_recorded_with_history_and_suppresses_the_same_evidence(
    tmp_path, tenant, officer_a
):
    run = reconcile(tmp_path, "telecom", [telecom(tenant)])
    discrepancy = dispositions.settle_discrepancy(
        actor=officer_a,
        discrepancy_id=departed(run).pk,
        disposition=Disposition.FALSE_POSITIVE,
        reason="She was at home; her phone roams on a relative's plan.",
    )
    assert discrepancy.disposition == Disposition.FALSE_POSITIVE
    assert discrepancy.settled_by == officer_a
    assert discrepancy.settled_at is not None
    history = DiscrepancySettlement.objects.get(discrepancy=discrepancy)
    assert (history.actor, history.disposition) == (officer_a, Disposition.FALSE_POSITIVE)
    assert SuppressedEvidence.objects.filter(person=tenant, evidence=discrepancy.evidence).exists()
    assert selectors.current_registration(tenant) is not None  # nothing ended

    # The next night the same evidence (another file, the same row) raises nothing ...
    again = reconcile(
        tmp_path, "telecom", [telecom(tenant), ["", "", "", HERE, "2026-10"]], name="b.csv"
    )
    assert not again.discrepancies.filter(person=tenant).exists()
    # ... while new evidence (the next month's figure) does.
    later = reconcile(tmp_path, "telecom", [telecom(tenant, month="2026-11")], name="c.csv")
    assert departed(later).person == tenant


def test_a_confirmed_departure_ends_the_registration_naming_the_evidence(
    tmp_path, tenant, officer_a
):
    run = reconcile(tmp_path, "telecom", [telecom(tenant)])
    registration = selectors.current_registration(tenant)
    discrepancy = dispositions.settle_discrepancy(
        actor=officer_a,
        discrepancy_id=departed(run).pk,
        disposition=Disposition.CONFIRMED,
        reason="Neighbours say she moved back home in September.",
    )
    registration.refresh_from_db()
    assert registration.end_date is not None
    history = DiscrepancySettlement.objects.get(discrepancy=discrepancy)
    assert history.registration_ended == registration
    assert selectors.current_registration(tenant) is None


@pytest.mark.parametrize("disposition", [Disposition.DISPUTED, Disposition.RESOLVED_ELSEWHERE])
def test_other_dispositions_end_nothing(tmp_path, tenant, officer_a, disposition):
    run = reconcile(tmp_path, "telecom", [telecom(tenant)])
    dispositions.settle_discrepancy(
        actor=officer_a, discrepancy_id=departed(run).pk, disposition=disposition, reason="x"
    )
    assert Registration.objects.filter(person=tenant, end_date__isnull=True).exists()
    assert not SuppressedEvidence.objects.exists()


def test_settling_needs_a_disposition_and_a_reason_named_at_once(tmp_path, tenant, officer_a):
    run = reconcile(tmp_path, "telecom", [telecom(tenant)])
    with pytest.raises(InvalidInput) as refused:
        dispositions.settle_discrepancy(
            actor=officer_a, discrepancy_id=departed(run).pk, disposition="maybe", reason=" "
        )
    assert set(refused.value.fields) == {"disposition", "reason"}
    assert not DiscrepancySettlement.objects.exists()


def test_a_discrepancy_is_settled_once(tmp_path, tenant, officer_a):
    run = reconcile(tmp_path, "telecom", [telecom(tenant)])
    pk = departed(run).pk
    dispositions.settle_discrepancy(
        actor=officer_a, discrepancy_id=pk, disposition=Disposition.DISPUTED, reason="x"
    )
    with pytest.raises(TransitionNotAllowed):
        dispositions.settle_discrepancy(
            actor=officer_a, discrepancy_id=pk, disposition=Disposition.CONFIRMED, reason="y"
        )
    assert Registration.objects.filter(person=tenant, end_date__isnull=True).exists()


def test_an_officer_of_another_grid_gets_not_found(tmp_path, tenant, officer_b):
    run = reconcile(tmp_path, "telecom", [telecom(tenant)])
    with pytest.raises(NotFound):
        dispositions.settle_discrepancy(
            actor=officer_b,
            discrepancy_id=departed(run).pk,
            disposition=Disposition.CONFIRMED,
            reason="x",
        )
    assert selectors.current_registration(tenant) is not None


def test_the_run_alone_never_ends_a_registration(tmp_path, tenant):
    reconcile(tmp_path, "telecom", [telecom(tenant)])
    reconcile(
        tmp_path,
        "social_insurance",
        [[tenant.id_number, tenant.name, "", "", OTHER_CITY, "暂停缴费", "2026-10"]],
    )
    assert selectors.current_registration(tenant) is not None


def test_the_api_settles_for_the_grids_officer_and_404s_for_another(
    client, tmp_path, tenant, officer_a, officer_b
):
    pk = departed(reconcile(tmp_path, "telecom", [telecom(tenant)])).pk
    url = reverse("api-field-discrepancy-settle", args=[pk])
    body = {"disposition": "false_positive", "reason": "At home."}
    client.force_login(officer_b)
    assert client.post(url, body, content_type="application/json").status_code == 404
    client.force_login(officer_a)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["disposition"] == "false_positive"
    assert client.post(url, body, content_type="application/json").status_code == 409


def test_the_officers_page_settles_and_another_grid_gets_not_found(
    client, tmp_path, tenant, officer_a, officer_b
):
    discrepancy = departed(reconcile(tmp_path, "telecom", [telecom(tenant)]))
    url = reverse("residents:field_task_settle", args=[discrepancy.task_id])
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    client.force_login(officer_a)
    assert client.get(url).status_code == 200
    assert client.post(url, {"disposition": "disputed", "reason": ""}).status_code == 400
    response = client.post(url, {"disposition": "disputed", "reason": "The landlord disagrees."})
    assert response.status_code == 302
    discrepancy.refresh_from_db()
    assert discrepancy.disposition == Disposition.DISPUTED
    assert client.get(url).status_code == 404  # nothing left to settle
