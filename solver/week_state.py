"""The per-week state of one run: the clock, and the best plan, value and bound per week."""

from __future__ import annotations

import math
import time

import numpy as np

from solver.continuity import Continuity
from solver.policy import Policy
from solver.relax import Relaxation
from solver.weekly import Week, week_values

#: Time kept back from the search for moves, KPIs and explanations (at most this, or
#: this share of the limit), so the whole call ends within the limit.
REPORT_RESERVE_S = 1.0
REPORT_RESERVE_SHARE = 0.05


class Clock:
    """Wall time of one run: the deadline, and seconds per phase for the report."""

    def __init__(self, started: float, policy: Policy) -> None:
        self.started = started
        self.deadline = (
            started
            + policy.time_limit_s
            - min(REPORT_RESERVE_S, REPORT_RESERVE_SHARE * policy.time_limit_s)
        )
        self.last = started
        self.timings: dict[str, float] = {}

    def phase(self, name: str) -> None:
        """Close phase ``name``: the seconds since the previous phase ended."""
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now

    def mark(self, name: str) -> None:
        """Note that ``name`` happened now (seconds since the start)."""
        self.timings[name] = time.perf_counter() - self.started

    def left(self) -> float:
        """Seconds until the deadline (may be negative)."""
        return self.deadline - time.perf_counter()


class WeekState:
    """Best plan, value and bound per week; totals include the objective constant.

    ``value`` and ``bound`` per week leave continuity out (it couples weeks); the
    incumbent takes it off as a whole, and comparing two plans of one week adds its
    gains given the neighbouring weeks (:mod:`solver.continuity`).
    """

    def __init__(
        self, weeks: list[Week], greedy: list[int], constant: float, continuity: Continuity
    ) -> None:
        self.weeks = weeks
        self.constant = constant
        self.continuity = continuity
        self.all_values = np.asarray(greedy, dtype=np.int64)
        self.value = [week.value(week_values(week, self.all_values)) for week in weeks]
        self.bound = [math.inf] * len(weeks)
        self.relaxations: list[Relaxation | None] = [None] * len(weeks)
        self.proven = [False] * len(weeks)
        self.coupled = [continuity.coupled(week) for week in weeks]
        self.searched = False

    def values(self, index: int) -> np.ndarray:
        """Tenths per candidate of week ``index`` in the best plan so far (a copy)."""
        return self.all_values[self.weeks[index].candidate]

    def incumbent(self) -> float:
        return self.constant + sum(self.value) - self.continuity.cost(self.all_values)

    def continuity_gains(self, index: int) -> np.ndarray | None:
        """Per candidate of week ``index``: its continuity gain given the other weeks."""
        if not self.continuity.active:
            return None
        return self.continuity.gains(self.weeks[index], self.all_values)

    def scored(self, index: int, values: np.ndarray, gains: np.ndarray | None) -> float:
        """The week's value of ``values`` plus their continuity gains."""
        value = self.weeks[index].value(values)
        return value if gains is None else value + float(gains[values > 0].sum())

    def total_bound(self) -> float:
        return self.constant + sum(self.bound)

    def offer(self, index: int, values: np.ndarray) -> None:
        """Keep ``values`` for week ``index`` if they are feasible and score better
        (continuity included, the other weeks as they stand)."""
        week = self.weeks[index]
        if not week.feasible(values):
            return
        gains = self.continuity_gains(index)
        if self.scored(index, values, gains) > self.scored(index, self.values(index), gains) + 1e-9:
            self.value[index] = week.value(values)
            self.all_values[week.candidate] = values

    def gap(self, index: int) -> float:
        return max(0.0, self.bound[index] - self.value[index])

    def candidate_values(self) -> list[int]:
        """Tenths per global candidate of the best plans."""
        return self.all_values.tolist()
