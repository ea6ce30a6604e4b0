"""Passes over the weeks: each week's plan improved move by move until nothing is worth it.

One *pass* improves every week in order, from the plan so far:

1. the greedy first fit from that plan (:func:`solver.greedy.fill_week`);
2. the LP relaxation as a min-cost flow (:func:`solver.rounding.lp_flow`; in the first
   pass also the week's bound), with continuity given the neighbouring weeks counted
   per tenth, rounded to whole tenths by min-cost flows that count it too
   (:func:`solver.rounding.round_relaxation`): among plans of equal cover, the one
   that keeps people on the demands they held the week before and after;
3. on small weeks, CP-SAT from the plan so far, in the worker process
   (:func:`solver.polish.polish_week`), with a deterministic work budget.

Each proposal replaces the week's plan only move by move, where a move earns more than
``Policy.min_move_gain`` (:mod:`solver.accept`). The first pass counts churn against
the current allocation; every later pass counts it against the plan the pass starts
from, exactly as a new run would once this plan is applied. Passes repeat, on the
weeks whose inputs changed, until a pass changes nothing: the plan returned is then a
fixed point of re-planning (planning again on the applied plan finds no move worth
it), and the same input gives the same plan on any machine, since no step looks at the
clock (the wall-clock limit only caps the run, and says so when it does).

Once the passes settle, :func:`settle_people` puts back the people whose own changes
do not pay for them (:mod:`solver.reverts`, ``Policy.min_person_gain``) and passes
again on the weeks that changed, so the plan returned is still such a fixed point.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver.greedy import fill_week
from solver.policy import Policy
from solver.polish import polish_week
from solver.reverts import PersonReverts
from solver.rounding import lp_flow, round_relaxation
from solver.week_state import Clock, WeekState

#: Weeks with at most this many candidates are searched by CP-SAT by default (above it,
#: CP-SAT found nothing better than the rounded plan in the measurements of
#: ``docs/performance.md`` while writing its model alone took seconds).
SEARCH_CANDIDATES = 150

#: Most passes over the weeks; a run that needs more says so.
MAX_PASSES = 12

#: Most rounds of person reverts, each followed by passes (:func:`settle_people`).
MAX_SETTLE_ROUNDS = 4

#: A week whose plan is this close to its bound (objective units) is not searched.
GAP_TOLERANCE = 1e-6

Report = Callable[[float, float], None]


@dataclass(frozen=True)
class PassContext:
    """What every week of a pass shares: the policy, the clock (its cap), the cancel
    event, and how many weeks are small enough for CP-SAT (their budget share)."""

    policy: Policy
    clock: Clock
    cancel: threading.Event | None
    searchable: int


@dataclass
class PassOutcome:
    """What the passes did: how many, and whether the last one changed nothing."""

    passes: int = 0
    settled: bool = False


def run_passes(
    state: WeekState,
    policy: Policy,
    clock: Clock,
    report: Report,
    cancel: threading.Event | None,
    resume: PassOutcome | None = None,
) -> PassOutcome:
    """Passes over the weeks until one changes nothing (see the module docstring).

    ``resume``: the outcome of earlier passes on ``state``, to go on from (churn counted
    against the plan so far from the start); the weeks unchanged since they last changed
    nothing are not looked at again.
    """
    outcome = PassOutcome(resume.passes) if resume else PassOutcome()
    if resume is None:
        state.seen[:] = [None] * len(state.weeks)
    seen = state.seen
    searchable = sum(week.size <= SEARCH_CANDIDATES for week in state.weeks)
    context = PassContext(policy, clock, cancel, searchable)
    for number in range(outcome.passes, outcome.passes + MAX_PASSES):
        changed = False
        for index in range(len(state.weeks)):
            if _stopped(cancel) or clock.out_of_time():
                return outcome
            if number:
                state.anchor_at_plan(index)
            signature = _signature(state, index)
            if signature == seen[index]:
                continue
            before = state.values(index)
            improve_week(state, index, context, first=number == 0 and resume is None)
            state.processed[index] = True
            week_changed = not np.array_equal(before, state.values(index))
            changed |= week_changed
            # a week that changed is looked at again in the next pass, with its new plan
            seen[index] = None if week_changed else signature
        outcome.passes = number + 1
        if number == 0 and resume is None:
            clock.mark("rounded_plan")
        report(state.incumbent(), state.total_bound())
        if not changed:
            outcome.settled = True
            return outcome
    return outcome


def settle_people(
    state: WeekState,
    policy: Policy,
    clock: Clock,
    report: Report,
    cancel: threading.Event | None,
    outcome: PassOutcome,
) -> PassOutcome:
    """After passes that settled: put back the people not worth moving
    (:mod:`solver.reverts`), and pass again over the weeks that changed, until the
    reverts put back nobody (at most :data:`MAX_SETTLE_ROUNDS` times); the outcome of the
    last passes, so a plan that settled is still a fixed point of re-planning."""
    if policy.min_person_gain <= 0 or state.people is None:
        return outcome
    reverts = PersonReverts(state, policy.min_person_gain)
    for _ in range(MAX_SETTLE_ROUNDS):
        if not outcome.settled or _stopped(cancel) or clock.out_of_time():
            break
        if not reverts.run():
            break
        outcome = run_passes(state, policy, clock, report, cancel, resume=outcome)
    return outcome


def _signature(state: WeekState, index: int) -> bytes:
    """What a week's pass depends on: its anchor, its plan and its neighbours' plans."""
    digest = hashlib.sha256(state.anchored[index].kept_upper.tobytes())
    digest.update(state.values(index).tobytes())
    for other in (index - 1, index + 1):
        if 0 <= other < len(state.weeks):
            digest.update(state.values(other).tobytes())
    return digest.digest()


def improve_week(state: WeekState, index: int, context: PassContext, first: bool) -> None:
    """One week of a pass: fill, LP and rounding, CP-SAT on small weeks (each offered
    move by move); in the first pass also the week's bound."""
    week = state.anchored[index]
    state.offer(index, fill_week(week, state.values(index)))
    plan = state.values(index)
    gains = state.continuity_gains(index)
    # the LP without continuity: the week's bound (first pass), and the one to round
    # when continuity is off; with it on, the LP to round counts it given the neighbours
    plain = lp_flow(week) if first or gains is None else None
    if first and plain is not None:
        state.relaxations[index] = plain
        state.bound[index] = plain.bound
        state.start_cut[index] = state.continuity.bound_cut(week, plain)
    relaxation = lp_flow(week, -gains) if gains is not None else plain
    assert relaxation is not None  # computed above when there are no gains
    state.offer(index, round_relaxation(week, relaxation, [plan], gains=gains), record=True)
    if week.size <= SEARCH_CANDIDATES and context.policy.deterministic_time != 0:
        _search_week(state, index, context, first)
    state.bound[index] = max(state.bound[index], state.value[index])


