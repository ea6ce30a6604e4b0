"""Key figures of an allocation, and the shortfall no re-allocation can fix.

Both are pure polars (no solver), so the capacity screen can show them for
the current allocation without running the optimizer.
"""

from __future__ import annotations

import polars as pl

from solver.prepare import weighted_demand_weeks
from solver.types import (
    SHORTFALL_SCHEMA,
    PlanInput,
    conform_frame,
    conform_input,
    to_hours,
    to_tenths,
)

DEMAND_WEEK = ["demand_id", "week"]
PERSON_WEEK = ["person_id", "week"]


def coverage(data: PlanInput, allocation: pl.DataFrame) -> pl.DataFrame:
    """Demand and covered tenths per demand-week under ``allocation``.

    Covered = min(demand, all allocation hours on the demand that week), whoever holds them.

    Args:
        data: conformed input (see :func:`solver.types.conform_input`).
        allocation: conformed ``current``-shaped frame (a plan or the current allocation).

    Returns:
        ``demand_id, week, project_id, skill_id, min_level, priority_weight (Float64),
        demand, covered (Int64 tenths)`` sorted by demand and week.
    """
    held = (
        allocation.filter(pl.col("demand_id").is_not_null())
        .group_by(DEMAND_WEEK)
        .agg(to_tenths("hours").sum().alias("held"))
    )
    return (
        weighted_demand_weeks(data.demand, data.projects)
        .join(held, on=DEMAND_WEEK, how="left")
        .with_columns(covered=pl.min_horizontal("demand", pl.col("held").fill_null(0)))
        .drop("held")
        .sort(DEMAND_WEEK)
    )


def person_week_load(data: PlanInput, allocation: pl.DataFrame) -> pl.DataFrame:
    """``person_id, week, capacity, load`` (Int64 tenths) over every person-week with either."""
    capacity = data.capacity.group_by(PERSON_WEEK).agg(to_tenths("hours").sum().alias("capacity"))
    load = allocation.group_by(PERSON_WEEK).agg(to_tenths("hours").sum().alias("load"))
    return (
        capacity.join(load, on=PERSON_WEEK, how="full", coalesce=True)
        .with_columns(pl.col("capacity", "load").fill_null(0))
        .sort(PERSON_WEEK)
    )


def kpis(data: PlanInput, allocation: pl.DataFrame, people_moved: int = 0) -> dict[str, float]:
    """Coverage and over-allocation of ``allocation``.

    Args:
        data: the planning input.
        allocation: ``current``-shaped frame: the current allocation or a plan.
        people_moved: number of people with at least one move (0 for the current allocation).

    Returns:
        ``demand_hours, covered_hours, unmet_hours`` (hours over all demand-weeks; covered
        per demand-week is min(demand, hours held on it)), ``coverage_pct`` (100 when there
        is no demand), ``weighted_coverage_pct`` (weighted by priority),
        ``over_allocated_person_weeks`` (person-weeks above capacity; missing capacity is 0),
        ``over_allocated_hours`` (hours above capacity), ``people_moved``.

    Raises:
        ValueError: a frame lacks a required column.
    """
    data = conform_input(data)
    allocation = conform_frame("current", allocation)
    covered = coverage(data, allocation)
    demand = int(covered["demand"].sum() or 0)
    held = int(covered["covered"].sum() or 0)
    weighted_demand = float((covered["priority_weight"] * covered["demand"]).sum() or 0.0)
    weighted_held = float((covered["priority_weight"] * covered["covered"]).sum() or 0.0)
    load = person_week_load(data, allocation).with_columns(
        over=pl.max_horizontal(pl.col("load") - pl.col("capacity"), pl.lit(0))
    )
    return {
        "demand_hours": demand / 10,
        "covered_hours": held / 10,
        "unmet_hours": (demand - held) / 10,
        "coverage_pct": _percent(held, demand),
        "weighted_coverage_pct": _percent(weighted_held, weighted_demand),
        "over_allocated_person_weeks": float(load.filter(pl.col("over") > 0).height),
        "over_allocated_hours": int(load["over"].sum() or 0) / 10,
        "people_moved": float(people_moved),
    }


def _percent(part: float, whole: float) -> float:
    return 100.0 if whole <= 0 else round(100.0 * part / whole, 2)


def shortfall(data: PlanInput) -> pl.DataFrame:
    """Demand no re-allocation can cover: demand above the capacity of everyone qualified.

    Per skill, minimum level and week: the demand hours of demands needing that skill at
    that level, minus the full capacity of everyone holding the skill at that level or
    above, where positive. Only hiring, moving dates or lowering levels help here.
    Demands without a skill (named people) are left out. Each (skill, level) is compared
    apart, so a person qualified for several counts in each.

    Returns:
        ``skill_id (String), min_level (Int64), week (Date), demand_hours,
        qualified_capacity_hours, shortfall_hours (Float64, > 0)``, sorted by skill, level, week.

    Raises:
        ValueError: a frame lacks a required column.
    """
    data = conform_input(data)
    keys = ["skill_id", "min_level", "week"]
    demand = (
        data.demand.filter(pl.col("skill_id").is_not_null())
        .with_columns(pl.col("min_level").fill_null(1))
        .group_by(keys)
        .agg(to_tenths("hours").sum().alias("demand"))
    )
    qualified = (
        demand.select("skill_id", "min_level")
        .unique()
        .join(
            data.skills.group_by("person_id", "skill_id").agg(pl.col("level").max()),
            on="skill_id",
        )
        .filter(pl.col("level") >= pl.col("min_level"))
        .join(data.capacity, on="person_id")
        .group_by(keys)
        .agg(to_tenths("hours").sum().alias("capacity"))
    )
    frame = (
        demand.join(qualified, on=keys, how="left")
        .with_columns(pl.col("capacity").fill_null(0))
        .filter(pl.col("demand") > pl.col("capacity"))
        .sort(keys)
        .select(
            *keys,
            to_hours("demand").alias("demand_hours"),
            to_hours("capacity").alias("qualified_capacity_hours"),
            (pl.col("demand") - pl.col("capacity")).alias("short"),
        )
        .with_columns(to_hours("short").alias("shortfall_hours"))
        .drop("short")
    )
    return frame.cast(pl.Schema(SHORTFALL_SCHEMA)).select(list(SHORTFALL_SCHEMA))
