"""Exact scores of start shifts, and a descent over single-project moves.

Both work on the arrays of :class:`solver.shifts.model` (``model`` below): the demand
terms per cover row, the cover rows per week, and one :class:`WeekNetwork` per week.
A score solves one min-cost flow per week (:meth:`WeekNetwork.best_cover`); a move of
one project re-solves only the weeks its demand leaves or enters.

CP-SAT's search alone rarely improves large portfolios within a minute (its LP sees
fractional starts), while moving one project at a time often does, so the model runs
this descent first and hands CP-SAT the result as its hint.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver.cpsat import OBJECTIVE_SCALE


@dataclass
class Scored:
    """Shifts with their exact aggregate cover per cover row, and their figures."""

    shifts: dict[str, int]
    covered: np.ndarray
    cover: float
    delay: float

    @property
    def objective(self) -> float:
        return self.cover - self.delay


def demand_of(model: Any, shifts: dict[str, int]) -> np.ndarray:
    """Demand tenths per cover row when the projects start as in ``shifts``."""
    chosen = np.zeros(max(1, len(model.booleans)), dtype=bool)
    for index, (project, shift) in enumerate(model.booleans):
        chosen[index] = shifts[project] == shift
    live = (model.term_var < 0) | chosen[np.maximum(model.term_var, 0)]
    return np.bincount(
        model.term_row[live], weights=model.term_tenths[live], minlength=model.y_var.shape[0]
    ).astype(np.int64)


def cover_weeks(model: Any, demand: np.ndarray, weeks, covered: np.ndarray) -> None:
    """Write the best cover of ``weeks`` for ``demand`` into ``covered`` (per cover row)."""
    for week in weeks:
        rows = model.rows_of_week.get(week)
        if rows is None:
            continue
        network = model.networks.get(week)
        if network is None or demand[rows].sum() == 0:
            covered[rows] = 0
        else:
            covered[rows] = network.best_cover(model.y_cls[rows], model.y_coeff[rows], demand[rows])


def delay_of(model: Any, shifts: dict[str, int]) -> float:
    weights = model.problem.weights
    return model.delay_weight * sum(weights.get(p, 1.0) * s for p, s in shifts.items())


def score(model: Any, shifts: dict[str, int]) -> Scored:
    """The exact aggregate cover and delay of ``shifts``."""
    covered = np.zeros(model.y_var.shape[0], dtype=np.int64)
    cover_weeks(model, demand_of(model, shifts), list(model.rows_of_week), covered)
    return Scored(dict(shifts), covered, _cover(model, covered), delay_of(model, shifts))


def _cover(model: Any, covered: np.ndarray) -> float:
    return float((covered * model.y_coeff).sum()) / OBJECTIVE_SCALE


def descend(model: Any, start: Scored, deadline: float, max_passes: int = 50) -> Scored:
    """Best single-project moves until none improves, ``max_passes`` or ``deadline``.

    Projects are tried lowest priority first (they gain most from giving way), each
    moved to its best shift given the others, keeping every dependency. Deterministic
    when it ends before ``deadline``.
    """
    weights = model.problem.weights
    links_of: dict[str, list] = {}
    for link in model.problem.links:
        links_of.setdefault(link.source, []).append(link)
        links_of.setdefault(link.target, []).append(link)
    weeks_of = _weeks_of_booleans(model)
    order = sorted(model.shift_vars, key=lambda p: (weights.get(p, 1.0), p))
    shifts, covered = dict(start.shifts), start.covered.copy()
    week_value = _week_values(model, covered)
    for _ in range(max_passes):
        moved = False
        for project in order:
            if time.perf_counter() > deadline:
                return Scored(shifts, covered, _cover(model, covered), delay_of(model, shifts))
            current = shifts[project]
            best_gain = 1e-9
            best: tuple[int, np.ndarray, dict[int, float]] | None = None
            for var, shift in model.shift_vars[project]:
                if shift == current or not _links_hold(
                    links_of.get(project, []), shifts, project, shift
                ):
                    continue
                trial = dict(shifts)
                trial[project] = shift
                weeks = sorted(weeks_of[var] | weeks_of[model.var_of[(project, current)]])
                trial_covered = covered.copy()
                cover_weeks(model, demand_of(model, trial), weeks, trial_covered)
                values = _week_values(model, trial_covered, weeks)
                gain = sum(values[w] - week_value.get(w, 0.0) for w in weeks)
                gain -= model.delay_weight * weights.get(project, 1.0) * (shift - current)
                if gain > best_gain:
                    best_gain, best = gain, (shift, trial_covered, values)
            if best is not None:
                shifts[project], covered, best_values = best
                week_value.update(best_values)
                moved = True
        if not moved:
            break
    return Scored(shifts, covered, _cover(model, covered), delay_of(model, shifts))


def _links_hold(links: list, shifts: dict[str, int], project: str, shift: int) -> bool:
    for link in links:
        source = shift if link.source == project else shifts[link.source]
        target = shift if link.target == project else shifts[link.target]
        if target - source < link.gap:
            return False
    return True


def _weeks_of_booleans(model: Any) -> dict[int, set[int]]:
    """Weeks of the cover rows each Boolean's demand falls into."""
    weeks: dict[int, set[int]] = {var: set() for var in range(len(model.booleans))}
    mobile = model.term_var >= 0
    for var, row in zip(
        model.term_var[mobile].tolist(), model.term_row[mobile].tolist(), strict=True
    ):
        weeks[var].add(int(model.y_week[row]))
    return weeks


def _week_values(model: Any, covered: np.ndarray, weeks=None) -> dict[int, float]:
    weeks = list(model.rows_of_week) if weeks is None else weeks
    return {
        w: float((covered[model.rows_of_week[w]] * model.y_coeff[model.rows_of_week[w]]).sum())
        / OBJECTIVE_SCALE
        for w in weeks
        if w in model.rows_of_week
    }
