"""Explain a plan in the user's words: the moves it makes and the demand it leaves unmet.

A PMO analyst reviews a plan move by move, so each move carries a reason
built from the facts of the input (over-allocation, qualification, priority),
and each unmet demand-week says whether anyone could have covered it.
"""

from __future__ import annotations

import polars as pl

from solver.measures import coverage, person_week_load
from solver.moves import group_consecutive_weeks, pair_changes
from solver.policy import Policy
from solver.prepare import ASSIGNMENT, Prepared
from solver.types import (
    MOVES_SCHEMA,
    UNMET_SCHEMA,
    conform_frame,
    empty,
    to_hours,
    to_tenths,
)

NO_QUALIFIED_PERSON = "no qualified person in the pool"
NO_FREE_CAPACITY = "no other qualified person has free capacity"
NOT_WORTH_IT = "left uncovered: covering it costs more than it gains (churn or fragmentation)"


def hours_text(tenths: pl.Expr) -> pl.Expr:
    """Tenths as hours text: 200 -> "20", 75 -> "7.5"."""
    return (
        pl.when(tenths % 10 == 0)
        .then((tenths // 10).cast(pl.String))
        .otherwise((tenths / 10).round(1).cast(pl.String))
    )


def weight_text(weight: pl.Expr) -> pl.Expr:
    """A priority weight as text: 4.0 -> "4", 2.5 -> "2.5"."""
    return (
        pl.when(weight == weight.floor())
        .then(weight.cast(pl.Int64).cast(pl.String))
        .otherwise(weight.cast(pl.String))
    )


def explain_moves(
    prepared: Prepared, plan: pl.DataFrame, policy: Policy | None = None
) -> pl.DataFrame:
    """The changes of ``plan`` against the current allocation, with a reason each.

    Hours removed from and added to demands are paired per person-week (lowest
    priority freed first, highest priority filled first) into shifts; what is left
    are plain removals or additions. Consecutive weeks with the same person, projects,
    demand, hours per week and reason form one row.

    Returns:
        :data:`solver.types.MOVES_SCHEMA` — ``person_id, from_project_id (null for an
        addition), to_project_id (null for a removal), demand_id (the demand gaining hours,
        or losing them for a removal), first_week, last_week (Date, Mondays), weeks (Int64),
        hours (Float64, total over the weeks), reason``.
    """
    changes = _changes(prepared, plan)
    if changes.height == 0:
        return empty(MOVES_SCHEMA)
    shifts, removals, additions = pair_changes(changes)
    weekly = pl.concat(
        [
            _shift_rows(shifts),
            _removal_rows(_with_removal_facts(prepared, removals)),
            _addition_rows(additions),
        ],
        how="vertical",
    )
    grouped = group_consecutive_weeks(weekly)
    return (
        _with_gain(grouped, prepared, policy or Policy())
        .cast(pl.Schema(MOVES_SCHEMA))
        .select(list(MOVES_SCHEMA))
    )


def _with_gain(moves: pl.DataFrame, prepared: Prepared, policy: Policy) -> pl.DataFrame:
    """Add ``gain``: cover weight x (weight of ``to`` - weight of ``from``) x hours, minus
    churn weight x hours changed (twice the hours for a shift: off one demand, onto another)."""
    weights = prepared.data.projects.group_by("project_id").agg(pl.col("priority_weight").max())
    weight_of = dict(weights.rows())

    def weight(column: str) -> pl.Expr:
        return (
            pl.col(column)
            .replace_strict(weight_of, default=1.0, return_dtype=pl.Float64)
            .fill_null(0.0)
        )

    changed = (
        pl.when(pl.col("from_project_id").is_not_null() & pl.col("to_project_id").is_not_null())
        .then(2.0)
        .otherwise(1.0)
    )
    return moves.with_columns(
        gain=(
            policy.cover_weight * (weight("to_project_id") - weight("from_project_id"))
            - policy.churn_weight * changed
        )
        * pl.col("hours")
    ).with_columns(pl.col("gain").round(1))


def _changes(prepared: Prepared, plan: pl.DataFrame) -> pl.DataFrame:
    """``person_id, demand_id, week, project_id, skill_id, priority_weight, change``.

    Rows held as they are without being pinned (frozen weeks, locked people) are no change.
    """
    held = prepared.pinned_rows.filter(~pl.col("pinned")).select(ASSIGNMENT).unique()
    planned = (
        conform_frame("current", plan)
        .filter(pl.col("demand_id").is_not_null() & ~pl.col("pinned"))
        .join(held, on=ASSIGNMENT, how="anti")
        .sort(ASSIGNMENT + ["project_id"])
        .group_by(ASSIGNMENT, maintain_order=True)
        .agg(pl.col("project_id").first(), to_tenths("hours").sum().alias("planned"))
    )
    demand_skills = prepared.data.demand.group_by("demand_id").agg(pl.col("skill_id").first())
    weights = prepared.data.projects.group_by("project_id").agg(pl.col("priority_weight").max())
    return (
        prepared.movable_current.join(planned, on=ASSIGNMENT, how="full", coalesce=True)
        .with_columns(
            pl.coalesce("project_id", "project_id_right").alias("project_id"),
            (pl.col("planned").fill_null(0) - pl.col("current").fill_null(0)).alias("change"),
        )
        .filter(pl.col("change") != 0)
        .join(demand_skills, on="demand_id", how="left")
        .join(weights, on="project_id", how="left")
        .with_columns(pl.col("priority_weight").fill_null(1.0))
        .select(*ASSIGNMENT, "project_id", "skill_id", "priority_weight", "change")
    )


def _unmet_demand_text(skill: str, demand: str, project: str, weight: str) -> pl.Expr:
    return (
        pl.when(pl.col(skill).is_null())
        .then(
            pl.format(
                "covers unmet demand {} on project {} (priority weight {})",
                pl.col(demand),
                pl.col(project),
                weight_text(pl.col(weight)),
            )
        )
        .otherwise(
            pl.format(
                "covers unmet {} demand {} on project {} (priority weight {})",
                pl.col(skill),
                pl.col(demand),
                pl.col(project),
                weight_text(pl.col(weight)),
            )
        )
    )


def _shift_rows(shifts: pl.DataFrame) -> pl.DataFrame:
    higher = pl.col("priority_weight_add") > pl.col("priority_weight")
    reason = (
        pl.when(higher)
        .then(
            pl.format(
                "frees capacity for higher-priority demand {} on project {} "
                "(priority weight {} over {})",
                pl.col("demand_id_add"),
                pl.col("project_id_add"),
                weight_text(pl.col("priority_weight_add")),
                weight_text(pl.col("priority_weight")),
            )
        )
        .otherwise(
            _unmet_demand_text(
                "skill_id_add", "demand_id_add", "project_id_add", "priority_weight_add"
            )
        )
    )
    return shifts.select(
        "person_id",
        pl.col("project_id").alias("from_project_id"),
        pl.col("project_id_add").alias("to_project_id"),
        pl.col("demand_id_add").alias("demand_id"),
        "week",
        "tenths",
        reason.alias("reason"),
    )


def _with_removal_facts(prepared: Prepared, removals: pl.DataFrame) -> pl.DataFrame:
    """Add the facts a removal's reason rests on: over-allocation, qualification, limits."""
    data = prepared.data
    over = person_week_load(data, data.current).select(
        "person_id", "week", (pl.col("load") - pl.col("capacity")).alias("over_capacity")
    )
    held = (
        data.current.filter(pl.col("demand_id").is_not_null())
        .group_by("demand_id", "week")
        .agg(to_tenths("hours").sum().alias("held"))
    )
    demand = prepared.demand_weeks.select("demand_id", "week", "demand", "remaining", "min_level")
    return (
        removals.join(over, on=["person_id", "week"], how="left")
        .join(held, on=["demand_id", "week"], how="left")
        .join(demand, on=["demand_id", "week"], how="left")
        .join(
            prepared.person_weeks.select("person_id", "week", "free"),
            on=["person_id", "week"],
            how="left",
        )
        .join(
            prepared.qualified.with_columns(qualified=pl.lit(True)),
            on=["person_id", "demand_id", "min_level"],
            how="left",
        )
        .with_columns(
            pl.col("over_capacity", "held", "demand", "remaining", "free").fill_null(0),
            pl.col("qualified").fill_null(False),
        )
    )


def _removal_rows(removals: pl.DataFrame) -> pl.DataFrame:
    reason = (
        pl.when(pl.col("over_capacity") > 0)
        .then(
            pl.format(
                "takes {} h/week off: the person is booked {} h/week above capacity",
                hours_text(pl.col("tenths")),
                hours_text(pl.col("over_capacity")),
            )
        )
        .when(pl.col("demand") <= 0)
        .then(pl.format("demand {} asks for no hours in this week", pl.col("demand_id")))
        .when(pl.col("remaining") <= 0)
        .then(
            pl.format(
                "pinned allocations already cover demand {} in this week", pl.col("demand_id")
            )
        )
        .when(~pl.col("qualified"))
        .then(
            pl.format(
                "{} does not hold {} at level {} or above",
                pl.col("person_id"),
                pl.col("skill_id").fill_null("the skill"),
                pl.col("min_level").fill_null(1),
            )
        )
        .when(pl.col("free") <= 0)
        .then(pl.lit("pinned work and fixed load fill the capacity in this week"))
        .when(pl.col("held") > pl.col("demand"))
        .then(
            pl.format(
                "removes {} h/week above the demand of {}",
                hours_text(pl.col("held") - pl.col("demand")),
                pl.col("demand_id"),
            )
        )
        .otherwise(pl.lit("cuts fragmentation: fewer projects per person and week"))
    )
    return removals.select(
        "person_id",
        pl.col("project_id").alias("from_project_id"),
        pl.lit(None, dtype=pl.String).alias("to_project_id"),
        "demand_id",
        "week",
        "tenths",
        reason.alias("reason"),
    )


def _addition_rows(additions: pl.DataFrame) -> pl.DataFrame:
    return additions.select(
        "person_id",
        pl.lit(None, dtype=pl.String).alias("from_project_id"),
        pl.col("project_id").alias("to_project_id"),
        "demand_id",
        "week",
        "tenths",
        _unmet_demand_text("skill_id", "demand_id", "project_id", "priority_weight").alias(
            "reason"
        ),
    )


def explain_unmet(prepared: Prepared, plan: pl.DataFrame) -> pl.DataFrame:
    """Demand-weeks ``plan`` leaves (partly) uncovered, and why.

    Reasons: :data:`NO_QUALIFIED_PERSON` when nobody qualifies for the demand,
    :data:`NO_FREE_CAPACITY` when every qualified person is at (or above) capacity that
    week in the plan, otherwise :data:`NOT_WORTH_IT`.

    Returns:
        :data:`solver.types.UNMET_SCHEMA`, sorted by demand and week.
    """
    data = prepared.data
    plan = conform_frame("current", plan)
    unmet = coverage(data, plan).filter(pl.col("covered") < pl.col("demand"))
    if unmet.height == 0:
        return empty(UNMET_SCHEMA)
    load = person_week_load(data, plan).select(
        "person_id", "week", (pl.col("capacity") - pl.col("load")).alias("free")
    )
    room = (
        unmet.select("demand_id", "min_level", "week")
        .join(prepared.qualified, on=["demand_id", "min_level"])
        .join(load, on=["person_id", "week"], how="left")
        .group_by("demand_id", "week")
        .agg(pl.len().alias("qualified"), (pl.col("free").fill_null(0) > 0).any().alias("room"))
    )
    reason = (
        pl.when(pl.col("qualified").fill_null(0) == 0)
        .then(pl.lit(NO_QUALIFIED_PERSON))
        .when(~pl.col("room").fill_null(False))
        .then(pl.lit(NO_FREE_CAPACITY))
        .otherwise(pl.lit(NOT_WORTH_IT))
    )
    return (
        unmet.join(room, on=["demand_id", "week"], how="left")
        .with_columns(reason.alias("reason"), (pl.col("demand") - pl.col("covered")).alias("unmet"))
        .select(
            "demand_id",
            "project_id",
            "skill_id",
            "week",
            to_hours("demand").alias("demand_hours"),
            to_hours("covered").alias("covered_hours"),
            to_hours("unmet").alias("unmet_hours"),
            "reason",
        )
        .cast(pl.Schema(UNMET_SCHEMA))
        .sort("demand_id", "week")
    )
