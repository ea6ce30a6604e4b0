"""Write a planned scenario to the live data, in one transaction, with a change-log row.

What is written: the scenario's data changes, as differences between the
live tables and the scenario's (:class:`~pmo_tui.scenarios.overlay.ScenarioState`
mirrors them): new and changed people, skills, projects, demands; added leave
and availability rows; demand weeks of the demands that changed; and the
allocation table replaced by the scenario's plan (fixed load, pinned and hard
bookings as the scenario left them, every other row from the plan, soft).
Policy changes (``freeze``, ``policy``) shaped the plan but are settings, not
data: nothing stores them.

Refused, with nothing written: a change that has no faithful place in the store
(:attr:`ScenarioState.not_promotable`), an infeasible plan, or any input of the
plan changed by someone else since the scenario was planned (the mark of
:func:`pmo_tui.planning.service.mark_plan_inputs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from pmo_tui.domain.horizon import Window
from pmo_tui.errors import UserError
from pmo_tui.scenarios.evaluate import Prepared, ScenarioRun
from pmo_tui.scenarios.overlay import ScenarioState
from pmo_tui.store.tables import stored_records
from solver.status import STATUS_INFEASIBLE

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.marks import DataMark

#: Table -> key columns of the tables written as upserts (rows are never deleted there).
UPSERT_KEYS: dict[str, tuple[str, ...]] = {
    "person": ("id",),
    "person_skill": ("person_id", "skill_id"),
    "project": ("id",),
    "demand": ("id",),
}
#: Tables scenarios only append to.
APPENDED = ("leave", "availability")


@dataclass
class PromotePlan:
    """The rows a promote writes, per table, ready for :func:`write_promotion`."""

    upserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    appended: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    demand_ids: list[str] = field(default_factory=list)  # demand_week rows replaced
    demand_weeks: list[dict[str, Any]] = field(default_factory=list)
    allocations: list[dict[str, Any]] = field(default_factory=list)
    shifts: list[dict[str, Any]] = field(default_factory=list)  # the optimizer's start shifts

    def summary(self) -> dict[str, int]:
        """Table -> rows written (allocation: the rows of the new plan)."""
        counts = {table: len(rows) for table, rows in self.upserts.items() if rows}
        counts |= {table: len(rows) for table, rows in self.appended.items() if rows}
        if self.demand_ids:
            counts["demand_week"] = len(self.demand_weeks)
        counts["allocation"] = len(self.allocations)
        return counts


def check_promotable(run: ScenarioRun) -> None:
    """Raise :class:`UserError` when ``run`` cannot be written faithfully or was not planned."""
    if run.state.not_promotable:
        raise UserError(
            f"scenario {run.name} cannot be promoted; nothing was written: "
            + "; ".join(run.state.not_promotable),
            file=run.file or None,
            fix="change those changes into ones the store can hold, or keep it a scenario",
        )
    if run.result is None or run.result.status == STATUS_INFEASIBLE:
        raise UserError(
            f"scenario {run.name} has no plan (infeasible); nothing was written",
            fix="resolve the conflicts `scenario run` lists first",
        )


def promotion_rows(
    live: ScenarioState, run: ScenarioRun, window: Window | None = None
) -> PromotePlan:
    """What to write to turn ``live`` into ``run``'s data and plan.

    With ``window`` (the weeks planned), weeks before its first are history: their
    demand and allocations are written back as the live data has them.
    """
    check_promotable(run)
    state, shifts = _with_optimizer_shifts(run)
    scenario = state.tables
    plan = PromotePlan(shifts=shifts)
    for table in UPSERT_KEYS:
        columns = list(scenario[table].columns)
        changed = scenario[table].join(live.tables[table], on=columns, how="anti", nulls_equal=True)
        plan.upserts[table] = stored_records(changed)
    for table in APPENDED:
        before = live.tables[table].height
        plan.appended[table] = stored_records(scenario[table].slice(before))
    plan.demand_ids, plan.demand_weeks = _changed_demand_weeks(live, state, window)
    plan.allocations = stored_records(_allocations(live, run, window))
    return plan


def _with_optimizer_shifts(run: ScenarioRun) -> tuple[ScenarioState, list[dict[str, Any]]]:
    """The scenario's state with the projects the plan starts later moved, as
    :func:`pmo_tui.planning.service.apply_outcome` moves them (demand weeks, start,
    finish; the allowance used up), through :func:`pmo_tui.planning.inputs.shift_project`."""
    from pmo_tui.planning.inputs import shift_project

    shifts = getattr(run.result, "shifts", None)
    if not isinstance(shifts, pl.DataFrame) or shifts.is_empty():
        return run.state, []
    state = run.state.copy()
    done = []
    for project_id, weeks in shifts.select("project_id", "shift_weeks").iter_rows():
        state.tables = shift_project(
            state.tables, project_id, int(weeks), move_allocations=False, use_allowance=True
        )
        done.append({"project_id": project_id, "shift_weeks": int(weeks)})
    return state, done


def _changed_demand_weeks(
    live: ScenarioState, state: ScenarioState, window: Window | None
) -> tuple[list[str], list[dict]]:
    """The demands whose weeks differ, and all their weeks: the scenario's in the window,
    the live data's before it (history is never rewritten)."""
    before, after = live.tables["demand_week"], state.tables["demand_week"]
    if window is not None:
        after = pl.concat([before.filter(~window.weeks()), after.filter(window.weeks())])
    columns = list(after.columns)
    differ = pl.concat(
        [
            after.join(before, on=columns, how="anti", nulls_equal=True),
            before.join(after, on=columns, how="anti", nulls_equal=True),
        ]
    )
    demand_ids = sorted(set(differ["demand_id"].to_list()))
    return demand_ids, stored_records(after.filter(pl.col("demand_id").is_in(demand_ids)))


