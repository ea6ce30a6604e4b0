"""Project start shifts inside a plan: decide them first, then staff the shifted demand.

When a project may start later (``projects.may_shift_weeks`` > 0) or projects are linked
by finish-to-start dependencies, :func:`decide_shifts` runs :func:`solver.shifts.choose.choose_shifts`
on part of the time limit, and the staffing model then plans the demand as shifted.
Two stages, not one model: the shift model sees cover only (an aggregate capacity
model), the staffing model sees everything else. The delay cost is a term of the plan's
objective (and of the greedy baseline's, which staffs the same shifted demand).

Projects that cannot move: those with pinned or hard allocations on their demands, and
those with demand inside the frozen weeks. Their dependencies still hold (a successor
moves, or the conflict is named).
"""

from __future__ import annotations

import dataclasses
import threading

import polars as pl

from solver.policy import Policy
from solver.prepare import prepare
from solver.shifts.choose import SHIFTS_SCHEMA, ShiftDecision, apply_shifts, choose_shifts
from solver.status import STATUS_INFEASIBLE
from solver.types import (
    PlanInput,
    conform_input,
    empty,
)

#: Share of the time limit the shift decision may use.
SHIFT_SHARE = 0.25


def needs_shifts(data: PlanInput) -> bool:
    """Whether any project may move or any dependency links projects."""
    data = conform_input(data)
    assert data.dependencies is not None  # conform_input fills the optional frames in
    return bool((data.projects["may_shift_weeks"] > 0).any()) or data.dependencies.height > 0


def decide_shifts(
    data: PlanInput, policy: Policy, cancel: threading.Event | None = None
) -> tuple[PlanInput, ShiftDecision]:
    """The shifts for ``data`` under ``policy``, and ``data`` with its demand shifted.

    Returns:
        ``(shifted data, decision)``; when the decision is INFEASIBLE (dependencies cannot
        hold) the data is returned unshifted and ``decision.conflicts`` names why.
    """
    data = conform_input(data)
    assert data.dependencies is not None  # conform_input fills the optional frames in
    prepared = prepare(data, policy)
    held = prepared.pinned_rows
    locked = set(held.filter(pl.col("pinned"))["project_id"].to_list())
    if prepared.frozen_until is not None:
        locked |= set(
            data.demand.filter((pl.col("week") < prepared.frozen_until) & (pl.col("hours") > 0))[
                "project_id"
            ].to_list()
        )
    fixed_load = (
        pl.concat([prepared.fixed_rows, held])
        .group_by("person_id", "week")
        .agg(pl.col("hours").sum())
    )
    decision = choose_shifts(
        _net_demand(data.demand, held),
        data.capacity,
        data.skills,
        data.projects,
        data.dependencies,
        fixed_load,
        frozenset(locked),
        cover_weight=policy.cover_weight,
        delay_weight=policy.delay_weight,
        time_limit_s=max(0.1, policy.time_limit_s * SHIFT_SHARE),
        seed=policy.seed,
        workers=policy.workers,
        deterministic_time=(
            None if policy.deterministic_time is None else policy.deterministic_time * SHIFT_SHARE
        ),
        cancel=cancel,
    )
    if decision.status == STATUS_INFEASIBLE or decision.shifts.height == 0:
        return data, decision
    shifted = dataclasses.replace(data, demand=apply_shifts(data.demand, decision.shifts))
    return shifted, decision


def no_shifts() -> pl.DataFrame:
    """An empty shifts frame (:data:`solver.shifts.choose.SHIFTS_SCHEMA`)."""
    return empty(SHIFTS_SCHEMA)


def _net_demand(demand: pl.DataFrame, held: pl.DataFrame) -> pl.DataFrame:
    """Demand hours minus the hours held on it that week (pinned, frozen), at least 0."""
    cover = held.group_by("demand_id", "week").agg(pl.col("hours").sum().alias("held"))
    return (
        demand.join(cover, on=["demand_id", "week"], how="left")
        .with_columns((pl.col("hours") - pl.col("held").fill_null(0.0)).clip(lower_bound=0.0))
        .drop("held")
    )
