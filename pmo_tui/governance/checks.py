"""The rule kinds: one parametrised check each, run on an :class:`AuditContext`.

Each check takes the context and a :class:`~pmo_tui.governance.rules.Rule`
and returns :class:`Hit` records: the project, the *subject* (what exactly:
a template id, a person id, a gate's phase, a finding id; empty when the
project itself) and a description with the figures that made it a hit.
Checks are pure reads; :mod:`pmo_tui.governance.audit` stores the findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pmo_tui.governance.context import AuditContext
from pmo_tui.governance.frames import severity_rank
from pmo_tui.governance.rules import Rule


@dataclass(frozen=True)
class Hit:
    """One rule violation on one project (and subject)."""

    project_id: str
    subject: str
    description: str


def check_artefacts(ctx: AuditContext, rule: Rule) -> list[Hit]:
    """Artefacts the project's methodology version requires in its current phase: missing or stale.

    Stale: last updated more than ``max_age_days`` before the audit (the
    requirement's own age limit, else the rule's ``max_age_days``; none = never stale).
    """
    frame = (
        ctx.projects_in(rule.phases)
        .join(ctx.methodology, on="project_id")
        .join(ctx.requirements, on=["standard_id", "version", "phase"])
        .join(ctx.artefacts, on=["project_id", "template_id"], how="left")
        .sort("project_id", "template_id")
    )
    hits = []
    for row in frame.iter_rows(named=True):
        where = f"required in phase {row['phase']} by {row['standard_id']} {row['version']}"
        if row["updated_on"] is None:
            hits.append(
                Hit(
                    row["project_id"],
                    row["template_id"],
                    f"{row['template_id']} is missing ({where})",
                )
            )
            continue
        limit = row["max_age_days"] or rule.params.get("max_age_days")
        age = (ctx.today - row["updated_on"]).days
        if limit is not None and age > limit:
            hits.append(
                Hit(
                    row["project_id"],
                    row["template_id"],
                    f"{row['template_id']} is stale: last updated {row['updated_on']}, "
                    f"{age} days ago (at most {limit}; {where})",
                )
            )
    return hits


def check_status_report_age(ctx: AuditContext, rule: Rule) -> list[Hit]:
    """Latest status report older than ``max_days``; a started project with none since its start."""
    limit = rule.params["max_days"]
    frame = ctx.projects_in(rule.phases).join(ctx.status_reports, on="project_id", how="left")
    hits = []
    for row in frame.sort("project_id").iter_rows(named=True):
        if row["reported_on"] is None:
            start = row["start"]
            if start is not None and (ctx.today - start).days > limit:
                hits.append(
                    Hit(
                        row["project_id"],
                        "",
                        f"no status report since the start on {start} "
                        f"(one is due every {limit} days)",
                    )
                )
            continue
        age = (ctx.today - row["reported_on"]).days
        if age > limit:
            hits.append(
                Hit(
                    row["project_id"],
                    "",
                    f"the latest status report is of {row['reported_on']}, "
                    f"{age} days old (at most {limit})",
                )
            )
    return hits


def check_variance(ctx: AuditContext, rule: Rule) -> list[Hit]:
    """Budget or schedule overrun beyond ``max_percent``.

    Budget: ``(actual_cost - budget x elapsed share of start..finish) / budget x 100``.
    Schedule: ``(forecast_finish of the latest status report - finish) / (finish - start) x 100``
    in days. Only overruns count (underspend and early finish do not).
    """
    measure, limit = rule.params["measure"], rule.params["max_percent"]
    projects = ctx.projects_in(rule.phases).join(ctx.status_reports, on="project_id", how="left")
    hits = []
    for row in projects.sort("project_id").iter_rows(named=True):
        start, finish = row["start"], row["finish"]
        if start is None or finish is None or finish <= start:
            continue
        duration = (finish - start).days
        if measure == "budget":
            if not row["budget"] or row["actual_cost"] is None:
                continue
            elapsed = min(max((ctx.today - start).days / duration, 0.0), 1.0)
            planned = row["budget"] * elapsed
            percent = (row["actual_cost"] - planned) / row["budget"] * 100
            detail = (
                f"actual cost {row['actual_cost']:,.0f} against {planned:,.0f} planned to "
                f"date ({elapsed:.0%} of {row['budget']:,.0f})"
            )
        else:
            if row["forecast_finish"] is None:
                continue
            percent = (row["forecast_finish"] - finish).days / duration * 100
            detail = f"forecast finish {row['forecast_finish']} against planned {finish}"
        if round(percent, 1) > limit:  # to 0.1 %, so 14/25 days is 56.0 %, not above 56
            hits.append(
                Hit(
                    row["project_id"],
                    measure,
                    f"{measure} overrun {percent:.1f} % (at most {limit:g} %): {detail}",
                )
            )
    return hits


def check_key_people(ctx: AuditContext, rule: Rule) -> list[Hit]:
    """Key people allocated above capacity in the ``weeks_ahead`` weeks from the audit's week.

    Key people of a project: its manager (the person whose name is the project's
    manager) and the ``top_people`` people with the most hours on it in those
    weeks. A week counts when allocated hours (all projects) exceed capacity by
    at least ``min_over_hours``.
    """
    from pmo_tui.domain.capacity import capacity_tables
    from pmo_tui.domain.horizon import monday

    first = monday(ctx.today)
    weeks_ahead = rule.params["weeks_ahead"]
    last = first + dt.timedelta(weeks=weeks_ahead - 1)
    tables = capacity_tables(ctx.db)
    in_window = (pl.col("week") >= first) & (pl.col("week") <= last)
    over = tables.utilisation.filter(
        in_window
        & ((pl.col("allocated_hours") - pl.col("capacity_hours")) >= rule.params["min_over_hours"])
    )
    people = pl.DataFrame(
        ctx.db.execute("SELECT id, name FROM person").fetchall(),
        schema={"person_id": pl.String, "name": pl.String},
        orient="row",
    )
    hits = []
    for project in ctx.projects_in(rule.phases).sort("project_id").iter_rows(named=True):
        key_people = _key_people(
            project, tables.allocations.filter(in_window), people, rule.params["top_people"]
        )
        for person_id, role in key_people:
            weeks = over.filter(pl.col("person_id") == person_id).sort("week")
            if weeks.is_empty():
                continue
            name = people.filter(pl.col("person_id") == person_id)["name"].to_list() or [person_id]
            worst = weeks.sort("over_hours", descending=True).row(0, named=True)
            hits.append(
                Hit(
                    project["project_id"],
                    person_id,
                    f"{name[0]} ({role}) is allocated above capacity in "
                    f"{weeks.height} of the {weeks_ahead} weeks from {first}; worst "
                    f"{worst['week']}: {worst['allocated_hours']:.1f} h against "
                    f"{worst['capacity_hours']:.1f} h",
                )
            )
    return hits


def _key_people(
    project: dict, allocations: pl.DataFrame, people: pl.DataFrame, top: int
) -> list[tuple[str, str]]:
    """``(person_id, role)`` of the project's manager and its ``top`` people by hours."""
    manager = (project["manager"] or "").strip().casefold()
    manager_ids = [
        person_id
        for person_id, name in people.sort("person_id").iter_rows()
        if manager and (name or "").strip().casefold() == manager
    ][:1]
    by_hours = (
        allocations.filter(pl.col("project_id") == project["project_id"])
        .group_by("person_id")
        .agg(pl.col("hours").sum())
        .sort(["hours", "person_id"], descending=[True, False])
    )
    others = [p for p in by_hours["person_id"].to_list() if p not in manager_ids][:top]
    return [(p, "manager") for p in manager_ids] + [
        (p, "most hours on the project") for p in others
    ]


