"""Daily peaks (pmo_tui.domain.daily_load): hand-computed loads per day.

Week of Monday 2027-01-04; Wednesday 01-06 is a public holiday in region UK.
Ann works 8 h Monday to Friday: 32 h of capacity that week (Wednesday is off).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pmo_tui.domain.capacity import daily_capacity
from pmo_tui.domain.daily_load import allocation_days, daily_peaks

MONDAY = dt.date(2027, 1, 4)
DAY = dt.timedelta(days=1)


def _daily() -> pl.DataFrame:
    people = pl.DataFrame(
        {"id": ["ann"], "region": ["UK"]}
        | {day: [8.0] for day in ("mon", "tue", "wed", "thu", "fri")}
        | {day: [0.0] for day in ("sat", "sun")}
    )
    holidays = pl.DataFrame({"region": ["UK"], "date": [MONDAY + 2 * DAY]})
    leave = pl.DataFrame(
        schema={
            "person_id": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "hours_per_day": pl.Float64,
        }
    )
    availability = pl.DataFrame(
        schema={"person_id": pl.String, "start": pl.Date, "end": pl.Date, "percent": pl.Float64}
    )
    return daily_capacity(people, holidays, leave, availability, MONDAY, MONDAY + 6 * DAY)


def _allocations(rows: list[tuple[str, str | None, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "person_id": ["ann"] * len(rows),
            "project_id": [project for project, _, _ in rows],
            "demand_id": [demand for _, demand, _ in rows],
            "week": [MONDAY] * len(rows),
            "hours": [hours for _, _, hours in rows],
        },
        schema_overrides={"demand_id": pl.String},
    )


def _shapes(rows: list[tuple[str, str | None, dt.date, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "person_id": ["ann"] * len(rows),
            "project_id": [row[0] for row in rows],
            "demand_id": [row[1] for row in rows],
            "date": [row[2] for row in rows],
            "hours": [row[3] for row in rows],
        },
        schema={
            "person_id": pl.String,
            "project_id": pl.String,
            "demand_id": pl.String,
            "date": pl.Date,
            "hours": pl.Float64,
        },
    )


def test_a_booking_without_shape_follows_the_calendar() -> None:
    """20 h over Mon, Tue, Thu, Fri (8 h each, 32 h): 20 x 8 / 32 = 5 h a day, none on the
    holiday; the peak day is Monday (5 h of 8, 3 h below capacity on every working day)."""
    days = allocation_days(_allocations([("CSV", "D1", 20.0)]), _shapes([]), _daily())
    assert dict(days.select("date", "hours").iter_rows()) == {
        MONDAY: 5.0,
        MONDAY + DAY: 5.0,
        MONDAY + 2 * DAY: 0.0,
        MONDAY + 3 * DAY: 5.0,
        MONDAY + 4 * DAY: 5.0,
        MONDAY + 5 * DAY: 0.0,
        MONDAY + 6 * DAY: 0.0,
    }
    peaks = daily_peaks(_allocations([("CSV", "D1", 20.0)]), _shapes([]), _daily())
    assert peaks.row(0) == ("ann", MONDAY, MONDAY, 5.0, 8.0, 0.0, False)


def test_a_shaped_booking_is_scaled_and_adds_to_the_others() -> None:
    """The imported shape put 4 h on Monday and 4 h on Tuesday (8 h); the allocation is now
    16 h, so 8 h + 8 h. With the 20 h above (5 h a day): Monday 13 h and Tuesday 13 h against
    8 h: 5 h over on each, the earliest (Monday) is the peak. The week: 36 h of 32 h.
    A shape without demand (operations work, demand null) is matched too."""
    allocations = _allocations([("CSV", "D1", 20.0), ("PLAN", "D2", 16.0), ("OPS", None, 2.0)])
    shapes = _shapes(
        [
            ("PLAN", "D2", MONDAY, 4.0),
            ("PLAN", "D2", MONDAY + DAY, 4.0),
            ("OPS", None, MONDAY + 4 * DAY, 1.0),
        ]
    )
    load = (
        allocation_days(allocations, shapes, _daily())
        .group_by("date")
        .agg(pl.col("hours").sum().round(2))
    )
    assert dict(load.iter_rows()) == {
        MONDAY: 13.0,
        MONDAY + DAY: 13.0,
        MONDAY + 2 * DAY: 0.0,
        MONDAY + 3 * DAY: 5.0,
        MONDAY + 4 * DAY: 7.0,  # 5 h spread + the 2 h of operations shaped on Friday
        MONDAY + 5 * DAY: 0.0,
        MONDAY + 6 * DAY: 0.0,
    }
    peaks = daily_peaks(allocations, shapes, _daily())
    assert peaks.row(0) == ("ann", MONDAY, MONDAY, 13.0, 8.0, 5.0, True)


def test_a_booking_in_a_week_without_capacity_goes_to_the_weekdays() -> None:
    """Ann on leave all week: 10 h go 2 h a day Monday to Friday, each 2 h over its 0 h."""
    daily = _daily().with_columns(pl.lit(0.0).alias("hours"))
    peaks = daily_peaks(_allocations([("CSV", "D1", 10.0)]), _shapes([]), daily)
    assert peaks.row(0) == ("ann", MONDAY, MONDAY, 2.0, 0.0, 2.0, True)
