"""The consistency ("watermelon") check: green status reports that the data contradicts.

A project is a watermelon when its latest status report says **green** overall
while the data says otherwise. Each flag names its evidence (docs/reporting.md):

* ``key people over-allocated`` - the manager or someone booked at least
  :data:`KEY_HOURS` h a week on the project is over capacity in the next
  ``lookahead_weeks`` (the worst week is named);
* ``past due`` - the planned finish is past and the project is not closing, or
  the gate of its current phase was planned for a date already past and is not
  approved (:func:`~pmo_tui.portfolio_health.gates.planned_gates`);
* ``unmet critical demand`` - the project has priority ``critical_priority`` or
  higher and part of its demand in the next ``lookahead_weeks`` is not allocated;
* ``overdue critical finding`` - an open or in-progress critical audit finding past due;
* ``CPI below threshold`` / ``SPI below threshold`` - below ``watermelon_index``.
"""

from __future__ import annotations

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.portfolio_health.data import PortfolioData, latest_per_project
from pmo_tui.portfolio_health.gates import planned_gates
from pmo_tui.portfolio_health.health import Thresholds, lookahead

#: Weekly hours on a project from which a person is one of its key people.
KEY_HOURS = 16.0
#: Evidence items named per flag (the rest are counted).
SHOWN_EVIDENCE = 3
FLAG_SCHEMA: SchemaDict = {
    "project_id": pl.String,
    "name": pl.String,
    "reported_on": pl.Date,
    "kind": pl.String,
    "evidence": pl.String,
}


def watermelon_flags(
    data: PortfolioData, health: pl.DataFrame, limits: Thresholds | None = None
) -> pl.DataFrame:
    """The flags of every project whose latest status report is green (see the module docstring).

    Args:
        data: the portfolio as of the status date.
        health: :func:`~pmo_tui.portfolio_health.health.project_health` of ``data``.

    Returns:
        :data:`FLAG_SCHEMA` rows, by project and kind.
    """
    limits = limits or Thresholds()
    green = latest_per_project(data.status_reports, "reported_on").filter(
        pl.col("overall") == "green"
    )
    green_ids = green["project_id"].to_list()
    evidence = [
        _key_people(data, limits),
        _past_due(data),
        _unmet_critical(data, limits),
        _overdue_findings(data),
        _indices(health, limits),
    ]
    flags = pl.concat([frame.select("project_id", "kind", "evidence") for frame in evidence])
    names = data.projects.select(pl.col("id").alias("project_id"), "name")
    return (
        _one_per_kind(flags.filter(pl.col("project_id").is_in(green_ids)))
        .join(names, on="project_id", how="left")
        .join(green.select("project_id", "reported_on"), on="project_id", how="left")
        .select([pl.col(name).cast(dtype) for name, dtype in FLAG_SCHEMA.items()])
        .sort("project_id", "kind", "evidence")
    )


def _one_per_kind(flags: pl.DataFrame) -> pl.DataFrame:
    """One flag per project and kind: its first :data:`SHOWN_EVIDENCE` items, then a count."""
    grouped = flags.group_by("project_id", "kind", maintain_order=True).agg(
        pl.col("evidence").head(SHOWN_EVIDENCE).str.join("; "),
        pl.len().cast(pl.Int64).alias("items"),
    )
    more = pl.col("items") - SHOWN_EVIDENCE
    return grouped.select(
        "project_id",
        "kind",
        pl.when(more > 0)
        .then(pl.format("{}; and {} more", pl.col("evidence"), more))
        .otherwise(pl.col("evidence"))
        .alias("evidence"),
    )


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={"project_id": pl.String, "kind": pl.String, "evidence": pl.String})


