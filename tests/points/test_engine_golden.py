"""Golden profiles: scores worked out by hand from the Shanghai 2015 and Zhongshan 2014 tables.

Every profile is scored on 1 January 2026. Each expected total has its hand computation next
to it. Zhongshan's services: school = (base + bonus) x zone factor, threshold 30; public rental
housing = (base + bonus - deductions) x zone factor, threshold 30, no home and insured locally
last month; hukou = (base + bonus - deductions) x zone factor, threshold 60. Entry for all: a
residence permit and at least one year of work in the city. Shanghai: one standard score,
threshold 120, a residence permit required.
"""

from __future__ import annotations

import pytest

from points import engine
from tests.points.seeds import ON, SHANGHAI, ZHONGSHAN, compiled, facts

SH = compiled(SHANGHAI)
ZS = compiled(ZHONGSHAN)

ZS_BASICS = {"has_permit": True, "work_years_city": 3, "zone": "central"}

# (name, facts, {service: (total, eligible, passed)})
SHANGHAI_PROFILES = [
    (
        "s01_bachelor_degree_beats_level3_skill",
        {
            "birth_date": "1990-05-12",
            "education": "bachelor_degree",
            "skill": ["vocational_3"],
            "insurance_years": 7,
            "has_permit": True,
        },
        # age 35: 5 + 2 x (56 - 35) = 47, capped 30; education 90 beats skill 60 (exclusive);
        # insurance 7 x 3 = 21.  30 + 90 + 21 = 141 >= 120
        {"standard": (141, True, True)},
    ),
    (
        "s02_senior_title_beats_junior_college",
        {
            "birth_date": "1967-06-01",
            "education": "junior_college",
            "skill": ["title_senior"],
            "insurance_years": 10,
            "has_permit": True,
        },
        # age 58 (56-60 band): 5; skill 140 beats education 50; insurance 10 x 3 = 30.
        # 5 + 140 + 30 = 175
        {"standard": (175, True, True)},
    ),
    (
        "s03_over_sixty_scores_no_age_points",
        {
            "birth_date": "1964-03-01",
            "education": "master",
            "insurance_years": 2,
            "has_permit": True,
        },
        # age 61: 0; master 100; insurance 2 x 3 = 6.  0 + 100 + 6 = 106 < 120
        {"standard": (106, True, False)},
    ),
    (
        "s04_shortage_major_lifts_over_the_line",
        {
            "birth_date": "1980-06-15",
            "education": "junior_college",
            "skill": ["vocational_4"],
            "insurance_years": 12,
            "shortage_major": True,
            "has_permit": True,
        },
        # age 45: 5 + 2 x 11 = 27; education 50 beats skill 30; insurance 12 x 3 = 36;
        # shortage major 30.  27 + 50 + 36 + 30 = 143
        {"standard": (143, True, True)},
    ),
    (
        "s05_tax_and_hires_capped_together",
        {
            "birth_date": "1985-07-01",
            "education": "bachelor",
            "insurance_years": 5,
            "business_tax_avg": 850000,
            "local_hires": 65,
            "has_permit": True,
        },
        # age 40: 5 + 2 x 16 = 37, capped 30; bachelor 60; insurance 15;
        # tax: floor(850000 / 100000) = 8 x 10 = 80, hires floor(65 / 10) = 6 x 10 = 60,
        # family 140 capped 120.  30 + 60 + 15 + 120 = 225
        {"standard": (225, True, True)},
    ),
    (
        "s06_highest_honour_only",
        {
            "birth_date": "1975-09-10",
            "education": "bachelor_degree",
            "insurance_years": 4,
            "honour_level": ["municipal_special", "provincial"],
            "has_permit": True,
        },
        # age 50: 5 + 2 x 6 = 17; education 90; insurance 12; honours: provincial 110 only.
        # 17 + 90 + 12 + 110 = 229
        {"standard": (229, True, True)},
    ),
    (
        "s07_detention_within_five_years_only",
        {
            "birth_date": "1995-03-01",
            "education": "master",
            "insurance_years": 6,
            "detentions": ["2024-05-01", "2020-06-01"],
            "false_materials": ["2022-06-01"],
            "has_permit": True,
        },
        # age 30: 5 + 2 x 26 = 57, capped 30; master 100; insurance 18;
        # detentions after 2021-01-01: one, -50; false materials after 2023-01-01: none.
        # 30 + 100 + 18 - 50 = 98 < 120
        {"standard": (98, True, False)},
    ),
    (
        "s08_deductions_floor_at_zero",
        {
            "birth_date": "1973-05-05",
            "education": "bachelor",
            "insurance_years": 15,
            "criminal_penalties": ["2023-08-01"],
            "false_materials": ["2024-02-01"],
            "has_permit": True,
        },
        # age 52: 5 + 2 x 4 = 13; bachelor 60; insurance 45; criminal -150; false -150.
        # 13 + 60 + 45 - 300 = -182, floor 0
        {"standard": (0, True, False)},
    ),
    (
        "s09_serious_crime_is_a_veto",
        {
            "birth_date": "1990-05-12",
            "education": "bachelor_degree",
            "skill": ["vocational_3"],
            "insurance_years": 7,
            "serious_crime": True,
            "has_permit": True,
        },
        # as s01: 30 + 90 + 21 = 141, but vetoed: not eligible
        {"standard": (141, False, False)},
    ),
    (
        "s10_no_permit_no_standard_score",
        {
            "birth_date": "1990-05-12",
            "education": "bachelor_degree",
            "insurance_years": 7,
        },
        # 30 + 90 + 21 = 141, entry requirement (valid permit) not met
        {"standard": (141, False, False)},
    ),
    (
        "s11_spouse_capped_and_suburb_below_five_years",
        {
            "birth_date": "1987-02-02",
            "education": "junior_college",
            "insurance_years": 8,
            "outer_suburb_years": 4,
            "spouse_local_marriage_years": 12,
            "has_permit": True,
        },
        # age 38: 5 + 2 x 18 = 41, capped 30; education 50; insurance 24;
        # outer suburb 4 years < 5: 0; spouse 12 x 4 = 48, capped 40.  30 + 50 + 24 + 40 = 144
        {"standard": (144, True, True)},
    ),
    (
        "s12_technician_suburb_cap_and_insurance_base",
        {
            "birth_date": "1981-04-20",
            "skill": ["vocational_2"],
            "insurance_years": 9,
            "outer_suburb_years": 12,
            "insurance_base_ratio": 1.5,
            "has_permit": True,
        },
        # age 44: 5 + 2 x 12 = 29; skill level 2: 100; insurance 27; suburb 12 x 2 = 24,
        # capped 20; base 1.5x (>= 1x): 50.  29 + 100 + 27 + 20 + 50 = 226
        {"standard": (226, True, True)},
    ),
    (
        "s13_young_start_up_graduate",
        {
            "birth_date": "2001-08-08",
            "education": "bachelor_degree",
            "fresh_graduate": True,
            "startup_talent": True,
            "insurance_base_ratio": 0.85,
            "insurance_years": 1,
            "has_permit": True,
        },
        # age 24: 5 + 2 x 32 = 69, capped 30; education 90; graduate 10; start-up 120;
        # base 0.85x (>= 0.8x): 25; insurance 3.  30 + 90 + 10 + 120 + 25 + 3 = 278
        {"standard": (278, True, True)},
    ),
    (
        "s14_age_the_day_before_56_and_doctor_over_title",
        {
            "birth_date": "1970-01-02",
            "education": "doctor",
            "skill": ["title_intermediate"],
            "insurance_years": 20,
            "has_permit": True,
        },
        # age 55 (56 tomorrow): 5 + 2 x 1 = 7; doctor 110 beats title 100; insurance 60.
        # 7 + 110 + 60 = 177
        {"standard": (177, True, True)},
    ),
]

