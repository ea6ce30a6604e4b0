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
    candidates = _with_slots(prepared)
    values = [0] * candidates.height
    free = prepared.person_weeks["free"].to_list()
    remaining = prepared.demand_weeks["remaining"].to_list()
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


def _with_slots(prepared: Prepared) -> pl.DataFrame:
    """Candidates with the row of their person-week and demand-week (Int64 positions in
    ``prepared.person_weeks`` and ``prepared.demand_weeks``): list lookups, not dict ones."""
    person_slots = prepared.person_weeks.select("person_id", "week").with_row_index("person_slot")
    demand_slots = prepared.demand_weeks.select("demand_id", "week").with_row_index("demand_slot")
    return prepared.candidates.join(
        person_slots, on=["person_id", "week"], how="left", maintain_order="left"
    ).join(demand_slots, on=["demand_id", "week"], how="left", maintain_order="left")


def _assign(
    order: pl.DataFrame,
    values: list[int],
    free: list[int],
    remaining: list[int],
    *,
    keep_current: bool,
) -> None:
    """Give each candidate in ``order`` as much as capacity and demand still allow."""
    columns = order.select("index", "person_slot", "demand_slot", "current")
    for index, person_week, demand_week, current in zip(
        *(columns[name].to_list() for name in columns.columns), strict=True
    ):
        left = remaining[demand_week]
        if not left:
            continue
        wanted = current if keep_current else left
        amount = min(wanted, free[person_week], left)
        if amount > 0:
            values[index] += amount
            free[person_week] -= amount
            remaining[demand_week] = left - amount


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
