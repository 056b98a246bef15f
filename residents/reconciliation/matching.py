"""Matching a checked feed to the registry, and the discrepancy rules, in set-based SQL.

Rows with an ID number were matched by its keyed hash when they were checked (loader.py),
with the person's current registration. Matching here (one statement, committed as the
run's `matched` checkpoint) takes the rows without one: a row is matched by name and birth
date among the persons registered at the row's address, when exactly one fits.

The rules (docs/domain.md "Reconciliation feeds"; the write phase, one transaction with the
tasks):
- probably departed: a person registered here whom the feed shows gone (insurance stopped,
  or started in another city; hukou moved away), and every person registered at an address
  where utilities show no use;
- unregistered resident: someone the feed shows living at an address (a long hotel stay, a
  hukou move in) who is registered nowhere and holds no permit, whether or not the registry
  knows them, and an address with steady utility use where nobody is registered;
- address mismatch: a registered person the feed shows living at another address (raised
  at the address where they seem to live, so the visit there can record the move);
- permit expiring: a registered person the feed does not show gone whose valid permit runs
  out within 30 days of the run's day (raised at their registered address);
- permit holder no longer registered: a person with a valid permit and no current
  registration (raised where the feed places them, else at the permit's address).

Each (kind, address, person) is one discrepancy per run and one open verification task for
the grid officers of the address (kind `verify_discrepancy`, source `reconciliation`, the
discrepancy kind as its reference): the task insert skips what is already open (the field
tasks' partial unique constraint), so a rerun, or another feed finding the same, never adds
a second task. A visit that closes the task settles the discrepancy.
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils.translation import gettext

from residents.models import DiscrepancyKind, TaskKind
from residents.reconciliation import feeds
from residents.reconciliation.feeds import FeedKind
from residents.reconciliation.loader import rows_table

TASK_SOURCE = "reconciliation"
EXPIRY_WINDOW_DAYS = 30
DUE_DAYS = {
    DiscrepancyKind.PROBABLY_DEPARTED: 14,
    DiscrepancyKind.UNREGISTERED_RESIDENT: 7,
    DiscrepancyKind.ADDRESS_MISMATCH: 14,
    DiscrepancyKind.PERMIT_EXPIRING: 7,
    DiscrepancyKind.PERMIT_UNREGISTERED: 14,
}
FOUND = "recon_found"
ANALYZE_AFTER = 1_000
# The advisory-lock namespace of the insurance months' writers ("IM").
INSURANCE_MONTHS_LOCK = 0x494D


def match(cursor, *, run_id: int) -> tuple[int, int]:
    """Match the rows without an ID number by name, birth date and address; return (rows
    matched to a person, of which by name). Rows with an ID number were matched when checked.
    """
    rows = rows_table(run_id)
    cursor.execute("SET LOCAL jit = off")
    cursor.execute(
        f"""
        UPDATE {rows} t
        SET person_id = n.person_id, registered_at = n.address_id, by_name = true
        FROM (
            SELECT u.row_no, min(r.person_id) AS person_id, min(r.address_id) AS address_id
            FROM {rows} u
            JOIN residents_person q ON q.name = u.name AND q.birth_date = u.birth_date
            JOIN residents_registration r
              ON r.person_id = q.id AND r.address_id = u.address_id AND r.end_date IS NULL
            WHERE u.reason_info IS NULL AND NOT u.has_id
            GROUP BY u.row_no
            HAVING count(*) = 1
        ) n
        WHERE t.row_no = n.row_no
        """  # noqa: S608 - our own table names
    )
    cursor.execute(
        "SELECT count(person_id), count(*) FILTER (WHERE by_name) "  # noqa: S608 - our own table names
        f"FROM {rows} WHERE reason_info IS NULL"
    )
    matched, by_name = cursor.fetchone()
    return matched, by_name


def _person_rules() -> str:
    valid = "m.reason_info IS NULL"
    permit = "JOIN residents_permit pm ON pm.person_id = m.person_id AND pm.status = 'valid'"
    return f"""
        SELECT '{DiscrepancyKind.PROBABLY_DEPARTED.value}' AS kind, m.registered_at AS address_id,
               m.person_id, NULL::bigint AS registered_address_id, m.row_no, m.name,
               1 AS weight
        FROM {{rows}} m
        WHERE {valid} AND m.signal = 'gone' AND m.registered_at IS NOT NULL
        UNION ALL
        SELECT '{DiscrepancyKind.UNREGISTERED_RESIDENT.value}', m.address_id, m.person_id,
               NULL, m.row_no, m.name, 1
        FROM {{rows}} m
        WHERE {valid} AND m.signal = 'here' AND m.address_id IS NOT NULL
          AND m.registered_at IS NULL
          AND NOT EXISTS (
              SELECT 1 FROM residents_permit pm
              WHERE pm.person_id = m.person_id AND pm.status = 'valid'
          )
        UNION ALL
        SELECT '{DiscrepancyKind.ADDRESS_MISMATCH.value}', m.address_id, m.person_id,
               m.registered_at, m.row_no, m.name, 1
        FROM {{rows}} m
        WHERE {valid} AND m.signal = 'here' AND m.address_id <> m.registered_at
        UNION ALL
        SELECT '{DiscrepancyKind.PERMIT_EXPIRING.value}', m.registered_at, m.person_id,
               NULL, m.row_no, m.name, 1
        FROM {{rows}} m {permit}
        WHERE {valid} AND pm.valid_until BETWEEN %(run_day)s AND %(expiry_until)s
          AND m.registered_at IS NOT NULL AND m.signal IS DISTINCT FROM 'gone'
        UNION ALL
        SELECT '{DiscrepancyKind.PERMIT_UNREGISTERED.value}',
               coalesce(m.address_id, pm.address_id), m.person_id, NULL, m.row_no, m.name, 1
        FROM {{rows}} m {permit}
        WHERE {valid} AND m.registered_at IS NULL
    """  # noqa: S608 - our own table names


def _address_rules() -> str:
    return f"""
        SELECT '{DiscrepancyKind.PROBABLY_DEPARTED.value}' AS kind, u.address_id,
               r.person_id, NULL::bigint AS registered_address_id, u.row_no, NULL::text AS name,
               u.rows AS weight
        FROM {{usage}} u
        JOIN residents_registration r ON r.address_id = u.address_id AND r.end_date IS NULL
        WHERE u.per_period <= %(vacant_max)s
        UNION ALL
        SELECT '{DiscrepancyKind.UNREGISTERED_RESIDENT.value}', u.address_id, NULL, NULL,
               u.row_no, NULL, u.rows
        FROM {{usage}} u
        WHERE u.per_period >= %(occupied_min)s
          AND NOT EXISTS (
              SELECT 1 FROM residents_registration r
              WHERE r.address_id = u.address_id AND r.end_date IS NULL
          )
    """  # noqa: S608 - our own table names


def find(cursor, *, run_id: int, kind: FeedKind, run_day: dt.date) -> dict[str, int]:
    """Collect the run's discrepancies into a temporary table (dropped at commit); count by kind."""
    table = rows_table(run_id)
    rules = _person_rules().format(rows=table)
    if kind.level == feeds.ADDRESS:
        usage = (
            "(SELECT address_id, sum(usage) / count(DISTINCT event_date) AS per_period, "  # noqa: S608 - our own table names
            f"min(row_no) AS row_no, count(*) AS rows FROM {table} WHERE reason_info IS NULL "
            "GROUP BY address_id)"
        )
        rules += " UNION ALL " + _address_rules().format(usage=usage)
    cursor.execute(f"DROP TABLE IF EXISTS {FOUND}")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {FOUND} ON COMMIT DROP AS
        SELECT f.kind, f.address_id, f.person_id,
               min(f.registered_address_id) AS registered_address_id,
               min(f.row_no) AS row_no, sum(f.weight) AS rows,
               (array_agg(f.name ORDER BY f.row_no) FILTER (WHERE f.name IS NOT NULL))[1]
                   AS observed_name
        FROM ({rules}) f
        WHERE f.address_id IS NOT NULL
        GROUP BY f.kind, f.address_id, f.person_id
        """,  # noqa: S608 - our own table names
        {
            "run_day": run_day,
            "expiry_until": run_day + dt.timedelta(days=EXPIRY_WINDOW_DAYS),
            "vacant_max": kind.params.get("vacant_max", 0),
            "occupied_min": kind.params.get("occupied_min", 0),
        },
    )
    cursor.execute(f"ANALYZE {FOUND}")
    cursor.execute(f"SELECT kind, count(*) FROM {FOUND} GROUP BY kind ORDER BY kind")  # noqa: S608 - our own table names
    return dict(cursor.fetchall())


def task_notes(*, feed_label: str, day: dt.date) -> dict[str, str]:
    """What the grid officer reads on the task, for each kind of discrepancy."""
    source = {"feed": feed_label, "date": day.isoformat()}
    return {
        DiscrepancyKind.PROBABLY_DEPARTED: gettext(
            "%(feed)s of %(date)s show this person has probably left. Please visit to check, "
            "and record the departure if they have gone."
        )
        % source,
        DiscrepancyKind.UNREGISTERED_RESIDENT: gettext(
            "%(feed)s of %(date)s show someone living at this address who is not registered. "
            "Please visit and register the residents."
        )
        % source,
        DiscrepancyKind.ADDRESS_MISMATCH: gettext(
            "%(feed)s of %(date)s show this person living here, but they are registered at "
            "another address. Please visit to check, and record the move if they live here."
        )
        % source,
        DiscrepancyKind.PERMIT_EXPIRING: gettext(
            "This person's residence permit runs out within 30 days. Please remind them to "
            "have it endorsed."
        ),
        DiscrepancyKind.PERMIT_UNREGISTERED: gettext(
            "%(feed)s of %(date)s show this person, who holds a valid residence permit but is "
            "no longer registered. Please visit to check where they live."
        )
        % source,
    }


def write(
    cursor, *, run_id: int, run_day: dt.date, notes: dict[str, str], now: dt.datetime, found: int
) -> int:
    """Raise the verification tasks not yet open, then record the `found` discrepancies with
    their task. Returns the number of new tasks. Runs inside the write phase's transaction.
    """
    raised = raise_tasks(cursor, run_day=run_day, notes=notes, now=now)
    if raised >= ANALYZE_AFTER:
        # Thousands of new tasks change the table's size: tell the planner before the join.
        cursor.execute("ANALYZE residents_fieldtask")
    recorded = record_discrepancies(cursor, run_id=run_id)
    if recorded != found:
        raise RuntimeError(f"{found - recorded} discrepancies found no verification task")
    cursor.execute(f"DROP TABLE {rows_table(run_id)}")
    return raised


def raise_tasks(cursor, *, run_day: dt.date, notes: dict[str, str], now: dt.datetime) -> int:
    cursor.execute(
        f"""
        WITH raised AS (
            INSERT INTO residents_fieldtask (
                kind, status, address_id, person_id, due_date, source, source_ref, note,
                created_at
            )
            SELECT %(task_kind)s, 'open', f.address_id, f.person_id,
                   %(run_day)s + (%(due)s::jsonb ->> f.kind)::int,
                   %(source)s, f.kind, %(notes)s::jsonb ->> f.kind, %(now)s
            FROM {FOUND} f
            ORDER BY f.address_id, f.kind, f.person_id
            ON CONFLICT DO NOTHING
            RETURNING 1
        )
        SELECT count(*) FROM raised
        """,  # noqa: S608 - our own table names
        {
            "task_kind": TaskKind.VERIFY_DISCREPANCY.value,
            "run_day": run_day,
            "due": json.dumps({str(k): v for k, v in DUE_DAYS.items()}),
            "source": TASK_SOURCE,
            "notes": json.dumps({str(k): v for k, v in notes.items()}, ensure_ascii=False),
            "now": now,
        },
    )
    (raised,) = cursor.fetchone()
    return raised


def record_discrepancies(cursor, *, run_id: int) -> int:
    """Record each discrepancy with its task: the open one, or, where a visit has closed it
    since the tasks were raised (another transaction, a moment ago), the one that visit
    closed."""
    cursor.execute(
        f"""
        INSERT INTO residents_discrepancy (
            run_id, kind, address_id, person_id, registered_address_id, row_no, rows,
            observed_name, task_id
        )
        SELECT DISTINCT ON (f.kind, f.address_id, f.person_id)
               %(run_id)s, f.kind, f.address_id, f.person_id, f.registered_address_id,
               f.row_no, f.rows, coalesce(f.observed_name, ''), t.id
        FROM {FOUND} f
        JOIN residents_fieldtask t
          ON t.address_id = f.address_id AND t.source_ref = f.kind
         AND coalesce(t.person_id, 0) = coalesce(f.person_id, 0)
        WHERE t.kind = %(task_kind)s
        ORDER BY f.kind, f.address_id, f.person_id, t.status = 'open' DESC, t.id DESC
        """,  # noqa: S608 - our own table names
        {"run_id": run_id, "task_kind": TaskKind.VERIFY_DISCREPANCY.value},
    )
    return cursor.rowcount


def record_insurance_months(cursor, *, run_id: int) -> int:
    """Keep the months a social-insurance feed states for each matched person (InsuranceMonth):
    a month is paid when a row shows it paid in this city. A month a later feed states again
    takes that feed's statement. Runs inside the write phase's transaction, before the staging
    table is dropped. Returns the months written.

    The months already kept are updated and the others inserted, two plain statements over the
    run's months grouped once (an INSERT ... ON CONFLICT costs a speculative insertion per row,
    about 1.7 times a plain INSERT here). The write phases of two social-insurance runs would
    otherwise race to insert the same month: the transaction takes INSURANCE_MONTHS_LOCK first,
    so they keep their months one after the other."""
    months = f"recon_months_{run_id}"
    cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [INSURANCE_MONTHS_LOCK])
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {months} ON COMMIT DROP AS
        SELECT m.person_id, date_trunc('month', m.event_date)::date AS month,
               bool_or(m.signal = 'here') AS paid
        FROM {rows_table(run_id)} m
        WHERE m.reason_info IS NULL AND m.person_id IS NOT NULL AND m.event_date IS NOT NULL
        GROUP BY m.person_id, date_trunc('month', m.event_date)
        """  # noqa: S608 - our own table names
    )
    cursor.execute(f"ANALYZE {months}")
    cursor.execute(
        f"""
        UPDATE residents_insurancemonth i
        SET paid = n.paid, run_id = %(run_id)s
        FROM {months} n
        WHERE i.person_id = n.person_id AND i.month = n.month
        """,  # noqa: S608 - our own table names
        {"run_id": run_id},
    )
    updated = cursor.rowcount
    cursor.execute(
        f"""
        INSERT INTO residents_insurancemonth (person_id, month, paid, run_id)
        SELECT n.person_id, n.month, n.paid, %(run_id)s
        FROM {months} n
        WHERE NOT EXISTS (
            SELECT 1 FROM residents_insurancemonth i
            WHERE i.person_id = n.person_id AND i.month = n.month
        )
        ORDER BY n.person_id, n.month
        """,  # noqa: S608 - our own table names
        {"run_id": run_id},
    )
    return updated + cursor.rowcount
