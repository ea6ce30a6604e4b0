"""The planning service: store -> solver inputs -> plan -> (optionally) the store again.

``pmo-tui plan --headless`` and the plan screen both call :func:`run_plan` and
:func:`apply_outcome`; nothing is computed twice. The inputs are derived by
:mod:`pmo_tui.planning.inputs` (the rules are there); the solver itself lives in
the ``solver`` package and never sees the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from pmo_tui.domain.horizon import Window
from pmo_tui.errors import UserError
from pmo_tui.planning.hiring import hiring_advice
from pmo_tui.planning.inputs import PLAN_INPUT_TABLES, plan_inputs, read_plan_data, shift_project
from pmo_tui.store.change_log import log_change
from pmo_tui.store.marks import DataMark, mark_tables, read_snapshot, refuse_if_changed
from pmo_tui.store.reads import read_table
from pmo_tui.store.tables import stored_records
from pmo_tui.store.transactions import write_transaction
from solver.policy import Policy
from solver.status import STATUS_INFEASIBLE
from solver.types import (
    PlanInput,
    PlanResult,
    Progress,
)

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.reads import Readable


@dataclass
class PlanOutcome:
    """A solved plan with what the front ends need to show and apply it."""

    result: PlanResult
    inputs: PlanInput
    people: pl.DataFrame  # person_id, name
    projects: pl.DataFrame  # project_id, name, priority
    inputs_mark: DataMark
    notes: list[str] = field(default_factory=list)
    #: The weeks planned (from the current week on); None: every week of the data.
    window: Window | None = None
    #: The bottlenecks per skill and quarter (:func:`pmo_tui.planning.hiring.hiring_advice`,
    #: estimates only); None for an infeasible plan.
    hiring: pl.DataFrame | None = None

    def unmet_by_project_and_skill(self) -> pl.DataFrame:
        """``project_id, skill_id, unmet_hours`` summed over weeks, largest first."""
        return (
            self.result.unmet.group_by("project_id", "skill_id")
            .agg(pl.col("unmet_hours").sum().round(1))
            .sort(
                ["unmet_hours", "project_id", "skill_id"],
                descending=[True, False, False],
                nulls_last=True,
            )
        )


def mark_plan_inputs(db: Readable) -> DataMark:
    """The mark of every table a plan is computed from (:data:`PLAN_INPUT_TABLES`)."""
    return mark_tables(db, PLAN_INPUT_TABLES)


def run_plan(
    db: Readable,
    policy: Policy | None = None,
    *,
    window: Window | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> PlanOutcome:
    """Read the store, solve, and return the outcome (nothing is written).

    ``window``: the weeks to plan; weeks before its current week are history and are
    never planned (:func:`pmo_tui.planning.inputs.derive_plan_input`). None plans
    every week of the data.
    """
    from solver import solve_plan

    policy = policy or Policy()
    future = window.future() if window is not None else None
    with read_snapshot(db):
        mark = mark_plan_inputs(db)
        inputs = plan_inputs(db, future)
        people = read_table(db, "person", ["id", "name"]).rename({"id": "person_id"})
        projects = read_table(db, "project", ["id", "name", "priority"])
    result = solve_plan(inputs, policy, on_progress=on_progress, cancel=cancel)
    feasible = result.status != STATUS_INFEASIBLE
    return PlanOutcome(
        result=result,
        inputs=inputs,
        people=people,
        projects=projects.rename({"id": "project_id"}),
        inputs_mark=mark,
        window=future,
        hiring=hiring_advice(inputs, result, policy) if feasible else None,
    )


def apply_outcome(
    db: sqlite_utils.Database, outcome: PlanOutcome, *, reason: str = "apply plan"
) -> int | None:
    """Replace the movable allocations with the plan's, in one transaction, and log it.

    Movable allocations are those on a demand, neither pinned nor hard, in the weeks
    the plan covers (``outcome.window``: never a week before the current one); pinned,
    hard and fixed-load rows, and every row outside those weeks, stay as they are. Projects the plan starts later
    (``result.shifts``) have their demand weeks, start and finish moved too, and
    their ``may_shift_weeks`` reduced by the shift (an allowance is used up once).

    A plan that changes nothing (its movable allocations are those stored, no project
    starts later) writes nothing: no change set that would only clutter the history
    and block undoing the change sets before it.

    Returns:
        The number of allocation rows written; None when the plan changes nothing.

    Raises:
        UserError: the plan is infeasible.
        StaleData: any input of the plan (allocations, demand, people, calendars, leave,
            availability, skills, certifications, projects, dependencies) changed since
            it was computed; the message names the tables and change sets: re-run the plan.
        DatabaseBusy, RoleRefused: see :func:`~pmo_tui.store.transactions.write_transaction`.
    """
    if outcome.result.status == STATUS_INFEASIBLE:
        raise UserError(
            "an infeasible plan cannot be applied", fix="resolve the conflicts listed first"
        )
    movable_sql = "demand_id IS NOT NULL AND pinned = 0 AND kind = 'soft'" + _weeks_sql(
        outcome.window
    )
    new_rows = outcome.result.plan.filter(pl.col("demand_id").is_not_null() & ~pl.col("pinned"))
    records = new_rows.select(
        "person_id",
        "project_id",
        "demand_id",
        pl.col("week").dt.to_string("%Y-%m-%d"),
        pl.col("hours").round(1),
        pl.lit("soft").alias("kind"),
        pl.lit(0).alias("pinned"),
    ).to_dicts()
    changes = _booking_changes(db, movable_sql, records)
    if outcome.result.shifts.is_empty() and not changes.rows:
        refuse_if_changed(
            db, outcome.inputs_mark, what="this plan", fix="run the plan again on the current data"
        )
        return None
    with write_transaction(db, "plan --apply", needs="planner", reason=reason):
        refuse_if_changed(
            db, outcome.inputs_mark, what="this plan", fix="run the plan again on the current data"
        )
        shifted = _shift_projects(db, outcome.result.shifts)
        # ``changes`` hold: the allocations are as the plan read them (just checked), and a
        # shift moves no allocation
        written = _write_bookings(db, changes)
        log_change(
            db,
            "allocation",
            "apply plan",
            reason=reason,
            after={
                "rows": written,
                "objective": outcome.result.objective,
                "status": outcome.result.status,
                "projects_shifted": shifted,
            },
        )
    return written


def applied_text(rows: int | None, change_set: int | None = None, *, tui: bool = False) -> str:
    """What :func:`apply_outcome` did, in words (the CLI and the plan screen say the same),
    naming the ``change_set`` it wrote and where to see or undo it (the CLI's ``log`` and
    ``undo``; with ``tui``, the History screen, as the TUI's edits say)."""
    if rows is None:
        return "nothing to apply: the allocations already are this plan (nothing written)"
    if change_set is None:
        return f"applied: {rows} allocation rows written (see the change log)"
    where = (
        "7 History lists it; u there undoes it"
        if tui
        else f"`pmo-tui log {change_set}` lists them, `pmo-tui undo {change_set}` reverts them"
    )
    return f"applied: {rows} allocation rows written as change set {change_set} ({where})"


BOOKING_KEY = ("person_id", "project_id", "demand_id", "week")


@dataclass
class BookingChanges:
    """What makes the movable allocations stored equal a plan's bookings: row ids to
    delete, (hours, row id) to update in place, records to insert."""

    drop: list[int] = field(default_factory=list)
    change: list[tuple[float, int]] = field(default_factory=list)
    new: list[dict] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """How many allocation rows the changes delete, update or insert."""
        return len(self.drop) + len(self.change) + len(self.new)


def _booking_changes(db: Readable, movable_sql: str, records: list[dict]) -> BookingChanges:
    """Compare the movable allocations stored (``movable_sql``) with ``records`` (one per
    person, project, demand and week, hours to 0.1 h): a booking the plan keeps with other
    hours is updated in place (its id stays), one it drops (or a second row of one key) is
    deleted, a new one inserted. So the change set holds the plan's changes, not every
    booking, and undo or a later change set conflicts only where the plan changed
    something; no changes means the plan is what is stored."""
    planned = {tuple(r[f] for f in BOOKING_KEY): r for r in records}
    stored = db.execute(
        f"SELECT id, {', '.join(BOOKING_KEY)}, hours FROM allocation WHERE {movable_sql} "
        "ORDER BY id"
    ).fetchall()
    kept: set[tuple] = set()
    changes = BookingChanges()
    for row_id, *key_fields, hours in stored:
        key = tuple(key_fields)
        if key not in planned or key in kept:
            changes.drop.append(row_id)
            continue
        kept.add(key)
        if round(hours, 1) != round(planned[key]["hours"], 1):
            changes.change.append((planned[key]["hours"], row_id))
    changes.new = [record for key, record in planned.items() if key not in kept]
    return changes


def _write_bookings(db: sqlite_utils.Database, changes: BookingChanges) -> int:
    """Write ``changes`` (inside the caller's transaction); the number of rows written."""
    for row_id in changes.drop:
        db.execute("DELETE FROM allocation WHERE id = ?", [row_id])
    for hours, row_id in changes.change:
        db.execute("UPDATE allocation SET hours = ? WHERE id = ?", [hours, row_id])
    if changes.new:
        db.table("allocation").insert_all(changes.new)
    return changes.rows


def _weeks_sql(window: Window | None) -> str:
    """The SQL condition (``AND ...``) for the weeks of ``window`` (ISO text compares as dates)."""
    if window is None:
        return ""
    condition = f" AND week >= '{window.first.isoformat()}'"
    if window.last is not None:
        condition += f" AND week <= '{window.last.isoformat()}'"
    return condition


def _shift_projects(db: sqlite_utils.Database, shifts: pl.DataFrame) -> list[dict[str, Any]]:
    """Move each project in ``shifts`` by its ``shift_weeks`` (:func:`shift_project`: demand
    weeks, start and finish; the allowance used up), inside the caller's transaction.

    Returns:
        The shifts as records ``{"project_id", "shift_weeks"}``.
    """
    if shifts.is_empty():
        return []
    tables = read_plan_data(db).tables
    done = []
    for project_id, weeks in shifts.select("project_id", "shift_weeks").iter_rows():
        tables = shift_project(
            tables, project_id, int(weeks), move_allocations=False, use_allowance=True
        )
        done.append({"project_id": project_id, "shift_weeks": int(weeks)})
    shifted = [row["project_id"] for row in done]
    demands = tables["demand"].filter(pl.col("project_id").is_in(shifted))["id"].to_list()
    weeks_of_demands = tables["demand_week"].filter(pl.col("demand_id").is_in(demands))
    db.conn.executemany("DELETE FROM demand_week WHERE demand_id = ?", [(d,) for d in demands])
    db.table("demand_week").insert_all(stored_records(weeks_of_demands))
    projects = tables["project"].filter(pl.col("id").is_in(shifted))
    for row in stored_records(projects.select("id", "start", "finish", "may_shift_weeks")):
        db.table("project").update(row.pop("id"), row)
    return done
