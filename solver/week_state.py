"""The per-week state of one run: the clock, and the best plan, value and bound per week."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from solver.accept import Accepted, accept_moves
from solver.continuity import Continuity
from solver.people import PeopleMoved
from solver.policy import Policy
from solver.relax import Relaxation
from solver.weekly import Week

#: Time kept back from the search for moves, KPIs and explanations, so that a capped
#: call ends within the limit: 1 s, plus this per candidate (measured: the report of
#: L's 3 M candidates takes about 6 s), at most this share of the limit.
REPORT_RESERVE_S = 1.0
REPORT_RESERVE_PER_CANDIDATE_S = 2e-6
REPORT_RESERVE_SHARE = 0.1


class Clock:
    """Wall time of one run: the safety cap, and seconds per phase for the report."""

    def __init__(self, started: float, policy: Policy, candidates: int = 0) -> None:
        self.started = started
        reserve = REPORT_RESERVE_S + REPORT_RESERVE_PER_CANDIDATE_S * candidates
        self.deadline = (
            started + policy.time_limit_s - min(reserve, REPORT_RESERVE_SHARE * policy.time_limit_s)
        )
        self.last = started
        self.timings: dict[str, float] = {}
        self.capped = False

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

    def out_of_time(self) -> bool:
        """Whether the wall-clock cap has been reached (and remember that it was)."""
        if self.left() <= 0:
            self.capped = True
        return self.capped


@dataclasses.dataclass
class HeldBack:
    """Moves proposed but not worth their keep (gain at most ``Policy.min_move_gain``).

    Attributes:
        moves: how many; tenths: tenths of an hour they would change; gain: their summed
            gain (objective units, only moves with a gain above 0 are counted).
    """

    moves: int = 0
    tenths: int = 0
    gain: float = 0.0


class WeekState:
    """Best plan, value and bound per week; totals include the objective constant.

    ``value`` and ``bound`` per week leave continuity out (it couples weeks); the
    incumbent takes it off as a whole, and comparing two plans of one week adds its
    gains given the neighbouring weeks (:mod:`solver.continuity`). The total bound
    takes off the starts every plan pays: ``start_cut`` per week (the certain starts
    charged in its LP) and the held rows that always start.

    A plan offered for a week replaces the week's plan move by move
    (:func:`solver.accept.accept_moves`): only moves whose own gain exceeds
    ``threshold``, and ``person_threshold`` for each person they newly move (``people``
    tracks who is moved), are taken, with churn counted against the week's *anchor*
    (the current allocation in the first pass, the plan so far in the later ones).
    """

    def __init__(
        self,
        weeks: list[Week],
        start: list[int],
        constant: float,
        continuity: Continuity,
        threshold: float,
        people: PeopleMoved | None = None,
        person_threshold: float = 0.0,
    ) -> None:
        self.weeks = weeks
        self.anchored = list(weeks)
        self.constant = constant
        self.continuity = continuity
        self.threshold = threshold
        self.all_values = np.asarray(start, dtype=np.int64)
        self.value = [week.value(self.values(index)) for index, week in enumerate(weeks)]
        self.bound = [math.inf] * len(weeks)
        #: per week, how far the certain starts lower its bound (objective units)
        self.start_cut = [0.0] * len(weeks)
        self.relaxations: list[Relaxation | None] = [None] * len(weeks)
        self.proven = [False] * len(weeks)
        self.coupled = [continuity.coupled(week) for week in weeks]
        self.held = [HeldBack() for _ in weeks]
        self.processed = [False] * len(weeks)
        self.notes: list[str] = []
        self.people = people
        self.person_threshold = person_threshold
        #: per week, what its last look depended on when it changed nothing (passes)
        self.seen: list[bytes | None] = [None] * len(weeks)

    def values(self, index: int) -> np.ndarray:
        """Tenths per candidate of week ``index`` in the best plan so far (a copy)."""
        return self.all_values[self.weeks[index].candidate]

    def anchor_at_plan(self, index: int) -> None:
        """From now on count churn in week ``index`` against its plan so far."""
        week = self.weeks[index]
        self.anchored[index] = dataclasses.replace(
            week, kept_upper=np.minimum(self.values(index), week.upper)
        )

    def incumbent(self) -> float:
        return self.constant + sum(self.value) - self.continuity.cost(self.all_values)

    def continuity_gains(self, index: int) -> np.ndarray | None:
        """Per candidate of week ``index``: its continuity gain given the other weeks."""
        if not self.continuity.active:
            return None
        return self.continuity.gains(self.weeks[index], self.all_values)

    def total_bound(self) -> float:
        """A valid upper bound on the objective of every plan (see the class docstring)."""
        return (
            self.constant
            + sum(self.bound)
            - sum(self.start_cut)
            - self.continuity.certain_held_cost()
        )

    def offer(self, index: int, values: np.ndarray, record: bool = False) -> Accepted | None:
        """Take the moves of ``values`` (a feasible plan of week ``index``) worth their keep.

        Args:
            record: count the moves held back as the week's (the main proposal of a pass).

        Returns:
            What was taken, or None when ``values`` is infeasible.
        """
        week = self.weeks[index]
        if not week.feasible(values):
            return None
        accepted = accept_moves(
            self.anchored[index],
            self.values(index),
            values,
            self.threshold,
            self.continuity_gains(index),
            self.people,
            self.person_threshold,
        )
        if record:
            self.held[index] = HeldBack(
                accepted.moves_held, accepted.tenths_held, accepted.gain_held
            )
        if accepted.moves_kept:
            self.set_values(index, accepted.values)
        return accepted

    def set_values(self, index: int, values: np.ndarray) -> None:
        """Make ``values`` (feasible tenths per candidate) week ``index``'s plan; a week
        proven optimal no longer is once its plan changes (e.g. people put back)."""
        week = self.weeks[index]
        if not np.array_equal(values, self.values(index)):
            self.proven[index] = False
        if self.people is not None:
            self.people.update(week.candidate, self.values(index), values)
        self.all_values[week.candidate] = values
        self.value[index] = week.value(values)

    def gap(self, index: int) -> float:
        """Week ``index``'s bound above its plan, the plan's continuity gains given the
        neighbouring weeks counted (a CP-SAT week bound counts them; an LP bound, which
        leaves them out, only looks the larger for it)."""
        value = self.weeks[index].value(self.values(index), self.continuity_gains(index))
        return max(0.0, self.bound[index] - value)

    def held_back(self) -> HeldBack:
        """The moves held back in every week, summed."""
        return HeldBack(
            moves=sum(held.moves for held in self.held),
            tenths=sum(held.tenths for held in self.held),
            gain=sum(held.gain for held in self.held),
        )

    def candidate_values(self) -> list[int]:
        """Tenths per global candidate of the best plans."""
        return self.all_values.tolist()
