"""The weekly digest for stakeholders: what changed since a date and what needs attention.

Sections (docs/reporting.md, "Digest"), all as of the status date ``today``:

* **status changes** - projects whose overall status in their latest report
  differs from their latest report on or before ``since`` (or first reported since);
* **blocked across projects** - dependencies late or at risk
  (:mod:`~pmo_tui.portfolio_health.dependencies`);
* **contested people** - people booked on two or more projects in a week in
  which they are over capacity, from the week of ``since`` to
  ``lookahead_weeks`` after ``today`` (the capacity tables);
* **overdue actions** - open RAID actions past due;
* **gates** - gate decisions since ``since``, and gates planned in the next
  ``GATE_DAYS`` days not yet passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.portfolio_health.data import PortfolioData, latest_per_project
from pmo_tui.portfolio_health.dependencies import dependency_states
from pmo_tui.portfolio_health.gates import upcoming_gates
from pmo_tui.portfolio_health.health import Thresholds, lookahead

#: Days ahead in which a planned gate counts as coming up.
GATE_DAYS = 28


@dataclass
class Digest:
    """The digest's sections, each a frame (see :func:`build_digest` for the columns)."""

    since: dt.date
    today: dt.date
    status_changes: pl.DataFrame
    blocked: pl.DataFrame
    contested_people: pl.DataFrame
    overdue_actions: pl.DataFrame
    gate_decisions: pl.DataFrame
    gates_coming_up: pl.DataFrame


def build_digest(data: PortfolioData, since: dt.date, limits: Thresholds | None = None) -> Digest:
    """The digest from ``since`` to ``data.as_of``.

    Returns:
        A :class:`Digest` whose frames are: status_changes ``project_id, name,
        reported_on, previous, overall, summary``; blocked: the late and at-risk rows
        of :func:`~pmo_tui.portfolio_health.dependencies.dependency_states`;
        contested_people ``person_id, name, projects (String, comma-separated), weeks
        (Int64), over_hours (Float64)``; overdue_actions ``id, project_id, title,
        owner, due, days_overdue``; gate_decisions ``project_id, phase, decision,
        decided_by, decided_on, conditions``; gates_coming_up ``project_id, name,
        phase, planned_on``.
    """
    limits = limits or Thresholds()
    names = data.projects.select(pl.col("id").alias("project_id"), "name")
    states = dependency_states(data)
    projects = data.projects.rename({"id": "project_id"})
    return Digest(
        since=since,
        today=data.as_of,
        status_changes=_status_changes(data, since)
        .join(names, on="project_id", how="left")
        .select("project_id", "name", "reported_on", "previous", "overall", "summary"),
        blocked=states.filter(pl.col("state") != "on track"),
        contested_people=_contested(data, since, limits),
        overdue_actions=_overdue_actions(data),
        gate_decisions=data.gate_decisions.filter(pl.col("decided_on") > since)
        .select("project_id", "phase", "decision", "decided_by", "decided_on", "conditions")
        .sort("decided_on", "project_id"),
        gates_coming_up=upcoming_gates(
            projects, data.gates, data.as_of, data.as_of + dt.timedelta(days=GATE_DAYS)
        ),
    )


def _status_changes(data: PortfolioData, since: dt.date) -> pl.DataFrame:
    reports = data.status_reports
    before = latest_per_project(reports.filter(pl.col("reported_on") <= since), "reported_on")
    now = latest_per_project(reports, "reported_on").filter(pl.col("reported_on") > since)
    joined = now.select("project_id", "reported_on", "overall", "summary").join(
        before.select("project_id", pl.col("overall").alias("previous")),
        on="project_id",
        how="left",
    )
    return joined.filter(
        pl.col("previous").is_null() | (pl.col("previous") != pl.col("overall"))
    ).sort("project_id")


def _contested(data: PortfolioData, since: dt.date, limits: Thresholds) -> pl.DataFrame:
    schema: SchemaDict = {
        "person_id": pl.String, "name": pl.String, "projects": pl.String,
        "weeks": pl.Int64, "over_hours": pl.Float64,
    }  # fmt: skip
    if data.people.is_empty():
        return pl.DataFrame(schema=schema)
    tables = data.capacity()
    first = lookahead(since, 1)[0]
    last = lookahead(data.as_of, limits.lookahead_weeks)[1]
    window = pl.col("week").is_between(first, last)
    over = tables.utilisation.filter(window & pl.col("over_allocated"))
    booked = (
        tables.allocations.filter(window & (pl.col("hours") > 0))
        .group_by("person_id", "week")
        .agg(pl.col("project_id").unique().sort())
        .filter(pl.col("project_id").list.len() >= 2)
    )
    contested = over.join(booked, on=["person_id", "week"])
    return (
        contested.group_by("person_id")
        .agg(
            pl.col("project_id")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .str.join(", ")
            .alias("projects"),
            pl.len().cast(pl.Int64).alias("weeks"),
            pl.col("over_hours").sum().round(1),
        )
        .join(data.people, on="person_id", how="left")
        .select([pl.col(name).cast(dtype) for name, dtype in schema.items()])
        .sort("over_hours", "person_id", descending=[True, False])
    )


def _overdue_actions(data: PortfolioData) -> pl.DataFrame:
    actions = data.raid.filter(
        (pl.col("kind") == "action") & (pl.col("state") == "open") & (pl.col("due") < data.as_of)
    )
    return actions.select(
        "id",
        "project_id",
        "title",
        "owner",
        "due",
        (pl.lit(data.as_of) - pl.col("due")).dt.total_days().cast(pl.Int64).alias("days_overdue"),
    ).sort("days_overdue", "id", descending=[True, False])
