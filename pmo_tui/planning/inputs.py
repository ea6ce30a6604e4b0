"""The solver's inputs, derived once from the store's tables (pure, over polars frames).

:func:`read_plan_data` reads the tables a plan depends on; :func:`derive_plan_input`
turns them into a :class:`solver.PlanInput`. The planning service
(:func:`plan_inputs`) and the what-if scenarios (which change the tables in
memory first, :mod:`pmo_tui.scenarios.overlay`) both call it, so a scenario with
no changes plans exactly what ``pmo-tui plan`` plans.

Rules (docs/planning.md): a project's priority 1-5 (1 = highest) becomes the
weight ``6 - priority`` of its covered hours; hard bookings count as pinned
(they never move); allocations outside any demand are fixed load; capacity is
derived from the calendar over the horizon of demand and allocations, plus the
weeks a project may start later into; a skill counts until the earlier of its
own ``valid_until`` and the expiry of the certification that grants it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.domain.capacity import capacity_over_horizon, demand_weeks
from pmo_tui.domain.horizon import Window
from pmo_tui.governance.training import certified_skill_validity, limit_skills_by_certifications
from pmo_tui.store.reads import read_table
from solver.types import PlanInput

if TYPE_CHECKING:
    from pmo_tui.store.reads import Readable

#: The store tables a plan is computed from (a scenario state mirrors them).
PLAN_TABLES = (
    "person",
    "person_skill",
    "public_holiday",
    "leave",
    "availability",
    "project",
    "demand",
    "demand_week",
    "allocation",
    "dependency",
)

#: Every store table a plan depends on: :data:`PLAN_TABLES`, the skills, and the
#: certifications that limit them. A plan is written only while none has changed.
PLAN_INPUT_TABLES = (*PLAN_TABLES, "skill", "course", "training_record")


@dataclass(frozen=True)
class CapacityOverride:
    """Capacity set to ``hours`` per week for ``person_id`` in weeks ``first``..``last``
    (``last`` None: open-ended): a scenario's capacity change that no calendar row holds."""

    person_id: str
    first: dt.date
    last: dt.date | None
    hours: float


@dataclass
class PlanData:
    """The tables a plan is computed from, as frames.

    Attributes:
        tables: store table -> frame for each of :data:`PLAN_TABLES`, typed as
            :func:`pmo_tui.store.reads.read_table` reads them (``allocation`` without ``id``).
        certified: ``person_id, skill_id, certified_until (Date)``: certifications that
            limit a skill (:func:`pmo_tui.governance.training.certified_skill_validity`).
        overrides: capacity set by hand in weeks (scenarios only).
    """

    tables: dict[str, pl.DataFrame]
    certified: pl.DataFrame
    overrides: tuple[CapacityOverride, ...] = field(default=())


def read_plan_data(db: Readable) -> PlanData:
    """The tables of :data:`PLAN_TABLES` and the certifications, read from the store."""
    tables = {table: read_table(db, table) for table in PLAN_TABLES}
    tables["allocation"] = tables["allocation"].drop("id")
    certified = certified_skill_validity(db).rename({"valid_until": "certified_until"})
    return PlanData(tables, certified)


def plan_inputs(db: Readable, window: Window | None = None) -> PlanInput:
    """The solver's input frames (docs/data-model.md, "Frames") of the store ``db``."""
    return derive_plan_input(read_plan_data(db), window)


def derive_plan_input(data: PlanData, window: Window | None = None) -> PlanInput:
    """The solver's frames from ``data``: capacity over the horizon, skills limited by
    certifications, demand per week, project weights, the current allocation, people's
    own project limits and the dependencies (docs/data-model.md, "Frames").

    With ``window``, only the weeks a plan may change (:meth:`Window.future`: from the
    current week on, up to its last week): earlier weeks are history and never reach
    the solver, and a project with demand before them has started, so it may not
    start later (its ``may_shift_weeks`` counts as 0). Without it, every week.
    """
    tables = data.tables
    all_demand = demand_weeks(tables["demand"], tables["demand_week"])
    demand, allocations = all_demand, tables["allocation"]
    projects = tables["project"]
    future = window.future() if window is not None else None
    if future is not None:
        demand = demand.filter(future.weeks())
        allocations = allocations.filter(future.weeks())
        started = all_demand.filter(pl.col("week") < future.first)["project_id"].unique()
        projects = projects.with_columns(
            pl.when(pl.col("id").is_in(started.to_list()))
            .then(0)
            .otherwise(pl.col("may_shift_weeks"))
            .alias("may_shift_weeks")
        )
    extra_weeks = int(projects["may_shift_weeks"].max() or 0)  # type: ignore[arg-type]
    capacity = capacity_over_horizon(
        tables, demand, allocations, extra_weeks=extra_weeks, window=future
    )
    return PlanInput(
        capacity=with_overrides(capacity, data.overrides),
        skills=limit_skills_by_certifications(tables["person_skill"], data.certified),
        demand=demand,
        projects=solver_projects(projects),
        current=solver_current(allocations),
        people=tables["person"].select(pl.col("id").alias("person_id"), "max_concurrent_projects"),
        dependencies=tables["dependency"]
        .filter(pl.col("kind") == "finish_to_start")
        .select("from_project_id", "to_project_id", "lag_weeks"),
    )


