"""The measure: how close the registry is to the simulated truth, per day.

`compare` is pure (`compare_in_database` is the same in one query, as a run measures): for every person the truth knows so far, the registry is right when it
holds them at the address they live at, or holds no current registration for a person who
does not live in the city. Wrong is one of: a missed arrival (lives here, registered
nowhere), a stale resident (gone, still registered) or a wrong address.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.db import connection

from residents.simulation.truth import GONE

COLUMNS = (
    "day",
    "date",
    "accuracy",
    "missed_arrivals",
    "stale_residents",
    "wrong_addresses",
    "departures_without_evidence",
    "median_days_to_correct",
    "tasks_per_officer_week",
    "false_positive_share",
    "open_tasks",
)


@dataclass(frozen=True)
class Comparison:
    persons: int
    correct: int
    missed_arrivals: int
    stale_residents: int
    wrong_addresses: int
    wrong: frozenset[int]

    @property
    def accuracy(self) -> float:
        return self.correct / self.persons if self.persons else 1.0


def compare(truth: list[int], registry: dict[int, int]) -> Comparison:
    """Compare the truth (person -> address or GONE) with the registry (person -> address of
    the current registration; persons without one are absent)."""
    missed = stale = wrong_address = 0
    wrong: set[int] = set()
    for person, actual in enumerate(truth):
        held = registry.get(person, GONE)
        if held == actual:
            continue
        wrong.add(person)
        if held == GONE:
            missed += 1
        elif actual == GONE:
            stale += 1
        else:
            wrong_address += 1
    persons = len(truth)
    return Comparison(
        persons=persons,
        correct=persons - len(wrong),
        missed_arrivals=missed,
        stale_residents=stale,
        wrong_addresses=wrong_address,
        wrong=frozenset(wrong),
    )


class Corrections:
    """Days from a change in the truth to the day the registry shows it (cumulative median)."""

    def __init__(self) -> None:
        self.pending: dict[int, int] = {}  # person -> day of their latest change
        self.days: list[int] = []

    def changed(self, person: int, day: int) -> None:
        self.pending[person] = day

    def settle(self, wrong: frozenset[int], day: int) -> None:
        for person in [p for p in self.pending if p not in wrong]:
            self.days.append(day - self.pending.pop(person))

    @property
    def median(self) -> float | None:
        return float(statistics.median(self.days)) if self.days else None


def format_row(row: dict) -> str:
    median = row["median_days_to_correct"]
    share = row["false_positive_share"]
    return (
        f"day {row['day']:>3} {row['date']}  accuracy {row['accuracy']:.4f}  "
        f"missed {row['missed_arrivals']}  stale {row['stale_residents']}  "
        f"wrong address {row['wrong_addresses']}  "
        f"departures without evidence {row['departures_without_evidence']}  "
        f"median days to correct {'-' if median is None else f'{median:.1f}'}  "
        f"tasks/officer/week {row['tasks_per_officer_week']:.1f}  "
        f"false positives {'-' if share is None else f'{share:.2%}'}  "
        f"open tasks {row['open_tasks']}"
    )


def compare_in_database(person_ids: list[int | None], address_ids: list[int | None]) -> Comparison:
    """`compare` in one query: person i of the truth is `person_ids[i]` in the registry (None
    while the registry has never seen them) and lives at the address `address_ids[i]` (None:
    not in the city); the registry is every current registration of those persons."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.i - 1, r.address_id IS NULL, t.address_id IS NULL
            FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS t(person_id, address_id, i)
            LEFT JOIN residents_registration r
              ON r.person_id = t.person_id AND r.end_date IS NULL
            WHERE r.address_id IS DISTINCT FROM t.address_id
            """,
            [person_ids, address_ids],
        )
        rows = cursor.fetchall()
    missed = sum(1 for _i, unregistered, _gone in rows if unregistered)
    stale = sum(1 for _i, unregistered, gone in rows if gone and not unregistered)
    persons = len(person_ids)
    return Comparison(
        persons=persons,
        correct=persons - len(rows),
        missed_arrivals=missed,
        stale_residents=stale,
        wrong_addresses=len(rows) - missed - stale,
        wrong=frozenset(i for i, _unregistered, _gone in rows),
    )
