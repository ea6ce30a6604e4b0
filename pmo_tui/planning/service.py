"""The planning service: store -> solver inputs -> plan -> (optionally) the store again.

``pmo-tui plan --headless`` and the plan screen both call :func:`run_plan` and
:func:`apply_outcome`; nothing is computed twice. The solver itself lives in
the ``solver`` package and never sees the database.

Rules (v1): a project's priority 1-5 (1 = highest) becomes the weight
``6 - priority`` of its covered hours; hard bookings are treated like pinned
allocations (they never move); allocations outside any demand are fixed load.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.domain.capacity import capacity_tables
from pmo_tui.errors import UserError
from pmo_tui.governance.training import skills_with_certifications
from pmo_tui.store.change_log import log_change
from pmo_tui.store.reads import read_table
from solver import PlanInput, PlanResult, Policy, Progress

if TYPE_CHECKING:
    import sqlite_utils


@dataclass
class PlanOutcome:
    """A solved plan with what the front ends need to show and apply it."""

    result: PlanResult
    inputs: PlanInput
    people: pl.DataFrame  # person_id, name
    projects: pl.DataFrame  # project_id, name, priority
    allocation_fingerprint: str
    notes: list[str] = field(default_factory=list)

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


def allocation_fingerprint(db: sqlite_utils.Database) -> str:
    """A hash of every allocation row: it changes when anybody writes allocations."""
    digest = hashlib.sha256()
    for row in db.execute(
        "SELECT id, person_id, project_id, demand_id, week, hours, kind, pinned "
        "FROM allocation ORDER BY id"
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def solver_projects(projects: pl.DataFrame) -> pl.DataFrame:
    """The solver's ``projects`` frame from project rows (``id, priority, may_shift_weeks``):
    ``project_id, priority_weight (6 - priority: priority 1 weighs 5), may_shift_weeks``."""
    return projects.select(
        pl.col("id").alias("project_id"),
        (6 - pl.col("priority")).cast(pl.Float64).alias("priority_weight"),
        "may_shift_weeks",
    )


def solver_current(allocations: pl.DataFrame) -> pl.DataFrame:
    """The solver's ``current`` frame from allocation rows: a hard booking counts as pinned."""
    return allocations.select(
        "person_id",
        "project_id",
        "demand_id",
        "week",
        "hours",
        (pl.col("pinned") | (pl.col("kind") == "hard")).alias("pinned"),
    )


def plan_inputs(db: sqlite_utils.Database) -> PlanInput:
    """The solver's input frames (docs/data-model.md, "Frames") read from the store.

    Besides the five required frames: people's own ``max_concurrent_projects``, skills'
    ``valid_until``, projects' ``may_shift_weeks`` and the cross-project dependencies.
    """
    allowances = read_table(db, "project", ["may_shift_weeks"])["may_shift_weeks"]
    tables = capacity_tables(db, extra_weeks=int(allowances.max() or 0))
    projects = solver_projects(read_table(db, "project", ["id", "priority", "may_shift_weeks"]))
    current = solver_current(tables.allocations)
    return PlanInput(
        capacity=tables.capacity,
        skills=skills_with_certifications(db),
        demand=tables.demand,
        projects=projects,
        current=current,
        people=read_table(db, "person", ["id", "max_concurrent_projects"]).rename(
            {"id": "person_id"}
        ),
        dependencies=read_table(
            db, "dependency", ["from_project_id", "to_project_id", "lag_weeks"]
        ),
    )


def run_plan(
    db: sqlite_utils.Database,
    policy: Policy | None = None,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> PlanOutcome:
    """Read the store, solve, and return the outcome (nothing is written)."""
    from solver import solve_plan

    fingerprint = allocation_fingerprint(db)
    inputs = plan_inputs(db)
    result = solve_plan(inputs, policy or Policy(), on_progress=on_progress, cancel=cancel)
    return PlanOutcome(
        result=result,
        inputs=inputs,
        people=read_table(db, "person", ["id", "name"]).rename({"id": "person_id"}),
        projects=read_table(db, "project", ["id", "name", "priority"]).rename({"id": "project_id"}),
        allocation_fingerprint=fingerprint,
    )


def apply_outcome(
    db: sqlite_utils.Database, outcome: PlanOutcome, *, reason: str = "apply plan"
) -> int:
    """Replace the movable allocations with the plan's, in one transaction, and log it.

    Movable allocations are those on a demand, neither pinned nor hard; pinned,
    hard and fixed-load rows stay as they are. Projects the plan starts later
    (``result.shifts``) have their demand weeks, start and finish moved too, and
    their ``may_shift_weeks`` reduced by the shift (an allowance is used up once).

    Returns:
        The number of allocation rows written.

    Raises:
        UserError: the plan is infeasible, or the allocations changed since the
            plan was computed (another user or process wrote them): re-run the plan.
    """
    if outcome.result.status == "INFEASIBLE":
        raise UserError(
            "an infeasible plan cannot be applied", fix="resolve the conflicts listed first"
        )
    movable_sql = "demand_id IS NOT NULL AND pinned = 0 AND kind = 'soft'"
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
    with db.atomic():
        if allocation_fingerprint(db) != outcome.allocation_fingerprint:
            raise UserError(
                "the allocations changed since this plan was computed (another user or process "
                "wrote them); nothing was written",
                fix="run the plan again on the current data",
            )
        shifted = _shift_projects(db, outcome.result.shifts)
        before = [dict(r) for r in db.query(f"SELECT * FROM allocation WHERE {movable_sql}")]
        db.execute(f"DELETE FROM allocation WHERE {movable_sql}")
        if records:
            db["allocation"].insert_all(records)
        log_change(
            db,
            "allocation",
            "apply plan",
            reason=reason,
            before=before,
            after={
                "rows": records,
                "objective": outcome.result.objective,
                "status": outcome.result.status,
                "projects_shifted": shifted,
            },
        )
    return len(records)


def _shift_projects(db: sqlite_utils.Database, shifts: pl.DataFrame) -> list[dict]:
    """Move the demand weeks, start and finish of each project in ``shifts`` by its
    ``shift_weeks`` (inside the caller's transaction); the shifts as records."""
    done = []
    for project_id, weeks in shifts.select("project_id", "shift_weeks").iter_rows():
        days = f"{7 * int(weeks):+d} days"
        rows = db.execute(
            "SELECT demand_id, week, hours FROM demand_week WHERE demand_id IN "
            "(SELECT id FROM demand WHERE project_id = ?)",
            [project_id],
        ).fetchall()
        db.execute(
            "DELETE FROM demand_week WHERE demand_id IN (SELECT id FROM demand WHERE project_id = ?)",
            [project_id],
        )
        db.conn.executemany(
            "INSERT INTO demand_week (demand_id, week, hours) VALUES (?, date(?, ?), ?)",
            [(demand_id, week, days, hours) for demand_id, week, hours in rows],
        )
        # the allowance is consumed: a later plan may only move what is left of it
        db.execute(
            "UPDATE project SET start = date(start, ?), finish = date(finish, ?), "
            "may_shift_weeks = max(0, may_shift_weeks - ?) WHERE id = ?",
            [days, days, int(weeks), project_id],
        )
        done.append({"project_id": project_id, "shift_weeks": int(weeks)})
    return done