def check_gates(ctx: AuditContext, rule: Rule) -> list[Hit]:
    """Gates passed while a criterion of the project's methodology version was not recorded met."""
    gates = (
        ctx.projects_in(rule.phases)
        .select("project_id")
        .join(ctx.gates, on="project_id")
        .join(ctx.methodology, on="project_id")
        .join(ctx.criteria, on=["standard_id", "version", "phase"])
        .join(ctx.gate_checks, on=["gate_id", "criterion_id"], how="left")
        .filter(pl.col("met").fill_null(0) != 1)
        .group_by("project_id", "phase", "passed_on")
        .agg(pl.col("criterion_id").sort())
        .sort("project_id", "passed_on")
    )
    return [
        Hit(
            row["project_id"],
            row["phase"],
            f"the {row['phase']} gate was passed on {row['passed_on']} without: "
            f"{', '.join(row['criterion_id'])}",
        )
        for row in gates.iter_rows(named=True)
    ]


def check_overdue_findings(ctx: AuditContext, rule: Rule) -> list[Hit]:
    """Open or in-progress findings more than ``grace_days`` past due (not overdue-findings)."""
    grace = rule.params["grace_days"]
    least = severity_rank(rule.params["min_severity"])
    audited = ctx.projects_in(rule.phases)["project_id"].to_list()
    overdue = ctx.findings.filter(
        pl.col("status").is_in(["open", "in_progress"])
        & pl.col("project_id").is_in(audited)
        & (pl.col("category") != "finding_overdue")
        & pl.col("due").is_not_null()
        & (pl.col("due") + pl.duration(days=grace) < ctx.today)
    ).sort("id")
    return [
        Hit(
            row["project_id"],
            f"finding {row['id']}",
            f"finding {row['id']} ({row['rule']}, {row['severity']}) was due {row['due']}: "
            f"{(ctx.today - row['due']).days} days overdue, still {row['status']}",
        )
        for row in overdue.iter_rows(named=True)
        if severity_rank(row["severity"]) <= least
    ]


#: Rule kind -> its check.
CHECKS: dict[str, Callable[[AuditContext, Rule], list[Hit]]] = {
    "artefact_missing_or_stale": check_artefacts,
    "status_report_age": check_status_report_age,
    "variance": check_variance,
    "key_people_over_capacity": check_key_people,
    "gate_without_criteria": check_gates,
    "finding_overdue": check_overdue_findings,
}
