"""What each screen reads from the store, one function per screen (textual-free).

The screens call these from thread workers: each function opens its own
read-only connection (:func:`~pmo_tui.store.readonly.read_connection`, plain
sqlite3: quicker to load than sqlite-utils) because sqlite objects cannot cross threads, reads, derives the frames with the pure
functions of :mod:`pmo_tui.domain.portfolio` and :mod:`pmo_tui.domain.capacity`, and
closes the connection.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from pmo_tui.domain.capacity import capacity_tables
from pmo_tui.domain.horizon import Window
from pmo_tui.store.readonly import read_connection
from pmo_tui.store.reads import read_table

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.portfolio_health.board import BoardData


@contextmanager
def connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``path`` for the current thread, closed on exit.

    The file must exist already (the CLI creates it and runs the migrations);
    screens only read through it (writes go through the planning service).
    """
    db = read_connection(path)
    try:
        yield db
    finally:
        db.close()


@contextmanager
def writable_connection(path: Path) -> Iterator[sqlite_utils.Database]:
    """A read-write connection (sqlite-utils) to the existing database at ``path``, closed on exit."""
    from pmo_tui.bootstrap import open_database

    db = open_database(path, seed_demo=False)
    try:
        yield db
    finally:
        db.close()


def load_portfolio(path: Path, window: Window | None = None) -> pl.DataFrame:
    """The portfolio tree rows (:func:`pmo_tui.domain.portfolio.portfolio_nodes`); hours
    and over-allocation count the weeks of ``window`` (default: every week)."""
    from pmo_tui.reporting.export import read_portfolio

    with connection(path) as db:
        return read_portfolio(db, window)


@dataclass
class CapacityData:
    """Everything the capacity screen filters and pivots, read once."""

    #: person_id, week, capacity_hours, allocated_hours, ..., and the week's peak day
    #: (peak_date, peak_load_hours, peak_capacity_hours, day_over_allocated)
    utilisation: pl.DataFrame
    allocations: pl.DataFrame  # id, person_id, project_id, demand_id, week, hours, kind, pinned
    coverage: pl.DataFrame  # demand_id, project_id, skill_id, week, demand/allocated/unmet hours
    people: pl.DataFrame  # id, name, unit, region, role
    person_skills: pl.DataFrame  # person_id, skill_id, level
    projects: pl.DataFrame  # id, name


def load_capacity(path: Path, window: Window | None = None) -> CapacityData:
    """Utilisation, allocations, coverage and the people's attributes of the store at
    ``path``, over the weeks of ``window`` (default: every week)."""
    with connection(path) as db:
        tables = capacity_tables(db, window, with_daily=True)
        utilisation = tables.utilisation
        if tables.daily_peaks is not None:
            utilisation = utilisation.join(
                tables.daily_peaks, on=["person_id", "week"], how="left"
            ).with_columns(pl.col("day_over_allocated").fill_null(False))
        return CapacityData(
            utilisation=utilisation,
            allocations=tables.allocations,
            coverage=tables.coverage,
            people=read_table(db, "person", ["id", "name", "unit", "region", "role"]),
            person_skills=read_table(db, "person_skill"),
            projects=read_table(db, "project", ["id", "name"]),
        )


def load_findings(path: Path) -> pl.DataFrame:
    """The findings of the store at ``path``, read as the CLI reads them
    (:func:`pmo_tui.governance.findings.read_all_findings`)."""
    from pmo_tui.governance.findings import read_all_findings

    with connection(path) as db:
        return read_all_findings(db)


#: Days the dashboard's digest looks back.
DIGEST_DAYS = 14


@dataclass
class DashboardData:
    """The dashboard's board figures and its digest (Markdown), read once."""

    board: BoardData
    digest: str


def load_dashboard(path: Path, today: dt.date) -> DashboardData:
    """The board report's figures as of ``today`` and the digest of the last
    :data:`DIGEST_DAYS` days (the same services as ``pmo-tui report`` and ``digest``)."""
    from pmo_tui.portfolio_health.board import board_data
    from pmo_tui.portfolio_health.data import read_portfolio
    from pmo_tui.portfolio_health.digest import build_digest
    from pmo_tui.reporting.digest import render_digest

    with connection(path) as db:
        data = read_portfolio(db, today)
        board = board_data(data)
        digest = build_digest(data, today - dt.timedelta(days=DIGEST_DAYS))
        return DashboardData(board, render_digest(digest))


