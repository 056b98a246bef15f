"""Training on demand: wishes and their counts, the course plan, enrolment (the last seat taken
once under concurrency), attendance, certificates, and the certificate-to-points path."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from employment import selectors, services
from employment.models import Certificate, Course, Enrolment, EnrolmentStatus
from points import facts as points_facts
from points.models import FactSheet, RuleSet, Scheme, Score
from points.services import ledger
from portal.errors import InvalidInput, NotAllowed, NotEligible, TransitionNotAllowed
from residents import services as resident_services
from tests import factories
from tests.employment.conftest import make_person, seed_points


def course(hr, *, capacity: int = 20, sessions: int = 2, **extra) -> Course:
    today = timezone.localdate()
    values = {
        "title": "智能手机与政务服务",
        "topic": "digital",
        "mode": "in_person",
        "place": "鹿城区新居民服务中心 201 室",
        "starts_on": today - dt.timedelta(days=7),
        "ends_on": today + dt.timedelta(days=30),
        "schedule": "每周六 9:00-11:00",
        "capacity": capacity,
        "sessions_required": sessions,
        **extra,
    }
    return services.publish_course(actor=hr, **values)


def test_wishes_are_counted_by_topic_and_district(
    resident, other_resident, registered_me, address_a, district_a, hr_a
):
    services.add_wish(actor=resident, topic="digital", note="想学网上办事")
    services.add_wish(actor=resident, topic="law")
    them = make_person(other_resident, seq=71, name="王芳")
    resident_services.register_residence(
        actor=other_resident,
        person_id=them.pk,
        address_id=address_a.pk,
        start_date=dt.date(2025, 1, 1),
        reason="work",
    )
    services.add_wish(actor=other_resident, topic="digital")

    counts = {(row["topic"], row["district_id"]): row["n"] for row in selectors.wish_counts()}
    assert counts == {("digital", district_a.pk): 2, ("law", district_a.pk): 1}
    with pytest.raises(InvalidInput):
        services.add_wish(actor=resident, topic="digital")


def test_a_wish_needs_a_registered_residence(resident, me):
    with pytest.raises(NotEligible):
        services.add_wish(actor=resident, topic="digital")


def test_only_human_resources_staff_publish_courses(resident, hr_a):
    with pytest.raises(NotAllowed):
        course(resident)
    with pytest.raises(InvalidInput) as refused:
        course(hr_a, place="", capacity=0, ends_on=timezone.localdate() - dt.timedelta(days=30))
    assert set(refused.value.fields) == {"place", "capacity", "ends_on"}
    online = course(hr_a, mode="online", place="")
    assert list(selectors.courses_of_year(online.year)) == [online]


def test_enrolment_takes_seats_until_the_course_is_full(hr_a, resident, other_resident, me):
    small = course(hr_a, capacity=1)
    services.enrol(actor=resident, course_id=small.pk)
    with pytest.raises(TransitionNotAllowed):
        services.enrol(actor=resident, course_id=small.pk)
    make_person(other_resident, seq=72, name="王芳")
    with pytest.raises(NotEligible) as refused:
        services.enrol(actor=other_resident, course_id=small.pk)
    assert refused.value.code == "course_full"
    small.refresh_from_db()
    assert small.seats_taken == 1


def test_a_cancelled_seat_is_free_again(hr_a, resident, me):
    small = course(hr_a, capacity=1)
    enrolment = services.enrol(actor=resident, course_id=small.pk)
    services.cancel_enrolment(actor=resident, enrolment_id=enrolment.pk)
    small.refresh_from_db()
    assert small.seats_taken == 0
    services.enrol(actor=resident, course_id=small.pk)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_last_seat_is_taken_once_by_two_residents_at_once(city, hr_a):
    # Given: a course with one seat left and two residents wanting it.
    last = course(hr_a, capacity=2)
    first = factories.UserFactory()
    make_person(first, seq=73, name="先到")
    services.enrol(actor=first, course_id=last.pk)
    racers = []
    for seq in (74, 75):
        user = factories.UserFactory()
        make_person(user, seq=seq, name=f"学员{seq}")
        racers.append(user)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(user) -> None:
        try:
            barrier.wait()
            services.enrol(actor=user, course_id=last.pk)
            outcomes.append("seat")
        except NotEligible as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    # When: both enrol at the same moment, each on its own connection.
    threads = [threading.Thread(target=take, args=(user,)) for user in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then: exactly one got the seat.
    assert sorted(outcomes) == ["course_full", "seat"]
    last.refresh_from_db()
    assert last.seats_taken == 2
    assert Enrolment.objects.filter(course=last, status=EnrolmentStatus.ENROLLED).count() == 2


def test_completion_needs_the_sessions_and_issues_a_certificate_once(hr_a, resident, me):
    two = course(hr_a, sessions=2)
    enrolment = services.enrol(actor=resident, course_id=two.pk)
    today = timezone.localdate()
    assert (
        services.record_attendance(
            actor=hr_a, course_id=two.pk, session_date=today, enrolment_ids=[enrolment.pk]
        )
        == 1
    )
    assert (
        services.record_attendance(
            actor=hr_a, course_id=two.pk, session_date=today, enrolment_ids=[enrolment.pk]
        )
        == 0
    )  # recorded again: nothing new
    with pytest.raises(NotEligible):
        services.complete_enrolment(actor=hr_a, enrolment_id=enrolment.pk)
    services.record_attendance(
        actor=hr_a,
        course_id=two.pk,
        session_date=today - dt.timedelta(days=7),
        enrolment_ids=[enrolment.pk],
    )

    certificate = services.complete_enrolment(actor=hr_a, enrolment_id=enrolment.pk)

    assert certificate.number.startswith(f"JYZS-{today.year}-")
    assert certificate.person == me
    with pytest.raises(TransitionNotAllowed):
        services.complete_enrolment(actor=hr_a, enrolment_id=enrolment.pk)
    with pytest.raises(InvalidInput):
        services.record_attendance(
            actor=hr_a,
            course_id=two.pk,
            session_date=today + dt.timedelta(days=365),
            enrolment_ids=[enrolment.pk],
        )


def _zhongshan() -> RuleSet:
    seed_points()
    Scheme.objects.update(is_active=False)
    Scheme.objects.filter(code="zhongshan").update(is_active=True)
    return RuleSet.objects.get(scheme__code="zhongshan", version=1)


def _complete(hr, resident, *, title: str) -> Certificate:
    one = course(hr, sessions=1, title=title)
    enrolment = services.enrol(actor=resident, course_id=one.pk)
    services.record_attendance(
        actor=hr,
        course_id=one.pk,
        session_date=timezone.localdate(),
        enrolment_ids=[enrolment.pk],
    )
    return services.complete_enrolment(actor=hr, enrolment_id=enrolment.pk)


def test_a_certificate_becomes_a_points_fact_worth_4_up_to_20_without_a_claim(hr_a, resident, me):
    # Given: the Zhongshan rules in force, and the resident's fact sheet already scored.
    rules = _zhongshan()
    sheet = ledger.write_fact_sheet(
        person=me,
        facts={"birth_date": me.birth_date.isoformat()},
        reference_date=timezone.localdate(),
        applied_at=timezone.now(),
        application=None,
    )
    before = ledger.score_sheet(sheet=sheet, rule_set=rules).total("school")

    # When: they complete one course.
    _complete(hr_a, resident, title="第1课")

    # Then: the fact is on the sheet and the score is 4 points higher, with no claim filed.
    sheet = FactSheet.objects.get(person=me)
    assert sheet.facts["community_education_certs"] == 1
    current = Score.objects.get(person=me, rule_set=rules, is_current=True)
    assert current.total("school") == before + 4

    # And: six certificates are capped at 20 points.
    for n in range(2, 7):
        _complete(hr_a, resident, title=f"第{n}课")
    current = Score.objects.get(person=me, rule_set=rules, is_current=True)
    assert FactSheet.objects.get(person=me).facts["community_education_certs"] == 6
    assert current.total("school") == before + 20
    assert not me.points_applications.exists()


def test_the_next_points_application_collects_the_certificates_from_the_registry(
    hr_a, resident, me
):
    _zhongshan()
    _complete(hr_a, resident, title="法律常识")
    found = points_facts.registry_facts(me, on=timezone.localdate())
    assert found["community_education_certs"] == 1
    assert not FactSheet.objects.filter(person=me).exists()  # no sheet yet: nothing rescored


def test_rules_that_do_not_score_certificates_are_left_alone(hr_a, resident, me):
    seed_points()
    Scheme.objects.update(is_active=False)
    Scheme.objects.filter(code="shanghai").update(is_active=True)
    ledger.write_fact_sheet(
        person=me,
        facts={"birth_date": me.birth_date.isoformat()},
        reference_date=timezone.localdate(),
        applied_at=timezone.now(),
        application=None,
    )
    _complete(hr_a, resident, title="安全生产")
    assert "community_education_certs" not in FactSheet.objects.get(person=me).facts
