"""The activity network of an instance as plain lists, and the bounds computed from it.

Frames are the interface; the heuristic, the bounds and the CP-SAT model all
walk the network activity by activity, so they share this list form, built once
and checked (unknown references, cycles, demands above capacity). The bounds are
our own lower bounds: they need no search and stay tight where CP-SAT's bound,
on 2 workers, is weak.
"""

from __future__ import annotations

from dataclasses import dataclass
from heapq import heapify, heappop, heappush

from solver.scheduling.types import SchedulingInstance

#: A path length for "no path" in per-project tails.
NO_PATH = -(10**18)


@dataclass(frozen=True)
class Network:
    """An instance as lists indexed by activity number ``0 .. n-1`` (the frame's row order).

    Attributes:
        keys: ``(project, activity)`` ids per activity.
        durations: duration per activity.
        demands: demand per activity and resource index.
        capacities: capacity per resource index.
        successors / predecessors: activity numbers.
        releases: release date of each activity's project.
        project_of: project index (into ``project_ids``) per activity.
        project_ids: project ids in the order of the projects frame.
        order: a topological order (every predecessor before its successors).
    """

    keys: list[tuple[int, int]]
    durations: list[int]
    demands: list[list[int]]
    capacities: list[int]
    successors: list[list[int]]
    predecessors: list[list[int]]
    releases: list[int]
    project_of: list[int]
    project_ids: list[int]
    order: list[int]

    @property
    def size(self) -> int:
        """Number of activities."""
        return len(self.keys)

    def heads(self) -> list[int]:
        """Earliest start per activity: longest precedence path from its release date."""
        heads = list(self.releases)
        for i in self.order:
            finish = heads[i] + self.durations[i]
            for successor in self.successors[i]:
                heads[successor] = max(heads[successor], finish)
        return heads

    def tails(self, project: int | None = None) -> list[int]:
        """Longest path from each activity's start to the end (its duration included).

        With ``project`` (an index), only paths ending at an activity of that project
        count, which bounds that project's finish; activities with no such path get
        :data:`NO_PATH`.
        """
        tails = [NO_PATH] * self.size
        for i in reversed(self.order):
            after = max((tails[s] for s in self.successors[i]), default=NO_PATH)
            own = 0 if project is None or self.project_of[i] == project else NO_PATH
            longest = max(after, own)
            tails[i] = NO_PATH if longest == NO_PATH else self.durations[i] + longest
        return tails


def network_of(instance: SchedulingInstance) -> Network:
    """Check an instance and turn it into a :class:`Network`.

    Raises:
        ValueError: duplicate activities, unknown projects, resources or successors,
            negative values, a demand above its resource's capacity (no schedule
            exists) or a precedence cycle; the message names the activity.
    """
    keys = [(p, a) for p, a in instance.activities.select("project", "activity").iter_rows()]
    index = {key: i for i, key in enumerate(keys)}
    if len(index) != len(keys):
        raise ValueError(f"{instance.name}: an activity is listed twice")
    resources = instance.resources.get_column("resource").to_list()
    capacities = instance.resources.get_column("capacity").to_list()
    resource_index = {resource: k for k, resource in enumerate(resources)}
    project_ids = instance.projects.get_column("project").to_list()
    project_index = {project: k for k, project in enumerate(project_ids)}
    release_dates = instance.projects.get_column("release_date").to_list()
    durations = instance.activities.get_column("duration").to_list()
    demands = [[0] * len(resources) for _ in keys]
    for project, activity, resource, demand in instance.demands.iter_rows():
        i = _lookup(index, (project, activity), instance.name, "a demand")
        if resource not in resource_index:
            raise ValueError(
                f"{instance.name}: activity {project}:{activity} uses unknown resource {resource}"
            )
        demands[i][resource_index[resource]] = demand
    successors: list[list[int]] = [[] for _ in keys]
    predecessors: list[list[int]] = [[] for _ in keys]
    for project, activity, next_project, next_activity in instance.precedences.iter_rows():
        i = _lookup(index, (project, activity), instance.name, "a precedence")
        j = _lookup(
            index,
            (next_project, next_activity),
            instance.name,
            f"successor of {project}:{activity}",
        )
        successors[i].append(j)
        predecessors[j].append(i)
    for project, _ in keys:
        if project not in project_index:
            raise ValueError(f"{instance.name}: project {project} has no release date row")
    project_of = [project_index[project] for project, _ in keys]
    network = Network(
        keys=keys,
        durations=durations,
        demands=demands,
        capacities=capacities,
        successors=successors,
        predecessors=predecessors,
        releases=[release_dates[k] for k in project_of],
        project_of=project_of,
        project_ids=project_ids,
        order=_topological_order(keys, successors, predecessors, instance.name),
    )
    _check_values(network, instance.name, resources)
    return network


