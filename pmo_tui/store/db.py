"""Opening the database: where it lives, connection settings, migrations, the demo on first run.

The default database is ``pmo.db`` in the user data directory (platformdirs);
``--db PATH`` or the environment variable ``PMO_TUI_DB`` picks another.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import sqlite_utils

from pmo_tui.errors import UserError
from pmo_tui.paths import DB_ENV_VAR, default_db_path

__all__ = ["DB_ENV_VAR", "connect", "current_user", "default_db_path", "is_empty", "open_database"]
from pmo_tui.store.migrations import migrate


def current_user() -> str:
    """The OS user name recorded in the change log (``unknown`` when it cannot be read)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


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


def open_database(path: Path | None = None, *, seed_demo: bool = True) -> sqlite_utils.Database:
    """Open the database at ``path`` (default :func:`default_db_path`).

    A database file that does not exist yet is created and, when ``seed_demo``,
    filled with the demo organisation from ``fixtures/demo`` so that every
    command works with no input.
    """
    path = path or default_db_path()
    is_new = not path.exists()
    db = connect(path)
    if is_new and seed_demo:
        from pmo_tui.store.demo import load_demo

        load_demo(db)
    return db
