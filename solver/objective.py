"""Score any plan with the optimizer's objective, term by term.

One scoring function for the greedy baseline, the CP-SAT plan, brute force in
the tests and plans a user edits by hand, so their figures are comparable.
"""

from __future__ import annotations

import polars as pl

from solver.measures import coverage
from solver.policy import Policy
from solver.types import PLAN_SCHEMA, PlanInput, conform_frame, conform_input, to_tenths

_ASSIGNMENT = ["person_id", "demand_id", "week"]


def evaluate(data: PlanInput, plan: pl.DataFrame, policy: Policy | None = None) -> dict[str, float]:
    """The objective terms of ``plan`` against ``data`` under ``policy``'s weights.

    Terms (all already multiplied by their weight, in objective units):

    - ``cover``: cover_weight * sum over demand-weeks of priority_weight *
      min(demand hours, plan hours on that demand and week) — every plan row on the
      demand counts, whoever holds it.
    - ``churn``: churn_weight * sum over (person, demand, week) of
      |plan hours - current hours|, counting only non-pinned rows on a demand.
    - ``fragmentation``: fragmentation_weight * number of (person, project, week) with
      plan hours > 0 (fixed loads and pinned rows included).
    - ``continuity``: continuity_weight * number of assignment starts: (person, demand,
      week) with plan hours > 0 whose previous week (7 days earlier) has none.
    - ``objective``: cover - churn - fragmentation - continuity.

    Feasibility (capacity, qualification) is not checked here.

    Args:
        data: the planning input (see :class:`solver.PlanInput`).
        plan: ``person_id, project_id, demand_id (nullable), week, hours, pinned``
            (same shape as ``current``); hours in Float64 with at most one decimal.
        policy: weights; defaults to :class:`solver.Policy`.

    Raises:
        ValueError: a frame lacks a required column.
    """
    policy = policy or Policy()
    data = conform_input(data)
    plan = conform_frame("current", plan.select(list(PLAN_SCHEMA))).filter(pl.col("hours") > 0)
    cover = policy.cover_weight * _weighted_cover_tenths(data, plan) / 10
    churn = policy.churn_weight * _changed_tenths(data.current, plan) / 10
    fragmentation = policy.fragmentation_weight * _person_project_weeks(plan)
    continuity = policy.continuity_weight * assignment_starts(plan)
    return {
        "cover": cover,
        "churn": churn,
        "fragmentation": fragmentation,
        "continuity": continuity,
        "objective": cover - churn - fragmentation - continuity,
    }


def assignment_starts(plan: pl.DataFrame) -> int:
    """(person, demand, week) rows with hours > 0 on a demand whose previous week has none."""
    busy = (
        plan.filter(pl.col("demand_id").is_not_null() & (pl.col("hours") > 0))
        .select("person_id", "demand_id", "week")
        .unique()
    )
    previous = busy.with_columns(pl.col("week") + pl.duration(days=7))
    return busy.join(previous, on=["person_id", "demand_id", "week"], how="anti").height


def _weighted_cover_tenths(data: PlanInput, plan: pl.DataFrame) -> float:
    """Sum of priority weight x covered tenths over demand-weeks."""
    covered = coverage(data, plan)
    return float((covered["priority_weight"] * covered["covered"]).sum() or 0.0)


def _movable(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return (
        frame.filter(pl.col("demand_id").is_not_null() & ~pl.col("pinned").fill_null(False))
        .group_by(_ASSIGNMENT)
        .agg(to_tenths("hours").sum().alias(name))
    )


def _changed_tenths(current: pl.DataFrame, plan: pl.DataFrame) -> int:
    """Sum of |plan - current| tenths over non-pinned (person, demand, week)."""
    joined = _movable(current, "before").join(
        _movable(plan, "after"), on=_ASSIGNMENT, how="full", coalesce=True
    )
    changed = joined.select(
        (pl.col("after").fill_null(0) - pl.col("before").fill_null(0)).abs().sum()
    ).item()
    return int(changed or 0)


def _person_project_weeks(plan: pl.DataFrame) -> int:
    return plan.select("person_id", "project_id", "week").unique().height
