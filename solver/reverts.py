"""Person by person: put back the people whose own changes are not worth telling them.

The passes accept a week's changes move by move (:mod:`solver.accept`), and a move is
a connected set: a person whose own change adds little can ride along with a change
that pays. This step looks at each moved person across all weeks at once: *reverting*
them gives back every one of their candidates the hours they hold now. Where their
hours come back to a demand-week that someone else has taken meanwhile, the hours
others gained there go back to what they hold now as well (they stay moved when they
changed elsewhere; only hours go down, so nothing else is displaced). A revert is kept
when the plan stays feasible (capacity, minimum blocks, concurrent projects, demand:
the hours must still be open; frozen weeks, pins and skills hold, since only
candidates change) and the objective loses at most ``Policy.min_person_gain`` per
person it leaves exactly as they are now (or gains). People forced to move (their
current hours cannot stay: over-allocation, leave, a demand gone, a skill expired)
are never put back (only hours they gained may go down, as above).

A person's share of the objective is their own: cover and churn per candidate,
fragmentation per (person, project, week), continuity per (person, demand), so the
loss of a revert, the change of the shares of the people it touches, is exact. People
are tried from the smallest gain up (then by ``person_id``), in rounds until a round
reverts nobody; the passes then look at the weeks that changed again
(:func:`solver.passes.run_passes`), where a move must gain more than the threshold for
each person it newly moves, so a person put back is not moved again for less.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.people import PeopleMoved
from solver.week_state import WeekState

#: Slack on comparisons of objective values (objective units).
TOLERANCE = 1e-9


def _offsets(sizes: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


@dataclass(frozen=True)
class _Layout:
    """Every week's arrays laid end to end, indexed by global candidate.

    ``person_week``, ``demand_week`` and ``group`` are global codes (week offset plus the
    week's local code); ``free``, ``slots``, ``remaining`` and ``flagged`` are indexed by
    them.
    """

    week: np.ndarray
    person_week: np.ndarray
    demand_week: np.ndarray
    group: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    kept_upper: np.ndarray
    cover_gain: np.ndarray
    free: np.ndarray
    slots: np.ndarray
    remaining: np.ndarray
    flagged: np.ndarray

    @staticmethod
    def of(state: WeekState, candidates: int) -> _Layout:
        weeks = state.weeks
        person_at = _offsets([week.free.shape[0] for week in weeks])
        demand_at = _offsets([week.remaining.shape[0] for week in weeks])
        group_at = _offsets([week.group_flagged.shape[0] for week in weeks])
        arrays = {
            name: np.zeros(candidates, dtype=dtype)
            for name, dtype in (
                ("week", np.int64),
                ("person_week", np.int64),
                ("demand_week", np.int64),
                ("group", np.int64),
                ("lower", np.int64),
                ("upper", np.int64),
                ("kept_upper", np.int64),
                ("cover_gain", np.float64),
            )
        }
        for index, week in enumerate(weeks):
            at = week.candidate
            arrays["week"][at] = index
            arrays["person_week"][at] = person_at[index] + week.person
            arrays["demand_week"][at] = demand_at[index] + week.demand
            arrays["group"][at] = group_at[index] + week.group
            for name in ("lower", "upper", "kept_upper", "cover_gain"):
                arrays[name][at] = getattr(week, name)

        def joined(name: str, dtype: type) -> np.ndarray:
            parts = [getattr(week, name) for week in weeks]
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

        return _Layout(
            **arrays,
            free=joined("free", np.int64),
            slots=joined("slots", np.int64),
            remaining=joined("remaining", np.int64),
            flagged=joined("group_flagged", bool),
        )


class PersonReverts:
    """Reverts of whole people on a :class:`WeekState` (see the module docstring).

    Args:
        state: the run's weeks and plan; its ``people`` must be set.
        threshold: ``Policy.min_person_gain``: the most a kept revert may lose per person
            it puts back (objective units).
    """

    def __init__(self, state: WeekState, threshold: float) -> None:
        assert state.people is not None
        self.state = state
        self.people: PeopleMoved = state.people
        self.threshold = threshold
        self.layout = _Layout.of(state, self.people.person.shape[0])
        order = np.argsort(self.people.person, kind="stable")
        counts = np.bincount(self.people.person, minlength=len(self.people.names))
        self.bounds = _offsets(counts.tolist())
        self.order = order
        self.by_demand = np.argsort(self.layout.demand_week, kind="stable")
        self.demand_bounds = _offsets(
            np.bincount(self.layout.demand_week, minlength=self.layout.remaining.shape[0]).tolist()
        )
        if state.weeks:
            self.churn_gain = state.weeks[0].churn_gain
            self.fragmentation = state.weeks[0].fragmentation
        else:
            self.churn_gain = self.fragmentation = 0.0

    def candidates_of(self, code: int) -> np.ndarray:
        """Global candidates of person ``code``."""
        return self.order[self.bounds[code] : self.bounds[code + 1]]

    def share(self, candidates: np.ndarray, tenths: np.ndarray) -> float:
        """The objective of one person's ``candidates`` carrying ``tenths``: cover, churn,
        fragmentation of their (project, week) groups, continuity of their pairs."""
        layout = self.layout
        kept = np.minimum(tenths, layout.kept_upper[candidates])
        value = float(np.dot(layout.cover_gain[candidates], tenths))
        value += self.churn_gain * float(2 * kept.sum() - tenths.sum())
        used = np.unique(layout.group[candidates][tenths > 0])
        value -= self.fragmentation * float(layout.flagged[used].sum())
        continuity = self.state.continuity
        if continuity.active:
            value -= continuity.weight * continuity.starts_of_pairs(candidates, tenths)
        return value

    def own_feasible(self, candidates: np.ndarray) -> bool:
        """Whether one person's ``candidates`` may carry the hours they hold now as far as
        that person alone decides: within bounds and minimum blocks, capacity and
        concurrent projects (the demand left open is :meth:`revert`'s concern)."""
        layout = self.layout
        after = self.people.current[candidates]
        if (after > layout.upper[candidates]).any():
            return False
        if ((after > 0) & (after < layout.lower[candidates])).any():
            return False
        person_weeks, local = np.unique(layout.person_week[candidates], return_inverse=True)
        load = np.bincount(local, weights=after, minlength=person_weeks.shape[0])
        if (load > layout.free[person_weeks]).any():
            return False
        groups = layout.group[candidates]
        opened = (after > 0) & layout.flagged[groups]
        if not opened.any():
            return True
        # (person-week, group) pairs used: a group lies in one person-week
        pairs = np.unique(np.stack([local[opened], groups[opened]]), axis=1)
        projects = np.bincount(pairs[0], minlength=person_weeks.shape[0])
        return bool((projects <= layout.slots[person_weeks]).all())

    def revert(self, seed: int) -> np.ndarray | None:
        """The candidates a revert of ``seed`` gives back the hours held now, or None when
        it cannot: ``seed``'s own, and on each demand-week where those would ask more
        than is open, the hours others gained there (those others stay moved when they
        changed elsewhere, and are not asked back to anything: only hours go down)."""
        people, layout, values = self.people, self.layout, self.state.all_values
        current = people.current
        mine = self.candidates_of(seed)
        if not self.own_feasible(mine):
            return None
        weeks, local = np.unique(layout.demand_week[mine], return_inverse=True)
        change = np.bincount(local, weights=current[mine] - values[mine], minlength=weeks.shape[0])
        over = weeks[self.cover[weeks] + change > layout.remaining[weeks]]
        if over.shape[0] == 0:
            return mine
        holders = np.concatenate(
            [self.by_demand[self.demand_bounds[w] : self.demand_bounds[w + 1]] for w in over]
        )
        holders = holders[(people.person[holders] != seed) & (values[holders] > current[holders])]
        if ((current[holders] > 0) & (current[holders] < layout.lower[holders])).any():
            return None
        candidates = np.concatenate([mine, holders])
        weeks, local = np.unique(layout.demand_week[candidates], return_inverse=True)
        change = np.bincount(
            local, weights=current[candidates] - values[candidates], minlength=weeks.shape[0]
        )
        if (self.cover[weeks] + change > layout.remaining[weeks]).any():
            return None
        return candidates

    def loss(self, candidates: np.ndarray) -> tuple[float, int]:
        """What giving ``candidates`` back the hours held now loses (objective units:
        the change of the shares of the people they belong to), and how many people who
        are not forced it leaves exactly as they are now."""
        people, values = self.people, self.state.all_values
        lost, back = 0.0, 0
        for code in np.unique(people.person[candidates]).tolist():
            own = self.candidates_of(code)
            now = values[own]
            after = np.where(np.isin(own, candidates), people.current[own], now)
            lost += self.share(own, now) - self.share(own, after)
            back += int(not people.forced[code] and bool((after == people.current[own]).all()))
        return lost, back

    def run(self) -> int:
        """Revert people until a round reverts nobody; the number of people put back."""
        state, people, layout = self.state, self.people, self.layout
        self.cover = np.bincount(
            layout.demand_week, weights=state.all_values, minlength=layout.remaining.shape[0]
        ).astype(np.int64)
        reverted = 0
        touched: set[int] = set()
        while True:
            kept = 0
            for seed in self.seeds(self.gains()):
                if people.changed[seed] == 0:  # put back with an earlier seed
                    continue
                candidates = self.revert(seed)
                if candidates is None:
                    continue
                lost, back = self.loss(candidates)
                if back == 0 or lost > self.threshold * back + TOLERANCE:
                    continue
                before = state.all_values[candidates].copy()
                after = people.current[candidates]
                state.all_values[candidates] = after
                people.update(candidates, before, after)
                np.add.at(self.cover, layout.demand_week[candidates], after - before)
                touched.update(np.unique(layout.week[candidates]).tolist())
                kept += back
            reverted += kept
            if not kept:
                break
        for index in sorted(touched):
            state.value[index] = state.weeks[index].value(state.values(index))
        return reverted

    def gains(self) -> dict[int, float]:
        """Per moved person who is not forced: what their changes add to the objective."""
        state, people = self.state, self.people
        gains = {}
        for code in np.flatnonzero((people.changed > 0) & ~people.forced).tolist():
            candidates = self.candidates_of(code)
            now = state.all_values[candidates]
            gains[code] = self.share(candidates, now) - self.share(
                candidates, people.current[candidates]
            )
        return gains

    def seeds(self, gains: dict[int, float]) -> list[int]:
        """The people whose changes gain at most the threshold, from the smallest gain up
        (then by person)."""
        names = self.people.names
        chosen = [code for code, gain in gains.items() if gain <= self.threshold + TOLERANCE]
        return sorted(chosen, key=lambda code: (gains[code], names[code]))
