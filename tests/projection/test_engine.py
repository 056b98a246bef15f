"""The cohort-component engine: a case worked by hand and the properties it must keep."""

from __future__ import annotations

import numpy as np
import pytest

from portal.projection import engine, rates


def tiny_rates(years: int) -> dict:
    """Three ages (0, 1, 2+), the same rates every year."""
    return {
        "fertility": np.tile([0.0, 0.5, 0.0], (years, 1)),
        "survival": np.tile([[0.9, 0.8, 0.5], [1.0, 0.9, 0.5]], (years, 1, 1)),
        "birth_survival": np.tile([0.9, 1.0], (years, 1)),
        "sex_ratio_at_birth": np.full(years, 100.0),
        "migration": np.tile([[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]], (years, 1, 1)),
    }


def test_tiny_population_two_steps_worked_by_hand():
    # given men 10, 10, 10 and women 10, 20, 10 at ages 0, 1, 2+
    base = np.array([[10.0, 10.0, 10.0], [10.0, 20.0, 10.0]])

    populations, births = engine.project(base, **tiny_rates(2))

    # step 1
    #   survivors, men:   10*0.9 = 9 -> age 1;  10*0.8 = 8 and 10*0.5 = 5 -> 2+ = 13
    #   survivors, women: 10*1.0 = 10 -> age 1; 20*0.9 = 18 and 10*0.5 = 5 -> 2+ = 23
    #   births: 20 women aged 1 x 0.5 = 10, half boys (ratio 100): 5 boys, 5 girls
    #   age 0: boys 5*0.9 = 4.5, girls 5*1.0 = 5
    #   migration: +1 man aged 1, +2 girls aged 0
    assert births[0].tolist() == pytest.approx([5.0, 5.0])
    assert populations[1].tolist() == [
        pytest.approx([4.5, 10.0, 13.0]),
        pytest.approx([7.0, 10.0, 23.0]),
    ]
    # step 2
    #   men:   4.5*0.9 = 4.05 (+1 migrant) = 5.05 at 1; 10*0.8 + 13*0.5 = 14.5 at 2+
    #   women: 7*1.0 = 7 at 1; 10*0.9 + 23*0.5 = 20.5 at 2+
    #   births: 10 women aged 1 x 0.5 = 5: 2.5 boys (x0.9 = 2.25), 2.5 girls (+2 migrants = 4.5)
    assert births[1].tolist() == pytest.approx([2.5, 2.5])
    assert populations[2].tolist() == [
        pytest.approx([2.25, 5.05, 14.5]),
        pytest.approx([4.5, 7.0, 20.5]),
    ]
    assert populations[2].sum() == pytest.approx(53.8)


def test_net_loss_larger_than_the_people_leaves_nobody_not_a_negative_count():
    base = np.array([[10.0, 10.0, 10.0], [10.0, 20.0, 10.0]])
    given = tiny_rates(1)
    given["migration"] = np.array([[[0.0, -50.0, 0.0], [0.0, 0.0, 0.0]]])

    populations, _ = engine.project(base, **given)

    assert populations[1][0][1] == 0.0
    assert (populations >= 0).all()


def test_districts_are_projected_side_by_side_and_independently():
    one = np.array([[10.0, 10.0, 10.0], [10.0, 20.0, 10.0]])
    two = one * 3
    given = tiny_rates(2)
    alone_one, _ = engine.project(one, **given)
    given_both = dict(given, migration=np.stack([given["migration"]] * 2, axis=1))

    both, _ = engine.project(np.stack([one, two]), **given_both)

    assert both.shape == (3, 2, 2, 3)
    assert np.allclose(both[:, 0], alone_one)
    assert both[2, 1].sum() > both[2, 0].sum()


def test_closed_population_with_replacement_fertility_and_no_deaths_stays_put():
    # given a rectangular life table (nobody dies before the open group, which leaves),
    # no migration, a sex ratio at birth of 107 and the TFR that replaces each woman with one
    # daughter: 2.07; 1,000 women and 1,070 men at every age
    years = 15
    tfr = 2.07
    survival = np.ones((2, engine.AGES))
    survival[:, -1] = 0.0
    base = np.stack([np.full(engine.AGES, 1070.0), np.full(engine.AGES, 1000.0)])

    populations, _ = engine.project(
        base,
        fertility=np.tile(rates.fertility_rates(tfr), (years, 1)),
        survival=np.tile(survival, (years, 1, 1)),
        birth_survival=np.ones((years, 2)),
        sex_ratio_at_birth=np.full(years, 107.0),
        migration=np.zeros((years, 2, engine.AGES)),
    )

    for year in range(1, years + 1):
        assert np.allclose(populations[year], base)


def test_long_run_growth_is_the_dominant_eigenvalue_of_the_leslie_matrix():
    years = 600
    fertility = rates.fertility_rates(1.8)
    survival, birth_survival = rates.survival_for(78.5, 83.5)
    female_share = 100.0 / 207.0
    base = np.stack([np.full(engine.AGES, 500.0), np.linspace(1000.0, 10.0, engine.AGES)])

    populations, _ = engine.project(
        base,
        fertility=np.tile(fertility, (years, 1)),
        survival=np.tile(survival, (years, 1, 1)),
        birth_survival=np.tile(birth_survival, (years, 1)),
        sex_ratio_at_birth=np.full(years, 107.0),
        migration=np.zeros((years, 2, engine.AGES)),
    )
    matrix = engine.leslie_matrix(
        fertility=fertility,
        survival=survival[engine.FEMALE],
        birth_survival=birth_survival[engine.FEMALE],
        female_share=female_share,
    )

    dominant = max(abs(np.linalg.eigvals(matrix)))
    women = populations[:, engine.FEMALE].sum(axis=-1)
    assert women[-1] / women[-2] == pytest.approx(dominant, rel=1e-6)
    assert dominant < 1.0  # below replacement the population shrinks in the long run


def test_the_leslie_matrix_is_the_engine_step_for_women():
    fertility = rates.fertility_rates(1.5)
    survival, birth_survival = rates.survival_for(76.0, 81.0)
    women = np.linspace(900.0, 5.0, engine.AGES)
    population = np.stack([np.zeros(engine.AGES), women])

    after, _ = engine.step(
        population,
        fertility=fertility,
        survival=survival,
        birth_survival=birth_survival,
        sex_ratio_at_birth=107.0,
        migration=np.zeros((2, engine.AGES)),
    )

    matrix = engine.leslie_matrix(
        fertility=fertility,
        survival=survival[1],
        birth_survival=birth_survival[1],
        female_share=100.0 / 207.0,
    )
    assert np.allclose(after[1], matrix @ women)