def _search_week(state: WeekState, index: int, context: PassContext, first: bool) -> None:
    """CP-SAT on the week from its plan so far; its work budget is the week's share of
    ``policy.deterministic_time`` (wall clock only as the cap)."""
    import dataclasses

    policy, clock, cancel = context.policy, context.clock, context.cancel
    week = state.anchored[index]
    if first and state.gap(index) <= GAP_TOLERANCE and not state.continuity.active:
        return
    budget = None
    if policy.deterministic_time is not None:
        budget = policy.deterministic_time / max(1, context.searchable)
    week_policy = dataclasses.replace(
        policy, time_limit_s=max(0.05, clock.left()), deterministic_time=budget
    )
    gains = state.continuity_gains(index)
    outcome = polish_week(
        week,
        state.values(index),
        np.ones(week.size, dtype=bool),
        week_policy,
        cancel=cancel,
        gains=gains,
    )
    if outcome.crashed:
        _note_crash(state, week.week.isoformat(), outcome.crashed)
        return
    if outcome.capped:
        clock.capped = True
    state.offer(index, outcome.values)
    if first and outcome.complete and not state.coupled[index] and not _stopped(cancel):
        # CP-SAT's bound already counts the week's starts (its continuity gains)
        state.bound[index] = min(state.bound[index] - state.start_cut[index], outcome.bound)
        state.start_cut[index] = 0.0
        # proven only when the week's plan is CP-SAT's optimum: a move of it held back
        # (not counted in ``held``, which records the rounding's) leaves it short
        taken = np.array_equal(state.values(index), outcome.values)
        state.proven[index] = outcome.optimal and taken and state.held[index].moves == 0


def _note_crash(state: WeekState, monday: str, detail: str) -> None:
    state.notes.append(
        f"CP-SAT stopped abnormally on the week of {monday} ({detail}); the plan found "
        "before it is kept for that week."
    )


def _stopped(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


#: Least seconds worth starting CP-SAT for on one week (wall-clock search only).
MIN_WEEK_SEARCH_S = 0.05


def wall_clock_search(
    state: WeekState,
    policy: Policy,
    clock: Clock,
    report: Report,
    cancel: threading.Event | None,
) -> None:
    """CP-SAT on every week with a gap until the time limit (``deterministic_time``
    None): the weeks with the largest gap first, the time left shared in proportion to
    the gaps. A plan from this search may differ from run to run."""
    import dataclasses

    extra = state.continuity.weight if state.continuity.active else 0.0
    order = sorted(
        (i for i in range(len(state.weeks)) if state.gap(i) + extra > GAP_TOLERANCE),
        key=lambda i: (-(state.gap(i) + extra), i),
    )
    for position, index in enumerate(order):
        if _stopped(cancel) or clock.left() <= MIN_WEEK_SEARCH_S:
            return
        waiting = sum(state.gap(other) + extra for other in order[position:]) or 1.0
        share = (state.gap(index) + extra) / waiting
        week = state.anchored[index]
        relaxation = state.relaxations[index]
        allowed = relaxation.active if relaxation is not None else np.ones(week.size, bool)
        week_policy = dataclasses.replace(
            policy, time_limit_s=max(MIN_WEEK_SEARCH_S, clock.left() * share)
        )
        outcome = polish_week(
            week,
            state.values(index),
            allowed,
            week_policy,
            None,
            cancel,
            gains=state.continuity_gains(index),
        )
        if outcome.crashed:
            _note_crash(state, week.week.isoformat(), outcome.crashed)
            continue
        state.offer(index, outcome.values)
    clock.capped = True
    report(state.incumbent(), state.total_bound())
