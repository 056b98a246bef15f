"""Writing new values into many rows of one table with one UPDATE.

`update_rows` joins the table to the new values sent as one array per column (`unnest`), so
its cost grows with the number of rows. Django's `bulk_update` writes a `CASE WHEN pk = ...`
per column instead, which the database evaluates for every row it updates: with a day's
batch of a thousand rows, a million comparisons per column.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def update_rows(objs: Sequence[Model], fields: Sequence[str]) -> int:
    """Write the current values of `fields` of `objs` (rows of one model) in one UPDATE;
    return the number of rows written. Called inside the caller's transaction."""
    if not objs:
        return 0
    meta = type(objs[0])._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    arrays = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for obj in objs]
        for column in columns
    ]
    names = [quote(column.column) for column in columns]
    unnest = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
    sets = ", ".join(f"{name} = v.{name}" for name in names[1:])
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {sets} "  # noqa: S608
        f"FROM unnest({unnest}) AS v({', '.join(names)}) "
        f"WHERE t.{names[0]} = v.{names[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return cursor.rowcount
