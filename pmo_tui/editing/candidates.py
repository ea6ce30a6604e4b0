"""Who could take a booking over: the people qualified for its demand, with their free hours.

A booking moves to another person with :func:`pmo_tui.editing.allocations.move_allocation`;
:func:`move_candidates` lists the people a move may go to, best first, so that a front
end offers only them. Qualification is the plan's rule (``solver/prepare.py``,
``_qualified``; docs/planning.md): the demand's skill at its minimum level or above,
valid in the week (the skill's own ``valid_until`` and the expiry of the certification
that grants it, :func:`pmo_tui.governance.training.skills_with_certifications`); for a
demand without a skill (a named person's work), the people booked on it; for time
booked outside any demand (fixed load), anyone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.domain.capacity import capacity_tables
from pmo_tui.domain.horizon import Window
from pmo_tui.editing.allocations import BOOKING_OPTIONS
from pmo_tui.editing.fields import checked_record
from pmo_tui.governance.training import skills_with_certifications
from pmo_tui.store.reads import query_frame, read_table

if TYPE_CHECKING:
    from pmo_tui.editing.allocations import Booking
    from pmo_tui.store.reads import Readable

__all__ = ["CANDIDATE_SCHEMA", "move_candidates"]

#: Columns of :func:`move_candidates`.
CANDIDATE_SCHEMA = pl.Schema(
    {
        "person_id": pl.String,
        "name": pl.String,
        "level": pl.Int64,
        "free_hours": pl.Float64,
        "free_after_hours": pl.Float64,
    }
)


def move_candidates(db: Readable, booking: Booking, *, today: dt.date) -> pl.DataFrame:
    """The people ``booking`` could move to, best first (:data:`CANDIDATE_SCHEMA`).

    Args:
        booking: the booking to move (its person is left out).
        today: the date capacity is derived as of (the calendar of its weeks).

    Returns:
        One row per qualified person (module docstring): ``level`` (their level of the
        demand's skill, null without one), ``free_hours`` (capacity less allocated hours,
        summed over the booking's weeks; negative when over-allocated) and
        ``free_after_hours`` (the same once the booking's hours are theirs). Sorted by
        free hours (most first), then level (highest first), then id.

    Raises:
        UserErrors: a bad week in ``booking``.
    """
    record = checked_record(
        "allocations", {**booking.given(), "hours_per_week": "0"}, options=BOOKING_OPTIONS
    )
    first, last = record["start_week"], record["end_week"]
    weeks = pl.col("week").is_between(first, last)
    booked = read_table(db, "allocation").filter(
        (pl.col("person_id") == booking.person_id)
        & (pl.col("project_id") == booking.project_id)
        & _same_demand(booking.demand_id)
        & weeks
    )
    qualified = _qualified(db, booking, booked, first, last)
    load = capacity_tables(db, Window(today, first, last)).utilisation.filter(weeks)
    free = load.group_by("person_id").agg(
        (pl.col("capacity_hours") - pl.col("allocated_hours")).sum().round(1).alias("free_hours")
    )
    moved = float(booked["hours"].sum())
    names = read_table(db, "person", ["id", "name"]).rename({"id": "person_id"})
    return (
        qualified.filter(pl.col("person_id") != booking.person_id)
        .join(names, on="person_id", how="left")
        .join(free, on="person_id", how="left")
        .with_columns(pl.col("free_hours").fill_null(0.0))
        .with_columns((pl.col("free_hours") - moved).round(1).alias("free_after_hours"))
        .select(list(CANDIDATE_SCHEMA))
        .cast(CANDIDATE_SCHEMA)
        .sort(
            ["free_hours", "level", "person_id"],
            descending=[True, True, False],
            nulls_last=True,
        )
    )


def _same_demand(demand_id: str | None) -> pl.Expr:
    column = pl.col("demand_id")
    return column.is_null() if demand_id is None else column == demand_id


def _qualified(
    db: Readable, booking: Booking, booked: pl.DataFrame, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """``person_id, level``: who may do the booking's work in weeks ``first``..``last``."""
    everyone = read_table(db, "person", ["id"]).select(
        pl.col("id").alias("person_id"), pl.lit(None, pl.Int64).alias("level")
    )
    if booking.demand_id is None:
        return everyone
    demand = query_frame(
        db,
        "SELECT skill_id, min_level FROM demand WHERE id = ?",
        {"skill_id": pl.String, "min_level": pl.Int64},
        [booking.demand_id],
    )
    if demand.is_empty():
        return everyone.head(0)
    skill, min_level = demand.row(0)
    if skill is None:  # a named person's work: the people booked on it
        on_demand = read_table(db, "allocation").filter(pl.col("demand_id") == booking.demand_id)
        return everyone.join(on_demand.select("person_id").unique(), on="person_id", how="semi")
    latest = booked["week"].max() if booked.height else last
    return (
        skills_with_certifications(db)
        .filter(
            (pl.col("skill_id") == skill)
            & (pl.col("level") >= (min_level or 1))
            & (pl.col("valid_until").is_null() | (pl.col("valid_until") > latest))
        )
        .select("person_id", "level")
    )
