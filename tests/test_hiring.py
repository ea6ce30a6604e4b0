"""What to hire: the estimate of one more FTE against a re-solve with that person added.

The cases are small enough to compute by hand with the objective of docs/planning.md
(cover 1 x priority weight per hour, churn 0.2 per hour changed, fragmentation 2 per
person-project-week, continuity 1 per assignment start).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from test_solver_bruteforce import make_input

import solver
from pmo_tui.planning.hiring import (
    fte_estimate,
    hiring_advice,
    in_weeks,
    shortfall_by_quarter,
    with_hire,
)
from solver import Policy

W = [dt.date(2027, 1, 4) + dt.timedelta(weeks=k) for k in range(2)]  # both in 2027-Q1
POLICY = Policy(workers=1, seed=0, deterministic_time=0.0, time_limit_s=60)


def short_of_developers() -> solver.PlanInput:
    """Ann (dev 3, 40 h) cannot cover HIGH's 60 h a week of dev (weight 5): 20 h unmet a
    week; LOW (weight 1) asks 10 h of dev a week, also unmet; nobody else codes."""
    return make_input(
        capacity=[("ann", w, 40.0) for w in W],
        skills=[("ann", "dev", 3)],
        demand=[("H", "HIGH", "dev", 2, w, 60.0) for w in W]
        + [("L", "LOW", "dev", 1, w, 10.0) for w in W],
        projects=[("HIGH", 5.0), ("LOW", 1.0)],
        current=[("ann", "HIGH", "H", w, 40.0, False) for w in W],
    )


def test_the_estimate_fills_the_most_valuable_uncovered_demand_first() -> None:
    data = short_of_developers()
    result = solver.solve_plan(data, POLICY)
    assert result.unmet.filter(result.unmet["demand_id"] == "H")["unmet_hours"].sum() == 40.0
    advice = hiring_advice(data, result, POLICY)
    row = advice.row(0, named=True)
    assert (row["skill_id"], row["quarter"], row["level"]) == ("dev", "2027-Q1", 2)
    assert row["unmet_hours"] == 60.0  # 2 x 20 h of HIGH + 2 x 10 h of LOW
    # 70 h a week asked of dev, 40 h of it can be done (level 1 and up): 30 h a week
    assert row["shortfall_hours"] == 60.0
    # 40 h a week: 20 h of HIGH (5 - 0.2 = 4.8 an hour) then 10 h of LOW (1 - 0.2 = 0.8),
    # two projects a week (2 x 2 x 2 = 8), two demands joined (2):
    # 2 x (20 x 4.8 + 10 x 0.8) - 8 - 2 = 198
    assert (row["fte_hours"], row["fte_value"]) == (60.0, 198.0)


def test_the_estimate_agrees_with_a_re_solve_with_the_hire() -> None:
    data = short_of_developers()
    result = solver.solve_plan(data, POLICY)
    advice = hiring_advice(data, result, POLICY, check_top=1, solve=solver.solve_plan)
    row = advice.row(0, named=True)
    assert row["checked_hours"] == pytest.approx(row["fte_hours"])
    assert row["checked_value"] == pytest.approx(row["fte_value"], abs=0.05)


def test_a_hire_adds_a_person_in_those_weeks_only() -> None:
    data = with_hire(short_of_developers(), "dev", 2, W[:1])
    assert data.capacity.filter(data.capacity["person_id"] == "hire-dev").rows() == [
        ("hire-dev", W[0], 40.0)
    ]
    assert ("hire-dev", "dev", 2) in data.skills.select("person_id", "skill_id", "level").rows()
    one_week = in_weeks(short_of_developers(), W[1:])
    assert set(one_week.demand["week"]) == {W[1]} and set(one_week.current["week"]) == {W[1]}


def test_demand_worth_less_than_its_costs_is_not_taken() -> None:
    uncovered = pl.DataFrame(
        {
            "week": [W[0]],
            "demand_id": ["T"],
            "project_id": ["TINY"],
            "unmet_hours": [2.0],
            "weight": [1.0],
        }
    )
    # 2 h x (1 - 0.2) = 1.6 < fragmentation 2 + continuity 1: not worth a project
    assert fte_estimate(uncovered, POLICY) == (0.0, 0.0)


@pytest.mark.parametrize("seed", range(6))
def test_on_random_small_cases_the_estimate_bounds_the_hire_when_nothing_else_moves(
    seed: int,
) -> None:
    """One skill, random demand and people: the estimate (the hire covers only uncovered
    demand) never overstates what a re-solve finds by more than the minimum-block rounding."""
    import random

    rng = random.Random(seed)
    people = [f"p{k}" for k in range(rng.randint(1, 3))]
    projects = [(f"P{k}", float(rng.randint(1, 5))) for k in range(3)]
    demand = [
        (f"D{k}", project, "dev", 1, w, float(rng.choice([10, 20, 30, 40, 60])))
        for k, (project, _) in enumerate(projects)
        for w in W
    ]
    data = make_input(
        capacity=[(p, w, 40.0) for p in people for w in W],
        skills=[(p, "dev", 3) for p in people],
        demand=demand,
        projects=projects,
        current=[],
    )
    result = solver.solve_plan(data, POLICY)
    advice = hiring_advice(data, result, POLICY, check_top=1, solve=solver.solve_plan)
    if advice.is_empty():
        return
    row = advice.row(0, named=True)
    assert row["checked_value"] >= 0.0
    assert row["checked_value"] >= row["fte_value"] - 1e-6 or row["checked_value"] == pytest.approx(
        row["fte_value"], rel=0.05
    )


def test_the_shortfall_counts_nested_levels_and_expired_skills() -> None:
    """Week 1: level 4 asks 50 h, only bea (level 4, 40 h) can: 10 h short; level 1 and up
    asks 50 + 30 = 80 h of 40 + 40 h: none short -> 10 h. Week 2: bea's skill has expired,
    so level 4's 50 h has nobody: 50 h short."""
    data = make_input(
        capacity=[(p, w, 40.0) for p in ("ann", "bea") for w in W],
        skills=[("ann", "dev", 1), ("bea", "dev", 4)],
        demand=[("X", "P", "dev", 4, w, 50.0) for w in W]
        + [("Y", "P", "dev", 1, w, 30.0) for w in W],
        projects=[("P", 1.0)],
        current=[],
    )
    data.skills = data.skills.with_columns(
        pl.when(pl.col("person_id") == "bea")
        .then(pl.lit(W[1]))
        .otherwise(None)
        .alias("valid_until")
    )
    assert shortfall_by_quarter(data).rows() == [("dev", "2027-Q1", 60.0)]