def solver_projects(projects: pl.DataFrame) -> pl.DataFrame:
    """The solver's ``projects`` frame from project rows (``id, priority, may_shift_weeks``):
    ``project_id, priority_weight (6 - priority: priority 1 weighs 5), may_shift_weeks``."""
    return projects.select(
        pl.col("id").alias("project_id"),
        (6 - pl.col("priority")).cast(pl.Float64).alias("priority_weight"),
        "may_shift_weeks",
    )


def solver_current(allocations: pl.DataFrame) -> pl.DataFrame:
    """The solver's ``current`` frame from allocation rows: a hard booking counts as pinned."""
    return allocations.select(
        "person_id",
        "project_id",
        "demand_id",
        "week",
        "hours",
        (pl.col("pinned") | (pl.col("kind") == "hard")).alias("pinned"),
    )


def with_overrides(capacity: pl.DataFrame, overrides: tuple[CapacityOverride, ...]) -> pl.DataFrame:
    """``capacity`` (``person_id, week, hours``) with each override's hours in its weeks."""
    for override in overrides:
        last = override.last or dt.date.max
        chosen = (
            (pl.col("person_id") == override.person_id)
            & (pl.col("week") >= override.first)
            & (pl.col("week") <= last)
        )
        capacity = capacity.with_columns(
            pl.when(chosen).then(pl.lit(override.hours)).otherwise(pl.col("hours")).alias("hours")
        )
    return capacity


def shift_project(
    tables: Mapping[str, pl.DataFrame],
    project_id: str,
    weeks: int,
    *,
    move_allocations: bool,
    use_allowance: bool,
) -> dict[str, pl.DataFrame]:
    """The tables with project ``project_id`` starting ``weeks`` later: the one project shift.

    Its demand weeks, start and finish move by ``weeks`` ISO weeks. With
    ``move_allocations`` (a scenario's ``shift_project``) the allocations on its
    demands move with it; with ``use_allowance`` (a shift the optimizer chose,
    applied by ``plan --apply`` or a promote) its ``may_shift_weeks`` goes down by
    ``weeks`` (never below 0), so a later plan may only use what is left.

    Args:
        tables: at least ``project``, ``demand`` and ``demand_week`` (and ``allocation``
            with ``move_allocations``), typed as the store reads them.

    Returns:
        A new dict with the changed frames (the others are the same objects).
    """
    delta = dt.timedelta(weeks=weeks)
    result = dict(tables)
    demands = tables["demand"].filter(pl.col("project_id") == project_id)["id"].to_list()
    on_demand = pl.col("demand_id").is_in(demands)
    moved_week = pl.when(on_demand).then(pl.col("week") + delta).otherwise(pl.col("week"))
    result["demand_week"] = tables["demand_week"].with_columns(moved_week.alias("week"))
    if move_allocations:
        result["allocation"] = tables["allocation"].with_columns(moved_week.alias("week"))
    is_project = pl.col("id") == project_id
    changed = [
        pl.when(is_project).then(pl.col(c) + delta).otherwise(pl.col(c)).alias(c)
        for c in ("start", "finish")
    ]
    if use_allowance:
        left = (pl.col("may_shift_weeks") - weeks).clip(lower_bound=0)
        changed.append(
            pl.when(is_project)
            .then(left)
            .otherwise(pl.col("may_shift_weeks"))
            .alias("may_shift_weeks")
        )
    result["project"] = tables["project"].with_columns(*changed)
    return result
