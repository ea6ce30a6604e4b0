"""Schema migrations: an ordered list of SQL scripts, each applied once.

The table ``schema_migrations(version, name, applied_at)`` records what has run.
A migration runs inside the caller's transaction, so a database is never left
half-migrated. To change the schema, append a new :class:`Migration`; never
edit one that has shipped.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmo_tui.errors import UserError
from pmo_tui.store.schema import SCHEMA_V1, SCHEMA_V2
from pmo_tui.store.schema_governance import SCHEMA_GOVERNANCE
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
)

#: The schema version this code expects.
SCHEMA_VERSION = MIGRATIONS[-1].version


def applied_version(db: sqlite_utils.Database) -> int:
    """The highest migration version recorded in ``db`` (0 for a new database)."""
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def migrate(db: sqlite_utils.Database) -> list[Migration]:
    """Apply every migration newer than the database's version, in one transaction.

    Returns:
        The migrations applied (empty when the database was current).

    Raises:
        UserError: the database is newer than this code (downgrade refused).
    """
    current = applied_version(db)
    if current > SCHEMA_VERSION:
        raise UserError(
            f"the database has schema version {current}, newer than this pmo-tui "
            f"({SCHEMA_VERSION}); nothing was changed",
            fix="upgrade pmo-tui (pip install --upgrade pmo-tui), or use another --db",
        )
    pending = [m for m in MIGRATIONS if m.version > current]
    if not pending:
        return []
    with db.atomic():
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
    return pending


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