def test_the_suggested_hires_are_a_valid_scenario(tmp_path) -> None:
    from pmo_tui.planning.hiring import hiring_scenario, quarter_start
    from pmo_tui.scenarios.schema import load_scenario

    advice = pl.DataFrame(
        {"skill_id": ["dev"], "quarter": ["2027-Q2"], "level": [3], "fte_value": [100.0]}
    )
    people = pl.DataFrame(
        {
            "id": ["ann", "bea", "cid"],
            "region": ["UK", "DE", "DE"],
            "cost_rate": [80.0, 90.0, 100.0],
        }
    )
    skills = pl.DataFrame({"person_id": ["ann", "bea", "cid"], "skill_id": ["dev", "dev", "dev"]})
    path = tmp_path / "hire.toml"
    path.write_text(hiring_scenario(advice, people, skills))
    (change,) = load_scenario(path).changes
    assert change.kind == "add_person"
    assert change.values["skills"] == {"dev": 3}
    assert change.values["region"] == "DE"  # where most dev holders are
    assert change.values["cost_rate"] == 90.0  # their median rate
    assert change.values["start"] == quarter_start("2027-Q2") == dt.date(2027, 4, 5)


def test_advise_hiring_on_the_cli_checks_and_writes_the_scenario(tmp_path) -> None:
    from click.testing import CliRunner
    from test_tui_support import build_small_db

    from pmo_tui.cli import cli

    db = build_small_db(tmp_path / "t.db")
    extra = tmp_path / "demands.csv"  # more development than the tiny organisation can do
    extra.write_text(
        "id,project_id,skill_id,min_level,start_week,end_week,hours_per_week\n"
        "D9,P-CRM,dev,2,2027-01-04,2027-01-25,100\n"
    )
    imported = CliRunner().invoke(cli, ["--db", str(db), "import", "csv", str(extra)], obj={})
    assert imported.exit_code == 0, imported.output
    scenario = tmp_path / "hire.toml"
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            str(db),
            "advise",
            "hiring",
            "--today",
            "2027-01-04",
            "--format",
            "json",
            "--deterministic-time",
            "0",
            "--scenario",
            str(scenario),
        ],
        obj={},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    import json

    rows = json.loads(result.stdout)
    assert rows[0]["skill"] == "dev" and rows[0]["checked_adds"] is not None
    assert all(r["one_fte_adds"] >= rows[-1]["one_fte_adds"] for r in rows)  # largest first
    assert 'kind = "add_person"' in scenario.read_text()
