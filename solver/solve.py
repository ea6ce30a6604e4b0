"""One optimizer run: greedy baseline, passes over the weeks, explanations and KPIs.

The front ends call :func:`solve_plan` and only format what it returns; the
TUI runs it in a worker thread, passing ``on_progress`` and ``cancel``.
The model falls apart into weeks (see :mod:`solver.weekly`), improved week by
week in passes (:mod:`solver.passes`); measured figures are in
``docs/performance.md``.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from solver.capped import solve_capped
from solver.continuity import Continuity
from solver.cpsat import ortools_version
from solver.explain import explain_moves, explain_unmet
from solver.greedy import assemble_plan, greedy_values
from solver.measures import kpis, shortfall
from solver.objective import evaluate
from solver.passes import PassOutcome, run_passes, settle_people, wall_clock_search
from solver.people import PeopleMoved
from solver.policy import Policy
from solver.prepare import Prepared, objective_constant, prepare
from solver.prices import hour_value_frame
from solver.relax import quick_bound
from solver.shifts.choose import ShiftDecision
from solver.shifts.decide import decide_shifts, needs_shifts
from solver.status import STATUS_CANCELLED, STATUS_FEASIBLE, STATUS_INFEASIBLE, STATUS_OPTIMAL
from solver.types import (
    MOVES_SCHEMA,
    PLAN_SCHEMA,
    UNMET_SCHEMA,
    PlanInput,
    PlanResult,
    Progress,
    conform_input,
    empty,
)
from solver.week_state import Clock, WeekState
from solver.weekly import split_weeks, week_values

ProgressHandler = Callable[[Progress], None]

#: A week whose plan is this close to its bound (objective units) is not searched.
GAP_TOLERANCE = 1e-6


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

    Week by week (every constraint lies within one week): the current allocation made
    feasible, then passes (:mod:`solver.passes`) that offer the greedy fill, the LP
    relaxation (solved as a min-cost flow; its value is the week's bound) rounded by
    min-cost flows, and CP-SAT on small weeks; each proposal is taken move by move where
    a move gains more than ``policy.min_move_gain``. Passes repeat until one changes
    nothing, so the plan, once applied, is planned again without a move. No step looks
    at the clock: ``policy.time_limit_s`` (from the call, model building included) only
    caps the run, and the result says when it did (``time_limit_hit``, ``notes``). With
    ``min_move_gain`` 0 (or a capped run) never returns a plan below greedy.

    Args:
        data: capacity, skills, demand, projects and current allocation
            (see :class:`solver.PlanInput`; hours Float64 with one decimal at most,
            weeks Mondays as ``pl.Date``).
        policy: weights, time limit, seed and workers (see :class:`solver.Policy`).
        on_progress: called with a :class:`solver.Progress` for the greedy plan, the
            rounded plan and each better plan CP-SAT finds, from the solver's threads.
        cancel: set it to stop the search; the best plan so far is returned with status
            ``CANCELLED_WITH_PLAN``.

    Returns:
        A :class:`solver.PlanResult`. Same input and policy give the same plan, moves and
        figures (timings aside) unless the time limit ended the run.

    Raises:
        ValueError: an input frame lacks a required column.
    """
    started = time.perf_counter()
    decision = None
    given = data
    if needs_shifts(data):
        data, decision = decide_shifts(data, policy, cancel)
        if decision.status == STATUS_INFEASIBLE:
            return _infeasible_with(data, policy, decision.conflicts, started)
    staffing = dataclasses.replace(
        policy,
        time_limit_s=max(0.1, policy.time_limit_s - (time.perf_counter() - started)),
    )
    if policy.max_people_moved is None:
        result = _solve_once(data, staffing, on_progress, cancel, frozenset())
    else:

        def solve(data: PlanInput, policy: Policy, locked: frozenset[str]) -> PlanResult:
            return _solve_once(data, policy, on_progress, cancel, locked)

        def infeasible(conflicts: list[str]) -> PlanResult:
            return _infeasible_with(data, staffing, conflicts, time.perf_counter())

        result = solve_capped(solve, infeasible, data, staffing, cancel)
    result = _with_shifts(result, decision, policy, started)
    if decision is not None:  # "before" is the data as it stands, not as shifted
        given = conform_input(given)
        result.kpis_before = kpis(given, given.current)
    return result


