"""The seed tables and fact catalogue as the engine sees them, read from the data migrations."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from points import engine

FACT_TYPES_MODULE = import_module("points.migrations.0002_fact_types")
SEEDS_MODULE = import_module("points.migrations.0003_seed_rule_sets")

FACT_TYPES: dict[str, str] = {row[0]: row[3] for row in FACT_TYPES_MODULE.FACT_TYPES}
SHANGHAI = SEEDS_MODULE.SHANGHAI_2015
ZHONGSHAN = SEEDS_MODULE.ZHONGSHAN_2014

ON = dt.date(2026, 1, 1)


def compiled(spec: dict) -> engine.CompiledRules:
    return engine.compile_rules(spec, FACT_TYPES)


def facts(**raw) -> dict:
    return engine.decode_facts(raw, FACT_TYPES)
