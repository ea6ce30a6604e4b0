"""The greedy baseline: what a planner does by hand, and the hint CP-SAT starts from.

Start from pinned work and fixed load; keep current allocations in descending
project priority, clipped to what capacity and demand still allow; then fill
the remaining demand, highest priority first, with the free capacity of
qualified people, first fit in ``person_id`` order.
"""

from __future__ import annotations

import polars as pl

from solver.prepare import Prepared, prepare
from solver.types import PLAN_SCHEMA, PlanInput, to_hours

_ORDER_DESCENDING_PRIORITY = ["priority_weight", "project_id", "demand_id"]


def greedy_plan(data: PlanInput) -> pl.DataFrame:
    """The greedy baseline plan for ``data``.

    Current allocations that no candidate can keep (person not qualified, no free
    capacity, no remaining demand that week) are dropped; the rest is as described in
    the module docstring. When pinned work and fixed load already exceed a capacity,
    that person gets no further hours that week (the plan is still returned).

    Returns:
        ``person_id, project_id, demand_id (nullable), week (Date), hours (Float64),
        pinned (Boolean)`` — fixed and pinned rows as given, other rows with hours > 0.

    Raises:
        ValueError: an input frame lacks a required column.
    """
    prepared = prepare(data)
    return assemble_plan(prepared, greedy_values(prepared))


def greedy_values(prepared: Prepared) -> list[int]:
    """Tenths of an hour per candidate (indexed like ``prepared.candidates``)."""
    candidates = prepared.candidates
    values = [0] * candidates.height
    free = _lookup(prepared.person_weeks, ["person_id", "week"], "free")
    remaining = _lookup(prepared.demand_weeks, ["demand_id", "week"], "remaining")
    keep_order = candidates.filter(pl.col("current") > 0).sort(
        [*_ORDER_DESCENDING_PRIORITY, "person_id", "week"],
        descending=[True, False, False, False, False],
    )
    _assign(keep_order, values, free, remaining, keep_current=True)
    fill_order = candidates.sort(
        [*_ORDER_DESCENDING_PRIORITY, "week", "person_id"],
        descending=[True, False, False, False, False],
    )
    _assign(fill_order, values, free, remaining, keep_current=False)
    return values


def _lookup(frame: pl.DataFrame, keys: list[str], column: str) -> dict[tuple, int]:
    return dict(zip(frame.select(keys).iter_rows(), frame[column].to_list(), strict=True))


def _assign(
    order: pl.DataFrame,
    values: list[int],
    free: dict[tuple, int],
    remaining: dict[tuple, int],
    *,
    keep_current: bool,
) -> None:
    """Give each candidate in ``order`` as much as capacity and demand still allow."""
    rows = order.select("index", "person_id", "demand_id", "week", "current").iter_rows()
    for index, person, demand, week, current in rows:
        person_week, demand_week = (person, week), (demand, week)
        wanted = current if keep_current else remaining[demand_week]
        amount = max(0, min(wanted, free[person_week], remaining[demand_week]))
        if amount:
            values[index] += amount
            free[person_week] -= amount
            remaining[demand_week] -= amount


def assemble_plan(prepared: Prepared, values: list[int]) -> pl.DataFrame:
    """The full plan frame: fixed rows, pinned rows and candidates with ``values`` > 0.

    Args:
        values: tenths of an hour per candidate (indexed like ``prepared.candidates``).

    Returns:
        Frame with :data:`solver.types.PLAN_SCHEMA`, sorted by person, week, project,
        demand, pinned and hours.
    """
    chosen = (
        prepared.candidates.with_columns(tenths=pl.Series(values, dtype=pl.Int64))
        .filter(pl.col("tenths") > 0)
        .select(
            "person_id",
            "project_id",
            "demand_id",
            "week",
            to_hours("tenths").alias("hours"),
            pl.lit(False).alias("pinned"),
        )
    )
    plan = pl.concat(
        [prepared.fixed_rows, prepared.pinned_rows, chosen.cast(PLAN_SCHEMA)], how="vertical"
    )
    return plan.sort("person_id", "week", "project_id", "demand_id", "pinned", "hours")
