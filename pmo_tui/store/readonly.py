"""Plain read-only connections for screens and reports that only read.

``sqlite_utils`` imports pandas when it is installed (OR-Tools installs it),
which costs most of a second; reads need only :mod:`sqlite3`, so the TUI's
loaders use these connections and the first screen shows sooner.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pmo_tui.errors import UserError


def read_connection(path: Path) -> sqlite3.Connection:
    """A read-only connection to the existing database at ``path``.

    Raises:
        UserError: the file is missing or is not a database.
    """
    try:
        connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        raise UserError(
            f"cannot read the database: {error}",
            file=str(path),
            fix="check the path (--db or PMO_TUI_DB), or create it with `pmo-tui db init`",
        ) from error
    return connection


def schema_version(path: Path) -> int:
    """The schema version of the database at ``path``; 0 when missing, new or unreadable."""
    if not Path(path).exists():
        return 0
    try:
        with sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True) as connection:
            row = connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0] or 0)
