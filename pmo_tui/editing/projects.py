"""Editing projects and their demand: add, edit, remove a project; add, edit, remove a demand.

Values are text as typed, checked as ``projects.csv`` and ``demands.csv`` are.
A project's phase changes only through :func:`change_project_phase`, the one
place where a stage-gate rule belongs. Each function is one write transaction
with a change-log entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pmo_tui.editing.fields import checked_record, require_known
from pmo_tui.editing.records import (
    Removal,
    read_record,
    refuse_taken,
    removal_of,
    remove_rows,
    stored_row,
)
from pmo_tui.errors import UserError
from pmo_tui.store.change_log import log_change
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.reads import Readable

__all__ = [
    "add_demand",
    "add_project",
    "change_project_phase",
    "demand_removal",
    "edit_demand",
    "edit_project",
    "project_changes",
    "project_removal",
    "remove_demand",
    "remove_project",
]

#: A new project's values when not given (the store's defaults).
PROJECT_DEFAULTS = {"phase": "initiation", "priority": "3", "rag": "green", "may_shift_weeks": "0"}
#: Demand columns that live in ``demand_week`` (a week range and its hours).
WEEK_COLUMNS = ("start_week", "end_week", "hours_per_week")


def change_project_phase(
    db: sqlite_utils.Database,
    project_id: str,
    phase: str,
    *,
    force: bool = False,
    reason: str | None = None,
) -> list[str]:
    """Set project ``project_id``'s phase, inside the caller's write transaction.

    The one function through which an edit changes a phase (``project edit --phase``,
    the TUI): the stage-gate rule of :func:`pmo_tui.portfolio_health.gates.change_phase`
    applies (no next phase without an approved gate, unless ``force`` with a
    ``reason``, logged as an override).

    Returns:
        The gates overridden (empty when every gate was approved).

    Raises:
        GateRefused: a gate not approved (without ``force``).
        UserError: unknown project; a forced change without a reason.
    """
    from pmo_tui.portfolio_health.gates import change_phase

    require_known(db, "project", project_id, "PROJECT")
    return change_phase(db, project_id, phase, force=force, reason=reason)


def _check_parents(db: Readable, record: Mapping[str, Any]) -> None:
    require_known(db, "program", record.get("program_id"), "--program-id")
    require_known(db, "portfolio", record.get("portfolio_id"), "--portfolio-id")


def add_project(db: sqlite_utils.Database, values: Mapping[str, str | None]) -> dict[str, Any]:
    """Add one project (``id``, ``name``, ``start``, ``finish`` and a ``portfolio_id`` or
    ``program_id`` required; phase initiation, priority 3, RAG green unless given).

    Raises:
        UserErrors: a bad or missing value; UserError: the id is taken, or an unknown
            program or portfolio (with "did you mean").
    """
    record = checked_record("projects", {**PROJECT_DEFAULTS, **values})
    with write_transaction(db, "project add"):
        refuse_taken(db, "project", record["id"], "project edit")
        _check_parents(db, record)
        row = stored_row(record, "project")
        db.table("project").insert(row)
        log_change(db, "project", "add", reason=f"project add {record['id']}", after=row)
    return row


def project_changes(
    db: Readable, project_id: str, changes: Mapping[str, str | None]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The project row before and after ``changes`` (text as typed), checked as
    :func:`edit_project` checks them, without writing: what a front end shows to confirm.

    Returns:
        ``(before, after)``: the ``project`` row as SQLite stores it (dates as ISO text),
        now and with the changes.

    Raises:
        UserError: unknown project, program or portfolio; UserErrors: a bad value (e.g.
            finish before start).
    """
    stored = read_record(db, "project", {"id": project_id}, label="project")
    record = checked_record("projects", changes, stored=stored)
    _check_parents(db, record)
    return stored_row(stored, "project"), stored_row(record, "project")


