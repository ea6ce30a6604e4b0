"""Which changes of a week's plan earn their keep: split a change into independent moves.

Two feasible plans of one week differ in some candidates. Link two changed candidates
when they share a person or a demand: each connected set is a *move* (a person
leaving one demand for another, the chain of people that covers the gap, ...). Every
constraint of the week (capacity per person, demand per demand-week, project limit
and fragmentation per person) lies inside one move, so any subset of the moves
applied to the old plan is again feasible, and the objective changes by the sum of
their own gains: a move's gain is exact, not an estimate. A move is kept only when
its gain exceeds the threshold (``Policy.min_move_gain``); the others are held back
and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.people import PeopleMoved
from solver.weekly import Week


@dataclass(frozen=True)
class Accepted:
    """The outcome of :func:`accept_moves`.

    Attributes:
        values: tenths per candidate: the old plan with the moves worth their keep.
        moves_kept, moves_held: number of moves applied and held back.
        gain_kept, gain_held: the sum of their gains (objective units); held-back gains
            are those above 0 (moves that would lose are not counted).
        tenths_held: tenths changed by the held-back moves with a gain above 0.
    """

    values: np.ndarray
    moves_kept: int
    moves_held: int
    gain_kept: float
    gain_held: float
    tenths_held: int


def move_labels(week: Week, changed: np.ndarray) -> np.ndarray:
    """The move (0, 1, ...) of each changed candidate (bool per candidate), -1 elsewhere:
    connected components of changed candidates linked by person or demand."""
    persons = week.free.shape[0]
    parent = list(range(persons + week.remaining.shape[0]))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    indices = np.flatnonzero(changed)
    people = week.person[indices].tolist()
    demands = (persons + week.demand[indices]).tolist()
    for person, demand in zip(people, demands, strict=True):
        first, second = root(person), root(demand)
        if first != second:
            parent[max(first, second)] = min(first, second)
    labels = np.full(week.size, -1, dtype=np.int64)
    if indices.shape[0]:
        roots = np.asarray([root(person) for person in people], dtype=np.int64)
        labels[indices] = np.unique(roots, return_inverse=True)[1]
    return labels


def move_gains(
    week: Week,
    old: np.ndarray,
    new: np.ndarray,
    labels: np.ndarray,
    gains: np.ndarray | None = None,
) -> np.ndarray:
    """The objective change of each move (``labels`` from :func:`move_labels`) applied
    alone to ``old``: cover and churn per candidate, fragmentation per person-project
    group, and the continuity ``gains`` per candidate used (given the other weeks)."""
    moves = int(labels.max()) + 1 if labels.shape[0] else 0
    if moves == 0:
        return np.zeros(0)
    changed = labels >= 0
    per_candidate = _item_value(week, new) - _item_value(week, old)
    if gains is not None:
        per_candidate = per_candidate + gains * ((new > 0).astype(float) - (old > 0))
    result = np.bincount(labels[changed], weights=per_candidate[changed], minlength=moves)
    groups = week.group_flagged.shape[0]
    used_old = np.bincount(week.group, weights=(old > 0), minlength=groups) > 0
    used_new = np.bincount(week.group, weights=(new > 0), minlength=groups) > 0
    opened = (used_new.astype(np.int64) - used_old) * week.group_flagged
    touched = np.flatnonzero(opened != 0)
    if touched.shape[0]:
        # a group's candidates all belong to its person, so to one move
        label_of_group = np.full(groups, -1, dtype=np.int64)
        label_of_group[week.group[changed]] = labels[changed]
        np.add.at(result, label_of_group[touched], -week.fragmentation * opened[touched])
    return result


def _item_value(week: Week, tenths: np.ndarray) -> np.ndarray:
    """Cover and churn per candidate (the kept part earns churn back, the rest pays it)."""
    kept = np.minimum(tenths, week.kept_upper)
    return week.cover_gain * tenths + week.churn_gain * (kept - (tenths - kept))


def accept_moves(
    week: Week,
    old: np.ndarray,
    new: np.ndarray,
    threshold: float,
    gains: np.ndarray | None = None,
    people: PeopleMoved | None = None,
    person_threshold: float = 0.0,
) -> Accepted:
    """``old`` with the moves of ``new`` whose own gain exceeds ``threshold``, and
    ``person_threshold`` times the people each newly moves when ``people`` says who is
    moved already.

    Both plans must be feasible for ``week``; so is the result (see the module
    docstring). ``week.kept_upper`` says which plan churn counts against.
    """
    changed = old != new
    if not changed.any():
        return Accepted(old.copy(), 0, 0, 0.0, 0.0, 0)
    labels = move_labels(week, changed)
    gain = move_gains(week, old, new, labels, gains)
    least = np.full(gain.shape[0], threshold)
    if people is not None and person_threshold > 0:
        added = people.added_per_move(week, old, new, labels)
        least = np.maximum(least, person_threshold * added)
    worth = gain > least + 1e-9
    apply = changed & worth[np.maximum(labels, 0)]
    values = np.where(apply, new, old)
    held = (~worth) & (gain > 1e-9)
    held_candidates = changed & held[np.maximum(labels, 0)]
    return Accepted(
        values=values,
        moves_kept=int(worth.sum()),
        moves_held=int(held.sum()),
        gain_kept=float(gain[worth].sum()),
        gain_held=float(gain[held].sum()),
        tenths_held=int(np.abs(new - old)[held_candidates].sum()),
    )
