"""Marks of the data a computation read, to refuse writing its result once the data moved on.

A plan, a scenario and an undo are computed from rows read at one moment and
written later, possibly after somebody else wrote. Before it is written, each
checks inside its write transaction that **every** table it was computed from is
unchanged (:func:`refuse_if_changed`), and else tells the user which tables
changed and in which change sets, by whom.

A :class:`DataMark` holds a SHA-256 of each table's rows (in rowid order) and
the last change-set id, taken in one read snapshot (:func:`read_snapshot`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pmo_tui.errors import UserError
from pmo_tui.store.capture import quote

if TYPE_CHECKING:
    from pmo_tui.store.reads import Readable

__all__ = ["DataMark", "StaleData", "mark_tables", "read_snapshot", "refuse_if_changed"]


class StaleData(UserError):
    """The data a result was computed from changed before it could be written."""


@dataclass(frozen=True)
class DataMark:
    """Table -> SHA-256 of its rows, and the last change set then (0 for none)."""

    tables: dict[str, str]
    last_change_set: int


@contextmanager
def read_snapshot(db: Readable) -> Iterator[None]:
    """Read in one snapshot: every read inside sees the same committed state (WAL).

    Inside a transaction already open on ``db``, reads see that transaction.
    """
    conn: Any = getattr(db, "conn", db)
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def table_hash(db: Readable, table: str) -> str:
    """SHA-256 of the rows of ``table`` in rowid order (empty table: the hash of nothing)."""
    digest = hashlib.sha256()
    cursor = db.execute(f"SELECT * FROM {quote(table)} ORDER BY rowid")
    while rows := cursor.fetchmany(5000):
        digest.update(repr(rows).encode())
    return digest.hexdigest()


def last_change_set(db: Readable) -> int:
    """The id of the newest change set (0 when there is none or no history table)."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'change_set'"
    ).fetchone()
    if exists is None:  # a database older than change sets
        return 0
    row = db.execute("SELECT max(id) FROM change_set").fetchone()
    return int(row[0] or 0)


def mark_tables(db: Readable, tables: Iterable[str]) -> DataMark:
    """The mark of ``tables`` now, read in one snapshot."""
    with read_snapshot(db):
        hashes = {table: table_hash(db, table) for table in tables}
        return DataMark(hashes, last_change_set(db))


def changed_tables(db: Readable, mark: DataMark) -> list[str]:
    """The tables of ``mark`` whose rows differ now, or that a later change set wrote
    (even if it left them as they were: another user acted on them meanwhile)."""
    written = set()
    if mark.tables and last_change_set(db) > mark.last_change_set:
        marks = ", ".join("?" for _ in mark.tables)
        written = {
            row[0]
            for row in db.execute(
                f"SELECT DISTINCT tbl FROM change_row WHERE change_set_id > ? AND tbl IN ({marks})",
                [mark.last_change_set, *mark.tables],
            )
        }
    return [
        table
        for table, digest in mark.tables.items()
        if table in written or table_hash(db, table) != digest
    ]


def change_sets_touching(db: Readable, after: int, tables: list[str]) -> list[str]:
    """``#id who command (at)`` of each change set after ``after`` that wrote any of ``tables``."""
    if not tables:
        return []
    marks = ", ".join("?" for _ in tables)
    rows = db.execute(
        "SELECT DISTINCT s.id, s.who, s.command, s.at FROM change_set s "
        f"JOIN change_row r ON r.change_set_id = s.id WHERE s.id > ? AND r.tbl IN ({marks}) "
        "ORDER BY s.id",
        [after, *tables],
    ).fetchall()
    return [f"#{cs_id} {who}: {command} ({at})" for cs_id, who, command, at in rows]


def refuse_if_changed(db: Readable, mark: DataMark, *, what: str, fix: str) -> None:
    """Raise when any table of ``mark`` changed since it was taken; call it inside the write.

    Raises:
        StaleData: naming the changed tables and the change sets that wrote them.
    """
    changed = changed_tables(db, mark)
    if not changed:
        return
    by_whom = change_sets_touching(db, mark.last_change_set, changed)
    since = f" by change set {', '.join(by_whom)}" if by_whom else ""
    raise StaleData(
        f"{', '.join(changed)} changed since {what} was computed{since}; nothing was written",
        fix=fix,
    )
