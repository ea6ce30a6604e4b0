"""Capacity tables in polars: capacity, allocation, utilisation and demand coverage.

Capacity is derived from the calendar, never typed by hand (DESIGN.md):
for each day, the person's working-pattern hours for that weekday, zero on a
public holiday of the person's region, less leave (a whole day, or
``hours_per_day``), times the availability percentage in force that day; a
week's capacity is the sum over its seven days. Weeks are ISO weeks keyed by
their Monday (``pl.Date``); hours are ``Float64`` rounded to 0.1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.domain.horizon import Window, monday
from pmo_tui.domain.units import EPSILON_HOURS
from pmo_tui.store.reads import read_table
from pmo_tui.store.tables import WEEKDAY_COLUMNS

if TYPE_CHECKING:
    from pmo_tui.store.reads import Readable


def daily_capacity(
    people: pl.DataFrame,
    holidays: pl.DataFrame,
    leave: pl.DataFrame,
    availability: pl.DataFrame,
    first_day: dt.date,
    last_day: dt.date,
) -> pl.DataFrame:
    """Working hours per person and day between ``first_day`` and ``last_day`` inclusive.

    Args:
        people: ``id, region, mon..sun`` (hours per weekday, Float64).
        holidays: ``region, date`` (public holidays).
        leave: ``person_id, start, end, hours_per_day`` (null = whole day off).
        availability: ``person_id, start, end (null = open), percent`` (0-100);
            where periods overlap, the one that started last applies.

    Returns:
        ``person_id (String), date (Date), hours (Float64)``.
    """
    days = pl.DataFrame({"date": pl.date_range(first_day, last_day, interval="1d", eager=True)})
    pattern = people.select(
        pl.col("id").alias("person_id"), "region", *[pl.col(d) for d in WEEKDAY_COLUMNS]
    ).unpivot(index=["person_id", "region"], variable_name="weekday_name", value_name="pattern")
    weekday_number = {name: number for number, name in enumerate(WEEKDAY_COLUMNS, start=1)}
    pattern = pattern.with_columns(
        pl.col("weekday_name").replace_strict(weekday_number, return_dtype=pl.Int8).alias("weekday")
    )
    frame = days.with_columns(pl.col("date").dt.weekday().cast(pl.Int8).alias("weekday")).join(
        pattern, on="weekday"
    )
    holiday_days = holidays.select("region", "date").unique().with_columns(is_holiday=pl.lit(True))
    frame = frame.join(holiday_days, on=["region", "date"], how="left")
    frame = frame.join(_leave_by_day(leave), on=["person_id", "date"], how="left")
    frame = frame.join(
        _availability_by_day(availability, last_day), on=["person_id", "date"], how="left"
    )
    hours = (
        pl.when(pl.col("is_holiday").fill_null(False))
        .then(0.0)
        .otherwise((pl.col("pattern") - pl.col("leave_hours").fill_null(0.0)).clip(lower_bound=0.0))
        * pl.col("percent").fill_null(100.0)
        / 100.0
    )
    return frame.select("person_id", "date", hours.alias("hours")).sort("person_id", "date")


def _leave_by_day(leave: pl.DataFrame) -> pl.DataFrame:
    """Hours off per person and day (whole-day leave = 24 h, clipped later by the pattern)."""
    expanded = leave.select(
        "person_id",
        pl.date_ranges("start", "end", interval="1d").alias("date"),
        pl.col("hours_per_day").fill_null(24.0).alias("leave_hours"),
    ).explode("date")
    return expanded.group_by("person_id", "date").agg(pl.col("leave_hours").sum())


def _availability_by_day(availability: pl.DataFrame, last_day: dt.date) -> pl.DataFrame:
    """The availability percentage per person and day (the latest-starting period wins)."""
    expanded = availability.select(
        "person_id",
        "start",
        pl.date_ranges("start", pl.col("end").fill_null(last_day), interval="1d").alias("date"),
        "percent",
    ).explode("date")
    return expanded.sort("start").group_by("person_id", "date").agg(pl.col("percent").last())


def weekly_capacity(daily: pl.DataFrame) -> pl.DataFrame:
    """Sum daily hours into ISO weeks: ``person_id, week (Monday, Date), hours (Float64)``."""
    return (
        daily.with_columns(pl.col("date").dt.truncate("1w").alias("week"))
        .group_by("person_id", "week")
        .agg(pl.col("hours").sum().round(1))
        .sort("person_id", "week")
    )


def utilisation(capacity: pl.DataFrame, allocations: pl.DataFrame) -> pl.DataFrame:
    """Utilisation per person-week.

    Args:
        capacity: ``person_id, week, hours``.
        allocations: ``person_id, week, hours`` (any extra columns ignored).

    Returns:
        ``person_id, week, capacity_hours, allocated_hours, utilisation`` (allocated /
        capacity, null where capacity is 0), ``over_hours`` (allocated above capacity),
        ``over_allocated`` (Boolean). Person-weeks with an allocation but no capacity
        row (outside the horizon) count with capacity 0.
    """
    allocated = allocations.group_by("person_id", "week").agg(
        pl.col("hours").sum().round(1).alias("allocated_hours")
    )
    frame = capacity.rename({"hours": "capacity_hours"}).join(
        allocated, on=["person_id", "week"], how="full", coalesce=True
    )
    frame = frame.with_columns(
        pl.col("capacity_hours").fill_null(0.0), pl.col("allocated_hours").fill_null(0.0)
    )
    over = (pl.col("allocated_hours") - pl.col("capacity_hours")).clip(lower_bound=0.0).round(1)
    return frame.with_columns(
        pl.when(pl.col("capacity_hours") > 0)
        .then(pl.col("allocated_hours") / pl.col("capacity_hours"))
        .otherwise(None)
        .alias("utilisation"),
        over.alias("over_hours"),
        (over > EPSILON_HOURS).alias("over_allocated"),
    ).sort("person_id", "week")


def demand_coverage(demand: pl.DataFrame, allocations: pl.DataFrame) -> pl.DataFrame:
    """Demand against what is allocated to it, per demand and week.

    Args:
        demand: ``demand_id, project_id, skill_id, week, hours``.
        allocations: ``demand_id, week, hours``.

    Returns:
        ``demand_id, project_id, skill_id, week, demand_hours, allocated_hours,
        unmet_hours`` (demand minus allocated, never negative).
    """
    allocated = (
        allocations.filter(pl.col("demand_id").is_not_null())
        .group_by("demand_id", "week")
        .agg(pl.col("hours").sum().alias("allocated_hours"))
    )
    frame = demand.rename({"hours": "demand_hours"}).join(
        allocated, on=["demand_id", "week"], how="left"
    )
    return frame.select(
        "demand_id",
        "project_id",
        "skill_id",
        "week",
        "demand_hours",
        pl.col("allocated_hours").fill_null(0.0).round(1),
        (pl.col("demand_hours") - pl.col("allocated_hours").fill_null(0.0))
        .clip(lower_bound=0.0)
        .round(1)
        .alias("unmet_hours"),
    ).sort("demand_id", "week")


def horizon(demand: pl.DataFrame, allocations: pl.DataFrame) -> tuple[dt.date, dt.date] | None:
    """First Monday and last Sunday spanned by demand and allocations (None if both are empty)."""
    weeks = pl.concat([demand.select("week"), allocations.select("week")])
    if weeks.is_empty():
        return None
    first, last = weeks["week"].min(), weeks["week"].max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    return first, last + dt.timedelta(days=6)


def demand_weeks(demands: pl.DataFrame, weeks: pl.DataFrame) -> pl.DataFrame:
    """Demand per week: ``demand_id, project_id, skill_id, min_level, week (Date), hours``.

    Args:
        demands: ``id, project_id, skill_id, min_level`` (the ``demand`` table).
        weeks: ``demand_id, week, hours`` (the ``demand_week`` table).
    """
    return weeks.join(demands.rename({"id": "demand_id"}), on="demand_id", how="inner").select(
        "demand_id", "project_id", "skill_id", "min_level", "week", "hours"
    )


def capacity_over_horizon(
    calendar: Mapping[str, pl.DataFrame],
    demand: pl.DataFrame,
    allocations: pl.DataFrame,
    *,
    extra_weeks: int = 0,
    window: Window | None = None,
) -> pl.DataFrame:
    """Weekly capacity of everyone over the horizon of ``demand`` and ``allocations``.

    Args:
        calendar: the ``person``, ``public_holiday``, ``leave`` and ``availability``
            tables (see :func:`daily_capacity`).
        demand, allocations: frames with a ``week`` column; their span is the horizon.
        extra_weeks: weeks added after the last demand or allocation week (the weeks
            a project may start later into).
        window: when given, the horizon starts on its first week (even before the first
            demand) and ends on its last week, if it has one.

    Returns:
        ``person_id, week (Monday), hours`` (empty when there is no demand nor allocation).
    """
    span = horizon(demand, allocations)
    if span is None:
        return pl.DataFrame(schema={"person_id": pl.String, "week": pl.Date, "hours": pl.Float64})
    first, last = span[0], span[1] + dt.timedelta(weeks=max(extra_weeks, 0))
    if window is not None:
        first = window.first
        if window.last is not None:
            last = min(last, window.last + dt.timedelta(days=6))
        if last < first:
            return pl.DataFrame(
                schema={"person_id": pl.String, "week": pl.Date, "hours": pl.Float64}
            )
    daily = daily_capacity(
        calendar["person"],
        calendar["public_holiday"],
        calendar["leave"],
        calendar["availability"],
        first,
        last,
    )
    return weekly_capacity(daily)


@dataclass
class CapacityTables:
    """The capacity tables of one database, all keyed by ISO week (Monday)."""

    capacity: pl.DataFrame  # person_id, week, hours
    allocations: pl.DataFrame  # id, person_id, project_id, demand_id, week, hours, kind, pinned
    demand: pl.DataFrame  # demand_id, project_id, skill_id, min_level, week, hours
    utilisation: pl.DataFrame  # see utilisation()
    coverage: pl.DataFrame  # see demand_coverage()
    #: see pmo_tui.domain.daily_load.daily_peaks (empty unless asked for)
    daily_peaks: pl.DataFrame | None = None


def capacity_tables(
    db: Readable, window: Window | None = None, *, with_daily: bool = False
) -> CapacityTables:
    """Read the store and derive capacity, utilisation and coverage over the planning horizon.

    The horizon spans the demand and allocation weeks; without any, the projects'
    start to finish, else the leave and availability periods, so that the capacity
    of people without bookings (imported leave, availability) can still be seen.
    With ``window``, only its weeks: demand and allocations inside it, and the
    horizon cut to it. ``with_daily`` also derives the peak day of every person-week
    (:func:`pmo_tui.domain.daily_load.daily_peaks`).
    """
    demand = demand_weeks(read_table(db, "demand"), read_table(db, "demand_week"))
    allocations = read_table(db, "allocation")
    if window is not None:
        demand = demand.filter(window.weeks())
        allocations = allocations.filter(window.weeks())
    calendar = {
        table: read_table(db, table)
        for table in ("person", "public_holiday", "leave", "availability")
    }
    span = _in_window(horizon(demand, allocations) or _calendar_span(db, calendar), window)
    if span is None:
        capacity = capacity_over_horizon(calendar, demand, allocations)
        daily = None
    else:
        daily = daily_capacity(
            calendar["person"],
            calendar["public_holiday"],
            calendar["leave"],
            calendar["availability"],
            *span,
        )
        capacity = weekly_capacity(daily)
    peaks = None
    if with_daily:
        from pmo_tui.domain.daily_load import PEAK_SCHEMA, daily_peaks

        peaks = (
            daily_peaks(allocations, read_table(db, "allocation_day"), daily)
            if daily is not None
            else pl.DataFrame(schema=PEAK_SCHEMA)
        )
    return CapacityTables(
        capacity=capacity,
        allocations=allocations,
        demand=demand,
        utilisation=utilisation(capacity, allocations),
        coverage=demand_coverage(demand, allocations),
        daily_peaks=peaks,
    )


def _in_window(
    span: tuple[dt.date, dt.date] | None, window: Window | None
) -> tuple[dt.date, dt.date] | None:
    """``span`` cut to the weeks of ``window`` (None when nothing is left)."""
    if span is None or window is None:
        return span
    first = max(span[0], window.first)
    last = span[1] if window.last is None else min(span[1], window.last + dt.timedelta(days=6))
    return (first, last) if first <= last else None


def _calendar_span(
    db: Readable, calendar: Mapping[str, pl.DataFrame]
) -> tuple[dt.date, dt.date] | None:
    """Monday..Sunday around the projects' dates, else around the leave and availability."""
    projects = read_table(db, "project", ["start", "finish"])
    days = pl.concat([projects["start"], projects["finish"]]).drop_nulls()
    if days.is_empty():
        periods = [calendar["leave"], calendar["availability"]]
        days = pl.concat([p[c] for p in periods for c in ("start", "end")]).drop_nulls()
    if days.is_empty():
        return None
    first, last = days.min(), days.max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    return monday(first), monday(last) + dt.timedelta(days=6)


def fixed_over_capacity(capacity: pl.DataFrame, allocations: pl.DataFrame) -> pl.DataFrame:
    """Person-weeks whose pinned and hard bookings alone exceed capacity: no plan can fix them.

    Args:
        capacity: ``person_id, week, hours``.
        allocations: ``person_id, week, hours, kind, pinned`` (at least).

    Returns:
        ``person_id, week, fixed_hours, capacity_hours`` where fixed hours exceed capacity
        by more than 0.05 h, by person then week.
    """
    fixed = (
        allocations.filter(pl.col("pinned") | (pl.col("kind") == "hard"))
        .group_by("person_id", "week")
        .agg(pl.col("hours").sum().alias("fixed_hours"))
    )
    return (
        fixed.join(
            capacity.rename({"hours": "capacity_hours"}), on=["person_id", "week"], how="left"
        )
        .with_columns(pl.col("capacity_hours").fill_null(0.0))
        .filter(pl.col("fixed_hours") > pl.col("capacity_hours") + 0.05)
        .sort("person_id", "week")
    )
