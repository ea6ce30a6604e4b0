"""Project health by dimension and overall, with earned value and the trend since last period.

Rules (docs/reporting.md, "Health"):

* **Reported**: the latest status report up to the status date gives a RAG for
  schedule, cost (the report's ``budget``), scope, resources, risk and overall.
* **Indicated by the data** (where the data allows):
  schedule - red when the finish is past and the project is not closing, else
  by SPI (red below ``index_red``, amber below ``index_amber``), amber when the
  reported forecast finish is after the planned finish;
  cost - by CPI with the same thresholds, red when actual cost is above budget;
  resources - over the next ``lookahead_weeks``: red when ``unmet_red`` or more of
  the demand is unmet, amber above ``unmet_amber`` or when someone booked on the
  project is over-allocated;
  risk - the highest open risk score (probability x impact, 1-25): red from
  ``risk_red``, amber from ``risk_amber``; red when a critical finding is overdue.
* **Health** of a dimension is the reported RAG, else the indicated one.
  **Overall** is the reported overall, else the RAG of the latest delivery
  confidence (imported snapshots; none when the snapshot has it "not rated":
  such a project counts as not rated, not as some colour), else the project's
  RAG; ``overall_source`` says which.
* **Trend**: the overall against the previous period (the status report before
  the latest, else the previous snapshot on the five-level scale): improved,
  worsened, unchanged, or new (no earlier period).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from pmo_tui.portfolio_health.data import PortfolioData, latest_per_project
from pmo_tui.portfolio_health.evm import earned_value
from pmo_tui.portfolio_health.rag import CONFIDENCE_ORDER, DIMENSIONS, rank, worst_of
from pmo_tui.store.schema_reporting import RAG_OF_CONFIDENCE

#: Status report column -> health dimension.
REPORTED_COLUMNS = {
    "schedule": "schedule",
    "budget": "cost",
    "scope": "scope",
    "resources": "resources",
    "risk": "risk",
    "overall": "overall",
}
TREND_ARROWS = {"improved": "↑", "worsened": "↓", "unchanged": "→", "new": "•"}


@dataclass(frozen=True)
class Thresholds:
    """The limits of the health indicators and the watermelon check (docs/reporting.md).

    Attributes:
        index_red, index_amber: CPI/SPI below these are red / amber.
        watermelon_index: a green report with CPI or SPI below this is flagged.
        lookahead_weeks: weeks from the status date looked at for resources.
        unmet_red, unmet_amber: shares of demand unmet (0..1).
        risk_red, risk_amber: risk score (probability x impact, 1-25) limits.
        critical_priority: demand of projects with this priority or higher (1 is
            highest) is critical.
    """

    index_red: float = 0.85
    index_amber: float = 0.95
    watermelon_index: float = 0.9
    lookahead_weeks: int = 4
    unmet_red: float = 0.25
    unmet_amber: float = 0.10
    risk_red: int = 15
    risk_amber: int = 8
    critical_priority: int = 2


def project_health(data: PortfolioData, limits: Thresholds | None = None) -> pl.DataFrame:
    """One row per project with its reported, indicated and resulting health, EVM and trend.

    Returns:
        The project's ``id`` (as ``project_id``), ``name, program_id, program_name,
        portfolio_id, portfolio_name, manager, phase, priority, start, finish, budget``;
        ``reported_on`` and ``reported_<dimension>`` (and ``reported_overall``),
        ``forecast_finish, percent_complete, key_risks, decisions_needed, summary``;
        ``delivery_confidence`` (latest snapshot, null without one); the EVM columns of
        :func:`~pmo_tui.portfolio_health.evm.earned_value`; ``indicated_<dimension>``;
        ``health_<dimension>``, ``overall``, ``overall_source``; ``previous_overall``,
        ``trend``; ``unmet_share`` (Float64 0..1), ``over_allocated_people`` (Int64),
        ``top_risk_score`` (Int64).
    """
    limits = limits or Thresholds()
    frame = _with_reports(data).join(_latest_confidence(data), on="project_id", how="left")
    frame = earned_value(frame, data.as_of)
    frame = frame.join(_resources(data, limits), on="project_id", how="left")
    frame = frame.join(_risks(data), on="project_id", how="left")
    frame = frame.with_columns(_indicators(data.as_of, limits))
    frame = frame.with_columns(
        *[
            pl.coalesce(f"reported_{dimension}", f"indicated_{dimension}").alias(
                f"health_{dimension}"
            )
            for dimension in DIMENSIONS
        ],
        pl.when(pl.col("reported_overall").is_not_null())
        .then(pl.col("reported_overall"))
        .when(pl.col("delivery_confidence").is_not_null())
        .then(
            pl.col("delivery_confidence").replace_strict(
                RAG_OF_CONFIDENCE, default=None, return_dtype=pl.String
            )
        )
        .otherwise(pl.col("rag"))
        .alias("overall"),
        pl.when(pl.col("reported_overall").is_not_null())
        .then(pl.lit("status report"))
        .when(pl.col("delivery_confidence").is_in(list(RAG_OF_CONFIDENCE)))
        .then(pl.lit("delivery confidence"))
        .when(pl.col("delivery_confidence").is_not_null())
        .then(pl.lit("not rated"))
        .otherwise(pl.lit("project RAG"))
        .alias("overall_source"),
    )
    return frame.join(_trends(data), on="project_id", how="left").with_columns(
        pl.col("trend").fill_null("new")
    )


def _with_reports(data: PortfolioData) -> pl.DataFrame:
    latest = latest_per_project(data.status_reports, "reported_on").select(
        "project_id",
        "reported_on",
        *[pl.col(c).alias(f"reported_{d}") for c, d in REPORTED_COLUMNS.items()],
        "forecast_finish",
        "percent_complete",
        pl.col("actual_cost").alias("reported_actual_cost"),
        "summary",
        "key_risks",
        "decisions_needed",
    )
    projects = data.projects.rename({"id": "project_id"})
    return projects.join(latest, on="project_id", how="left").with_columns(
        pl.coalesce("reported_actual_cost", "actual_cost").alias("actual_cost")
    )


def _latest_confidence(data: PortfolioData) -> pl.DataFrame:
    latest = latest_per_project(data.snapshots, "snapshot_as_of")
    return latest.select("project_id", "delivery_confidence")


def _resources(data: PortfolioData, limits: Thresholds) -> pl.DataFrame:
    """``project_id, unmet_share, over_allocated_people`` over the look-ahead window."""
    empty = pl.DataFrame(
        schema={
            "project_id": pl.String,
            "unmet_share": pl.Float64,
            "over_allocated_people": pl.Int64,
        }
    )
    if data.projects.is_empty() or data.people.is_empty():
        return empty
    tables = data.capacity()
    first, last = lookahead(data.as_of, limits.lookahead_weeks)
    window = pl.col("week").is_between(first, last)
    coverage = (
        tables.coverage.filter(window)
        .group_by("project_id")
        .agg(
            pl.when(pl.col("demand_hours").sum() > 0)
            .then(pl.col("unmet_hours").sum() / pl.col("demand_hours").sum())
            .otherwise(None)
            .alias("unmet_share")
        )
    )
    over_weeks = tables.utilisation.filter(window & pl.col("over_allocated")).select(
        "person_id", "week"
    )
    over = (
        tables.allocations.filter(window & (pl.col("hours") > 0))
        .join(over_weeks, on=["person_id", "week"], how="semi")
        .group_by("project_id")
        .agg(pl.col("person_id").n_unique().cast(pl.Int64).alias("over_allocated_people"))
    )
    return coverage.join(over, on="project_id", how="full", coalesce=True).select(
        "project_id", "unmet_share", pl.col("over_allocated_people").fill_null(0)
    )


def lookahead(as_of: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """The Monday of ``as_of``'s ISO week and the Monday ``weeks - 1`` weeks after it."""
    first = as_of - dt.timedelta(days=as_of.weekday())
    return first, first + dt.timedelta(weeks=max(weeks, 1) - 1)


