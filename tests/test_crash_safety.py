"""Crash safety: killed with SIGKILL at any point of a write, the database is before or after.

54 kill points over an import, a plan apply, a scenario promote, three edits and an
undo. Each command is first run to count SQLite's progress callbacks up to its
BEGIN IMMEDIATE and its COMMIT (tests/crash_runner.py); then it is run again on a fresh
copy and killed after N callbacks, for N spread evenly over the write transaction. The
data must then be exactly as before, or the command's change set is there and undoing
it gives the data as before; and ``db check`` passes every time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from scenario_support import build_scenario_db, checkpoint, write_scenario
from store_support import content_hash, query

from pmo_tui.bootstrap import open_database
from pmo_tui.history.undo import apply_undo, plan_undo
from pmo_tui.store.maintenance import check_database

HERE = Path(__file__).parent
SOLVER = ["--deterministic-time", "0.2", "--time-limit", "10"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crash")
    db = build_scenario_db(folder)
    more = folder / "more"
    more.mkdir()
    (more / "leave.csv").write_text("person_id,start,end\nann,2027-01-11,2027-01-15\n")
    (more / "allocations.csv").write_text(
        "person_id,project_id,demand_id,start_week,end_week,hours_per_week,kind,pinned\n"
        "ben,P1,D1,2027-01-04,2027-01-25,8,soft,false\n"
    )
    write_scenario(folder, "grow", '[[change]]\nkind = "priority"\nproject = "P2"\npriority = 1\n')
    checkpoint(db)
    return db


def _commands(template: Path) -> dict[str, tuple[list[str], int]]:
    folder = template.parent
    return {
        "import csv": (["import", "csv", str(folder / "more")], 12),
        "plan --apply": (["plan", "--headless", "--apply", *SOLVER], 10),
        "scenario promote": (
            ["scenario", "promote", str(folder / "grow.toml"), "--yes", *SOLVER],
            10,
        ),
        "person remove": (["person", "remove", "ben", "--yes"], 4),
        "allocation set": (
            [
                "allocation",
                "set",
                "ann",
                "P2",
                "2027-01-18",
                "2027-01-25",
                "--demand",
                "D3",
                "--hours",
                "6",
            ],
            4,
        ),
        "project edit": (["project", "edit", "P1", "--priority", "2", "--rag", "red"], 4),
        "undo 1": (["undo", "1", "--yes"], 10),
    }


def _run(trials: list[dict], folder: Path) -> list[dict]:
    plan = folder / "plan.json"
    plan.write_text(json.dumps(trials))
    subprocess.run(
        [sys.executable, str(HERE / "crash_runner.py"), str(plan)], check=True, timeout=900
    )
    return json.loads(Path(f"{plan}.results").read_text())


def _copy(template: Path, folder: Path, name: str) -> Path:
    target = folder / f"{name}.db"
    shutil.copyfile(template, target)
    target.chmod(0o600)
    return target


def test_a_write_killed_at_any_point_leaves_the_data_before_or_after(
    template: Path, tmp_path: Path
) -> None:
    commands = _commands(template)
    before = content_hash(template)
    last = query(template, "SELECT max(id) FROM change_set")[0][0]
    counting = [
        {"db": str(_copy(template, tmp_path, f"count-{n}")), "args": args, "kill_at": None}
        for n, (args, _) in enumerate(commands.values())
    ]
    counted = _run(counting, tmp_path)
    trials, labels = [], []
    for (name, (args, points)), result in zip(commands.items(), counted, strict=True):
        assert result.get("code") == 0 and result["begin"] is not None, (name, result)
        first, end = result["begin"], result["commit"] + 1
        for k in range(points):
            kill_at = first + (end - first) * k // max(points - 1, 1)
            db = _copy(template, tmp_path, f"{name.replace(' ', '_')}-{k}")
            trials.append({"db": str(db), "args": args, "kill_at": max(kill_at, 1)})
            labels.append(name)
    assert len(trials) >= 50
    outcomes = {"before": 0, "after": 0}
    for trial, label, result in zip(trials, labels, _run(trials, tmp_path), strict=True):
        db = Path(trial["db"])
        database = open_database(db, seed_demo=False)
        report = check_database(database, db)
        assert report.ok, (label, trial["kill_at"], report.errors)
        if content_hash(db) == before:
            outcomes["before"] += 1
            continue
        newest = query(db, "SELECT id, command FROM change_set ORDER BY id DESC LIMIT 1")[0]
        assert newest[0] > last and label.split()[0] in newest[1], (label, newest)
        apply_undo(database, plan_undo(database, newest[0]))
        assert content_hash(db) == before, (label, trial["kill_at"], result)
        outcomes["after"] += 1
        database.close()
    assert outcomes["before"] > 0 and outcomes["after"] > 0, outcomes
