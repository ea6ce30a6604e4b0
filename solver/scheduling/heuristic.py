"""A priority-rule schedule with forward-backward improvement: CP-SAT's hint and horizon.

The serial schedule generation scheme places activities one at a time, in
priority order among those whose predecessors are placed, at the earliest
period where every resource has room. Forward-backward improvement (double
justification: shift everything right in order of decreasing finish, then left
in order of increasing start) never lengthens a schedule and usually shortens
it by a few percent. A handful of priority rules plus seeded random-biased
passes give, in a fraction of a second, a schedule within a few percent of the
best known, which CP-SAT then improves. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import time
from heapq import heappop, heappush

from solver.scheduling.network import Network

#: Work budget: total activity placements of the random-biased passes (plus the rules).
PLACEMENT_BUDGET = 20_000

#: Passes at least / at most, whatever the size.
MIN_PASSES, MAX_PASSES = 2, 40


class _Profile:
    """Resource usage per period, with earliest/latest-fit searches."""

    def __init__(self, network: Network, horizon: int) -> None:
        self.network = network
        self.free = [[capacity] * horizon for capacity in network.capacities]
        self.used_resources = [
            [k for k, demand in enumerate(row) if demand] for row in network.demands
        ]

    def earliest(self, i: int, start: int) -> int:
        """Earliest start >= ``start`` at which activity ``i`` fits."""
        duration, demands = self.network.durations[i], self.network.demands[i]
        if duration == 0:
            return start
        while True:
            conflict = -1
            for k in self.used_resources[i]:
                row, demand = self.free[k], demands[k]
                for period in range(start + duration - 1, start - 1, -1):
                    if row[period] < demand:
                        conflict = max(conflict, period)
                        break
            if conflict < 0:
                return start
            start = conflict + 1

    def latest(self, i: int, finish: int) -> int:
        """Latest finish <= ``finish`` at which activity ``i`` fits (never below its duration)."""
        duration, demands = self.network.durations[i], self.network.demands[i]
        if duration == 0:
            return finish
        while True:
            conflict = finish
            for k in self.used_resources[i]:
                row, demand = self.free[k], demands[k]
                for period in range(finish - duration, finish):
                    if row[period] < demand:
                        conflict = min(conflict, period)
                        break
            if conflict == finish:
                return finish
            finish = conflict

    def place(self, i: int, start: int) -> None:
        """Book activity ``i`` from ``start``."""
        demands = self.network.demands[i]
        for k in self.used_resources[i]:
            row = self.free[k]
            for period in range(start, start + self.network.durations[i]):
                row[period] -= demands[k]


def horizon_of(network: Network) -> int:
    """Periods enough for any serial schedule: latest release plus all durations."""
    return max(network.releases, default=0) + sum(network.durations) + 1


def serial_schedule(network: Network, priority: list[float]) -> list[int]:
    """Serial SGS: among eligible activities the smallest ``priority`` goes first, earliest fit."""
    profile = _Profile(network, horizon_of(network))
    waiting = [len(p) for p in network.predecessors]
    ready_at = list(network.releases)
    eligible = [(priority[i], i) for i in range(network.size) if waiting[i] == 0]
    eligible.sort()
    starts = [0] * network.size
    while eligible:
        _, i = heappop(eligible)
        start = profile.earliest(i, ready_at[i])
        profile.place(i, start)
        starts[i] = start
        finish = start + network.durations[i]
        for j in network.successors[i]:
            ready_at[j] = max(ready_at[j], finish)
            waiting[j] -= 1
            if waiting[j] == 0:
                heappush(eligible, (priority[j], j))
    return starts


def justify(network: Network, starts: list[int]) -> list[int]:
    """Forward-backward improvement until the makespan stops shrinking."""
    best = list(starts)
    best_makespan = makespan_of(network, best)
    while True:
        candidate = _left_shift(network, _right_shift(network, best, best_makespan))
        makespan = makespan_of(network, candidate)
        if makespan >= best_makespan:
            return best
        best, best_makespan = candidate, makespan


def _right_shift(network: Network, starts: list[int], makespan: int) -> list[int]:
    """Every activity as late as possible before ``makespan``, in order of decreasing finish."""
    position = {i: rank for rank, i in enumerate(network.order)}
    durations = network.durations
    order = sorted(
        range(network.size),
        key=lambda i: (starts[i] + durations[i], starts[i], position[i]),
        reverse=True,
    )
    profile = _Profile(network, max(makespan, 1))
    shifted = list(starts)
    for i in order:
        latest = min((shifted[j] for j in network.successors[i]), default=makespan)
        finish = profile.latest(i, min(latest, makespan))
        shifted[i] = finish - durations[i]
        profile.place(i, shifted[i])
    return shifted


def _left_shift(network: Network, starts: list[int]) -> list[int]:
    """Every activity as early as possible, in order of increasing start."""
    position = {i: rank for rank, i in enumerate(network.order)}
    order = sorted(range(network.size), key=lambda i: (starts[i], position[i]))
    profile = _Profile(network, horizon_of(network))
    shifted = list(starts)
    for i in order:
        ready = max(
            [network.releases[i]]
            + [shifted[p] + network.durations[p] for p in network.predecessors[i]]
        )
        shifted[i] = profile.earliest(i, ready)
        profile.place(i, shifted[i])
    return shifted


def makespan_of(network: Network, starts: list[int]) -> int:
    """Latest finish of a schedule."""
    return max((s + d for s, d in zip(starts, network.durations, strict=True)), default=0)


def priority_rules(network: Network, tails: list[int]) -> list[list[float]]:
    """Classic rules, smaller first: latest start (longest tail), then most successors."""
    successors_total = _successor_counts(network)
    return [
        [-tails[i] for i in range(network.size)],
        [-(tails[i] - network.durations[i]) for i in range(network.size)],
        [-successors_total[i] - tails[i] / (1 + max(tails)) for i in range(network.size)],
    ]


def _successor_counts(network: Network) -> list[int]:
    """Direct plus indirect successors per activity (capped union, by bitsets)."""
    reach = [0] * network.size
    for i in reversed(network.order):
        for j in network.successors[i]:
            reach[i] |= reach[j] | (1 << j)
    return [bits.bit_count() for bits in reach]


def heuristic_schedule(
    network: Network,
    tails: list[int],
    seed: int,
    target: int = 0,
    deadline: float | None = None,
) -> list[int]:
    """Best justified serial schedule over the rules and seeded random-biased passes.

    Stops early when a schedule reaches ``target`` (a lower bound), or, when
    ``deadline`` (a :func:`time.perf_counter` value) is given, at the first pass
    after it; the rule passes always run. Without a deadline the number of passes
    depends only on the instance size, so the result depends only on (instance,
    seed); with one it also depends on the machine's speed and load.
    """
    rng = random.Random(seed)
    best: list[int] | None = None
    best_makespan = 0
    passes = max(MIN_PASSES, min(MAX_PASSES, PLACEMENT_BUDGET // max(network.size, 1)))
    rules = priority_rules(network, tails)
    spread = max(1.0, max(tails, default=1) * 0.15)
    for number in range(len(rules) + passes):
        if number < len(rules):
            priority = rules[number]
        else:
            priority = [-tails[i] + rng.uniform(0, spread) for i in range(network.size)]
        starts = justify(network, serial_schedule(network, priority))
        makespan = makespan_of(network, starts)
        if best is None or makespan < best_makespan:
            best, best_makespan = starts, makespan
        if best_makespan <= target:
            break
        if deadline is not None and number >= len(rules) - 1 and time.perf_counter() >= deadline:
            break
    assert best is not None
    return best
