"""The weekly solve: it beats greedy where greedy is provably wrong, and the rounded LP
plan is feasible (capacity, demand, pins, fixed load) on a seeded random organisation."""

from __future__ import annotations

import datetime as dt
import random
import time

import numpy as np
import polars as pl
import pytest

import solver
from solver import INPUT_SCHEMAS, PlanInput, Policy
from solver.greedy import assemble_plan, greedy_values
from solver.prepare import prepare
from solver.relax import lagrangian_bound, relax
from solver.rounding import round_relaxation
from solver.weekly import split_weeks, week_values

W1 = dt.date(2027, 1, 4)


def frames(**rows: list[tuple]) -> PlanInput:
    return PlanInput(
        **{
            name: pl.DataFrame(rows.get(name, []), schema=schema, orient="row")
            for name, schema in INPUT_SCHEMAS.items()
        }
    )


def test_plan_strictly_beats_greedy_where_first_fit_blocks_the_only_specialist() -> None:
    # Greedy fills the weight-2 Dev demand first, first fit by name: alice (Dev and Design)
    # takes it, and nobody else can do the Design demand; bob (Dev only) stays idle.
    # Greedy: cover 2 x 40 = 80, churn 0.2 x 40 = 8, fragmentation 2, 1 start -> 69.
    # Best: bob on Dev (80 - 8 - 2 - 1 = 69) and alice on Design (40 - 8 - 2 - 1 = 29) -> 98.
    data = frames(
        capacity=[("alice", W1, 40.0), ("bob", W1, 40.0)],
        skills=[("alice", "Dev", 3), ("alice", "Design", 3), ("bob", "Dev", 3)],
        demand=[("DEV", "P", "Dev", 1, W1, 40.0), ("DES", "Q", "Design", 1, W1, 40.0)],
        projects=[("P", 2.0), ("Q", 1.0)],
    )
    result = solver.solve_plan(data, Policy(workers=1))
    assert result.greedy_objective == pytest.approx(69.0)
    assert result.objective == pytest.approx(98.0)
    assert result.status == "OPTIMAL"
    assert result.bound == pytest.approx(98.0)
    assert result.lp_bound >= 100.0 - 1e-6
    assert result.plan.select("person_id", "demand_id", "hours").rows() == [
        ("alice", "DES", 40.0),
        ("bob", "DEV", 40.0),
    ]


