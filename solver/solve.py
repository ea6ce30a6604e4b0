"""One optimizer run: greedy baseline, LP bound and rounding, CP-SAT, explanations and KPIs.

The front ends call :func:`solve_plan` and only format what it returns; the
TUI runs it in a worker thread, passing ``on_progress`` and ``cancel``.
The model falls apart into weeks (see :mod:`solver.weekly`), so every phase
works week by week; measured figures are in ``docs/performance.md``.
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
from solver.policy import Policy
from solver.polish import polish_week
from solver.prepare import Prepared, objective_constant, prepare
from solver.relax import quick_bound, relax
from solver.rounding import (
    blocked_flow_plan,
    flow_bound,
    flow_relaxation,
    round_relaxation,
)
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
from solver.weekly import split_weeks

ProgressHandler = Callable[[Progress], None]

#: Share of the time left after building that column generation may use.
LP_SHARE = 0.5

#: Weeks with at most this many candidates start column generation with all of them.
WHOLE_LP_CANDIDATES = 30_000

#: Weeks with more candidates skip the LP: one flow gives their bound and fractional plan
#: (a restricted LP of ~60k candidates takes seconds per round on 2 cores).
FLOW_ONLY_CANDIDATES = 30_000

#: Share of a week's relax-and-round time the column generation may use.
RELAX_SHARE = 0.6

#: A week whose plan is this close to its bound (objective units) is not searched.
GAP_TOLERANCE = 1e-6


#: Least seconds worth starting CP-SAT for on one week.
MIN_WEEK_SEARCH_S = 0.05


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

    Week by week (every constraint lies within one week): the greedy baseline, the LP
    relaxation by column generation (GLOP) with its Lagrangian bound, the LP rounded to
    whole tenths by min-cost flows, then CP-SAT started from the better of the rounded and
    the greedy plan, the weeks with the largest gap first. ``policy.time_limit_s`` counts
    from the call, model building and LP included. Never returns a plan below greedy.

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
        A :class:`solver.PlanResult`. Same input, policy (seed, workers) and a search that
        ends on optimality or on ``policy.deterministic_time`` give the same objective
        and plan.

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
    """One run of the per-week method (the module docstring), ``locked_people`` unchanged."""
    started = time.perf_counter()
    prepared = prepare(data, policy, locked_people)
    if prepared.conflicts:
        return _infeasible(prepared, policy, started)
    greedy_values_ = greedy_values(prepared)
    greedy = assemble_plan(prepared, greedy_values_)
    greedy_terms = evaluate(prepared.data, greedy, policy)
    report = _reporter(on_progress, started)
    report(greedy_terms["objective"], math.inf)
    clock = Clock(started, policy)
    clock.mark("first_plan")
    weeks = split_weeks(prepared, policy)
    clock.phase("build")
    continuity = Continuity(prepared, policy.continuity_weight)
    state = WeekState(weeks, greedy_values_, _constant(prepared, policy), continuity)
    if not _cancelled(cancel):
        _relax_and_round(state, clock, report, cancel, policy.deterministic_time is not None)
    clock.phase("lp")
    if not _cancelled(cancel):
        _search(state, policy, clock, report, cancel)
    clock.phase("search")
    plan, terms = _better_plan(prepared, policy, state, greedy, greedy_terms)
    result = _result(prepared, policy, plan, terms, greedy_terms, state, cancel, started)
    clock.phase("report")
    result.timings = clock.timings
    return result


def _cancelled(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def _constant(prepared: Prepared, policy: Policy) -> float:
    return objective_constant(
        prepared, policy.cover_weight, policy.churn_weight, policy.fragmentation_weight
    )


def _relax_and_round(
    state: WeekState,
    clock: Clock,
    report: Callable[[float, float], None],
    cancel: threading.Event | None,
    deterministic: bool = False,
) -> None:
    """Per week: LP bound and fractional plan, then the best rounded plan.

    Column generation stops at :data:`LP_SHARE` of the time left, shared by the weeks;
    every week gets at least one restricted LP (its bound).
    """
    # with a deterministic-time limit nothing here looks at the clock: column generation
    # stops on its round limit, so the run repeats on any machine
    budget = math.inf if deterministic else LP_SHARE * max(0.0, clock.left())
    for index, week in enumerate(state.weeks):
        if _cancelled(cancel):
            return
        share = budget / max(1, len(state.weeks))
        started = time.perf_counter()
        if not deterministic and clock.left() <= 0:  # out of time: greedy, a quick bound
            state.bound[index] = max(quick_bound(week), state.value[index])
            continue
        if week.size > FLOW_ONLY_CANDIDATES:
            relaxation = flow_relaxation(week, state.values(index))
            bound = relaxation.bound
        else:
            start = (state.values(index) > 0) | (week.kept_upper > 0)
            if week.size <= WHOLE_LP_CANDIDATES:
                start[:] = True
            relaxation = relax(week, start, started + RELAX_SHARE * share)
            bound = min(relaxation.bound, flow_bound(week))
        state.relaxations[index] = relaxation
        state.bound[index] = bound
        if week.size > FLOW_ONLY_CANDIDATES:  # the flow's own plan, re-solved once, first
            first = relaxation.hours.astype(np.int64)
            state.offer(index, blocked_flow_plan(week, relaxation.flags > 0, first, rounds=1))
        if week.size <= FLOW_ONLY_CANDIDATES or time.perf_counter() < started + share:
            rounded = round_relaxation(week, relaxation, [state.values(index)], started + share)
            state.offer(index, rounded)
        state.bound[index] = max(state.bound[index], state.value[index])
    clock.mark("rounded_plan")
    report(state.incumbent(), state.total_bound())


def _search(
    state: WeekState,
    policy: Policy,
    clock: Clock,
    report: Callable[[float, float], None],
    cancel: threading.Event | None,
) -> None:
    """CP-SAT per week with a gap, largest gap first, time shared in proportion to gaps.

    With ``policy.deterministic_time`` each week's work budget is fixed up front from the
    gaps, so the run repeats; the wall-clock share is recomputed as weeks finish. A
    deterministic time of 0 skips the search (greedy, LP and rounding only).
    """
    if policy.deterministic_time == 0:
        return
    # continuity is outside the weekly bounds: with it on, every week may still gain
    extra = state.continuity.weight if state.continuity.active else 0.0

    def gap(index: int) -> float:
        return state.gap(index) + extra

    order = sorted(
        (index for index in range(len(state.weeks)) if gap(index) > GAP_TOLERANCE),
        key=lambda index: (-gap(index), index),
    )
    total_gap = sum(gap(index) for index in order)
    for position, index in enumerate(order):
        if _cancelled(cancel) or clock.left() <= MIN_WEEK_SEARCH_S:
            return
        waiting_gap = sum(gap(other) for other in order[position:]) or 1.0
        share = gap(index) / waiting_gap
        week_policy = dataclasses.replace(
            policy,
            time_limit_s=max(MIN_WEEK_SEARCH_S, clock.left() * share),
            deterministic_time=(
                None
                if policy.deterministic_time is None
                else policy.deterministic_time * gap(index) / total_gap
            ),
        )
        _search_week(state, index, week_policy, report, cancel)
        state.searched = True


def _search_week(
    state: WeekState,
    index: int,
    policy: Policy,
    report: Callable[[float, float], None],
    cancel: threading.Event | None,
) -> None:
    week, relaxation = state.weeks[index], state.relaxations[index]
    allowed = relaxation.active if relaxation is not None else np.zeros(week.size, dtype=bool)
    gains = state.continuity_gains(index)
    # the plan's total moves by as much as the week's score (continuity included, the
    # other weeks fixed) moves away from the week's current score
    base = state.incumbent() - state.scored(index, state.values(index), gains)

    def week_report(value: float) -> None:
        report(base + value, state.total_bound())

    outcome = polish_week(
        week,
        state.values(index),
        allowed,
        policy,
        week_report,
        cancel,
        gains=gains,
    )
    state.offer(index, outcome.values)
    if outcome.complete and not state.coupled[index] and not _cancelled(cancel):
        state.bound[index] = max(min(state.bound[index], outcome.bound), state.value[index])
        state.proven[index] = outcome.optimal


def _better_plan(
    prepared: Prepared,
    policy: Policy,
    state: WeekState,
    greedy: pl.DataFrame,
    greedy_terms: dict[str, float],
) -> tuple[pl.DataFrame, dict[str, float]]:
    """The weekly plans assembled and scored, unless they score below the greedy plan."""
    plan = assemble_plan(prepared, state.candidate_values())
    terms = evaluate(prepared.data, plan, policy)
    if terms["objective"] < greedy_terms["objective"] - 1e-9:
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
    closed = not any(state.coupled) and all(
        proven or state.gap(index) <= GAP_TOLERANCE for index, proven in enumerate(state.proven)
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
