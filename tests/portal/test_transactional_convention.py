"""Every transactional test restores the data it found (docs/testing.md), checked at collection:
a test breaking the convention stops the whole run before anything runs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.conftest import (
    TRANSACTIONAL_RULE,
    pytest_collection_modifyitems,
    transactional_offenders,
)


@dataclass
class Item:
    """What the collection hook reads of a collected test."""

    nodeid: str
    marker: pytest.Mark | None = None
    fixturenames: list[str] = field(default_factory=list)

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return self.marker if name == "django_db" else None


def mark(**kwargs) -> pytest.Mark:
    return pytest.mark.django_db(**kwargs).mark


FOLLOWING = [
    Item("plain_db", mark()),
    Item("no_db"),
    Item("serialized", mark(transaction=True, serialized_rollback=True)),
    Item("fixture", None, ["transactional_db", "django_db_serialized_rollback"]),
    Item("live", None, ["live_server", "django_db_serialized_rollback"]),
]
BREAKING = [
    Item("plain_transaction", mark(transaction=True)),
    Item("sequences", mark(reset_sequences=True)),
    Item("fixture_only", mark(), ["transactional_db"]),
    Item("live_only", None, ["live_server"]),
]


def test_the_check_names_every_transactional_test_without_serialized_rollback():
    assert transactional_offenders(FOLLOWING + BREAKING) == [item.nodeid for item in BREAKING]


def test_a_run_with_a_test_breaking_the_convention_stops_at_collection():
    pytest_collection_modifyitems(None, list(FOLLOWING))  # nothing to say

    with pytest.raises(pytest.UsageError) as refused:
        pytest_collection_modifyitems(None, [*FOLLOWING, BREAKING[0]])

    assert TRANSACTIONAL_RULE in str(refused.value)
    assert "plain_transaction" in str(refused.value)
