"""Facts the registry knows: residence periods, the restarted clock, the permit, the zone, and
facts other apps provide through the hook."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from points import facts
from points.models import ApplicationStatus, FactType, PointsApplication, Score
from points.services import claims
from points.tasks import recompute
from residents.models import Reason, Registration, Source
from tests import factories
from tests.points.conftest import give_permit, make_person, make_sheet, pdf
from tests.uploads import use_upload_root


def test_registry_facts_come_from_registrations_and_permits(zhongshan, me):
    today = timezone.localdate()
    give_permit(me, restarted=today - dt.timedelta(days=40))
    found = facts.registry_facts(me, on=today)
    assert found["birth_date"] == me.birth_date.isoformat()
    start = me.registrations.get().start_date
    assert found["residence_periods"] == [[start.isoformat(), None]]
    assert found["residence_restart"] == (today - dt.timedelta(days=40)).isoformat()
    assert found["has_permit"] is True
    assert "zone" not in found  # no zones configured


def test_a_move_keeps_the_periods_and_a_zone_is_found_above_the_grid(
    zhongshan, me, address_a, outer_zone, grid_b
):
    today = timezone.localdate()
    current = me.registrations.get()
    current.end_date = today - dt.timedelta(days=10)
    current.save(update_fields=["end_date"])
    Registration.objects.create(
        person=me,
        address=factories.AddressFactory(grid=grid_b),
        start_date=today - dt.timedelta(days=10),
        reason=Reason.WORK,
        source=Source.SELF,
    )
    found = facts.registry_facts(me, on=today)
    assert len(found["residence_periods"]) == 2
    assert found["zone"] == ["outer"]  # district B is in the outer zone
    assert facts.current_district_of(me) == grid_b.district


def test_no_permit_is_a_fact_too(zhongshan, me):
    me.permits.update(status="cancelled", cancelled_on=timezone.localdate(), cancel_reason="迁出")
    assert facts.registry_facts(me, on=timezone.localdate())["has_permit"] is False


def test_other_apps_provide_registry_facts_through_the_hook(zhongshan, me, monkeypatch):
    FactType.objects.create(
        code="registered_tenancy",
        label="登记租赁",
        value_type="flag",
        source="registry",
    )
    monkeypatch.setattr(facts, "_providers", dict(facts.providers()))
    facts.register_provider("registered_tenancy", lambda person, on: person.pk == me.pk)
    assert facts.registry_facts(me, on=timezone.localdate())["registered_tenancy"] is True


def test_a_provider_of_an_unknown_fact_is_ignored(zhongshan, me, monkeypatch):
    monkeypatch.setattr(facts, "_providers", dict(facts.providers()))
    facts.register_provider("no_such_fact", lambda person, on: 1)
    assert "no_such_fact" not in facts.registry_facts(me, on=timezone.localdate())


def test_the_recompute_task_is_safe_to_run_twice(zhongshan):
    from points.models import RecomputeRun

    make_sheet(make_person(seq=91), education=["bachelor"])
    run = RecomputeRun.objects.create(rule_set=zhongshan, kind="recompute")
    assert recompute(run.pk) == 1
    assert recompute(run.pk) == 1  # a repeat delivery: the finished run is returned
    assert Score.objects.count() == 1


# --- concurrency -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_deciding_the_last_claims_at_once_complete_the_application_once(
    seed_tables, settings, tmp_path
):
    from points.models import Scheme

    use_upload_root(settings, tmp_path / "uploads")
    Scheme.objects.filter(code="zhongshan").update(is_active=True)
    city = factories.build_area_tree()
    district = city["districts"][0]
    user = factories.UserFactory(username="racer")
    person = make_person(seq=93, user=user)
    Registration.objects.create(
        person=person,
        address=factories.AddressFactory(grid=city["grids"][0][0]),
        start_date=timezone.localdate() - dt.timedelta(days=800),
        reason=Reason.WORK,
        source=Source.SELF,
    )
    give_permit(person)
    application = claims.start_application(actor=user, service="school")
    education = claims.add_claim(
        actor=user, application_id=application.pk, fact_type="education", value=["bachelor"]
    )
    claims.add_evidence(actor=user, claim_id=education.pk, upload=pdf())
    worked = claims.add_claim(
        actor=user, application_id=application.pk, fact_type="work_years_city", value=3
    )
    claims.add_evidence(actor=user, claim_id=worked.pk, upload=pdf())
    claims.submit_application(actor=user, application_id=application.pk)
    police = factories.reviewer(department="public_security", districts=[district], username="p_r")
    teacher = factories.reviewer(department="education", districts=[district], username="e_r")
    hr = factories.reviewer(department="human_resources", districts=[district], username="h_r")
    claims.verify_claim(actor=hr, claim_id=worked.pk)
    police_claims = list(application.claims.filter(case__department__code="public_security"))
    for claim in police_claims[1:]:
        claims.verify_claim(actor=police, claim_id=claim.pk)
    last = [(police, police_claims[0].pk), (teacher, education.pk)]

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def decide(reviewer, claim_id):
        try:
            barrier.wait()
            claims.verify_claim(actor=reviewer, claim_id=claim_id)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=pair) for pair in last]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    application = PointsApplication.objects.get(pk=application.pk)
    assert application.status == ApplicationStatus.COMPLETED
    assert Score.objects.filter(person=person).count() == 1
