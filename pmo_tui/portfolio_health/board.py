"""The board report's figures, computed once: what ``pmo-tui report`` and the dashboard show.

Everything is as of the status date. Cost figures (docs/reporting.md, "Board report"):

* per project, **baseline** and **forecast**: an imported snapshot's own figures
  when the project is in one (GMPP: this financial year's budget and forecast;
  none where the file withholds them),
  else the budget at completion and the estimate at completion (EAC, see
  :mod:`~pmo_tui.portfolio_health.evm`; the budget when there is no EAC);
  **variance** = forecast - baseline (positive = overspend).
* **Capacity outlook** per skill and quarter, from the status date on: the
  demand hours against the capacity of everyone holding the skill (a person
  with several skills counts in each), and the **hiring bottlenecks**: the
  shortfall no re-allocation can fix (:func:`solver.measures.shortfall`) in FTE
  (hours / 40 h / weeks of the quarter in the horizon).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pmo_tui.planning.inputs import plan_inputs
from pmo_tui.portfolio_health.data import PortfolioData, latest_per_project
from pmo_tui.portfolio_health.dependencies import dependency_states
from pmo_tui.portfolio_health.health import Thresholds, project_health
from pmo_tui.portfolio_health.rag import CONFIDENCE_ORDER, RAG_ORDER, check_rule, roll_up
from pmo_tui.portfolio_health.watermelon import watermelon_flags

#: Hours of one FTE week in the capacity outlook.
FTE_WEEK_HOURS = 40.0
#: Quarters of the capacity outlook.
OUTLOOK_QUARTERS = 2


@dataclass
class BoardData:
    """The board report's sections (each a polars frame; see :func:`board_data`)."""

    as_of: dt.date
    rule: str
    projects: pl.DataFrame
    summary: dict[str, float | int | None]
    portfolios: pl.DataFrame
    programs: pl.DataFrame
    changed: pl.DataFrame
    top_risks: pl.DataFrame
    decisions: pl.DataFrame
    watermelons: pl.DataFrame
    dependencies: pl.DataFrame
    outlook: pl.DataFrame
    bottlenecks: pl.DataFrame
    confidence_by_period: pl.DataFrame
    heatmap: pl.DataFrame
    snapshots: pl.DataFrame


def board_data(
    data: PortfolioData, *, rule: str = "worst", limits: Thresholds | None = None
) -> BoardData:
    """The board report's figures from ``data``.

    Returns:
        A :class:`BoardData`: ``projects`` (:func:`project_health` plus ``baseline,
        forecast, variance``); ``summary`` (projects, green/amber/red counts, baseline,
        forecast, variance); ``portfolios`` and ``programs`` (``id, name, rag, score,
        projects, not_rated, previous_rag, trend, baseline, forecast, variance``: ``projects``
        counts all of them, ``not_rated`` those without an overall status, which the roll-up
        leaves out; ``rag`` is null when none is rated); ``changed``
        (projects whose overall improved or worsened); ``top_risks`` (open risks by
        score, 10 at most); ``decisions`` (``project_id, source, decision``);
        ``watermelons``; ``dependencies`` (late or at risk); ``outlook`` (``skill_id,
        quarter, demand_hours, capacity_hours, load_pct``); ``bottlenecks``
        (``skill_id, quarter, shortfall_hours, fte``); ``confidence_by_period``
        (``period, level, projects``); ``heatmap`` (``skill_id, month, load_pct``);
        ``snapshots`` (the imported snapshots the figures use: ``source, period, as_of
        (Date), projects``, oldest first).

    Raises:
        UserError: an unknown roll-up rule.
    """
    check_rule(rule)
    limits = limits or Thresholds()
    health = _with_costs(project_health(data, limits), data)
    outlook, bottlenecks, heatmap = _capacity(data)
    return BoardData(
        as_of=data.as_of,
        rule=rule,
        projects=health,
        summary=_summary(health),
        portfolios=_levels(health, "portfolio", rule),
        programs=_levels(health, "program", rule),
        changed=health.filter(pl.col("trend").is_in(["improved", "worsened"])).sort(
            "trend", "project_id", descending=[True, False]
        ),
        top_risks=_top_risks(data),
        decisions=_decisions(data),
        watermelons=watermelon_flags(data, health, limits),
        dependencies=dependency_states(data).filter(pl.col("state") != "on track"),
        outlook=outlook,
        bottlenecks=bottlenecks,
        confidence_by_period=confidence_by_period(data),
        heatmap=heatmap,
        snapshots=data.snapshots.group_by("source", "period", "snapshot_as_of")
        .agg(pl.len().cast(pl.Int64).alias("projects"))
        .sort("snapshot_as_of", "source")
        .rename({"snapshot_as_of": "as_of"}),
    )


