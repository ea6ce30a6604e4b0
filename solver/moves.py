"""Turn per-week hour changes into moves: pair removals with additions, merge week runs.

Kept apart from the wording in :mod:`solver.explain` because this part is pure
arithmetic on intervals, vectorised in polars.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

PERSON_WEEK = ["person_id", "week"]
MOVE_KEY = ["person_id", "from_project_id", "to_project_id", "demand_id", "tenths", "reason"]


def _stack(changes: pl.DataFrame, *, highest_first: bool) -> pl.DataFrame:
    """Give each change an interval [start, end) on its person-week's stack of hours."""
    return (
        changes.sort(
            [*PERSON_WEEK, "priority_weight", "project_id", "demand_id"],
            descending=[False, False, highest_first, False, False],
        )
        .with_columns(end=pl.col("amount").cum_sum().over(PERSON_WEEK))
        .with_columns(start=pl.col("end") - pl.col("amount"))
    )


def pair_changes(changes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Split per-week changes into shifts, plain removals and plain additions.

    Within a person-week, removed hours (lowest priority first) are laid against added
    hours (highest priority first); where they overlap the hours shift from one demand
    to another.

    Args:
        changes: ``person_id, demand_id, week, project_id, skill_id, priority_weight,
            change`` (Int64 tenths, non-zero: negative = removed, positive = added).

    Returns:
        ``(shifts, removals, additions)``: shifts have the removal's columns plus
        ``demand_id_add, project_id_add, skill_id_add, priority_weight_add`` and
        ``tenths``; removals and additions have the change columns plus ``tenths``
        (the part not paired, > 0).
    """
    removals = _stack(
        changes.filter(pl.col("change") < 0).with_columns(amount=-pl.col("change")),
        highest_first=False,
    )
    additions = _stack(
        changes.filter(pl.col("change") > 0).with_columns(amount=pl.col("change")),
        highest_first=True,
    )
    shifts = (
        removals.join(additions, on=PERSON_WEEK, suffix="_add")
        .with_columns(
            tenths=pl.min_horizontal("end", "end_add") - pl.max_horizontal("start", "start_add")
        )
        .filter(pl.col("tenths") > 0)
    )
    return (
        shifts,
        _left_over(removals, shifts, "demand_id"),
        _left_over(additions, shifts, "demand_id_add"),
    )


def _left_over(changes: pl.DataFrame, shifts: pl.DataFrame, demand_column: str) -> pl.DataFrame:
    """The part of each change that no shift took."""
    used = (
        shifts.group_by("person_id", "week", demand_column)
        .agg(pl.col("tenths").sum().alias("used"))
        .rename({demand_column: "demand_id"})
    )
    return (
        changes.join(used, on=["person_id", "week", "demand_id"], how="left")
        .with_columns(tenths=pl.col("amount") - pl.col("used").fill_null(0))
        .filter(pl.col("tenths") > 0)
        .drop("used")
    )


def group_consecutive_weeks(weekly: pl.DataFrame) -> pl.DataFrame:
    """Merge runs of consecutive weeks with the same move into one row.

    Args:
        weekly: ``person_id, from_project_id, to_project_id, demand_id, week, tenths
            (Int64 per week), reason``.

    Returns:
        ``person_id, from_project_id, to_project_id, demand_id, first_week, last_week,
        weeks (Int64), hours (Float64 total), reason``, sorted by person, first week,
        projects and demand.
    """
    one_week = dt.timedelta(days=7)
    gap = pl.col("week").diff().over(MOVE_KEY)
    runs = weekly.sort([*MOVE_KEY, "week"], nulls_last=False).with_columns(
        run=(gap.is_null() | (gap != one_week)).cast(pl.Int64).cum_sum().over(MOVE_KEY)
    )
    return (
        runs.group_by([*MOVE_KEY, "run"])
        .agg(
            pl.col("week").min().alias("first_week"),
            pl.col("week").max().alias("last_week"),
            pl.len().cast(pl.Int64).alias("weeks"),
            (pl.col("tenths").sum().cast(pl.Float64) / 10).round(1).alias("hours"),
        )
        .sort("person_id", "first_week", "from_project_id", "to_project_id", "demand_id", "reason")
        .select(
            "person_id",
            "from_project_id",
            "to_project_id",
            "demand_id",
            "first_week",
            "last_week",
            "weeks",
            "hours",
            "reason",
        )
    )
