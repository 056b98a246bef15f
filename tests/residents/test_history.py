"""Row-change history (django-pghistory): registration ends and person edits, however written."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from residents import selectors, services
from residents.models import DiscrepancyKind, Person, Registration
from tests.residents.conftest import make_person, months_ago, register
from tests.residents.test_reconciliation_runs import OTHER_CITY, reconcile


def test_ending_a_registration_through_the_service_writes_an_event(resident, me, address_a):
    registration = register(resident, me, address_a, start=months_ago(8))
    left_on = months_ago(1)

    services.end_registration(actor=resident, registration_id=registration.pk, end_date=left_on)

    [event] = registration.events.all()
    assert event.pgh_label == "ended"
    assert (event.person_id, event.address_id, event.end_date) == (me.pk, address_a.pk, left_on)


def test_ending_registrations_by_a_bulk_update_writes_an_event_for_each(
    resident, me, address_a, other_resident
):
    registration = register(resident, me, address_a, start=months_ago(8))
    left_on = months_ago(2)

    Registration.objects.filter(pk=registration.pk).update(end_date=left_on)

    assert list(registration.events.values_list("pgh_label", "end_date")) == [("ended", left_on)]


def test_an_ended_registration_names_the_user_who_departed_it_over_the_api(resident, me, address_a):
    registration = register(resident, me, address_a, start=months_ago(8))
    api = APIClient()
    api.force_authenticate(resident)

    response = api.post(
        f"/api/v1/registrations/{registration.pk}/depart/",
        {"end_date": str(timezone.localdate())},
        format="json",
    )

    assert response.status_code == 200, response.content
    [event] = registration.events.select_related("pgh_context")
    assert event.pgh_context.metadata["user"] == resident.pk
    assert event.pgh_context.metadata["url"] == f"/api/v1/registrations/{registration.pk}/depart/"


def test_a_departure_confirmed_from_reconciliation_names_the_officer(
    client, tmp_path, other_resident, address_a, officer_a
):
    tenant = make_person(other_resident, seq=25, name="王芳")
    register(other_resident, tenant, address_a)
    run = reconcile(
        tmp_path, "telecom", [[tenant.id_number, tenant.name, "", OTHER_CITY, "2026-10"]]
    )
    discrepancy = run.discrepancies.get(kind=DiscrepancyKind.PROBABLY_DEPARTED)
    registration = selectors.current_registration(tenant)
    client.force_login(officer_a)

    response = client.post(
        reverse("api-field-discrepancy-settle", args=[discrepancy.pk]),
        {"disposition": "confirmed", "reason": "Neighbours say she moved back home."},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    [event] = registration.events.select_related("pgh_context")
    assert event.end_date is not None
    assert event.pgh_context.metadata["user"] == officer_a.pk


def test_a_change_that_does_not_end_a_registration_writes_no_event(resident, me, address_a):
    registration = register(resident, me, address_a, start=months_ago(8))

    Registration.objects.filter(pk=registration.pk).update(counted_from=months_ago(1))

    assert not registration.events.exists()


def test_a_person_edit_keeps_the_values_before_and_after(resident, me):
    services.update_person(
        actor=resident, person_id=me.pk, phone="13800138000", employer="温州某某鞋业有限公司"
    )

    events = {e.pgh_label: e for e in me.events.all()}
    assert set(events) == {"before_edit", "after_edit"}
    assert (events["before_edit"].employer, events["after_edit"].employer) == (
        "",
        "温州某某鞋业有限公司",
    )
    assert events["after_edit"].id_hash == me.id_hash


def test_a_person_event_holds_no_id_number_ciphertext(resident, me):
    services.update_person(actor=resident, person_id=me.pk, employer="温州某某鞋业有限公司")

    event = me.events.first()
    assert not hasattr(event, "id_number")
    assert "id_number" not in {f.name for f in type(event)._meta.fields}


def test_saving_a_person_unchanged_writes_no_event(me):
    # save() encrypts the ID number afresh (a new ciphertext): that column is not audited.
    person = Person.objects.get(pk=me.pk)
    person.save()

    assert not me.events.exists()
