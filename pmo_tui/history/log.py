"""What changed, by whom and when: change sets and the rows each one wrote.

A change set is one write transaction (:mod:`pmo_tui.store.transactions`): who
(the OS account), when (UTC), the command, a reason, and every row it inserted,
updated or deleted, with the row before and after (:mod:`pmo_tui.store.capture`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from pmo_tui.errors import UserError, did_you_mean
from pmo_tui.store.capture import captured_tables
from pmo_tui.store.reads import one_row, query_frame

if TYPE_CHECKING:
    from pmo_tui.store.reads import Readable

__all__ = [
    "CHANGE_SET_SCHEMA",
    "ROW_SCHEMA",
    "EntityFilter",
    "change_set_rows",
    "get_change_set",
    "list_change_sets",
    "parse_entity",
]

#: Columns of :func:`list_change_sets`.
CHANGE_SET_SCHEMA = {
    "change_set": pl.Int64,
    "at": pl.String,
    "who": pl.String,
    "command": pl.String,
    "reason": pl.String,
    "rows": pl.Int64,
    "tables": pl.String,
    "undoes": pl.Int64,
    "undone_by": pl.Int64,
}

#: Columns of :func:`change_set_rows`.
ROW_SCHEMA = {
    "change_set": pl.Int64,
    "table": pl.String,
    "op": pl.String,
    "key": pl.String,
    "column": pl.String,
    "before": pl.String,
    "after": pl.String,
}


@dataclass(frozen=True)
class EntityFilter:
    """``KIND[:ID]``: a table (``person``, ``allocation``...) and optionally a row key."""

    table: str
    key: str | None = None


def parse_entity(text: str) -> EntityFilter:
    """``person`` or ``person:ann`` -> :class:`EntityFilter` (the key as given, e.g. ``ann``).

    Raises:
        UserError: the text is empty.
    """
    table, _, key = text.partition(":")
    if not table.strip():
        raise UserError(
            f"{text!r} names no entity",
            option="--entity",
            fix="write KIND or KIND:ID, e.g. person:ann",
        )
    return EntityFilter(table.strip(), key.strip() or None)


def list_change_sets(
    db: Readable,
    *,
    entity: EntityFilter | None = None,
    user: str | None = None,
    since: dt.date | None = None,
    limit: int | None = None,
    every_table: bool = False,
) -> pl.DataFrame:
    """The change sets, newest first, as a frame of :data:`CHANGE_SET_SCHEMA`.

    Args:
        entity: only change sets that wrote rows of this table (and this key, the row's
            first key column, e.g. ``person:ann``, ``allocation:17``).
        user: only those of this OS account.
        since: only those on or after this date (UTC).
        limit: at most this many.
        every_table: name every table written (an export), not the first four and how
            many more (a listing).

    Columns: ``change_set`` (id), ``at`` (ISO UTC), ``who``, ``command``, ``reason``,
    ``rows`` (rows written), ``tables`` (the tables written, comma-separated),
    ``undoes`` (the change set it undid), ``undone_by`` (the change set that undid it).

    Raises:
        UserError: ``entity`` names a table the database does not have (with "did you
            mean" when one is close).
    """
    if entity is not None:
        _check_kind(db, entity.table)
    where, params = _filters(entity, user, since)
    sql = (
        "SELECT s.id, s.at, s.who, s.command, s.reason, s.rows, "
        "(SELECT group_concat(tbl, ', ') FROM (SELECT DISTINCT tbl FROM change_row r "
        " WHERE r.change_set_id = s.id ORDER BY tbl)), s.undoes, "
        "(SELECT max(u.id) FROM change_set u WHERE u.undoes = s.id) "
        f"FROM change_set s {where} ORDER BY s.id DESC"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    frame = query_frame(db, sql, CHANGE_SET_SCHEMA, params)
    if every_table:
        return frame
    return frame.with_columns(pl.col("tables").map_elements(_few, return_dtype=pl.String))


def _check_kind(db: Readable, table: str) -> None:
    """Refuse an entity kind that is no table of the database (a typo would list nothing)."""
    conn: Any = getattr(db, "conn", db)  # a sqlite_utils Database or a sqlite3 connection
    kinds = captured_tables(conn)
    if table in kinds:
        return
    hint = did_you_mean(table, kinds)
    raise UserError(
        f"there is no entity kind {table!r}",
        option="--entity",
        fix=hint + ("Else one of" if hint else "one of") + " the tables: " + ", ".join(kinds),
    )


def _few(tables: str) -> str:
    """At most four table names, then how many more."""
    names = tables.split(", ")
    return tables if len(names) <= 4 else ", ".join(names[:4]) + f" +{len(names) - 4} more"


def _filters(
    entity: EntityFilter | None, user: str | None, since: dt.date | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if entity is not None:
        match = "EXISTS (SELECT 1 FROM change_row r WHERE r.change_set_id = s.id AND r.tbl = ?"
        params.append(entity.table)
        if entity.key is not None:
            match += " AND json_extract(r.row_key, '$[0]') = ?"
            params.append(_key_value(entity.key))
        clauses.append(match + ")")
    if user is not None:
        clauses.append("s.who = ?")
        params.append(user)
    if since is not None:
        clauses.append("s.at >= ?")
        params.append(since.isoformat())
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _key_value(text: str) -> Any:
    """A key typed on the command line: a whole number is an integer id."""
    return int(text) if text.isdigit() else text


def get_change_set(db: Readable, change_set_id: int) -> dict[str, Any]:
    """The ``change_set`` row of ``change_set_id`` as a dict.

    Raises:
        UserError: there is no such change set.
    """
    row = one_row(db, "SELECT * FROM change_set WHERE id = ?", [change_set_id])
    if row is None:
        newest = one_row(db, "SELECT max(id) AS id FROM change_set")
        raise UserError(
            f"there is no change set {change_set_id}",
            fix=f"`pmo-tui log` lists them (the newest is {newest['id'] if newest else 'none'})",
        )
    return row


def change_set_rows(db: Readable, change_set_id: int) -> pl.DataFrame:
    """Every row change of one change set, one line per changed column (:data:`ROW_SCHEMA`).

    An insert lists every column (before null), a delete every column (after null),
    an update only the columns whose value changed. Values are shown as JSON text.

    Raises:
        UserError: there is no such change set.
    """
    get_change_set(db, change_set_id)
    lines: list[dict[str, Any]] = []
    for table, op, key, before, after in db.execute(
        "SELECT tbl, op, row_key, before, after FROM change_row WHERE change_set_id = ? ORDER BY id",
        [change_set_id],
    ):
        old, new = json.loads(before or "{}"), json.loads(after or "{}")
        for column in dict.fromkeys([*old, *new]):
            if op == "update" and old.get(column) == new.get(column):
                continue
            lines.append(
                {
                    "change_set": change_set_id,
                    "table": table,
                    "op": op,
                    "key": _show_key(key),
                    "column": column,
                    "before": None if op == "insert" else _show(old.get(column)),
                    "after": None if op == "delete" else _show(new.get(column)),
                }
            )
    return pl.DataFrame(lines, schema=ROW_SCHEMA)


def _show_key(key: str) -> str:
    values = json.loads(key)
    return ", ".join(str(value) for value in values)


def _show(value: Any) -> str | None:
    return None if value is None else str(value)
