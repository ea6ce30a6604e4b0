"""Status reports: dated snapshots per project, added and listed, never overwritten.

A status report records, for one project on one date, the RAG of each
dimension (schedule, cost, scope, resources, risk) and overall, a summary, the
key risks, the decisions needed, and optionally the forecast finish, percent
complete and actual cost to date (earned value reads them). The store refuses
any update of a report (a trigger) and a second report for the same project
and date; a correction is a new report on a later date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.errors import UserError
from pmo_tui.governance.frames import check_project
from pmo_tui.portfolio_health.rag import RAG_ORDER
from pmo_tui.store.change_log import current_user, log_change
from pmo_tui.store.reads import read_table
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.reads import Readable


@dataclass(frozen=True)
class StatusReport:
    """One status report as entered (RAG values: green, amber, red; None = not given).

    ``cost`` is stored in the column ``budget`` of ``status_report``.
    """

    project_id: str
    reported_on: dt.date
    overall: str
    schedule: str | None = None
    cost: str | None = None
    scope: str | None = None
    resources: str | None = None
    risk: str | None = None
    summary: str | None = None
    key_risks: str | None = None
    decisions_needed: str | None = None
    forecast_finish: dt.date | None = None
    percent_complete: float | None = None
    actual_cost: float | None = None


def add_status_report(db: sqlite_utils.Database, report: StatusReport) -> int:
    """Store ``report`` (one transaction, with a change-log row) and return its id.

    Raises:
        UserError: unknown project, a RAG value that is not green/amber/red, percent
            complete outside 0-100, negative actual cost, or a report for this project
            and date already exists (reports are never overwritten).
    """
    check_project(db, report.project_id, option="PROJECT")
    _check(report)
    record = asdict(report)
    record["budget"] = record.pop("cost")
    record["created_by"] = current_user()
    record = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in record.items()}
    day = report.reported_on.isoformat()
    with write_transaction(db, "status add"):
        if db.execute(
            "SELECT 1 FROM status_report WHERE project_id = ? AND reported_on = ?",
            [report.project_id, day],
        ).fetchone():
            raise UserError(
                f"project {report.project_id} already has a status report dated {day}; "
                "status reports are never overwritten",
                option="--date",
                fix="report on another date (a correction is a new report)",
            )
        report_id = int(db.table("status_report").insert(record).last_pk or 0)
        log_change(db, "status_report", "add", reason="status add", after=record)
    return report_id


def _check(report: StatusReport) -> None:
    for name in ("overall", "schedule", "cost", "scope", "resources", "risk"):
        value = getattr(report, name)
        if value is not None and value not in RAG_ORDER:
            raise UserError(
                f"{name} {value!r} is not a RAG status",
                option=f"--{name}",
                fix="use green, amber or red",
            )
    if report.percent_complete is not None and not 0 <= report.percent_complete <= 100:
        raise UserError(
            "percent complete must be between 0 and 100", option="--percent-complete", fix="e.g. 45"
        )
    if report.actual_cost is not None and report.actual_cost < 0:
        raise UserError("actual cost cannot be negative", option="--actual-cost", fix="e.g. 125000")


def status_history(db: Readable, project_id: str) -> pl.DataFrame:
    """Every status report of ``project_id``, newest first.

    Returns:
        ``reported_on (Date), overall, schedule, cost, scope, resources, risk (String),
        forecast_finish (Date), percent_complete, actual_cost (Float64), summary,
        key_risks, decisions_needed, created_by (String)``.

    Raises:
        UserError: unknown project.
    """
    check_project(db, project_id, option="PROJECT")
    reports = read_table(db, "status_report").filter(pl.col("project_id") == project_id)
    return reports.sort("reported_on", descending=True).select(
        "reported_on",
        "overall",
        "schedule",
        pl.col("budget").alias("cost"),
        "scope",
        "resources",
        "risk",
        "forecast_finish",
        "percent_complete",
        "actual_cost",
        "summary",
        "key_risks",
        "decisions_needed",
        "created_by",
    )
