"""Row-level history: every row a write transaction inserts, updates or deletes, captured.

A write transaction (:func:`pmo_tui.store.transactions.write_transaction`) opens a
change set; while it is open, temporary triggers on every table of the database
append one ``change_row`` per row changed: the table, the operation, the row's
key (its primary-key values as a JSON array) and the whole row before and after,
as JSON objects. Nothing can forget to record its rows: the triggers see every
write of the connection, whichever service or library issues it.

The triggers are ``TEMP`` triggers, made per connection from the schema as it is
(``PRAGMA table_info``), so a table or column added by a later migration is
captured with no change here. They are remade when the schema changes, and
capture nothing while no change set is open (``temp.pmo_current_change_set`` is
empty). Read-only connections never get them.

The rows of the history itself (``change_set``, ``change_row``, ``change_log``)
and ``schema_migrations`` are not captured. docs/history.md describes the design.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

__all__ = [
    "NOT_CAPTURED",
    "TableShape",
    "captured_tables",
    "install_capture",
    "quote",
    "table_names",
    "table_shape",
]

#: Tables whose own rows are never captured.
NOT_CAPTURED = frozenset({"change_set", "change_row", "change_log", "schema_migrations"})


@dataclass(frozen=True)
class TableShape:
    """A table's columns, in order, and its key columns (``rowid`` when it declares none)."""

    name: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]


def quote(name: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def captured_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables of the main database whose rows are captured, by name."""
    rows = conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows if name not in NOT_CAPTURED]


def table_shape(conn: sqlite3.Connection, table: str) -> TableShape:
    """The columns and key columns of ``table`` (from ``PRAGMA table_info``)."""
    info = conn.execute(f"PRAGMA main.table_info({quote(table)})").fetchall()
    columns = tuple(row[1] for row in info)
    keyed = sorted((row[5], row[1]) for row in info if row[5])
    keys = tuple(name for _, name in keyed) or ("rowid",)
    return TableShape(table, columns, keys)


def install_capture(conn: sqlite3.Connection) -> None:
    """Create the capture triggers on ``conn`` (once per connection and schema version)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS pmo_current_change_set (id INTEGER NOT NULL)")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS pmo_capture_state (schema_version INTEGER)")
    version = conn.execute("PRAGMA main.schema_version").fetchone()[0]
    state = conn.execute("SELECT schema_version FROM temp.pmo_capture_state").fetchone()
    if state is not None and state[0] == version:
        return
    if "change_row" not in table_names(conn):
        return  # an old schema: no history table to capture into (yet)
    old = conn.execute(
        "SELECT name FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE 'pmo_cap_%'"
    ).fetchall()
    for (name,) in old:
        conn.execute(f"DROP TRIGGER temp.{quote(name)}")
    for table in captured_tables(conn):
        for statement in _trigger_sql(table_shape(conn, table)):
            conn.execute(statement)
    was_in_transaction = conn.in_transaction
    conn.execute("DELETE FROM temp.pmo_capture_state")
    conn.execute("INSERT INTO temp.pmo_capture_state VALUES (?)", [version])
    if not was_in_transaction and conn.in_transaction:
        conn.commit()  # the implicit transaction the temp rows opened (legacy sqlite3 mode)


def table_names(conn: sqlite3.Connection) -> set[str]:
    """Every table name of the main database."""
    rows = conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows}


def _json_object(shape: TableShape, row: str) -> str:
    pairs = ", ".join(f"'{column}', {row}.{quote(column)}" for column in shape.columns)
    if shape.keys == ("rowid",):
        pairs += f", 'rowid', {row}.rowid"
    return f"json_object({pairs})"


def _json_key(shape: TableShape, row: str) -> str:
    return "json_array(" + ", ".join(f"{row}.{quote(key)}" for key in shape.keys) + ")"


def _trigger_sql(shape: TableShape) -> list[str]:
    """The three capture triggers (insert, update, delete) of one table."""
    table = quote(shape.name)
    name = shape.name.replace('"', "")
    literal = "'" + shape.name.replace("'", "''") + "'"
    insert_row = (
        "INSERT INTO change_row (change_set_id, tbl, op, row_key, before, after) "
        "SELECT id, {tbl}, '{op}', {key}, {before}, {after} FROM temp.pmo_current_change_set;"
    )
    new, old = _json_object(shape, "NEW"), _json_object(shape, "OLD")
    return [
        f'CREATE TEMP TRIGGER "pmo_cap_{name}_insert" AFTER INSERT ON main.{table} BEGIN '
        + insert_row.format(
            tbl=literal, op="insert", key=_json_key(shape, "NEW"), before="NULL", after=new
        )
        + " END",
        f'CREATE TEMP TRIGGER "pmo_cap_{name}_update" AFTER UPDATE ON main.{table} '
        f"WHEN {old} IS NOT {new} BEGIN "
        + insert_row.format(
            tbl=literal, op="update", key=_json_key(shape, "NEW"), before=old, after=new
        )
        + " END",
        f'CREATE TEMP TRIGGER "pmo_cap_{name}_delete" AFTER DELETE ON main.{table} BEGIN '
        + insert_row.format(
            tbl=literal, op="delete", key=_json_key(shape, "OLD"), before=old, after="NULL"
        )
        + " END",
    ]
