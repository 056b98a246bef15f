"""The score ledger: one person's entry, recompute under a new version, previews, percentiles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from points import selectors, spec
from points.models import RecomputeRun, RunKind, RunStatus, Score, ScoreDistribution
from points.services import ledger, rules
from tests.points.conftest import make_person, make_sheet

BASIC = {
    "has_permit": True,
    "work_years_city": 3,
    "zone": ["central"],
    "education": ["junior_middle"],
    "insurance_type_years_province": 10,
    "residence_periods": [["2022-03-01", None]],
    "insured_locally_last_month": True,
}


def ledger_rows(rule_set):
    return sorted(
        Score.objects.filter(rule_set=rule_set).values_list(
            "person_id", "is_current", "facts_digest", "passed", "breakdown"
        )
    )


def test_scoring_a_sheet_writes_a_current_entry_with_its_breakdown(zhongshan):
    person = make_person(seq=11)
    sheet = make_sheet(person, **BASIC)
    entry = ledger.score_sheet(sheet=sheet, rule_set=zhongshan)
    # the golden profile z01: 55 for every service; hukou needs 60
    assert entry.data["services"]["school"][0] == 55
    assert sorted(entry.passed) == ["housing", "school"]
    assert entry.valid_until == dt.date(2027, 1, 1)
    assert {line[0] for line in entry.data["items"]} == {
        "education",
        "insurance_province",
        "residence",
        "age",
    }


def test_scoring_the_same_sheet_twice_adds_nothing(zhongshan):
    sheet = make_sheet(make_person(seq=11), **BASIC)
    first = ledger.score_sheet(sheet=sheet, rule_set=zhongshan)
    again = ledger.score_sheet(sheet=sheet, rule_set=zhongshan)
    assert again.pk == first.pk
    assert Score.objects.count() == 1


def test_changed_facts_append_a_new_entry_and_retire_the_old(zhongshan):
    person = make_person(seq=11)
    first = ledger.score_sheet(sheet=make_sheet(person, **BASIC), rule_set=zhongshan)
    second = ledger.score_sheet(
        sheet=make_sheet(person, **{**BASIC, "education": ["bachelor"]}), rule_set=zhongshan
    )
    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)
    assert first.superseded_at is not None
    assert second.data["services"]["hukou"][0] == 115  # 80 + 15 + 15 + 5


def test_distribution_follows_each_rescore(zhongshan):
    person = make_person(seq=11)
    ledger.score_sheet(sheet=make_sheet(person, **BASIC), rule_set=zhongshan)
    ledger.score_sheet(
        sheet=make_sheet(person, **{**BASIC, "education": ["bachelor"]}), rule_set=zhongshan
    )
    buckets = dict(
        ScoreDistribution.objects.filter(rule_set=zhongshan, service="school").values_list(
            "total", "count"
        )
    )
    assert buckets == {Decimal("55.00"): 0, Decimal("115.00"): 1}


def test_percentile_is_the_share_strictly_below(zhongshan):
    for seq, education in enumerate(["junior_middle", "senior_middle", "bachelor", "bachelor"]):
        sheet = make_sheet(make_person(seq=21 + 2 * seq), **{**BASIC, "education": [education]})
        ledger.score_sheet(sheet=sheet, rule_set=zhongshan)
    assert selectors.percentile(zhongshan, "school", 55) == 0
    assert selectors.percentile(zhongshan, "school", 65) == 25
    assert selectors.percentile(zhongshan, "school", 115) == 50


def test_a_passing_valid_score_gates_the_service(zhongshan):
    person = make_person(seq=11)
    ledger.score_sheet(sheet=make_sheet(person, **BASIC), rule_set=zhongshan)
    assert selectors.passes(person, "school", on=dt.date(2026, 6, 1))
    assert not selectors.passes(person, "hukou", on=dt.date(2026, 6, 1))
    assert not selectors.passes(person, "school", on=dt.date(2027, 1, 2))  # expired


# --- recompute ------------------------------------------------------------------------------------


@pytest.fixture
def population(zhongshan):
    """Nine persons with fact sheets, scored under version 1."""
    people = []
    for i in range(9):
        person = make_person(seq=31 + 2 * i)
        sheet = make_sheet(
            person, **{**BASIC, "insurance_type_years_province": 4 * i, "zone": ["central"]}
        )
        ledger.score_sheet(sheet=sheet, rule_set=zhongshan)
        people.append(person)
    return people


@pytest.fixture
def version2(zhongshan, admin_user):
    """A draft of version 2 where the school threshold rises to 70."""
    draft = rules.new_version(actor=admin_user, rule_set_id=zhongshan.pk)
    draft.services.filter(service="school").update(threshold=70)
    return draft


def test_publishing_a_version_queues_a_recompute_after_commit(
    version2, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("points.tasks.recompute.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        run = rules.publish_rule_set(actor=admin_user, rule_set_id=version2.pk)
    assert (run.kind, run.status, run.rule_set_id) == (
        RunKind.RECOMPUTE,
        RunStatus.PENDING,
        version2.pk,
    )
    assert queued == [run.pk]
    version2.refresh_from_db()
    assert version2.is_published


def test_recompute_scores_every_sheet_under_the_new_version(population, version2, admin_user):
    run = rules.publish_rule_set(actor=admin_user, rule_set_id=version2.pk)
    done = ledger.run_recompute(run_id=run.pk, chunk_size=4)
    assert (done.status, done.total, done.done, done.written) == (RunStatus.DONE, 9, 9, 9)
    assert done.last_person_id == max(p.pk for p in population)
    current = Score.objects.filter(rule_set=version2, is_current=True)
    assert current.count() == 9
    # school now needs 70: education 20 + residence 15 + age 5 + insurance 1.5 x 4i = 40 + 6i
    # reaches it from i = 5
    assert current.filter(passed__contains=["school"]).count() == 4
    # the entries under version 1 stay current for version 1, as history
    assert Score.objects.filter(rule_set__version=1, is_current=True).count() == 9
    assert selectors.rule_set_in_force() == version2


def test_recompute_twice_gives_the_same_ledger(population, version2, admin_user):
    run = rules.publish_rule_set(actor=admin_user, rule_set_id=version2.pk)
    ledger.run_recompute(run_id=run.pk, chunk_size=4)
    before = ledger_rows(version2)
    # the job delivered again: returns at once
    again = ledger.run_recompute(run_id=run.pk, chunk_size=4)
    assert again.written == 9
    # a second run over the same version: finds every entry current, writes nothing
    second = RecomputeRun.objects.create(rule_set=version2, kind=RunKind.RECOMPUTE)
    second = ledger.run_recompute(run_id=second.pk, chunk_size=4)
    assert (second.done, second.written) == (9, 0)
    assert ledger_rows(version2) == before
    assert (
        sum(
            ScoreDistribution.objects.filter(rule_set=version2, service="school").values_list(
                "count", flat=True
            )
        )
        == 9
    )


def test_an_interrupted_recompute_resumes_where_it_stopped(
    population, version2, admin_user, monkeypatch
):
    run = rules.publish_rule_set(actor=admin_user, rule_set_id=version2.pk)
    real_move = ledger.MOVE_STAGE
    calls = {"n": 0}
    original_execute = None

    from django.db.backends.utils import CursorWrapper

    original_execute = CursorWrapper.execute

    def failing_execute(self, sql, params=None):
        if sql == real_move:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("worker lost")
        return original_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", failing_execute)
    with pytest.raises(RuntimeError):
        ledger.run_recompute(run_id=run.pk, chunk_size=4)
    stopped = RecomputeRun.objects.get(pk=run.pk)
    assert (stopped.status, stopped.done) == (RunStatus.FAILED, 4)
    monkeypatch.setattr(CursorWrapper, "execute", original_execute)

    RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    resumed = ledger.run_recompute(run_id=run.pk, chunk_size=4)
    assert (resumed.status, resumed.done, resumed.written) == (RunStatus.DONE, 9, 9)
    assert Score.objects.filter(rule_set=version2, is_current=True).count() == 9


def test_publishing_refuses_a_broken_draft_and_lists_the_problems(version2, admin_user):
    from portal.errors import InvalidInput

    version2.services.filter(service="school").update(tie_break=["nonsense"])
    with pytest.raises(InvalidInput) as caught:
        rules.publish_rule_set(actor=admin_user, rule_set_id=version2.pk)
    assert any("nonsense" in problem for problem in caught.value.fields["rules"])
    version2.refresh_from_db()
    assert not version2.is_published


def test_a_published_version_cannot_be_published_again(zhongshan, admin_user):
    from portal.errors import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        rules.publish_rule_set(actor=admin_user, rule_set_id=zhongshan.pk)


def test_only_administrators_change_rules(zhongshan, resident):
    from portal.errors import NotAllowed

    with pytest.raises(NotAllowed):
        rules.new_version(actor=resident, rule_set_id=zhongshan.pk)


def test_new_version_copies_the_rules_as_a_draft(zhongshan, admin_user):
    draft = rules.new_version(actor=admin_user, rule_set_id=zhongshan.pk)
    assert (draft.version, draft.status) == (2, "draft")
    exported = spec.export_spec(draft)
    original = spec.export_spec(zhongshan)
    for key in ("families", "indicators", "multipliers", "services", "entry"):
        assert exported[key] == original[key]


# --- preview --------------------------------------------------------------------------------------


def test_preview_counts_who_crosses_each_threshold_and_writes_nothing(
    population, version2, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("points.tasks.preview.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        run = rules.start_preview(actor=admin_user, rule_set_id=version2.pk)
    assert queued == [run.pk]
    entries = Score.objects.count()
    done = ledger.run_preview(run_id=run.pk, chunk_size=4)
    school = done.result["services"]["school"]
    # 40 + 6i: school 30 -> 70 keeps i >= 5; hukou 60 (unchanged) is reached from i = 4
    assert school == {"before": 9, "after": 4, "gained": 0, "lost": 5}
    assert done.result["services"]["hukou"] == {"before": 5, "after": 5, "gained": 0, "lost": 0}
    assert Score.objects.count() == entries


def test_the_bulk_path_writes_exactly_what_the_engine_computes_even_for_odd_text(zhongshan):
    from points import engine, spec

    odd = 'we\\ird"中\u2028\tlevel'
    person = make_person(seq=97)
    sheet = make_sheet(person, **{**BASIC, "education": ["bachelor", odd]})
    run = RecomputeRun.objects.create(rule_set=zhongshan, kind=RunKind.RECOMPUTE)
    ledger.run_recompute(run_id=run.pk)
    stored = Score.objects.get(person=person, rule_set=zhongshan, is_current=True)
    rules = spec.compiled(zhongshan)
    expected, passed = engine.score_compact(
        rules, engine.decode_facts(sheet.facts, rules.fact_types), on=sheet.reference_date
    )
    assert stored.data == expected
    assert sorted(stored.passed) == sorted(passed)
    assert [odd] == [v for v in stored.data["items"][0][1] if v != "bachelor"]
    # and the one-person path finds the same facts already scored
    assert ledger.score_sheet(sheet=sheet, rule_set=zhongshan).pk == stored.pk


def test_a_cancelled_permit_lapses_the_score_and_the_service_gates_recheck(zhongshan, me, resident):
    from django.utils import timezone

    from housing import eligibility as housing_eligibility
    from residents import services as resident_services
    from schooling import eligibility as school_eligibility

    today = timezone.localdate()
    scored = ledger.score_sheet(
        sheet=make_sheet(me, reference=today - dt.timedelta(days=10), **BASIC),
        rule_set=zhongshan,
    )
    assert housing_eligibility.housing_points_of(me, on=today) is not None
    assert school_eligibility.school_points_of(me, on=today) is not None

    resident_services.end_registration(
        actor=resident, registration_id=me.registrations.get().pk, end_date=today
    )

    lapsed = Score.objects.get(person=me, is_current=True)
    assert lapsed.pk != scored.pk
    assert (lapsed.lapsed_on, lapsed.passed) == (today, [])
    assert lapsed.valid_until < today
    assert lapsed.breakdown == scored.breakdown  # the history keeps what was scored
    assert housing_eligibility.housing_points_of(me, on=today) is None
    assert school_eligibility.school_points_of(me, on=today) is None
    assert Score.objects.filter(person=me).count() == 2
