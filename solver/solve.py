"""One optimizer run: greedy baseline, LP bound, CP-SAT search, explanations and KPIs.

The front ends call :func:`solve_plan` and only format what it returns; the
TUI runs it in a worker thread, passing ``on_progress`` and ``cancel``.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable

import polars as pl

from solver.bound import lp_bound
from solver.evaluate import evaluate
from solver.explain import explain_moves, explain_unmet
from solver.greedy import assemble_plan, greedy_values
from solver.kpis import kpis, shortfall
from solver.formulation import Formulation, formulate
from solver.model import CpOutcome, ortools_version, solve_cp
from solver.prepare import Prepared, prepare
from solver.types import (
    MOVES_SCHEMA,
    PLAN_SCHEMA,
    STATUS_CANCELLED,
    STATUS_FEASIBLE,
    STATUS_INFEASIBLE,
    STATUS_OPTIMAL,
    UNMET_SCHEMA,
    PlanInput,
    PlanResult,
    Policy,
    Progress,
    empty,
)

ProgressHandler = Callable[[Progress], None]


def relative_gap(bound: float, objective: float) -> float:
    """``(bound - objective) / max(|bound|, 1e-9)``, never below 0 (``inf`` without a bound)."""
    if math.isinf(bound):
        return math.inf
    return max(0.0, (bound - objective) / max(abs(bound), 1e-9))


def solve_plan(
    data: PlanInput,
    policy: Policy = Policy(),  # noqa: B008 - frozen dataclass, safe as a default
    on_progress: ProgressHandler | None = None,
    cancel: threading.Event | None = None,
) -> PlanResult:
    """Propose a re-allocation that covers the most priority-weighted demand for its cost.

    Runs the greedy baseline, the LP bound (GLOP) and CP-SAT started from the greedy
    plan; returns the better of CP-SAT's and the greedy plan, explained.

    Args:
        data: capacity, skills, demand, projects and current allocation
            (see :class:`solver.PlanInput`; hours Float64 with one decimal at most,
            weeks Mondays as ``pl.Date``).
        policy: weights, time limit, seed and workers (see :class:`solver.Policy`).
        on_progress: called with a :class:`solver.Progress` for the greedy plan and each
            better plan or bound CP-SAT finds, from the solver's threads.
        cancel: set it to stop the search; the best plan so far is returned with status
            ``CANCELLED_WITH_PLAN``.

    Returns:
        A :class:`solver.PlanResult`. Same input, policy (seed, workers) and a search that
        ends on optimality or on ``policy.deterministic_time`` give the same objective
        and plan.

    Raises:
        ValueError: an input frame lacks a required column.
    """
    started = time.perf_counter()
    prepared = prepare(data)
    data = prepared.data
    if prepared.conflicts:
        return _infeasible(prepared, policy, started)
    formulation = formulate(prepared, policy)
    hint = greedy_values(prepared)
    greedy = assemble_plan(prepared, hint)
    greedy_terms = evaluate(data, greedy, policy)
    lp = lp_bound(formulation)
    report = _reporter(on_progress, lp, started)
    report(greedy_terms["objective"], math.inf)
    outcome = _search(formulation, policy, hint, report, cancel)
    plan, terms = _better_plan(prepared, policy, outcome, greedy, greedy_terms)
    return _result(prepared, policy, plan, terms, greedy_terms, lp, outcome, started)


def _better_plan(
    prepared: Prepared,
    policy: Policy,
    outcome: CpOutcome,
    greedy: pl.DataFrame,
    greedy_terms: dict[str, float],
) -> tuple[pl.DataFrame, dict[str, float]]:
    """CP-SAT's plan and terms, unless it found none or scores below the greedy plan."""
    if outcome.values is None:
        return greedy, greedy_terms
    plan = assemble_plan(prepared, outcome.values)
    terms = evaluate(prepared.data, plan, policy)
    if terms["objective"] < greedy_terms["objective"] - 1e-9:
        return greedy, greedy_terms
    return plan, terms


