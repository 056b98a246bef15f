"""Parameters files: defaults, overrides, and every impossible value named at once."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from portal.errors import InvalidInput
from residents.simulation import params


def test_a_toml_file_overrides_the_defaults(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("visit_miss_rate = 0.3\nofficers_per_grid = 2\n", encoding="utf-8")
    loaded = params.load(path)
    assert loaded.visit_miss_rate == 0.3
    assert loaded.officers_per_grid == 2
    assert loaded.landlord_delay_days == params.Params().landlord_delay_days


def test_every_impossible_value_is_named_at_once(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            {
                "visit_miss_rate": 1.5,
                "officers_per_grid": -1,
                "telecom_every_days": 0,
                "landlord_delay_days": 2.5,
                "colour": "blue",
                "self_declare_share": "half",
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as refused:
        params.load(path)
    assert set(refused.value.fields) == {
        "visit_miss_rate",
        "officers_per_grid",
        "telecom_every_days",
        "landlord_delay_days",
        "colour",
        "self_declare_share",
    }


def test_the_command_refuses_a_bad_file_naming_the_field(tmp_path, db):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"insurance_coverage": -0.1}), encoding="utf-8")
    with pytest.raises(CommandError, match="insurance_coverage"):
        call_command("simulate_city", "--persons", "10", "--days", "1", "--params", str(path))


def test_an_unreadable_file_is_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        params.load(path)
    assert "params" in refused.value.fields
