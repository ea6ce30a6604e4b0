"""Dependencies between projects and their state, derived from both projects' dates and status.

A dependency says project B (``to_project_id``) needs something of project A
(``from_project_id``):

* ``finish_to_start``: A's completion, needed by B's start (less ``lag_weeks``),
  or by ``due`` when given, whichever is earlier. A is expected at its forecast
  finish (latest status report), else its planned finish.
* ``deliverable``: a named deliverable of A needed by ``due``. It was planned
  for ``due``; it is expected later by as much as A's schedule has slipped
  (forecast finish minus planned finish, when positive).

State (docs/reporting.md, "Dependencies"):

* **late** - expected after it is needed;
* **at risk** - not late, but A's latest status report has schedule or overall
  amber or red, or a finish-to-start link has less than ``SLACK_DAYS`` of slack;
* **on track** - otherwise.

``reason`` says why, in words.
"""

from __future__ import annotations

import polars as pl

from pmo_tui.portfolio_health.data import PortfolioData, latest_per_project

#: Slack under which a finish-to-start link is at risk.
SLACK_DAYS = 14
STATES = ("late", "at risk", "on track")


def dependency_states(data: PortfolioData) -> pl.DataFrame:
    """Every dependency with its dates and state.

    Returns:
        ``from_project_id, from_name, to_project_id, to_name, kind, deliverable,
        needed_by (Date), expected (Date), slack_days (Int64), state, reason`` sorted by
        state (late first) and need date.
    """
    reports = latest_per_project(data.status_reports, "reported_on").select(
        "project_id", "overall", "schedule", "forecast_finish"
    )
    projects = data.projects.select(
        pl.col("id").alias("project_id"), "name", "start", "finish"
    ).join(reports, on="project_id", how="left")
    provider = projects.rename({c: f"from_{c}" for c in projects.columns if c != "project_id"})
    consumer = projects.select(
        "project_id", pl.col("name").alias("to_name"), pl.col("start").alias("to_start")
    )
    frame = data.dependencies.join(
        provider, left_on="from_project_id", right_on="project_id", how="left"
    ).join(consumer, left_on="to_project_id", right_on="project_id", how="left")
    slip = (
        (pl.col("from_forecast_finish") - pl.col("from_finish"))
        .dt.total_days()
        .fill_null(0)
        .clip(0)
    )
    start_need = pl.col("to_start") - pl.duration(weeks=pl.col("lag_weeks"))
    frame = frame.with_columns(
        pl.when(pl.col("kind") == "deliverable")
        .then(pl.col("due"))
        .otherwise(pl.min_horizontal(start_need, pl.col("due")))
        .alias("needed_by"),
        pl.when(pl.col("kind") == "deliverable")
        .then(pl.col("due") + pl.duration(days=slip))
        .otherwise(pl.coalesce("from_forecast_finish", "from_finish"))
        .alias("expected"),
    ).with_columns(
        (pl.col("needed_by") - pl.col("expected"))
        .dt.total_days()
        .cast(pl.Int64)
        .alias("slack_days")
    )
    return (
        frame.with_columns(_state())
        .with_columns(
            pl.col("state").replace_strict({s: i for i, s in enumerate(STATES)}).alias("order")
        )
        .sort("order", "needed_by", "from_project_id", nulls_last=True)
        .select(
            "from_project_id",
            "from_name",
            "to_project_id",
            "to_name",
            "kind",
            pl.coalesce("deliverable", "description").alias("deliverable"),
            "needed_by",
            "expected",
            "slack_days",
            "state",
            "reason",
        )  # fmt: skip
    )


def _state() -> list[pl.Expr]:
    troubled = pl.col("from_schedule").is_in(["amber", "red"]) | pl.col("from_overall").is_in(
        ["amber", "red"]
    )
    tight = (pl.col("kind") == "finish_to_start") & (pl.col("slack_days") < SLACK_DAYS)
    late = pl.col("slack_days") < 0
    state = (
        pl.when(late)
        .then(pl.lit("late"))
        .when(troubled | tight)
        .then(pl.lit("at risk"))
        .otherwise(pl.lit("on track"))
    )
    reason = (
        pl.when(pl.col("slack_days").is_null())
        .then(pl.lit("dates unknown"))
        .when(late)
        .then(pl.format("expected {} days after it is needed", -pl.col("slack_days")))
        .when(troubled)
        .then(
            pl.format(
                "{} reports schedule {}, overall {}",
                pl.col("from_project_id"),
                pl.col("from_schedule").fill_null("-"),
                pl.col("from_overall").fill_null("-"),
            )
        )
        .when(tight)
        .then(pl.format("only {} days of slack", pl.col("slack_days")))
        .otherwise(pl.format("{} days of slack", pl.col("slack_days")))
    )
    return [
        pl.when(pl.col("slack_days").is_null())
        .then(pl.lit("at risk"))
        .otherwise(state)
        .alias("state"),
        reason.alias("reason"),
    ]
