"""Loading a feed: COPY into a staging table, then validation in SQL with a reject report.

Two unlogged staging tables per run:
- recon_raw_<run>: the file as read (row number, the reader's problem if any, one text column
  per column of the file), filled with COPY a block at a time, each block committed with the
  run's progress; dropped once checked;
- recon_rows_<run>: every row checked in one statement: the first reason it is rejected (or
  none), the person its ID number's keyed hash finds and where they are registered now, the
  address, the dates and the row's signal (feeds.py); dropped when the run is written.

The keyed hash is computed in SQL: HMAC-SHA256 written out with PostgreSQL's built-in
sha256() (H((K xor opad) || H((K xor ipad) || m))), so it needs no extension (the embedded
PostgreSQL ships none) and gives exactly residents.idnumber.keyed_hash. ID numbers are
checked as residents.idnumber.parse checks them: 18 characters with a matching check
character and a possible birth date, or a legacy 15-digit number (upgraded to 18 before
hashing); an unknown region is not an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence

from django.conf import settings

from residents.models import RejectReason
from residents.reconciliation import feeds
from residents.reconciliation.feeds import FeedKind, Layout

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
EARLIEST_BIRTH = dt.date(1880, 1, 1)
NUMBER_RE = r"^[+]?[0-9]{1,12}([.][0-9]{1,6})?$"


def raw_table(run_id: int) -> str:
    return f"recon_raw_{int(run_id)}"


def rows_table(run_id: int) -> str:
    return f"recon_rows_{int(run_id)}"


def hmac_pads() -> tuple[bytes, bytes]:
    """The inner and outer HMAC-SHA256 pads of the ID-number key (RFC 2104)."""
    key = settings.ID_NUMBER_HASH_KEY.encode()
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def keyed_hash_sql(expr: str) -> str:
    """SQL for residents.idnumber.keyed_hash of an already normalised number."""
    return (
        "encode(sha256(%(opad)s::bytea || sha256(%(ipad)s::bytea || "
        f"convert_to({expr}, 'UTF8'))), 'hex')"
    )


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --- the raw staging table ---------------------------------------------------------------------


def create_raw(cursor, run_id: int, layout: Layout) -> None:
    table = raw_table(run_id)
    columns = ", ".join(f"{name} text" for name, _header in layout.columns)
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"CREATE UNLOGGED TABLE {table} (row_no bigint NOT NULL, problem text, {columns})"
    )


def copy_block(cursor, run_id: int, block: str) -> None:
    with cursor.copy(f"COPY {raw_table(run_id)} FROM STDIN (FORMAT csv)") as copy:
        copy.write(block)


# --- checking ---------------------------------------------------------------------------------
#
# Expressions are written for speed: a few string functions and boolean regular expressions a
# row (PostgreSQL's regexp_match with capture groups costs tens of microseconds a row), the
# common written forms first, the rare ones (surrounding spaces, other date separators) after.


def _given(value: str) -> str:
    return f"({value} IS NOT NULL AND btrim({value}) <> '')"


def _days_ok(y: str, m: str, d: str) -> str:
    """SQL: whether day `d` exists in month `m` of year `y` (integers, m already 1..12)."""
    leap = f"(mod({y}, 4) = 0 AND (mod({y}, 100) <> 0 OR mod({y}, 400) = 0))"
    last = (
        f"CASE WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
        f"WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    return f"({d} BETWEEN 1 AND {last})"


def _date_from_digits(digits: str, *, month_ok: bool) -> str:
    """SQL: the date in 'YYYYMMDD' (or, where a month will do, 'YYYYMM') digits, or NULL."""
    y, m = f"left({digits}, 4)::int", f"substr({digits}, 5, 2)::int"
    d = f"coalesce(nullif(substr({digits}, 7, 2), '')::int, 1)"
    need_day = "" if month_ok else f"WHEN length({digits}) <> 8 THEN NULL "
    return (
        f"CASE WHEN {digits} IS NULL THEN NULL {need_day}"
        f"WHEN {y} < 1 OR {m} NOT BETWEEN 1 AND 12 THEN NULL "
        f"WHEN NOT {_days_ok(y, m, d)} THEN NULL "
        f"ELSE make_date({y}, {m}, {d}) END"
    )


def _date_sql(value: str, *, month_ok: bool) -> str:
    """SQL: the date written in `value`, or NULL.

    2024-03-05 and (where a month will do) 2024-03 take the short way; 2024/3/5, 2024.03.05,
    2024年3月5日, 20240305, 202403 and a time after the date go the long way round.
    """
    iso = f"{value} ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'"
    compact = _date_from_digits(f"replace({value}, '-', '')", month_ok=False)
    fast = (
        f"WHEN {iso} THEN CASE WHEN substr({value}, 9, 2) <= '28' THEN {value}::date "
        f"ELSE {compact} END "
    )
    if month_ok:  # a month column mostly holds months: try that first
        month = f"WHEN {value} ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])$' THEN ({value} || '-01')::date "
        fast = month + fast
    cleaned = (
        f"rtrim(translate(split_part(split_part(btrim({value}), ' ', 1), 'T', 1), "
        "'/.年月日', '-----'), '-')"
    )
    digits = (
        f"CASE WHEN {cleaned} ~ '^[0-9]{{4}}-[0-9]{{1,2}}(-[0-9]{{1,2}})?$' "
        f"THEN split_part({cleaned}, '-', 1) || lpad(split_part({cleaned}, '-', 2), 2, '0') "
        f"|| coalesce(lpad(nullif(split_part({cleaned}, '-', 3), ''), 2, '0'), '') "
        f"WHEN {cleaned} ~ '^[0-9]{{6}}([0-9]{{2}})?$' THEN {cleaned} END"
    )
    return (
        f"CASE WHEN {value} IS NULL THEN NULL {fast}"
        f"ELSE {_date_from_digits(f'({digits})', month_ok=month_ok)} END"
    )


def _check_char(body: str) -> str:
    """SQL: the GB 11643 check character of a 17-digit body (ISO 7064 MOD 11-2)."""
    terms = " + ".join(f"substr({body}, {i + 1}, 1)::int * {w}" for i, w in enumerate(ID_WEIGHTS))
    return f"substr('10X98765432', mod({terms}, 11) + 1, 1)"


def _id_key(value: str) -> str:
    """SQL: the ID number as the registry hashes it (trimmed, upper case, a 15-digit number
    upgraded to 18), when it has the shape of one; else NULL."""
    v = f"upper(btrim({value}))"
    upgraded = f"(left({v}, 6) || '19' || substr({v}, 7))"
    return (
        f"CASE WHEN {value} IS NULL THEN NULL "
        f"WHEN length({value}) = 18 AND right({value}, 1) <> 'x' THEN {value} "
        f"WHEN {v} ~ '^[0-9]{{17}}[0-9X]$' THEN {v} "
        f"WHEN {v} ~ '^[0-9]{{15}}$' THEN {upgraded} || {_check_char(upgraded)} END"
    )


def _id_valid(key: str) -> str:
    """SQL: whether an ID key is a valid number: digits, check character, a possible birth date."""
    body = f"left({key}, 17)"
    y = f"substr({key}, 7, 4)::int"
    m, d = f"substr({key}, 11, 2)::int", f"substr({key}, 13, 2)::int"
    return (
        f"CASE WHEN {key} IS NULL OR {key} !~ '^[0-9]{{17}}[0-9X]$' THEN false "
        f"WHEN right({key}, 1) <> {_check_char(body)} THEN false "
        f"WHEN {m} NOT BETWEEN 1 AND 12 OR NOT {_days_ok(y, m, d)} THEN false "
        f"ELSE make_date({y}, {m}, {d}) BETWEEN %(earliest_birth)s AND %(run_day)s END"
    )


def _choice_sql(value: str, choices: Mapping[str, str]) -> str:
    exact = " ".join(f"WHEN {_literal(k)} THEN {_literal(v)}" for k, v in choices.items())
    folded = " ".join(f"WHEN {_literal(k.lower())} THEN {_literal(v)}" for k, v in choices.items())
    return f"CASE {value} {exact} ELSE CASE lower(btrim({value})) {folded} END END"


def _number_sql(value: str) -> str:
    pattern = _literal(NUMBER_RE)
    return (
        f"CASE WHEN {value} ~ {pattern} THEN {value}::numeric "
        f"WHEN btrim({value}) ~ {pattern} THEN btrim({value})::numeric END"
    )


def _place_sql(value: str) -> str:
    """SQL: for a division code, whether it lies in the city (NULL when it is not a code)."""
    here = " OR ".join(f"left({value}, {n}) = ANY(%(city_prefixes)s)" for n in (2, 4, 6))
    return f"CASE WHEN btrim({value}) ~ '^[0-9]{{6}}([0-9]{{6}})?$' THEN ({here}) END"


TYPE_REASON = {
    feeds.ID_NUMBER: RejectReason.BAD_ID_NUMBER,
    feeds.DATE: RejectReason.BAD_DATE,
    feeds.MONTH: RejectReason.BAD_DATE,
    feeds.ADDRESS_CODE: RejectReason.UNKNOWN_ADDRESS,
    feeds.DIVISION: RejectReason.BAD_DIVISION,
    feeds.NUMBER: RejectReason.BAD_NUMBER,
    feeds.CHOICE: RejectReason.BAD_CHOICE,
}


def check_sql(kind: FeedKind, layout: Layout, run_id: int) -> str:
    """One statement: CREATE the checked rows table from the raw one.

    Two levels. The inner one (kept apart with OFFSET 0, so each value is worked out once a
    row) reads the raw values: the ID number's key, the dates, the choice, the division code,
    the number, the address code. The outer one matches the ID number by its keyed hash (and
    brings the person's current registration), finds the address, and gives the first reason
    the row is rejected (`reason_info`: reason and field) or none. An ID number found in the
    registry was checked when the person was registered; the check character and birth date
    of the others are checked here. The birth date column is read only for rows without an
    ID number (it is in the number).
    """
    present = layout.fields
    declared = {c.field: c for c in kind.columns}

    def raw(field: str) -> str:
        return f"r.{present[field]}" if field in present else "NULL::text"

    def month_ok(field: str) -> bool:
        column = declared.get(field)
        return column is not None and column.type == feeds.MONTH

    status = declared.get("status")
    no_id = f"NOT {_given('a.x_id_number')}"
    inner = (
        "SELECT r.row_no, r.problem, "
        + ", ".join(f"{raw(f)} AS x_{f}" for f in feeds.FIELDS)
        + f", {_id_key(raw('id_number'))} AS id_key, "
        # The keyed hash is worked out with the raw values (by parallel workers where
        # PostgreSQL plans them), so the join only looks it up.
        + f"{keyed_hash_sql(_id_key(raw('id_number')))} AS id_hash, "
        f"CASE WHEN {raw('id_number')} IS NULL OR btrim({raw('id_number')}) = '' "
        f"THEN {_date_sql(raw('birth_date'), month_ok=False)} END AS birth_date, "
        f"{_date_sql(raw('event_date'), month_ok=month_ok('event_date'))} AS event_date, "
        f"{_date_sql(raw('end_date'), month_ok=month_ok('end_date'))} AS end_date, "
        f"btrim({raw('address')}) AS address_code, "
        f"{_choice_sql(raw('status'), status.choices) if status else 'NULL::text'} AS status, "
        f"{_place_sql(raw('place'))} AS place_here, "
        f"{_number_sql(raw('usage'))} AS usage "
        f"FROM {raw_table(run_id)} r OFFSET 0"
    )

    reasons = ["WHEN a.problem IS NOT NULL THEN ARRAY[a.problem, NULL]"]
    for column in kind.columns:
        f = column.field
        reason = TYPE_REASON.get(column.type)
        if f == "id_number":
            reasons.append(
                f"WHEN p.id IS NULL AND {_given('a.x_id_number')} "
                f"AND NOT {_id_valid('a.id_key')} "
                f"THEN ARRAY['{RejectReason.BAD_ID_NUMBER.value}', 'id_number']"
            )
            continue
        value = {"address": "ad.id", "place": "a.place_here"}.get(f, f"a.{f}")
        if f == "name":
            value = "nullif(btrim(a.x_name), '')"
        if reason is not None:
            guard = f"{no_id} AND " if f == "birth_date" else ""
            reasons.append(
                f"WHEN {value} IS NULL AND {guard}{_given(f'a.x_{f}')} "
                f"THEN ARRAY['{reason.value}', '{f}']"
            )
        if column.mandatory:
            reasons.append(
                f"WHEN {value} IS NULL THEN ARRAY['{RejectReason.MISSING_VALUE.value}', '{f}']"
            )
    if "end_date" in declared:
        reasons.append(
            "WHEN a.end_date < a.event_date "
            f"THEN ARRAY['{RejectReason.BAD_DATE.value}', 'end_date']"
        )
    if kind.level == feeds.PERSON:
        reasons.append(
            f"WHEN {no_id} AND (NOT {_given('a.x_name')} OR a.birth_date IS NULL "
            "OR ad.id IS NULL) "
            f"THEN ARRAY['{RejectReason.NO_IDENTITY.value}', 'id_number']"
        )
    reason_case = "CASE " + " ".join(reasons) + " END"
    return (
        f"CREATE UNLOGGED TABLE {rows_table(run_id)} AS "  # noqa: S608 - our own table names
        f"SELECT a.row_no, {reason_case} AS reason_info, "
        "p.id AS person_id, false AS by_name, rg.address_id AS registered_at, "
        "a.id_key IS NOT NULL OR "
        f"{_given('a.x_id_number')} AS has_id, "
        "left(btrim(a.x_name), 50) AS name, a.birth_date, ad.id AS address_id, "
        f"a.event_date, a.end_date, ({kind.signal}) AS signal, a.usage "
        f"FROM ({inner}) a "
        "LEFT JOIN residents_person p ON p.id_hash = a.id_hash "
        "LEFT JOIN residents_registration rg "
        "ON rg.person_id = p.id AND rg.end_date IS NULL "
        "LEFT JOIN areas_address ad ON ad.id::text = a.address_code"
    )


def check_params(
    kind: FeedKind, *, run_day: dt.date, city_prefixes: Sequence[str]
) -> dict[str, object]:
    ipad, opad = hmac_pads()
    return {
        "ipad": ipad,
        "opad": opad,
        "run_day": run_day,
        "earliest_birth": EARLIEST_BIRTH,
        "city_prefixes": list(city_prefixes),
        **kind.params,
    }


def check(
    cursor,
    *,
    run_id: int,
    kind: FeedKind,
    layout: Layout,
    run_day: dt.date,
    city_prefixes: Sequence[str],
) -> tuple[int, int]:
    """Check every staged row, keep the rejects for the report; return (rows read, rejected).

    Runs inside the caller's transaction; drops the raw table.
    """
    table = rows_table(run_id)
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        check_sql(kind, layout, run_id),
        check_params(kind, run_day=run_day, city_prefixes=city_prefixes),
    )
    columns = {c.field: c for c in kind.columns}
    fields = [f for f in feeds.FIELDS if f in columns]
    # A run loading again (its staging lost in a database crash) replaces its report.
    cursor.execute("DELETE FROM residents_rejectedrow WHERE run_id = %s", [run_id])
    value = (
        "CASE t.reason_info[2] "
        + " ".join(f"WHEN '{f}' THEN r.{layout.fields[f]}" for f in fields if f in layout.fields)
        + " END"
    )
    raw_pairs = ", ".join(f"%s::text, r.{name}" for name, _header in layout.columns)
    cursor.execute(
        'INSERT INTO residents_rejectedrow (run_id, row_no, reason, "column", value, raw) '  # noqa: S608 - our own table names
        "SELECT %s, t.row_no, t.reason_info[1], coalesce(h.header, ''), "
        f"coalesce(left({value}, 200), ''), "
        "CASE WHEN r.problem IS NOT NULL THEN jsonb_build_object('line', r.c1) "
        f"ELSE jsonb_build_object({raw_pairs}) END "
        f"FROM {table} t JOIN {raw_table(run_id)} r ON r.row_no = t.row_no "
        "LEFT JOIN (VALUES " + ", ".join("(%s, %s)" for _f in fields) + ") "
        "AS h (field, header) ON h.field = t.reason_info[2] "
        "WHERE t.reason_info IS NOT NULL",
        [
            run_id,
            *(header for _name, header in layout.columns),
            *(x for f in fields for x in (f, _header_of(layout, f, columns))),
        ],
    )
    rejected = cursor.rowcount
    cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
    (read,) = cursor.fetchone()
    cursor.execute(f"DROP TABLE {raw_table(run_id)}")
    cursor.execute(f"ANALYZE {table}")
    return read, rejected


def _header_of(layout: Layout, field: str, columns: Mapping[str, feeds.Column]) -> str:
    """The name the file gives a field's column, or the documented name when it has none."""
    staged = layout.fields.get(field)
    for name, header in layout.columns:
        if name == staged:
            return header
    return columns[field].header
