"""Hand-written SQL shared by the bulk writers (scoring, challenges, worlds)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import In, Lookup
from django.db.models.sql.compiler import SQLCompiler

# Rows per statement: far below SQLite's and PostgreSQL's parameter limits for a few columns.
ROWS_PER_STATEMENT = 500


def rows_update(
    model: type[models.Model],
    *,
    key: str,
    fields: Sequence[str],
    sql_type: str,
    rows: Sequence[Sequence[Any]],
) -> None:
    """Set ``fields`` of the rows whose ``key`` column matches: each row is the key value, then
    the fields' values in order, every field cast to ``sql_type``.

    One ``UPDATE ... FROM (VALUES ...)`` per ``ROWS_PER_STATEMENT`` rows (PostgreSQL and SQLite
    alike, whose VALUES columns are both named column1, column2, ...): Django's ``bulk_update``
    builds a CASE expression per row and field, which cost most of a scoring chunk or a world tick.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    assignments = ", ".join(
        f"{quote(field)} = CAST(v.column{i + 2} AS {sql_type})" for i, field in enumerate(fields)
    )
    placeholders = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "
                f"FROM (VALUES {', '.join([placeholders] * len(chunk))}) AS v "
                f"WHERE {table}.{quote(key)} = v.column1",
                [value for row in chunk for value in row],
            )


if TYPE_CHECKING:
    _ValuesLookup = Lookup[Iterable[object]]
else:  # Django's Lookup is generic only in its stubs
    _ValuesLookup = Lookup


class AnyOf(_ValuesLookup):
    """``field__any_of=ids``: ``IN`` for a long list, as ``field = ANY(%s)`` with one array
    parameter on PostgreSQL. Django writes ``IN (%s, %s, ...)`` with a placeholder per value, and
    psycopg's client-side binding then spends ~3 ms of a 500-id query parsing and quoting them
    (~1 ms as one array). Elsewhere it is Django's ``IN``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        if connection.vendor != "postgresql" or hasattr(self.rhs, "resolve_expression"):
            # Elsewhere, or for a subquery (which IN runs on the server anyway): Django's IN.
            sql, params = In(self.lhs, self.rhs).as_sql(compiler, connection)
            return sql, list(params)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prep = self.lhs.output_field.get_db_prep_value
        return f"{lhs} = ANY(%s)", [*lhs_params, [prep(v, connection) for v in values]]


# Related fields look lookups up from ForeignObject down only, so they get it registered too.
models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)


def server_bound_cursor() -> psycopg.Cursor[Any]:
    """A cursor on Django's PostgreSQL connection that binds parameters on the server, so packed
    batches go over the wire as they are (``%b``). Django's own cursors bind on the client, which
    escapes a 3,600-sample batch into half a megabyte of hex text first (~15 ms)."""
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    return psycopg.Cursor(raw)