def _infeasible_with(
    data: PlanInput, policy: Policy, conflicts: list[str], started: float
) -> PlanResult:
    prepared = dataclasses.replace(prepare(data, policy), conflicts=conflicts)
    return _infeasible(prepared, policy, started)


def _with_shifts(
    result: PlanResult, decision: ShiftDecision | None, policy: Policy, started: float
) -> PlanResult:
    """``result`` with the shifts, their delay cost as an objective term (plan, greedy
    and bound alike: the bound holds for the chosen shifts) and the full policy."""
    result.settings = dataclasses.asdict(policy)
    result.wall_time_s = time.perf_counter() - started
    if decision is None or result.status == STATUS_INFEASIBLE:
        return result
    result.notes = [*decision.notes, *result.notes]
    delay = decision.delay_cost
    result.objective_terms["delay"] = delay
    result.greedy_terms["delay"] = delay
    result.shifts = decision.shifts
    result.objective -= delay
    result.greedy_objective -= delay
    result.bound -= delay
    result.lp_bound -= delay
    result.gap = relative_gap(result.bound, result.objective)
    result.timings["shifts"] = sum(decision.timings.values())
    return result


def _solve_once(
    data: PlanInput,
    policy: Policy,
    on_progress: ProgressHandler | None,
    cancel: threading.Event | None,
    locked_people: frozenset[str],
) -> PlanResult:
    """One run of the method of :mod:`solver.passes`, ``locked_people`` unchanged."""
    started = time.perf_counter()
    prepared = prepare(data, policy, locked_people)
    if prepared.conflicts:
        return _infeasible(prepared, policy, started)
    greedy_values_ = greedy_values(prepared)
    greedy = assemble_plan(prepared, greedy_values_)
    greedy_terms = evaluate(prepared.data, greedy, policy)
    report = _reporter(on_progress, started)
    report(greedy_terms["objective"], math.inf)
    clock = Clock(started, policy, prepared.candidates.height)
    clock.mark("first_plan")
    weeks = split_weeks(prepared, policy)
    clock.phase("build")
    continuity = Continuity(prepared, policy.continuity_weight)
    kept = greedy_values(prepared, fill=False)
    people = PeopleMoved(prepared, np.asarray(kept, dtype=np.int64))
    constant = _constant(prepared, policy)
    state = WeekState(
        weeks, kept, constant, continuity, policy.min_move_gain, people, policy.min_person_gain
    )
    outcome = PassOutcome()
    if not _cancelled(cancel):
        outcome = run_passes(state, policy, clock, report, cancel)
        outcome = settle_people(state, policy, clock, report, cancel, outcome)
    clock.phase("lp")
    if policy.deterministic_time is None and not _cancelled(cancel):
        wall_clock_search(state, policy, clock, report, cancel)
        if not _cancelled(cancel):
            outcome = run_passes(state, policy, clock, report, cancel)
            outcome = settle_people(state, policy, clock, report, cancel, outcome)
    clock.phase("search")
    for index, week in enumerate(state.weeks):  # weeks the cap or a cancel left untouched
        if not state.processed[index]:
            state.offer(index, week_values(week, greedy_values_))
        if math.isinf(state.bound[index]):
            state.bound[index] = max(quick_bound(week), state.value[index])
    settled = outcome.settled and not clock.capped and not _cancelled(cancel)
    plan, terms = _better_plan(prepared, policy, state, greedy, greedy_terms, settled)
    result = _result(prepared, policy, plan, terms, greedy_terms, state, cancel, started)
    result.passes, result.settled = outcome.passes, outcome.settled
    result.time_limit_hit = clock.capped
    result.hour_values = hour_value_frame(
        prepared,
        state.weeks,
        [None if lp is None else lp.hours for lp in state.relaxations],
    )
    held = state.held_back()
    result.held_back = {"moves": float(held.moves), "hours": held.tenths / 10, "gain": held.gain}
    result.notes = _notes(state, outcome, clock, cancel, policy)
    clock.phase("report")
    result.timings = clock.timings
    return result


