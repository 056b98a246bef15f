"""Years of social insurance from the human-resources feed: a verified fact with its source, the
rule set's continuity allowance (3 months, as for residence), the claim path for the others."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from points import facts, selectors, spec
from points.models import Claim, FactSheet, FeedFact, Indicator
from points.services import claims
from portal import periods
from portal.errors import InvalidInput
from residents.models import InsuranceMonth
from residents.reconciliation import feeds
from residents.reconciliation import services as reconciliation
from tests import factories
from tests.points.conftest import complete_application, register_person

HERE = "330302"  # a county of the test city (330300)
BASE_CLAIMS = {"work_years_city": 3, "education": ["bachelor"]}


@pytest.fixture
def insurance_rules(zhongshan):
    """The Zhongshan table scoring years of insurance too (3 a full year, as Shanghai does); the
    indicator declares no gap of its own, so the set's residence allowance (3 months) applies."""
    family = zhongshan.families.get(code="social_insurance")
    Indicator.objects.create(
        rule_set=zhongshan,
        family=family,
        code="insurance_years",
        label="社保每满1年3分",
        fact_id="insurance_years",
        kind="rate",
        params={"per": 1, "points": 3},
        order=5,
    )
    spec.forget_compiled()
    return zhongshan


def month_back(months: int) -> dt.date:
    return periods.add_months(timezone.localdate().replace(day=1), -months)


def hr_feed(tmp_path, rows, *, name="社保缴费_202611.csv"):
    """Reconcile a social-insurance feed: rows of (person, months back, status, place)."""
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([c.header for c in feeds.SOCIAL_INSURANCE.columns])
        for person, back, status, place in rows:
            writer.writerow(
                [person.id_number, person.name, "", "", place, status, f"{month_back(back):%Y-%m}"]
            )
    return reconciliation.reconcile_file(path=path, kind="social_insurance")


def paid(person, months):
    return [(person, back, "正常缴费", HERE) for back in months]


@pytest.fixture
def insured(insurance_rules, address_a):
    user = factories.UserFactory(username="insured1")
    return user, register_person(user, address_a, seq=71, name="吴保")


def test_the_feed_keeps_each_persons_months_set_based_and_a_later_feed_restates_them(
    tmp_path, insured
):
    _user, person = insured
    first = hr_feed(tmp_path, [*paid(person, [3, 2]), (person, 1, "停保", HERE)])
    months = dict(InsuranceMonth.objects.filter(person=person).values_list("month", "paid"))
    assert months == {month_back(3): True, month_back(2): True, month_back(1): False}
    second = hr_feed(
        tmp_path, [*paid(person, [1]), (person, 2, "正常缴费", "440300")], name="社保_2.csv"
    )
    rows = {m.month: (m.paid, m.run_id) for m in InsuranceMonth.objects.filter(person=person)}
    assert rows == {
        month_back(3): (True, first.pk),
        month_back(2): (False, second.pk),  # paid in another city, as the later feed says
        month_back(1): (True, second.pk),
    }


def test_a_person_in_the_feed_gets_insurance_years_from_it_verified_with_its_source(
    tmp_path, insured, reviewers
):
    user, person = insured
    run = hr_feed(tmp_path, paid(person, range(30, 0, -1)))  # 30 months, up to last month

    application = claims.start_application(actor=user, service="school")
    with pytest.raises(InvalidInput) as refused:
        claims.add_claim(
            actor=user, application_id=application.pk, fact_type="insurance_years", value=9
        )
    assert "fact_type" in refused.value.fields
    claims.withdraw_application(actor=user, application_id=application.pk)

    done = complete_application(
        user, service="school", claims_made=BASE_CLAIMS, reviewers=reviewers
    )
    assert not Claim.objects.filter(application=done, fact_type__code="insurance_years").exists()
    fed = FeedFact.objects.get(application=done)
    assert (fed.fact_type.code, fed.value, fed.run_id) == ("insurance_years", 2, run.pk)
    assert "社保缴费_202611.csv" in fed.source
    assert run.run_on.isoformat() in fed.source
    sheet = FactSheet.objects.get(person=person)
    assert sheet.facts["insurance_years"] == 2
    score = person.points_scores.get(is_current=True)
    assert '"insurance_years"' in score.breakdown


def test_the_application_page_shows_the_fed_fact_with_its_source_and_offers_no_claim_of_it(
    tmp_path, insured, reviewers, client
):
    user, person = insured
    hr_feed(tmp_path, paid(person, range(30, 0, -1)))
    draft = claims.start_application(actor=user, service="school")
    client.force_login(user)
    page = client.get(reverse("points:application", args=[draft.pk]))
    offered = [code for code, _label in page.context["choose"].fields["fact_type"].choices]
    assert "insurance_years" not in offered
    assert "work_years_city" in offered
    claims.withdraw_application(actor=user, application_id=draft.pk)
    done = complete_application(
        user, service="school", claims_made=BASE_CLAIMS, reviewers=reviewers
    )
    text = client.get(reverse("points:application", args=[done.pk])).content.decode()
    assert "社保缴费_202611.csv" in text


@pytest.mark.parametrize(("missing", "years"), [(3, 4), (4, 3)])
def test_a_gap_over_three_months_restarts_the_count_as_residence_does(
    tmp_path, insured, missing, years
):
    """Paid from 49 months back; `missing` months unpaid ending 37 months back; paid since:
    three months missing still join the run (4 years), four restart it at 36 months (3)."""
    _user, person = insured
    unpaid = set(range(37 + missing - 1, 36, -1))
    hr_feed(tmp_path, paid(person, [b for b in range(49, 0, -1) if b not in unpaid]))
    rule_set = selectors.rule_set_in_force()
    rules = spec.compiled(rule_set)
    months, record = facts.insurance_months(person, on=timezone.localdate(), rules=rules)
    residence = rules.indicators["residence"]
    assert months == residence.measure(record.periods, timezone.localdate(), {})
    assert months // 12 == years
    value = facts.feed_facts(person, on=timezone.localdate(), rule_set=rule_set)
    assert value["insurance_years"].value == years


def test_a_person_absent_from_the_feed_keeps_the_claim_path(
    tmp_path, insured, reviewers, address_a
):
    user, person = insured
    other_user = factories.UserFactory(username="insured2")
    other = register_person(other_user, address_a, seq=73, name="郑另")
    hr_feed(tmp_path, paid(other, [2, 1]))

    done = complete_application(
        user,
        service="school",
        claims_made={**BASE_CLAIMS, "insurance_years": 5},
        reviewers=reviewers,
    )
    claim = Claim.objects.get(application=done, fact_type__code="insurance_years")
    assert claim.verified_value == 5
    assert not FeedFact.objects.filter(application=done).exists()
    assert FactSheet.objects.get(person=person).facts["insurance_years"] == 5
