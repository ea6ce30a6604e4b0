"""History and undo: every write is a change set; undo puts its rows back as a new one."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from scenario_support import FAST, build_scenario_db, invoke, write_scenario
from store_support import change_sets, content, content_hash, query


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_scenario_db(tmp_path)


def _last(db: Path) -> int:
    return change_sets(db)[-1][0]


def _allocations(db: Path) -> list[tuple]:
    return query(db, "SELECT * FROM allocation ORDER BY id")


def test_log_lists_change_sets_and_json_names_them_change_set(db: Path) -> None:
    invoke(db, "person", "edit", "ann", "--unit", "Ops")
    listed = json.loads(invoke(db, "log", "--format", "json").output)
    assert [row["command"] for row in listed[:2]] == ["person edit", "import csv"]
    assert listed[0]["change_set"] == _last(db) and listed[0]["rows"] == 1
    assert listed[0]["tables"] == "person"
    only_ann = json.loads(invoke(db, "log", "--entity", "person:ann", "--format", "json").output)
    assert {row["command"] for row in only_ann} == {"person edit", "import csv"}
    rows = json.loads(invoke(db, "log", str(_last(db)), "--format", "json").output)
    assert rows == [
        {
            "change_set": _last(db),
            "table": "person",
            "op": "update",
            "key": "ann",
            "column": "unit",
            "before": None,
            "after": "Ops",
        }
    ]


def test_undo_of_a_plan_apply_gives_back_the_allocations(db: Path) -> None:
    before = _allocations(db)
    applied = invoke(db, "plan", "--headless", "--apply", *FAST)
    assert applied.exit_code == 0, applied.output
    assert _allocations(db) != before
    undone = invoke(db, "undo", str(_last(db)), "--yes")
    assert undone.exit_code == 0, undone.output
    assert _allocations(db) == before


MOVABLE = (
    "SELECT id, person_id, project_id, demand_id, week, hours FROM allocation "
    "WHERE demand_id IS NOT NULL AND pinned = 0 AND kind = 'soft'"
)


def _movable_by_key(db: Path) -> dict[tuple, tuple[int, float]]:
    return {tuple(row[1:5]): (row[0], round(row[5], 1)) for row in query(db, MOVABLE)}


def test_a_plan_apply_writes_only_the_bookings_it_changes(db: Path) -> None:
    """A booking the plan keeps as it is keeps its row (and id) and is not in the change
    set; one it keeps with other hours is updated in place; the change set holds exactly
    the bookings that differ."""
    before = _movable_by_key(db)
    applied = invoke(db, "plan", "--headless", "--apply", *FAST)
    assert applied.exit_code == 0, applied.output
    after = _movable_by_key(db)
    both = before.keys() & after.keys()
    same = [key for key in both if before[key][1] == after[key][1]]
    other_hours = [key for key in both if before[key][1] != after[key][1]]
    assert same and all(before[key][0] == after[key][0] for key in same)
    assert all(before[key][0] == after[key][0] for key in other_hours)
    differing = len(before.keys() ^ after.keys()) + len(other_hours)
    rows = json.loads(invoke(db, "log", str(_last(db)), "--format", "json").output)
    touched = {row["key"] for row in rows if row["table"] == "allocation"}
    assert len(touched) == differing > 0
    change_set = _last(db)
    assert (
        f"applied: {differing} allocation rows written as change set {change_set} "
        f"(`pmo-tui log {change_set}` lists them, `pmo-tui undo {change_set}` reverts them)"
    ) in applied.output


def test_applying_a_plan_that_changes_nothing_writes_no_change_set(db: Path) -> None:
    """Planning again on applied data proposes no move; applying it must not log a change
    set that rewrites every booking (it would block undoing the first apply)."""
    first = invoke(db, "plan", "--headless", "--apply", *FAST)
    assert first.exit_code == 0, first.output
    applied, after_first = _last(db), _allocations(db)
    again = invoke(db, "plan", "--headless", "--apply", *FAST)
    assert again.exit_code == 0, again.output
    assert "nothing to apply: the allocations already are this plan" in again.output
    assert _last(db) == applied and _allocations(db) == after_first
    assert invoke(db, "undo", str(applied), "--yes").exit_code == 0


def test_undo_of_an_import_and_of_a_promote(db: Path, tmp_path: Path) -> None:
    start = content_hash(db)
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "leave.csv").write_text("person_id,start,end\nann,2027-01-11,2027-01-15\n")
    assert invoke(db, "import", "csv", str(folder)).exit_code == 0
    assert invoke(db, "undo", str(_last(db)), "--yes").exit_code == 0
    assert content_hash(db) == start
    scenario = write_scenario(
        tmp_path, "grow", '[[change]]\nkind = "priority"\nproject = "P2"\npriority = 1\n'
    )
    promoted = invoke(db, "scenario", "promote", str(scenario), "--yes", *FAST)
    assert promoted.exit_code == 0, promoted.output
    assert content_hash(db) != start
    assert invoke(db, "undo", str(_last(db)), "--yes").exit_code == 0
    assert content_hash(db) == start


def test_undo_is_refused_when_a_later_change_set_wrote_the_same_rows(db: Path) -> None:
    invoke(db, "person", "edit", "ann", "--unit", "Ops")
    first = _last(db)
    invoke(db, "person", "edit", "ann", "--unit", "Finance")
    second = _last(db)
    before = content(db, history=True)
    refused = invoke(db, "undo", str(first), "--yes")
    assert refused.exit_code == 2
    assert f"later change sets wrote the same rows: #{second} " in refused.output
    assert "person edit" in refused.output and "--force" in refused.output
    assert content(db, history=True) == before
    assert invoke(db, "undo", str(second), "--yes").exit_code == 0
    assert query(db, "SELECT unit FROM person WHERE id = 'ann'") == [("Ops",)]
    forced = invoke(db, "undo", str(first), "--yes", "--force")
    assert forced.exit_code == 0, forced.output
    assert query(db, "SELECT unit FROM person WHERE id = 'ann'") == [(None,)]


def test_undoing_the_later_change_sets_first_clears_the_way_and_a_redo_blocks_again(
    db: Path,
) -> None:
    invoke(db, "person", "edit", "ann", "--unit", "Ops")
    first = _last(db)
    invoke(db, "person", "edit", "ann", "--unit", "Finance")
    second = _last(db)
    assert invoke(db, "undo", str(second), "--yes").exit_code == 0  # the fix the refusal gives
    undo_of_second = _last(db)
    assert invoke(db, "undo", str(undo_of_second), "--yes").exit_code == 0  # a redo: Finance
    redo = _last(db)
    refused = invoke(db, "undo", str(first), "--yes")
    assert refused.exit_code == 2
    assert f"#{second} " not in refused.output and f"#{undo_of_second} " not in refused.output
    assert f"later change sets wrote the same rows: #{redo} " in refused.output
    assert invoke(db, "undo", str(redo), "--yes").exit_code == 0  # Ops again
    undone = invoke(db, "undo", str(first), "--yes")  # no --force needed any more
    assert undone.exit_code == 0, undone.output
    assert query(db, "SELECT unit FROM person WHERE id = 'ann'") == [(None,)]


def test_undo_of_a_removal_puts_back_every_row_and_an_undo_can_be_undone(db: Path) -> None:
    start = content_hash(db)
    assert invoke(db, "person", "remove", "ben", "--yes").exit_code == 0
    removed = content_hash(db)
    assert invoke(db, "undo", str(_last(db)), "--yes").exit_code == 0
    assert content_hash(db) == start
    assert invoke(db, "undo", str(_last(db)), "--yes").exit_code == 0  # redo
    assert content_hash(db) == removed


def test_undo_names_rows_written_outside_pmo_tui(db: Path) -> None:
    invoke(db, "person", "edit", "ann", "--unit", "Ops")
    with sqlite3.connect(db) as other:
        other.execute("UPDATE person SET unit = 'Sales' WHERE id = 'ann'")
    refused = invoke(db, "undo", str(_last(db)), "--yes")
    assert (
        refused.exit_code == 2
        and "rows changed outside pmo-tui since: person ann" in refused.output
    )


def test_undo_shows_what_it_does_and_asks(db: Path) -> None:
    from click.testing import CliRunner

    from pmo_tui.cli import cli

    invoke(
        db,
        "allocation",
        "set",
        "ben",
        "P1",
        "2027-01-04",
        "2027-01-11",
        "--demand",
        "D1",
        "--hours",
        "8",
    )
    before = content(db, history=True)
    answer = CliRunner().invoke(cli, ["--db", str(db), "undo", str(_last(db))], obj={}, input="n\n")
    assert "allocation set by" in answer.output and "allocation: delete 2" in answer.output
    assert (
        ": delete (person_id ben, project_id P1, demand_id D1, week 2027-01-11, hours 8.0, "
        "kind soft, pinned 0)"
    ) in answer.output  # each row, with its values
    assert "Nothing was written." in answer.output
    assert content(db, history=True) == before
    invoke(db, "person", "edit", "ann", "--unit", "Ops")
    told = CliRunner().invoke(cli, ["--db", str(db), "undo", str(_last(db))], obj={}, input="n\n")
    assert "person: set back 1\n    person ann: set back unit Ops → -\n" in told.output


def test_undo_does_not_rewrite_weeks_that_have_become_history(db: Path) -> None:
    """A plan applied as of the organisation's first week, undone weeks later: its rows in
    the weeks now past are history (DESIGN.md, "Time"); --force is needed."""
    before = _allocations(db)
    first = min(row[4] for row in before)  # the earliest week booked (ISO text)
    applied = invoke(db, "plan", "--headless", "--apply", "--today", first, *FAST)
    assert applied.exit_code == 0, applied.output
    later = "2027-03-29"  # weeks past the organisation's weeks: all of them are history
    refused = invoke(db, "undo", str(_last(db)), "--yes", "--today", later)
    assert refused.exit_code == 2 and "are history" in refused.output
    assert (
        "Fix: leave history as it was (an undo does not rewrite past weeks), or pass --force"
        in refused.output
    )
    assert "later change sets" not in refused.output  # not the reason, so not the fix
    assert _allocations(db) != before  # nothing was undone
    forced = invoke(db, "undo", str(_last(db)), "--yes", "--force", "--today", later)
    assert forced.exit_code == 0, forced.output
    assert _allocations(db) == before


def test_a_misspelt_entity_kind_is_refused_with_did_you_mean(db: Path) -> None:
    invoke(db, "person", "edit", "ann", "--unit", "Ops")
    listed = invoke(db, "log", "--entity", "person:ann", "--format", "json")
    assert [row["command"] for row in json.loads(listed.output)][0] == "person edit"
    typo = invoke(db, "log", "--entity", "preson:ann")
    assert typo.exit_code == 2
    assert "option --entity: there is no entity kind 'preson'" in typo.output
    assert "did you mean 'person'?" in typo.output and "allocation, " in typo.output
    unknown = invoke(db, "log", "--entity", "zzz")
    assert unknown.exit_code == 2 and "did you mean" not in unknown.output