def _risks(data: PortfolioData) -> pl.DataFrame:
    """``project_id, top_risk_score, overdue_critical`` (open risks, overdue critical findings)."""
    risks = (
        data.raid.filter((pl.col("kind") == "risk") & (pl.col("state") == "open"))
        .group_by("project_id")
        .agg(
            (pl.col("probability") * pl.col("impact")).max().cast(pl.Int64).alias("top_risk_score")
        )
    )
    overdue = (
        data.findings.filter(
            (pl.col("severity") == "critical")
            & pl.col("status").is_in(["open", "in_progress"])
            & (pl.col("due") < data.as_of)
        )
        .group_by("project_id")
        .agg(pl.len().cast(pl.Int64).alias("overdue_critical"))
    )
    return risks.join(overdue, on="project_id", how="full", coalesce=True)


def _by_index(index: str, limits: Thresholds) -> pl.Expr:
    return (
        pl.when(pl.col(index).is_null())
        .then(None)
        .when(pl.col(index) < limits.index_red)
        .then(pl.lit("red"))
        .when(pl.col(index) < limits.index_amber)
        .then(pl.lit("amber"))
        .otherwise(pl.lit("green"))
    )


def _indicators(as_of: dt.date, limits: Thresholds) -> list[pl.Expr]:
    finish_past = (pl.col("finish") < as_of) & (pl.col("phase") != "closing")
    slipped = pl.col("forecast_finish") > pl.col("finish")
    schedule = (
        pl.when(finish_past).then(pl.lit("red")).otherwise(_by_index("spi", limits)).alias("by_spi")
    )
    schedule_rag = worst_of(
        schedule,
        pl.when(slipped)
        .then(pl.lit("amber"))
        .when(pl.col("finish").is_not_null())
        .then(pl.lit("green")),
    )
    over_budget = pl.col("actual_cost") > pl.col("budget")
    cost_rag = worst_of(_by_index("cpi", limits), pl.when(over_budget).then(pl.lit("red")))
    unmet = pl.col("unmet_share")
    resources = (
        pl.when(unmet >= limits.unmet_red)
        .then(pl.lit("red"))
        .when((unmet > limits.unmet_amber) | (pl.col("over_allocated_people") > 0))
        .then(pl.lit("amber"))
        .when(unmet.is_not_null())
        .then(pl.lit("green"))
    )
    score = pl.col("top_risk_score")
    risk = (
        pl.when(pl.col("overdue_critical") > 0)
        .then(pl.lit("red"))
        .when(score >= limits.risk_red)
        .then(pl.lit("red"))
        .when(score >= limits.risk_amber)
        .then(pl.lit("amber"))
        .when(score.is_not_null())
        .then(pl.lit("green"))
    )
    return [
        schedule_rag.alias("indicated_schedule"),
        cost_rag.alias("indicated_cost"),
        pl.lit(None, pl.String).alias("indicated_scope"),
        resources.alias("indicated_resources"),
        risk.alias("indicated_risk"),
    ]


