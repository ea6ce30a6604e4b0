"""What every edit shares: reading a stored record, writing one, and removing one with what goes.

A removal (:class:`Removal`) is worked out first, to show the user what goes with
the row (its allocations, skills, demand weeks... every row that refers to it,
found from the foreign keys by :mod:`pmo_tui.store.cascade`), then written by
:func:`remove_rows`, which refuses if what goes changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmo_tui.errors import UserError
from pmo_tui.store.cascade import delete_with_dependents, dependent_rows
from pmo_tui.store.change_log import log_change
from pmo_tui.store.marks import StaleData
from pmo_tui.store.reads import query_frame
from pmo_tui.store.tables import TABLE_SCHEMAS, stored_value
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.reads import Readable

__all__ = ["Removal", "read_record", "refuse_taken", "removal_of", "remove_rows", "stored_row"]


def read_record(db: Readable, table: str, key: dict[str, Any], *, label: str) -> dict[str, Any]:
    """The row of ``table`` with ``key`` (column -> value), typed as :mod:`pmo_tui.store.tables` says.

    Raises:
        UserError: there is no such row.
    """
    schema = TABLE_SCHEMAS[table]
    where = " AND ".join(f'"{column}" IS ?' for column in key)
    columns = ", ".join(f'"{column}"' for column in schema)
    frame = query_frame(
        db, f"SELECT {columns} FROM [{table}] WHERE {where}", schema, list(key.values())
    )
    if frame.is_empty():
        shown = ", ".join(str(value) for value in key.values())
        raise UserError(f"there is no {label} {shown}", fix=f"check the {label}'s id")
    return frame.row(0, named=True)


def refuse_taken(db: Readable, table: str, record_id: Any, command: str) -> None:
    """Raise when ``table`` already has a row with id ``record_id`` (an add must not overwrite).

    Raises:
        UserError: naming the id and the edit command to change it instead.
    """
    if db.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [record_id]).fetchone():
        raise UserError(
            f"{table} {record_id!r} already exists",
            option="--id",
            fix=f"choose another id, or change it: `pmo-tui {command} {record_id}`",
        )


def stored_row(record: dict[str, Any], table: str) -> dict[str, Any]:
    """``record``'s columns of ``table``, as SQLite stores them."""
    return {c: stored_value(v) for c, v in record.items() if c in TABLE_SCHEMAS[table]}


@dataclass
class Removal:
    """What removing one row takes with it.

    Attributes:
        label: what is removed, for messages (``person ann``).
        table: its table; ``rowid``: its rowid.
        rows: table -> rowids of every row that goes (the row itself first).
    """

    label: str
    table: str
    rowid: int
    rows: dict[str, list[int]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Table -> rows that go with it (the row itself excluded)."""
        return {
            table: len(rowids) - (1 if table == self.table else 0)
            for table, rowids in self.rows.items()
            if len(rowids) - (1 if table == self.table else 0) > 0
        }

    def describe(self) -> str:
        """``person ann, with allocation 52 rows, leave 1 row`` (or ``... with nothing else``)."""
        counts = self.counts()
        if not counts:
            return f"{self.label}, with nothing else"
        return f"{self.label}, with " + ", ".join(
            f"{t} {n} row{'' if n == 1 else 's'}" for t, n in counts.items()
        )


def removal_of(db: Readable, table: str, key: dict[str, Any], *, label: str) -> Removal:
    """What removing the row of ``table`` with ``key`` takes with it (reads only).

    Raises:
        UserError: there is no such row.
    """
    where = " AND ".join(f'"{column}" IS ?' for column in key)
    row = db.execute(f"SELECT rowid FROM [{table}] WHERE {where}", list(key.values())).fetchone()
    if row is None:
        raise UserError(f"there is no {label}", fix="check the id")
    conn: Any = getattr(db, "conn", db)
    return Removal(label, table, int(row[0]), dependent_rows(conn, table, [int(row[0])]))


def remove_rows(
    db: sqlite_utils.Database, removal: Removal, *, command: str, entity: str
) -> Removal:
    """Delete ``removal``'s rows in one write transaction, with a change-log entry.

    Raises:
        StaleData: other rows came to refer to it, or some went, since ``removal`` was shown.
        DatabaseBusy, RoleRefused: see :func:`~pmo_tui.store.transactions.write_transaction`.
    """
    with write_transaction(db, command, needs="planner", reason=removal.label):
        fresh = dependent_rows(db.conn, removal.table, [removal.rowid])
        if fresh != removal.rows:
            raise StaleData(
                f"what goes with {removal.label} changed since it was shown; nothing was removed",
                fix="run the command again to see what goes now",
            )
        delete_with_dependents(db.conn, removal.rows)
        log_change(db, entity, "remove", reason=removal.describe(), after=removal.counts())
    return removal
