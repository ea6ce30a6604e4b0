"""Exports: the tables a PMO takes to a spreadsheet or a report, one declaration per kind.

An export kind is one :class:`ExportKind` row of :data:`EXPORT_KINDS`: its name
(``pmo-tui export KIND``), what it holds, what ``--grid`` writes (if it has a
grid), whether ``--from/--to`` apply, and the function that makes its sheets
from an :class:`ExportSource`. The CLI's choices and help are made from these
rows, and the TUI's ``e`` key writes the same sheets from what a screen shows;
adding a kind is one function and one row (as ``log``, the change sets, was).

The files themselves are written by :mod:`pmo_tui.reporting.spreadsheet` (CSV,
XLSX, JSON, Markdown). This module imports no polars at import time, so the
CLI's ``--help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_tui.errors import UserError
from pmo_tui.reporting.sheet import Sheet

if TYPE_CHECKING:
    import polars as pl

    from pmo_tui.domain.horizon import Window
    from pmo_tui.planning.service import PlanOutcome
    from pmo_tui.portfolio_health.board import BoardData
    from pmo_tui.store.reads import Readable

#: The file formats of an export; the first is the default when the file name says nothing.
EXPORT_FORMATS = ("csv", "xlsx", "json", "markdown")
#: File suffix -> format, to take the format from ``-o FILE``.
SUFFIX_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".md": "markdown"}
#: Excel number format of a whole percentage stored as 0-100 (``95`` shows as ``95%``).
PERCENT_FORMAT = '0"%"'


@dataclass
class ExportSource:
    """Where the sheets of a kind come from.

    Attributes:
        db: the store (a sqlite-utils database or a read-only connection).
        window: the weeks listed (``--today``, ``--from``, ``--to``).
        plan: makes the plan to export (``export plan``): the CLI runs the planning service.
    """

    db: Readable
    window: Window
    plan: Callable[[], PlanOutcome] | None = None


@dataclass(frozen=True)
class ExportKind:
    """One kind of export, declared once: the CLI argument, help and TUI export come from it.

    Attributes:
        name: the ``pmo-tui export`` argument.
        summary: what the sheets hold (the help text).
        sheets: ``(source, grid) -> sheets``; ``grid`` asks for the person x week grid.
        grid: what ``--grid`` writes ("" when the kind has no grid).
        weekly: whether ``--from/--to`` choose its weeks.
    """

    name: str
    summary: str
    sheets: Callable[[ExportSource, bool], list[Sheet]]
    grid: str = ""
    weekly: bool = True


# --------------------------------------------------------------------- sheets from frames
def capacity_sheets(rows: pl.DataFrame, *, grid: bool) -> list[Sheet]:
    """Capacity per person-week, or utilisation as a person x week grid.

    Args:
        rows: :func:`pmo_tui.reporting.capacity.utilisation_rows` (``person_id, name,
            week, capacity_hours, allocated_hours, over_hours, utilisation_pct``).
        grid: one row per person, one column per ISO week (``2026-W50``): sheet
            ``utilisation``, the utilisation in whole percent (null where the capacity
            is 0: a percentage of nothing), coloured above 100; then sheet
            ``over_hours``, the hours booked above capacity (Float64), coloured above 0,
            so that hours booked in a week of no capacity (the heatmap's ``∞``) show
            too. CSV holds the first sheet only.
    """
    over = {"utilisation_pct": 100.0, "over_hours": 0.0}
    if not grid:
        formats = {"utilisation_pct": PERCENT_FORMAT}
        return [Sheet("capacity", rows, key_columns=2, over=over, formats=formats)]
    from pmo_tui.reporting.spreadsheet import week_grid

    frame = week_grid(rows, ["person_id", "name"], "utilisation_pct")
    over_hours = week_grid(rows, ["person_id", "name"], "over_hours")
    weeks = frame.columns[2:]
    return [
        Sheet(
            "utilisation",
            frame,
            key_columns=2,
            over=dict.fromkeys(weeks, 100.0),
            formats=dict.fromkeys(weeks, PERCENT_FORMAT),
        ),
        Sheet("over_hours", over_hours, key_columns=2, over=dict.fromkeys(weeks, 0.0)),
    ]


def hours_grid_sheet(name: str, rows: pl.DataFrame) -> Sheet:
    """Hours per person and project x ISO week, from ``person_id, name, project_id, week,
    hours`` rows (summed per cell)."""
    from pmo_tui.reporting.spreadsheet import week_grid

    return Sheet(name, week_grid(rows, ["person_id", "name", "project_id"], "hours"), key_columns=2)


def unmet_grid_sheet(unmet: pl.DataFrame) -> Sheet:
    """Unmet hours per project and skill x ISO week, from
    :func:`pmo_tui.reporting.capacity.unmet_demand` rows."""
    from pmo_tui.reporting.spreadsheet import week_grid

    frame = week_grid(unmet, ["project_id", "skill_id"], "unmet_hours")
    return Sheet("unmet", frame, key_columns=2, over=dict.fromkeys(frame.columns[2:], 0.0))


def portfolio_sheet(nodes: pl.DataFrame) -> Sheet:
    """The portfolio tree (:func:`pmo_tui.domain.portfolio.portfolio_nodes` rows, in their
    order) as ``level, id, name, parent, manager, phase, rag, priority, start, finish,
    demand_hours, allocated_hours, over_allocated_people, projects, budget, actual_cost``."""
    import polars as pl

    frame = nodes.select(
        "level",
        pl.col("entity_id").alias("id"),
        "name",
        pl.col("parent_id").str.replace(r"^[a-z]+:", "").alias("parent"),
        "manager",
        "phase",
        "rag",
        "priority",
        "start",
        "finish",
        "demand_hours",
        "allocated_hours",
        "over_allocated_people",
        pl.col("project_count").alias("projects"),
        "budget",
        "actual_cost",
    )
    money = {"budget": "#,##0", "actual_cost": "#,##0"}
    return Sheet(
        "portfolio", frame, key_columns=3, over={"over_allocated_people": 0}, formats=money
    )


def plan_sheets(outcome: PlanOutcome, *, grid: bool) -> list[Sheet]:
    """A plan: its moves, KPIs before and after, and unmet demand; or, with ``grid``, the
    planned hours per person and project x ISO week."""
    if grid:
        import polars as pl

        rows = outcome.result.plan.join(outcome.people, on="person_id", how="left")
        rows = rows.with_columns(pl.col("name").fill_null(pl.col("person_id")))
        return [hours_grid_sheet("plan", rows)]
    from pmo_tui.reporting.plan import kpi_frame, moves_frame, unmet_frame

    return [
        Sheet("moves", moves_frame(outcome), key_columns=1),
        Sheet("kpis", kpi_frame(outcome), key_columns=1),
        Sheet("unmet", unmet_frame(outcome), key_columns=2),
    ]


def dashboard_sheets(board: BoardData) -> list[Sheet]:
    """What the dashboard shows, as numbers: ``portfolios`` (``id, name, rag, score,
    projects, previous_rag, trend, baseline, forecast, variance``), ``confidence``
    (``period, level, projects``), ``watermelons`` (``project_id, name, reported_on, kind,
    evidence``), ``load`` (skill x month, demand as % of the capacity of the people who
    hold the skill, red above 100) and ``bottlenecks`` (``skill_id, quarter,
    shortfall_hours, fte``)."""
    import polars as pl

    months = sorted(set(board.heatmap["month"].to_list()))
    load = (
        board.heatmap.pivot(on="month", index="skill_id", values="load_pct")
        .select("skill_id", *months)
        .sort("skill_id")
        if months
        else pl.DataFrame(schema={"skill_id": pl.String})
    )
    return [
        Sheet("portfolios", board.portfolios, key_columns=2),
        Sheet("confidence", board.confidence_by_period, key_columns=1),
        Sheet("watermelons", board.watermelons, key_columns=1),
        Sheet(
            "load",
            load,
            key_columns=1,
            over=dict.fromkeys(months, 100.0),
            formats=dict.fromkeys(months, PERCENT_FORMAT),
        ),
        Sheet("bottlenecks", board.bottlenecks, key_columns=1),
    ]


def log_sheet(change_sets: pl.DataFrame) -> Sheet:
    """The change log as one table, from :func:`pmo_tui.history.log.list_change_sets` rows:
    ``change_set, at (ISO UTC), user, command, entity (the tables written), rows, reason,
    undoes, undone_by`` (the change set it undid, the one that undid it), newest first."""
    import polars as pl

    frame = change_sets.select(
        "change_set",
        "at",
        pl.col("who").alias("user"),
        "command",
        pl.col("tables").alias("entity"),
        "rows",
        "reason",
        "undoes",
        "undone_by",
    )
    return Sheet("log", frame, key_columns=1)


# --------------------------------------------------------------------- the kinds
def read_portfolio(db: Readable, window: Window | None = None) -> pl.DataFrame:
    """The portfolio tree (:func:`pmo_tui.domain.portfolio.portfolio_nodes`); hours and
    over-allocation count the weeks of ``window`` (default: every week)."""
    from pmo_tui.domain.capacity import capacity_tables
    from pmo_tui.domain.portfolio import portfolio_nodes
    from pmo_tui.store.reads import read_table

    tables = capacity_tables(db, window)
    return portfolio_nodes(
        read_table(db, "portfolio"),
        read_table(db, "program"),
        read_table(db, "project"),
        tables.demand,
        tables.allocations,
        tables.utilisation,
    )


def allocation_rows(db: Readable, window: Window | None = None) -> pl.DataFrame:
    """Every allocation in the weeks of ``window`` with the names a reader needs.

    Returns:
        ``person_id, name, project_id, project, demand_id, skill_id, week (Date), hours
        (Float64), kind (soft/hard), pinned (Boolean)``, sorted by person, week and project.
    """
    import polars as pl

    from pmo_tui.store.reads import read_table

    allocations = read_table(db, "allocation")
    if window is not None:
        allocations = allocations.filter(window.weeks())
    people = read_table(db, "person", ["id", "name"]).rename({"id": "person_id"})
    projects = read_table(db, "project", ["id", "name"]).rename(
        {"id": "project_id", "name": "project"}
    )
    demands = read_table(db, "demand", ["id", "skill_id"]).rename({"id": "demand_id"})
    return (
        allocations.join(people, on="person_id", how="left")
        .join(projects, on="project_id", how="left")
        .join(demands, on="demand_id", how="left")
        .select(
            "person_id",
            pl.col("name").fill_null(pl.col("person_id")),
            "project_id",
            "project",
            "demand_id",
            "skill_id",
            "week",
            "hours",
            "kind",
            "pinned",
        )
        .sort("person_id", "week", "project_id", "demand_id", nulls_last=True)
    )


def _capacity(source: ExportSource, grid: bool) -> list[Sheet]:
    from pmo_tui.reporting.capacity import capacity_report

    return capacity_sheets(capacity_report(source.db, window=source.window), grid=grid)


def _allocations(source: ExportSource, grid: bool) -> list[Sheet]:
    rows = allocation_rows(source.db, source.window)
    if grid:
        return [hours_grid_sheet("allocations", rows)]
    return [Sheet("allocations", rows, key_columns=2)]


def _plan(source: ExportSource, grid: bool) -> list[Sheet]:
    if source.plan is None:
        raise UserError("there is no plan to export", fix="run the plan first")
    return plan_sheets(source.plan(), grid=grid)


def _findings(source: ExportSource, grid: bool) -> list[Sheet]:
    from pmo_tui.governance.findings import list_findings

    return [Sheet("findings", list_findings(source.db), key_columns=1)]


def _portfolio(source: ExportSource, grid: bool) -> list[Sheet]:
    return [portfolio_sheet(read_portfolio(source.db, source.window))]


def _log(source: ExportSource, grid: bool) -> list[Sheet]:
    from pmo_tui.history.log import list_change_sets

    return [log_sheet(list_change_sets(source.db, every_table=True))]


#: Every export kind, in the order the help lists them.
EXPORT_KINDS: dict[str, ExportKind] = {
    kind.name: kind
    for kind in (
        ExportKind(
            "capacity",
            "capacity, allocated and over-allocated hours and utilisation per person and week",
            _capacity,
            grid="utilisation % per person (rows) and week (columns); XLSX, JSON and Markdown "
            "add over_hours, the hours above capacity (a week of no capacity has no %)",
        ),
        ExportKind(
            "allocations",
            "every allocation (booking): person, project, demand, week, hours, kind, pinned",
            _allocations,
            grid="hours per person and project (rows) and week (columns)",
        ),
        ExportKind(
            "plan",
            "a new plan's moves, KPIs before and after, and unmet demand (the planning "
            "service of `plan --headless`, with the deterministic search)",
            _plan,
            grid="the planned hours per person and project (rows) and week (columns)",
        ),
        ExportKind("findings", "every audit finding, most severe first", _findings, weekly=False),
        ExportKind(
            "portfolio",
            "the portfolio > program > project tree with phase, RAG status, dates and roll-ups",
            _portfolio,
        ),
        ExportKind(
            "log",
            "the change log: every change set (write) with when, who, the command, the "
            "tables it wrote and how many rows, newest first (`pmo-tui log` lists the same)",
            _log,
            weekly=False,
        ),
    )
}


def free_path(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/<stem>-2<suffix>`` (-3, ...) when that file exists:
    an export never overwrites an earlier one. The folder is created when missing."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    number = 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
        number += 1
    return path


def export_format(path: Path | None, fmt: str | None) -> str:
    """The format to write: ``fmt`` when given, else the one of ``path``'s suffix, else CSV
    (a file without a suffix, or stdout).

    Raises:
        UserError: XLSX without a file to write to; a suffix that is none of
            :data:`SUFFIX_FORMATS` without ``fmt`` (``capacity.xls`` would get CSV).
    """
    suffix = path.suffix.lower() if path else ""
    if fmt is None and suffix and suffix not in SUFFIX_FORMATS:
        known = ", ".join(SUFFIX_FORMATS)
        raise UserError(
            f"pmo-tui does not write {suffix} files (it writes {known})",
            file=str(path),
            fix=f"name the file with one of {known}, or pass --format",
        )
    chosen = fmt or SUFFIX_FORMATS.get(suffix, EXPORT_FORMATS[0])
    if chosen == "xlsx" and path is None:
        raise UserError(
            "an XLSX workbook needs a file", option="-o", fix="name one, e.g. -o capacity.xlsx"
        )
    return chosen


def export_sheets(kind: str, source: ExportSource, *, grid: bool = False) -> list[Sheet]:
    """The sheets of ``kind`` (a key of :data:`EXPORT_KINDS`).

    Raises:
        UserError: an unknown kind, or ``grid`` for a kind without a grid.
    """
    if kind not in EXPORT_KINDS:
        raise UserError(f"unknown export {kind!r}", fix=f"use one of {', '.join(EXPORT_KINDS)}")
    declared = EXPORT_KINDS[kind]
    if grid and not declared.grid:
        with_grid = ", ".join(name for name, k in EXPORT_KINDS.items() if k.grid)
        raise UserError(
            f"{kind} has no person x week grid", option="--grid", fix=f"use it with {with_grid}"
        )
    return declared.sheets(source, grid)
