"""Schema migrations: an ordered list of SQL scripts, each applied once.

The table ``schema_migrations(version, name, applied_at)`` records what has run.
All pending migrations run in one ``BEGIN IMMEDIATE`` transaction, so a database
is never left half-migrated. They run only on a new database, on a write command
or ``pmo-tui db upgrade``, after an automatic backup (:func:`pmo_tui.store.db.connect`);
a read on an older database is refused with the fix. To change the schema,
append a new :class:`Migration`; never edit one that has shipped.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmo_tui.errors import UserError
from pmo_tui.store.schema import SCHEMA_V1, SCHEMA_V2
from pmo_tui.store.schema_governance import SCHEMA_GOVERNANCE
from pmo_tui.store.schema_history import SCHEMA_HISTORY
from pmo_tui.store.schema_imports import SCHEMA_IMPORTS
from pmo_tui.store.schema_reporting import SCHEMA_REPORTING

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``version`` (1, 2, ...), a short name and its SQL."""

    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", SCHEMA_V1),
    Migration(2, "project shifts, dependencies, skill expiry", SCHEMA_V2),
    Migration(3, "governance", SCHEMA_GOVERNANCE),
    Migration(
        4, "daily shape of imported allocations, project files, calendar sources", SCHEMA_IMPORTS
    ),
    Migration(
        5,
        "portfolio reporting: snapshots, status dimensions, RAID, gate decisions",
        SCHEMA_REPORTING,
    ),
    Migration(6, "change sets, row history and roles", SCHEMA_HISTORY),
)

#: The schema version this code expects.
SCHEMA_VERSION = MIGRATIONS[-1].version


def applied_version(db: sqlite_utils.Database | sqlite3.Connection) -> int:
    """The highest migration version recorded in ``db`` (0 for a new database)."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if exists is None:
        return 0
    row = db.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def check_not_newer(version: int, path: str | None = None) -> None:
    """Raise when a database of schema ``version`` is newer than this code.

    Raises:
        UserError: naming both versions and the fix.
    """
    if version > SCHEMA_VERSION:
        raise UserError(
            f"the database has schema version {version}, newer than this pmo-tui "
            f"({SCHEMA_VERSION}); nothing was changed",
            file=path,
            fix="upgrade pmo-tui (pip install --upgrade pmo-tui), or use another --db",
        )


def migrate(db: sqlite_utils.Database) -> list[Migration]:
    """Apply every migration newer than the database's version, in one transaction.

    The caller takes the backup first (:func:`pmo_tui.store.db.connect`). On a
    database that keeps roles, only an admin may migrate; the migration that adds
    roles makes the account running it the first admin.

    Returns:
        The migrations applied (empty when the database was current).

    Raises:
        UserError: the database is newer than this code (downgrade refused).
        RoleRefused: the database keeps roles and the account is not an admin.
        DatabaseBusy: another user kept the database busy.
    """
    from pmo_tui.store.access import has_rules_table, require_role
    from pmo_tui.store.transactions import begin_immediate

    check_not_newer(applied_version(db))
    if not [m for m in MIGRATIONS if m.version > applied_version(db)]:
        return []
    begin_immediate(db.conn)
    try:
        current = applied_version(db)  # again, under the write lock
        pending = [m for m in MIGRATIONS if m.version > current]
        if pending and has_rules_table(db):
            require_role(db, "admin", "upgrading the database")
        _apply(db, pending)
        _first_admin(db)
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    return pending


def _apply(db: sqlite_utils.Database, pending: list[Migration]) -> None:
    """Run ``pending`` inside the caller's transaction."""
    if pending:
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for migration in pending:
            for statement in _statements(migration.sql):
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [migration.version, migration.name, dt.datetime.now(dt.UTC).isoformat()],
            )


def _first_admin(db: sqlite_utils.Database) -> None:
    """With roles but no rule yet, the account creating or upgrading the database is admin."""
    from pmo_tui.store import accounts
    from pmo_tui.store.access import has_rules_table

    if not has_rules_table(db) or db.execute("SELECT 1 FROM access_rule").fetchone():
        return
    name = accounts.current_account().name
    db.execute(
        "INSERT INTO access_rule (kind, subject, role, granted_by, granted_at) "
        "VALUES ('user', ?, 'admin', ?, ?)",
        [name, name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
    )


def _statements(script: str) -> list[str]:
    """Split a migration script into statements on ``;``.

    Pieces are joined until SQLite deems the statement complete, so a trigger's
    ``BEGIN ...; END`` body stays whole (our DDL has no ``;`` inside strings).
    """
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending = f"{pending};{piece}" if pending else piece
        if sqlite3.complete_statement(pending + ";"):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements
