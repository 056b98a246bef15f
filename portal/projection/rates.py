"""Rates for the projection from a scenario's assumptions: pure functions over numbers.

- Fertility: the standard schedule (the share of a woman's lifetime births at each age 15..49,
  shipped in data/standards.json) times the total fertility rate.
- Mortality: a Brass relational logit on the standard life table of each sex,
  logit l(x) = alpha + beta * logit l_s(x) with logit l = 0.5 ln((1 - l) / l), alpha found by
  bisection so that the table's life expectancy at birth is the one asked for.
- Values given for some years (TFR 1.2 in 2020, 1.8 in 2030) are interpolated linearly in
  between and held flat before the first and after the last.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from portal.projection.engine import AGES, Array

_STANDARDS = Path(__file__).with_name("data") / "standards.json"
SEXES = ("M", "F")


@cache
def standards() -> dict[str, Any]:
    with _STANDARDS.open(encoding="utf-8") as handle:
        return json.load(handle)


def interpolate(points: list[list[float]], years: list[int]) -> Array:
    """Values for `years` from (year, value) points: linear between, flat outside."""
    ordered = sorted((float(y), float(v)) for y, v in points)
    xs = [p[0] for p in ordered]
    vs = [p[1] for p in ordered]
    return np.interp(np.asarray(years, dtype=np.float64), xs, vs)


def fertility_rates(tfr: float) -> Array:
    """Age-specific fertility rates (by single year of age 0..100+) summing to `tfr`."""
    data = standards()
    rates = np.zeros(AGES)
    first = int(data["fertility_first_age"])
    schedule = np.asarray(data["fertility"], dtype=np.float64)
    rates[first : first + schedule.size] = schedule / schedule.sum() * tfr
    return rates


def life_expectancy(lx: Array) -> float:
    """Life expectancy at birth of survivors l(x) at exact ages 0..n (radix l(0))."""
    return float(((lx[:-1] + lx[1:]) / 2.0).sum() / lx[0])


def _brass(alpha: float, beta: float, standard_logit: Array) -> Array:
    lx = np.ones(standard_logit.size + 1)
    lx[1:] = 1.0 / (1.0 + np.exp(2.0 * (alpha + beta * standard_logit)))
    return lx


@cache
def brass_life_table(e0: float, sex: str, beta: float = 1.0) -> Array:
    """Survivors l(x), x = 0..110, of the Brass-logit table with life expectancy `e0`."""
    standard = np.asarray(standards()["life_table"][sex], dtype=np.float64)
    tail = np.clip(standard[1:], 1e-12, 1.0 - 1e-12)
    standard_logit = 0.5 * np.log((1.0 - tail) / tail)
    low, high = -8.0, 8.0  # alpha: higher means more deaths, a lower life expectancy
    for _ in range(80):
        middle = (low + high) / 2.0
        if life_expectancy(_brass(middle, beta, standard_logit)) > e0:
            low = middle
        else:
            high = middle
    lx = _brass((low + high) / 2.0, beta, standard_logit)
    lx.setflags(write=False)
    return lx


def survival_ratios(lx: Array) -> tuple[Array, float]:
    """(S by age 0..100+, birth survival) from survivors l(x) at exact ages 0..n.

    S[a] = L(a+1) / L(a) below the open group; the open group 100+ keeps T(101) / T(100);
    births during a year reach the year's end with L(0) / l(0). L(x) = (l(x) + l(x+1)) / 2.
    """
    person_years = (lx[:-1] + lx[1:]) / 2.0
    open_age = AGES - 1
    ratios = np.empty(AGES)
    ratios[:open_age] = person_years[1 : open_age + 1] / np.maximum(person_years[:open_age], 1e-300)
    total_from = person_years[open_age:].sum()
    ratios[open_age] = person_years[open_age + 1 :].sum() / max(total_from, 1e-300)
    return ratios, float(person_years[0] / lx[0])


def survival_for(e0_male: float, e0_female: float, beta: float = 1.0) -> tuple[Array, Array]:
    """(S (2, A), birth survival (2,)) for the given life expectancies of men and women."""
    survival = np.empty((2, AGES))
    births = np.empty(2)
    for index, (sex, e0) in enumerate(zip(SEXES, (e0_male, e0_female), strict=True)):
        survival[index], births[index] = survival_ratios(brass_life_table(round(e0, 3), sex, beta))
    return survival, births