ZHONGSHAN_PROFILES = [
    (
        "z01_junior_middle_worker_central",
        {
            **ZS_BASICS,
            "birth_date": "1990-05-12",
            "education": "junior_middle",
            "insurance_type_years_province": 10,
            "residence_periods": [["2022-03-01", None]],
            "insured_locally_last_month": True,
        },
        # base: education 20 + insurance 10 x 1.5 = 15 + residence 46 months = 3 years x 5 = 15
        # = 50; bonus: age 35: 5.  school 55; housing 55; hukou 55 < 60
        {"school": (55, True, True), "housing": (55, True, True), "hukou": (55, True, False)},
    ),
    (
        "z02_outer_zone_with_deductions",
        {
            **ZS_BASICS,
            "zone": "outer",
            "work_years_city": 5,
            "birth_date": "1985-03-03",
            "education": "senior_middle",
            "skill": ["vocational_4"],
            "insurance_type_years_province": 20,
            "insurance_type_years_city": 12,
            "residence_periods": [["2019-01-01", None]],
            "detentions": ["2024-06-01"],
            "criminal_penalties": ["2022-01-15"],
            "insured_locally_last_month": True,
        },
        # base: 30 + 40 + 20 x 1.5 = 30 + 12 x 0.5 = 6 + 84 months = 7 years x 5 = 35 = 141;
        # bonus 0 (age 40); deductions: detention in 3 years -10, criminal in 5 years -100.
        # school 141 x 1.3 = 183.3; housing (141 - 110) x 1.3 = 40.3; hukou 40.3 < 60
        {
            "school": (183.3, True, True),
            "housing": (40.3, True, True),
            "hukou": (40.3, True, False),
        },
    ),
    (
        "z03_insurance_and_residence_caps_home_owner",
        {
            **ZS_BASICS,
            "work_years_city": 10,
            "birth_date": "1980-10-10",
            "education": "bachelor",
            "insurance_type_years_province": 60,
            "insurance_type_years_city": 60,
            "residence_periods": [["2010-01-01", None]],
            "owns_home": True,
        },
        # base: 80 + 60 x 1.5 = 90 capped 75 + 60 x 0.5 = 30 capped 25 + home 100
        # + 16 years x 5 = 80 capped 50 = 330.  housing: owns a home and not insured last
        # month: not eligible
        {"school": (330, True, True), "housing": (330, False, False), "hukou": (330, True, True)},
    ),
    (
        "z04_gap_of_three_months_still_continuous",
        {
            **ZS_BASICS,
            "work_years_city": 2,
            "birth_date": "1998-07-07",
            "education": "bachelor_degree",
            "unmarried": True,
            "insurance_type_years_province": 8,
            "residence_periods": [["2020-01-01", "2023-03-01"], ["2023-05-15", None]],
        },
        # residence: gap 2023-03-01 .. 2023-05-15 is within 3 months: since 2020-01-01,
        # 72 months = 6 years x 5 = 30.  base 80 + 12 + 30 = 122; bonus age 27: 5 + unmarried
        # 15 = 20.  142; housing: not insured last month
        {"school": (142, True, True), "housing": (142, False, False), "hukou": (142, True, True)},
    ),
    (
        "z05_gap_over_three_months_restarts_residence",
        {
            **ZS_BASICS,
            "work_years_city": 2,
            "birth_date": "1998-07-07",
            "education": "bachelor_degree",
            "residence_periods": [["2020-01-01", "2023-03-01"], ["2023-06-02", None]],
            "insured_locally_last_month": True,
        },
        # residence: 2023-06-02 is after 2023-06-01 (3 months after the end): since 2023-06-02,
        # 30 months = 2 years x 5 = 10.  base 80 + 10 = 90; bonus age 5.  95
        {"school": (95, True, True), "housing": (95, True, True), "hukou": (95, True, True)},
    ),
    (
        "z06_late_endorsement_restarts_residence",
        {
            **ZS_BASICS,
            "work_years_city": 8,
            "birth_date": "1975-01-01",
            "education": "junior_college",
            "skill": ["title_junior"],
            "insurance_type_years_province": 30,
            "residence_periods": [["2016-01-01", None]],
            "residence_restart": "2024-09-01",
            "insured_locally_last_month": True,
        },
        # residence from the restart 2024-09-01: 16 months = 1 year x 5 = 5.
        # base: 60 + 70 + 30 x 1.5 = 45 + 5 = 180; bonus 0 (age 51).  180
        {"school": (180, True, True), "housing": (180, True, True), "hukou": (180, True, True)},
    ),
    (
        "z07_talent_patents_and_honours",
        {
            **ZS_BASICS,
            "work_years_city": 4,
            "birth_date": "1992-02-02",
            "education": "master",
            "urgent_talent": ["town", "city"],
            "patents_invention": ["2022-05-01", "2019-03-01"],
            "patents_utility": ["2025-01-01", "2024-01-01", "2023-01-01"],
            "honours_county": ["2018-01-01", "2020-01-01", "2022-01-01"],
            "honours_prefecture": ["2023-09-01"],
        },
        # base 80; bonus: age 33: 5 + talent city 50 (highest) + invention in 5 years 1 x 30
        # + utility 3 x 10 = 30 + county 3 x 30 = 90 capped 60 + prefecture 60 = 235.  315
        {"school": (315, True, True), "housing": (315, False, False), "hukou": (315, True, True)},
    ),
    (
        "z08_social_contribution_caps_and_fractions_outer",
        {
            **ZS_BASICS,
            "zone": "outer",
            "work_years_city": 6,
            "birth_date": "1988-08-08",
            "education": "junior_college",
            "insurance_type_years_province": 6,
            "volunteer_hours": 320,
            "donation_yuan": 3500,
            "blood_donation_cc": 600,
            "crime_reports": 7,
            "community_education_certs": 6,
            "income_tax_5y": 12800,
            "housing_fund_months": 37,
            "insured_locally_last_month": True,
        },
        # base 60 + 6 x 1.5 = 9 = 69; bonus: volunteering 6 x 2 = 12 capped 10 + donation 3 x 2
        # = 6 + blood 3 x 2 = 6 + reports 7 x 0.3 = 2.1 + community 6 x 4 = 24 capped 20
        # + income tax 12 x 1 = 12 + fund 37 x 0.1 = 3.7 = 59.8.  128.8 x 1.3 = 167.44
        {
            "school": (167.44, True, True),
            "housing": (167.44, True, True),
            "hukou": (167.44, True, True),
        },
    ),
    (
        "z09_without_a_permit_nothing_is_open",
        {
            "work_years_city": 3,
            "zone": "central",
            "birth_date": "1990-05-12",
            "education": "junior_middle",
            "insurance_type_years_province": 10,
            "residence_periods": [["2022-03-01", None]],
        },
        # as z01: 50 + 5 = 55, but no residence permit: not eligible anywhere
        {"school": (55, False, False), "housing": (55, False, False), "hukou": (55, False, False)},
    ),
    (
        "z10_under_a_year_of_work",
        {
            **ZS_BASICS,
            "work_years_city": 0.5,
            "birth_date": "1990-05-12",
            "education": "junior_middle",
            "insurance_type_years_province": 10,
            "residence_periods": [["2022-03-01", None]],
        },
        # as z01: 55, but half a year of work: entry not met
        {"school": (55, False, False), "housing": (55, False, False), "hukou": (55, False, False)},
    ),
    (
        "z11_deductions_floor_and_school_ignores_them",
        {
            **ZS_BASICS,
            "work_years_city": 2,
            "birth_date": "1970-01-01",
            "education": "junior_middle",
            "criminal_penalties": ["2024-01-01", "2025-01-01"],
            "detentions": ["2025-06-01"],
            "insured_locally_last_month": True,
        },
        # base 20; bonus 0 (age 56); deductions -200 - 10 = -210.
        # school (no deductions) 20 < 30; housing and hukou 20 - 210 < 0: floor 0
        {"school": (20, True, False), "housing": (0, True, False), "hukou": (0, True, False)},
    ),
    (
        "z12_thirty_six_scores_no_age_bonus_one_year_of_work_is_enough",
        {
            **ZS_BASICS,
            "work_years_city": 1,
            "birth_date": "1989-12-31",
            "education": "junior_college",
            "residence_periods": [["2025-01-01", None]],
        },
        # age 36: no bonus; base 60 + residence 12 months = 1 year x 5 = 5 = 65
        {"school": (65, True, True), "housing": (65, False, False), "hukou": (65, True, True)},
    ),
]