def _key_people(data: PortfolioData, limits: Thresholds) -> pl.DataFrame:
    if data.people.is_empty():
        return _empty()
    tables = data.capacity()
    first, last = lookahead(data.as_of, limits.lookahead_weeks)
    window = tables.allocations.filter(pl.col("week").is_between(first, last))
    weekly = window.group_by("project_id", "person_id", "week").agg(pl.col("hours").sum())
    managers = data.projects.select(
        pl.col("id").alias("project_id"), pl.col("manager").alias("name")
    )
    manager_ids = managers.join(data.people, on="name").select("project_id", "person_id")
    key = pl.concat(
        [weekly.filter(pl.col("hours") >= KEY_HOURS).select("project_id", "person_id"), manager_ids]
    ).unique()
    over = tables.utilisation.filter(
        pl.col("over_allocated") & pl.col("week").is_between(first, last)
    )
    worst = (
        key.join(
            weekly.select("project_id", "person_id", "week").unique(),
            on=["project_id", "person_id"],
        )
        .join(over, on=["person_id", "week"])
        .sort("over_hours", "week", descending=[True, False])
        .group_by("project_id", "person_id", maintain_order=True)
        .first()
        .join(data.people, on="person_id", how="left")
    )
    return worst.select(
        "project_id",
        pl.lit("key people over-allocated").alias("kind"),
        pl.format(
            "{} ({}) booked {} h against {} h capacity in the week of {}",
            pl.col("name"), pl.col("person_id"), pl.col("allocated_hours"),
            pl.col("capacity_hours"), pl.col("week"),
        ).alias("evidence"),
    )  # fmt: skip


def _past_due(data: PortfolioData) -> pl.DataFrame:
    projects = data.projects.rename({"id": "project_id"})
    finish = projects.filter(
        (pl.col("finish") < data.as_of) & (pl.col("phase") != "closing")
    ).select(
        "project_id",
        pl.lit("past due").alias("kind"),
        pl.format(
            "planned finish {} is past; the project is in {}", pl.col("finish"), pl.col("phase")
        ).alias("evidence"),
    )
    gates = (
        planned_gates(projects)
        .join(data.gates.select("project_id", "phase"), on=["project_id", "phase"], how="anti")
        .filter(pl.col("planned_on") < data.as_of)
        .select(
            "project_id",
            pl.lit("past due").alias("kind"),
            pl.format(
                "the {} gate was planned for {} and is not approved",
                pl.col("phase"),
                pl.col("planned_on"),
            ).alias("evidence"),
        )
    )
    return pl.concat([finish, gates])


def _unmet_critical(data: PortfolioData, limits: Thresholds) -> pl.DataFrame:
    if data.people.is_empty():
        return _empty()
    first, last = lookahead(data.as_of, limits.lookahead_weeks)
    critical = data.projects.filter(pl.col("priority") <= limits.critical_priority)["id"].to_list()
    unmet = (
        data.capacity()
        .coverage.filter(
            pl.col("week").is_between(first, last)
            & pl.col("project_id").is_in(critical)
            & (pl.col("unmet_hours") > 0)
        )
        .group_by("project_id", "skill_id")
        .agg(
            pl.col("unmet_hours").sum().round(1),
            pl.col("week").min().alias("first"),
            pl.col("week").max().alias("last"),
        )
        .sort("project_id", "unmet_hours", descending=[False, True])
    )
    return unmet.select(
        "project_id",
        pl.lit("unmet critical demand").alias("kind"),
        pl.format(
            "{} h of {} demand unmet in {}",
            pl.col("unmet_hours"), pl.col("skill_id").fill_null("named-person"), _weeks("first", "last"),
        ).alias("evidence"),
    )  # fmt: skip


def _weeks(first: str, last: str) -> pl.Expr:
    """``the week of 2027-01-04``, or ``the weeks 2027-01-04 to 2027-01-25``."""
    return (
        pl.when(pl.col(first) == pl.col(last))
        .then(pl.format("the week of {}", pl.col(first)))
        .otherwise(pl.format("the weeks {} to {}", pl.col(first), pl.col(last)))
    )


def _overdue_findings(data: PortfolioData) -> pl.DataFrame:
    overdue = data.findings.filter(
        (pl.col("severity") == "critical")
        & pl.col("status").is_in(["open", "in_progress"])
        & (pl.col("due") < data.as_of)
    )
    return overdue.select(
        "project_id",
        pl.lit("overdue critical finding").alias("kind"),
        pl.format(
            "finding {} ({}) was due {}, still {}",
            pl.col("id"),
            pl.col("rule"),
            pl.col("due"),
            pl.col("status"),
        ).alias("evidence"),
    )


def _indices(health: pl.DataFrame, limits: Thresholds) -> pl.DataFrame:
    frames = []
    for index in ("cpi", "spi"):
        frames.append(
            health.filter(pl.col(index) < limits.watermelon_index).select(
                "project_id",
                pl.lit(f"{index.upper()} below threshold").alias("kind"),
                pl.format(
                    "{} {} is below {}",
                    pl.lit(index.upper()),
                    pl.col(index).round(2),
                    pl.lit(limits.watermelon_index),
                ).alias("evidence"),
            )
        )
    return pl.concat(frames)
