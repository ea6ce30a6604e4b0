"""Turn the input frames into what every planner needs: loads, qualified pairs, candidates.

All planners (greedy, CP-SAT, LP bound) and all reports start from the same
:class:`Prepared` view so they agree on who may work where. Quantities here
are Int64 **tenths of an hour**; weeks are Mondays (``pl.Date``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from solver.policy import Policy
from solver.types import HOURS_SCALE, PlanInput, conform_input, format_hours, to_tenths

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
        pinned_rows: current rows on a demand (hours > 0) that cannot move — pinned or hard,
            in the frozen weeks, or of a locked person — as given (``pinned`` unchanged).
        movable_current: ``person_id, demand_id, week, project_id, current`` — the
            non-pinned current allocation on demands, summed per person, demand and week.
        qualified: ``person_id, demand_id, min_level, valid_until`` — who may fill which
            demand in the weeks that ask for that level (until which Monday, exclusive;
            null = always).
        candidates: ``index, person_id, demand_id, week, project_id, priority_weight,
            lower, upper, current`` — one decision variable each (qualified that week,
            outside the frozen weeks, free capacity > 0, remaining demand > 0);
            upper = min(free, remaining); the variable is 0 or in [lower, upper]
            (lower = min(minimum block, remaining)).
        constant_groups: ``person_id, project_id, week`` with fixed or pinned hours > 0.
        conflicts: the user's constraints that cannot all hold, in words: person-weeks whose
            pinned work and fixed load exceed capacity or span more projects than allowed.
        frozen_until: the first Monday after the frozen weeks (None: nothing frozen).

    ``person_weeks`` also has ``project_slots``: how many more projects the person may
    take on that week (the limit minus projects with fixed or pinned hours; a large
    number when unlimited).
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
    frozen_until: dt.date | None = None


#: Project slots of a person without a limit (more than any week can use).
UNLIMITED_SLOTS = 1_000_000


def prepare(
    data: PlanInput,
    policy: Policy | None = None,
    locked_people: frozenset[str] = frozenset(),
) -> Prepared:
    """Build the :class:`Prepared` view of ``data`` under ``policy``'s limits.

    Args:
        locked_people: people whose allocations must not change at all (the cap on
            people moved): their current rows count as pinned and they get no candidates.

    Raises:
        ValueError: an input frame lacks a required column.
    """
    policy = policy or Policy()
    data = conform_input(data)
    frozen_until = _frozen_until(data, policy.frozen_weeks)
    frozen = pl.col("week") < frozen_until if frozen_until else pl.lit(False)
    current = data.current.filter(pl.col("hours") > 0).with_columns(
        why=pl.when(pl.col("demand_id").is_null())
        .then(pl.lit("fixed load on"))
        .when(pl.col("pinned"))
        .then(pl.lit("pinned or hard booking on"))
        .when(frozen)
        .then(pl.lit(f"frozen ({policy.frozen_weeks} frozen weeks) on"))
        .when(pl.col("person_id").is_in(list(locked_people)))
        .then(pl.lit("kept (cap on people moved) on"))
    )
    held = pl.col("why").is_not_null()
    constant_rows = current.filter(held)
    fixed_rows = constant_rows.filter(pl.col("demand_id").is_null()).drop("why")
    pinned_rows = constant_rows.filter(pl.col("demand_id").is_not_null()).drop("why")
    movable_rows = current.filter(~held).drop("why")
    current = current.drop("why")
    constant_groups = (
        pl.concat([fixed_rows, pinned_rows])
        .select("person_id", "project_id", "week")
        .unique()
        .sort("person_id", "project_id", "week")
    )
    person_weeks = _person_weeks(data.capacity, fixed_rows, pinned_rows)
    assert data.people is not None  # conform_input fills the optional frames in
    person_weeks = _with_project_slots(person_weeks, constant_groups, data.people, policy)
    demand_weeks = _demand_weeks(data.demand, data.projects, pinned_rows)
    movable_current = _movable_current(movable_rows)
    qualified = _qualified(data.skills, data.demand, current)
    candidates = _candidates(
        qualified,
        demand_weeks,
        person_weeks,
        movable_current,
        round(policy.min_block_hours * HOURS_SCALE),
    )
    candidates = candidates.filter(~pl.col("person_id").is_in(list(locked_people)))
    if frozen_until is not None:
        candidates = candidates.filter(pl.col("week") >= frozen_until)
    candidates = candidates.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("index"))
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
        conflicts=_conflicts(person_weeks, constant_rows),
        frozen_until=frozen_until,
    )


def _frozen_until(data: PlanInput, frozen_weeks: int) -> dt.date | None:
    """The Monday ``frozen_weeks`` after the horizon's first week (capacity or demand)."""
    if frozen_weeks <= 0:
        return None
    weeks = pl.concat([data.capacity.select("week"), data.demand.select("week")])["week"]
    first = weeks.min()
    if first is None:
        return None
    assert isinstance(first, dt.date)  # the week columns are pl.Date (conform_input)
    return first + dt.timedelta(weeks=frozen_weeks)


