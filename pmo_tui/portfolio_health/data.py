"""What the health, watermelon, digest and board functions read, read once as of a date.

Everything dated after ``as_of`` (status reports, snapshots, RAID entries
raised, findings opened, gate decisions) is left out, and a RAID entry closed or
a finding whose status changed after ``as_of`` is as it was then, so a report
``--as-of`` a past date shows what was known then. Reads take a sqlite-utils
database or a read-only sqlite3 connection (:mod:`pmo_tui.store.reads`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.domain.capacity import CapacityTables, capacity_tables
from pmo_tui.domain.portfolio import resolve_hierarchy
from pmo_tui.store.reads import query_frame, read_table
from pmo_tui.store.tables import TABLE_SCHEMAS

if TYPE_CHECKING:
    from pmo_tui.store.reads import Readable

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "project_id": pl.String(),
    "rule": pl.String(),
    "severity": pl.String(),
    "description": pl.String(),
    "due": pl.Date(),
    "status": pl.String(),
}


#: Findings opened up to a day, each with its status at the end of that day: the last
#: status change before the next day (finding_history), else the status the first later
#: change started from, else the current one. Parameters: ?1 the day, ?2 the next day.
FINDINGS_AS_OF = """
SELECT f.id, f.project_id, f.rule, f.severity, f.description, f.due, COALESCE(
    (SELECT h.to_status FROM finding_history h WHERE h.finding_id = f.id AND h.at < ?2
     ORDER BY h.at DESC, h.id DESC LIMIT 1),
    (SELECT h.from_status FROM finding_history h WHERE h.finding_id = f.id AND h.at >= ?2
     ORDER BY h.at, h.id LIMIT 1),
    f.status) AS status
FROM finding f WHERE f.opened <= ?1
"""


@dataclass
class PortfolioData:
    """The store's portfolio side as of ``as_of`` (dates ``pl.Date``, money ``Float64``).

    Attributes:
        as_of: the status date.
        projects: the ``project`` table plus ``program_id, portfolio_id`` resolved
            (a project in a program belongs to the program's portfolio),
            ``program_name, portfolio_name``.
        portfolios, programs: the store tables.
        status_reports: every ``status_report`` row dated up to ``as_of``.
        snapshots: ``snapshot_project`` rows joined with their snapshot's
            ``source, period, as_of`` (renamed ``snapshot_as_of``), up to ``as_of``.
        raid: RAID entries raised up to ``as_of``, as they stood then (one closed after
            ``as_of`` is open, without ``closed_on``).
        dependencies: the ``dependency`` table.
        gates: passed gates up to ``as_of``; gate_decisions: decisions up to ``as_of``.
        findings: :data:`FINDING_SCHEMA`, opened up to ``as_of``, with the status they had
            then (:data:`FINDINGS_AS_OF`).
        people: ``person_id, name``.
    """

    as_of: dt.date
    projects: pl.DataFrame
    portfolios: pl.DataFrame
    programs: pl.DataFrame
    status_reports: pl.DataFrame
    snapshots: pl.DataFrame
    raid: pl.DataFrame
    dependencies: pl.DataFrame
    gates: pl.DataFrame
    gate_decisions: pl.DataFrame
    findings: pl.DataFrame
    people: pl.DataFrame
    db: Readable
    _capacity: CapacityTables | None = None

    def capacity(self) -> CapacityTables:
        """The capacity tables (read on first use: they cost a calendar expansion)."""
        if self._capacity is None:
            self._capacity = capacity_tables(self.db)
        return self._capacity


def read_portfolio(db: Readable, as_of: dt.date) -> PortfolioData:
    """Read :class:`PortfolioData` from ``db`` as of ``as_of``."""
    portfolios = read_table(db, "portfolio")
    programs = read_table(db, "program")
    projects = read_table(db, "project")
    where = resolve_hierarchy(programs, projects).rename({"project_id": "id"})
    projects = (
        projects.drop("program_id", "portfolio_id")
        .join(where, on="id", how="left")
        .join(
            programs.select(pl.col("id").alias("program_id"), pl.col("name").alias("program_name")),
            on="program_id",
            how="left",
        )
        .join(
            portfolios.select(
                pl.col("id").alias("portfolio_id"), pl.col("name").alias("portfolio_name")
            ),
            on="portfolio_id",
            how="left",
        )
        .sort("id")
    )
    return PortfolioData(
        as_of=as_of,
        projects=projects,
        portfolios=portfolios,
        programs=programs,
        status_reports=_until(read_table(db, "status_report"), "reported_on", as_of),
        snapshots=_snapshots(db, as_of),
        raid=_raid_as_of(read_table(db, "raid_entry"), as_of),
        dependencies=read_table(db, "dependency"),
        gates=_until(read_table(db, "gate"), "passed_on", as_of),
        gate_decisions=_until(read_table(db, "gate_decision"), "decided_on", as_of),
        findings=query_frame(db, FINDINGS_AS_OF, FINDING_SCHEMA, _day_bounds(as_of)),
        people=read_table(db, "person", ["id", "name"]).rename({"id": "person_id"}),
        db=db,
    )


def _day_bounds(as_of: dt.date) -> list[str]:
    """The day and the next (ISO dates) for :data:`FINDINGS_AS_OF` (``at`` is a timestamp)."""
    return [as_of.isoformat(), (as_of + dt.timedelta(days=1)).isoformat()]


def _until(frame: pl.DataFrame, column: str, as_of: dt.date) -> pl.DataFrame:
    return frame.filter(pl.col(column) <= as_of)


def _raid_as_of(frame: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """RAID entries raised up to ``as_of`` as they stood then: one closed later is open."""
    closed_later = pl.col("closed_on").is_not_null() & (pl.col("closed_on") > as_of)
    return _until(frame, "raised_on", as_of).with_columns(
        pl.when(closed_later).then(pl.lit("open")).otherwise(pl.col("state")).alias("state"),
        pl.when(closed_later).then(None).otherwise(pl.col("closed_on")).alias("closed_on"),
    )


def _snapshots(db: Readable, as_of: dt.date) -> pl.DataFrame:
    schema = {
        **{name: dtype for name, dtype in TABLE_SCHEMAS["snapshot_project"].items()},
        "source": pl.String,
        "period": pl.String,
        "snapshot_as_of": pl.Date,
    }
    columns = ", ".join(f"p.[{name}]" for name in TABLE_SCHEMAS["snapshot_project"])
    return query_frame(
        db,
        f"SELECT {columns}, s.source, s.period, s.as_of FROM snapshot_project p "
        "JOIN portfolio_snapshot s ON s.id = p.snapshot_id WHERE s.as_of <= ? "
        "ORDER BY s.as_of, p.project_id",
        schema,
        [as_of.isoformat()],
    )


def latest_per_project(frame: pl.DataFrame, date_column: str, nth: int = 0) -> pl.DataFrame:
    """The ``nth`` latest row per ``project_id`` by ``date_column`` (0 = the latest, 1 = the one
    before it); projects with fewer rows are left out."""
    return (
        frame.sort("project_id", date_column, descending=[False, True])
        .group_by("project_id", maintain_order=True)
        .agg(pl.all().slice(nth, 1).first())
        .filter(pl.col(date_column).is_not_null())
    )
