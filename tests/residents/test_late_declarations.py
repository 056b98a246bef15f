"""Declaration windows (RegistrationPolicy): a start date older than the declarer's window is a
late declaration, counted for continuous residence from the declaration date until verified."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from residents import selectors, services
from residents.models import Registration, RegistrationPolicy, RegistrationVerification, Source
from tests import factories
from tests.residents.conftest import make_application, make_person, months_ago, register

D = dt.date
# Monday 16 March 2026; 30 working days earlier, across the Spring Festival, is 27 January
TODAY = dt.datetime(2026, 3, 16, 2, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_start_inside_the_window_counts_from_the_start(resident, me, address_a):
    registration = register(resident, me, address_a, start=D(2026, 1, 27), verify=False)
    assert not registration.is_late
    assert selectors.residence_periods(me) == [(D(2026, 1, 27), None)]


def test_an_older_start_is_accepted_as_late_and_counts_from_the_declaration(
    resident, me, address_a
):
    registration = register(resident, me, address_a, start=D(2026, 1, 26), verify=False)
    assert registration.is_late
    assert registration.counted_from == D(2026, 3, 16)
    assert selectors.residence_periods(me) == [(D(2026, 3, 16), None)]
    assert selectors.continuous_residence_months(me, on=D(2026, 9, 15)) == 5


def test_a_new_account_backdated_two_years_cannot_apply_for_a_permit_at_once(
    resident, me, address_a
):
    register(resident, me, address_a, start=D(2024, 1, 1), verify=False)
    problems = selectors.permit_eligibility_problems(me)
    assert "registration" in problems
    assert "2026" in problems["registration"][0]  # eligible six months after declaring
    with pytest.raises(NotEligible):
        make_application(resident, me)


def test_the_landlord_window_is_shorter_than_the_residents(me, address_a, resident):
    landlord = factories.UserFactory(username="landlord_late")
    registration = services.record_declared_residence(
        actor=landlord,
        person_id=me.pk,
        address=address_a,
        start_date=D(2026, 3, 5),  # 7 working days back is 5 March
        reason="work",
        source=Source.LANDLORD,
    )
    assert not registration.is_late
    other = make_person(factories.UserFactory(username="tenant2"), seq=77)
    late = services.record_declared_residence(
        actor=landlord,
        person_id=other.pk,
        address=address_a,
        start_date=D(2026, 3, 4),
        reason="work",
        source=Source.LANDLORD,
    )
    assert late.is_late


def test_a_sub_lessor_has_three_working_days(me, address_a):
    sublessor = factories.UserFactory(username="sublessor")
    late = services.record_declared_residence(
        actor=sublessor,
        person_id=me.pk,
        address=address_a,
        start_date=D(2026, 3, 10),  # three working days back is 11 March
        reason="work",
        source=Source.SUBLESSOR,
    )
    assert late.is_late


def test_the_windows_are_policy_data_with_effective_dates(resident, me, address_a):
    RegistrationPolicy.objects.create(effective_from=D(2026, 3, 1), self_days=60)
    registration = register(resident, me, address_a, start=D(2026, 1, 5), verify=False)
    assert not registration.is_late


def test_an_officer_verifies_the_earlier_date_with_evidence(resident, me, address_a, officer_a):
    registration = register(resident, me, address_a, start=D(2025, 6, 1), verify=False)
    with pytest.raises(InvalidInput) as refused:
        services.verify_registration_start(
            actor=officer_a, registration_id=registration.pk, evidence="  "
        )
    assert "evidence" in refused.value.fields
    verified = services.verify_registration_start(
        actor=officer_a, registration_id=registration.pk, evidence="租赁合同 2025-06-01"
    )
    assert not verified.is_late
    row = RegistrationVerification.objects.get(registration=registration)
    assert (row.counted_from_before, row.verified_by) == (D(2026, 3, 16), officer_a)
    assert selectors.continuous_residence_months(me) == 9
    with pytest.raises(TransitionNotAllowed):
        services.verify_registration_start(
            actor=officer_a, registration_id=registration.pk, evidence="again"
        )


def test_a_resident_or_an_officer_elsewhere_cannot_verify(resident, me, address_a, grid_b):
    registration = register(resident, me, address_a, start=D(2025, 6, 1), verify=False)
    elsewhere = factories.officer(grids=[grid_b], username="officer_elsewhere")
    for actor in (resident, elsewhere):
        with pytest.raises(NotFound):
            services.verify_registration_start(
                actor=actor, registration_id=registration.pk, evidence="合同"
            )
    assert Registration.objects.get(pk=registration.pk).is_late


def test_the_api_verifies_with_evidence(resident, me, address_a, officer_a):
    registration = register(resident, me, address_a, start=D(2025, 6, 1), verify=False)
    api = APIClient()
    api.force_authenticate(officer_a)
    response = api.post(
        f"/api/v1/registrations/{registration.pk}/verify-start/", {"evidence": ""}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["evidence"]
    response = api.post(
        f"/api/v1/registrations/{registration.pk}/verify-start/",
        {"evidence": "房东证明"},
        format="json",
    )
    assert response.status_code == 200
    assert not Registration.objects.get(pk=registration.pk).is_late


def test_a_late_declaration_is_never_before_its_start(resident, me, address_a):
    registration = register(resident, me, address_a, start=months_ago(3), verify=False)
    assert registration.counted_from == timezone.localdate()
    assert registration.counted_from > registration.start_date


def test_the_verification_page_lists_late_declarations_and_verifies_with_evidence(
    client, resident, me, address_a, officer_a
):
    from django.urls import reverse

    registration = register(resident, me, address_a, start=D(2025, 6, 1), verify=False)
    client.force_login(officer_a)
    page = client.get(reverse("residents:late_declarations"))
    assert page.status_code == 200
    url = reverse("residents:late_declaration_verify", args=[registration.pk])
    assert url in page.content.decode()
    field = f"r{registration.pk}-evidence"

    refused = client.post(url, {field: " "}, HTTP_HX_REQUEST="true")
    assert list(refused.context["row"]["form"].errors) == ["evidence"]
    assert "field--error" in refused.content.decode()
    assert Registration.objects.get(pk=registration.pk).is_late

    done = client.post(url, {field: "租赁合同 2025-06-01"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    assert f'id="late-{registration.pk}"' in done.content.decode()
    assert not Registration.objects.get(pk=registration.pk).is_late
    assert RegistrationVerification.objects.get(registration=registration).evidence == (
        "租赁合同 2025-06-01"
    )
    assert url not in client.get(reverse("residents:late_declarations")).content.decode()


def test_the_verification_page_is_a_404_to_a_resident_an_officer_elsewhere_and_police_elsewhere(
    client, resident, me, address_a, grid_b, police_b
):
    from django.urls import reverse

    registration = register(resident, me, address_a, start=D(2025, 6, 1), verify=False)
    url = reverse("residents:late_declaration_verify", args=[registration.pk])
    field = f"r{registration.pk}-evidence"
    elsewhere = factories.officer(grids=[grid_b], username="officer_elsewhere_page")
    for actor in (resident, elsewhere, police_b):
        client.force_login(actor)
        assert client.post(url, {field: "合同"}).status_code == 404
        listed = client.get(reverse("residents:late_declarations"))
        assert url not in listed.content.decode()
    assert Registration.objects.get(pk=registration.pk).is_late


def test_police_of_the_district_verify_on_the_page_without_htmx(
    client, resident, me, address_a, police_a
):
    from django.urls import reverse

    registration = register(resident, me, address_a, start=D(2025, 6, 1), verify=False)
    client.force_login(police_a)
    url = reverse("residents:late_declaration_verify", args=[registration.pk])
    response = client.post(url, {f"r{registration.pk}-evidence": "单位证明"})
    assert response.status_code == 302
    assert not Registration.objects.get(pk=registration.pk).is_late
