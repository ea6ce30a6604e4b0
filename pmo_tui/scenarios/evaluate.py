"""Plan the base and each scenario with the same solver and settings; nothing is written.

:func:`prepare_runs` reads the live database once, read-only, and applies every
scenario's changes before anything is solved, so one invalid file stops the
run before any solver time is spent. :func:`solve_runs` then plans the base
(the live data, no changes) and each scenario with the same
:class:`solver.Policy` (plus the scenario's own ``freeze``/``policy`` changes)
and computes :func:`~pmo_tui.scenarios.metrics.scenario_kpis`.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmo_tui.domain.horizon import Window
from pmo_tui.scenarios.changes import apply_changes
from pmo_tui.scenarios.metrics import project_starts, scenario_kpis
from pmo_tui.scenarios.overlay import ScenarioState, plan_input, read_state
from pmo_tui.scenarios.schema import Scenario
from pmo_tui.store.marks import DataMark
from solver import PlanInput, PlanResult, Policy

#: Name of the live data, planned without changes, in every report.
BASE = "base"


@dataclass
class ScenarioRun:
    """One scenario (or the base) ready to plan, and once planned its result and KPIs."""

    name: str
    file: str  # the file name ("" for the base)
    base: str  # "live" or the base scenario's file
    changes: int
    state: ScenarioState
    inputs: PlanInput
    policy: Policy
    result: PlanResult | None = None
    kpis: dict[str, Any] | None = None


@dataclass
class Prepared:
    """The base and the scenarios with their inputs, and the mark of the live data they read."""

    base: ScenarioRun
    scenarios: list[ScenarioRun]
    skills: list[str]
    fingerprint: DataMark
    #: The weeks planned (from the current week on); None: every week of the data.
    window: Window | None = None


def read_base(db: Any) -> tuple[ScenarioState, DataMark]:
    """The live data as a state and the mark of every plan input, in one snapshot (reads only)."""
    from pmo_tui.planning.service import mark_plan_inputs
    from pmo_tui.store.marks import read_snapshot

    with read_snapshot(db):
        return read_state(db), mark_plan_inputs(db)


def prepare_runs(
    db_path: Path, scenarios: list[Scenario], policy: Policy, *, window: Window | None = None
) -> Prepared:
    """Read the live data (a read-only connection) and apply each scenario's changes.

    ``window``: the weeks to plan (weeks before its current week are history and are
    never planned; a change's default start is its first week); None: every week.

    Raises:
        UserError: a change refers to something unknown (see :mod:`pmo_tui.scenarios.overlay`),
            or the database cannot be read.
    """
    from pmo_tui.store.readonly import read_connection

    connection = read_connection(db_path)
    try:
        state, fingerprint = read_base(connection)
    finally:
        connection.close()
    return prepare_from_state(state, fingerprint, scenarios, policy, window=window)


def prepare_from_state(
    state: ScenarioState,
    fingerprint: DataMark,
    scenarios: list[Scenario],
    policy: Policy,
    *,
    window: Window | None = None,
) -> Prepared:
    """As :func:`prepare_runs`, from a state already read."""
    future = window.future() if window is not None else None
    if future is not None:
        state = dataclasses.replace(state, first_week=future.first)
    base = ScenarioRun(BASE, "", "live", 0, state, plan_input(state, future), policy)
    runs = []
    for scenario in scenarios:
        changed = apply_changes(state, scenario.changes)
        runs.append(
            ScenarioRun(
                scenario.name,
                scenario.path.name,
                scenario.base,
                len(scenario.changes),
                changed,
                plan_input(changed, future),
                dataclasses.replace(policy, **changed.policy),
            )
        )
    skills = sorted(state.skill_ids)
    return Prepared(base, runs, skills, fingerprint, future)


#: Called before each solve with (position 1.., total, run name).
OnStart = Callable[[int, int, str], None]


def solve_runs(
    prepared: Prepared,
    *,
    include_base: bool = True,
    on_start: OnStart | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Plan the base (when ``include_base``) and each scenario, in name order, in place.

    The base is planned first: the scenarios' ``projects_delayed`` compares with it.
    With ``cancel`` set, the remaining runs are skipped (``result`` stays None).
    """
    from solver import solve_plan

    runs = ([prepared.base] if include_base else []) + prepared.scenarios
    base_starts = None
    for position, run in enumerate(runs, start=1):
        if cancel is not None and cancel.is_set():
            return
        if on_start is not None:
            on_start(position, len(runs), run.name)
        run.result = solve_plan(run.inputs, run.policy, cancel=cancel)
        if run is prepared.base:
            base_starts = project_starts(run.inputs, run.result)
        elif base_starts is None:
            base_starts = project_starts(prepared.base.inputs, None)
        cost_rates = run.state.tables["person"].select("id", "cost_rate")
        run.kpis = scenario_kpis(
            run.result, run.inputs, cost_rates, None if run is prepared.base else base_starts
        )
