"""Capacity tables: hand-computed capacity, utilisation and coverage."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pmo_tui.domain.capacity import (
    daily_capacity,
    demand_coverage,
    utilisation,
    weekly_capacity,
)
from pmo_tui.domain.horizon import monday

WEEK_1 = dt.date(2026, 12, 28)  # Monday; Friday 2027-01-01 is New Year's Day
WEEK_2 = dt.date(2027, 1, 4)


def _people() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ["ann", "ben", "cat"],
            "region": ["UK", "DE", "UK"],
            "mon": [8.0, 8.0, 7.5],
            "tue": [8.0, 8.0, 7.5],
            "wed": [8.0, 8.0, 7.5],
            "thu": [8.0, 0.0, 7.5],
            "fri": [8.0, 0.0, 7.5],
            "sat": [0.0, 0.0, 0.0],
            "sun": [0.0, 0.0, 0.0],
        }
    )


def _weekly() -> pl.DataFrame:
    holidays = pl.DataFrame(
        {"region": ["UK", "DE"], "date": [dt.date(2027, 1, 1), dt.date(2027, 1, 6)]}
    )
    leave = pl.DataFrame(
        {
            "person_id": ["ben", "cat"],
            "start": [dt.date(2026, 12, 28), dt.date(2027, 1, 4)],
            "end": [dt.date(2026, 12, 29), dt.date(2027, 1, 4)],
            "hours_per_day": [None, 4.0],
        },
        schema_overrides={"hours_per_day": pl.Float64},
    )
    availability = pl.DataFrame(
        {"person_id": ["ann"], "start": [WEEK_2], "end": [None], "percent": [50.0]},
        schema_overrides={"end": pl.Date},
    )
    daily = daily_capacity(
        _people(), holidays, leave, availability, WEEK_1, WEEK_2 + dt.timedelta(days=6)
    )
    return weekly_capacity(daily)


def _hours(frame: pl.DataFrame, person: str, week: dt.date) -> float:
    return frame.filter((pl.col("person_id") == person) & (pl.col("week") == week))["hours"].item()


def test_capacity_follows_pattern_holidays_leave_and_availability() -> None:
    weekly = _weekly()
    # ann: 5 x 8 h less New Year's Day (UK) = 32 h; then 50 % availability of 40 h = 20 h.
    assert _hours(weekly, "ann", WEEK_1) == 32.0
    assert _hours(weekly, "ann", WEEK_2) == 20.0
    # ben works Mon-Wed 8 h (24 h): Mon-Tue leave -> 8 h; then Wed 6 Jan is a DE holiday -> 16 h.
    assert _hours(weekly, "ben", WEEK_1) == 8.0
    assert _hours(weekly, "ben", WEEK_2) == 16.0
    # cat: 5 x 7.5 h less New Year's Day = 30 h; then half a day (4 h) off on Monday -> 33.5 h.
    assert _hours(weekly, "cat", WEEK_1) == 30.0
    assert _hours(weekly, "cat", WEEK_2) == 33.5
    assert weekly["week"].dt.weekday().unique().to_list() == [1]


def test_utilisation_flags_over_allocation_and_counts_hours_above_capacity() -> None:
    capacity = pl.DataFrame(
        {"person_id": ["ann", "ann"], "week": [WEEK_1, WEEK_2], "hours": [32.0, 0.0]}
    )
    allocations = pl.DataFrame(
        {
            "person_id": ["ann", "ann", "ann"],
            "week": [WEEK_1, WEEK_1, WEEK_2],
            "hours": [20.0, 20.0, 5.0],
        }
    )
    frame = utilisation(capacity, allocations)
    first, second = frame.row(0, named=True), frame.row(1, named=True)
    assert (first["allocated_hours"], first["over_hours"], first["over_allocated"]) == (
        40.0,
        8.0,
        True,
    )
    assert first["utilisation"] == 1.25
    assert (second["utilisation"], second["over_hours"], second["over_allocated"]) == (
        None,
        5.0,
        True,
    )


def test_demand_coverage_never_reports_negative_unmet() -> None:
    demand = pl.DataFrame(
        {
            "demand_id": ["d1", "d2"],
            "project_id": ["p", "p"],
            "skill_id": ["dev", "qa"],
            "week": [WEEK_1, WEEK_1],
            "hours": [30.0, 10.0],
        }
    )
    allocations = pl.DataFrame(
        {
            "demand_id": ["d1", "d2", None],
            "week": [WEEK_1, WEEK_1, WEEK_1],
            "hours": [12.5, 15.0, 8.0],
        }
    )
    coverage = demand_coverage(demand, allocations)
    assert coverage["unmet_hours"].to_list() == [17.5, 0.0]
    assert coverage["allocated_hours"].to_list() == [12.5, 15.0]


def test_monday_of_iso_week() -> None:
    assert monday(dt.date(2027, 1, 3)) == dt.date(2026, 12, 28)
    assert monday(dt.date(2027, 1, 4)) == dt.date(2027, 1, 4)
