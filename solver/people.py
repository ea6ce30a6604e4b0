"""Who a plan moves: people whose allocations differ from the current ones, kept up to date.

A PMO tells every person a plan moves, so people moved are the currency of a stable
plan. A person is *moved* when any of their candidates (person, demand, week) carries
other hours than they hold now, or when they hold movable hours no candidate can keep
(not qualified any more, the demand is gone or full of pinned work, no free capacity):
those people are *forced*, every plan moves them.

The passes ask, for each move of a week (:mod:`solver.accept`), how many people it
would newly move: a move must gain more than ``Policy.min_person_gain`` for each of
them (and more than ``Policy.min_move_gain`` in any case), so a move that bundles a
good change with people who add little does not pass as a whole;
:mod:`solver.reverts` then puts back the people whose own changes are not worth it.
The rule is issue 11's "a small change disturbs little": a person is told of a move
only when it pays for them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from solver.prepare import ASSIGNMENT, Prepared
from solver.weekly import Week


def forced_people(prepared: Prepared) -> set[str]:
    """``person_id`` of the people every plan moves: they hold movable hours (rows of
    ``prepared.movable_current``) that no candidate (person, demand, week) can keep, because
    they are not qualified any more, the demand is gone or full, or they have no capacity,
    or more of them than their candidate's most (the demand's remaining hours or their
    free capacity that week: ``upper``)."""
    kept = prepared.movable_current.join(
        prepared.candidates.select(*ASSIGNMENT, "upper"), on=ASSIGNMENT, how="left"
    )
    kept_short = kept.filter(pl.col("upper").is_null() | (pl.col("current") > pl.col("upper")))
    return set(kept_short["person_id"].to_list())


class PeopleMoved:
    """The people a plan moves, counted against the current allocation.

    Args:
        prepared: the planning problem (candidates and the movable current allocation).
        values: tenths per global candidate of the plan to start from.

    Attributes:
        person: global person code (0, 1, ... in ``person_id`` order) per global candidate.
        current: tenths each global candidate holds now (``prepared.candidates['current']``).
        forced: per person code, whether they hold movable hours no candidate can keep.
        changed: per person code, how many of their candidates differ from ``current``.
        names: ``person_id`` per person code.
    """

    def __init__(self, prepared: Prepared, values: np.ndarray) -> None:
        candidates = prepared.candidates
        self.person = (
            (candidates["person_id"].rank("dense").cast(pl.Int64) - 1)
            .to_numpy()
            .astype(np.int64)
            .reshape(-1)
        )
        self.names = candidates["person_id"].unique().sort().to_list()
        self.current = candidates["current"].to_numpy().astype(np.int64).reshape(-1)
        forced = forced_people(prepared)
        self.forced = np.asarray([name in forced for name in self.names], dtype=bool)
        differs = np.asarray(values, dtype=np.int64) != self.current
        self.changed = np.bincount(self.person[differs], minlength=len(self.names))

    def update(self, candidates: np.ndarray, old: np.ndarray, new: np.ndarray) -> None:
        """Record that global ``candidates`` went from ``old`` to ``new`` tenths."""
        current = self.current[candidates]
        delta = (new != current).astype(np.int64) - (old != current)
        np.add.at(self.changed, self.person[candidates], delta)

    def added_per_move(
        self, week: Week, old: np.ndarray, new: np.ndarray, labels: np.ndarray
    ) -> np.ndarray:
        """Per move of ``week`` (``labels`` from :func:`solver.accept.move_labels`, the moves
        of ``new`` against ``old``, the week's plan now): how many people applying it alone
        newly moves, less those it leaves as they are now (may be negative)."""
        moves = int(labels.max()) + 1 if labels.shape[0] else 0
        persons = week.free.shape[0]
        code = np.zeros(persons, dtype=np.int64)
        code[week.person] = self.person[week.candidate]
        current = self.current[week.candidate]
        here_old = np.bincount(week.person, weights=old != current, minlength=persons) > 0
        here_new = np.bincount(week.person, weights=new != current, minlength=persons) > 0
        elsewhere = self.forced[code] | (
            self.changed[code] - np.bincount(week.person, weights=old != current, minlength=persons)
            > 0
        )
        delta = (elsewhere | here_new).astype(np.int64) - (elsewhere | here_old)
        label_of_person = np.full(persons, -1, dtype=np.int64)
        changed = labels >= 0
        label_of_person[week.person[changed]] = labels[changed]
        inside = label_of_person >= 0
        return np.bincount(label_of_person[inside], weights=delta[inside], minlength=moves).astype(
            np.int64
        )
