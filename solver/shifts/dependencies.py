"""Finish-to-start links between projects as difference constraints on start shifts.

A project's start shift ``S_p`` (whole weeks, ``0 <= S_p <= upper_p``) moves all its
demand. A link ``from -> to`` with lag ``L`` asks

    first(to) + S_to >= last(from) + S_from + 1 + L,  i.e.  S_to - S_from >= gap,

with ``gap = last(from) + 1 + L - first(to)`` (weeks). These are difference
constraints: the least shifts that satisfy them are longest paths from 0, and
they can be satisfied exactly when there is no cycle of links (a cycle always
has a positive total gap: every project lasts at least a week) and no least
shift exceeds its project's allowance. A conflict is then one cycle, or one
chain of links with the allowance at its end; the chain with the fewest links
is reported, in words. Pure Python on small lists: no solver.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A project's first and last week with demand (week numbers and Mondays)."""

    first: int
    last: int
    first_week: dt.date
    last_week: dt.date


@dataclass(frozen=True)
class Link:
    """One finish-to-start dependency between two projects that both have demand."""

    source: str
    target: str
    lag: int
    gap: int  # least S_target - S_source


@dataclass(frozen=True)
class Allowance:
    """How far a project may start later: ``weeks``, or 0 when ``locked``."""

    weeks: int
    locked: bool

    @property
    def upper(self) -> int:
        return 0 if self.locked else max(0, self.weeks)


@dataclass
class ShiftBounds:
    """Least and greatest shifts that satisfy every link (when ``conflicts`` is empty)."""

    lower: dict[str, int]
    upper: dict[str, int]
    conflicts: list[str]


def make_links(spans: dict[str, Span], rows: list[tuple[str, str, int]]) -> list[Link]:
    """Links from ``(from, to, lag)`` rows; a link to or from a project without demand
    holds whatever the shifts and is dropped. Duplicates keep the largest lag."""
    best: dict[tuple[str, str], int] = {}
    for source, target, lag in rows:
        if source in spans and target in spans:
            key = (source, target)
            best[key] = max(best.get(key, 0), max(0, int(lag or 0)))
    return [
        Link(source, target, lag, spans[source].last + 1 + lag - spans[target].first)
        for (source, target), lag in sorted(best.items())
    ]


def shift_bounds(
    spans: dict[str, Span], allowances: dict[str, Allowance], links: list[Link]
) -> ShiftBounds:
    """Least and greatest feasible shift per project with demand, or the conflicts.

    Every project in ``spans`` gets bounds; projects without an allowance may not shift.
    Cycles are reported first; the rest of the analysis runs on the links outside cycles,
    so every independent conflict is named.
    """
    upper = {p: allowances.get(p, Allowance(0, False)).upper for p in spans}
    cyclic, conflicts = _cycles(spans, links)
    acyclic = [link for link in links if (link.source, link.target) not in cyclic]
    order = _topological(sorted(spans), acyclic)
    incoming: dict[str, list[Link]] = {p: [] for p in spans}
    outgoing: dict[str, list[Link]] = {p: [] for p in spans}
    for link in acyclic:
        incoming[link.target].append(link)
        outgoing[link.source].append(link)
    lower = {p: 0 for p in spans}
    for project in order:
        for link in incoming[project]:
            lower[project] = max(lower[project], lower[link.source] + link.gap)
    late = [p for p in order if lower[p] > upper[p]]
    if late:
        chains = _fewest_link_chains(sorted(spans), acyclic, {p: upper[p] for p in late})
        conflicts += [
            _chain_message(chains[p], spans, allowances.get(p, Allowance(0, False))) for p in late
        ]
    greatest = dict(upper)
    for project in reversed(order):
        for link in outgoing[project]:
            greatest[project] = min(greatest[project], greatest[link.target] - link.gap)
    return ShiftBounds(lower=lower, upper=greatest, conflicts=conflicts)


def _cycles(spans: dict[str, Span], links: list[Link]) -> tuple[set[tuple[str, str]], list[str]]:
    """Links inside cycles (strongly connected components), and one message per component:
    its shortest cycle through its first project."""
    successors: dict[str, list[Link]] = {p: [] for p in spans}
    for link in links:
        successors[link.source].append(link)
    component = _components(sorted(spans), successors)
    inside = {
        (link.source, link.target)
        for link in links
        if component[link.source] == component[link.target]
    }
    messages = []
    cyclic_components = {component[source] for source, _ in inside}
    for project in sorted(spans):
        if component[project] in cyclic_components:
            cyclic_components.discard(component[project])
            messages.append(_cycle_message(_shortest_cycle(project, successors, component)))
    return inside, messages


def _components(nodes: list[str], successors: dict[str, list[Link]]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative), labelled by discovery."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    label: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = successors[node]
            if position < len(edges):
                work.append((node, position + 1))
                child = edges[position].target
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    label[member] = index[node]
                    if member == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return label


