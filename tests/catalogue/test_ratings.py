"""好差评: the applicant rates a decided case once; poor ratings open a rectification task."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Role
from portal.calendar.models import DayKind, SpecialDay
from portal.calendar.selectors import add_working_days
from portal.catalogue import selectors, services
from portal.catalogue.models import (
    Rating,
    RatingLevel,
    RatingPolicy,
    Rectification,
    RectificationStatus,
)
from portal.catalogue.rules import rectification_due
from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from portal.workflow import services as workflow_services
from tests import factories
from tests.portal import kinds  # noqa: F401 - registers the test application kind


def _case(applicant, district, police):
    case = workflow_services.create_case(
        kind="test_kind", applicant=applicant, district=district, actor=applicant
    )
    workflow_services.submit_case(case_id=case.pk, actor=applicant)
    return case


@pytest.fixture
def decided(resident, district_a, police_a):
    case = _case(resident, district_a, police_a)
    return workflow_services.approve_case(case_id=case.pk, actor=police_a)


@pytest.fixture
def analyst(db):
    return factories.UserFactory(username="analyst_t", roles=[Role.ANALYST])


def test_applicant_rates_a_decided_case_once(resident, decided):
    rating = services.rate_case(
        actor=resident, case_id=decided.pk, level=RatingLevel.SATISFIED, comment=" 办得快 "
    )
    assert rating.comment == "办得快"
    assert rating.department_id == decided.department_id
    assert rating.kind == "test_kind"
    assert not Rectification.objects.exists()
    with pytest.raises(TransitionNotAllowed):
        services.rate_case(actor=resident, case_id=decided.pk, level=RatingLevel.VERY_SATISFIED)
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("level", [RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED])
def test_a_poor_rating_opens_a_rectification_due_after_the_policy_days(resident, decided, level):
    RatingPolicy.objects.create(
        effective_from=timezone.localdate() - dt.timedelta(days=1), rectification_days=3
    )
    rating = services.rate_case(actor=resident, case_id=decided.pk, level=level, comment="等太久")
    task = Rectification.objects.get(rating=rating)
    assert task.department_id == decided.department_id
    assert task.status == RectificationStatus.OPEN
    assert task.due_date == add_working_days(timezone.localdate(), 3)


def test_rectification_days_follow_the_policy_in_force_on_the_day(db):
    today = timezone.localdate()
    RatingPolicy.objects.create(effective_from=today - dt.timedelta(days=10), rectification_days=7)
    RatingPolicy.objects.create(effective_from=today + dt.timedelta(days=10), rectification_days=2)
    assert rectification_due(today) == add_working_days(today, 7)
    later = today + dt.timedelta(days=10)
    assert rectification_due(later) == add_working_days(later, 2)


@time_machine.travel(dt.datetime(2026, 9, 30, 9, tzinfo=dt.UTC), tick=False)
def test_rectification_skips_the_national_day_holiday(db):
    """Two working days from 30 September 2026 pass over the National Day week (1-7 October)."""
    SpecialDay.objects.filter(day__range=(dt.date(2026, 10, 1), dt.date(2026, 10, 9))).delete()
    SpecialDay.objects.bulk_create(
        SpecialDay(day=dt.date(2026, 10, day), kind=DayKind.HOLIDAY, name="国庆节")
        for day in range(1, 8)
    )
    RatingPolicy.objects.create(effective_from=dt.date(2026, 1, 1), rectification_days=2)

    assert rectification_due(dt.date(2026, 9, 30)) == dt.date(2026, 10, 9)


def test_fair_rating_opens_no_task(resident, decided):
    services.rate_case(actor=resident, case_id=decided.pk, level=RatingLevel.FAIRLY_SATISFIED)
    assert not Rectification.objects.exists()


def test_someone_elses_case_is_not_found(other_resident, decided):
    with pytest.raises(NotFound):
        services.rate_case(actor=other_resident, case_id=decided.pk, level=5)


def test_an_open_case_cannot_be_rated(resident, district_a, police_a):
    case = _case(resident, district_a, police_a)
    with pytest.raises(NotFound):
        services.rate_case(actor=resident, case_id=case.pk, level=5)


def test_bad_input_names_every_problem_and_writes_nothing(resident, decided):
    with pytest.raises(InvalidInput) as error:
        services.rate_case(actor=resident, case_id=decided.pk, level=9, comment="x" * 2001)
    assert set(error.value.fields) == {"level", "comment"}
    assert not Rating.objects.exists()


def test_department_answers_and_the_applicant_sees_it(client, resident, decided, police_a):
    services.rate_case(actor=resident, case_id=decided.pk, level=1, comment="态度差")
    task = Rectification.objects.get()
    client.force_login(police_a)
    response = client.post(
        reverse("catalogue:answer", args=[task.pk]), {"answer": "已约谈经办人员并改进流程。"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == RectificationStatus.ANSWERED
    assert task.answered_by == police_a
    with pytest.raises(TransitionNotAllowed):
        services.answer_rectification(actor=police_a, rectification_id=task.pk, answer="再答")
    client.force_login(resident)
    page = client.get(reverse("catalogue:rate", args=[decided.pk]))
    assert "已约谈经办人员并改进流程。" in page.content.decode()


def test_only_the_deciding_department_sees_and_answers_its_tasks(
    client, resident, decided, police_a, housing_a
):
    services.rate_case(actor=resident, case_id=decided.pk, level=2)
    task = Rectification.objects.get()
    assert list(selectors.rectifications_of_department(police_a)) == [task]
    assert not selectors.rectifications_of_department(housing_a).exists()
    assert not selectors.rectifications_of_department(resident).exists()
    with pytest.raises(NotFound):
        services.answer_rectification(actor=housing_a, rectification_id=task.pk, answer="x")
    client.force_login(housing_a)
    response = client.post(reverse("catalogue:answer", args=[task.pk]), {"answer": "x"})
    assert response.status_code == 404
    assert "态度" not in client.get(reverse("catalogue:rectifications")).content.decode()


def test_an_empty_answer_is_refused(client, resident, decided, police_a):
    services.rate_case(actor=resident, case_id=decided.pk, level=2)
    task = Rectification.objects.get()
    client.force_login(police_a)
    response = client.post(reverse("catalogue:answer", args=[task.pk]), {"answer": " "})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == RectificationStatus.OPEN


def test_rating_page_rates_once_and_is_404_for_others(client, resident, other_resident, decided):
    url = reverse("catalogue:rate", args=[decided.pk])
    client.force_login(other_resident)
    assert client.get(url).status_code == 404
    assert client.post(url, {"level": "5"}).status_code == 404
    client.force_login(resident)
    assert client.get(url).status_code == 200
    response = client.post(url, {"level": "4", "comment": "很好"})
    assert response.status_code == 302
    assert Rating.objects.get().level == 4
    client.post(url, {"level": "1"})
    assert Rating.objects.get().level == 4


def test_rating_page_without_a_choice_shows_the_error(client, resident, decided):
    client.force_login(resident)
    response = client.post(reverse("catalogue:rate", args=[decided.pk]), {"comment": "x"})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not Rating.objects.exists()


def test_statistics_per_department_and_service_for_analysts(
    client, resident, other_resident, district_a, police_a, analyst
):
    for applicant, level in ((resident, 5), (other_resident, 1)):
        case = _case(applicant, district_a, police_a)
        workflow_services.approve_case(case_id=case.pk, actor=police_a)
        services.rate_case(actor=applicant, case_id=case.pk, level=level)
    rows = selectors.rating_statistics(analyst)
    assert len(rows) == 1
    row = rows[0]
    assert (row.kind, row.ratings, row.poor, row.open_rectifications) == ("test_kind", 2, 1, 1)
    assert row.average == 3
    assert row.by_level == {5: 1, 4: 0, 3: 0, 2: 0, 1: 1}
    assert selectors.rating_statistics(resident) == []
    client.force_login(resident)
    assert client.get(reverse("catalogue:rating_statistics")).status_code == 403
    client.force_login(analyst)
    assert client.get(reverse("catalogue:rating_statistics")).status_code == 200


def test_rectification_list_query_budget(
    client, district_a, police_a, django_assert_max_num_queries
):
    for n in range(6):
        applicant = factories.UserFactory(username=f"rater{n}")
        case = _case(applicant, district_a, police_a)
        workflow_services.approve_case(case_id=case.pk, actor=police_a)
        services.rate_case(actor=applicant, case_id=case.pk, level=1, comment=f"差{n}")
    client.force_login(police_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalogue:rectifications"))
    assert response.content.decode().count("<section") == 6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_ratings_sent_at_once_leave_one(city, resident):
    district = city["districts"][0]
    police = factories.reviewer(department="public_security", districts=[district], username="pc")
    case = _case(resident, district, police)
    workflow_services.approve_case(case_id=case.pk, actor=police)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def rate(level):
        try:
            barrier.wait()
            services.rate_case(actor=resident, case_id=case.pk, level=level)
            outcomes.append("ok")
        except TransitionNotAllowed:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(level,)) for level in (5, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert Rating.objects.filter(case=case).count() == 1
    assert Rectification.objects.count() == (1 if Rating.objects.get().level == 1 else 0)
