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

import numpy as np
import polars as pl

from solver.policy import Policy
from solver.prepare import Prepared, prepare
from solver.types import PLAN_SCHEMA, PlanInput, to_hours
from solver.weekly import Week

_ORDER_DESCENDING_PRIORITY = ["priority_weight", "project_id", "demand_id"]

#: The first fit's order: highest priority first, then project, demand, week and person.
FILL_ORDER = [*_ORDER_DESCENDING_PRIORITY, "week", "person_id"]
FILL_DESCENDING = [True, False, False, False, False]


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


def greedy_values(prepared: Prepared, *, fill: bool = True) -> list[int]:
    """Tenths of an hour per candidate (indexed like ``prepared.candidates``).

    With ``fill=False`` only the first pass runs: the current allocation kept as far as
    capacity, demand, minimum blocks and project limits allow (the current plan made
    feasible, the starting point of every change the optimizer proposes).
    """
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
    if not fill:
        return state.values
    fill_order = candidates.sort(FILL_ORDER, descending=FILL_DESCENDING)
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


def fill_week(week: Week, start: np.ndarray) -> np.ndarray:
    """The first fit of :func:`greedy_values` within one week, from ``start`` (feasible
    tenths per candidate of ``week``): remaining demand in priority order filled with
    the free capacity of qualified people, each allocation at least its minimum block,
    a new project only within the person's limit.

    Returns:
        Tenths per candidate of ``week`` (``start`` plus what the fill adds).
    """
    values = start.astype(np.int64).tolist()
    free_left = week.free - np.bincount(week.person, weights=start, minlength=week.free.shape[0])
    rem_left = week.remaining - np.bincount(
        week.demand, weights=start, minlength=week.remaining.shape[0]
    )
    used = np.bincount(week.group, weights=start > 0, minlength=week.group_flagged.shape[0]) > 0
    opened = np.bincount(
        week.group_person[used & week.group_flagged], minlength=week.free.shape[0]
    ).tolist()
    free, remaining = free_left.astype(np.int64).tolist(), rem_left.astype(np.int64).tolist()
    used_list, flagged = used.tolist(), week.group_flagged.tolist()
    slots, person, demand = week.slots.tolist(), week.person.tolist(), week.demand.tolist()
    group, lower = week.group.tolist(), week.lower.tolist()
    for index in week.fill_order.tolist():
        left = remaining[demand[index]]
        if left <= 0:
            continue
        who, where = person[index], group[index]
        new_project = flagged[where] and not used_list[where]
        if new_project and opened[who] >= slots[who]:
            continue
        amount = min(left, free[who])
        if amount <= 0 or values[index] + amount < lower[index]:
            continue
        values[index] += amount
        free[who] -= amount
        remaining[demand[index]] = left - amount
        if new_project:
            used_list[where] = True
            opened[who] += 1
    return np.asarray(values, dtype=np.int64)
