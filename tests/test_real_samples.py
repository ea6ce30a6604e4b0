"""End to end on the real files in ../shared/real-samples: import, capacity, plan.

The expectations were checked by hand from the files (see issue 2): the
GanttProject sample's over-allocated person-weeks, Wade Golden's contoured
week in mspdiresource.xml, and the demand no re-allocation can cover.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_files import shared_folder

from pmo_tui.cli import cli

pytest.importorskip("jpype")
pytest.importorskip("mpxj")
pytestmark = [
    pytest.mark.java,
    pytest.mark.skipif(shutil.which("java") is None, reason="needs a Java runtime"),
]

SAMPLES = shared_folder("real-samples")
GANTT = SAMPLES / "HouseBuildingSample.gan"


def _run(db: Path, *args: str):
    result = CliRunner().invoke(cli, ["--db", str(db), *args], obj={}, catch_exceptions=False)
    return result


def _empty_db(tmp_path: Path, *files: Path) -> Path:
    db = tmp_path / "org.db"
    assert _run(db, "db", "init", "--empty").exit_code == 0
    imported = _run(db, "import", "project", *map(str, files))
    assert imported.exit_code == 0, imported.output
    return db


def test_three_files_make_one_pool_and_show_the_over_allocated_weeks(tmp_path: Path) -> None:
    db = _empty_db(tmp_path, GANTT, SAMPLES / "sample.mpx", SAMPLES / "mspdiresource.xml")
    rows = json.loads(_run(db, "capacity", "--over-allocated", "--format", "json").stdout)
    over = {(r["name"], r["week"]): (r["allocated_hours"], r["capacity_hours"]) for r in rows}
    assert ("Wade Golden", "2006-08-28") in over
    gantt_weeks = {key: value for key, value in over.items() if key[1].startswith("2024")}
    assert gantt_weeks == {
        ("Michelangelo", "2024-06-10"): (60.0, 40.0),
        ("Michelangelo", "2024-06-17"): (60.0, 40.0),
        ("Jack House", "2024-06-17"): (60.0, 40.0),
        ("Peter Green", "2024-09-30"): (80.0, 40.0),
    }


def test_plan_on_the_gantt_sample_removes_over_allocation_and_explains_unmet(
    tmp_path: Path,
) -> None:
    db = _empty_db(tmp_path, GANTT)
    result = _run(db, "plan", "--headless", "--format", "json", "--time-limit", "5")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["kpis_before"]["over_allocated_person_weeks"] == 4
    assert plan["kpis_after"]["over_allocated_person_weeks"] == 0
    unmet = {(r["skill_id"], r["week"]): (r["unmet_hours"], r["reason"]) for r in plan["unmet"]}
    reason = "no other qualified person has free capacity"
    assert unmet == {
        ("architect", "2024-06-10"): (20.0, reason),
        ("architect", "2024-06-17"): (20.0, reason),
        ("project-manager", "2024-06-17"): (20.0, reason),
        ("bricklayer", "2024-09-30"): (40.0, reason),
    }
    assert plan["kpis_after"]["unmet_hours"] == 100.0
    assert plan["objective"] >= plan["greedy_objective"]


def test_apply_writes_the_plan_and_capacity_shows_no_over_allocation(tmp_path: Path) -> None:
    db = _empty_db(tmp_path, GANTT)
    applied = _run(db, "plan", "--headless", "--apply", "--time-limit", "5")
    assert applied.exit_code == 0, applied.output
    over = json.loads(_run(db, "capacity", "--over-allocated", "--format", "json").stdout)
    assert over == []
    log = _run(db, "plan", "--headless", "--format", "json", "--time-limit", "5")
    assert json.loads(log.stdout)["kpis_before"]["over_allocated_person_weeks"] == 0