def load_project_log(path: Path, project_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A project's status history (newest first) and RAID log (open first), as
    ``pmo-tui status history`` and ``pmo-tui raid list --project`` show them."""
    from pmo_tui.portfolio_health.raid import raid_log
    from pmo_tui.portfolio_health.status import status_history

    with connection(path) as db:
        return status_history(db, project_id), raid_log(db, project_id)


@dataclass
class PersonDetail:
    """One person as the capacity screen's person dialog shows them (read-only)."""

    person: dict[str, Any]  # the person row: id, name, role, unit, region, mon..sun hours, ...
    skills: pl.DataFrame  # skill_id, skill (its name), level, valid_until
    leave: pl.DataFrame  # id, start, end, hours_per_day, reason
    availability: pl.DataFrame  # start, end, percent


def load_person(path: Path, person_id: str) -> PersonDetail:
    """The person ``person_id`` of the store at ``path``: attributes and working pattern,
    skills, leave (with the ids ``leave remove`` takes) and availability (each sorted by
    date or skill)."""
    from pmo_tui.editing.people import list_leave

    with connection(path) as db:
        people = read_table(db, "person").filter(pl.col("id") == person_id)
        skill_names = read_table(db, "skill", ["id", "name"]).rename(
            {"id": "skill_id", "name": "skill"}
        )
        skills = (
            read_table(db, "person_skill")
            .filter(pl.col("person_id") == person_id)
            .join(skill_names, on="skill_id", how="left")
            .select("skill_id", "skill", "level", "valid_until")
            .sort("skill_id")
        )
        leave = list_leave(db, person_id)
        availability = read_table(db, "availability").filter(pl.col("person_id") == person_id)
    return PersonDetail(
        person=people.row(0, named=True),
        skills=skills,
        leave=leave.drop("person_id"),
        availability=availability.drop("person_id").sort("start"),
    )


#: How many change sets the History screen lists (the newest).
HISTORY_LIMIT = 500


def load_history(
    path: Path, entity: str = "", *, limit: int | None = HISTORY_LIMIT, every_table: bool = False
) -> pl.DataFrame:
    """The change sets of the store at ``path``, newest first, as ``pmo-tui log`` lists them
    (:func:`pmo_tui.history.log.list_change_sets`); ``entity`` (``KIND[:ID]``, e.g.
    ``project:P-CRM``) keeps those that wrote it; at most ``limit`` (None: all).

    Raises:
        UserError: ``entity`` names no table (e.g. ``:x``).
    """
    from pmo_tui.history.log import list_change_sets, parse_entity

    with connection(path) as db:
        return list_change_sets(
            db,
            entity=parse_entity(entity) if entity.strip() else None,
            limit=limit,
            every_table=every_table,
        )


def load_change_set(path: Path, change_set: int) -> tuple[dict[str, Any], pl.DataFrame]:
    """One change set of the store at ``path``: its row (id, at, who, command, reason...)
    and every changed column of every row it wrote, before and after
    (:func:`pmo_tui.history.log.change_set_rows`)."""
    from pmo_tui.history.log import change_set_rows, get_change_set

    with connection(path) as db:
        return get_change_set(db, change_set), change_set_rows(db, change_set)


def account_role(path: Path) -> tuple[str, str]:
    """(role, note) of the account running the TUI on ``path``: the note says why writes are
    disabled for a viewer (empty for a planner or an admin)."""
    from pmo_tui.errors import UserError
    from pmo_tui.store.access import decide_role

    try:
        with connection(path) as db:
            decision = decide_role(db)
    except UserError:  # an unreadable file: the screens say so; the store checks every write
        return "admin", ""
    if decision.role != "viewer":
        return decision.role, ""
    name = decision.account.name
    return decision.role, f"{name} is a viewer: read only (pmo-tui users grant {name} planner)"
