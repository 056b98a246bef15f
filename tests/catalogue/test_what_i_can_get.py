"""我能办什么: the answers come from the services' own checks, so they agree with their refusals.

A resident registered two months ago, with a child of seven and no residence permit, asks what
they can get while a housing round and a school round are open. Each entry must name what is
missing and the day it becomes possible; then each service is asked for real and its refusal
must say the same.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from housing import services as housing_services
from housing.models import HousingProject, HousingUnit, UnitType
from points.models import Scheme
from points.services import claims
from portal.catalogue.eligibility import Standing, eligibility_of
from portal.errors import NotEligible
from portal.periods import add_months
from residents import selectors as resident_selectors
from residents import services as resident_services
from residents.models import Basis, Relation
from schooling import services as school_services
from schooling.models import Tenure
from tests import factories
from tests.housing.conftest import open_round
from tests.residents.conftest import make_person, months_ago, register
from tests.schooling.conftest import build_round, make_school, school_rule_set
from tests.uploads import use_upload_root


def flat(fields: dict[str, list[str]]) -> list[str]:
    return [message for messages in fields.values() for message in messages]


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    use_upload_root(settings, tmp_path / "uploads")


@pytest.fixture
def newcomer(resident, address_a):
    """Registered two months ago (late, verified), a child of seven, no permit, no points."""
    person = make_person(resident, seq=71, name="王芳")
    register(resident, person, address_a, start=months_ago(2))
    child = resident_services.add_dependant(
        actor=resident,
        relation=Relation.CHILD,
        name="王小雨",
        id_number=factories.make_id_number(birth=add_months(timezone.localdate(), -84), seq=72),
    )
    return person, child


@pytest.fixture
def points_rules(departments):
    rule_set = school_rule_set()
    import_module("points.migrations.0005_verifying_departments").apply_map(django_apps, None)
    Scheme.objects.filter(code="zhongshan").update(is_active=True)
    return rule_set


@pytest.fixture
def housing_round(district_a, housing_a):
    project = HousingProject.objects.create(
        name="瓯江人才公寓", district=district_a, location="瓯江路88号"
    )
    HousingUnit.objects.create(
        project=project,
        label="1幢101",
        unit_type=UnitType.ONE_BEDROOM,
        floor_area="45.0",
        monthly_rent="1200",
    )
    return open_round(project, housing_a)


@pytest.fixture
def school_round(district_a, grid_a, points_rules):
    education = factories.reviewer(department="education", districts=[district_a], username="edu_t")
    school = make_school("X", district_a, grid_a.parent, catchment=[grid_a.parent])
    return build_round(schools={"X": school}, seats={"X": 2}, actor=education)


def test_each_entry_names_what_is_missing_and_the_day_and_agrees_with_the_refusal(
    resident, newcomer, points_rules, housing_round, school_round
):
    person, child = newcomer
    today = timezone.localdate()
    permit_day = resident_selectors.residence_eligible_from(person, on=today)
    assert permit_day == add_months(months_ago(2), 6)

    # Residence permit: the answer is the refusal of create_permit_application.
    answer = eligibility_of("residence_permit", resident, on=today)
    assert answer.standing == Standing.FROM
    assert answer.eligible_from == permit_day
    with pytest.raises(NotEligible) as refused:
        resident_services.create_permit_application(
            actor=resident, person_id=person.pk, basis=Basis.EMPLOYMENT, basis_detail="某厂"
        )
    assert answer.missing == flat(refused.value.fields)
    assert date_format(permit_day) in answer.missing[0]

    # Points: the entry conditions start_application refuses with, and the permit's day.
    answer = eligibility_of("points", resident, on=today)
    assert answer.standing == Standing.FROM
    assert answer.eligible_from == permit_day
    with pytest.raises(NotEligible) as refused:
        claims.start_application(actor=resident, service="school")
    assert answer.missing == refused.value.fields["entry"]
    assert any(date_format(permit_day) in line for line in answer.missing)

    # Affordable housing: eligibility_problems, as create_housing_application refuses.
    answer = eligibility_of("affordable_housing", resident, on=today)
    assert answer.standing == Standing.FROM
    assert answer.eligible_from == permit_day
    with pytest.raises(NotEligible) as refused:
        housing_services.create_housing_application(
            actor=resident,
            round_id=housing_round.pk,
            unit_type=UnitType.ONE_BEDROOM,
            owns_home_in_city=False,
        )
    assert answer.missing == flat(refused.value.fields)
    assert date_format(permit_day) in refused.value.fields["permit"][0]

    # School place: the guardian's permit must be held 12 months: from the permit's day + 12.
    answer = eligibility_of("school_place", resident, on=today)
    school_day = add_months(permit_day, school_round.min_permit_months)
    assert answer.standing == Standing.FROM
    assert answer.eligible_from == school_day
    application = school_services.create_application(
        actor=resident, round_id=school_round.pk, child_id=child.pk, tenure=Tenure.OTHER
    )
    with pytest.raises(NotEligible) as refused:
        school_services.submit_application(actor=resident, application_id=application.pk)
    fields = refused.value.fields
    assert answer.missing == fields["permit"] + fields["points"]
    assert date_format(school_day) in fields["permit"][0]


def test_the_page_lists_every_service_with_the_answers(
    client, resident, newcomer, points_rules, housing_round, service_list
):
    client.force_login(resident)
    today = timezone.localdate()
    response = client.get(reverse("catalogue:mine"))
    assert response.status_code == 200
    page = response.content.decode()
    permit = eligibility_of("residence_permit", resident, on=today)
    for line in permit.missing:
        assert line in page
    assert date_format(permit.eligible_from) in page
    # Residence registration is held; services the portal only describes point to their guide.
    assert 'data-service="residence_registration"' in page
    assert 'data-service="legal_aid"' in page
    assert reverse("catalogue:guide", args=["legal_aid"]) in page


def test_a_permit_holder_is_told_it_is_held_and_when_to_endorse(
    client, resident, address_a, police_a
):
    from tests.housing.conftest import holder

    holder(resident, seq=73, name="赵敏", address=address_a, police=police_a)
    answer = eligibility_of("residence_permit", resident, on=timezone.localdate())
    assert answer.standing == Standing.HOLDS
    permit = resident_selectors.valid_permit_of(resident_selectors.person_of(resident))
    opens, _last = resident_selectors.endorsement_window(permit)
    assert date_format(opens) in answer.note


def test_the_page_needs_a_sign_in(client, service_list):
    response = client.get(reverse("catalogue:mine"))
    assert response.status_code == 302


def test_a_resident_without_details_is_asked_for_them_first(resident):
    answer = eligibility_of("residence_permit", resident, on=timezone.localdate())
    assert answer.standing == Standing.MISSING
    assert answer.action_url == reverse("residents:person_new")
