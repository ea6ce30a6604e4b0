"""Opening the application's database: the store, plus the demo organisation on first run.

The store (:mod:`pmo_tui.store`) only connects and migrates; filling a new
database with the demo organisation needs the importers and governance, which
sit above it, so it happens here. The CLI and the TUI open databases through
:func:`open_database`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import sqlite_utils

from pmo_tui.importers.service import ImportReport, write_bundles
from pmo_tui.store.db import connect
from pmo_tui.store.paths import default_db_path
from pmo_tui.store.transactions import write_transaction


def open_database(
    path: Path | None = None,
    *,
    seed_demo: bool = True,
    upgrade: bool = False,
    group: str | None = None,
) -> sqlite_utils.Database:
    """Open the database at ``path`` (default :func:`~pmo_tui.store.paths.default_db_path`).

    A database file that does not exist yet is created (mode 0600, or 0660 for
    ``group``; its creator is admin) and, when ``seed_demo``, filled with the demo
    organisation from ``fixtures/demo`` so that every command works with no input.
    An older database is upgraded only with ``upgrade`` (write commands), after a
    backup.

    Raises:
        UserError: the file cannot be opened as a database, is older and ``upgrade``
            is false, or is newer (see :func:`~pmo_tui.store.db.connect`).
    """
    path = path or default_db_path()
    is_new = not path.exists()
    db = connect(path, upgrade_schema=upgrade, group=group)
    if is_new and seed_demo:
        load_demo(db)
    return db


def demo_folder() -> Path:
    """The folder holding the demo CSV files (inside the installed package)."""
    return Path(str(resources.files("pmo_tui.demo_data")))


def load_demo(db: sqlite_utils.Database) -> ImportReport:
    """Load the demo organisation, with its governance data, into ``db`` in one transaction."""
    from pmo_tui.governance.loader import load_governance
    from pmo_tui.importers.csv_files import read_csv_bundle

    bundle = read_csv_bundle([demo_folder()])
    with write_transaction(db, "db init (demo organisation)", needs="admin"):
        report = write_bundles(db, [bundle], reason="demo organisation loaded on first run")
        written = load_governance(
            db, [demo_folder() / "governance"], reason="demo governance loaded on first run"
        )
    for table, count in written.items():
        report.add_rows(table, count)
    return report
