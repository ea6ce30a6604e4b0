"""What each screen reads from the store, one function per screen (textual-free).

The screens call these from thread workers: each function opens its own
read-only connection (:func:`~pmo_tui.store.readonly.read_connection`, plain
sqlite3: quicker to load than sqlite-utils) because sqlite objects cannot cross threads, reads, derives the frames with the pure
functions of :mod:`pmo_tui.domain.portfolio` and :mod:`pmo_tui.domain.capacity`, and
closes the connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.domain.capacity import capacity_tables
from pmo_tui.domain.portfolio import portfolio_nodes
from pmo_tui.store.readonly import read_connection
from pmo_tui.store.reads import read_table

if TYPE_CHECKING:
    import sqlite_utils


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


def load_portfolio(path: Path) -> pl.DataFrame:
    """The portfolio tree rows (:func:`pmo_tui.domain.portfolio.portfolio_nodes`)."""
    with connection(path) as db:
        tables = capacity_tables(db)
        return portfolio_nodes(
            read_table(db, "portfolio"),
            read_table(db, "program"),
            read_table(db, "project"),
            tables.demand,
            tables.allocations,
            tables.utilisation,
        )


@dataclass
class CapacityData:
    """Everything the capacity screen filters and pivots, read once."""

    utilisation: pl.DataFrame  # person_id, week, capacity_hours, allocated_hours, ...
    allocations: pl.DataFrame  # id, person_id, project_id, demand_id, week, hours, kind, pinned
    coverage: pl.DataFrame  # demand_id, project_id, skill_id, week, demand/allocated/unmet hours
    people: pl.DataFrame  # id, name, unit, region, role
    person_skills: pl.DataFrame  # person_id, skill_id, level
    projects: pl.DataFrame  # id, name


def load_capacity(path: Path) -> CapacityData:
    """Utilisation, allocations, coverage and the people's attributes of the store at ``path``."""
    with connection(path) as db:
        tables = capacity_tables(db)
        return CapacityData(
            utilisation=tables.utilisation,
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