def _notes(
    state: WeekState,
    outcome: PassOutcome,
    clock: Clock,
    cancel: threading.Event | None,
    policy: Policy,
) -> list[str]:
    """What the user should know about how this run ended, in plain words."""
    notes = list(state.notes)
    if clock.capped:
        notes.append(
            f"The time limit ({policy.time_limit_s:g} s) ended the search before its work "
            "budget: this plan may differ from run to run. Raise the time limit for a "
            "repeatable plan."
        )
    elif not outcome.settled and not _cancelled(cancel) and state.weeks:
        notes.append(
            f"The plan had not settled after {outcome.passes} passes: planning again on it "
            "may propose a few more moves."
        )
    return notes


def _cancelled(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def _constant(prepared: Prepared, policy: Policy) -> float:
    return objective_constant(
        prepared, policy.cover_weight, policy.churn_weight, policy.fragmentation_weight
    )


def _better_plan(
    prepared: Prepared,
    policy: Policy,
    state: WeekState,
    greedy: pl.DataFrame,
    greedy_terms: dict[str, float],
    settled: bool,
) -> tuple[pl.DataFrame, dict[str, float]]:
    """The weekly plans assembled and scored; never below the greedy plan when
    ``min_move_gain`` and ``min_person_gain`` are 0 or the run was cut short (time limit,
    cancel). A settled run with a threshold returns its own plan, which may lie below
    greedy by the moves it held back and the people it put back (each worth at most its
    threshold): else planning again would not settle."""
    plan = assemble_plan(prepared, state.candidate_values())
    terms = evaluate(prepared.data, plan, policy)
    fallback = (policy.min_move_gain <= 0 and policy.min_person_gain <= 0) or not settled
    if fallback and terms["objective"] < greedy_terms["objective"] - 1e-9:
        return greedy, greedy_terms
    return plan, terms


def _reporter(
    on_progress: ProgressHandler | None, started: float
) -> Callable[[float, float], None]:
    """Turn (incumbent, bound) into :class:`Progress` for ``on_progress``."""

    def report(incumbent: float, bound: float) -> None:
        if on_progress is None:
            return
        bound = max(bound, incumbent)
        on_progress(
            Progress(
                incumbent=incumbent,
                bound=bound,
                gap=relative_gap(bound, incumbent),
                elapsed_s=time.perf_counter() - started,
            )
        )

    return report


def _status(state: WeekState, cancel: threading.Event | None) -> str:
    if _cancelled(cancel):
        return STATUS_CANCELLED
    # a week whose continuity depends on its neighbours is never proven on its own
    # proven: the week's plan is CP-SAT's optimum, and no later pass held a move back
    closed = not any(state.coupled) and all(
        (proven and state.held[index].moves == 0) or state.gap(index) <= GAP_TOLERANCE
        for index, proven in enumerate(state.proven)
    )
    return STATUS_OPTIMAL if closed else STATUS_FEASIBLE


def _result(
    prepared: Prepared,
    policy: Policy,
    plan: pl.DataFrame,
    terms: dict[str, float],
    greedy_terms: dict[str, float],
    state: WeekState,
    cancel: threading.Event | None,
    started: float,
) -> PlanResult:
    data = prepared.data
    objective = terms["objective"]
    lp = state.constant + sum(
        relaxation.bound if relaxation is not None else math.inf for relaxation in state.relaxations
    )
    status = _status(state, cancel)
    bound = objective if status == STATUS_OPTIMAL else max(state.total_bound(), objective)
    moves = explain_moves(prepared, plan, policy)
    return PlanResult(
        status=status,
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
    names = ("cover", "churn", "fragmentation", "continuity")
    return {name: terms[name] for name in names} | {"delay": 0.0}


def _infeasible(prepared: Prepared, policy: Policy, started: float) -> PlanResult:
    """No plan: pinned work and fixed load exceed capacity somewhere."""
    data = prepared.data
    zero_terms = {"cover": 0.0, "churn": 0.0, "fragmentation": 0.0, "continuity": 0.0, "delay": 0.0}
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
