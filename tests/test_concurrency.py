"""Several users on one database: writers queue, a busy database is one message, stale plans refuse."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from scenario_support import FAST, build_scenario_db, invoke
from store_support import change_sets, content, query

from pmo_tui.bootstrap import open_database
from pmo_tui.planning.service import apply_outcome, run_plan
from pmo_tui.store.marks import StaleData
from solver import Policy


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_scenario_db(tmp_path)


def test_a_write_waits_for_another_writer_then_goes_through(db: Path, monkeypatch) -> None:
    monkeypatch.setenv("PMO_TUI_BUSY_TIMEOUT", "10")
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE person SET unit = 'held' WHERE id = 'cat'")
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    result = invoke(db, "person", "edit", "ann", "--unit", "Ops")
    release.join()
    holder.close()
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT id, unit FROM person WHERE id IN ('ann', 'cat') ORDER BY id") == [
        ("ann", "Ops"),
        ("cat", "held"),
    ]


def test_a_database_busy_past_the_timeout_is_one_message_and_nothing_changes(
    db: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PMO_TUI_BUSY_TIMEOUT", "0.2")
    before = content(db, history=True)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = invoke(db, "person", "edit", "ann", "--unit", "Ops")
        reader = invoke(db, "capacity", "--format", "json")  # reads never wait
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2
    assert "another user is writing to the database (waited 0.2 s); nothing was changed" in (
        result.output
    )
    assert "Traceback" not in result.output
    assert reader.exit_code == 0
    assert content(db, history=True) == before


def test_of_two_plans_computed_together_only_the_first_applies(db: Path) -> None:
    first, second = open_database(db), open_database(db)
    policy = Policy(time_limit_s=20, deterministic_time=0.5)
    outcome_one, outcome_two = run_plan(first, policy), run_plan(second, policy)
    for _ in range(20):  # the same race, repeated: never both
        assert apply_outcome(first, outcome_one) > 0
        with pytest.raises(StaleData, match="allocation changed since this plan was computed"):
            apply_outcome(second, outcome_two)
        # back to the bookings before the plan (an applied plan planned again changes
        # nothing, and a plan that changes nothing writes nothing), then race again
        assert invoke(db, "undo", str(change_sets(db)[-1][0]), "--yes").exit_code == 0
        outcome_one, outcome_two = run_plan(first, policy), run_plan(second, policy)


def test_a_leave_import_while_the_plan_solves_makes_the_apply_refuse(
    db: Path, tmp_path: Path
) -> None:
    database = open_database(db)
    outcome = run_plan(database, Policy(time_limit_s=20, deterministic_time=0.5))
    folder = tmp_path / "leave"
    folder.mkdir()
    (folder / "leave.csv").write_text("person_id,start,end\nann,2027-01-11,2027-01-22\n")
    assert invoke(db, "import", "csv", str(folder)).exit_code == 0
    before = query(db, "SELECT * FROM allocation ORDER BY id")
    with pytest.raises(StaleData) as refused:
        apply_outcome(database, outcome)
    message = refused.value.render()
    assert "leave changed since this plan was computed by change set #" in message
    assert "import csv" in message and "run the plan again" in message
    assert query(db, "SELECT * FROM allocation ORDER BY id") == before


def test_plan_apply_from_the_cli_refuses_on_changed_inputs(db: Path, monkeypatch) -> None:
    from pmo_tui.planning import service

    real = service.run_plan

    def someone_adds_leave_meanwhile(*args, **kwargs):
        outcome = real(*args, **kwargs)
        with sqlite3.connect(db) as other:
            other.execute(
                "INSERT INTO leave (person_id, start, \"end\") VALUES ('cat', '2027-01-04', '2027-01-08')"
            )
        return outcome

    monkeypatch.setattr(service, "run_plan", someone_adds_leave_meanwhile)
    result = invoke(db, "plan", "--headless", "--apply", *FAST)
    assert result.exit_code == 2 and "leave changed since this plan was computed" in result.output