def _search(
    formulation: Formulation,
    policy: Policy,
    hint: list[int],
    report: Callable[[float, float], None],
    cancel: threading.Event | None,
) -> CpOutcome:
    """CP-SAT, unless there is nothing to decide or the user already cancelled."""
    if cancel is not None and cancel.is_set():
        return CpOutcome(None, "UNKNOWN", math.inf, cancelled=True)
    if formulation.candidates == 0:
        return CpOutcome(hint, "OPTIMAL", formulation.constant)
    return solve_cp(formulation, policy, hint, report, cancel)


def _reporter(
    on_progress: ProgressHandler | None, lp: float, started: float
) -> Callable[[float, float], None]:
    """Turn (incumbent, CP-SAT bound) into :class:`Progress` for ``on_progress``."""

    def report(incumbent: float, cp_bound: float) -> None:
        if on_progress is None:
            return
        bound = max(min(lp, cp_bound), incumbent)
        on_progress(
            Progress(
                incumbent=incumbent,
                bound=bound,
                gap=relative_gap(bound, incumbent),
                elapsed_s=time.perf_counter() - started,
            )
        )

    return report


def _status(outcome: CpOutcome) -> str:
    if outcome.cancelled:
        return STATUS_CANCELLED
    return STATUS_OPTIMAL if outcome.status == "OPTIMAL" else STATUS_FEASIBLE


def _result(
    prepared: Prepared,
    policy: Policy,
    plan: pl.DataFrame,
    terms: dict[str, float],
    greedy_terms: dict[str, float],
    lp: float,
    outcome: CpOutcome,
    started: float,
) -> PlanResult:
    data = prepared.data
    objective = terms["objective"]
    bound = max(min(lp, outcome.bound), objective)
    if outcome.status == "OPTIMAL" and not outcome.cancelled:
        bound = objective
    moves = explain_moves(prepared, plan)
    return PlanResult(
        status=_status(outcome),
        plan=plan,
        moves=moves,
        unmet=explain_unmet(prepared, plan),
        shortfall=shortfall(data),
        kpis_before=kpis(data, data.current),
        kpis_after=kpis(data, plan, people_moved=moves["person_id"].n_unique()),
        objective=objective,
        objective_terms=_terms(terms),
        bound=bound,
        gap=relative_gap(bound, objective),
        greedy_objective=greedy_terms["objective"],
        greedy_terms=_terms(greedy_terms),
        lp_bound=lp,
        wall_time_s=time.perf_counter() - started,
        conflicts=[],
        solver_version=ortools_version(),
        settings=dataclasses.asdict(policy),
    )


def _terms(terms: dict[str, float]) -> dict[str, float]:
    return {name: terms[name] for name in ("cover", "churn", "fragmentation")}


def _infeasible(prepared: Prepared, policy: Policy, started: float) -> PlanResult:
    """No plan: pinned work and fixed load exceed capacity somewhere."""
    data = prepared.data
    zero_terms = {"cover": 0.0, "churn": 0.0, "fragmentation": 0.0}
    return PlanResult(
        status=STATUS_INFEASIBLE,
        plan=empty(PLAN_SCHEMA),
        moves=empty(MOVES_SCHEMA),
        unmet=empty(UNMET_SCHEMA),
        shortfall=shortfall(data),
        kpis_before=kpis(data, data.current),
        kpis_after={},
        objective=0.0,
        objective_terms=dict(zero_terms),
        bound=0.0,
        gap=0.0,
        greedy_objective=0.0,
        greedy_terms=dict(zero_terms),
        lp_bound=0.0,
        wall_time_s=time.perf_counter() - started,
        conflicts=list(prepared.conflicts),
        solver_version=ortools_version(),
        settings=dataclasses.asdict(policy),
    )
