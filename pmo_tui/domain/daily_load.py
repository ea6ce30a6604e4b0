"""Daily peaks: the busiest day of each person-week, so an over-booked day is not hidden.

Planning stays weekly, but a week at 90 % can hide three days at 150 % (two
free days make up for them), or one Friday at 430 %. This module spreads each
allocation over the days of its week and compares each day's load with that
day's capacity (:func:`pmo_tui.domain.capacity.daily_capacity`):

* an allocation imported from a project file has a daily shape (``allocation_day``:
  the file's timephased work, or its work spread over the resource's calendar
  between the assignment's start and finish); its hours are shared among the days
  in proportion to that shape, scaled to the allocation's current hours (a plan may
  have changed them);
* any other allocation (CSV bookings, plans) is spread in proportion to the person's
  capacity on each day of the week (the calendar: pattern, holidays, leave,
  availability), or evenly over Monday to Friday in a week without capacity.

An allocation spread by the calendar never exceeds a day unless it exceeds its week,
so daily over-allocation comes from the shapes of imported plans, or from several
bookings of which one is shaped.
"""

from __future__ import annotations

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.domain.units import EPSILON_HOURS

__all__ = ["PEAK_SCHEMA", "allocation_days", "daily_peaks"]

_KEYS = ["person_id", "project_id", "demand_id", "week"]

#: Columns and dtypes of :func:`daily_peaks`.
PEAK_SCHEMA: SchemaDict = {
    "person_id": pl.String,
    "week": pl.Date,
    "peak_date": pl.Date,
    "peak_load_hours": pl.Float64,
    "peak_capacity_hours": pl.Float64,
    "peak_over_hours": pl.Float64,
    "day_over_allocated": pl.Boolean,
}


def allocation_days(
    allocations: pl.DataFrame, shapes: pl.DataFrame, daily: pl.DataFrame
) -> pl.DataFrame:
    """Each allocation's hours per day.

    Args:
        allocations: ``person_id, project_id, demand_id, week, hours``.
        shapes: ``person_id, project_id, demand_id, date, hours`` (``allocation_day``).
        daily: ``person_id, date, hours`` (daily capacity covering the allocations' weeks).

    Returns:
        ``person_id (String), date (Date), hours (Float64)``: the load of every
        allocation on each day, not summed.
    """
    booked = allocations.group_by(_KEYS).agg(pl.col("hours").sum())
    shape = shapes.with_columns(pl.col("date").dt.truncate("1w").alias("week"))
    shape = shape.with_columns(pl.col("hours").sum().over(_KEYS).alias("shape_total")).filter(
        pl.col("shape_total") > 0
    )
    shaped = booked.join(
        shape.rename({"hours": "shape_hours"}), on=_KEYS, how="inner", nulls_equal=True
    ).select(
        "person_id",
        "date",
        (pl.col("hours") * pl.col("shape_hours") / pl.col("shape_total")).alias("hours"),
    )
    unshaped = booked.join(shape.select(_KEYS).unique(), on=_KEYS, how="anti", nulls_equal=True)
    return pl.concat([shaped, _spread_by_calendar(unshaped, daily)], how="vertical")


def _spread_by_calendar(booked: pl.DataFrame, daily: pl.DataFrame) -> pl.DataFrame:
    """Weekly hours shared among the days by capacity (Monday-Friday evenly without any)."""
    days = daily.with_columns(pl.col("date").dt.truncate("1w").alias("week"))
    days = days.with_columns(pl.col("hours").sum().over("person_id", "week").alias("week_capacity"))
    joined = booked.join(
        days.rename({"hours": "day_capacity"}), on=["person_id", "week"], how="inner"
    )
    share = (
        pl.when(pl.col("week_capacity") > 0)
        .then(pl.col("day_capacity") / pl.col("week_capacity"))
        .when(pl.col("date").dt.weekday() <= 5)
        .then(pl.lit(0.2))
        .otherwise(pl.lit(0.0))
    )
    return joined.select("person_id", "date", (pl.col("hours") * share).alias("hours"))


def daily_peaks(
    allocations: pl.DataFrame, shapes: pl.DataFrame, daily: pl.DataFrame
) -> pl.DataFrame:
    """The peak day of every person-week with some load.

    The peak day is the one whose load exceeds its capacity the most; in a week
    without over-booked days, the one with the most load (the earliest of equal ones).

    Args: as :func:`allocation_days`.

    Returns:
        ``person_id, week (Date, Monday), peak_date (Date), peak_load_hours,
        peak_capacity_hours, peak_over_hours`` (Float64, hours, 0.1 h; over = load
        above capacity, never negative), ``day_over_allocated`` (Boolean: the peak day
        is booked above its capacity by more than :data:`EPSILON_HOURS`).
    """
    load = (
        allocation_days(allocations, shapes, daily)
        .group_by("person_id", "date")
        .agg(pl.col("hours").sum().alias("load"))
    )
    frame = load.join(
        daily.rename({"hours": "capacity"}), on=["person_id", "date"], how="left"
    ).with_columns(
        pl.col("capacity").fill_null(0.0),
        pl.col("date").dt.truncate("1w").alias("week"),
    )
    excess = pl.col("load") - pl.col("capacity")
    frame = frame.with_columns(excess.alias("excess"), (excess > EPSILON_HOURS).alias("over"))
    worst = pl.when(pl.col("over")).then(pl.col("excess")).otherwise(pl.col("load"))
    peaks = (
        frame.sort([pl.col("over"), worst, pl.col("date")], descending=[True, True, False])
        .group_by("person_id", "week", maintain_order=True)
        .first()
    )
    over = pl.col("excess").clip(lower_bound=0.0).round(1)
    return (
        peaks.select(
            "person_id",
            "week",
            pl.col("date").alias("peak_date"),
            pl.col("load").round(1).alias("peak_load_hours"),
            pl.col("capacity").round(1).alias("peak_capacity_hours"),
            over.alias("peak_over_hours"),
            (over > EPSILON_HOURS).alias("day_over_allocated"),
        )
        .sort("person_id", "week")
        .cast(pl.Schema(PEAK_SCHEMA))
    )
