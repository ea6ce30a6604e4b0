"""The scheduling core: resource-constrained (multi-)project scheduling with CP-SAT.

Projects with release dates share renewable resources; activities have fixed
durations, demands and finish-to-start successors. :func:`solve_schedule`
minimises the portfolio makespan (default; what PSPLIB and MPLIB best-known
values measure) or the sum of the projects' finishes, and reports the result
against our own lower bounds (critical path from the release dates, resource
energy) as well as CP-SAT's, which is weak on 2 workers.

Public API:

- :func:`read_psplib` (OR-Tools' ``.sm`` parser), :func:`read_mplib`, :func:`build_instance`
  (from plain rows) -> :class:`SchedulingInstance`.
- :func:`solve_schedule` -> :class:`ScheduleResult`.
- :func:`lower_bounds` -> the bounds alone, without a search.
- :func:`check_schedule` -> the violated constraints of any schedule frame.

Pipeline: check the network; heads and tails (critical-path windows); bounds; a
priority-rule schedule improved by forward-backward passes (hint and horizon);
CP-SAT on intervals + one cumulative per resource + precedences, with the
objective bounded below by our bound. If the heuristic already meets the bound
it is optimal and CP-SAT is skipped. Deterministic with a ``deterministic_time``
limit: the heuristic then runs all its passes, so it depends only on (instance,
seed), and CP-SAT runs an interleaved search that gives the same result for the
same (seed, workers, limit). Without it, the heuristic's passes stop after a
share of the wall-clock limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import polars as pl

from solver.scheduling.heuristic import heuristic_schedule, horizon_of, makespan_of
from solver.scheduling.instances import read_mplib, read_psplib
from solver.scheduling.model import SearchSettings, objective_value, search
from solver.scheduling.network import (
    Network,
    critical_path_bound,
    energy_bound,
    network_of,
)
from solver.scheduling.types import (
    OBJECTIVE_MAKESPAN,
    OBJECTIVE_TOTAL_PROJECT_FINISH,
    OBJECTIVES,
    STARTS_SCHEMA,
    InstanceFormatError,
    ScheduleResult,
    SchedulingInstance,
    build_instance,
)

__all__ = [
    "OBJECTIVE_MAKESPAN",
    "OBJECTIVE_TOTAL_PROJECT_FINISH",
    "InstanceFormatError",
    "LowerBounds",
    "ScheduleResult",
    "SchedulingInstance",
    "build_instance",
    "check_schedule",
    "lower_bounds",
    "read_mplib",
    "read_psplib",
    "solve_schedule",
]


#: Share of the wall-clock limit the priority-rule passes may use before CP-SAT starts
#: (without a deterministic limit). The passes plateau early (300 passes instead of
#: 40 shorten the two hardest j120 schedules tried by 1-2 %), while on a loaded
#: 2-core machine the passes over the 1,488 activities of an MPLIB instance took
#: 20-40 s of a 60 s budget and pushed one run to 81 s.
HEURISTIC_SHARE = 0.15


@dataclass(frozen=True)
class LowerBounds:
    """Our own lower bounds of an objective, computed without search.

    Attributes:
        critical_path: longest path from the release dates (summed per project for
            ``total_project_finish``).
        energy: resource energy bound (summed per project for ``total_project_finish``).
        combined: the best valid combination: their max for the makespan, the sum
            over projects of the per-project max for the project finishes.
        per_term: the lower limit of each objective term (one for the makespan, one
            per project otherwise).
    """

    critical_path: int
    energy: int
    combined: int
    per_term: list[int]


def lower_bounds(instance: SchedulingInstance, objective: str = OBJECTIVE_MAKESPAN) -> LowerBounds:
    """Critical-path and energy lower bounds of ``objective`` for ``instance``.

    Raises:
        ValueError: an unknown objective, or an instance with no schedule (see
            :func:`solver.scheduling.network.network_of`).
    """
    return _bounds(network_of(instance), _checked(objective))


def _checked(objective: str) -> str:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, not {objective!r}")
    return objective


def _bounds(network: Network, objective: str) -> LowerBounds:
    """:func:`lower_bounds` on a checked network."""
    heads = network.heads()
    if objective == OBJECTIVE_MAKESPAN:
        critical = critical_path_bound(network, heads)
        energy = energy_bound(network, heads, network.tails())
        return LowerBounds(critical, energy, max(critical, energy), [max(critical, energy)])
    critical_terms, energy_terms = [], []
    for project in range(len(network.project_ids)):
        members = [i for i in range(network.size) if network.project_of[i] == project]
        critical_terms.append(critical_path_bound(network, heads, members))
        energy_terms.append(energy_bound(network, heads, network.tails(project), members))
    per_term = [max(c, e) for c, e in zip(critical_terms, energy_terms, strict=True)]
    return LowerBounds(sum(critical_terms), sum(energy_terms), sum(per_term), per_term)


def solve_schedule(
    instance: SchedulingInstance,
    time_limit_s: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    deterministic_time: float | None = None,
    objective: str = OBJECTIVE_MAKESPAN,
) -> ScheduleResult:
    """Schedule every activity, minimising ``objective``, within ``time_limit_s``.

    Args:
        instance: the projects, activities, resources and precedences.
        time_limit_s: wall-clock limit for the whole call (heuristic included; the
            heuristic's random passes stop after :data:`HEURISTIC_SHARE` of it).
        seed: seed of the heuristic's random passes and of CP-SAT.
        workers: CP-SAT worker threads.
        deterministic_time: optional CP-SAT deterministic-time limit; with it the
            heuristic runs all its passes (no wall-clock share) and the result is the
            same for the same (instance, seed, workers, limit) as long as the
            wall-clock limit does not stop the search first.
        objective: ``makespan`` (latest finish over all projects; the MPLIB
            "total makespan" and the PSPLIB makespan) or ``total_project_finish``
            (sum over projects of each project's latest finish).

    Returns:
        A :class:`ScheduleResult`; its ``starts`` frame is ``project, activity,
        start, finish`` in the instance's activity order.

    Raises:
        ValueError: an unknown objective or an instance with no schedule (a
            demand above capacity, a precedence cycle, an unknown reference).
    """
    began = time.perf_counter()
    network = network_of(instance)
    bounds = _bounds(network, _checked(objective))
    deadline = None if deterministic_time is not None else began + HEURISTIC_SHARE * time_limit_s
    hint = heuristic_schedule(network, network.tails(), seed, bounds.combined, deadline)
    hint_value = objective_value(network, objective, hint)
    if hint_value <= bounds.combined:
        return _result(network, objective, bounds, "OPTIMAL", hint, None, hint_value, began)
    horizon = makespan_of(network, hint) if objective == OBJECTIVE_MAKESPAN else horizon_of(network)
    remaining = time_limit_s - (time.perf_counter() - began)
    settings = SearchSettings(remaining, seed, workers, deterministic_time)
    outcome = search(network, objective, horizon, bounds.per_term, hint, settings)
    if outcome.status in ("INFEASIBLE", "MODEL_INVALID"):
        raise RuntimeError(
            f"{instance.name}: CP-SAT says {outcome.status} although the hint is feasible"
        )
    starts, status = hint, "FEASIBLE"  # the hint stands when CP-SAT finds nothing better in time
    if (
        outcome.starts is not None
        and objective_value(network, objective, outcome.starts) <= hint_value
    ):
        starts, status = outcome.starts, outcome.status
    return _result(network, objective, bounds, status, starts, outcome.bound, hint_value, began)


def _result(
    network: Network,
    objective: str,
    bounds: LowerBounds,
    status: str,
    starts: list[int],
    cpsat_bound: float | None,
    hint_value: int,
    began: float,
) -> ScheduleResult:
    """Assemble a :class:`ScheduleResult` from a schedule and the bounds."""
    value = objective_value(network, objective, starts)
    lower = max(bounds.combined, _ceil(cpsat_bound))
    if value <= lower:
        status = "OPTIMAL"
    gap = (value - lower) / lower if lower > 0 else 0.0
    return ScheduleResult(
        status=status,
        starts=_starts_frame(network, starts),
        objective=value,
        objective_kind=objective,
        cpsat_bound=cpsat_bound,
        critical_path_bound=bounds.critical_path,
        energy_bound=bounds.energy,
        lower_bound=lower,
        gap_to_own_bound=gap,
        heuristic_objective=hint_value,
        wall_time_s=time.perf_counter() - began,
    )


def _ceil(bound: float | None) -> int:
    """A float bound rounded up to the integer it implies (objectives are integers)."""
    if bound is None or not math.isfinite(bound):
        return 0
    return int(-(-bound // 1))


def _starts_frame(network: Network, starts: list[int]) -> pl.DataFrame:
    """``project, activity, start, finish`` per activity."""
    return pl.DataFrame(
        {
            "project": [project for project, _ in network.keys],
            "activity": [activity for _, activity in network.keys],
            "start": starts,
            "finish": [s + d for s, d in zip(starts, network.durations, strict=True)],
        },
        schema=STARTS_SCHEMA,
    )


def check_schedule(instance: SchedulingInstance, starts: pl.DataFrame) -> list[str]:
    """Every violated constraint of a schedule, in words (empty when it is feasible).

    Checks that each activity appears once with ``finish = start + duration``,
    starts at or after its project's release date and its predecessors' finishes,
    and that no resource is used above its capacity in any period.
    """
    network = network_of(instance)
    given = {(p, a): (s, f) for p, a, s, f in starts.select(list(STARTS_SCHEMA)).iter_rows()}
    problems = [
        f"activity {p}:{a} is not scheduled" for p, a in network.keys if (p, a) not in given
    ]
    if problems:
        return problems
    start = [given[key][0] for key in network.keys]
    for i, (p, a) in enumerate(network.keys):
        if given[(p, a)][1] != start[i] + network.durations[i]:
            problems.append(
                f"activity {p}:{a} finishes at {given[(p, a)][1]}, not start + duration"
            )
        if start[i] < network.releases[i]:
            problems.append(f"activity {p}:{a} starts at {start[i]}, before its release date")
        for j in network.successors[i]:
            if start[j] < start[i] + network.durations[i]:
                q, b = network.keys[j]
                problems.append(f"activity {q}:{b} starts before its predecessor {p}:{a} finishes")
    problems.extend(_capacity_problems(network, start))
    return problems


def _capacity_problems(network: Network, start: list[int]) -> list[str]:
    """Periods where a resource is used above its capacity."""
    problems = []
    for k, capacity in enumerate(network.capacities):
        usage: dict[int, int] = {}
        for i in range(network.size):
            for period in range(start[i], start[i] + network.durations[i]):
                usage[period] = usage.get(period, 0) + network.demands[i][k]
        over = sorted(period for period, used in usage.items() if used > capacity)
        if over:
            problems.append(f"resource index {k} above capacity {capacity} in period {over[0]}")
    return problems
