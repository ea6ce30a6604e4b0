"""Turn the input frames into what every planner needs: loads, qualified pairs, candidates.

All planners (greedy, CP-SAT, LP bound) and all reports start from the same
:class:`Prepared` view so they agree on who may work where. Quantities here
are Int64 **tenths of an hour**; weeks are Mondays (``pl.Date``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from solver.types import PlanInput, conform_input, format_hours, to_tenths

PERSON_WEEK = ["person_id", "week"]
DEMAND_WEEK = ["demand_id", "week"]
ASSIGNMENT = ["person_id", "demand_id", "week"]


@dataclass(frozen=True)
class Prepared:
    """The planning problem in tenths of an hour.

    Attributes:
        data: the conformed input.
        person_weeks: ``person_id, week, capacity, fixed_load, pinned_load, free`` —
            free = capacity - fixed load - pinned load (may be negative: a conflict).
        demand_weeks: ``demand_id, week, project_id, skill_id, min_level, priority_weight,
            demand, pinned_cover, remaining`` — remaining = max(0, demand - pinned cover).
        fixed_rows: current rows without a demand (hours > 0), as given (hours in Float64).
        pinned_rows: pinned current rows on a demand (hours > 0), as given.
        movable_current: ``person_id, demand_id, week, project_id, current`` — the
            non-pinned current allocation on demands, summed per person, demand and week.
        qualified: ``person_id, demand_id`` — who may fill which demand.
        candidates: ``index, person_id, demand_id, week, project_id, priority_weight,
            upper, current`` — one decision variable each (qualified, free capacity > 0,
            remaining demand > 0); upper = min(free, remaining).
        constant_groups: ``person_id, project_id, week`` with fixed or pinned hours > 0.
        conflicts: person-weeks whose pinned work and fixed load exceed capacity, in words.
    """

    data: PlanInput
    person_weeks: pl.DataFrame
    demand_weeks: pl.DataFrame
    fixed_rows: pl.DataFrame
    pinned_rows: pl.DataFrame
    movable_current: pl.DataFrame
    qualified: pl.DataFrame
    candidates: pl.DataFrame
    constant_groups: pl.DataFrame
    conflicts: list[str]


def prepare(data: PlanInput) -> Prepared:
    """Build the :class:`Prepared` view of ``data``.

    Raises:
        ValueError: an input frame lacks a required column.
    """
    data = conform_input(data)
    current = data.current.filter(pl.col("hours") > 0)
    fixed_rows = current.filter(pl.col("demand_id").is_null())
    pinned_rows = current.filter(pl.col("demand_id").is_not_null() & pl.col("pinned"))
    movable_rows = current.filter(pl.col("demand_id").is_not_null() & ~pl.col("pinned"))
    person_weeks = _person_weeks(data.capacity, fixed_rows, pinned_rows)
    demand_weeks = _demand_weeks(data.demand, data.projects, pinned_rows)
    movable_current = _movable_current(movable_rows)
    qualified = _qualified(data.skills, data.demand, current)
    candidates = _candidates(qualified, demand_weeks, person_weeks, movable_current)
    constant_groups = (
        pl.concat([fixed_rows, pinned_rows])
        .select("person_id", "project_id", "week")
        .unique()
        .sort("person_id", "project_id", "week")
    )
    return Prepared(
        data=data,
        person_weeks=person_weeks,
        demand_weeks=demand_weeks,
        fixed_rows=fixed_rows,
        pinned_rows=pinned_rows,
        movable_current=movable_current,
        qualified=qualified,
        candidates=candidates,
        constant_groups=constant_groups,
        conflicts=_conflicts(person_weeks),
    )


def _load(rows: pl.DataFrame, name: str) -> pl.DataFrame:
    return rows.group_by(PERSON_WEEK).agg(to_tenths("hours").sum().alias(name))


def _person_weeks(
    capacity: pl.DataFrame, fixed_rows: pl.DataFrame, pinned_rows: pl.DataFrame
) -> pl.DataFrame:
    """Capacity and constant load per person-week (every person-week that has either)."""
    frame = _load(capacity, "capacity")
    for rows, name in ((fixed_rows, "fixed_load"), (pinned_rows, "pinned_load")):
        frame = frame.join(_load(rows, name), on=PERSON_WEEK, how="full", coalesce=True)
    frame = frame.with_columns(
        pl.col("capacity", "fixed_load", "pinned_load").fill_null(0)
    ).with_columns(free=pl.col("capacity") - pl.col("fixed_load") - pl.col("pinned_load"))
    return frame.sort(PERSON_WEEK)


def weighted_demand_weeks(demand: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    """Demand tenths per demand-week with its project's priority weight (1.0 when unknown).

    Returns:
        ``demand_id, week, project_id, skill_id, min_level, demand (Int64 tenths),
        priority_weight (Float64)`` in demand and week order.
    """
    weights = projects.group_by("project_id").agg(pl.col("priority_weight").max())
    return (
        demand.sort(DEMAND_WEEK)
        .group_by(DEMAND_WEEK, maintain_order=True)
        .agg(
            pl.col("project_id").first(),
            pl.col("skill_id").first(),
            pl.col("min_level").first().fill_null(1),
            to_tenths("hours").sum().alias("demand"),
        )
        .join(weights, on="project_id", how="left")
        .with_columns(pl.col("priority_weight").fill_null(1.0))
    )


def _demand_weeks(
    demand: pl.DataFrame, projects: pl.DataFrame, pinned_rows: pl.DataFrame
) -> pl.DataFrame:
    """Demand per demand-week with its priority, pinned cover and remaining hours."""
    pinned_cover = pinned_rows.group_by(DEMAND_WEEK).agg(
        to_tenths("hours").sum().alias("pinned_cover")
    )
    frame = (
        weighted_demand_weeks(demand, projects)
        .join(pinned_cover, on=DEMAND_WEEK, how="left")
        .with_columns(pl.col("pinned_cover").fill_null(0))
    )
    return frame.with_columns(
        remaining=pl.max_horizontal(pl.col("demand") - pl.col("pinned_cover"), pl.lit(0))
    ).sort(DEMAND_WEEK)


def _movable_current(movable_rows: pl.DataFrame) -> pl.DataFrame:
    return (
        movable_rows.sort(ASSIGNMENT + ["project_id"])
        .group_by(ASSIGNMENT, maintain_order=True)
        .agg(pl.col("project_id").first(), to_tenths("hours").sum().alias("current"))
    )


def _qualified(skills: pl.DataFrame, demand: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """``person_id, demand_id``: skill at level >= min level, or, for a demand without
    skill, a current allocation on it."""
    demand_skills = demand.select(
        "demand_id", "skill_id", pl.col("min_level").fill_null(1)
    ).unique()
    by_skill = (
        demand_skills.filter(pl.col("skill_id").is_not_null())
        .join(skills, on="skill_id")
        .filter(pl.col("level") >= pl.col("min_level"))
        .select("person_id", "demand_id")
    )
    named_demands = demand_skills.filter(pl.col("skill_id").is_null()).select("demand_id")
    by_name = current.join(named_demands, on="demand_id", how="semi").select(
        "person_id", "demand_id"
    )
    return pl.concat([by_skill, by_name]).unique().sort("person_id", "demand_id")


def _candidates(
    qualified: pl.DataFrame,
    demand_weeks: pl.DataFrame,
    person_weeks: pl.DataFrame,
    movable_current: pl.DataFrame,
) -> pl.DataFrame:
    open_demand = demand_weeks.filter(pl.col("remaining") > 0).select(
        "demand_id", "week", "project_id", "priority_weight", "remaining"
    )
    free_people = person_weeks.filter(pl.col("free") > 0).select("person_id", "week", "free")
    frame = (
        qualified.join(open_demand, on="demand_id")
        .join(free_people, on=PERSON_WEEK)
        .join(movable_current.select(ASSIGNMENT + ["current"]), on=ASSIGNMENT, how="left")
        .with_columns(
            upper=pl.min_horizontal("free", "remaining"), current=pl.col("current").fill_null(0)
        )
        .sort(ASSIGNMENT)
        .with_row_index("index")
    )
    return frame.select(
        pl.col("index").cast(pl.Int64),
        *ASSIGNMENT,
        "project_id",
        "priority_weight",
        "upper",
        "current",
    )


def _conflicts(person_weeks: pl.DataFrame) -> list[str]:
    over = person_weeks.filter(pl.col("free") < 0).sort(PERSON_WEEK)
    return [_conflict_message(row) for row in over.iter_rows(named=True)]


def _conflict_message(row: dict) -> str:
    if row["pinned_load"] and row["fixed_load"]:
        what = "Pinned allocations and fixed load"
    elif row["pinned_load"]:
        what = "Pinned allocations"
    else:
        what = "Fixed load (work outside any demand)"
    total = (row["pinned_load"] + row["fixed_load"]) / 10
    return (
        f"{what} of {row['person_id']} in the week of {row['week'].isoformat()} total "
        f"{format_hours(total)} h, above their capacity of {format_hours(row['capacity'] / 10)} h"
    )


def objective_constant(prepared: Prepared, cover_w: float, churn_w: float, frag_w: float) -> float:
    """The part of the objective no decision changes (hours and counts, weighted).

    Pinned cover (clipped to demand), minus churn as if every current non-pinned hour
    were removed (the models earn it back per hour kept), minus fragmentation of
    person-project-weeks with fixed or pinned hours.
    """
    clipped = prepared.demand_weeks.select(
        (pl.col("priority_weight") * pl.min_horizontal("pinned_cover", "demand")).sum()
    ).item()
    current = int(prepared.movable_current["current"].sum() or 0)
    return (
        cover_w * (clipped or 0.0) / 10
        - churn_w * current / 10
        - frag_w * prepared.constant_groups.height
    )
