"""Connecting to the database: connection settings and migrations.

The store knows nothing above it: seeding a new database with the demo
organisation is the application's job (:mod:`pmo_tui.bootstrap`). Where the
database lives is decided by :mod:`pmo_tui.store.paths`.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from pmo_tui.errors import UserError
from pmo_tui.store.migrations import migrate

__all__ = ["connect", "is_empty"]


def connect(path: Path) -> sqlite_utils.Database:
    """Open ``path`` (creating the file and its folder), migrate it, and return it.

    The connection uses WAL journaling, so readers never block the writer and a
    process killed mid-write loses only its uncommitted transaction, and
    enforces foreign keys.

    Raises:
        UserError: the file cannot be opened as a database.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=5000")
        migrate(db)
    except (OSError, sqlite_utils.db.sqlite3.DatabaseError) as error:
        raise UserError(
            f"cannot open the database: {error}",
            file=str(path),
            fix="pass --db with the path of a pmo-tui database in a folder you can write to "
            "(SQLite writes its journal beside the file)",
        ) from error
    return db


def is_empty(db: sqlite_utils.Database) -> bool:
    """True when the database has no portfolio, project nor person yet."""
    return all(db[table].count == 0 for table in ("portfolio", "project", "person"))
