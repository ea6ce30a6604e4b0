"""The second lever end to end: a project may start later; dependencies hold; the plan
staffs the shifted demand and applying it moves the project's demand weeks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from test_solver_bruteforce import make_input

import solver
from pmo_tui.bootstrap import open_database
from pmo_tui.cli import cli
from pmo_tui.store.reads import read_table
from solver import Policy

W = [dt.date(2027, 1, 4) + dt.timedelta(weeks=k) for k in range(4)]


def collision(allowance: int) -> solver.PlanInput:
    """Ann (40 h) is wanted by HIGH (weight 5) and LOW (weight 1) in weeks 1-2; weeks 3-4
    are free. LOW may start ``allowance`` weeks later."""
    data = make_input(
        capacity=[("ann", w, 40.0) for w in W],
        skills=[("ann", "dev", 2)],
        demand=[("H", "HIGH", "dev", 1, w, 40.0) for w in W[:2]]
        + [("L", "LOW", "dev", 1, w, 40.0) for w in W[:2]],
        projects=[("HIGH", 5.0), ("LOW", 1.0)],
        current=[],
    )
    data.projects = data.projects.with_columns(
        may_shift_weeks=pl.when(pl.col("project_id") == "LOW").then(allowance).otherwise(0)
    )
    return data


def test_a_project_starts_later_when_that_covers_more() -> None:
    # Shift 2: LOW fills weeks 3-4: cover 5x80 + 1x80 = 480, churn 0.2 x 160 = 32,
    # fragmentation 2 x 4 = 8, continuity 2 starts, delay 10 x 1 x 2 = 20 -> 418.
    # Unshifted LOW stays uncovered: 400 - 16 - 4 - 1 start = 379.
    result = solver.solve_plan(collision(2), Policy(workers=1))
    assert result.shifts.select("project_id", "shift_weeks").rows() == [("LOW", 2)]
    assert result.objective_terms["delay"] == pytest.approx(20.0)
    assert result.objective == pytest.approx(418.0)
    assert set(result.plan.filter(pl.col("demand_id") == "L")["week"]) == {W[2], W[3]}
    unshifted = solver.solve_plan(collision(0), Policy(workers=1))
    assert unshifted.shifts.height == 0 and unshifted.objective == pytest.approx(379.0)


def test_a_high_delay_weight_keeps_the_project_where_it_is() -> None:
    result = solver.solve_plan(collision(2), Policy(workers=1, delay_weight=100.0))
    assert result.shifts.height == 0
    assert result.objective == pytest.approx(379.0)


def test_an_impossible_dependency_is_a_named_conflict() -> None:
    data = collision(1)
    data.dependencies = pl.DataFrame(
        {"from_project_id": ["HIGH"], "to_project_id": ["LOW"], "lag_weeks": [1]}
    )
    result = solver.solve_plan(data, Policy(workers=1))
    assert result.status == "INFEASIBLE"
    assert len(result.conflicts) == 1
    assert "LOW" in result.conflicts[0] and "HIGH" in result.conflicts[0]


def _org(folder: Path) -> None:
    (folder / "portfolios.csv").write_text("id,name\nPF,Portfolio\n")
    (folder / "projects.csv").write_text(
        "id,name,portfolio_id,phase,priority,start,finish,rag,may_shift_weeks\n"
        "HIGH,High,PF,execution,1,2027-01-04,2027-01-17,green,0\n"
        "LOW,Low,PF,planning,5,2027-01-04,2027-01-17,green,2\n"
    )
    (folder / "skills.csv").write_text("id,name\ndev,Developer\n")
    (folder / "people.csv").write_text(
        "id,name,region,mon,tue,wed,thu,fri,sat,sun\nann,Ann Lee,UK,8,8,8,8,8,0,0\n"
    )
    (folder / "person_skills.csv").write_text("person_id,skill_id,level\nann,dev,3\n")
    (folder / "demands.csv").write_text(
        "id,project_id,skill_id,min_level,start_week,end_week,hours_per_week\n"
        "H,HIGH,dev,1,2027-01-04,2027-01-11,40\n"
        "L,LOW,dev,1,2027-01-04,2027-01-11,40\n"
    )


def test_plan_apply_moves_the_shifted_projects_demand(tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(db), "db", "init", "--empty"], obj={})
    _org(tmp_path)
    assert (
        runner.invoke(cli, ["--db", str(db), "import", "csv", str(tmp_path)], obj={}).exit_code == 0
    )
    result = runner.invoke(
        cli,
        ["--db", str(db), "plan", "--headless", "--format", "json", "--apply", "--no-progress"],
        obj={},
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(s["project"], s["weeks"]) for s in report["shifts"]] == [("LOW", 2)]
    store = open_database(db, seed_demo=False)
    weeks = read_table(store, "demand_week").filter(pl.col("demand_id") == "L")["week"]
    assert sorted(weeks) == [dt.date(2027, 1, 18), dt.date(2027, 1, 25)]
    low = read_table(store, "project", ["id", "start", "finish", "may_shift_weeks"])
    # the 2-week allowance is used up: a second plan cannot move LOW again
    assert low.filter(pl.col("id") == "LOW").row(0) == (
        "LOW",
        dt.date(2027, 1, 18),
        dt.date(2027, 1, 31),
        0,
    )
    ann = read_table(store, "allocation").filter(pl.col("demand_id") == "L")
    assert sorted(ann["week"]) == [dt.date(2027, 1, 18), dt.date(2027, 1, 25)]


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@st.composite
def linked_projects(draw: st.DrawFn) -> solver.PlanInput:
    """Two to three projects over six weeks, one person, random allowances and links."""
    names = ["A", "B", "C"][: draw(st.integers(2, 3))]
    weeks = [dt.date(2027, 3, 1) + dt.timedelta(weeks=k) for k in range(6)]
    demand = []
    for name in names:
        first = draw(st.integers(0, 3))
        length = draw(st.integers(1, 2))
        demand += [
            (f"D{name}", name, "dev", 1, weeks[k], 20.0) for k in range(first, first + length)
        ]
    data = make_input(
        capacity=[("ann", w, 20.0) for w in weeks],
        skills=[("ann", "dev", 1)],
        demand=demand,
        projects=[(name, draw(st.sampled_from([1.0, 3.0, 5.0]))) for name in names],
        current=[],
    )
    allowances = {name: draw(st.integers(0, 2)) for name in names}
    data.projects = data.projects.with_columns(
        may_shift_weeks=pl.col("project_id").replace_strict(allowances, return_dtype=pl.Int64)
    )
    pairs = [(a, b) for a in names for b in names if a < b]
    chosen = [pair for pair in pairs if draw(st.booleans())]
    data.dependencies = pl.DataFrame(
        {
            "from_project_id": [a for a, _ in chosen],
            "to_project_id": [b for _, b in chosen],
            "lag_weeks": [draw(st.integers(0, 1)) for _ in chosen],
        },
        schema={"from_project_id": pl.String, "to_project_id": pl.String, "lag_weeks": pl.Int64},
    )
    return data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=linked_projects())
def test_dependencies_always_hold_or_are_named(data: solver.PlanInput) -> None:
    result = solver.solve_plan(data, Policy(workers=1, time_limit_s=5))
    if result.status == "INFEASIBLE":
        assert result.conflicts
        return
    shift = dict(result.shifts.select("project_id", "shift_weeks").rows())
    span = data.demand.group_by("project_id").agg(
        pl.col("week").min().alias("first"), pl.col("week").max().alias("last")
    )
    first = {p: f + dt.timedelta(weeks=shift.get(p, 0)) for p, f, _ in span.rows()}
    last = {p: x + dt.timedelta(weeks=shift.get(p, 0)) for p, _, x in span.rows()}
    allowance = dict(data.projects.select("project_id", "may_shift_weeks").rows())
    for before, after, lag in data.dependencies.rows():
        assert first[after] >= last[before] + dt.timedelta(weeks=1 + lag)
    assert all(0 <= weeks <= allowance[p] for p, weeks in shift.items())
    # the plan staffs the demand where it now is: every planned row is on a shifted week
    planned = result.plan.select("demand_id", "week").rows()
    for demand_id, week in planned:
        project = demand_id[1:]
        assert first[project] <= week <= last[project]


def test_a_read_only_database_is_one_clear_message(tmp_path: Path) -> None:
    import os
    import stat

    db = tmp_path / "org.db"
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(db), "db", "init", "--empty"], obj={})
    _org(tmp_path)
    db.chmod(stat.S_IRUSR)
    if os.access(db, os.W_OK):  # root ignores file modes
        pytest.skip("the file stays writable for this user")
    result = runner.invoke(cli, ["--db", str(db), "import", "csv", str(tmp_path)], obj={})
    assert result.exit_code == 2 and "cannot write the database" in result.output
    assert "Traceback" not in result.output


def test_a_write_refused_by_sqlite_is_one_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    import pmo_tui.planning.service

    db = tmp_path / "org.db"
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(db), "db", "init", "--empty"], obj={})
    _org(tmp_path)
    runner.invoke(cli, ["--db", str(db), "import", "csv", str(tmp_path)], obj={})

    def read_only(*_args, **_kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(pmo_tui.planning.service, "apply_outcome", read_only)
    result = runner.invoke(
        cli, ["--db", str(db), "plan", "--headless", "--apply", "--time-limit", "2"], obj={}
    )
    assert result.exit_code == 2, result.output
    assert f"{db}: cannot write the database" in result.output and "Fix:" in result.output
