"""The cohort-component projection: pure functions over numpy arrays, no database.

The population is counted by sex (axis of length 2: 0 = male, 1 = female) and single year of
age (axis of length AGES: 0, 1, ... 99 and the open group 100 and over), optionally per area
on a leading axis. One step moves it one year forward:

1. survivors: everyone aged a moves to a + 1, times the survival ratio S[sex, a]; the open
   group keeps its own survivors (S of the last age) and receives those of the age before;
2. births: women aged a at the start of the year bear F[a] children each during the year
   (F = age-specific fertility rates, by the mother's age at the start of the year); the
   births are split by the sex ratio at birth (boys per 100 girls) and survive to the end of
   the year with the birth survival ratio of their sex (L0 / l0), becoming age 0;
3. migration: the year's net migrants by sex and age (at the end of the year) are added;
   a net loss larger than the people there leaves nobody, never a negative count.

Rates come from `rates.py` (a standard fertility schedule scaled to the total fertility rate,
a Brass-logit life table from life expectancy); the registry gives the base population and
the migration flows. Everything here is plain arithmetic on arrays, so it can be checked by
hand and runs for all districts 15 years ahead in well under a second.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

AGES = 101  # single years 0..99 and the open group 100+
MALE, FEMALE = 0, 1

Array = NDArray[np.float64]


def step(
    population: Array,
    *,
    fertility: Array,
    survival: Array,
    birth_survival: Array,
    sex_ratio_at_birth: float,
    migration: Array,
) -> tuple[Array, Array]:
    """One year forward. Returns (population a year later, births during the year by sex).

    population: (..., 2, A); fertility: (A,); survival: (2, A); birth_survival: (2,);
    migration: (..., 2, A) net migrants by sex and age at the end of the year.
    """
    survivors = population * survival
    after = np.zeros_like(population)
    after[..., 1:] = survivors[..., :-1]
    after[..., -1] += survivors[..., -1]
    births = (population[..., FEMALE, :] * fertility).sum(axis=-1)
    boys_share = sex_ratio_at_birth / (100.0 + sex_ratio_at_birth)
    births_by_sex = np.stack([births * boys_share, births * (1.0 - boys_share)], axis=-1)
    after[..., 0] = births_by_sex * birth_survival
    after += migration
    np.maximum(after, 0.0, out=after)
    return after, births_by_sex


def project(
    base: Array,
    *,
    fertility: Array,
    survival: Array,
    birth_survival: Array,
    sex_ratio_at_birth: Array,
    migration: Array,
) -> tuple[Array, Array]:
    """Project `base` one year per row of the rates.

    base: (..., 2, A) the population on the base date;
    fertility: (Y, A); survival: (Y, 2, A); birth_survival: (Y, 2); sex_ratio_at_birth: (Y,);
    migration: (Y, ..., 2, A) each year's net migrants.
    Returns (populations (Y + 1, ..., 2, A) with the base first, births (Y, ..., 2)).
    """
    years = fertility.shape[0]
    out = np.empty((years + 1, *base.shape), dtype=np.float64)
    births = np.empty((years, *base.shape[:-1]), dtype=np.float64)
    out[0] = base
    for y in range(years):
        out[y + 1], births[y] = step(
            out[y],
            fertility=fertility[y],
            survival=survival[y],
            birth_survival=birth_survival[y],
            sex_ratio_at_birth=float(sex_ratio_at_birth[y]),
            migration=migration[y],
        )
    return out, births


def leslie_matrix(
    *, fertility: Array, survival: Array, birth_survival: float, female_share: float
) -> Array:
    """The female Leslie matrix of the same step: daughters in the first row, survival below.

    Row 0: F[a] x female share of births x birth survival; sub-diagonal: S[a]; the open
    group keeps S of the last age on the diagonal.
    """
    ages = fertility.shape[0]
    matrix = np.zeros((ages, ages))
    matrix[0, :] = fertility * female_share * birth_survival
    matrix[np.arange(1, ages), np.arange(ages - 1)] = survival[:-1]
    matrix[-1, -1] += survival[-1]
    return matrix
