"""The tables ``pmo-tui capacity`` prints, built from :mod:`pmo_tui.domain.capacity`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.domain.capacity import capacity_tables
from pmo_tui.domain.horizon import Window
from pmo_tui.errors import UserError
from pmo_tui.store.reads import read_table

if TYPE_CHECKING:
    from pmo_tui.store.reads import Readable


def capacity_report(
    db: Readable,
    *,
    over_allocated: bool = False,
    unmet: bool = False,
    person_id: str | None = None,
    window: Window | None = None,
    daily: bool = False,
) -> pl.DataFrame:
    """Utilisation per person-week, or unmet demand per project, skill and week.

    Every person is listed, with or without bookings (over the weeks of the demand
    and allocations, else of the projects, else of the leave and availability).

    Args:
        window: the weeks listed (default: every week of the data). When it starts
            before its current week, each row says whether its week is ``history``.

    Returns:
        Without ``unmet``: ``person_id, name, week (Date), capacity_hours,
        allocated_hours, over_hours, utilisation_pct`` (Float64, null when the
        capacity is 0), only over-allocated rows with ``over_allocated``.
        ``daily`` adds the week's peak day (:func:`pmo_tui.domain.daily_load.daily_peaks`):
        ``peak_date, peak_load_hours, peak_capacity_hours, peak_over_hours`` (null in a
        week without load); with ``over_allocated`` it keeps the person-weeks whose
        peak day is booked above that day's capacity instead.
        With ``unmet``: ``project_id, skill_id, week, demand_hours,
        allocated_hours, unmet_hours`` summed over the demands of a project and skill.
        Then ``history`` (Boolean) when the window reaches into the past.

    Raises:
        UserError: ``person_id`` is not in the pool.
    """
    tables = capacity_tables(db, window, with_daily=daily and not unmet)
    if unmet:
        return _with_history(unmet_demand(tables.coverage), window)
    people = read_table(db, "person", ["id", "name"]).rename({"id": "person_id"})
    frame = tables.utilisation.join(people, on="person_id", how="left")
    if person_id is not None:
        if person_id not in people["person_id"].to_list():
            raise UserError(
                f"unknown person {person_id!r}",
                option="--person",
                fix="use an id from `pmo-tui capacity` (column person_id)",
            )
        frame = frame.filter(pl.col("person_id") == person_id)
    columns = list(CAPACITY_COLUMNS)
    if daily and tables.daily_peaks is not None:
        frame = frame.join(tables.daily_peaks, on=["person_id", "week"], how="left")
        columns += ["peak_date", "peak_load_hours", "peak_capacity_hours", "peak_over_hours"]
        over = pl.col("day_over_allocated").fill_null(False)
    else:
        over = pl.col("over_allocated")
    if over_allocated:
        frame = frame.filter(over)
    return _with_history(utilisation_rows(frame, columns), window)


#: The columns ``pmo-tui capacity`` lists (before any daily-peak columns).
CAPACITY_COLUMNS = (
    "person_id",
    "name",
    "week",
    "capacity_hours",
    "allocated_hours",
    "over_hours",
    "utilisation_pct",
)


def utilisation_rows(utilisation: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    """The columns ``pmo-tui capacity`` lists, from utilisation rows with the person's name.

    Args:
        utilisation: :func:`pmo_tui.domain.capacity.utilisation` rows joined with
            ``name`` (the person's), and any daily-peak columns named in ``columns``.
        columns: the columns to keep (default :data:`CAPACITY_COLUMNS`).

    Returns:
        ``person_id, name, week, capacity_hours, allocated_hours, over_hours,
        utilisation_pct`` (Float64, whole percent; null when the capacity is 0), then
        the other ``columns``, sorted by week and person.
    """
    percent = (pl.col("utilisation") * 100).round(0).alias("utilisation_pct")
    return (
        utilisation.with_columns(percent)
        .select(list(columns or CAPACITY_COLUMNS))
        .sort("week", "person_id")
    )


def _with_history(frame: pl.DataFrame, window: Window | None) -> pl.DataFrame:
    """``frame`` with a ``history`` column when ``window`` starts before its current week."""
    if window is None or window.first >= window.current_week:
        return frame
    return frame.with_columns(window.is_history().alias("history"))


def unmet_demand(coverage: pl.DataFrame) -> pl.DataFrame:
    """Unmet hours per project, skill and week (rows with some unmet demand only)."""
    return (
        coverage.group_by("project_id", "skill_id", "week")
        .agg(
            pl.col("demand_hours").sum().round(1),
            pl.col("allocated_hours").sum().round(1),
            pl.col("unmet_hours").sum().round(1),
        )
        .filter(pl.col("unmet_hours") > 0)
        .sort("week", "project_id", "skill_id", nulls_last=True)
    )


def only_history_note(db: Readable, window: Window) -> str | None:
    """A note for a listing or plan that found nothing because all the demand and
    bookings are in weeks before ``window``'s current week (history): e.g. project files
    of past years. None when there is some from the current week on, or none at all.

    The note names the weeks they are in and the ``--from`` that lists them.
    """
    week = window.current_week.isoformat()
    first, last, later = db.execute(
        "SELECT min(week), max(week), sum(week >= ?) FROM "
        "(SELECT week FROM demand_week UNION ALL SELECT week FROM allocation)",
        [week],
    ).fetchone()
    if first is None or later:
        return None
    return (
        f"note: all the demand and bookings are history, from {first} to {last} "
        f"(before the current week, {week}): `--from {first}` lists them; "
        "a plan never changes history"
    )
