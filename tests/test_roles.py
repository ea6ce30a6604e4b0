"""Roles: viewers read, planners write, admins administer; refused writes change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from scenario_support import FAST, build_scenario_db, invoke, write_scenario
from store_support import content, query

from pmo_tui.store import accounts
from pmo_tui.store.accounts import Account

VERA = Account("vera", 5001, frozenset({"staff"}))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_scenario_db(tmp_path)


@pytest.fixture
def as_vera(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "current_account", lambda: VERA)


def _planner_commands(tmp_path: Path) -> list[list[str]]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "leave.csv").write_text("person_id,start,end\nann,2027-01-11,2027-01-15\n")
    scenario = write_scenario(
        tmp_path, "s", '[[change]]\nkind = "priority"\nproject = "P2"\npriority = 1\n'
    )
    return [
        ["person", "add", "zed", "--name", "Zed", "--region", "UK"],
        ["person", "edit", "ann", "--unit", "Ops"],
        ["person", "remove", "ann", "--yes"],
        ["skill", "set", "ann", "data", "2"],
        ["skill", "remove", "ann", "dev"],
        ["leave", "add", "ann", "2027-01-11", "2027-01-12"],
        ["project", "edit", "P1", "--rag", "red"],
        ["project", "remove", "P1", "--yes"],
        ["demand", "edit", "D1", "--min-level", "3"],
        ["demand", "remove", "D3", "--yes"],
        ["allocation", "set", "ann", "P1", "2027-01-04", "--demand", "D1", "--hours", "1"],
        ["allocation", "pin", "ann", "P1", "2027-01-04", "--demand", "D1"],
        ["import", "csv", str(folder)],
        ["plan", "--headless", "--apply", *FAST],
        ["scenario", "promote", str(scenario), "--yes", *FAST],
        ["undo", "1", "--yes"],
        ["audit", "--all", "--today", "2027-01-04"],
        ["findings", "set-status", "1", "in_progress", "--reason", "started"],
        ["checklist", str(_checklist(tmp_path))],
        ["lineage", "P1", "--methodology", "PMO-METHOD@1.0"],
    ]


def _checklist(tmp_path: Path) -> Path:
    path = tmp_path / "checklist.toml"
    path.write_text(
        'project = "P1"\nauditor = "Jane"\nheld_on = 2027-01-04\n\n[[item]]\nid = "a"\n'
        'text = "A"\nresult = "pass"\n'
    )
    return path


ADMIN_COMMANDS = [
    ["users", "grant", "bob", "planner"],
    ["users", "revoke", "bob"],
    ["standards", "add", "STD-X", "1.0", "--kind", "standard", "--title", "X"],
    ["standards", "edit", "STD-X", "1.0", "--title", "Y"],
    ["standards", "publish", "STD-X", "1.0"],
    ["templates", "publish", "TPL-X", "1.0"],
    ["db", "init", "--force", "--yes"],
]


def test_a_viewer_reads_but_every_write_is_refused_and_changes_nothing(
    db: Path, tmp_path: Path, as_vera: None
) -> None:
    assert invoke(db, "capacity", "--format", "json").exit_code == 0
    assert invoke(db, "log").exit_code == 0
    before = content(db, history=True)
    for command in _planner_commands(tmp_path):
        result = invoke(db, *command)
        assert result.exit_code == 2, (command, result.output)
        assert "needs the planner role; vera is a viewer; nothing was changed" in result.output, (
            command
        )
        assert "pmo-tui users grant vera planner" in result.output
    assert content(db, history=True) == before


def test_a_planner_writes_but_not_what_an_admin_does(db: Path, tmp_path: Path, monkeypatch) -> None:
    assert invoke(db, "users", "grant", "group:staff", "planner").exit_code == 0
    monkeypatch.setattr(accounts, "current_account", lambda: VERA)
    assert invoke(db, "person", "edit", "ann", "--unit", "Ops").exit_code == 0
    assert query(db, "SELECT who FROM change_set ORDER BY id DESC LIMIT 1") == [("vera",)]
    before = content(db, history=True)
    for command in ADMIN_COMMANDS:
        result = invoke(db, *command)
        assert result.exit_code == 2 and "needs the admin role; vera is a planner" in result.output
    backup = tmp_path / "b.db"
    assert invoke(db, "db", "backup", str(backup)).exit_code == 0
    restore = invoke(db, "db", "restore", str(backup), "--yes")
    assert restore.exit_code == 2 and "needs the admin role" in restore.output
    assert content(db, history=True) == before


def test_the_creator_is_admin_and_the_last_admin_stays(db: Path) -> None:
    me = accounts.current_account().name
    assert query(db, "SELECT kind, subject, role FROM access_rule") == [("user", me, "admin")]
    refused = invoke(db, "users", "revoke", me)
    assert refused.exit_code == 2 and "last admin rule" in refused.output
    assert invoke(db, "users", "grant", "vera", "admin").exit_code == 0
    assert invoke(db, "users", "revoke", me).exit_code == 0
    assert query(db, "SELECT subject FROM access_rule") == [("vera",)]


def test_the_change_log_records_the_real_account_whatever_logname_says(db: Path) -> None:
    env = {**os.environ, "LOGNAME": "someone-else", "USER": "someone-else", "PMO_TUI_DB": str(db)}
    code = "from pmo_tui.cli import main; main()"
    subprocess.run(
        [sys.executable, "-c", code, "person", "edit", "ann", "--unit", "Ops"],
        env=env,
        check=True,
        capture_output=True,
    )
    real = accounts.current_account().name
    assert real != "someone-else"
    assert query(db, "SELECT who FROM change_set ORDER BY id DESC LIMIT 1") == [(real,)]
    assert query(db, "SELECT who FROM change_log ORDER BY id DESC LIMIT 1") == [(real,)]
