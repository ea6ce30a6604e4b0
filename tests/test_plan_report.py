"""What the plan reports say: KPI changes that add up, moves within a project, 100 columns.

Hand-made outcomes (the fields the reports read) where the arithmetic is the point;
a real solve of the tiny organisation of ``test_tui_support`` for the terminal layout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from click.testing import CliRunner
from test_tui_support import TODAY, build_small_db

from pmo_tui.cli import cli
from pmo_tui.domain.horizon import window_of
from pmo_tui.planning.service import PlanOutcome, run_plan
from pmo_tui.reporting.plan import (
    TERMINAL_MOVES,
    kpi_frame,
    moves_frame,
    person_moves,
    render_outcome,
)
from pmo_tui.store.readonly import read_connection
from solver import Policy

WEEK = dt.date(2027, 1, 4)
LONG_REASON = " ".join(["covers unmet data-engineering demand D-0080 on project DA-EDW"] * 3)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> PlanOutcome:
    path = build_small_db(tmp_path_factory.mktemp("plan") / "t.db")
    connection = read_connection(path)
    try:
        return run_plan(connection, Policy(time_limit_s=5), window=window_of(TODAY))
    finally:
        connection.close()


def test_kpi_change_is_the_difference_of_the_values_as_shown() -> None:
    result = SimpleNamespace(
        kpis_before={"coverage_pct": 79.24, "unmet_hours": 10.04},
        kpis_after={"coverage_pct": 88.75, "unmet_hours": 10.0},
    )
    kpis = kpi_frame(SimpleNamespace(result=result))  # type: ignore[arg-type]
    coverage = kpis.filter(pl.col("kpi") == "coverage %").row(0, named=True)
    assert (coverage["before"], coverage["after"], coverage["change"]) == (79.2, 88.8, 9.6)
    unmet = kpis.filter(pl.col("kpi") == "unmet hours").row(0, named=True)
    assert unmet["change"] == 0.0  # 10.0 -> 10.0 as shown, not -0.04


def _one_project_outcome() -> SimpleNamespace:
    """Ann moves 10 h of week 2027-W01 from demand D1 to D2, both of project P1."""
    allocation = {"person_id": ["ann"], "project_id": ["P1"], "week": [WEEK], "pinned": [False]}
    current = pl.DataFrame({**allocation, "demand_id": ["D1"], "hours": [20.0]})
    plan = pl.DataFrame(
        {
            "person_id": ["ann", "ann"],
            "project_id": ["P1", "P1"],
            "demand_id": ["D1", "D2"],
            "week": [WEEK, WEEK],
            "hours": [10.0, 10.0],
            "pinned": [False, False],
        }
    )
    moves = pl.DataFrame(
        {
            "person_id": ["ann"],
            "from_project_id": ["P1"],
            "to_project_id": ["P1"],
            "demand_id": ["D2"],
            "first_week": [WEEK],
            "last_week": [WEEK],
            "weeks": [1],
            "hours": [10.0],
            "gain": [4.0],
            "reason": ["covers unmet dev demand D2 on project P1 (priority weight 1)"],
        }
    )
    return SimpleNamespace(
        result=SimpleNamespace(moves=moves, plan=plan),
        inputs=SimpleNamespace(current=current),
        people=pl.DataFrame({"person_id": ["ann"], "name": ["Ann Archer"]}),
    )


def test_a_move_within_one_project_says_which_demands_it_moves_between() -> None:
    moves = person_moves(_one_project_outcome())  # type: ignore[arg-type]
    assert moves["reason"].to_list() == [
        "moves hours within P1 from demand D1 to D2: "
        "covers unmet dev demand D2 on project P1 (priority weight 1)"
    ]
    assert moves_frame(_one_project_outcome()).columns[0] == "person"  # type: ignore[arg-type]


def _many_long_moves(outcome: PlanOutcome) -> PlanOutcome:
    """``outcome`` with 30 copies of its moves, each with a reason of 190 characters."""
    moves = pl.concat([outcome.result.moves] * 30).with_columns(pl.lit(LONG_REASON).alias("reason"))
    return dataclasses.replace(outcome, result=dataclasses.replace(outcome.result, moves=moves))


def test_the_summary_fits_100_columns_with_whole_reasons_and_says_where_the_rest_is(
    outcome: PlanOutcome,
) -> None:
    crowded = _many_long_moves(outcome)
    text = render_outcome(crowded, "table", width=100)
    assert max(len(line) for line in text.splitlines()) <= 100
    moves_part = text.split("Moves (")[1].split("\n\n")[0]
    reasons = [line for line in moves_part.splitlines() if line.startswith("    ")]
    assert " ".join(line.strip() for line in reasons).count(LONG_REASON) == TERMINAL_MOVES
    assert f"the {TERMINAL_MOVES} largest of {crowded.result.moves.height} moves" in moves_part
    assert "`pmo-tui export plan -o plan.xlsx`" in " ".join(moves_part.split())
    whole = render_outcome(crowded, "table")  # not a terminal: every line whole
    assert any(len(line) > 100 for line in whole.splitlines())


def test_the_moves_fit_an_80_column_terminal_with_their_weeks_whole(
    outcome: PlanOutcome,
) -> None:
    """Names and ids as long as the demo's: the row is person, from, to, demand, the weeks
    in one column (``2027-W01–W02 (2 w)``), hours and gain, within 80 columns."""
    long = _many_long_moves(outcome).result.moves.with_columns(
        pl.lit("CX-PORTAL").alias("from_project_id"),
        pl.lit("CX-MOBILE").alias("to_project_id"),
        pl.lit("D-0231").alias("demand_id"),
        pl.lit(dt.date(2027, 1, 4)).alias("first_week"),
        pl.lit(dt.date(2027, 1, 11)).alias("last_week"),
        pl.lit(2).alias("weeks"),
        pl.lit(172.5).alias("hours"),
        pl.lit(-1302.4).alias("gain"),
    )
    crowded = dataclasses.replace(outcome, result=dataclasses.replace(outcome.result, moves=long))
    text = render_outcome(crowded, "table", width=80)
    moves_part = text.split("Moves (")[1].split("\n\n")[0]
    assert max(len(line) for line in moves_part.splitlines()) <= 80
    header, _, first_row = moves_part.splitlines()[1:4]
    assert header.split() == ["person", "from", "to", "demand", "weeks", "hours", "gain"]
    assert "CX-PORTAL  CX-MOBILE  D-0231  2027-W01–W02 (2 w)  172.5  -1302.4" in first_row
    narrow = render_outcome(crowded, "table", width=70).split("Moves (")[1].split("\n\n")[0]
    assert "2027-W01–W02 (2 w)" in narrow.splitlines()[3]  # the person is cut, never the weeks


def test_the_shortfall_table_fits_80_columns_with_reader_labels(outcome: PlanOutcome) -> None:
    shortfall = pl.DataFrame(
        {
            "skill_id": ["solution-architecture"],
            "min_level": [3],
            "week": [dt.date(2027, 1, 18)],
            "demand_hours": [146.0],
            "qualified_capacity_hours": [120.0],
            "shortfall_hours": [26.0],
        }
    )
    short = dataclasses.replace(
        outcome, result=dataclasses.replace(outcome.result, shortfall=shortfall)
    )
    part = render_outcome(short, "table", width=80).split("Shortfall no re-allocation")[1]
    lines = part.split("\n\n")[0].splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if line.startswith("skill"))
    assert header.split() == ["skill", "level", "week", "demand_h", "qualified_h", "shortfall_h"]
    assert "2027-01-18     146.0        120.0         26.0" in part


def test_plan_headless_in_a_100_column_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pmo_tui.cli.plan.terminal_width", lambda: 100)
    db = build_small_db(tmp_path / "t.db")
    result = CliRunner().invoke(
        cli,
        ["--db", str(db), "plan", "--headless", "--time-limit", "5", "--no-progress"],
        obj={},
    )
    assert result.exit_code == 0, result.output
    assert "Moves (4)" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 100


def test_the_first_run_says_it_created_the_database_with_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data" / "pmo.db"
    monkeypatch.delenv("PMO_TUI_DB", raising=False)
    monkeypatch.setattr("pmo_tui.store.paths.default_db_path", lambda: path)
    runner = CliRunner()
    monkeypatch.setenv("COLUMNS", "100")
    first = runner.invoke(cli, ["findings", "--format", "json"], obj={})
    assert first.exit_code == 0, first.output
    notice = " ".join(first.stderr.split())
    assert (
        f"Created the database {path} with the demo organisation (made for the current week)"
        in notice
    )
    assert max(len(line) for line in first.stderr.splitlines()) <= 100  # wrapped between words
    assert len(first.stderr.splitlines()) > 1 and "(made for the current week)." in notice
    again = runner.invoke(cli, ["findings", "--format", "json"], obj={})
    assert again.exit_code == 0 and "Created" not in again.stderr


def test_the_held_back_line_names_both_thresholds() -> None:
    from pmo_tui.reporting.plan import _held_back_lines

    held = {"moves": 3.0, "hours": 12.5, "gain": 7.25}
    both = SimpleNamespace(held_back=held, settings={"min_move_gain": 1.0, "min_person_gain": 5.0})
    assert _held_back_lines(both) == [
        "Held back: 3 moves (12.5 h) worth at most 1 each or 5 per person they would move, "
        "7.2 in total (min_move_gain, min_person_gain)"
    ]
    # a result saved before min_person_gain existed, or with it off
    old = SimpleNamespace(held_back=held, settings={"min_move_gain": 1.0})
    assert _held_back_lines(old) == [
        "Held back: 3 moves (12.5 h) worth at most 1 each, 7.2 in total (min_move_gain)"
    ]
    assert _held_back_lines(SimpleNamespace(held_back={"moves": 0.0}, settings={})) == []
