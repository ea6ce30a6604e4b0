"""What an audit looks at, read once: projects, lineage, artefacts, reports, gates, findings, load.

Everything is "as of" the audit date ``today``: artefacts, status reports and
gates dated after it are ignored, so an audit with ``--today`` in the past sees
what an audit on that day saw, and a CI run is reproducible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.governance.frames import iso
from pmo_tui.governance.lineage import project_methodologies, required_artefacts
from pmo_tui.store.reads import query_frame

PROJECT_SCHEMA: SchemaDict = {
    "project_id": pl.String,
    "name": pl.String,
    "manager": pl.String,
    "phase": pl.String,
    "start": pl.Date,
    "finish": pl.Date,
    "budget": pl.Float64,
    "actual_cost": pl.Float64,
}


@dataclass
class AuditContext:
    """The frames the checks read (dates ``pl.Date``, hours ``Float64``).

    Attributes:
        today: the audit date.
        projects: :data:`PROJECT_SCHEMA`, only the projects audited.
        methodology: ``project_id, standard_id, version, recorded``.
        requirements: ``standard_id, version, phase, template_id, max_age_days``.
        artefacts: ``project_id, template_id, updated_on`` (latest per pair, up to today).
        status_reports: ``project_id, reported_on, forecast_finish`` (latest per project).
        gates: ``gate_id, project_id, phase, passed_on`` (passed up to today).
        gate_checks: ``gate_id, criterion_id, met``.
        criteria: ``standard_id, version, phase, criterion_id, description``.
        findings: ``id, project_id, rule, category, severity, due, status``.
        db: the connection, for the capacity tables (read only when a rule needs them).
    """

    today: dt.date
    projects: pl.DataFrame
    methodology: pl.DataFrame
    requirements: pl.DataFrame
    artefacts: pl.DataFrame
    status_reports: pl.DataFrame
    gates: pl.DataFrame
    gate_checks: pl.DataFrame
    criteria: pl.DataFrame
    findings: pl.DataFrame
    db: Any

    @classmethod
    def read(cls, db: Any, today: dt.date, project_ids: list[str] | None = None) -> AuditContext:
        """Read everything from ``db`` as of ``today`` (all projects when ``project_ids`` is None)."""
        day = iso(today)
        projects = query_frame(
            db,
            "SELECT id, name, manager, phase, start, finish, budget, actual_cost FROM project",
            PROJECT_SCHEMA,
        )
        if project_ids is not None:
            projects = projects.filter(pl.col("project_id").is_in(project_ids))
        return cls(
            today=today,
            projects=projects.sort("project_id"),
            methodology=project_methodologies(db),
            requirements=required_artefacts(db),
            artefacts=_latest_artefacts(db, day),
            status_reports=_latest_status_reports(db, day),
            gates=query_frame(
                db,
                "SELECT id, project_id, phase, passed_on FROM gate WHERE passed_on <= ?",
                {
                    "gate_id": pl.Int64,
                    "project_id": pl.String,
                    "phase": pl.String,
                    "passed_on": pl.Date,
                },
                [day],
            ),
            gate_checks=query_frame(
                db,
                "SELECT gate_id, criterion_id, met FROM gate_check",
                {"gate_id": pl.Int64, "criterion_id": pl.String, "met": pl.Int64},
            ),
            criteria=query_frame(
                db,
                "SELECT standard_id, version, phase, criterion_id, description FROM gate_criterion",
                {
                    "standard_id": pl.String,
                    "version": pl.String,
                    "phase": pl.String,
                    "criterion_id": pl.String,
                    "description": pl.String,
                },
            ),
            findings=query_frame(
                db,
                "SELECT id, project_id, rule, category, severity, due, status FROM finding",
                {
                    "id": pl.Int64,
                    "project_id": pl.String,
                    "rule": pl.String,
                    "category": pl.String,
                    "severity": pl.String,
                    "due": pl.Date,
                    "status": pl.String,
                },
            ),
            db=db,
        )

    def projects_in(self, phases: tuple[str, ...]) -> pl.DataFrame:
        """The audited projects whose phase is one of ``phases``."""
        return self.projects.filter(pl.col("phase").is_in(list(phases)))


def _latest_artefacts(db: Any, day: str | None) -> pl.DataFrame:
    return query_frame(
        db,
        "SELECT project_id, template_id, max(updated_on) FROM artefact "
        "WHERE updated_on <= ? GROUP BY project_id, template_id",
        {"project_id": pl.String, "template_id": pl.String, "updated_on": pl.Date},
        [day],
    )


def _latest_status_reports(db: Any, day: str | None) -> pl.DataFrame:
    return query_frame(
        db,
        "SELECT r.project_id, r.reported_on, r.forecast_finish FROM status_report r "
        "WHERE r.reported_on = (SELECT max(reported_on) FROM status_report s "
        "WHERE s.project_id = r.project_id AND s.reported_on <= ?)",
        {"project_id": pl.String, "reported_on": pl.Date, "forecast_finish": pl.Date},
        [day],
    )
