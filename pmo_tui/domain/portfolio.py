"""Portfolio views as pure polars functions (no textual, no database).

The TUI screens only render what these functions return: the portfolio tree
with its roll-ups, and the cells and detail lines it shows (the capacity grids
are in :mod:`pmo_tui.tui.capacity_views`, the findings table in
:mod:`pmo_tui.tui.findings_views`, both textual-free too). Keeping them here
means each is unit-tested with hand-computed values and a headless front end
could reuse them.

Units: hours are ``Float64``; weeks are ISO weeks keyed by their Monday
(``pl.Date``); utilisation is a fraction (1.0 = 100 %).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars._typing import SchemaDict

#: RAG status -> glyph; each status has its own shape, so it reads without colour.
RAG_GLYPHS = {"green": "●", "amber": "▲", "red": "■"}
#: RAG status -> severity rank used for roll-ups (the worst project wins).
RAG_RANK = {"green": 0, "amber": 1, "red": 2}
#: What a portfolio, program or project with no overall status (none rated) shows.
NOT_RATED_LABEL = "· not rated"
NODE_LEVELS = ("portfolio", "program", "project")


# --------------------------------------------------------------------------- portfolio
def rag_label(rag: str | None) -> str:
    """``"red"`` -> ``"■ red"``: glyph and word, never colour alone (``"-"`` when unknown)."""
    if rag is None or rag not in RAG_GLYPHS:
        return "-"
    return f"{RAG_GLYPHS[rag]} {rag}"


def resolve_hierarchy(programs: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    """Where each project sits: ``project_id, program_id (nullable), portfolio_id``.

    A project in a program belongs to that program's portfolio; a project
    without a program sits directly in its own ``portfolio_id``.
    """
    program_portfolio = programs.select(
        pl.col("id").alias("program_id"), pl.col("portfolio_id").alias("program_portfolio")
    )
    return (
        projects.select(pl.col("id").alias("project_id"), "program_id", "portfolio_id")
        .join(program_portfolio, on="program_id", how="left")
        .select(
            "project_id",
            "program_id",
            pl.coalesce("program_portfolio", "portfolio_id").alias("portfolio_id"),
        )
    )


def over_allocated_people(allocations: pl.DataFrame, utilisation: pl.DataFrame) -> pl.DataFrame:
    """``project_id, person_id`` (distinct): people booked on a project in a week they are
    over capacity."""
    over_weeks = utilisation.filter(pl.col("over_allocated")).select("person_id", "week")
    return (
        allocations.filter(pl.col("hours") > 0)
        .join(over_weeks, on=["person_id", "week"], how="semi")
        .select("project_id", "person_id")
        .unique()
        .sort("project_id", "person_id")
    )


def project_hours(demand: pl.DataFrame, allocations: pl.DataFrame) -> pl.DataFrame:
    """``project_id, demand_hours, allocated_hours`` summed over all weeks (0 where none)."""
    demanded = demand.group_by("project_id").agg(pl.col("hours").sum().alias("demand_hours"))
    allocated = allocations.group_by("project_id").agg(
        pl.col("hours").sum().alias("allocated_hours")
    )
    return demanded.join(allocated, on="project_id", how="full", coalesce=True).select(
        "project_id",
        pl.col("demand_hours").fill_null(0.0).round(1),
        pl.col("allocated_hours").fill_null(0.0).round(1),
    )


def _project_rows(
    projects: pl.DataFrame, where: pl.DataFrame, hours: pl.DataFrame, over: pl.DataFrame
) -> pl.DataFrame:
    """One row per project with its place in the tree, hours and over-allocated people."""
    over_count = over.group_by("project_id").agg(
        pl.len().cast(pl.Int64).alias("over_allocated_people")
    )
    return (
        projects.rename({"id": "project_id"})
        .drop("program_id", "portfolio_id")
        .join(where, on="project_id", how="left")
        .join(hours, on="project_id", how="left")
        .join(over_count, on="project_id", how="left")
        .with_columns(
            pl.col("demand_hours").fill_null(0.0),
            pl.col("allocated_hours").fill_null(0.0),
            pl.col("over_allocated_people").fill_null(0),
        )
    )


def _rollup(rows: pl.DataFrame, over: pl.DataFrame, key: str) -> pl.DataFrame:
    """Roll the project rows up to ``key`` (``program_id`` or ``portfolio_id``).

    Hours and budgets are summed; the RAG is the worst project's; priority the
    highest (lowest number); dates span all projects; over-allocated people are
    counted once even when they work on several projects.
    """
    rows = rows.filter(pl.col(key).is_not_null())
    people = (
        over.join(rows.select("project_id", key), on="project_id")
        .group_by(key)
        .agg(pl.col("person_id").n_unique().cast(pl.Int64).alias("over_allocated_people"))
    )
    rank = pl.col("rag").replace_strict(RAG_RANK, default=None, return_dtype=pl.Int64)
    rolled = rows.group_by(key).agg(
        pl.len().cast(pl.Int64).alias("project_count"),
        rank.max().alias("rag_rank"),
        pl.col("priority").min(),
        pl.col("start").min(),
        pl.col("finish").max(),
        pl.col("demand_hours").sum().round(1),
        pl.col("allocated_hours").sum().round(1),
        *[
            pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c)
            for c in ("budget", "actual_cost")
        ],
        *[(pl.col("rag") == rag).sum().cast(pl.Int64).alias(f"{rag}_count") for rag in RAG_RANK],
    )
    names = {rank_value: rag for rag, rank_value in RAG_RANK.items()}
    return (
        rolled.join(people, on=key, how="left")
        .with_columns(
            pl.col("rag_rank")
            .replace_strict(names, default=None, return_dtype=pl.String)
            .alias("rag"),
            pl.col("over_allocated_people").fill_null(0),
        )
        .drop("rag_rank")
    )


NODE_SCHEMA: SchemaDict = {
    "node_id": pl.String,
    "parent_id": pl.String,
    "level": pl.String,
    "depth": pl.Int64,
    "entity_id": pl.String,
    "name": pl.String,
    "manager": pl.String,
    "phase": pl.String,
    "rag": pl.String,
    "priority": pl.Int64,
    "start": pl.Date,
    "finish": pl.Date,
    "demand_hours": pl.Float64,
    "allocated_hours": pl.Float64,
    "over_allocated_people": pl.Int64,
    "project_count": pl.Int64,
    "green_count": pl.Int64,
    "amber_count": pl.Int64,
    "red_count": pl.Int64,
    "budget": pl.Float64,
    "actual_cost": pl.Float64,
    "portfolio_node": pl.String,
    "program_node": pl.String,
    "sort_key": pl.String,
}


def portfolio_nodes(
    portfolios: pl.DataFrame,
    programs: pl.DataFrame,
    projects: pl.DataFrame,
    demand: pl.DataFrame,
    allocations: pl.DataFrame,
    utilisation: pl.DataFrame,
) -> pl.DataFrame:
    """The portfolio > program > project tree as rows in display order (depth first).

    Args:
        portfolios, programs, projects: store tables (``read_table``).
        demand: ``project_id, week, hours``; allocations: ``person_id, project_id, week, hours``;
        utilisation: ``person_id, week, over_allocated`` (:func:`pmo_tui.domain.capacity.utilisation`).

    Returns:
        :data:`NODE_SCHEMA` rows. ``node_id`` is ``"<level>:<id>"``; ``depth`` is 0 for a
        portfolio, 1 for a program or a project directly in a portfolio, 2 for a
        project in a program. Portfolio and program rows carry the roll-ups.
    """
    where = resolve_hierarchy(programs, projects)
    over = over_allocated_people(allocations, utilisation)
    rows = _project_rows(projects, where, project_hours(demand, allocations), over)
    pf_names = portfolios.select(
        pl.col("id").alias("portfolio_id"), pl.col("name").alias("pf_name")
    )
    pg_names = programs.select(pl.col("id").alias("program_id"), pl.col("name").alias("pg_name"))
    frames = [
        _portfolio_level(portfolios, _rollup(rows, over, "portfolio_id")),
        _program_level(programs, pf_names, _rollup(rows, over, "program_id")),
        _project_level(rows, pf_names, pg_names),
    ]
    nodes = pl.concat([frame.select(_node_columns()) for frame in frames], how="vertical")
    return nodes.sort("sort_key")


def _node_columns() -> list[pl.Expr]:
    return [pl.col(name).cast(dtype) for name, dtype in NODE_SCHEMA.items()]


def _fill_missing(frame: pl.DataFrame) -> pl.DataFrame:
    """Add every :data:`NODE_SCHEMA` column the frame lacks, as nulls."""
    missing = [
        pl.lit(None).cast(t).alias(n) for n, t in NODE_SCHEMA.items() if n not in frame.columns
    ]
    return frame.with_columns(missing)


def _portfolio_level(portfolios: pl.DataFrame, rolled: pl.DataFrame) -> pl.DataFrame:
    frame = portfolios.rename({"id": "portfolio_id"}).join(rolled, on="portfolio_id", how="left")
    frame = frame.with_columns(
        pl.lit("portfolio").alias("level"),
        pl.lit(0).alias("depth"),
        pl.col("portfolio_id").alias("entity_id"),
        ("portfolio:" + pl.col("portfolio_id")).alias("node_id"),
        pl.lit(None, pl.String).alias("parent_id"),
        pl.lit(None, pl.String).alias("program_node"),
        (pl.col("name") + "\x00" + pl.col("portfolio_id")).alias("sort_key"),
    ).with_columns(pl.lit(None, pl.String).alias("portfolio_node"))
    return _fill_missing(_zero_counts(frame))


def _program_level(
    programs: pl.DataFrame, pf_names: pl.DataFrame, rolled: pl.DataFrame
) -> pl.DataFrame:
    frame = programs.rename({"id": "program_id"}).join(pf_names, on="portfolio_id", how="left")
    frame = frame.join(rolled, on="program_id", how="left").with_columns(
        pl.lit("program").alias("level"),
        pl.lit(1).alias("depth"),
        pl.col("program_id").alias("entity_id"),
        ("program:" + pl.col("program_id")).alias("node_id"),
        ("portfolio:" + pl.col("portfolio_id")).alias("parent_id"),
        ("portfolio:" + pl.col("portfolio_id")).alias("portfolio_node"),
        pl.lit(None, pl.String).alias("program_node"),
        _path_key("pf_name", "portfolio_id", "\x010", "name", "program_id"),
    )
    return _fill_missing(_zero_counts(frame))


def _project_level(
    rows: pl.DataFrame, pf_names: pl.DataFrame, pg_names: pl.DataFrame
) -> pl.DataFrame:
    frame = rows.join(pf_names, on="portfolio_id", how="left").join(
        pg_names, on="program_id", how="left"
    )
    in_program = pl.col("program_id").is_not_null()
    program_key = _path_key("pf_name", "portfolio_id", "\x010", "pg_name", "program_id").alias("pk")
    direct_key = _path_key("pf_name", "portfolio_id", "\x011", "name", "project_id").alias("dk")
    frame = frame.with_columns(program_key, direct_key).with_columns(
        pl.lit("project").alias("level"),
        pl.when(in_program).then(2).otherwise(1).alias("depth"),
        pl.col("project_id").alias("entity_id"),
        ("project:" + pl.col("project_id")).alias("node_id"),
        pl.when(in_program)
        .then("program:" + pl.col("program_id"))
        .otherwise("portfolio:" + pl.col("portfolio_id"))
        .alias("parent_id"),
        ("portfolio:" + pl.col("portfolio_id")).alias("portfolio_node"),
        pl.when(in_program).then("program:" + pl.col("program_id")).alias("program_node"),
        pl.when(in_program)
        .then(pl.col("pk") + "\x00" + pl.col("name") + "\x00" + pl.col("project_id"))
        .otherwise(pl.col("dk"))
        .alias("sort_key"),
        pl.lit(1).alias("project_count"),
        *[(pl.col("rag") == rag).cast(pl.Int64).alias(f"{rag}_count") for rag in RAG_RANK],
    )
    return _fill_missing(frame)


def _path_key(first: str, first_id: str, group: str, second: str, second_id: str) -> pl.Expr:
    parts = [pl.col(first), pl.col(first_id), pl.lit(group), pl.col(second), pl.col(second_id)]
    return pl.concat_str(parts, separator="\x00").alias("sort_key")


def _zero_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Roll-up counts and hours are 0, not null, for a portfolio or program without projects."""
    names = ["project_count", "over_allocated_people", "green_count", "amber_count", "red_count"]
    return frame.with_columns(
        *[pl.col(n).fill_null(0) for n in names],
        pl.col("demand_hours").fill_null(0.0),
        pl.col("allocated_hours").fill_null(0.0),
    )


