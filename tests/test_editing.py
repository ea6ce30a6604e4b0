"""Editing from the CLI: each command one change set, the importer's checks, nothing on a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from scenario_support import build_scenario_db, invoke
from store_support import change_sets, content_hash, query

from pmo_tui.cli import cli
from pmo_tui.cli.edit import DEMAND_COLUMNS, PERSON_COLUMNS, PROJECT_COLUMNS
from pmo_tui.importers.csv_specs import COLUMN_SPECS


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_scenario_db(tmp_path)


def test_the_option_lists_are_the_importers_columns() -> None:
    assert tuple(s.name for s in COLUMN_SPECS["people"])[1:] == PERSON_COLUMNS
    assert tuple(s.name for s in COLUMN_SPECS["projects"])[1:] == PROJECT_COLUMNS
    assert tuple(s.name for s in COLUMN_SPECS["demands"])[1:] == DEMAND_COLUMNS


def test_person_add_and_edit_write_one_change_set_each(db: Path) -> None:
    added = invoke(db, "person", "add", "dan", "--name", "Dan Dee", "--region", "UK", "--fri", "4")
    assert added.exit_code == 0, added.output
    assert query(db, "SELECT name, region, mon, fri, sat FROM person WHERE id = 'dan'") == [
        ("Dan Dee", "UK", 8.0, 4.0, 0.0)
    ]
    edited = invoke(db, "person", "edit", "dan", "--unit", "Finance", "--cost-rate", "75")
    assert edited.exit_code == 0, edited.output
    assert query(db, "SELECT unit, cost_rate, fri FROM person WHERE id = 'dan'") == [
        ("Finance", 75.0, 4.0)
    ]
    assert [c[2] for c in change_sets(db)[-2:]] == ["person add", "person edit"]
    logged = query(
        db, "SELECT entity, action, change_set_id FROM change_log ORDER BY id DESC LIMIT 1"
    )
    assert logged == [("person", "edit", change_sets(db)[-1][0])]


def test_a_bad_value_is_refused_with_the_importers_message_and_nothing_changes(db: Path) -> None:
    before = content_hash(db)
    result = invoke(db, "person", "edit", "ann", "--mon", "30", "--cost-rate", "abc")
    assert result.exit_code == 2
    assert "2 problems" in result.output
    assert "option --mon: 30 is out of range: mon must be from 0 to 24" in result.output
    assert "option --cost-rate: 'abc' is not a number" in result.output
    assert content_hash(db) == before


def test_an_unknown_id_gets_did_you_mean(db: Path) -> None:
    result = invoke(db, "skill", "set", "ann", "dta", "3")
    assert result.exit_code == 2 and "unknown skill 'dta'" in result.output
    assert "did you mean 'data'?" in result.output


def test_skill_leave_and_project_edits(db: Path) -> None:
    assert (
        invoke(db, "skill", "set", "ann", "data", "2", "--valid-until", "2027-06-30").exit_code == 0
    )
    assert query(
        db,
        "SELECT level, valid_until FROM person_skill WHERE person_id = 'ann' AND skill_id = 'data'",
    ) == [(2, "2027-06-30")]
    assert invoke(db, "skill", "remove", "ann", "data").exit_code == 0
    assert query(
        db, "SELECT count(*) FROM person_skill WHERE person_id = 'ann' AND skill_id = 'data'"
    ) == [(0,)]
    result = invoke(db, "leave", "add", "ben", "2027-01-11", "2027-01-15", "--reason", "holiday")
    assert result.exit_code == 0, result.output
    leave_id = query(db, "SELECT id FROM leave WHERE person_id = 'ben'")[0][0]
    assert invoke(db, "leave", "remove", str(leave_id)).exit_code == 0
    backwards = invoke(db, "leave", "add", "ben", "2027-01-15", "2027-01-11")
    assert (
        backwards.exit_code == 2 and "end 2027-01-11 is before start 2027-01-15" in backwards.output
    )
    change = ("project", "edit", "P2", "--phase", "closing", "--priority", "1", "--rag", "amber")
    gated = invoke(db, *change, "--may-shift-weeks", "4")
    assert gated.exit_code == 2 and "the execution gate is not approved" in gated.output
    assert query(db, "SELECT phase, rag FROM project WHERE id = 'P2'") == [("execution", "green")]
    edited = invoke(
        db, *change, "--may-shift-weeks", "4", "--force", "--reason", "board approved by e-mail"
    )
    assert edited.exit_code == 0, edited.output
    assert query(
        db, "SELECT phase, priority, rag, may_shift_weeks FROM project WHERE id = 'P2'"
    ) == [("closing", 1, "amber", 4)]
    assert query(db, "SELECT action, reason FROM change_log WHERE action = 'phase_override'") == [
        ("phase_override", "board approved by e-mail")
    ]
    finish_first = invoke(db, "project", "edit", "P2", "--finish", "2026-12-01")
    assert (
        finish_first.exit_code == 2
        and "finish 2026-12-01 is before start 2027-01-04" in finish_first.output
    )


def test_demand_and_allocation_commands(db: Path) -> None:
    added = invoke(
        db,
        "demand",
        "add",
        "D4",
        "--project-id",
        "P1",
        "--skill-id",
        "data",
        "--min-level",
        "2",
        "--start-week",
        "2027-01-04",
        "--end-week",
        "2027-01-11",
        "--hours-per-week",
        "12",
    )
    assert added.exit_code == 0, added.output
    assert query(
        db, "SELECT week, hours FROM demand_week WHERE demand_id = 'D4' ORDER BY week"
    ) == [("2027-01-04", 12.0), ("2027-01-11", 12.0)]
    assert (
        invoke(
            db,
            "demand",
            "edit",
            "D4",
            "--start-week",
            "2027-01-11",
            "--end-week",
            "2027-01-11",
            "--hours-per-week",
            "6",
        ).exit_code
        == 0
    )
    assert query(
        db, "SELECT week, hours FROM demand_week WHERE demand_id = 'D4' ORDER BY week"
    ) == [("2027-01-04", 12.0), ("2027-01-11", 6.0)]
    part = invoke(db, "demand", "edit", "D4", "--start-week", "2027-01-11")
    assert part.exit_code == 2 and "together" in part.output
    booked = invoke(
        db,
        "allocation",
        "set",
        "cat",
        "P1",
        "2027-01-04",
        "2027-01-11",
        "--demand",
        "D4",
        "--hours",
        "10",
        "--kind",
        "hard",
    )
    assert booked.exit_code == 0, booked.output
    assert "booked cat on P1: 2 weeks" in booked.output
    assert query(
        db, "SELECT week, hours, kind, pinned FROM allocation WHERE demand_id = 'D4' ORDER BY week"
    ) == [("2027-01-04", 10.0, "hard", 0), ("2027-01-11", 10.0, "hard", 0)]
    pinned = invoke(db, "allocation", "pin", "cat", "P1", "2027-01-11", "--demand", "D4")
    assert pinned.exit_code == 0 and "pinned 1 week\n" in pinned.output  # not "1 weeks"
    assert query(db, "SELECT week FROM allocation WHERE demand_id = 'D4' AND pinned = 1") == [
        ("2027-01-11",)
    ]
    wrong = invoke(
        db, "allocation", "set", "cat", "P2", "2027-01-04", "--demand", "D4", "--hours", "5"
    )
    assert wrong.exit_code == 2 and "demand 'D4' belongs to project 'P1'" in wrong.output
    not_monday = invoke(
        db, "allocation", "set", "cat", "P1", "2027-01-05", "--demand", "D4", "--hours", "5"
    )
    assert not_monday.exit_code == 2 and "not a Monday" in not_monday.output
    assert (
        invoke(
            db, "allocation", "remove", "cat", "P1", "2027-01-04", "2027-01-11", "--demand", "D4"
        ).exit_code
        == 0
    )
    assert query(db, "SELECT count(*) FROM allocation WHERE demand_id = 'D4'") == [(0,)]


def test_removing_a_person_says_what_goes_and_asks(db: Path) -> None:
    before = content_hash(db)
    declined = CliRunner().invoke(
        cli, ["--db", str(db), "person", "remove", "ann"], obj={}, input="n\n"
    )
    assert declined.exit_code == 0
    assert "Removing person ann, with allocation 4 rows, person_skill 1 row." in declined.output
    assert content_hash(db) == before
    removed = invoke(db, "person", "remove", "ann", "--yes")
    assert removed.exit_code == 0, removed.output
    assert query(db, "SELECT count(*) FROM allocation WHERE person_id = 'ann'") == [(0,)]
    assert query(db, "SELECT count(*) FROM person WHERE id = 'ann'") == [(0,)]


def test_removing_a_project_takes_its_demand_and_allocations(db: Path) -> None:
    result = invoke(db, "project", "remove", "P2", "--yes")
    assert result.exit_code == 0, result.output
    assert "demand 2 rows" in result.output and "demand_week 6 rows" in result.output
    assert query(db, "SELECT count(*) FROM allocation WHERE project_id = 'P2'") == [(0,)]


def test_moving_a_booking_adds_its_hours_to_the_other_person_in_one_change_set(db: Path) -> None:
    invoke(db, "allocation", "set", "ben", "P1", "2027-01-11", "--demand", "D1", "--hours", "4")
    moved = invoke(
        db,
        "allocation",
        "move",
        "ann",
        "P1",
        "2027-01-04",
        "2027-01-11",
        "--demand",
        "D1",
        "--to",
        "ben",
    )
    assert moved.exit_code == 0, moved.output
    assert query(
        db,
        "SELECT person_id, week, hours FROM allocation WHERE demand_id = 'D1' ORDER BY week, person_id",
    ) == [
        ("ben", "2027-01-04", 32.0),
        ("ben", "2027-01-11", 36.0),
        ("ann", "2027-01-18", 32.0),
        ("ann", "2027-01-25", 32.0),
    ]
    assert change_sets(db)[-1][2] == "allocation move"
    assert invoke(db, "undo", str(change_sets(db)[-1][0]), "--yes").exit_code == 0
    assert query(
        db,
        "SELECT person_id, week, hours FROM allocation WHERE demand_id = 'D1' AND week <= '2027-01-11' ORDER BY week, person_id",
    ) == [
        ("ann", "2027-01-04", 32.0),
        ("ann", "2027-01-11", 32.0),
        ("ben", "2027-01-11", 4.0),
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["set", "ann", "P1", "2027-01-04", "--demand", "D1", "--hours", "8"],
        ["remove", "ann", "P1", "2027-01-04", "--demand", "D1"],
        ["pin", "ann", "P1", "2027-01-04", "2027-01-18", "--demand", "D1"],
        ["unpin", "ben", "P2", "2027-01-18", "--demand", "D3"],
        ["move", "ann", "P1", "2027-01-04", "--demand", "D1", "--to", "ben"],
    ],
)
def test_allocation_commands_leave_weeks_of_history_as_they_were(
    db: Path, command: list[str]
) -> None:
    import datetime as dt

    first = dt.date.fromisoformat(command[3])
    wednesday_after = (first + dt.timedelta(days=9)).isoformat()  # the week after: first is history
    before = content_hash(db)
    refused = invoke(db, "allocation", *command, "--today", wednesday_after)
    assert refused.exit_code == 2
    assert (
        f"column 'start_week': the week of {first} is history (before the current week, "
        f"{first + dt.timedelta(weeks=1)}): its bookings are kept as they were. "
        f"Fix: change a week from {first + dt.timedelta(weeks=1)} on"
    ) in refused.output
    assert content_hash(db) == before
    allowed = invoke(db, "allocation", *command, "--today", first.isoformat())  # first is current
    assert allowed.exit_code == 0, allowed.output
    assert content_hash(db) != before


def test_removing_a_skill_the_person_lacks_names_the_skills_they_have(db: Path) -> None:
    before = content_hash(db)
    typo = invoke(db, "skill", "remove", "ben", "dta")
    assert typo.exit_code == 2
    assert (
        "person ben has no skill 'dta'. Fix: did you mean 'data'? ben's skills: data, dev"
    ) in typo.output
    unknown = invoke(db, "skill", "remove", "bne", "data")
    assert unknown.exit_code == 2 and "unknown person 'bne'. Fix: did you mean 'ben'?" in (
        unknown.output
    )
    assert content_hash(db) == before
    assert invoke(db, "skill", "remove", "ben", "data").exit_code == 0
    assert query(db, "SELECT skill_id FROM person_skill WHERE person_id = 'ben'") == [("dev",)]


def test_setting_the_hours_of_a_booking_changes_it_in_place(db: Path) -> None:
    key = "person_id = 'ann' AND project_id = 'P1' AND week = '2027-01-11'"
    [(booking_id, hours, kind, pinned)] = query(
        db, f"SELECT id, hours, kind, pinned FROM allocation WHERE {key}"
    )
    assert (hours, kind, pinned) == (32.0, "soft", 0)
    changed = invoke(db, "allocation", "set", "ann", "P1", "2027-01-11", "--demand", "D1",
                     "--hours", "12", "--kind", "hard")  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert query(db, f"SELECT id, hours, kind, pinned FROM allocation WHERE {key}") == [
        (booking_id, 12.0, "hard", 0)  # the same row: its id and history go on
    ]
    change_set = change_sets(db)[-1][0]
    assert query(db, f"SELECT op, row_key FROM change_row WHERE change_set_id = {change_set}") == [
        ("update", f"[{booking_id}]")
    ]
    told = invoke(db, "undo", str(change_set), "--yes")
    assert f"allocation {booking_id}: set back hours 12.0 → 32.0, kind hard → soft" in told.output
    assert query(db, f"SELECT id, hours, kind FROM allocation WHERE {key}") == [
        (booking_id, 32.0, "soft")
    ]
