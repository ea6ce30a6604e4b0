"""Opening the application's database: the store, plus the demo organisation on first run.

The store (:mod:`pmo_tui.store`) only connects and migrates; filling a new
database with the demo organisation needs the importers and governance, which
sit above it, so it happens here. The CLI and the TUI open databases through
:func:`open_database`.

The demo stays current: its files (``fixtures/demo``, made by
``fixtures/generate_demo.py``) are written for the week of :data:`DEMO_ANCHOR`,
and a new database gets them moved by whole weeks so that the demo's status date
is the current week (deterministic given that week), with the real public
holidays of the years it then covers; its last plan is then made again for those
holidays before the leave booked since is added (:func:`load_demo`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import partial
from importlib import resources
from pathlib import Path

import polars as pl
import sqlite_utils

from pmo_tui.domain.capacity import capacity_over_horizon
from pmo_tui.domain.holidays import DEMO_REGIONS, public_holidays
from pmo_tui.domain.horizon import current_date, monday
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.service import ImportReport, write_bundles
from pmo_tui.store.db import connect
from pmo_tui.store.paths import default_db_path
from pmo_tui.store.transactions import write_transaction

#: The Monday the shipped demo files are written for: its status date and first planned week.
DEMO_ANCHOR = dt.date(2026, 11, 30)
#: Text columns of the demo's governance files that hold ISO timestamps (moved with the dates).
TIMESTAMP_COLUMNS = ("at",)
#: The reason of the demo's leave booked after its last plan (fixtures/generate_demo.py).
LEAVE_BOOKED_SINCE = "annual leave (booked since the last plan)"


def open_database(
    path: Path | None = None,
    *,
    seed_demo: bool = True,
    today: dt.date | None = None,
    upgrade: bool = False,
    group: str | None = None,
) -> sqlite_utils.Database:
    """Open the database at ``path`` (default :func:`~pmo_tui.store.paths.default_db_path`).

    A database file that does not exist yet is created (mode 0600, or 0660 for
    ``group``; its creator is admin) and, when ``seed_demo``, filled with the demo
    organisation (:func:`load_demo`) as of ``today`` (default:
    :func:`~pmo_tui.domain.horizon.current_date`) so that every command works with
    no input. An older database is upgraded only with ``upgrade`` (write commands),
    after a backup.

    Raises:
        UserError: the file cannot be opened as a database, is older and ``upgrade``
            is false, or is newer (see :func:`~pmo_tui.store.db.connect`).
    """
    path = path or default_db_path()
    is_new = not path.exists()
    db = connect(path, upgrade_schema=upgrade, group=group)
    if is_new and seed_demo:
        load_demo(db, today)
    return db


def demo_weeks_later(today: dt.date | None = None) -> int:
    """How many weeks the demo moves so that its status date is ``today``'s week."""
    return (monday(today or current_date()) - DEMO_ANCHOR).days // 7


def shift_dates(frame: pl.DataFrame, days: int) -> pl.DataFrame:
    """``frame`` with every ``pl.Date`` column, and the ISO timestamps of
    :data:`TIMESTAMP_COLUMNS`, ``days`` later (the time of day and zone kept)."""
    if days == 0:
        return frame
    later = dt.timedelta(days=days)
    dates = [pl.col(c) + later for c, dtype in frame.schema.items() if dtype == pl.Date]
    stamps = [
        pl.concat_str(
            (pl.col(c).str.slice(0, 10).str.to_date() + later).dt.to_string("%Y-%m-%d"),
            pl.col(c).str.slice(10),
        ).alias(c)
        for c in TIMESTAMP_COLUMNS
        if frame.schema.get(c) == pl.String
    ]
    return frame.with_columns(*dates, *stamps)