def _trends(data: PortfolioData) -> pl.DataFrame:
    """``project_id, previous_overall, trend`` from status reports, else snapshots."""
    reports = _now_and_before(data.status_reports, "reported_on", "overall")
    by_report = reports.with_columns(_trend(rank("now"), rank("previous_overall")))
    snaps = _now_and_before(data.snapshots, "snapshot_as_of", "delivery_confidence")
    by_snapshot = snaps.filter(
        ~pl.col("project_id").is_in(reports["project_id"].to_list())
    ).with_columns(_trend(_level("now"), _level("previous_overall")))
    return pl.concat(
        [
            frame.select("project_id", "previous_overall", "trend")
            for frame in (by_report, by_snapshot)
        ]
    )


def _now_and_before(frame: pl.DataFrame, date_column: str, value: str) -> pl.DataFrame:
    """``project_id, now, previous_overall``: ``value`` in the latest row and the one before."""
    latest = latest_per_project(frame, date_column).select("project_id", pl.col(value).alias("now"))
    before = latest_per_project(frame, date_column, nth=1).select(
        "project_id", pl.col(value).alias("previous_overall")
    )
    return latest.join(before, on="project_id", how="left")


def _level(column: str) -> pl.Expr:
    """Delivery confidence as a rank: 0 green ... 4 red; null when not rated."""
    ranks = {level: i for i, level in enumerate(CONFIDENCE_ORDER[:-1])}
    return pl.col(column).replace_strict(ranks, default=None, return_dtype=pl.Int64)


def _trend(now: pl.Expr, before: pl.Expr) -> pl.Expr:
    """improved / worsened / unchanged by rank (a higher rank is worse); new without a before."""
    return (
        pl.when(before.is_null() | now.is_null())
        .then(pl.lit("new"))
        .when(now < before)
        .then(pl.lit("improved"))
        .when(now > before)
        .then(pl.lit("worsened"))
        .otherwise(pl.lit("unchanged"))
        .alias("trend")
    )
