"""The CP-SAT search for the plan, with a complete hint, progress reports and cancel.

The model is :class:`solver.formulation.Formulation` written straight into the
CP-SAT proto (bulk, no per-term Python expressions), with gains scaled to
integers (:data:`OBJECTIVE_SCALE` units per objective unit, exact for weights
with up to three decimals). ``ortools`` is imported inside the functions:
importing :mod:`solver` must stay cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from solver.formulation import Formulation, candidate_values, column_values
from solver.types import Policy

#: Integer objective units per objective unit (hours x weight).
OBJECTIVE_SCALE = 10_000

#: Seconds between two looks at the cancel event while CP-SAT runs.
CANCEL_POLL_S = 0.05

#: CP-SAT workers left out of an interleaved (deterministic) search: their work slices
#: run far past their deterministic-time budget and stall every batch.
SLOW_INTERLEAVED_WORKERS = ("core", "no_lp", "quick_restart_no_lp", "max_lp_sym", "quick_restart")

#: Called with (incumbent, CP-SAT bound) in objective units.
Report = Callable[[float, float], None]


@dataclass
class CpOutcome:
    """What the CP-SAT search returned.

    Attributes:
        values: tenths of an hour per candidate, or None when no solution was found.
        status: CP-SAT's status name (``OPTIMAL``, ``FEASIBLE``, ``UNKNOWN``...).
        bound: CP-SAT's best bound in objective units (``inf`` if none).
        cancelled: the cancel event stopped the search.
    """

    values: list[int] | None
    status: str
    bound: float
    cancelled: bool = False


def solve_cp(
    formulation: Formulation,
    policy: Policy,
    hint: list[int],
    report: Report | None = None,
    cancel: threading.Event | None = None,
) -> CpOutcome:
    """Search for the best plan with CP-SAT, started from the complete ``hint``.

    Args:
        formulation: the model (see :func:`solver.formulation.formulate`).
        policy: time limit, deterministic time, seed and workers.
        hint: tenths per candidate (the greedy plan); it must be feasible.
        report: called on each improving solution and bound, from CP-SAT's threads.
        cancel: when set, the search stops and keeps its best solution.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    _write_model(model.proto, formulation, cp_model.INT_MIN)
    hinted = column_values(formulation, hint)
    model.proto.solution_hint.vars.extend(range(len(hinted)))
    model.proto.solution_hint.values.extend(hinted)
    solver = cp_model.CpSolver()
    _set_parameters(solver.parameters, policy)
    callback = _make_callback(cp_model, formulation.constant, report, cancel)
    solver.best_bound_callback = callback.on_bound
    done = threading.Event()
    watcher = _start_cancel_watcher(solver, cancel, done)
    status = solver.solve(model, callback)
    done.set()
    if watcher is not None:
        watcher.join()
    return _outcome(solver, status, formulation, cancel)


def _write_model(proto: Any, formulation: Formulation, int_min: int) -> None:
    """Variables, rows and the (negated, for maximising) objective into ``proto``."""
    columns = formulation.columns
    for upper in columns["upper"].to_list():
        proto.variables.add().domain.extend([0, upper])
    rows = formulation.rows
    for variables, coefficients, limit in zip(
        rows["columns"].to_list(), rows["coefficients"].to_list(), rows["limit"].to_list(),
        strict=True,
    ):
        linear = proto.constraints.add().linear
        linear.vars.extend(variables)
        linear.coeffs.extend(coefficients)
        linear.domain.extend([int_min, limit])
    gains = [round(gain * OBJECTIVE_SCALE) for gain in columns["gain"].to_list()]
    proto.objective.vars.extend(range(len(gains)))
    proto.objective.coeffs.extend(-gain for gain in gains)
    proto.objective.scaling_factor = -1.0


def _outcome(
    solver: Any, status: Any, formulation: Formulation, cancel: threading.Event | None
) -> CpOutcome:
    from ortools.sat.python import cp_model

    cancelled = bool(cancel and cancel.is_set())
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return CpOutcome(None, name, float("inf"), cancelled)
    solution = list(solver.response_proto.solution)[: formulation.columns.height]
    bound = solver.best_objective_bound / OBJECTIVE_SCALE + formulation.constant
    return CpOutcome(candidate_values(formulation, solution), name, bound, cancelled)


def _set_parameters(parameters: Any, policy: Policy) -> None:
    """Limits, seed and workers; several workers search interleaved, so deterministically."""
    parameters.max_time_in_seconds = policy.time_limit_s
    parameters.random_seed = policy.seed
    parameters.num_workers = max(1, policy.workers)
    if policy.workers > 1:
        parameters.interleave_search = True
        parameters.ignore_subsolvers.extend(SLOW_INTERLEAVED_WORKERS)
    if policy.deterministic_time is not None:
        parameters.max_deterministic_time = policy.deterministic_time


def _make_callback(
    cp_model: Any, constant: float, report: Report | None, cancel: threading.Event | None
) -> Any:
    """A solution callback that reports progress and honours ``cancel``."""

    class ProgressCallback(cp_model.CpSolverSolutionCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.incumbent = float("-inf")

        def on_solution_callback(self) -> None:
            self.incumbent = self.objective_value / OBJECTIVE_SCALE + constant
            if report is not None:
                report(self.incumbent, self.best_objective_bound / OBJECTIVE_SCALE + constant)
            if cancel is not None and cancel.is_set():
                self.stop_search()

        def on_bound(self, scaled_bound: float) -> None:
            if report is not None and self.incumbent > float("-inf"):
                report(self.incumbent, scaled_bound / OBJECTIVE_SCALE + constant)

    return ProgressCallback()


def _start_cancel_watcher(
    solver: Any, cancel: threading.Event | None, done: threading.Event
) -> threading.Thread | None:
    """A thread that stops the search once ``cancel`` is set (until ``done``)."""
    if cancel is None:
        return None

    def watch() -> None:
        while not done.is_set():
            if cancel.wait(CANCEL_POLL_S):
                solver.stop_search()
                done.wait(CANCEL_POLL_S)

    thread = threading.Thread(target=watch, name="cp-sat-cancel", daemon=True)
    thread.start()
    return thread


def ortools_version() -> str:
    """The installed OR-Tools version string."""
    import ortools

    return str(ortools.__version__)
