"""Looking after the database file: backup, restore and check (``pmo-tui db ...``).

* :func:`backup_database` copies it with SQLite's online backup API: consistent
  while others write; the copy gets the database's mode (0600 or 0660 + group).
* :func:`restore_database` (admin) refuses a file that is not a pmo-tui database,
  is damaged or is newer than this code, backs up the current file beside it,
  then copies the file in (and upgrades it when older).
* :func:`check_database` runs SQLite's integrity and foreign-key checks, the
  product's own invariants and the schema version, and warns when other accounts
  can read the file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_tui.errors import UserError
from pmo_tui.store.access import require_role
from pmo_tui.store.files import automatic_backup_path, backup_to, others_can_read
from pmo_tui.store.migrations import SCHEMA_VERSION, applied_version, migrate

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["CheckReport", "backup_database", "check_database", "restore_database"]

#: Product invariants: (what must hold, SQL counting the rows that break it).
INVARIANTS: tuple[tuple[str, str], ...] = (
    (
        "allocation weeks are Mondays",
        "SELECT count(*) FROM allocation WHERE strftime('%w', week) <> '1'",
    ),
    (
        "demand weeks are Mondays",
        "SELECT count(*) FROM demand_week WHERE strftime('%w', week) <> '1'",
    ),
    (
        "an allocation on a demand is on that demand's project",
        "SELECT count(*) FROM allocation a JOIN demand d ON d.id = a.demand_id "
        "WHERE d.project_id <> a.project_id",
    ),
    ("allocation hours are 0 to 168 a week", "SELECT count(*) FROM allocation WHERE hours > 168"),
    (
        "each change row belongs to a change set",
        "SELECT count(*) FROM change_row r LEFT JOIN change_set s ON s.id = r.change_set_id "
        "WHERE s.id IS NULL",
    ),
)

#: Warnings: (what is odd, SQL counting the rows).
ODDITIES: tuple[tuple[str, str], ...] = (
    (
        "person-weeks booked in more than one row of the same kind on the same project and "
        "demand (a pinned or hard row beside a planned one is not counted: that is how a plan "
        "tops one up)",
        "SELECT count(*) FROM (SELECT 1 FROM allocation "
        "GROUP BY person_id, project_id, demand_id, week, kind, pinned HAVING count(*) > 1)",
    ),
    (
        "allocations in weeks their person is on all-day leave from Monday to Friday "
        "(leave booked after them: `pmo-tui plan` moves the planned ones)",
        "SELECT count(*) FROM allocation a JOIN leave l ON l.person_id = a.person_id "
        "AND l.start <= a.week AND l.\"end\" >= date(a.week, '+4 days') "
        "AND l.hours_per_day IS NULL WHERE a.hours > 0",
    ),
    (
        "allocations of people with no working hours at all",
        "SELECT count(*) FROM allocation a JOIN person p ON p.id = a.person_id "
        "WHERE a.hours > 0 AND p.mon + p.tue + p.wed + p.thu + p.fri + p.sat + p.sun = 0",
    ),
)


@dataclass
class CheckReport:
    """What ``db check`` found: ``errors`` (the database is not sound) and ``warnings``."""

    version: int
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no error was found (warnings allowed)."""
        return not self.errors


def backup_database(db: sqlite_utils.Database, path: Path, target: Path) -> Path:
    """Copy the database at ``path`` (open as ``db``) to the new file ``target``.

    Raises:
        UserError: ``target`` exists or cannot be written.
    """
    return backup_to(db.conn, target, like=path)


def _open_candidate(source: Path) -> tuple[sqlite3.Connection, int]:
    """A read-only connection to ``source`` and its schema version, if it is a sound
    pmo-tui database this code can read.

    Raises:
        UserError: missing, not SQLite, not pmo-tui, damaged or newer.
    """
    if not source.is_file():
        raise UserError("no such file", file=str(source), fix="name a backup file")
    try:
        candidate = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        tables = {row[0] for row in candidate.execute("SELECT name FROM sqlite_master")}
        if not {"schema_migrations", "person", "project", "allocation"} <= tables:
            raise UserError(
                "this file is not a pmo-tui database; nothing was changed",
                file=str(source),
                fix="name a file made by `pmo-tui db backup`",
            )
        integrity = candidate.execute("PRAGMA integrity_check").fetchone()[0]
        version = applied_version(candidate)
    except sqlite3.DatabaseError as error:
        raise UserError(
            f"this file is not a readable database ({error}); nothing was changed",
            file=str(source),
            fix="name a file made by `pmo-tui db backup`",
        ) from error
    if integrity != "ok":
        raise UserError(
            f"the file is damaged ({integrity}); nothing was changed",
            file=str(source),
            fix="restore another backup",
        )
    if version > SCHEMA_VERSION:
        raise UserError(
            f"the file has schema version {version}, newer than this pmo-tui "
            f"({SCHEMA_VERSION}); nothing was changed",
            file=str(source),
            fix="upgrade pmo-tui first",
        )
    return candidate, version


def check_restorable(source: Path) -> int:
    """The schema version of the backup ``source`` if it can be restored (checked before
    asking, so a wrong file is said at once, not after the confirmation).

    Raises:
        UserError: ``source`` is missing, not a pmo-tui database, damaged or newer.
    """
    candidate, version = _open_candidate(source)
    candidate.close()
    return version


def restore_database(db: sqlite_utils.Database, path: Path, source: Path) -> Path:
    """Replace the database at ``path`` (open as ``db``) by the backup ``source``. Admin only.

    The current database is backed up beside it first; an older backup is upgraded
    after it is copied in. Other users' connections see the restored data on their
    next read.

    Returns:
        The path of the backup of the database as it was.

    Raises:
        RoleRefused: the current account is not an admin.
        UserError: ``source`` is missing, not a pmo-tui database, damaged or newer.
    """
    require_role(db, "admin", "db restore")
    candidate, version = _open_candidate(source)
    try:
        before = backup_to(db.conn, automatic_backup_path(path, "before-restore"), like=path)
        candidate.backup(db.conn)
    finally:
        candidate.close()
    if version < SCHEMA_VERSION:
        migrate(db)
    return before


def check_database(db: sqlite_utils.Database | sqlite3.Connection, path: Path) -> CheckReport:
    """Check the database at ``path``: integrity, foreign keys, invariants, version, mode.

    Returns:
        The report; ``errors`` empty means the database is sound.
    """
    report = CheckReport(applied_version(db))
    integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        report.errors.extend(f"integrity: {line}" for line in integrity[:20])
    for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall()[:20]:
        report.errors.append(f"orphan row: {table} rowid {rowid} refers to a missing {parent}")
    if report.version > SCHEMA_VERSION:
        report.errors.append(f"schema version {report.version} is newer than this pmo-tui")
    elif report.version < SCHEMA_VERSION:
        report.warnings.append(
            f"schema version {report.version}, this pmo-tui uses {SCHEMA_VERSION}: "
            "run `pmo-tui db upgrade`"
        )
    else:
        _invariants(db, report)
    if path.exists() and others_can_read(path):
        report.warnings.append(
            f"{path} is readable by every account on this machine: `chmod o-r {path}` "
            "(and its -wal, -shm files)"
        )
    return report


def _invariants(db: sqlite_utils.Database | sqlite3.Connection, report: CheckReport) -> None:
    for rule, sql in INVARIANTS:
        broken = db.execute(sql).fetchone()[0]
        if broken:
            report.errors.append(f"{broken} rows break: {rule}")
    for oddity, sql in ODDITIES:
        count = db.execute(sql).fetchone()[0]
        if count:
            report.warnings.append(f"{count} {oddity}")
