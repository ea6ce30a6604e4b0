"""The CP-SAT model of a (multi-project) RCPSP: intervals, one cumulative per resource, precedences.

Start domains come from the heads and tails (the critical-path windows), the
horizon from the heuristic schedule's makespan, and the objective's lower limit
from our own bound, so CP-SAT starts on a tight model with a complete hint.
``ortools`` is imported inside the functions: importing :mod:`solver` stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solver.scheduling.network import Network
from solver.scheduling.types import OBJECTIVE_MAKESPAN


@dataclass(frozen=True)
class SearchSettings:
    """How CP-SAT searches.

    Attributes:
        time_limit_s: wall-clock limit of the search (seconds).
        seed: CP-SAT's random seed.
        workers: CP-SAT worker threads.
        deterministic_time: optional deterministic-time limit; with it the search is
            run so that the same (seed, workers, limit) gives the same schedule.
    """

    time_limit_s: float
    seed: int
    workers: int
    deterministic_time: float | None = None


#: Subsolvers left out of an interleaved (deterministic) search: their slices run far
#: past their deterministic budget and stall every batch (measured on the staffing model).
SLOW_INTERLEAVED_WORKERS = ("core", "no_lp", "quick_restart_no_lp", "max_lp_sym", "quick_restart")


@dataclass(frozen=True)
class SearchOutcome:
    """What CP-SAT returned: status name, starts (None without a solution), bound."""

    status: str
    starts: list[int] | None
    bound: float


def search(
    network: Network,
    objective: str,
    horizon: int,
    bounds: list[int],
    hint: list[int],
    settings: SearchSettings,
) -> SearchOutcome:
    """Build the model and run CP-SAT.

    Args:
        network: the activities.
        objective: ``makespan`` or ``total_project_finish``.
        horizon: no activity finishes after it.
        bounds: lower limit of the objective terms: one value (makespan) or one
            per project (project finishes).
        hint: a complete feasible schedule (starts per activity).
        settings: limits, seed and workers.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    heads, tails = network.heads(), network.tails()
    starts = [
        model.new_int_var(heads[i], max(heads[i], horizon - tails[i]), f"start_{i}")
        for i in range(network.size)
    ]
    _add_resources(model, network, starts)
    for i in range(network.size):
        for j in network.successors[i]:
            model.add(starts[j] >= starts[i] + network.durations[i])
    _add_set_times_strategy(model, starts, tails)
    terms = _objective_terms(model, network, objective, horizon, bounds, starts)
    model.minimize(sum(terms))
    for var, value in zip(starts, hint, strict=True):
        model.add_hint(var, value)
    for term, value in zip(terms, _term_values(network, objective, hint), strict=True):
        model.add_hint(term, value)
    solver = cp_model.CpSolver()
    _set_parameters(solver.parameters, settings)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SearchOutcome(solver.status_name(status), None, float("-inf"))
    values = [solver.value(var) for var in starts]
    return SearchOutcome(solver.status_name(status), values, solver.best_objective_bound)


def _add_resources(model: Any, network: Network, starts: list[Any]) -> None:
    """One cumulative per resource, plus a no-overlap over activities that cannot share it.

    Two activities each needing more than half a resource's capacity never run
    together; stating it as a disjunctive constraint lets CP-SAT reason on their
    order (edge finding, precedences) beyond what the cumulative propagates.
    """
    intervals = [
        model.new_fixed_size_interval_var(starts[i], network.durations[i], f"activity_{i}")
        for i in range(network.size)
    ]
    for k, capacity in enumerate(network.capacities):
        users = [i for i in range(network.size) if network.demands[i][k] and network.durations[i]]
        if not users:
            continue
        model.add_cumulative(
            [intervals[i] for i in users], [network.demands[i][k] for i in users], capacity
        )
        exclusive = [i for i in users if 2 * network.demands[i][k] > capacity]
        if len(exclusive) > 1:
            model.add_no_overlap([intervals[i] for i in exclusive])


def _add_set_times_strategy(model: Any, starts: list[Any], tails: list[int]) -> None:
    """Branch on the activity that can start earliest, at its earliest start ("set times").

    Ties go to the activity with the longest tail (latest-start-time rule). With
    CP-SAT's clause learning and restarts this is the classic strong search for
    RCPSP; on a 15-instance j120 sample (10 s, 2 workers) it lowered the mean gap
    to the best-known values from 3.3 % (default search) to 2.6 %.
    """
    from ortools.sat.python import cp_model

    by_tail = sorted(range(len(starts)), key=lambda i: (-tails[i], i))
    model.add_decision_strategy(
        [starts[i] for i in by_tail], cp_model.CHOOSE_LOWEST_MIN, cp_model.SELECT_MIN_VALUE
    )


def _objective_terms(
    model: Any,
    network: Network,
    objective: str,
    horizon: int,
    bounds: list[int],
    starts: list[Any],
) -> list[Any]:
    """The makespan variable, or one finish variable per project."""
    groups = _finishing_groups(network, objective)
    terms = []
    for number, members in enumerate(groups):
        term = model.new_int_var(min(bounds[number], horizon), horizon, f"finish_{number}")
        for i in members:
            model.add(term >= starts[i] + network.durations[i])
        terms.append(term)
    return terms


def _finishing_groups(network: Network, objective: str) -> list[list[int]]:
    """Activities whose finish can be the objective term's value, per term.

    Makespan: activities without successors. Project finish: activities of the
    project without a successor in the same project.
    """
    if objective == OBJECTIVE_MAKESPAN:
        return [[i for i in range(network.size) if not network.successors[i]]]
    groups: list[list[int]] = [[] for _ in network.project_ids]
    for i in range(network.size):
        project = network.project_of[i]
        if not any(network.project_of[j] == project for j in network.successors[i]):
            groups[project].append(i)
    return groups


def _term_values(network: Network, objective: str, starts: list[int]) -> list[int]:
    """Objective terms of a schedule (for the hint)."""
    return [
        max((starts[i] + network.durations[i] for i in members), default=0)
        for members in _finishing_groups(network, objective)
    ]


def objective_value(network: Network, objective: str, starts: list[int]) -> int:
    """Objective of a schedule: makespan, or the sum of the projects' finishes."""
    return sum(_term_values(network, objective, starts))


def _set_parameters(parameters: Any, settings: SearchSettings) -> None:
    """Limits, seed, workers, the search strategy; interleaved with a deterministic limit.

    The full-problem worker follows the set-times strategy (``FIXED_SEARCH``). Tried
    instead on j120 subsets (10 s, 2 workers, a 2-core machine at load 4-8) and not
    kept: the quick-restart portfolio (mean gap on the six hardest 10.8 % vs 11.8 %,
    on all 60 3.99 % vs 4.14 % at the same load: within the noise, and unmeasured on
    j30/j60, whose figures are with this search), two full workers ``fixed`` +
    ``quick_restart`` (10.2 % vs 9.4 % on eight), LNS only, default search, and LNS
    with a 0.01 deterministic-time limit per neighbourhood (all worse).
    """
    from ortools.sat.python import cp_model

    parameters.search_branching = cp_model.FIXED_SEARCH
    parameters.max_time_in_seconds = max(settings.time_limit_s, 0.01)
    parameters.random_seed = settings.seed
    parameters.num_workers = max(1, settings.workers)
    if settings.deterministic_time is not None:
        parameters.max_deterministic_time = settings.deterministic_time
        if settings.workers > 1:
            parameters.interleave_search = True
            parameters.ignore_subsolvers.extend(SLOW_INTERLEAVED_WORKERS)
