"""Continuity: the same person on a demand week after week, counted as assignment starts.

A *start* is a (person, demand, week) with hours whose previous week (7 days earlier)
has no hours of that person on that demand; the objective pays ``continuity_weight``
per start, so handing a demand from one person to another and back costs, while the
same person through consecutive weeks costs one start. Held rows (pinned, hard,
frozen, locked people) count like any other.

Starts couple neighbouring weeks, which the per-week method keeps apart, so each
week is planned with its neighbours as they stand: for a candidate (person, demand,
week) with ``used`` = hours > 0, the starts that depend on it are its own (if the
previous week is idle) and the next week's (if it is busy), so with the neighbours
fixed its gain is linear:

    continuity_weight x used x (busy(previous week) + busy(next week) - 1)

(plus a constant). Every week search and every comparison of two plans of one week
uses this gain with the neighbours of the best plan so far: block-coordinate ascent,
exact for the week given its neighbours, a heuristic for the whole horizon.

The bound sees the *certain* starts: a candidate whose previous week can hold no hours
of its pair (no candidate there, no held row) starts an assignment whenever it is
used, and so does a held row in that position in every plan. So every plan pays at
least ``weight x [hours > 0]`` per such candidate, plus ``weight`` per such held row
(a candidate with a held row of its pair in its own week changes no start: the week
is busy anyway, so its gain is 0 and it is never a certain start);
in a week's LP the first is ``weight x hours / upper`` (``hours <= upper x used``), a
cost per tenth the LP flow carries (:func:`solver.rounding.lp_flow`). The starts that
depend on two weeks' choices stay out of the bound: with ``used >= hours / upper`` they
add little (on the S benchmark the whole coupled LP, solved by GLOP, takes off 185
where the certain starts take 114, of the 369 its plan pays) at a cost out of
proportion (``docs/performance.md``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from solver.prepare import Prepared
from solver.relax import Relaxation
from solver.rounding import lp_flow
from solver.weekly import Week


class Continuity:
    """Starts of a plan given per candidate, and the per-week gains above.

    Args:
        prepared: the planning problem (candidates and held rows).
        weight: ``Policy.continuity_weight``.
    """

    def __init__(self, prepared: Prepared, weight: float) -> None:
        self.weight = weight
        candidates = prepared.candidates.select("person_id", "demand_id", "week")
        held = prepared.pinned_rows.filter(pl.col("hours") > 0).select(
            "person_id", "demand_id", "week"
        )
        both = pl.concat([candidates, held])
        #: keys of one (person, demand) pair lie in [pair x stride, (pair + 1) x stride)
        self.stride = 1
        if both.height == 0:
            self.candidate_key = np.zeros(0, dtype=np.int64)
            self.held_keys = np.zeros(0, dtype=np.int64)
        else:
            first = both["week"].min()
            keyed = both.with_columns(
                pair=pl.struct("person_id", "demand_id").rank("dense").cast(pl.Int64),
                ordinal=((pl.col("week") - first).dt.total_days() // 7).cast(pl.Int64),
            )
            # one spare ordinal per pair: key - 1 never reaches the previous pair
            last_ordinal = keyed["ordinal"].max()
            assert isinstance(last_ordinal, int)  # an Int64 column with rows
            stride = self.stride = last_ordinal + 2
            keys = (keyed["pair"] * stride + keyed["ordinal"] + 1).to_numpy()
            self.candidate_key = keys[: candidates.height].astype(np.int64)
            self.held_keys = np.unique(keys[candidates.height :]).astype(np.int64)
        self.previous = self._index_of(self.candidate_key - 1)
        self.next = self._index_of(self.candidate_key + 1)
        self.previous_held = np.isin(self.candidate_key - 1, self.held_keys)
        self.next_held = np.isin(self.candidate_key + 1, self.held_keys)
        #: per candidate: a held row of its pair in its own week already makes the week
        #: busy, so using the candidate changes no start
        self.own_held = np.isin(self.candidate_key, self.held_keys)
        #: per candidate: using it starts an assignment in every plan
        self.certain_start = (self.previous < 0) & ~self.previous_held & ~self.own_held
        held_after_nothing = ~np.isin(self.held_keys - 1, self.held_keys) & (
            self._index_of(self.held_keys - 1) < 0
        )
        #: held rows that start an assignment in every plan
        self.certain_held_starts = int(held_after_nothing.sum())

    def _index_of(self, keys: np.ndarray) -> np.ndarray:
        """The candidate with each key in ``keys`` (-1 where none)."""
        result = np.full(keys.shape[0], -1, dtype=np.int64)
        if self.candidate_key.shape[0] == 0:
            return result
        order = np.argsort(self.candidate_key, kind="stable")
        sorted_keys = self.candidate_key[order]
        at = np.clip(np.searchsorted(sorted_keys, keys), 0, sorted_keys.shape[0] - 1)
        hit = sorted_keys[at] == keys
        result[hit] = order[at[hit]]
        return result

    @property
    def active(self) -> bool:
        """Whether the term counts at all (weight above 0)."""
        return self.weight > 0

    def gains(self, week: Week, values: np.ndarray) -> np.ndarray:
        """Per candidate of ``week``: the gain of using it, given ``values`` (tenths per
        global candidate) in the neighbouring weeks (objective units)."""
        index = week.candidate
        gains = self.weight * (
            self._busy(self.previous[index], self.previous_held[index], values)
            + self._busy(self.next[index], self.next_held[index], values)
            - 1.0
        )
        return np.where(self.own_held[index], 0.0, gains)

    def certain_start_cost(self, week: Week) -> np.ndarray | None:
        """Per candidate of ``week``: what using it costs in starts in every plan
        (``weight`` for a certain start, else 0); None when the term is off."""
        if not self.active:
            return None
        return self.weight * self.certain_start[week.candidate].astype(np.float64)

    def bound_cut(self, week: Week, relaxation: Relaxation) -> float:
        """How far the certain starts of ``week`` lower its LP bound ``relaxation``
        (:func:`solver.rounding.lp_flow` of the week): the LP solved again with them
        charged, only when its plan uses one (otherwise that plan stays optimal and
        nothing changes). Objective units, at least 0."""
        cost = self.certain_start_cost(week)
        if cost is None or not (cost[relaxation.hours > 0] > 0).any():
            return 0.0
        return max(0.0, relaxation.bound - lp_flow(week, cost).bound)

    def certain_held_cost(self) -> float:
        """``weight x`` the held rows that start an assignment in every plan."""
        return self.weight * self.certain_held_starts if self.active else 0.0

    def coupled(self, week: Week) -> bool:
        """Whether the week's continuity gains depend on other weeks' decisions (a candidate
        with a candidate neighbour): then a search of the week alone proves nothing."""
        if not self.active:
            return False
        index = week.candidate
        return bool(((self.previous[index] >= 0) | (self.next[index] >= 0)).any())

    @staticmethod
    def _busy(neighbour: np.ndarray, held: np.ndarray, values: np.ndarray) -> np.ndarray:
        used = np.zeros(neighbour.shape[0], dtype=bool)
        has = neighbour >= 0
        used[has] = values[neighbour[has]] > 0
        return (used | held).astype(np.float64)

    def starts(self, values: np.ndarray) -> int:
        """Assignment starts of the plan with ``values`` (tenths per global candidate)."""
        busy = np.union1d(self.held_keys, self.candidate_key[values > 0])
        return int((~np.isin(busy - 1, busy)).sum())

    def starts_of_pairs(self, candidates: np.ndarray, tenths: np.ndarray) -> int:
        """Assignment starts on the (person, demand) pairs of ``candidates`` (global
        indices, every candidate of those pairs) when they carry ``tenths``: the part of
        :meth:`starts` that depends on them alone."""
        keys = self.candidate_key[candidates]
        pairs = np.unique(keys // self.stride)
        low = np.searchsorted(self.held_keys, pairs * self.stride)
        high = np.searchsorted(self.held_keys, (pairs + 1) * self.stride)
        held = [self.held_keys[a:b] for a, b in zip(low.tolist(), high.tolist(), strict=True)]
        busy = np.unique(np.concatenate([keys[tenths > 0], *held]))
        return int((~np.isin(busy - 1, busy)).sum())

    def cost(self, values: np.ndarray) -> float:
        """``weight x starts``: the continuity term of the objective."""
        return self.weight * self.starts(values) if self.active else 0.0