def _shortest_cycle(
    start: str, successors: dict[str, list[Link]], component: dict[str, int]
) -> list[Link]:
    """Fewest links from ``start`` back to itself, within its component (BFS)."""
    came: dict[str, Link] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for link in successors[node]:
            if component[link.target] != component[start]:
                continue
            if link.target == start:
                path = [link]
                while path[0].source != start:
                    path.insert(0, came[path[0].source])
                return path
            if link.target not in came:
                came[link.target] = link
                queue.append(link.target)
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover - caller checked


def _topological(nodes: list[str], links: list[Link]) -> list[str]:
    """Kahn's order of an acyclic link set (ties by name, so deterministic)."""
    indegree = {p: 0 for p in nodes}
    successors: dict[str, list[str]] = {p: [] for p in nodes}
    for link in links:
        indegree[link.target] += 1
        successors[link.source].append(link.target)
    ready = deque(p for p in nodes if indegree[p] == 0)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for child in successors[node]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return order


def _fewest_link_chains(
    nodes: list[str], links: list[Link], limits: dict[str, int]
) -> dict[str, list[Link]]:
    """For each project in ``limits``, a chain of links with the fewest links whose gaps
    sum above the limit (layered longest paths: ``best[k][p]`` is the largest sum over
    chains of at most ``k`` links ending at ``p``, starting anywhere at 0)."""
    best = [{p: 0 for p in nodes}]
    came: list[dict[str, Link]] = [{}]
    chains: dict[str, list[Link]] = {}
    for _ in range(len(nodes)):
        previous = best[-1]
        layer, pred = dict(previous), {}
        for link in links:
            value = previous[link.source] + link.gap
            if value > layer[link.target]:
                layer[link.target], pred[link.target] = value, link
        best.append(layer)
        came.append(pred)
        depth = len(best) - 1
        for project, limit in limits.items():
            if project not in chains and layer[project] > limit:
                chains[project] = _walk_back(project, depth, best, came)
        if len(chains) == len(limits):
            break
    return chains


def _walk_back(
    project: str, depth: int, best: list[dict[str, int]], came: list[dict[str, Link]]
) -> list[Link]:
    chain: list[Link] = []
    node = project
    while depth > 0:
        if best[depth][node] == best[depth - 1][node] or node not in came[depth]:
            depth -= 1
            continue
        link = came[depth][node]
        chain.insert(0, link)
        node, depth = link.source, depth - 1
    return chain


def weeks_text(count: int) -> str:
    """``1`` -> ``"1 week"``, ``3`` -> ``"3 weeks"``."""
    return f"{count} week" if count == 1 else f"{count} weeks"


def link_text(link: Link) -> str:
    """``"finish-to-start, lag 1 week"``."""
    return f"finish-to-start, lag {weeks_text(link.lag)}"


def _allowance_text(project: str, allowance: Allowance) -> str:
    if allowance.locked:
        return (
            f"Project {project} may not start later (it is locked: pinned or hard "
            "allocations, or demand inside the frozen horizon)"
        )
    if allowance.upper == 0:
        return f"Project {project} may not start later (may_shift_weeks is 0)"
    most = weeks_text(allowance.upper)
    return f"Project {project} may start at most {most} later (may_shift_weeks)"


def _chain_message(chain: list[Link], spans: dict[str, Span], allowance: Allowance) -> str:
    """The allowance of the chain's last project against the chain, in words."""
    project = chain[-1].target
    parts = [_allowance_text(project, allowance) + ", but it depends on "]
    for position, link in enumerate(reversed(chain)):
        if position:
            parts.append(", which depends on ")
        parts.append(f"{link.source} ({link_text(link)})")
    origin = chain[0].source
    parts.append(f", which ends in the week of {spans[origin].last_week.isoformat()}")
    total = 0
    for link in chain[:-1]:
        total += link.gap
        ends = spans[link.target].last_week + dt.timedelta(weeks=total)
        parts.append(
            f"; so {link.target} must start at least {weeks_text(total)} later and ends in "
            f"the week of {ends.isoformat()}"
        )
    total += chain[-1].gap
    parts.append(f": {project} would have to start {weeks_text(total)} later")
    return "".join(parts)


def _cycle_message(cycle: list[Link]) -> str:
    if len(cycle) == 1:
        link = cycle[0]
        return f"Project {link.source} depends on itself ({link_text(link)}): this can never hold"
    names = [link.source for link in cycle]
    steps = "; ".join(f"{link.source} -> {link.target}, {link_text(link)}" for link in cycle)
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return (
        f"Projects {listed} depend on each other in a cycle ({steps}): a project cannot "
        "start after its own end, whatever the shifts"
    )
