"""The store: migrations, one-transaction writes, the people merge, references."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest
import sqlite_utils

from pmo_tui.errors import UserError
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.service import write_bundles
from pmo_tui.store.db import connect
from pmo_tui.store.migrations import MIGRATIONS, SCHEMA_VERSION, applied_version, migrate
from pmo_tui.store.reads import read_table
from pmo_tui.store.schema import SCHEMA_V1

WEEK = dt.date(2027, 1, 4)


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dump(db) -> list:
    return list(db.iterdump())


def _project_bundle(source_file: str | None = None, person_name: str = "Jack House") -> Bundle:
    return Bundle(
        source="test",
        portfolios=pl.DataFrame({"id": ["PF"], "name": ["Portfolio"]}),
        projects=pl.DataFrame(
            {
                "id": ["P1"],
                "name": ["Build"],
                "portfolio_id": ["PF"],
                "priority": [2],
                "phase": ["execution"],
                "rag": ["green"],
                "source_file": [source_file],
            }
        ),
        skills=pl.DataFrame({"id": ["pm"], "name": ["Project manager"]}),
        people=pl.DataFrame(
            {
                "id": ["jack-house"],
                "name": [person_name],
                "region": ["R"],
                "mon": [8.0],
                "tue": [8.0],
                "wed": [8.0],
                "thu": [8.0],
                "fri": [8.0],
            }
        ),
        person_skills=pl.DataFrame({"person_id": ["jack-house"], "skill_id": ["pm"], "level": [3]}),
        demand=pl.DataFrame(
            {"id": ["P1:1"], "project_id": ["P1"], "skill_id": ["pm"], "min_level": [1]}
        ),
        demand_week=pl.DataFrame({"demand_id": ["P1:1"], "week": [WEEK], "hours": [20.0]}),
        allocation=pl.DataFrame(
            {
                "person_id": ["jack-house"],
                "project_id": ["P1"],
                "demand_id": ["P1:1"],
                "week": [WEEK],
                "hours": [20.0],
                "kind": ["soft"],
                "pinned": [False],
            }
        ),
    )


def test_new_database_is_migrated_once(tmp_path: Path) -> None:
    db = connect(tmp_path / "new.db")
    assert applied_version(db) == SCHEMA_VERSION == MIGRATIONS[-1].version
    assert migrate(db) == []
    assert {"person", "allocation", "demand_week", "dependency", "change_log"} <= set(
        db.table_names()
    )


def test_a_version_1_database_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "old.db")
    db.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
    )
    for statement in SCHEMA_V1.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO schema_migrations VALUES (1, 'initial schema', '2026-01-01')")
    db.execute("INSERT INTO portfolio (id, name) VALUES ('PF', 'Portfolio')")
    db.execute("INSERT INTO project (id, name, portfolio_id) VALUES ('P1', 'One', 'PF')")
    applied = migrate(db)
    assert [m.version for m in applied] == [m.version for m in MIGRATIONS[1:]]
    assert read_table(db, "project", ["id", "may_shift_weeks"]).rows() == [("P1", 0)]


def test_bundle_is_written_and_logged(tmp_path: Path) -> None:
    db = connect(tmp_path / "pmo.db")
    report = write_bundles(db, [_project_bundle()], reason="unit test")
    assert report.rows["allocation"] == 1 and report.new_people == ["jack-house"]
    allocation = read_table(db, "allocation")
    assert allocation.select("person_id", "week", "hours", "pinned").row(0) == (
        "jack-house",
        WEEK,
        20.0,
        False,
    )
    log = read_table(db, "change_log")
    assert log["reason"].to_list() == ["unit test"] and log["entity"].to_list() == ["import"]


def test_importing_the_same_allocations_twice_does_not_double_them(tmp_path: Path) -> None:
    db = connect(tmp_path / "pmo.db")
    write_bundles(db, [_project_bundle()])
    write_bundles(db, [_project_bundle()])
    assert read_table(db, "allocation")["hours"].sum() == 20.0


def test_people_merge_by_name_ignoring_case_and_spaces(tmp_path: Path) -> None:
    db = connect(tmp_path / "pmo.db")
    write_bundles(db, [_project_bundle()])
    second = _project_bundle(person_name="  jack   HOUSE ")
    second.people = second.people.with_columns(pl.lit("jh").alias("id"))
    second.allocation = second.allocation.with_columns(pl.lit("jh").alias("person_id"))
    second.person_skills = second.person_skills.with_columns(pl.lit("jh").alias("person_id"))
    report = write_bundles(db, [second], people="merge")
    assert report.merged_people == ["  jack   HOUSE  -> jack-house (matched by name)"]
    assert read_table(db, "person")["id"].to_list() == ["jack-house"]
    assert read_table(db, "allocation")["person_id"].unique().to_list() == ["jack-house"]


def test_unknown_reference_names_the_value_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "pmo.db"
    db = connect(path)
    write_bundles(db, [_project_bundle()])
    before = _dump(db)
    bad = _project_bundle()
    bad.allocation = bad.allocation.with_columns(pl.lit("nobody").alias("person_id"))
    bad.people = bad.people.clear()
    with pytest.raises(UserError) as caught:
        write_bundles(db, [bad])
    assert caught.value.column == "person_id" and "unknown person 'nobody'" in caught.value.message
    assert caught.value.fix
    assert _dump(db) == before


def test_reference_error_names_the_csv_row(tmp_path: Path) -> None:
    db = connect(tmp_path / "pmo.db")
    write_bundles(db, [_project_bundle()])
    csv_file = tmp_path / "allocations.csv"
    csv_file.write_text("person_id,project_id\njack-house,P1\nghost,P1\n")
    bad = _project_bundle()
    bad.allocation = bad.allocation.with_columns(pl.lit("ghost").alias("person_id"))
    bad.people = bad.people.clear()
    bad.origins = {"allocations": str(csv_file)}
    with pytest.raises(UserError) as caught:
        write_bundles(db, [bad])
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        str(csv_file),
        3,
        "person_id",
    )


def test_project_file_imported_twice_needs_replace(tmp_path: Path) -> None:
    db = connect(tmp_path / "pmo.db")
    write_bundles(db, [_project_bundle("plan.gan")], people="merge")
    before = _dump(db)
    with pytest.raises(UserError, match="already in the database"):
        write_bundles(db, [_project_bundle("plan.gan")], people="merge")
    assert _dump(db) == before
    changed = _project_bundle("plan.gan")
    changed.allocation = changed.allocation.with_columns(pl.lit(12.0).alias("hours"))
    write_bundles(db, [changed], people="merge", replace=True)
    assert read_table(db, "allocation")["hours"].to_list() == [12.0]


def test_unreadable_database_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db.db"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(UserError) as caught:
        connect(path)
    assert caught.value.file == str(path) and caught.value.fix


def test_allocation_on_another_projects_demand_is_refused(tmp_path: Path) -> None:
    db = connect(tmp_path / "pmo.db")
    write_bundles(db, [_project_bundle()])
    before = _dump(db)
    bad = _project_bundle()
    bad.projects = pl.DataFrame({"id": ["P2"], "name": ["Other"], "portfolio_id": ["PF"]})
    bad.allocation = bad.allocation.with_columns(pl.lit("P2").alias("project_id"))
    bad.demand = bad.demand.clear()
    bad.demand_week = bad.demand_week.clear()
    with pytest.raises(UserError) as caught:
        write_bundles(db, [bad])
    assert caught.value.column == "project_id"
    assert "demand 'P1:1' belongs to project 'P1', not 'P2'" in caught.value.message
    assert _dump(db) == before


def test_csv_ids_win_over_names_so_namesakes_stay_two_people(tmp_path: Path) -> None:
    db = connect(tmp_path / "pmo.db")
    twins = _project_bundle()
    twins.people = pl.concat(
        [twins.people, twins.people.with_columns(pl.lit("jack-house-2").alias("id"))]
    )
    write_bundles(db, [twins])
    report = write_bundles(db, [twins])  # importing the same file again
    assert read_table(db, "person")["id"].sort().to_list() == ["jack-house", "jack-house-2"]
    assert report.merged_people == []


def test_merged_people_keep_the_pool_calendar_and_the_import_says_so(tmp_path: Path) -> None:
    db = connect(tmp_path / "pmo.db")
    write_bundles(db, [_project_bundle()])
    second = _project_bundle("plan.gan")
    second.projects = second.projects.with_columns(pl.lit("P9").alias("id"))
    second.demand = second.demand.with_columns(
        pl.lit("P9").alias("project_id"), pl.lit("P9:1").alias("id")
    )
    second.demand_week = second.demand_week.with_columns(pl.lit("P9:1").alias("demand_id"))
    second.allocation = second.allocation.with_columns(
        pl.lit("P9").alias("project_id"), pl.lit("P9:1").alias("demand_id")
    )
    second.leave = pl.DataFrame(
        {"person_id": ["jack-house"], "start": [WEEK], "end": [WEEK], "reason": ["vacation"]}
    )
    report = write_bundles(db, [second], people="merge")
    assert read_table(db, "leave").is_empty()
    assert report.notes == [
        "jack-house was already in the pool: kept the pool's calendar, ignored 1 leave row(s) "
        "from the file (add them with `import csv` leave.csv if they are new)"
    ]


def test_a_newer_database_is_refused_with_a_message(tmp_path: Path) -> None:
    db = connect(tmp_path / "new.db")
    db.execute(
        "INSERT INTO schema_migrations VALUES (?, 'from the future', '2030-01-01')",
        [SCHEMA_VERSION + 1],
    )
    db.conn.commit()
    with pytest.raises(UserError, match="newer than this pmo-tui") as caught:
        migrate(db)
    assert "upgrade pmo-tui" in caught.value.fix


def test_reimporting_a_file_without_some_columns_keeps_their_stored_values(tmp_path: Path) -> None:
    from pmo_tui.importers.csv_files import read_csv_bundle

    db = connect(tmp_path / "pmo.db")
    full = tmp_path / "full"
    full.mkdir()
    (full / "portfolios.csv").write_text("id,name\nPF,Portfolio\n")
    (full / "projects.csv").write_text(
        "id,name,portfolio_id,manager,phase,priority,start,finish,budget,rag,may_shift_weeks\n"
        "P2,Two,PF,Ann,execution,3,2027-01-04,2027-03-01,5000,amber,4\n"
    )
    write_bundles(db, [read_csv_bundle([full])])
    thin = tmp_path / "thin"
    thin.mkdir()
    (thin / "projects.csv").write_text(
        "id,name,portfolio_id,phase,priority,start,finish,rag\n"
        "P2,Two renamed,PF,planning,2,2027-01-04,2027-03-01,green\n"
    )  # back a phase: a move forward would need its stage gate (test_status_gates_cli.py)
    write_bundles(db, [read_csv_bundle([thin])])
    row = read_table(db, "project", ["name", "manager", "budget", "may_shift_weeks", "phase"])
    assert row.rows() == [("Two renamed", "Ann", 5000.0, 4, "planning")]