def _with_costs(health: pl.DataFrame, data: PortfolioData) -> pl.DataFrame:
    snapshot = latest_per_project(data.snapshots, "snapshot_as_of").select(
        "project_id", "baseline_cost", "forecast_cost", pl.lit(True).alias("in_snapshot")
    )
    frame = health.join(snapshot, on="project_id", how="left")
    has_snapshot = pl.col("in_snapshot").fill_null(False)
    return (
        frame.with_columns(
            pl.when(has_snapshot)
            .then(pl.col("baseline_cost"))
            .otherwise(pl.col("budget"))
            .alias("baseline"),
            pl.when(has_snapshot)
            .then(pl.col("forecast_cost"))
            .otherwise(pl.coalesce("eac", "budget"))
            .alias("forecast"),
        )
        .with_columns((pl.col("forecast") - pl.col("baseline")).alias("variance"))
        .drop("in_snapshot")
    )


def _summary(health: pl.DataFrame) -> dict[str, float | int | None]:
    summary: dict[str, float | int | None] = {"projects": health.height}
    for rag in RAG_ORDER:
        summary[rag] = int((health["overall"] == rag).sum())
    summary["not_rated"] = int(health["overall"].is_null().sum())
    for column in ("baseline", "forecast", "variance"):
        values = health[column].drop_nulls()
        summary[column] = float(values.sum()) if len(values) else None
    return summary


def _levels(health: pl.DataFrame, level: str, rule: str) -> pl.DataFrame:
    key, name = f"{level}_id", f"{level}_name"
    now = roll_up(health.select(key, pl.col("overall").alias("rag"), "budget"), key, rule)
    before = roll_up(
        health.select(key, pl.col("previous_overall").alias("rag"), "budget"), key, rule
    ).select(key, pl.col("rag").alias("previous_rag"), pl.col("score").alias("previous_score"))
    money = health.group_by(key, name).agg(
        pl.len().cast(pl.Int64).alias("projects"),
        pl.col("overall").is_null().sum().cast(pl.Int64).alias("not_rated"),
        *[pl.col(c).sum().alias(c) for c in ("baseline", "forecast", "variance")],
    )
    trend = (
        pl.when(pl.col("previous_score").is_null())
        .then(pl.lit("new"))
        .when(pl.col("score") < pl.col("previous_score"))
        .then(pl.lit("improved"))
        .when(pl.col("score") > pl.col("previous_score"))
        .then(pl.lit("worsened"))
        .otherwise(pl.lit("unchanged"))
    )
    return (
        money.filter(pl.col(key).is_not_null())
        .join(now.drop("projects"), on=key, how="left")
        .join(before, on=key, how="left")
        .with_columns(trend.alias("trend"))
        .select(
            pl.col(key).alias("id"),
            pl.col(name).alias("name"),
            "rag",
            "score",
            "projects",
            "not_rated",
            "previous_rag",
            "trend",
            "baseline",
            "forecast",
            "variance",
        )  # fmt: skip
        .sort("name", "id")
    )


def _top_risks(data: PortfolioData, count: int = 10) -> pl.DataFrame:
    risks = data.raid.filter((pl.col("kind") == "risk") & (pl.col("state") == "open"))
    return (
        risks.with_columns((pl.col("probability") * pl.col("impact")).alias("score"))
        .sort("score", "raised_on", "id", descending=[True, False, False])
        .head(count)
        .select("id", "project_id", "title", "owner", "probability", "impact", "score")
    )


def _decisions(data: PortfolioData) -> pl.DataFrame:
    reported = (
        latest_per_project(data.status_reports, "reported_on")
        .filter(pl.col("decisions_needed").is_not_null())
        .select(
            "project_id",
            pl.lit("status report").alias("source"),
            pl.col("decisions_needed").alias("decision"),
        )
    )
    raid = data.raid.filter((pl.col("kind") == "decision") & (pl.col("state") == "open")).select(
        "project_id",
        pl.format("RAID {}", pl.col("id")).alias("source"),
        pl.col("title").alias("decision"),
    )
    return pl.concat([reported, raid]).sort("project_id", "source")