def filter_nodes(nodes: pl.DataFrame, text: str) -> pl.DataFrame:
    """The nodes whose name, manager, RAG status or phase contains ``text`` (case-insensitive).

    A match keeps its ancestors (so it stays reachable) and, for a portfolio or
    program, all its descendants. An empty ``text`` keeps everything.
    """
    needle = text.strip().casefold()
    if not needle:
        return nodes
    haystack = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("name", "manager", "rag", "phase")], separator=" "
    ).str.to_lowercase()
    matched = nodes.filter(haystack.str.contains(needle, literal=True))
    matched_ids = matched["node_id"].to_list()
    ancestors = (
        matched["portfolio_node"].drop_nulls().to_list()
        + matched["program_node"].drop_nulls().to_list()
    )
    keep = (
        pl.col("node_id").is_in(matched_ids + ancestors)
        | pl.col("portfolio_node").is_in(matched_ids)
        | pl.col("program_node").is_in(matched_ids)
    )
    return nodes.filter(keep)


def visible_nodes(nodes: pl.DataFrame, collapsed: set[str]) -> pl.DataFrame:
    """The nodes not hidden under a collapsed portfolio or program (``collapsed``: node ids)."""
    if not collapsed:
        return nodes
    hidden = pl.col("portfolio_node").is_in(list(collapsed)) | pl.col("program_node").is_in(
        list(collapsed)
    )
    return nodes.filter(~hidden.fill_null(False))


