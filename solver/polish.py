"""CP-SAT on one week, started from a complete hint, to improve the rounded plan.

A week's model is small enough to write variable by variable into the CP-SAT
proto; large weeks are restricted to the candidates the LP relaxation
considered plus those the hint uses (the rest stays at 0), small weeks keep
every candidate so CP-SAT can prove the week optimal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver.cpsat import OBJECTIVE_SCALE, set_parameters
from solver.policy import Policy
from solver.relax import item_arrays
from solver.weekly import Week

#: Weeks with at most this many candidates keep all of them in CP-SAT.
FULL_WEEK_CANDIDATES = 4_000

#: Called with the week's improving value (objective units, no constant).
WeekReport = Callable[[float], None]


@dataclass
class WeekOutcome:
    """What CP-SAT returned for one week.

    Attributes:
        values: tenths per candidate of the week (the hint if nothing better was found).
        value: the week's objective value of ``values``.
        bound: CP-SAT's bound, valid for the week only when ``complete``.
        optimal: CP-SAT proved ``values`` optimal for the model it was given.
        complete: the model had every candidate of the week.
        crashed: when the worker process died, what it said (the hint came back).
        capped: the wall-clock limit, not the work budget, ended the search (a run that
            may not repeat).
    """

    values: np.ndarray
    value: float
    bound: float
    optimal: bool
    complete: bool
    crashed: str | None = None
    capped: bool = False


def polish_week(
    week: Week,
    hint: np.ndarray,
    allowed: np.ndarray,
    policy: Policy,
    report: WeekReport | None = None,
    cancel: threading.Event | None = None,
    gains: np.ndarray | None = None,
) -> WeekOutcome:
    """Search the week with CP-SAT from ``hint`` (feasible tenths per candidate), in the
    worker process of :mod:`solver.contained` (a native abort there cannot end the caller).

    Args:
        allowed: bool per candidate; ignored (all allowed) for weeks of at most
            :data:`FULL_WEEK_CANDIDATES` candidates. The hint's candidates are always allowed.
        policy: time limit, deterministic time, seed and workers of this week's search.
        report: called with each better week value CP-SAT finds (objective units).
        cancel: set it to stop: the worker is killed and the hint comes back.
        gains: optional objective gain per candidate for using it at all (continuity,
            given the neighbouring weeks); values and bounds then include them.

    Returns:
        The outcome; the hint (``crashed`` set) when the worker died, the hint when
        cancelled.
    """
    from solver.contained import SearchCancelled, SearchCrashed, run_contained

    complete = week.size <= FULL_WEEK_CANDIDATES
    hinted = WeekOutcome(hint, week.value(hint, gains), float("inf"), False, complete)

    def on_message(value: object) -> None:
        if report is not None:
            report(float(value))  # type: ignore[arg-type]

    try:
        return run_contained(
            "solver.polish:search_week",
            (week, hint, allowed, policy, gains),
            on_message=on_message,
            cancel=cancel,
        )
    except SearchCancelled:
        return hinted
    except SearchCrashed as crash:
        hinted.crashed = crash.detail
        return hinted


def search_week(
    week: Week,
    hint: np.ndarray,
    allowed: np.ndarray,
    policy: Policy,
    gains: np.ndarray | None,
    emit: Callable[[object], None] | None = None,
) -> WeekOutcome:
    """The CP-SAT search of :func:`polish_week`, run in the worker process (a job of
    :func:`solver.contained.run_contained`); ``emit`` gets each better week value.

    The search is never stopped from the solution callback: with interleaved workers and
    a complete hint that aborts the process (``docs/performance.md``, "CP-SAT abort").
    """
    from ortools.sat.python import cp_model

    complete = week.size <= FULL_WEEK_CANDIDATES
    allowed = np.ones(week.size, dtype=bool) if complete else (allowed | (hint > 0))
    model = cp_model.CpModel()
    items = _write_week(model.proto, week, allowed, hint, cp_model.INT_MIN, gains)
    solver = cp_model.CpSolver()
    set_parameters(solver.parameters, policy)
    solver.parameters.fix_variables_to_their_hinted_value = False
    status = solver.solve(model, _callback(cp_model, emit))
    capped = (
        status != cp_model.OPTIMAL
        and solver.wall_time >= 0.98 * policy.time_limit_s
        and (
            policy.deterministic_time is None
            or solver.response_proto.deterministic_time < 0.98 * policy.deterministic_time
        )
    )
    hinted = WeekOutcome(hint, week.value(hint, gains), float("inf"), False, complete)
    hinted.capped = capped
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hinted
    solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
    values = np.bincount(items, weights=solution[: items.shape[0]], minlength=week.size)
    values = values.astype(np.int64)
    value = week.value(values, gains)
    bound = solver.best_objective_bound / OBJECTIVE_SCALE
    optimal = status == cp_model.OPTIMAL
    if value < hinted.value or not week.feasible(values):
        return WeekOutcome(hint, hinted.value, bound, False, complete, capped=capped)
    return WeekOutcome(values, value, bound, optimal, complete, capped=capped)


def _write_week(
    proto: Any,
    week: Week,
    allowed: np.ndarray,
    hint: np.ndarray,
    int_min: int,
    gains: np.ndarray | None = None,
) -> np.ndarray:
    """Items, flags, rows, objective and hint of the week into ``proto``.

    Returns:
        The candidate of each item variable (item variables come first, then flags).
    """
    candidate, bound, gain = item_arrays(week)
    is_kept = np.arange(candidate.shape[0]) < int((week.kept_upper > 0).sum())
    keep = allowed[candidate] & (gain > 0)
    candidate, bound, gain, is_kept = candidate[keep], bound[keep], gain[keep], is_kept[keep]
    items = candidate.shape[0]
    group = week.group[candidate]
    flagged_groups = np.unique(group[week.group_flagged[group]])
    flag_of = np.full(week.group_flagged.shape[0], -1, dtype=np.int64)
    flag_of[flagged_groups] = items + np.arange(flagged_groups.shape[0])
    for upper in bound.tolist():
        proto.variables.add().domain.extend([0, upper])
    for _ in range(flagged_groups.shape[0]):
        proto.variables.add().domain.extend([0, 1])
    positions = np.arange(items)
    _rows(proto, week.person[candidate], positions, week.free, int_min)
    _rows(proto, week.demand[candidate], positions, week.remaining, int_min)
    _flag_rows(proto, group, positions, flagged_groups, flag_of, week.group_largest, int_min)
    _project_limits(proto, week, flagged_groups, flag_of, int_min)
    blocks = _minimum_blocks(
        proto, week, candidate, items + flagged_groups.shape[0], int_min, gains
    )
    scaled = np.rint(gain * OBJECTIVE_SCALE).astype(np.int64)
    frag = round(week.fragmentation * OBJECTIVE_SCALE)
    proto.objective.vars.extend(range(items + flagged_groups.shape[0]))
    proto.objective.coeffs.extend([*(-scaled).tolist(), *[frag] * flagged_groups.shape[0]])
    proto.objective.scaling_factor = -1.0
    _hint(proto, week, candidate, bound, is_kept, hint, flagged_groups)
    proto.solution_hint.vars.extend(range(items + flagged_groups.shape[0], len(proto.variables)))
    proto.solution_hint.values.extend((hint[blocks] > 0).astype(np.int64).tolist())
    return candidate


def _project_limits(
    proto: Any, week: Week, flagged_groups: np.ndarray, flag_of: np.ndarray, int_min: int
) -> None:
    """Per person: ``sum(flags of their new projects) <= slots`` where the limit binds."""
    persons = week.group_person[flagged_groups]
    for person in np.unique(persons).tolist():
        mine = flagged_groups[persons == person]
        if mine.shape[0] <= week.slots[person]:
            continue
        linear = proto.constraints.add().linear
        linear.vars.extend(flag_of[mine].tolist())
        linear.coeffs.extend([1] * mine.shape[0])
        linear.domain.extend([int_min, int(week.slots[person])])


def _minimum_blocks(
    proto: Any,
    week: Week,
    candidate: np.ndarray,
    first_var: int,
    int_min: int,
    gains: np.ndarray | None = None,
) -> np.ndarray:
    """Per candidate with a minimum block above one tenth or a nonzero ``gains`` entry, a
    use Boolean u, ``lower x u <= sum(its items) <= upper x u`` and ``gains x u`` in the
    objective.

    Returns:
        The candidates that got a Boolean, in variable order (from ``first_var``).
    """
    wanted = week.lower[candidate] > 1
    if gains is not None:
        wanted |= np.abs(gains[candidate]) > 1e-12
    blocked = np.unique(candidate[wanted])
    # the item variables of each blocked candidate, grouped by one sort (linear, not a
    # search per candidate)
    position = np.full(week.size, -1, dtype=np.int64)
    position[blocked] = np.arange(blocked.shape[0])
    owner = position[candidate]
    mine = np.flatnonzero(owner >= 0)
    mine = mine[np.argsort(owner[mine], kind="stable")]
    splits = np.searchsorted(owner[mine], np.arange(blocked.shape[0] + 1))
    item_lists = mine.tolist()
    lowers = np.maximum(1, week.lower[blocked]).tolist()
    uppers = week.upper[blocked].tolist()
    for offset in range(blocked.shape[0]):
        its = item_lists[splits[offset] : splits[offset + 1]]
        use = first_var + offset
        proto.variables.add().domain.extend([0, 1])
        at_least = proto.constraints.add().linear
        at_least.vars.extend([*its, use])
        at_least.coeffs.extend([1] * len(its) + [-int(lowers[offset])])
        at_least.domain.extend([0, int(uppers[offset])])
        at_most = proto.constraints.add().linear
        at_most.vars.extend([*its, use])
        at_most.coeffs.extend([1] * len(its) + [-int(uppers[offset])])
        at_most.domain.extend([int_min, 0])
    if gains is not None and blocked.shape[0]:
        scaled = np.rint(gains[blocked] * OBJECTIVE_SCALE).astype(np.int64)
        proto.objective.vars.extend(range(first_var, first_var + blocked.shape[0]))
        proto.objective.coeffs.extend((-scaled).tolist())
    return blocked


def _rows(
    proto: Any, keys: np.ndarray, positions: np.ndarray, limits: np.ndarray, int_min: int
) -> None:
    """``sum(items with key) <= limit`` for each key whose items could exceed its limit."""
    if keys.shape[0] == 0:
        return
    order = np.argsort(keys, kind="stable")
    keys_sorted, items_sorted = keys[order], positions[order].tolist()
    distinct, starts = np.unique(keys_sorted, return_index=True)
    ends = np.append(starts[1:], keys_sorted.shape[0])
    for key, first, last in zip(distinct.tolist(), starts.tolist(), ends.tolist(), strict=True):
        linear = proto.constraints.add().linear
        linear.vars.extend(items_sorted[first:last])
        linear.coeffs.extend([1] * (last - first))
        linear.domain.extend([int_min, int(limits[key])])


def _flag_rows(
    proto: Any,
    group: np.ndarray,
    positions: np.ndarray,
    flagged_groups: np.ndarray,
    flag_of: np.ndarray,
    largest: np.ndarray,
    int_min: int,
) -> None:
    """Per flagged group: ``sum(its items) - largest x flag <= 0``."""
    flagged = np.isin(group, flagged_groups)
    keys, items = group[flagged], positions[flagged]
    if keys.shape[0] == 0:
        return
    order = np.argsort(keys, kind="stable")
    keys_sorted, items_sorted = keys[order], items[order].tolist()
    distinct, starts = np.unique(keys_sorted, return_index=True)
    ends = np.append(starts[1:], keys_sorted.shape[0])
    for key, first, last in zip(distinct.tolist(), starts.tolist(), ends.tolist(), strict=True):
        linear = proto.constraints.add().linear
        linear.vars.extend([*items_sorted[first:last], int(flag_of[key])])
        linear.coeffs.extend([1] * (last - first) + [-int(largest[key])])
        linear.domain.extend([int_min, 0])


def _hint(
    proto: Any,
    week: Week,
    candidate: np.ndarray,
    bound: np.ndarray,
    is_kept: np.ndarray,
    hint: np.ndarray,
    flagged_groups: np.ndarray,
) -> None:
    """The complete hint: each candidate's tenths fill its kept item first, then the rest."""
    kept_part = np.minimum(hint[candidate], week.kept_upper[candidate])
    values = np.where(is_kept, kept_part, np.minimum(bound, hint[candidate] - kept_part))
    values = np.clip(values, 0, bound)
    used = np.zeros(week.group_flagged.shape[0], dtype=bool)
    used[week.group[hint > 0]] = True
    flags = used[flagged_groups].astype(np.int64)
    all_values = np.concatenate([values, flags])
    proto.solution_hint.vars.extend(range(all_values.shape[0]))
    proto.solution_hint.values.extend(all_values.tolist())


def _callback(cp_model: Any, emit: Callable[[object], None] | None) -> Any:
    """Hands each improving week value to ``emit``; it never stops the search (see
    :func:`search_week`)."""

    class WeekCallback(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if emit is not None:
                emit(self.objective_value / OBJECTIVE_SCALE)

    return WeekCallback()