def confidence_by_period(data: PortfolioData) -> pl.DataFrame:
    """Projects per delivery-confidence level and period, for the distribution chart.

    With imported snapshots: their periods and five levels (plus not rated). Without:
    the overall RAG of each project's latest status report in each calendar month.

    Returns:
        ``period (String), level (String), projects (Int64)``, periods in time order,
        levels best first.
    """
    if not data.snapshots.is_empty():
        frame = data.snapshots.group_by(
            "snapshot_as_of", "period", pl.col("delivery_confidence").alias("level")
        )
        levels = list(CONFIDENCE_ORDER)
    else:
        monthly = data.status_reports.with_columns(
            pl.col("reported_on").dt.strftime("%Y-%m").alias("period")
        )
        latest = monthly.sort("reported_on").group_by("project_id", "period").last()
        frame = latest.group_by(
            pl.col("period").alias("snapshot_as_of"), "period", pl.col("overall").alias("level")
        )
        levels = list(RAG_ORDER)
    counted = frame.agg(pl.len().cast(pl.Int64).alias("projects"))
    order = {level: i for i, level in enumerate(levels)}
    return (
        counted.with_columns(pl.col("level").replace_strict(order, default=len(order)).alias("o"))
        .sort("snapshot_as_of", "o")
        .select("period", "level", "projects")
    )


def _capacity(data: PortfolioData) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(outlook, bottlenecks, heatmap) from the status date's quarter on."""
    outlook_schema = {
        "skill_id": pl.String, "quarter": pl.String, "demand_hours": pl.Float64,
        "capacity_hours": pl.Float64, "load_pct": pl.Float64,
    }  # fmt: skip
    empty = (
        pl.DataFrame(schema=outlook_schema),
        pl.DataFrame(
            schema={
                "skill_id": pl.String,
                "quarter": pl.String,
                "shortfall_hours": pl.Float64,
                "fte": pl.Float64,
            }
        ),
        pl.DataFrame(schema={"skill_id": pl.String, "month": pl.String, "load_pct": pl.Float64}),
    )
    if data.people.is_empty():
        return empty
    inputs = plan_inputs(data.db)
    start = data.as_of - dt.timedelta(days=data.as_of.weekday())
    weeks = pl.col("week") >= start
    demand = inputs.demand.filter(weeks & pl.col("skill_id").is_not_null())
    holders = inputs.skills.select("person_id", "skill_id").unique()
    capacity = inputs.capacity.filter(weeks).join(holders, on="person_id")
    if demand.is_empty():
        return empty
    quarters = sorted(set(demand.select(_quarter(pl.col("week")))[:, 0].to_list()))
    quarters = quarters[:OUTLOOK_QUARTERS]
    outlook = _load(demand, capacity, _quarter, "quarter").filter(pl.col("quarter").is_in(quarters))
    heatmap = _load(demand, capacity, lambda w: w.dt.strftime("%Y-%m"), "month").select(
        "skill_id", "month", "load_pct"
    )
    from solver.measures import shortfall

    short = shortfall(inputs).filter(weeks)
    weeks_per_quarter = (
        inputs.capacity.filter(weeks).select(_quarter(pl.col("week")).alias("quarter"), "week").unique()
        .group_by("quarter").agg(pl.len().alias("weeks"))
    )  # fmt: skip
    bottlenecks = (
        short.with_columns(_quarter(pl.col("week")).alias("quarter"))
        .filter(pl.col("quarter").is_in(quarters))
        .group_by("skill_id", "quarter")
        .agg(pl.col("shortfall_hours").sum().round(1))
        .join(weeks_per_quarter, on="quarter")
        .with_columns(
            (pl.col("shortfall_hours") / FTE_WEEK_HOURS / pl.col("weeks")).round(1).alias("fte")
        )
        .select("skill_id", "quarter", "shortfall_hours", "fte")
        .sort("quarter", "fte", descending=[False, True])
    )
    return outlook, bottlenecks, heatmap


def _quarter(week: pl.Expr) -> pl.Expr:
    """``2027-Q1`` for a date."""
    return pl.format("{}-Q{}", week.dt.year(), week.dt.quarter())


def _load(
    demand: pl.DataFrame,
    capacity: pl.DataFrame,
    bucket: Callable[[pl.Expr], pl.Expr],
    name: str,
) -> pl.DataFrame:
    """Demand and capacity hours per skill and ``bucket`` of the week (quarter, month)."""
    needed = demand.group_by("skill_id", bucket(pl.col("week")).alias(name)).agg(
        pl.col("hours").sum().round(1).alias("demand_hours")
    )
    available = capacity.group_by("skill_id", bucket(pl.col("week")).alias(name)).agg(
        pl.col("hours").sum().round(1).alias("capacity_hours")
    )
    return (
        needed.join(available, on=["skill_id", name], how="left")
        .with_columns(pl.col("capacity_hours").fill_null(0.0))
        .with_columns(
            pl.when(pl.col("capacity_hours") > 0)
            .then((100 * pl.col("demand_hours") / pl.col("capacity_hours")).round(0))
            .alias("load_pct")
        )
        .sort(name, "skill_id")
    )