def edit_project(
    db: sqlite_utils.Database,
    project_id: str,
    changes: Mapping[str, str | None],
    *,
    force_phase: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """Change some of a project's values: phase, priority, dates, manager, RAG status,
    may_shift_weeks...; the phase through :func:`change_project_phase` (``force_phase``
    and ``reason`` override the stage-gate rule).

    Returns:
        The record as stored now.

    Raises:
        GateRefused: a new phase whose gate is not approved (without ``force_phase``).
        UserError: unknown project; UserErrors: a bad value (e.g. finish before start).
    """
    with write_transaction(db, "project edit"):
        before, after = project_changes(db, project_id, changes)
        if after["phase"] != before["phase"]:
            change_project_phase(db, project_id, after["phase"], force=force_phase, reason=reason)
        db.table("project").update(project_id, {k: v for k, v in after.items() if k != "phase"})
        log_change(
            db, "project", "edit", reason=f"project edit {project_id}", before=before, after=after
        )
    return after


def project_removal(db: Readable, project_id: str) -> Removal:
    """What removing ``project_id`` takes with it (demand, allocations, audits, ...)."""
    return removal_of(db, "project", {"id": project_id}, label=f"project {project_id}")


def remove_project(db: sqlite_utils.Database, removal: Removal) -> Removal:
    """Remove the project of ``removal`` (from :func:`project_removal`) and what goes with it."""
    return remove_rows(db, removal, command="project remove", entity="project")


def _weeks(first: dt.date, last: dt.date) -> list[str]:
    """The Mondays from ``first`` to ``last`` inclusive, as ISO text."""
    count = (last - first).days // 7 + 1
    return [(first + dt.timedelta(weeks=n)).isoformat() for n in range(count)]


def add_demand(db: sqlite_utils.Database, values: Mapping[str, str | None]) -> dict[str, Any]:
    """Add one demand (resource request): ``id``, ``project_id``, ``skill_id``, ``min_level``,
    ``start_week``..``end_week`` (Mondays) at ``hours_per_week``.

    Returns:
        The demand row as stored, plus ``weeks`` (how many demand weeks were written).

    Raises:
        UserErrors: a bad or missing value; UserError: the id is taken, or an unknown
            project or skill (with "did you mean").
    """
    record = checked_record("demands", values)
    with write_transaction(db, "demand add"):
        refuse_taken(db, "demand", record["id"], "demand edit")
        require_known(db, "project", record["project_id"], "--project-id")
        require_known(db, "skill", record["skill_id"], "--skill-id")
        row = stored_row(record, "demand")
        db.table("demand").insert(row)
        weeks = _write_weeks(db, record)
        log_change(db, "demand", "add", reason=f"demand add {record['id']}", after=row)
    return {**row, "weeks": weeks}


def _write_weeks(db: sqlite_utils.Database, record: Mapping[str, Any]) -> int:
    """Set the demand's hours in ``start_week``..``end_week`` (other weeks are kept)."""
    weeks = _weeks(record["start_week"], record["end_week"])
    db.conn.executemany(
        "INSERT INTO demand_week (demand_id, week, hours) VALUES (?, ?, ?) "
        "ON CONFLICT (demand_id, week) DO UPDATE SET hours = excluded.hours",
        [(record["id"], week, record["hours_per_week"]) for week in weeks],
    )
    return len(weeks)


def edit_demand(
    db: sqlite_utils.Database, demand_id: str, changes: Mapping[str, str | None]
) -> dict[str, Any]:
    """Change a demand's skill, minimum level or description, and/or set its hours in a
    week range (``start_week``, ``end_week`` and ``hours_per_week`` together; other weeks
    keep theirs; 0 hours stops the demand in those weeks).

    Raises:
        UserError: unknown demand or skill; UserErrors: a bad value, or a week range
            given in part.
    """
    given_weeks = [column for column in WEEK_COLUMNS if column in changes]
    if given_weeks and len(given_weeks) < len(WEEK_COLUMNS):
        missing = [f"--{c.replace('_', '-')}" for c in WEEK_COLUMNS if c not in changes]
        raise UserError(
            "a week range needs --start-week, --end-week and --hours-per-week together",
            option=missing[0],
            fix=f"pass {', '.join(missing)} too",
        )
    with write_transaction(db, "demand edit"):
        stored = read_record(db, "demand", {"id": demand_id}, label="demand")
        base = {**stored, **{column: None for column in WEEK_COLUMNS}}
        record = checked_record("demands", changes, stored=base)
        require_known(db, "skill", record["skill_id"], "--skill-id")
        before, after = stored_row(stored, "demand"), stored_row(record, "demand")
        db.table("demand").update(demand_id, after)
        weeks = _write_weeks(db, record) if given_weeks else 0
        log_change(
            db,
            "demand",
            "edit",
            reason=f"demand edit {demand_id}",
            before=before,
            after={**after, "weeks_set": weeks},
        )
    return {**after, "weeks": weeks}


def demand_removal(db: Readable, demand_id: str) -> Removal:
    """What removing demand ``demand_id`` takes with it (its weeks and allocations)."""
    return removal_of(db, "demand", {"id": demand_id}, label=f"demand {demand_id}")


def remove_demand(db: sqlite_utils.Database, removal: Removal) -> Removal:
    """Remove the demand of ``removal`` (from :func:`demand_removal`) and what goes with it."""
    return remove_rows(db, removal, command="demand remove", entity="demand")
