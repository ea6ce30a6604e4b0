"""The greedy baseline: what a planner does by hand, and the hint CP-SAT starts from.

Start from pinned work and fixed load; keep current allocations in descending
project priority, clipped to what capacity and demand still allow; then fill
the remaining demand, highest priority first, with the free capacity of
qualified people, first fit in ``person_id`` order. Every allocation respects
the minimum block (it is skipped when less would fit) and the person's limit
of concurrent projects (a new project is skipped once the limit is reached).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from solver.policy import Policy
from solver.prepare import Prepared, prepare
from solver.types import PLAN_SCHEMA, PlanInput, to_hours

_ORDER_DESCENDING_PRIORITY = ["priority_weight", "project_id", "demand_id"]


def greedy_plan(data: PlanInput, policy: Policy | None = None) -> pl.DataFrame:
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
    prepared = prepare(data, policy)
    return assemble_plan(prepared, greedy_values(prepared))


def greedy_values(prepared: Prepared) -> list[int]:
    """Tenths of an hour per candidate (indexed like ``prepared.candidates``)."""
    candidates = _with_slots(prepared)
    state = _Capacity(
        values=[0] * candidates.height,
        free=prepared.person_weeks["free"].to_list(),
        remaining=prepared.demand_weeks["remaining"].to_list(),
        slots=prepared.person_weeks["project_slots"].to_list(),
        opened=[set() for _ in range(prepared.person_weeks.height)],
    )
    keep_order = candidates.filter(pl.col("current") > 0).sort(
        [*_ORDER_DESCENDING_PRIORITY, "person_id", "week"],
        descending=[True, False, False, False, False],
    )
    _assign(keep_order, state, keep_current=True)
    fill_order = candidates.sort(
        [*_ORDER_DESCENDING_PRIORITY, "week", "person_id"],
        descending=[True, False, False, False, False],
    )
    _assign(fill_order, state, keep_current=False)
    return state.values


@dataclass
class _Capacity:
    """What the greedy pass has left: per candidate its tenths, per person-week free
    tenths, project slots and the new projects opened, per demand-week open tenths."""

    values: list[int]
    free: list[int]
    remaining: list[int]
    slots: list[int]
    opened: list[set[str]]


def _with_slots(prepared: Prepared) -> pl.DataFrame:
    """Candidates with the row of their person-week and demand-week (Int64 positions in
    ``prepared.person_weeks`` and ``prepared.demand_weeks``): list lookups, not dict ones."""
    person_slots = prepared.person_weeks.select("person_id", "week").with_row_index("person_slot")
    demand_slots = prepared.demand_weeks.select("demand_id", "week").with_row_index("demand_slot")
    constant = prepared.constant_groups.with_columns(constant=pl.lit(True))
    return (
        prepared.candidates.join(
            person_slots, on=["person_id", "week"], how="left", maintain_order="left"
        )
        .join(demand_slots, on=["demand_id", "week"], how="left", maintain_order="left")
        .join(constant, on=["person_id", "project_id", "week"], how="left", maintain_order="left")
        .with_columns(pl.col("constant").fill_null(False))
    )


def _assign(order: pl.DataFrame, state: _Capacity, *, keep_current: bool) -> None:
    """Give each candidate in ``order`` as much as capacity, demand, its minimum block and
    the person's project limit still allow."""
    columns = order.select(
        "index", "person_slot", "demand_slot", "current", "lower", "project_id", "constant"
    )
    free, remaining, values = state.free, state.remaining, state.values
    for index, person_week, demand_week, current, lower, project, constant in zip(
        *(columns[name].to_list() for name in columns.columns), strict=True
    ):
        left = remaining[demand_week]
        if not left:
            continue
        opened = state.opened[person_week]
        if not constant and project not in opened and len(opened) >= state.slots[person_week]:
            continue
        wanted = max(current, lower) if keep_current else left
        amount = min(wanted, free[person_week], left)
        if values[index] + amount < lower:
            continue
        values[index] += amount
        free[person_week] -= amount
        remaining[demand_week] = left - amount
        if not constant:
            opened.add(project)


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
        [prepared.fixed_rows, prepared.pinned_rows, chosen.cast(pl.Schema(PLAN_SCHEMA))],
        how="vertical",
    )
    return plan.sort("person_id", "week", "project_id", "demand_id", "pinned", "hours")
