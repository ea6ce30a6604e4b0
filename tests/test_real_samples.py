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
if not SAMPLES.is_dir():  # a clone of the repository alone, without ../shared
    pytest.skip(f"sample files not found in {SAMPLES}", allow_module_level=True)
GANTT = SAMPLES / "HouseBuildingSample.gan"
#: A date before the GanttProject sample's weeks (June to October 2024): plan as of then.
AS_OF_2024 = "2024-01-01"


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
    listed = _run(db, "capacity", "--over-allocated", "--from", "2006-01-01", "--format", "json")
    rows = json.loads(listed.stdout)
    assert all(r["history"] for r in rows)  # every week of these files is before today
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
    result = _run(
        db, "plan", "--headless", "--format", "json", "--time-limit", "5", "--today", AS_OF_2024
    )
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
    applied = _run(db, "plan", "--headless", "--apply", "--time-limit", "5", "--today", AS_OF_2024)
    assert applied.exit_code == 0, applied.output
    listed = _run(db, "capacity", "--over-allocated", "--today", AS_OF_2024, "--format", "json")
    assert json.loads(listed.stdout) == []
    log = _run(db, "plan", "--headless", "--format", "json", "--time-limit", "5")
    assert json.loads(log.stdout)["kpis_before"]["over_allocated_person_weeks"] == 0


def test_a_2024_file_beside_the_2026_demo_keeps_its_past_weeks(tmp_path: Path) -> None:
    """The GanttProject file's weeks (2024) are history for a 2026 organisation: the plan
    and --apply change nothing in them (the suite runs as of 2026-11-30)."""
    db = tmp_path / "org.db"
    assert _run(db, "db", "init").exit_code == 0
    assert _run(db, "import", "project", str(GANTT)).exit_code == 0, "import"

    def past_rows() -> list[tuple]:
        import sqlite3

        with sqlite3.connect(db) as connection:
            return connection.execute(
                "SELECT person_id, project_id, demand_id, week, hours FROM allocation "
                "WHERE week < '2026-11-30' ORDER BY 1, 2, 3, 4"
            ).fetchall()

    before = past_rows()
    assert len(before) > 0 and all(row[3].startswith("2024") for row in before)
    result = _run(db, "plan", "--headless", "--format", "json", "--apply")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert all(move["first_week"] >= "2026-11-30" for move in plan["moves"])
    assert past_rows() == before  # Peter Green's 80 h in 2024-09-30 is still 80 h
    history = _run(db, "capacity", "--over-allocated", "--from", "2024-01-01", "--format", "json")
    past = [r for r in json.loads(history.stdout) if r["week"].startswith("2024")]
    assert {(r["name"], r["week"], r["history"]) for r in past} >= {
        ("Peter Green", "2024-09-30", True)
    }
