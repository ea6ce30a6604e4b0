"""Reading the store into polars frames: the one read idiom of every layer.

Reads accept a sqlite-utils ``Database`` or a plain read-only :mod:`sqlite3`
connection (both have ``execute``), so the CLI, the services and the TUI's
thread workers share them. Dates and weeks are stored as ISO text and come back
as ``pl.Date``; flags are stored as 0/1 and come back as ``pl.Boolean``. Every
function here is a read: no transaction needed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import polars as pl
from polars._typing import PolarsDataType, SchemaDict

from pmo_tui.store.tables import TABLE_SCHEMAS

if TYPE_CHECKING:
    import sqlite_utils

#: Anything the reads accept: a sqlite-utils database or a plain sqlite3 connection.
Readable: TypeAlias = "sqlite_utils.Database | sqlite3.Connection"


def query_frame(
    db: Readable, sql: str, schema: SchemaDict, params: Sequence[Any] = ()
) -> pl.DataFrame:
    """The rows of ``sql`` as a frame with ``schema``.

    Args:
        db: a sqlite-utils ``Database`` or a ``sqlite3.Connection``.
        sql: a SELECT whose columns are, in order, the keys of ``schema``.
        schema: column name -> dtype; ``pl.Date`` columns are read from ISO text (a
            timestamp keeps its date), ``pl.Boolean`` ones from 0/1.
        params: the query parameters.
    """
    rows = db.execute(sql, list(params)).fetchall()
    storage = {name: _storage_dtype(dtype) for name, dtype in schema.items()}
    raw = pl.DataFrame(rows, schema=storage, orient="row")
    return raw.with_columns(
        _to_dtype(name, dtype) for name, dtype in schema.items() if dtype in (pl.Date, pl.Boolean)
    )


def read_table(db: Readable, table: str, columns: list[str] | None = None) -> pl.DataFrame:
    """All rows of ``table`` as a frame typed by :data:`~pmo_tui.store.tables.TABLE_SCHEMAS`
    (only ``columns``, in that order, if given)."""
    schema = TABLE_SCHEMAS[table]
    names = columns or list(schema)
    quoted = ", ".join(f'"{name}"' for name in names)
    return query_frame(db, f"SELECT {quoted} FROM [{table}]", {n: schema[n] for n in names})


def one_row(db: Readable, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    """The first row of ``sql`` as a dict (column name -> value), or None."""
    cursor = db.execute(sql, list(params))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def _storage_dtype(dtype: PolarsDataType) -> PolarsDataType:
    """How SQLite hands a column back: dates as text, flags as integers."""
    if dtype == pl.Date:
        return pl.String
    if dtype == pl.Boolean:
        return pl.Int64
    return dtype


def _to_dtype(name: str, dtype: PolarsDataType) -> pl.Expr:
    if dtype == pl.Date:
        return pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    return pl.col(name).cast(pl.Boolean)