def _with_project_slots(
    person_weeks: pl.DataFrame,
    constant_groups: pl.DataFrame,
    people: pl.DataFrame,
    policy: Policy,
) -> pl.DataFrame:
    """Add ``limit`` (null: unlimited), ``constant_projects`` and ``project_slots``.

    ``people`` is the conformed ``person_id, max_concurrent_projects`` frame.
    """
    default = policy.max_concurrent_projects
    limits = people.select("person_id", pl.col("max_concurrent_projects").alias("limit"))
    constant = constant_groups.group_by(PERSON_WEEK).agg(pl.len().alias("constant_projects"))
    frame = (
        person_weeks.join(limits.unique("person_id"), on="person_id", how="left")
        .join(constant, on=PERSON_WEEK, how="left")
        .with_columns(
            pl.col("limit").fill_null(pl.lit(default, dtype=pl.Int64)),
            pl.col("constant_projects").fill_null(0).cast(pl.Int64),
        )
    )
    return frame.with_columns(
        project_slots=pl.when(pl.col("limit").is_null())
        .then(UNLIMITED_SLOTS)
        .otherwise(pl.col("limit") - pl.col("constant_projects"))
        .cast(pl.Int64)
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
    """``person_id, demand_id, min_level, valid_until``: per level a demand asks for in
    some week, who holds its skill at that level or above (valid until the skill's
    expiry, null = always), or, for a demand without skill, who has a current
    allocation on it (at every level)."""
    demand_levels = demand.select(
        "demand_id", "skill_id", pl.col("min_level").fill_null(1)
    ).unique()
    by_skill = (
        demand_levels.filter(pl.col("skill_id").is_not_null())
        .join(skills, on="skill_id")
        .filter(pl.col("level") >= pl.col("min_level"))
        .group_by("person_id", "demand_id", "min_level")
        .agg(pl.col("valid_until").max())
    )
    named_levels = demand_levels.filter(pl.col("skill_id").is_null()).select(
        "demand_id", "min_level"
    )
    by_name = (
        current.join(named_levels, on="demand_id")
        .select(
            "person_id",
            "demand_id",
            "min_level",
            pl.lit(None, dtype=pl.Date).alias("valid_until"),
        )
        .unique()
    )
    return pl.concat([by_skill, by_name]).sort("person_id", "demand_id", "min_level")


def _candidates(
    qualified: pl.DataFrame,
    demand_weeks: pl.DataFrame,
    person_weeks: pl.DataFrame,
    movable_current: pl.DataFrame,
    min_block: int,
) -> pl.DataFrame:
    open_demand = demand_weeks.filter(pl.col("remaining") > 0).select(
        "demand_id", "min_level", "week", "project_id", "priority_weight", "remaining"
    )
    free_people = person_weeks.filter((pl.col("free") > 0) & (pl.col("project_slots") >= 0)).select(
        "person_id", "week", "free"
    )
    frame = (
        qualified.join(open_demand, on=["demand_id", "min_level"])
        .filter(pl.col("valid_until").is_null() | (pl.col("week") < pl.col("valid_until")))
        .join(free_people, on=PERSON_WEEK)
        .join(movable_current.select(ASSIGNMENT + ["current"]), on=ASSIGNMENT, how="left")
        .with_columns(
            lower=pl.min_horizontal(pl.lit(max(min_block, 1), dtype=pl.Int64), "remaining"),
            upper=pl.min_horizontal("free", "remaining"),
            current=pl.col("current").fill_null(0),
        )
        .filter(pl.col("upper") >= pl.col("lower"))
        .sort(ASSIGNMENT)
        .with_row_index("index")
    )
    return frame.select(
        pl.col("index").cast(pl.Int64),
        *ASSIGNMENT,
        "project_id",
        "priority_weight",
        "lower",
        "upper",
        "current",
    )


def _conflicts(person_weeks: pl.DataFrame, constant_rows: pl.DataFrame) -> list[str]:
    """One message per person-week whose unmovable work cannot hold, naming the smallest
    set of rows that conflicts."""
    over = person_weeks.filter(pl.col("free") < 0).sort(PERSON_WEEK)
    crowded = person_weeks.filter(pl.col("project_slots") < 0).sort(PERSON_WEEK)
    rows = constant_rows.filter(
        pl.struct(PERSON_WEEK).is_in(
            pl.concat([over, crowded]).select(pl.struct(PERSON_WEEK)).to_series().implode()
        )
    )
    rows_by_person_week = {
        key: part.sort("hours", "project_id", descending=[True, False])
        for key, part in rows.group_by(PERSON_WEEK)
    }
    return [
        _over_capacity_message(row, rows_by_person_week[(row["person_id"], row["week"])])
        for row in over.iter_rows(named=True)
    ] + [
        _crowded_message(row, rows_by_person_week[(row["person_id"], row["week"])])
        for row in crowded.iter_rows(named=True)
    ]


def _row_words(row: dict) -> str:
    """``pinned or hard booking on P1/D7 24 h`` — one unmovable allocation, as the user set it."""
    where = row["project_id"] + (f"/{row['demand_id']}" if row["demand_id"] else "")
    return f"{row['why']} {where} {format_hours(row['hours'])} h"


#: What the user can change, per reason a row cannot move.
_FIXES = {
    "pinned": "unpin or shorten a booking",
    "frozen": "freeze fewer weeks",
    "fixed": "reduce the fixed load",
    "kept": "allow more people to move",
}


def _fixes(rows: list[dict], last: str) -> str:
    fixes = [fix for key, fix in _FIXES.items() if any(r["why"].startswith(key) for r in rows)]
    return ", ".join(fixes + [last]).capitalize()


def _over_capacity_message(person_week: dict, rows: pl.DataFrame) -> str:
    """The capacity and the fewest largest unmovable rows that exceed it (irreducible: any
    fewer rows fit, since these are the largest)."""
    capacity = person_week["capacity"] / HOURS_SCALE
    chosen, total = [], 0.0
    for row in rows.iter_rows(named=True):
        chosen.append(row)
        total += row["hours"]
        if total > capacity + 1e-9:
            break
    return (
        f"{person_week['person_id']}, week of {person_week['week'].isoformat()}: capacity "
        f"{format_hours(capacity)} h, but these allocations cannot move: "
        f"{', '.join(_row_words(row) for row in chosen)} (total {format_hours(total)} h). "
        f"{_fixes(chosen, 'or raise the capacity')}"
    )


def _crowded_message(person_week: dict, rows: pl.DataFrame) -> str:
    projects = rows.unique("project_id", keep="first", maintain_order=True)
    chosen = projects.head(int(person_week["limit"]) + 1).to_dicts()
    return (
        f"{person_week['person_id']}, week of {person_week['week'].isoformat()}: at most "
        f"{person_week['limit']} concurrent project{'s' if person_week['limit'] != 1 else ''}, "
        "but these allocations cannot move: "
        f"{', '.join(_row_words(row) for row in chosen)}. "
        f"{_fixes(chosen, 'or raise max_concurrent_projects')}"
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