def coverage_pct(demand_hours: float, allocated_hours: float) -> float | None:
    """Allocated as a percentage of demand (None when there is no demand)."""
    if demand_hours <= 0:
        return None
    return round(100.0 * allocated_hours / demand_hours, 1)


# --------------------------------------------------------------------------- display
#: Widest name cell, indentation included; longer names end in "…" (the detail pane shows all).
NAME_WIDTH = 36
TREE_COLUMNS = ("name", "phase", "status", "prio", "demand h", "alloc h", "over", "start", "finish")


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _day(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def tree_cells(node: dict, collapsed: bool) -> list[str]:
    """The table cells of one node (see :data:`TREE_COLUMNS`); roll-up rows get a fold marker."""
    marker = ("▸ " if collapsed else "▾ ") if node["level"] != "project" else "  "
    label = "  " * node["depth"] + marker + (node["name"] or node["entity_id"])
    return [
        label if len(label) <= NAME_WIDTH else label[: NAME_WIDTH - 1] + "…",
        node["phase"] or "",
        rag_label(node["rag"]),
        "" if node["priority"] is None else str(node["priority"]),
        _hours(node["demand_hours"]),
        _hours(node["allocated_hours"]),
        str(node["over_allocated_people"] or 0),
        _day(node["start"]),
        _day(node["finish"]),
    ]


def node_summary(node: dict) -> list[tuple[str, str]]:
    """Label/value lines for the detail pane; portfolios and programs show their roll-ups."""
    coverage = coverage_pct(node["demand_hours"] or 0.0, node["allocated_hours"] or 0.0)
    lines = [
        (node["level"], f"{node['name']} ({node['entity_id']})"),
        ("manager", node["manager"] or "-"),
        ("status", rag_label(node["rag"])),
    ]
    if node["level"] == "project":
        lines += [("phase", node["phase"] or "-"), ("priority", str(node["priority"]))]
    else:
        counts = ", ".join(f"{node[f'{rag}_count']} {rag}" for rag in RAG_RANK)
        lines += [
            ("projects", f"{node['project_count']} ({counts})"),
            ("top priority", "-" if node["priority"] is None else str(node["priority"])),
        ]
    lines += [
        ("dates", f"{_day(node['start']) or '?'} → {_day(node['finish']) or '?'}"),
        ("demand", f"{_hours(node['demand_hours'])} h"),
        ("allocated", f"{_hours(node['allocated_hours'])} h"),
        ("coverage", "-" if coverage is None else f"{coverage:g} %"),
        ("over-allocated people", str(node["over_allocated_people"])),
        ("budget", "-" if node["budget"] is None else f"{node['budget']:,.0f}"),
        ("actual cost", "-" if node["actual_cost"] is None else f"{node['actual_cost']:,.0f}"),
    ]
    return lines
