"""The points engine on a small made-up rule set: one behaviour per test."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from points import engine
from tests.points.seeds import FACT_TYPES, ON, ZHONGSHAN, compiled, facts


def _family(code, part="base", **extra):
    return {"code": code, "label": code, "part": part, "combine": "sum", **extra}


def _indicator(code, family, fact, kind, params, **extra):
    return {"code": code, "family": family, "fact": fact, "kind": kind, "params": params, **extra}


SPEC = {
    "scheme": "test",
    "version": 1,
    "name": "test rules",
    "entry": [{"fact": "has_permit", "op": "true", "label": "permit"}],
    "families": [
        _family("education", combine="highest", exclusive_group="edu_or_title", subscore="quality"),
        _family("skill", combine="highest", exclusive_group="edu_or_title", subscore="quality"),
        _family("insurance", subscore="insurance"),
        _family("talent", part="bonus", combine="highest"),
        _family("contribution", part="bonus", cap=15),
        _family("age", part="bonus"),
        _family("deductions", part="deduction"),
    ],
    "indicators": [
        _indicator(
            "education",
            "education",
            "education",
            "tiered",
            {
                "tiers": [
                    {"level": "junior_college", "points": 50},
                    {"level": "bachelor", "points": 60},
                ]
            },
        ),
        _indicator(
            "skill",
            "skill",
            "skill",
            "tiered",
            {
                "tiers": [
                    {"level": "vocational_3", "points": 55},
                    {"level": "title_senior", "points": 90},
                ]
            },
        ),
        _indicator(
            "insurance", "insurance", "insurance_years", "rate", {"per": 1, "points": 3}, cap=30
        ),
        _indicator(
            "base_ratio",
            "insurance",
            "insurance_base_ratio",
            "tiered",
            {"tiers": [{"min": 1, "points": 10}, {"min": 2, "points": 20}]},
        ),
        _indicator("startup", "talent", "startup_talent", "fixed", {"points": 40}),
        _indicator("shortage", "talent", "shortage_major", "fixed", {"points": 25}),
        _indicator(
            "volunteer", "contribution", "volunteer_hours", "rate", {"per": 50, "points": 2}
        ),
        _indicator("donation", "contribution", "donation_yuan", "rate", {"per": 1000, "points": 5}),
        _indicator(
            "suburb",
            "contribution",
            "outer_suburb_years",
            "rate",
            {"per": 1, "points": 1, "min_quantity": 5},
        ),
        _indicator(
            "age",
            "age",
            "birth_date",
            "age_scale",
            {"min_age": 18, "max_age": 60, "flat_from": 50, "base": 2, "step": 1},
            cap=20,
        ),
        _indicator(
            "detention",
            "deductions",
            "detentions",
            "rate",
            {"per": 1, "points": -10},
            lookback_years=3,
        ),
        _indicator("serious", "deductions", "serious_crime", "veto", {}),
    ],
    "multipliers": [{"zone": "outer", "factor": 1.5}],
    "services": [
        {
            "service": "school",
            "parts": ["base", "bonus"],
            "threshold": 50,
            "tie_break": ["quality", "insurance"],
        },
        {
            "service": "hukou",
            "parts": ["base", "bonus", "deduction"],
            "threshold": 100,
            "apply_multiplier": False,
            "requirements": [{"fact": "owns_home", "op": "false", "label": "no home"}],
        },
    ],
}
RULES = compiled(SPEC)


def run(**raw):
    return engine.score(RULES, facts(has_permit=True, **raw), on=ON)


def items(result):
    return {i.indicator: i for i in result.items}


# --- scoring kinds --------------------------------------------------------------------------------


def test_fixed_value_counts_when_the_flag_holds():
    assert items(run(startup_talent=True))["startup"].points == 40
    assert "startup" not in items(run(startup_talent=False))


def test_rate_counts_whole_units_only():
    line = items(run(volunteer_hours=149))["volunteer"]
    assert (line.value, line.line, line.points) == (149, "2", 4)


def test_rate_below_its_minimum_quantity_scores_nothing():
    assert "suburb" not in items(run(outer_suburb_years=4))
    assert items(run(outer_suburb_years=5))["suburb"].points == 5


def test_tiered_levels_take_the_best_level_held():
    line = items(run(education=["junior_college", "bachelor"]))["education"]
    assert (line.line, line.points) == ("bachelor", 60)


def test_tiered_numbers_take_the_highest_minimum_reached():
    assert items(run(insurance_base_ratio=1.99))["base_ratio"].points == 10
    assert items(run(insurance_base_ratio=2))["base_ratio"].points == 20
    assert "base_ratio" not in items(run(insurance_base_ratio=0.9))


def test_a_level_outside_the_table_scores_nothing():
    assert "education" not in items(run(education="junior_middle"))


@pytest.mark.parametrize(
    ("birth", "points"),
    [
        ("1975-06-01", 2),  # 50: the flat band
        ("1965-06-01", 2),  # 60: still in the band
        ("1965-01-01", 0),  # 61: too old
        ("1980-06-01", 7),  # 45: 2 + 1 x 5
        ("2010-01-01", 0),  # 16: too young
    ],
)
def test_age_scale_adds_a_step_per_year_younger_than_the_band(birth, points):
    line = items(run(birth_date=birth)).get("age")
    assert (line.points if line else 0) == points


def test_age_scale_is_capped():
    line = items(run(birth_date="2000-06-01"))["age"]  # 25: 2 + 25 = 27, capped 20
    assert (line.raw_points, line.points, line.note) == (27, 20, engine.NOTE_CAP)


# --- caps, highest only, exclusive pairs --------------------------------------------------------------


def test_indicator_cap_limits_one_line():
    line = items(run(insurance_years=14))["insurance"]
    assert (line.raw_points, line.points, line.note) == (42, 30, engine.NOTE_CAP)


def test_family_cap_limits_the_sum_of_its_lines():
    result = run(volunteer_hours=200, donation_yuan=3000)  # 8 + 15 = 23, capped 15
    family = next(f for f in result.families if f.family == "contribution")
    assert (family.raw_total, family.total, family.capped) == (23, 15, True)
    assert result.service("school").total == 15


def test_highest_only_family_counts_the_best_item():
    result = run(startup_talent=True, shortage_major=True)
    lines = items(result)
    assert lines["startup"].counted
    assert (lines["shortage"].counted, lines["shortage"].note) == (False, engine.NOTE_HIGHEST_ONLY)
    assert result.service("school").total == 40


def test_exclusive_pair_counts_only_the_higher_family():
    result = run(education="bachelor", skill=["title_senior"])
    lines = items(result)
    assert lines["skill"].counted
    assert not lines["education"].counted
    assert lines["education"].note == engine.NOTE_EXCLUSIVE
    assert result.service("school").total == 90
    assert result.subscores["quality"] == 90


def test_exclusive_pair_without_the_other_side_counts_fully():
    assert run(education="bachelor").service("school").total == 60


# --- deductions, lookbacks, vetoes -----------------------------------------------------------------


def test_deductions_count_only_inside_the_lookback_window():
    # three years before 2026-01-01: after 2023-01-01
    result = run(
        education="bachelor", detentions=["2023-01-01", "2023-01-02", "2025-12-31", "2026-01-02"]
    )
    line = items(result)["detention"]
    assert (line.value, line.points) == (2, -20)


def test_deductions_count_in_services_that_include_them_only():
    result = run(education="bachelor", insurance_years=20, detentions=["2025-01-01"])
    assert result.service("school").total == 90  # 60 + 30, no deductions
    assert result.service("hukou").total == 80


def test_totals_never_fall_below_zero():
    result = run(education="junior_college", detentions=["2024-01-01"] * 8)
    assert result.service("hukou").total == 0
    assert result.service("hukou").raw_total == -30


def test_a_veto_makes_every_service_that_applies_vetoes_ineligible():
    result = run(education="bachelor", serious_crime=True)
    assert items(result)["serious"].note == engine.NOTE_VETO
    school = result.service("school")
    assert (school.total, school.eligible, school.passed, school.vetoed_by) == (
        60,
        False,
        False,
        ("serious",),
    )


def test_a_service_may_ignore_vetoes():
    spec = copy.deepcopy(SPEC)
    spec["services"][0]["apply_vetoes"] = False
    result = engine.score(
        compiled(spec), facts(has_permit=True, education="bachelor", serious_crime=True), on=ON
    )
    assert result.service("school").passed


# --- multipliers, requirements, thresholds -------------------------------------------------------------


def test_zone_multiplier_applies_where_the_service_says_so():
    result = run(education="bachelor", insurance_years=20, zone="outer")
    assert (result.service("school").total, result.service("school").multiplier) == (135, 1.5)
    assert (result.service("hukou").total, result.service("hukou").multiplier) == (90, 1.0)


def test_a_zone_without_a_multiplier_changes_nothing():
    assert run(education="bachelor", zone="central").service("school").total == 60


def test_entry_and_service_requirements_are_reported_by_key():
    result = engine.score(RULES, facts(education="bachelor", owns_home=True), on=ON)
    assert result.service("school").unmet == ("entry.0",)
    assert result.service("hukou").unmet == ("entry.0", "hukou.0")
    assert not result.service("hukou").eligible


def test_threshold_is_reached_at_exactly_the_threshold():
    result = run(education="junior_college")
    assert (result.service("school").total, result.service("school").passed) == (50, True)


def test_tie_keys_follow_the_services_chain():
    result = run(education="bachelor", insurance_years=5)
    assert result.service("school").tie_keys == (60, 15)
    assert result.service("hukou").tie_keys == ()


# --- determinism, compact form -------------------------------------------------------------------------


def test_the_same_facts_always_give_the_same_result():
    raw = {"education": "bachelor", "insurance_years": 7, "detentions": ["2025-01-01"]}
    assert run(**raw) == run(**raw)


def test_compact_form_is_the_results_json_and_reads_back():
    person = facts(
        has_permit=True,
        education="bachelor",
        skill=["title_senior"],
        insurance_years=14,
        volunteer_hours=500,
        donation_yuan=5000,
        zone="outer",
        serious_crime=True,
    )
    result = engine.score(RULES, person, on=ON)
    breakdown, passed = engine.score_compact(RULES, person, on=ON)
    assert breakdown == result.to_json()
    assert passed == [s.service for s in result.services if s.passed]
    assert engine.result_from_json(RULES, breakdown, on=ON) == result


def test_an_empty_profile_scores_zero_everywhere():
    result = engine.score(RULES, {}, on=ON)
    assert [s.total for s in result.services] == [0, 0]
    assert result.items == ()


# --- facts ------------------------------------------------------------------------------------------------


def test_facts_are_checked_against_their_types():
    with pytest.raises(engine.FactError) as caught:
        engine.decode_facts(
            {
                "education": 3,
                "insurance_years": -1,
                "unknown_fact": 1,
                "has_permit": "yes",
                "detentions": "2024-01-01",
                "residence_periods": [["2024-01-01", "2023-01-01"]],
            },
            FACT_TYPES,
        )
    assert set(caught.value.errors) == {
        "education",
        "insurance_years",
        "unknown_fact",
        "has_permit",
        "detentions",
        "residence_periods",
    }


def test_facts_round_trip_through_json():
    raw = {
        "birth_date": "1990-05-12",
        "education": ["bachelor"],
        "insurance_years": 7,
        "insurance_base_ratio": 1.5,
        "detentions": ["2024-01-01"],
        "residence_periods": [["2020-01-01", "2021-01-01"], ["2021-01-01", None]],
        "has_permit": True,
    }
    decoded = engine.decode_facts(raw, FACT_TYPES)
    assert engine.encode_facts(decoded, FACT_TYPES) == dict(sorted(raw.items()))


def test_null_facts_are_absent():
    assert engine.decode_facts({"education": None}, FACT_TYPES) == {}


# --- continuity inside the engine -------------------------------------------------------------------------


def test_periods_are_measured_as_continuous_months_back_from_the_reference_day():
    rules = compiled(ZHONGSHAN)
    person = facts(residence_periods=[["2020-01-01", "2023-03-01"], ["2023-05-15", None]])
    line = {i.indicator: i for i in engine.score(rules, person, on=ON).items}["residence"]
    assert (line.value, line.line, line.points) == (72, "6", 30)
    earlier = engine.score(rules, person, on=dt.date(2023, 4, 1))
    line = {i.indicator: i for i in earlier.items}["residence"]
    assert line.value == 39  # still inside the 3-month gap: continuous since 2020


# --- spec validation ----------------------------------------------------------------------------------------


def test_a_broken_spec_lists_every_problem():
    spec = copy.deepcopy(SPEC)
    spec["indicators"].append(
        _indicator("bad_fact", "talent", "no_such_fact", "fixed", {"points": 1})
    )
    spec["indicators"].append(_indicator("bad_kind", "talent", "education", "rate", {"points": 1}))
    spec["indicators"].append(_indicator("bad_family", "nowhere", "education", "tiered", {}))
    spec["indicators"].append(_indicator("no_tiers", "talent", "education", "tiered", {}))
    spec["indicators"].append(
        _indicator(
            "bad_lookback", "talent", "insurance_years", "rate", {"points": 1}, lookback_years=3
        )
    )
    spec["indicators"].append(
        _indicator("education", "talent", "startup_talent", "fixed", {"points": 1})
    )
    spec["services"][0]["tie_break"] = ["no_such_subscore"]
    spec["services"][1]["parts"] = ["everything"]
    spec["entry"].append({"fact": "education", "op": "gte", "value": 1})
    errors = engine.validate_spec(spec, FACT_TYPES)
    joined = "\n".join(errors)
    for expected in (
        "unknown fact 'no_such_fact'",
        "a rate indicator cannot read a level fact",
        "unknown family 'nowhere'",
        "tiers: a list of tiers is needed",
        "only events can be looked back on",
        "'education' appears twice",
        "no family has the sub-score 'no_such_subscore'",
        "services[1] (hukou).parts",
        "gte needs a number fact",
    ):
        assert expected in joined, expected
    with pytest.raises(engine.SpecError):
        engine.compile_rules(spec, FACT_TYPES)


def test_the_seed_tables_compile_without_problems():
    from tests.points.seeds import SHANGHAI

    assert engine.validate_spec(SHANGHAI, FACT_TYPES) == []
    assert engine.validate_spec(ZHONGSHAN, FACT_TYPES) == []


# --- what would raise my score ---------------------------------------------------------------------------


def test_suggestions_name_the_next_step_and_its_gain():
    found = {
        s.indicator: s
        for s in engine.suggestions(
            RULES, facts(has_permit=True, education="junior_college", insurance_years=9), on=ON
        )
    }
    assert (found["education"].target, found["education"].gains["school"]) == (("bachelor",), 10)
    assert found["insurance"].target == 10
    assert found["insurance"].gains["school"] == 3


def test_suggestions_respect_the_exclusive_pair():
    found = {
        s.indicator: s
        for s in engine.suggestions(RULES, facts(has_permit=True, education="bachelor"), on=ON)
    }
    # vocational level 3 (55) would not beat the bachelor (60): the step offered is the title
    assert found["skill"].target == ("title_senior",)
    assert found["skill"].gains["school"] == 30


def test_suggestions_skip_capped_lines_and_deductions():
    found = {
        s.indicator
        for s in engine.suggestions(RULES, facts(has_permit=True, insurance_years=10), on=ON)
    }
    assert "insurance" not in found
    assert "detention" not in found
    assert "serious" not in found


def test_suggestions_tell_which_threshold_a_step_would_cross():
    found = engine.suggestions(RULES, facts(has_permit=True, education="bachelor"), on=ON)
    skill = next(s for s in found if s.indicator == "skill")
    assert "hukou" not in skill.crosses  # 90 < 100
    first = found[0]
    assert first.crosses or max(first.gains.values()) >= max(max(s.gains.values()) for s in found)