def random_organisation(seed: int) -> PlanInput:
    """12 people, 4 projects, 3 weeks; over-booked current plan, pins and fixed load."""
    rng = random.Random(seed)
    people = [f"p{i:02d}" for i in range(12)]
    weeks = [W1 + dt.timedelta(weeks=k) for k in range(3)]
    skills = ["Dev", "QA", "Ops"]
    demands = [(f"D{j}", f"P{j % 4}", skills[j % 3], rng.randint(1, 3)) for j in range(9)]
    current = []
    for person in people:
        for week in weeks:
            for demand_id, project, _, _ in rng.sample(demands, 2):
                current.append(
                    (
                        person,
                        project,
                        demand_id,
                        week,
                        rng.choice([8.0, 16.0, 24.0]),
                        rng.random() < 0.1,
                    )
                )
            if rng.random() < 0.3:
                current.append((person, "OPS", None, week, 4.0, False))
    capacity = [(p, w, rng.choice([0.0, 24.0, 40.0, 40.0, 40.0])) for p in people for w in weeks]
    limit = {(p, w): c for p, w, c in capacity}
    pinned = {}
    for person, _, demand_id, week, hours, is_pinned in current:
        if is_pinned or demand_id is None:
            pinned[(person, week)] = pinned.get((person, week), 0.0) + hours
    capacity = [(p, w, max(c, pinned.get((p, w), 0.0))) for p, w, c in capacity]
    assert limit  # capacity raised where pins and fixed load need it: the input is feasible
    return frames(
        capacity=capacity,
        skills=[(p, s, rng.randint(1, 3)) for p in people for s in skills if rng.random() < 0.6],
        demand=[
            (d, pr, s, lv, w, rng.choice([16.0, 24.0, 40.0, 60.0]))
            for d, pr, s, lv in demands
            for w in weeks
        ],
        projects=[(f"P{k}", float(k + 1)) for k in range(4)],
        current=current,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rounded_lp_plan_is_feasible_and_below_its_bound(seed: int) -> None:
    data = random_organisation(seed)
    prepared = prepare(data)
    assert not prepared.conflicts
    policy = Policy()
    greedy = greedy_values(prepared)
    values = np.zeros(prepared.candidates.height, dtype=np.int64)
    for week in split_weeks(prepared, policy):
        start = week_values(week, greedy) > 0
        relaxation = relax(week, start, time.perf_counter() + 10)
        rounded = round_relaxation(week, relaxation, [])
        assert week.feasible(rounded)
        assert week.value(rounded) <= relaxation.bound + 1e-6
        zero = np.zeros(week.free.shape[0]), np.zeros(week.remaining.shape[0])
        assert relaxation.bound <= lagrangian_bound(week, *zero) + 1e-6
        values[week.candidate] = rounded
    plan = assemble_plan(prepared, values.tolist())
    load = plan.group_by("person_id", "week").agg(pl.col("hours").sum())
    over = load.join(data.capacity, on=["person_id", "week"], suffix="_capacity").filter(
        pl.col("hours") > pl.col("hours_capacity") + 1e-9
    )
    assert over.height == 0
    # Pins may exceed a demand on their own; the movable hours fill at most what they leave.
    on_demand = plan.filter(pl.col("demand_id").is_not_null())
    movable = (
        on_demand.filter(~pl.col("pinned")).group_by("demand_id", "week").agg(pl.col("hours").sum())
    )
    pinned = (
        on_demand.filter(pl.col("pinned"))
        .group_by("demand_id", "week")
        .agg(pl.col("hours").sum().alias("pinned"))
    )
    asked = data.demand.group_by("demand_id", "week").agg(pl.col("hours").sum().alias("asked"))
    open_hours = asked.join(pinned, on=["demand_id", "week"], how="left").with_columns(
        open=(pl.col("asked") - pl.col("pinned").fill_null(0.0)).clip(lower_bound=0.0)
    )
    assert (
        movable.join(open_hours, on=["demand_id", "week"], how="left")
        .filter(pl.col("hours") > pl.col("open").fill_null(0.0) + 1e-9)
        .height
        == 0
    )
    constant = pl.col("pinned") | pl.col("demand_id").is_null()
    assert sorted(plan.filter(constant).rows()) == sorted(data.current.filter(constant).rows())
    result = solver.solve_plan(data, Policy(workers=1, time_limit_s=5))
    assert result.objective >= result.greedy_objective - 1e-9
    assert result.objective <= result.bound + 1e-6


@pytest.mark.parametrize("seed", [0, 1])
def test_flow_bound_is_above_every_plan_and_exact_without_fragmentation(seed: int) -> None:
    from solver.polish import polish_week
    from solver.rounding import flow_bound

    data = random_organisation(seed)
    for fragmentation in (0.0, 2.0):
        policy = Policy(fragmentation_weight=fragmentation, min_block_hours=0, workers=1)
        prepared = prepare(data, policy)
        greedy = greedy_values(prepared)
        for week in split_weeks(prepared, policy):
            hint = week_values(week, greedy)
            best = polish_week(week, hint, np.ones(week.size, dtype=bool), policy)
            assert best.optimal
            bound = flow_bound(week)
            assert bound >= best.value - 1e-6
            if fragmentation == 0.0:  # nothing left out: the flow is the week's optimum
                assert bound == pytest.approx(best.value, abs=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_quick_bound_is_above_the_weeks_optimum(seed: int) -> None:
    from solver.polish import polish_week
    from solver.relax import quick_bound

    data = random_organisation(seed)
    policy = Policy(min_block_hours=0, workers=1)
    prepared = prepare(data, policy)
    greedy = greedy_values(prepared)
    for week in split_weeks(prepared, policy):
        best = polish_week(week, week_values(week, greedy), np.ones(week.size, dtype=bool), policy)
        assert best.optimal and quick_bound(week) >= best.value - 1e-6


@pytest.mark.parametrize("seed", [0, 1])
def test_lp_flow_is_the_lp_and_bounds_the_weeks_optimum(seed: int) -> None:
    # The LP solved as a flow equals GLOP's LP of the same week (all candidates), lies
    # above the week's proven optimum and below the flow bound, which leaves
    # fragmentation out.
    from solver.polish import polish_week
    from solver.rounding import flow_bound, lp_flow

    data = random_organisation(seed)
    policy = Policy(workers=1)
    prepared = prepare(data, policy)
    greedy = greedy_values(prepared)
    below_flow_bound = 0
    for week in split_weeks(prepared, policy):
        lp = lp_flow(week)
        glop = relax(week, np.ones(week.size, dtype=bool), time.perf_counter() + 10)
        assert lp.value == pytest.approx(glop.value, abs=1e-6)
        best = polish_week(week, week_values(week, greedy), np.ones(week.size, dtype=bool), policy)
        assert best.optimal and lp.bound >= best.value - 1e-6
        assert lp.bound <= flow_bound(week) + 1e-6
        below_flow_bound += lp.bound < flow_bound(week) - 1e-6
    assert below_flow_bound > 0
