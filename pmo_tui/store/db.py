"""Connecting to the database: connection settings, creation and migrations.

The store knows nothing above it: seeding a new database with the demo
organisation is the application's job (:mod:`pmo_tui.bootstrap`). Where the
database lives is decided by :mod:`pmo_tui.store.paths`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from pmo_tui.errors import UserError
from pmo_tui.store.files import automatic_backup_path, backup_to, create_private_file
from pmo_tui.store.migrations import SCHEMA_VERSION, applied_version, check_not_newer, migrate
from pmo_tui.store.transactions import busy_message, busy_timeout_s, is_busy

__all__ = ["SchemaOutdated", "connect", "is_empty", "upgrade"]


class SchemaOutdated(UserError):
    """A read on a database of an older schema: it must be upgraded first."""


def connect(
    path: Path, *, upgrade_schema: bool = False, group: str | None = None
) -> sqlite_utils.Database:
    """Open ``path`` and return it, creating a new database (0600) when the file is missing.

    A new database is migrated at once, and the account creating it becomes its
    admin. An older one is upgraded only with ``upgrade_schema`` (write commands and
    ``db upgrade``), after an automatic backup beside it (:func:`upgrade`); otherwise
    :class:`SchemaOutdated` says to run ``pmo-tui db upgrade``.

    The connection uses WAL journaling (readers never block the writer; a process
    killed mid-write loses only its uncommitted transaction), enforces foreign keys,
    fires delete triggers on ``INSERT OR REPLACE`` (the row history needs them) and
    waits up to the busy timeout for another writer.

    Raises:
        UserError: the file cannot be opened as a pmo-tui database, or is newer than
            this code; SchemaOutdated: see above; DatabaseBusy: another writer kept
            it busy.
    """
    is_new = not path.exists()
    if is_new:
        create_private_file(path, group)
    try:
        db = sqlite_utils.Database(path)
        db.execute(f"PRAGMA busy_timeout={int(busy_timeout_s() * 1000)}")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA recursive_triggers=ON")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode=WAL")
        version = applied_version(db)
        check_not_newer(version, str(path))
        if version == 0:
            _check_blank(db, path)
            migrate(db)
        elif version < SCHEMA_VERSION:
            if not upgrade_schema:
                raise _outdated(path, version)
            upgrade(db, path)
    except sqlite3.DatabaseError as error:
        if is_busy(error):
            raise busy_message(str(path)) from error
        raise UserError(
            f"cannot open the database: {error}",
            file=str(path),
            fix="pass --db with the path of a pmo-tui database in a folder you can write to "
            "(SQLite writes its journal beside the file)",
        ) from error
    except OSError as error:
        raise UserError(
            f"cannot open the database: {error}",
            file=str(path),
            fix="pass --db with the path of a pmo-tui database in a folder you can write to",
        ) from error
    return db


def _check_blank(db: sqlite_utils.Database, path: Path) -> None:
    """Refuse to create our tables in a database that holds other tables."""
    if db.table_names():
        raise UserError(
            "this file is an SQLite database but not a pmo-tui one; nothing was changed",
            file=str(path),
            fix="pass --db with the path of a pmo-tui database, or a new file name",
        )


def _outdated(path: Path, version: int) -> SchemaOutdated:
    return SchemaOutdated(
        f"the database has schema version {version}; this pmo-tui needs version "
        f"{SCHEMA_VERSION}; nothing was read",
        file=str(path),
        fix="run `pmo-tui db upgrade` (an admin; it backs the file up first)",
    )


def upgrade(db: sqlite_utils.Database, path: Path) -> Path | None:
    """Back ``path`` up beside itself, then apply the pending migrations in one transaction.

    Returns:
        The backup's path, or None when the database was current.

    Raises:
        RoleRefused: the database keeps roles and the current account is not an admin.
    """
    version = applied_version(db)
    if version >= SCHEMA_VERSION:
        return None
    from pmo_tui.store.access import has_rules_table, require_role

    if has_rules_table(db):
        require_role(db, "admin", "upgrading the database")
    backup = backup_to(
        db.conn, automatic_backup_path(path, f"before-upgrade-v{version}"), like=path
    )
    migrate(db)
    return backup


def is_empty(db: sqlite_utils.Database) -> bool:
    """True when the database has no portfolio, project nor person yet."""
    return all(db[table].count == 0 for table in ("portfolio", "project", "person"))
