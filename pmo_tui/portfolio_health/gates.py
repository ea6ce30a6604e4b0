"""Stage gates: decisions at each phase end, and the phase-change rule.

* A **gate** closes a phase (initiation, planning, execution, closing). Its
  criteria are those of the project's methodology version (issue 5's library,
  ``gate_criterion``). A decision is approved, approved with conditions (the
  conditions are required), rejected or deferred, with who decided and when;
  every decision is kept (``gate_decision``). An approval also records the
  passed gate (``gate``, with each criterion met or not in ``gate_check``) that
  audits read; a gate is approved once.
* **Phase-change rule** (:func:`change_phase`, the one function every front end
  calls): a project moves to a later phase only when the gate of every phase it
  leaves is approved. ``force=True`` overrides the rule; it needs a reason and
  is logged in the change log as ``phase_override`` with the gates missing.
  Moving back to an earlier phase needs no gate.
* **Planned gate dates** (for "gates coming up" and overdue milestones): the
  gate of a phase is planned at a fixed share of the project's duration from its
  start - initiation 10 %, planning 25 %, execution 90 %, closing 100 %
  (:data:`GATE_SHARE`), in whole days rounded down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.domain.phases import gates_missing, gates_phrase
from pmo_tui.errors import OverridableError, UserError
from pmo_tui.governance.frames import check_project
from pmo_tui.store.change_log import log_change
from pmo_tui.store.reads import one_row
from pmo_tui.store.schema_governance import PHASES
from pmo_tui.store.schema_reporting import GATE_DECISIONS
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.reads import Readable

DECISIONS = GATE_DECISIONS
APPROVALS = GATE_DECISIONS[:2]
#: Phase -> share of the project's duration at which its gate is planned.
GATE_SHARE = {"initiation": 0.10, "planning": 0.25, "execution": 0.90, "closing": 1.0}


@dataclass(frozen=True)
class GateDecision:
    """A decision on the gate that closes ``phase`` (default: the project's current phase)."""

    project_id: str
    decision: str
    decided_by: str
    decided_on: dt.date
    phase: str | None = None
    conditions: str | None = None
    not_met: tuple[str, ...] = ()
    notes: str | None = None


def gate_criteria(db: Readable, project_id: str, phase: str) -> list[str]:
    """The criterion ids of ``phase``'s gate in the project's methodology version (may be empty)."""
    rows = db.execute(
        "SELECT c.criterion_id FROM gate_criterion c JOIN project_methodology m "
        "ON m.standard_id = c.standard_id AND m.version = c.version "
        "WHERE m.project_id = ? AND c.phase = ? ORDER BY c.criterion_id",
        [project_id, phase],
    ).fetchall()
    return [row[0] for row in rows]


def decide_gate(db: sqlite_utils.Database, decision: GateDecision) -> int:
    """Record a gate decision (one transaction, with a change-log row); returns its id.

    Every criterion of the gate not in ``not_met`` counts as met.

    Raises:
        UserError: unknown project, phase or decision; conditions missing for an approval
            with conditions; a criterion id not in the methodology; the gate was approved
            already.
    """
    check_project(db, decision.project_id, option="PROJECT")
    project = one_row(db, "SELECT phase FROM project WHERE id = ?", [decision.project_id])
    phase = decision.phase or (project or {})["phase"]
    _check_decision(decision, phase)
    criteria = gate_criteria(db, decision.project_id, phase)
    unknown = [c for c in decision.not_met if c not in criteria]
    if unknown:
        raise UserError(
            f"criterion {unknown[0]!r} is not one of the {phase} gate's",
            option="--not-met",
            fix=f"use {', '.join(criteria) or 'no criterion: the methodology lists none'}",
        )
    met = [c for c in criteria if c not in decision.not_met]
    day = decision.decided_on.isoformat()
    record = {
        "project_id": decision.project_id,
        "phase": phase,
        "decision": decision.decision,
        "decided_by": decision.decided_by,
        "decided_on": day,
        "criteria_met": ", ".join(met) or None,
        "criteria_not_met": ", ".join(decision.not_met) or None,
        "conditions": decision.conditions,
        "notes": decision.notes,
    }
    with write_transaction(db, "gate decide"):
        passed = one_row(
            db,
            "SELECT passed_on FROM gate WHERE project_id = ? AND phase = ?",
            [decision.project_id, phase],
        )
        if passed is not None:
            raise UserError(
                f"the {phase} gate of {decision.project_id} was approved on {passed['passed_on']}",
                option="--phase",
                fix="decide the gate of the phase the project is in now",
            )
        decision_id = int(db.table("gate_decision").insert(record).last_pk or 0)
        if decision.decision in APPROVALS:
            _record_passed_gate(db, decision, phase, met)
        log_change(db, "gate_decision", decision.decision, reason="gate decide", after=record)
    return decision_id


def _check_decision(decision: GateDecision, phase: str) -> None:
    if decision.decision not in DECISIONS:
        raise UserError(
            f"unknown decision {decision.decision!r}",
            option="--decision",
            fix=f"use {', '.join(DECISIONS)}",
        )
    if phase not in PHASES:
        raise UserError(
            f"unknown phase {phase!r}", option="--phase", fix=f"use {', '.join(PHASES)}"
        )
    if decision.decision == "approved_with_conditions" and not decision.conditions:
        raise UserError(
            "an approval with conditions needs its conditions",
            option="--conditions",
            fix='pass --conditions "what must be done, by when"',
        )


def _record_passed_gate(
    db: sqlite_utils.Database, decision: GateDecision, phase: str, met: list[str]
) -> None:
    gate_id = int(
        db.table("gate")
        .insert(
            {
                "project_id": decision.project_id,
                "phase": phase,
                "passed_on": decision.decided_on.isoformat(),
                "decided_by": decision.decided_by,
            }
        )
        .last_pk
        or 0
    )
    checks = [{"gate_id": gate_id, "criterion_id": c, "met": 1} for c in met] + [
        {"gate_id": gate_id, "criterion_id": c, "met": 0} for c in decision.not_met
    ]
    if checks:
        db.table("gate_check").insert_all(checks)


class GateRefused(OverridableError):
    """A phase change refused by the stage-gate rule: the gates closing the phases it
    leaves (``missing``) are not approved. Overridden with ``force`` and a reason."""

    def __init__(self, project_id: str, current: str, phase: str, missing: list[str]) -> None:
        self.project_id, self.current, self.phase, self.missing = (
            project_id,
            current,
            phase,
            missing,
        )
        verb = "is" if len(missing) == 1 else "are"
        super().__init__(
            f"{project_id} cannot move from {current} to {phase}: {gates_phrase(missing)} "
            f"{verb} not approved",
            option="PHASE",
            fix="record the decision"
            + ("" if len(missing) == 1 else " of each, in order")
            + f" (`pmo-tui gate decide {project_id} --phase {missing[0]} --decision approved "
            "--by NAME`), or override with --force --reason TEXT (logged)",
        )


def change_phase(
    db: sqlite_utils.Database,
    project_id: str,
    phase: str,
    *,
    force: bool = False,
    reason: str | None = None,
) -> list[str]:
    """Move ``project_id`` to ``phase`` under the phase-change rule (module docstring).

    One transaction with a change-log row (``phase_change``, or ``phase_override``
    when ``force`` overrode missing gates).

    Returns:
        The phases whose gate was missing and overridden (empty without an override).

    Raises:
        GateRefused: a gate is missing and ``force`` is off.
        UserError: unknown project or phase; ``force`` without a reason.
    """
    check_project(db, project_id, option="PROJECT")
    if phase not in PHASES:
        raise UserError(f"unknown phase {phase!r}", option="PHASE", fix=f"use {', '.join(PHASES)}")
    current = (one_row(db, "SELECT phase FROM project WHERE id = ?", [project_id]) or {})["phase"]
    passed = {
        row[0]
        for row in db.execute(
            "SELECT phase FROM gate WHERE project_id = ?", [project_id]
        ).fetchall()
    }
    missing = gates_missing(current, phase, passed)
    if missing and not force:
        raise GateRefused(project_id, current, phase, missing)
    if missing and not (reason and reason.strip()):
        raise UserError(
            "overriding the gate rule needs a reason", option="--reason", fix='pass --reason "why"'
        )
    with write_transaction(db, "project phase"):
        db.execute("UPDATE project SET phase = ? WHERE id = ?", [phase, project_id])
        log_change(
            db,
            f"project:{project_id}",
            "phase_override" if missing else "phase_change",
            reason=reason or f"phase {current} -> {phase}",
            before={"phase": current},
            after={"phase": phase, "gates_overridden": missing},
        )
    return missing


def planned_gates(projects: pl.DataFrame) -> pl.DataFrame:
    """The planned date of each project's next gate (the one closing its current phase).

    Args:
        projects: ``project_id, phase, start (Date), finish (Date)``.

    Returns:
        ``project_id, phase, planned_on (Date)``; projects without dates are left out.
    """
    share = pl.col("phase").replace_strict(GATE_SHARE, default=None, return_dtype=pl.Float64)
    days = ((pl.col("finish") - pl.col("start")).dt.total_days() * share).floor().cast(pl.Int64)
    return (
        projects.filter(pl.col("start").is_not_null() & pl.col("finish").is_not_null())
        .with_columns((pl.col("start") + pl.duration(days=days)).alias("planned_on"))
        .select("project_id", "phase", "planned_on")
    )


def upcoming_gates(
    projects: pl.DataFrame, gates: pl.DataFrame, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """Next gates planned from ``first`` to ``last`` (inclusive) and not yet passed.

    Args:
        projects: ``project_id, name, phase, start, finish``; gates: ``project_id, phase``
            (passed gates).

    Returns:
        ``project_id, name, phase, planned_on``, by date.
    """
    planned = planned_gates(projects).join(
        gates.select("project_id", "phase"), on=["project_id", "phase"], how="anti"
    )
    return (
        planned.filter(pl.col("planned_on").is_between(first, last))
        .join(projects.select("project_id", "name"), on="project_id")
        .select("project_id", "name", "phase", "planned_on")
        .sort("planned_on", "project_id")
    )