def _allocations(live: ScenarioState, run: ScenarioRun, window: Window | None) -> pl.DataFrame:
    """Fixed, pinned and hard rows as the scenario left them, the plan's other rows soft;
    rows outside ``window`` as the live data has them."""
    current = run.state.tables["allocation"]
    kept = current.filter(
        pl.col("demand_id").is_null() | pl.col("pinned") | (pl.col("kind") == "hard")
    )
    if window is not None:
        outside = live.tables["allocation"].filter(~window.weeks())
        kept = pl.concat([outside, kept.filter(window.weeks()).select(outside.columns)])
    assert run.result is not None
    planned = run.result.plan.filter(pl.col("demand_id").is_not_null() & ~pl.col("pinned")).select(
        "person_id",
        "project_id",
        "demand_id",
        "week",
        pl.col("hours").round(1),
        pl.lit("soft").alias("kind"),
        pl.lit(False).alias("pinned"),
    )
    return pl.concat([kept.select(planned.columns), planned]).filter(pl.col("hours") > 0)


def write_promotion(
    db: sqlite_utils.Database, run: ScenarioRun, rows: PromotePlan, fingerprint: DataMark, who: str
) -> dict[str, int]:
    """Write ``rows`` in one transaction and log it; the database is unchanged on any error.

    Raises:
        StaleData: any plan input of the live data changed since ``fingerprint`` was taken.
        DatabaseBusy, RoleRefused: see :func:`~pmo_tui.store.transactions.write_transaction`.
    """
    from pmo_tui.store.change_log import log_change
    from pmo_tui.store.marks import refuse_if_changed
    from pmo_tui.store.transactions import write_transaction

    with write_transaction(db, "scenario promote", needs="planner", reason=run.name):
        refuse_if_changed(
            db,
            fingerprint,
            what="this scenario",
            fix="plan the scenario again on the current data (in the TUI: r, then p), then promote",
        )
        for table, keys in UPSERT_KEYS.items():
            if rows.upserts.get(table):
                db.table(table).upsert_all(
                    rows.upserts[table], pk=keys if len(keys) > 1 else keys[0]
                )
        for table, records in rows.appended.items():
            if records:
                db.table(table).insert_all(records)
        for demand_id in rows.demand_ids:
            db.execute("DELETE FROM demand_week WHERE demand_id = ?", [demand_id])
        if rows.demand_weeks:
            db.table("demand_week").insert_all(rows.demand_weeks)
        db.execute("DELETE FROM allocation")
        if rows.allocations:
            db.table("allocation").insert_all(rows.allocations)
        summary = rows.summary()
        log_change(
            db,
            "scenario",
            "promote",
            reason=f"promote scenario {run.name} approved by {who}",
            after={
                "scenario": run.name,
                "file": run.file,
                "rows": summary,
                "upserts": rows.upserts,
                "appended": rows.appended,
                "demand_ids": rows.demand_ids,
                "projects_shifted": rows.shifts,
                "objective": run.result.objective if run.result else None,
                "status": run.result.status if run.result else None,
            },
        )
    return summary


def promote_scenario(
    db: sqlite_utils.Database,
    prepared: Prepared,
    run: ScenarioRun,
    *,
    rows: PromotePlan | None = None,
    who: str | None = None,
) -> dict[str, int]:
    """Write the planned ``run`` to the live data: the promote service of both front ends.

    Args:
        prepared: what ``run`` was planned with; its base state is the live data as read
            and its fingerprint is checked again inside the transaction.
        rows: :func:`promotion_rows` already computed (to show before asking), or None.
        who: who approved it (default: the OS user).

    Returns:
        Table -> rows written (see :meth:`PromotePlan.summary`).

    Raises:
        UserError: the run cannot be promoted or has no plan (:func:`check_promotable`), or
            the live allocations changed since it was planned; nothing is written.
    """
    from pmo_tui.store.change_log import current_user

    rows = rows if rows is not None else promotion_rows(prepared.base.state, run, prepared.window)
    return write_promotion(db, run, rows, prepared.fingerprint, who or current_user())