def _demo_bundle(weeks: int, folder: Path) -> Bundle:
    """The demo's CSV bundle moved ``weeks`` later, with the holidays of the years it covers."""
    from pmo_tui.importers.csv_files import read_csv_bundle

    bundle = read_csv_bundle([folder])
    if weeks == 0:
        return bundle
    moved = {name: shift_dates(frame, 7 * weeks) for name, frame in bundle.parts()}
    weeks_used = pl.concat([moved["demand_week"]["week"], moved["allocation"]["week"]])
    first, last = weeks_used.min(), weeks_used.max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    moved["holidays"] = public_holidays(DEMO_REGIONS, first, last + dt.timedelta(days=6))
    shipped = dict(bundle.parts())
    written_for = shift_dates(_capacity(shipped), 7 * weeks)  # the weeks the files assumed
    capacity = _capacity(moved)
    moved["allocation"] = fit_commitments(
        follow_holidays(moved["allocation"], written_for, capacity), capacity
    )
    shifted = dataclasses.replace(bundle)
    for name, frame in moved.items():
        setattr(shifted, name, frame)
    return shifted


def _capacity(parts: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """``person_id, week, hours``: the capacity of the demo bundle's ``parts`` over its weeks."""
    calendar = {
        "person": parts["people"],
        "public_holiday": parts["holidays"],
        "leave": parts["leave"],
        "availability": parts["availability"],
    }
    return capacity_over_horizon(calendar, parts["demand_week"], parts["allocation"])


def follow_holidays(
    allocation: pl.DataFrame, written_for: pl.DataFrame, capacity: pl.DataFrame
) -> pl.DataFrame:
    """Bookings scaled down in the person-weeks that now hold fewer working hours than the
    week the demo's files booked them for (a public holiday moved into the week).

    The files book each person against the holidays of :data:`DEMO_ANCHOR`'s weeks; moved
    by whole weeks, Christmas or a bank holiday lands in another week, and bookings that
    fitted would be over capacity for nearly everyone. Each booking of such a person-week
    is multiplied by ``capacity / written_for`` (to 0.1 h, rounded down), so who is over
    capacity, and by how much relative to it, stays as the files meant.

    Args:
        allocation: ``person_id, project_id, demand_id, week, hours, kind, pinned``.
        written_for, capacity: ``person_id, week, hours``: the capacity the files assumed
            (moved to the same weeks) and the capacity of the moved calendar.

    Returns:
        ``allocation`` with the same columns; bookings scaled to 0 h are left out.
    """
    keys = ["person_id", "week"]
    ratio = (
        written_for.rename({"hours": "before"})
        .join(capacity.rename({"hours": "after"}), on=keys, how="inner")
        .filter((pl.col("before") > 0) & (pl.col("after") < pl.col("before") - 0.05))
        .select(*keys, (pl.col("after") / pl.col("before")).alias("ratio"))
    )
    scaled = (pl.col("hours") * pl.col("ratio") * 10).floor() / 10
    return (
        allocation.join(ratio, on=keys, how="left")
        .with_columns(
            pl.when(pl.col("ratio").is_null())
            .then(pl.col("hours"))
            .otherwise(scaled)
            .alias("hours")
        )
        .filter(pl.col("hours") > 0)
        .select(allocation.columns)
    )


def fit_commitments(allocation: pl.DataFrame, capacity: pl.DataFrame) -> pl.DataFrame:
    """Allocations whose commitments fit the calendar they now fall in.

    The demo's pinned and hard bookings and its BAU load (no demand) fit the
    capacity of the week they were written for; moved to another week, a holiday
    or a leave may fall under them. In a person-week where they exceed capacity,
    the bookings on a demand become soft and unpinned (the planner may move them),
    and what is left, the BAU load, is scaled down to the capacity.

    Args:
        allocation: the bundle's ``person_id, project_id, demand_id, week, hours, kind,
            pinned`` (one row per week).
        capacity: ``person_id, week, hours`` (hours the person can work that week).

    Returns:
        ``allocation`` with the same columns and rows.
    """
    keys = ["person_id", "week"]
    immovable = pl.col("demand_id").is_null() | pl.col("pinned") | (pl.col("kind") == "hard")
    load = allocation.filter(immovable).group_by(keys).agg(pl.col("hours").sum().alias("fixed"))
    limits = capacity.rename({"hours": "capacity"})
    over = load.join(limits, on=keys, how="left").filter(
        pl.col("fixed") > pl.col("capacity").fill_null(0.0) + 0.05
    )
    marked = allocation.join(over.select(*keys, pl.lit(True).alias("over")), on=keys, how="left")
    on_demand = pl.col("over").fill_null(False) & pl.col("demand_id").is_not_null()
    marked = marked.with_columns(
        pl.when(on_demand).then(pl.lit("soft")).otherwise(pl.col("kind")).alias("kind"),
        pl.when(on_demand).then(pl.lit(False)).otherwise(pl.col("pinned")).alias("pinned"),
    )
    bau = (
        marked.filter(pl.col("demand_id").is_null())
        .group_by(keys)
        .agg(pl.col("hours").sum().alias("bau"))
    )
    scale = bau.join(limits, on=keys, how="left").select(
        *keys,
        (pl.col("capacity").fill_null(0.0) / pl.col("bau")).clip(upper_bound=1.0).alias("scale"),
    )
    return (
        marked.join(scale, on=keys, how="left")
        .with_columns(
            pl.when(pl.col("demand_id").is_null())
            .then((pl.col("hours") * pl.col("scale").fill_null(1.0) * 10).floor() / 10)
            .otherwise(pl.col("hours"))
            .alias("hours")
        )
        .select(allocation.columns)
    )


def demo_folder() -> Path:
    """The folder holding the demo CSV files (inside the installed package)."""
    return Path(str(resources.files("pmo_tui.demo_data")))


def load_demo(
    db: sqlite_utils.Database, today: dt.date | None = None, folder: Path | None = None
) -> ImportReport:
    """Load the demo organisation, with its governance data, into ``db`` in one transaction,
    moved to ``today``'s week (:func:`demo_weeks_later`; default: the current date).

    ``folder``: the demo's CSV files (default :func:`demo_folder`; the demo generator
    passes the files it is writing)."""
    from pmo_tui.governance.loader import load_governance

    folder = folder or demo_folder()
    weeks = demo_weeks_later(today)
    bundle = _demo_bundle(weeks, folder)
    booked_since = None
    if weeks:
        booked_since = bundle.leave.filter(pl.col("reason") == LEAVE_BOOKED_SINCE)
        bundle = dataclasses.replace(
            bundle, leave=bundle.leave.filter(pl.col("reason") != LEAVE_BOOKED_SINCE)
        )
    with write_transaction(db, "db init (demo organisation)", needs="admin"):
        report = write_bundles(db, [bundle], reason="demo organisation loaded on first run")
        written = load_governance(
            db,
            [folder / "governance"],
            reason="demo governance loaded on first run",
            transform=partial(shift_dates, days=7 * weeks),
        )
    for table, count in written.items():
        report.add_rows(table, count)
    if booked_since is not None:
        _plan_for_this_calendar(db, DEMO_ANCHOR + dt.timedelta(weeks=weeks), booked_since)
    return report


def _plan_for_this_calendar(
    db: sqlite_utils.Database, status_date: dt.date, booked_since: pl.DataFrame
) -> None:
    """The moved demo's last plan made again on the calendar of its new weeks, then the
    leave booked since added (what the first plan answers).

    The shipped bookings are the plan pmo-tui made for the public holidays of
    :data:`DEMO_ANCHOR`'s weeks; moved, the holidays fall in other weeks and that plan
    would not be the one the PMO made: planning first would re-balance nearly everyone.
    So the demo is planned and the plan applied (the product's own service, the default
    policy: deterministic) before the leave booked since the last plan
    (``booked_since``: ``person_id, start, end, hours_per_day, reason``) is written.
    Three change sets: the demo, its plan, the leave."""
    from pmo_tui.domain.horizon import window_of
    from pmo_tui.planning.service import apply_outcome, run_plan

    outcome = run_plan(db, window=window_of(status_date))
    apply_outcome(db, outcome, reason="the demo's last plan, on this week's calendar")
    rows = booked_since.with_columns(pl.col("start", "end").dt.to_string("%Y-%m-%d"))
    with write_transaction(db, "db init (leave booked since the last plan)", needs="admin"):
        db.table("leave").insert_all(rows.to_dicts())
