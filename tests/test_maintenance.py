"""The database file: private by default, backed up, restored, checked and upgraded safely."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from scenario_support import build_scenario_db, invoke
from store_support import content, query

from pmo_tui.cli import cli
from pmo_tui.store.migrations import SCHEMA_VERSION

SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_scenario_db(tmp_path)


def test_a_new_database_and_its_backup_are_private(tmp_path: Path) -> None:
    path = tmp_path / "org.db"
    assert invoke(path, "db", "init", "--empty").exit_code == 0
    assert _mode(path) == 0o600
    assert invoke(path, "person", "add", "x", "--name", "X", "--region", "UK").exit_code == 0
    assert all(
        _mode(Path(f"{path}{s}")) == 0o600 for s in ("-wal", "-shm") if Path(f"{path}{s}").exists()
    )
    backup = tmp_path / "copy.db"
    assert invoke(path, "db", "backup", str(backup)).exit_code == 0
    assert _mode(backup) == 0o600
    assert content(backup) == content(path)


def test_db_init_with_a_group_makes_it_group_writable(tmp_path: Path) -> None:
    import grp

    group = grp.getgrgid(os.getgid()).gr_name
    path = tmp_path / "team.db"
    assert invoke(path, "db", "init", "--empty", "--group", group).exit_code == 0
    assert _mode(path) == 0o660 and path.stat().st_gid == os.getgid()
    missing = invoke(tmp_path / "x.db", "db", "init", "--group", "no-such-group-here")
    assert missing.exit_code == 2 and "no group named 'no-such-group-here'" in missing.output


def test_db_check_passes_and_warns_when_others_can_read(db: Path) -> None:
    result = invoke(db, "db", "check")
    assert result.exit_code == 0 and f"schema version {SCHEMA_VERSION}, ok" in result.output
    os.chmod(db, 0o644)
    assert "readable by every account" in invoke(db, "db", "check").output


def test_db_check_warns_of_two_rows_of_one_kind_not_of_a_pinned_row_beside_a_planned_one(
    db: Path,
) -> None:
    with sqlite3.connect(db) as connection:
        key = connection.execute(
            "SELECT person_id, project_id, demand_id, week FROM allocation "
            "WHERE demand_id IS NOT NULL AND kind = 'soft' AND pinned = 0 ORDER BY id LIMIT 1"
        ).fetchone()
        insert = (
            "INSERT INTO allocation (person_id, project_id, demand_id, week, hours, kind, pinned) "
            "VALUES (?, ?, ?, ?, 2, ?, ?)"
        )
        connection.execute(insert, (*key, "soft", 1))
        connection.execute(insert, (*key, "hard", 0))
    topped_up = invoke(db, "db", "check")
    assert topped_up.exit_code == 0 and "more than one row" not in topped_up.output
    with sqlite3.connect(db) as connection:
        connection.execute(insert, (*key, "soft", 0))
    doubled = invoke(db, "db", "check").output
    assert "1 person-weeks booked in more than one row of the same kind" in doubled


def test_db_check_finds_a_broken_invariant_and_an_orphan(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE allocation SET week = '2027-01-05' WHERE id = 1")
        connection.execute(
            "INSERT INTO allocation (person_id, project_id, week, hours) VALUES ('nobody', 'P1', '2027-01-04', 1)"
        )
    result = invoke(db, "db", "check")
    assert result.exit_code == 1
    assert "1 rows break: allocation weeks are Mondays" in result.output
    assert (
        "orphan row: allocation" in result.output and "refers to a missing person" in result.output
    )


def test_restore_backs_up_the_current_database_first(db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "monday.db"
    invoke(db, "db", "backup", str(backup))
    saved = content(db)
    invoke(db, "person", "edit", "ann", "--unit", "Ops")
    edited = content(db)
    result = invoke(db, "db", "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.output
    assert content(db) == saved
    kept = next(db.parent.glob("live.db.before-restore.*.bak"))
    assert content(kept) == edited


def test_restore_refuses_a_file_that_is_not_a_pmo_tui_database_or_is_newer(
    db: Path, tmp_path: Path
) -> None:
    before = content(db, history=True)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    refused = invoke(db, "db", "restore", str(other), "--yes")
    assert refused.exit_code == 2 and "not a pmo-tui database" in refused.output
    text = tmp_path / "notes.db"
    text.write_text("hello")
    assert invoke(db, "db", "restore", str(text), "--yes").exit_code == 2
    newer = tmp_path / "newer.db"
    invoke(db, "db", "backup", str(newer))
    with sqlite3.connect(newer) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01')")
    future = invoke(db, "db", "restore", str(newer), "--yes")
    assert future.exit_code == 2 and "newer than this pmo-tui" in future.output
    assert content(db, history=True) == before


def test_restore_refuses_a_missing_file_before_asking(db: Path, tmp_path: Path) -> None:
    """Answering "y" to "Replace ...?" and only then hearing the file is missing is a trap."""
    missing = tmp_path / "nothere.db"
    result = CliRunner().invoke(
        cli, ["--db", str(db), "db", "restore", str(missing)], input="y\n", obj={}
    )
    assert result.exit_code == 2
    assert "Replace" not in result.output
    assert f"{missing}: no such file. Fix: name a backup file" in result.output


def _old_database(version: int, folder: Path) -> Path:
    path = folder / f"v{version}.db"
    with sqlite3.connect(path) as connection:
        connection.executescript((SCHEMAS / f"v{version}.sql").read_text(encoding="utf-8"))
    return path


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_every_earlier_schema_upgrades_with_no_row_lost(version: int, tmp_path: Path) -> None:
    path = _old_database(version, tmp_path)
    old = content(path, history=True)
    read = invoke(path, "capacity")
    assert read.exit_code == 2 and "run `pmo-tui db upgrade`" in read.output
    assert content(path, history=True) == old
    result = invoke(path, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert query(path, "SELECT max(version) FROM schema_migrations") == [(SCHEMA_VERSION,)]
    backup = next(tmp_path.glob(f"v{version}.db.before-upgrade-v{version}.*.bak"))
    assert content(backup, history=True) == old
    with sqlite3.connect(path) as connection:
        for table, rows in old.items():
            names = [r[1] for r in connection.execute(f"PRAGMA table_info([{table}])")][
                : len(rows[0]) if rows else 0
            ]
            if not rows:
                continue
            quoted = ", ".join(f'"{n}"' for n in names)
            now = sorted(connection.execute(f"SELECT {quoted} FROM [{table}]").fetchall(), key=repr)
            if table == "schema_migrations":
                assert set(rows) <= set(now)
            else:
                assert now == rows, table
    assert invoke(path, "db", "check").exit_code == 0
    assert invoke(path, "users", "list").exit_code == 0


def test_a_write_command_upgrades_an_old_database_after_a_backup(tmp_path: Path) -> None:
    path = _old_database(3, tmp_path)
    result = invoke(path, "person", "edit", "hpopescu", "--unit", "Ops")
    assert result.exit_code == 0, result.output
    assert list(tmp_path.glob("v3.db.before-upgrade-v3.*.bak"))
    assert query(path, "SELECT role FROM access_rule") == [("admin",)]


def test_db_init_force_backs_up_asks_and_needs_an_admin(db: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from pmo_tui.cli import cli
    from pmo_tui.store import accounts
    from pmo_tui.store.accounts import Account

    saved = content(db)
    declined = CliRunner().invoke(
        cli, ["--db", str(db), "db", "init", "--empty", "--force"], obj={}, input="n\n"
    )
    assert declined.exit_code == 0 and content(db) == saved
    monkeypatch.setattr(accounts, "current_account", lambda: Account("vera", 5001, frozenset()))
    refused = invoke(db, "db", "init", "--empty", "--force", "--yes")
    assert refused.exit_code == 2 and "db init --force needs the admin role" in refused.output
    monkeypatch.undo()
    replaced = invoke(db, "db", "init", "--empty", "--force", "--yes")
    assert replaced.exit_code == 0, replaced.output
    assert query(db, "SELECT count(*) FROM person") == [(0,)]
    backup = next(db.parent.glob("live.db.before-init.*.bak"))
    assert content(backup) == saved