def _lookup(index: dict[tuple[int, int], int], key: tuple[int, int], name: str, what: str) -> int:
    """The activity number of ``key``, or a ValueError naming it."""
    if key not in index:
        raise ValueError(f"{name}: {what} names activity {key[0]}:{key[1]}, which does not exist")
    return index[key]


def _check_values(network: Network, name: str, resources: list[int]) -> None:
    """No negative numbers; no demand above capacity."""
    if any(c < 0 for c in network.capacities) or any(r < 0 for r in network.releases):
        raise ValueError(f"{name}: capacities and release dates must not be negative")
    for i, (project, activity) in enumerate(network.keys):
        if network.durations[i] < 0:
            raise ValueError(f"{name}: activity {project}:{activity} has a negative duration")
        for k, demand in enumerate(network.demands[i]):
            if demand < 0 or (demand > network.capacities[k] and network.durations[i] > 0):
                raise ValueError(
                    f"{name}: activity {project}:{activity} needs {demand} of resource "
                    f"{resources[k]} (capacity {network.capacities[k]}): no schedule exists"
                )


def _topological_order(
    keys: list[tuple[int, int]],
    successors: list[list[int]],
    predecessors: list[list[int]],
    name: str,
) -> list[int]:
    """Kahn's order, smallest activity number first; a ValueError names a cycle's activity."""
    waiting = [len(p) for p in predecessors]
    ready = [i for i, count in enumerate(waiting) if count == 0]
    heapify(ready)
    order: list[int] = []
    while ready:
        i = heappop(ready)
        order.append(i)
        for j in successors[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heappush(ready, j)
    if len(order) < len(keys):
        stuck = next(i for i, count in enumerate(waiting) if count > 0)
        raise ValueError(
            f"{name}: the precedences form a cycle through activity {keys[stuck][0]}:{keys[stuck][1]}"
        )
    return order


def critical_path_bound(
    network: Network, heads: list[int], members: list[int] | None = None
) -> int:
    """Latest earliest finish over ``members`` (all activities by default).

    A valid lower bound of the makespan (or of one project's finish when
    ``members`` are its activities): no activity can finish before its earliest
    finish along the longest precedence path from its release date.
    """
    chosen = range(network.size) if members is None else members
    return max((heads[i] + network.durations[i] for i in chosen), default=0)


def energy_bound(
    network: Network, heads: list[int], tails: list[int], members: list[int] | None = None
) -> int:
    """Resource energy lower bound of the makespan (or of a project's finish).

    Per resource with capacity ``c``, any set ``S`` of activities that cannot start
    before ``t`` and each leave at least ``u`` periods of successors after their
    finish needs ``t + ceil(energy(S) / c) + u`` periods, with energy = sum of
    duration x demand. We try every ``t`` among the heads and every ``u`` among the
    tails of the activities using the resource; ``t = u = 0`` with all activities is
    the textbook ``ceil(sum duration x demand / capacity)``.

    Args:
        heads: earliest starts (:meth:`Network.heads`).
        tails: :meth:`Network.tails` (for a project's finish: that project's tails).
        members: activities to count (default all).
    """
    chosen = range(network.size) if members is None else members
    best = 0
    for k, capacity in enumerate(network.capacities):
        using = [
            (
                heads[i],
                tails[i] - network.durations[i],
                network.durations[i] * network.demands[i][k],
            )
            for i in chosen
            if network.demands[i][k] and network.durations[i] and tails[i] > NO_PATH
        ]
        if using and capacity > 0:
            best = max(best, _best_energy_window(using, capacity))
    return best


def _best_energy_window(using: list[tuple[int, int, int]], capacity: int) -> int:
    """Max over (t, u) of t + ceil(energy of items with head >= t and after >= u / capacity) + u."""
    best = 0
    by_after = sorted(using, key=lambda item: -item[1])
    for threshold in sorted({head for head, _, _ in using}):
        energy = 0
        for head, after, item_energy in by_after:
            if head >= threshold:
                energy += item_energy
                best = max(best, threshold + -(-energy // capacity) + after)
    return best
