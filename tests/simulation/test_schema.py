"""--schema: beside real persons, the simulator runs in a schema of its own and leaves the
registry of real persons (and the connection's schemas) as they were."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from residents.models import Person, SimulatedPerson, SimulationRun
from tests.residents.conftest import make_person

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]

SCHEMA = "sim_schema_test"


def count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {SCHEMA}.{table}")  # noqa: S608 - our own names
        return cursor.fetchone()[0]


def test_with_schema_the_run_lives_in_its_own_schema(resident):
    real = make_person(resident, seq=3)
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        (search_path,) = cursor.fetchone()
    out = io.StringIO()
    try:
        call_command(
            "simulate_city", "--persons", "40", "--days", "2", "--schema", SCHEMA, stdout=out
        )

        assert "day   1" in out.getvalue()
        # The run, its persons and their registrations are in the schema...
        assert count("residents_simulationrun") == 1
        assert count("residents_simulationday") == 2
        assert count("residents_person") == count("residents_simulatedperson") > 0
        assert count("residents_registration") > 0
        # ...and the public registry holds its one real person, untouched.
        assert list(Person.objects.all()) == [real]
        assert not SimulationRun.objects.exists()
        assert not SimulatedPerson.objects.exists()
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0] == search_path
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
