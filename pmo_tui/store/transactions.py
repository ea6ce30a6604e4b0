"""Write transactions: one place where every write of pmo-tui begins, is recorded and ends.

Every service that writes does it inside :func:`write_transaction`::

    with write_transaction(db, "person add", needs="planner") as change_set:
        db["person"].insert(record)
        log_change(db, "person", "add", reason="...", after=record)

which

* starts ``BEGIN IMMEDIATE``: the write lock is taken first, so two writers queue on
  SQLite's busy timeout (:data:`BUSY_TIMEOUT_S`) instead of failing half-way; when the
  database stays busy past it, :class:`DatabaseBusy` says so and nothing was changed;
* checks the current account's role (:func:`pmo_tui.store.access.require_role`);
* opens a change set (table ``change_set``: who, when, command) whose rows the
  capture triggers record (:mod:`pmo_tui.store.capture`), so the write can be
  listed (``pmo-tui log``) and undone (``pmo-tui undo``);
* commits, or rolls everything back on any exception (Ctrl-C included).

Readers never wait: the database runs in WAL mode, and reads take no lock.
A write transaction opened inside another on the same connection joins it.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmo_tui.errors import UserError
from pmo_tui.store.access import Role, require_role
from pmo_tui.store.capture import install_capture, table_names

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.accounts import Account

__all__ = [
    "BUSY_TIMEOUT_S",
    "ChangeSet",
    "DatabaseBusy",
    "active_change_set",
    "begin_immediate",
    "busy_timeout_s",
    "is_busy",
    "last_change_set",
    "write_transaction",
]

#: Seconds a writer waits for another one to finish before giving up (``$PMO_TUI_BUSY_TIMEOUT``).
BUSY_TIMEOUT_S = 10.0
BUSY_ENV_VAR = "PMO_TUI_BUSY_TIMEOUT"


class DatabaseBusy(UserError):
    """Another user kept the database busy past the timeout; nothing was changed."""


@dataclass(frozen=True)
class ChangeSet:
    """The change set a write transaction records: its id, command and account."""

    id: int
    command: str
    account: Account


#: id(connection) -> the change set open on it.
_ACTIVE: dict[int, ChangeSet] = {}
#: database -> the id of the last change set committed through it.
_COMMITTED: weakref.WeakKeyDictionary[sqlite_utils.Database, int] = weakref.WeakKeyDictionary()


def busy_timeout_s() -> float:
    """The busy timeout in seconds: ``$PMO_TUI_BUSY_TIMEOUT`` if set and valid, else the default."""
    try:
        value = float(os.environ.get(BUSY_ENV_VAR, BUSY_TIMEOUT_S))
    except ValueError:
        return BUSY_TIMEOUT_S
    return value if 0 <= value <= 3600 else BUSY_TIMEOUT_S


def is_busy(error: BaseException) -> bool:
    """True for SQLite's "database is locked" / "busy" errors."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def busy_message(path: str | None = None) -> DatabaseBusy:
    """The one message shown when the database stayed busy past the timeout."""
    return DatabaseBusy(
        f"another user is writing to the database (waited {busy_timeout_s():g} s); "
        "nothing was changed",
        file=path,
        fix=f"try again in a moment (${BUSY_ENV_VAR} sets how many seconds to wait)",
    )


def begin_immediate(conn: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``: take the write lock now, waiting up to the busy timeout.

    Raises:
        DatabaseBusy: another writer held the lock past the timeout.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if is_busy(error):
            raise busy_message() from error
        raise


def active_change_set(db: sqlite_utils.Database) -> ChangeSet | None:
    """The change set open on ``db``'s connection, or None outside a write transaction."""
    return _ACTIVE.get(id(db.conn))


def last_change_set(db: sqlite_utils.Database) -> int | None:
    """The id of the last change set committed through ``db`` (this database object), or
    None before its first write: what a front end names after calling a service that
    writes (``pmo-tui log`` and ``undo`` take it)."""
    return _COMMITTED.get(db)


@contextmanager
def write_transaction(
    db: sqlite_utils.Database,
    command: str,
    *,
    needs: Role = "planner",
    reason: str | None = None,
    undoes: int | None = None,
) -> Iterator[ChangeSet]:
    """One all-or-nothing write: ``BEGIN IMMEDIATE``, role check, a change set, commit.

    Args:
        command: what the user ran, for the log (``import csv``, ``plan --apply``...).
        needs: the lowest role allowed to make this write.
        reason: why, for the log (optional).
        undoes: the change set this one undoes (``pmo-tui undo``).

    Yields:
        The open :class:`ChangeSet` (the outer one when nested).

    Raises:
        DatabaseBusy: another writer kept the lock past the busy timeout.
        RoleRefused: the current account's role is below ``needs``.
        Anything the body raises; the transaction is rolled back first.
    """
    conn = db.conn
    active = _ACTIVE.get(id(conn))
    if active is not None:
        require_role(db, needs, command)
        yield active
        return
    if conn.in_transaction:
        raise RuntimeError("a write transaction cannot start inside another transaction")
    install_capture(conn)
    begin_immediate(conn)
    try:
        account = require_role(db, needs, command)
        change_set = _open_change_set(conn, command, reason, account, undoes)
        _ACTIVE[id(conn)] = change_set
        yield change_set
        _close_change_set(conn, change_set)
        conn.execute("COMMIT")
        if change_set.id:
            _COMMITTED[db] = change_set.id
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        _ACTIVE.pop(id(conn), None)


def _open_change_set(
    conn: sqlite3.Connection,
    command: str,
    reason: str | None,
    account: Account,
    undoes: int | None,
) -> ChangeSet:
    """Insert the ``change_set`` row and point the capture triggers at it."""
    if "change_set" not in table_names(conn):  # an old schema being migrated
        return ChangeSet(0, command, account)
    cursor = conn.execute(
        "INSERT INTO change_set (at, who, uid, command, reason, undoes) VALUES (?, ?, ?, ?, ?, ?)",
        [
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            account.name,
            account.uid,
            command,
            reason,
            undoes,
        ],
    )
    change_set_id = int(cursor.lastrowid or 0)
    conn.execute("DELETE FROM temp.pmo_current_change_set")
    conn.execute("INSERT INTO temp.pmo_current_change_set VALUES (?)", [change_set_id])
    return ChangeSet(change_set_id, command, account)


def _close_change_set(conn: sqlite3.Connection, change_set: ChangeSet) -> None:
    """Count the rows the change set recorded and stop the capture."""
    if change_set.id == 0:
        return
    conn.execute("DELETE FROM temp.pmo_current_change_set")
    conn.execute(
        "UPDATE change_set SET rows = (SELECT count(*) FROM change_row WHERE change_set_id = ?) "
        "WHERE id = ?",
        [change_set.id, change_set.id],
    )