PROFILES = [(SH, *p) for p in SHANGHAI_PROFILES] + [(ZS, *p) for p in ZHONGSHAN_PROFILES]


@pytest.mark.parametrize(
    ("rules", "name", "raw", "expected"), PROFILES, ids=[p[1] for p in PROFILES]
)
def test_golden_profile_scores_as_worked_out_by_hand(rules, name, raw, expected):
    result = engine.score(rules, facts(**raw), on=ON)
    got = {s.service: (s.total, s.eligible, s.passed) for s in result.services}
    assert got == {k: (float(t), e, p) for k, (t, e, p) in expected.items()}


def test_there_are_at_least_twenty_golden_profiles():
    assert len(PROFILES) >= 20


def test_golden_breakdown_names_the_exclusive_pair_and_the_cap():
    result = engine.score(SH, facts(**SHANGHAI_PROFILES[0][1]), on=ON)
    lines = {i.indicator: i for i in result.items}
    assert (lines["age"].raw_points, lines["age"].points, lines["age"].note) == (47, 30, "cap")
    assert lines["skill"].note == engine.NOTE_EXCLUSIVE
    assert not lines["skill"].counted
    skill = next(f for f in result.families if f.family == "skill")
    assert (skill.total, skill.excluded_by) == (0, "education")


def test_golden_zhongshan_ties_compare_quality_then_insurance_then_residence():
    result = engine.score(ZS, facts(**ZHONGSHAN_PROFILES[1][1]), on=ON)
    # quality 30 + 40, insurance 30 + 6, residence 35
    assert result.service("school").tie_keys == (70, 36, 35)
