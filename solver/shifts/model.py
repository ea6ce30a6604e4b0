"""The CP-SAT model behind :func:`solver.shifts.choose.choose_shifts`: start shifts against an
aggregate capacity model, with Hall cuts added lazily.

Decisions: one Boolean per (project, allowed shift), exactly one true per project, for
the projects whose feasible shifts (after the dependency bounds) leave a choice; every
other project keeps a constant shift. Per week ``w``, demand class ``c`` (skill,
minimum level) and priority weight ``k``, ``y[c, w, k]`` is the covered demand:

* ``y[c, w, k] <= demand of the class-k projects in week w`` — a linear expression of
  the Booleans (a project starting ``s`` weeks later brings the demand of week ``w - s``);
* Hall's condition ``sum(y over classes in T) <= supply(T)`` for sets ``T`` of classes,
  ``supply(T)`` = free tenths of the people qualified for at least one class in ``T``.
  Hall's condition for every ``T`` is exactly what a flow from people to classes can
  deliver (:mod:`solver.shifts.network`). The model starts with the nested sets of each
  skill (``level >= l``: exact when nobody holds two skills) and the whole week; after
  each solve, the covered hours are checked with a max-flow per week and each violated
  set found by a minimum cut is added, until none is (then the shifts are optimal for
  the exact aggregate model) or time runs out.

Before the first round, a descent over single-project moves (:mod:`solver.shifts.search`,
at most :data:`DESCENT_SHARE` of the time) improves the least feasible shifts; CP-SAT
starts from its result. The shifts of every round are scored exactly (min-cost flow per
week) and the best are kept; that score is the reported objective, the relaxation's
bound its upper bound.
Quantities are Int64 tenths of an hour; the model is written into the CP-SAT proto.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from solver.cpsat import OBJECTIVE_SCALE, set_parameters, start_cancel_watcher
from solver.policy import Policy
from solver.shifts.dependencies import Link
from solver.shifts.network import week_networks
from solver.shifts.search import Scored, delay_of, descend, score
from solver.status import STATUS_CANCELLED, STATUS_FEASIBLE, STATUS_OPTIMAL
from solver.types import (
    HOURS_SCALE,
)

#: Most rounds of solve-and-cut.
MAX_ROUNDS = 100

#: Share of the time limit the descent over single-project moves may use before CP-SAT.
DESCENT_SHARE = 0.5

#: Least seconds (or deterministic time) worth another round.
MIN_ROUND_S = 0.05

_INT_MAX = 2**62


@dataclass
class ShiftProblem:
    """What the model needs, already prepared (see :func:`solver.shifts.choose.choose_shifts`).

    Attributes:
        cover: ``project_id, cls, week, tenths`` — demand with a skill per project, class
            and week number (tenths > 0).
        classes: ``cls, skill_id, min_level`` of every class.
        supply: ``person_id, week, cls, free`` — every class a person qualifies for in a
            week where their free tenths are > 0 (weeks are week numbers).
        weights: priority weight per project.
        lower, upper: least and greatest feasible shift of every project with demand.
        links: the dependencies between projects with demand.
    """

    cover: pl.DataFrame
    classes: pl.DataFrame
    supply: pl.DataFrame
    weights: dict[str, float]
    lower: dict[str, int]
    upper: dict[str, int]
    links: list[Link]


@dataclass
class ShiftOutcome:
    """The chosen shift of every project with demand, and the figures of the model.

    ``objective = cover - delay`` (objective units) of the exact aggregate model;
    ``bound`` is an upper bound on it (the relaxation's, from CP-SAT);
    ``start_objective`` the same objective of the least feasible shifts (the hint).
    """

    shifts: dict[str, int]
    status: str
    objective: float
    cover: float
    delay: float
    bound: float
    start_objective: float
    stats: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def solve_shift_model(
    problem: ShiftProblem,
    cover_weight: float,
    delay_weight: float,
    policy: Policy,
    cancel: threading.Event | None = None,
) -> ShiftOutcome:
    """Solve, cut, repeat (see the module doc); the best exactly scored shifts.

    The rounds run in the worker process of :mod:`solver.contained`: when CP-SAT stops
    abnormally there (or ``cancel`` is set), the descent's shifts are returned, computed
    here, with ``notes`` saying why.
    """
    from solver.contained import SearchCancelled, SearchCrashed, run_contained

    started = time.perf_counter()
    try:
        return run_contained(
            "solver.shifts.model:solve_shift_model_here",
            (problem, cover_weight, delay_weight, policy),
            cancel=cancel,
        )
    except SearchCancelled:
        note = None
    except SearchCrashed as crash:
        note = (
            f"CP-SAT stopped abnormally while choosing project start shifts ({crash.detail}); "
            "the shifts of the single-project descent are used."
        )
    left = max(0.05, policy.time_limit_s - (time.perf_counter() - started))
    fallback = dataclasses.replace(policy, time_limit_s=left, deterministic_time=0.0)
    outcome = solve_shift_model_here(problem, cover_weight, delay_weight, fallback)
    outcome.status = STATUS_CANCELLED if note is None else STATUS_FEASIBLE
    outcome.notes = [note] if note else []
    return outcome


def solve_shift_model_here(
    problem: ShiftProblem,
    cover_weight: float,
    delay_weight: float,
    policy: Policy,
    cancel: threading.Event | None = None,
    emit: Any = None,
) -> ShiftOutcome:
    """:func:`solve_shift_model` in this process (the worker's job)."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    # kept back for scoring the last round's shifts, so the call ends within the limit
    deadline = started + policy.time_limit_s - min(1.0, 0.05 * policy.time_limit_s)
    model = cp_model.CpModel()
    built = _Model(model.proto, problem, cover_weight, delay_weight)
    best = score(built, built.least())
    start_objective = best.objective
    timings = {"build": time.perf_counter() - started}
    best = descend(built, best, started + DESCENT_SHARE * (deadline - started))
    timings.update(descent=time.perf_counter() - started - timings["build"], solve=0.0, cuts=0.0)
    bound, converged, rounds, dtime = float("inf"), False, 0, 0.0
    while rounds < MAX_ROUNDS and not _stopped(cancel):
        left = deadline - time.perf_counter()
        budget = None if policy.deterministic_time is None else policy.deterministic_time - dtime
        if left < MIN_ROUND_S or (budget is not None and budget < MIN_ROUND_S):
            break
        built.hint(best)
        solver = cp_model.CpSolver()
        set_parameters(
            solver.parameters,
            Policy(
                time_limit_s=left,
                seed=policy.seed,
                workers=policy.workers,
                deterministic_time=budget,
            ),
        )
        clock = time.perf_counter()
        status = _solve(solver, model, cancel)
        timings["solve"] += time.perf_counter() - clock
        rounds += 1
        dtime += solver.response_proto.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        bound = min(bound, solver.best_objective_bound / OBJECTIVE_SCALE - built.delay_constant)
        clock = time.perf_counter()
        solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
        scored = score(built, built.selected(solution))
        if scored.objective > best.objective + 1e-9:
            best = scored
        cuts = built.cut(solution)
        timings["cuts"] += time.perf_counter() - clock
        if not cuts:
            converged = status == cp_model.OPTIMAL
            break
    if converged:
        bound = best.objective
    status_text = (
        STATUS_CANCELLED if _stopped(cancel) else STATUS_OPTIMAL if converged else STATUS_FEASIBLE
    )
    return ShiftOutcome(
        shifts=best.shifts,
        status=status_text,
        objective=best.objective,
        cover=best.cover,
        delay=best.delay,
        bound=max(bound, best.objective),
        start_objective=start_objective,
        stats={**built.stats(), "rounds": rounds},
        timings=timings,
    )


def _stopped(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def _solve(solver: Any, model: Any, cancel: threading.Event | None) -> Any:
    done = threading.Event()
    watcher = start_cancel_watcher(solver, cancel, done)
    status = solver.solve(model)
    done.set()
    if watcher is not None:
        watcher.join()
    return status


class _Model:
    """The CP-SAT proto, and the arrays that score shifts and separate Hall cuts."""

    def __init__(
        self, proto: Any, problem: ShiftProblem, cover_weight: float, delay_weight: float
    ) -> None:
        self.proto = proto
        self.problem = problem
        self.delay_weight = delay_weight
        self.booleans: list[tuple[str, int]] = []
        self.shift_vars: dict[str, list[tuple[int, int]]] = {}
        self.var_of: dict[tuple[str, int], int] = {}
        self.objective: dict[int, int] = {}
        self.hall_rows = 0
        self.cut_rows = 0
        domain = self._shift_booleans()
        self._links()
        terms = _demand_terms(problem, domain)
        self._cover_rows(terms, cover_weight)
        self.networks = week_networks(
            problem.supply.join(
                terms.select("cls", "week").unique(), on=["cls", "week"], how="semi"
            )
        )
        self._initial_hall_rows()
        proto.objective.vars.extend(list(self.objective))
        proto.objective.coeffs.extend([-coeff for coeff in self.objective.values()])
        proto.objective.scaling_factor = -1.0
        self.delay_constant = delay_of(
            self, {p: s for p, s in problem.lower.items() if problem.upper[p] == s}
        )

    # -- writing ---------------------------------------------------------------------------

    def _new_var(self, low: int, high: int) -> int:
        index = len(self.proto.variables)
        self.proto.variables.add().domain.extend([int(low), int(high)])
        return index

    def _row(self, variables: list[int], coeffs: list[int], low: int, high: int) -> None:
        linear = self.proto.constraints.add().linear
        linear.vars.extend(variables)
        linear.coeffs.extend(coeffs)
        linear.domain.extend([int(low), int(high)])

    def _shift_booleans(self) -> pl.DataFrame:
        """Booleans of the projects with a choice; ``project_id, shift, var`` (var -1:
        the project's constant shift)."""
        problem = self.problem
        rows: dict[str, list] = {"project_id": [], "shift": [], "var": []}
        for project in sorted(problem.lower):
            low, high = problem.lower[project], problem.upper[project]
            if high <= low:
                rows["project_id"].append(project)
                rows["shift"].append(low)
                rows["var"].append(-1)
                continue
            literals = []
            delay = round(self.delay_weight * problem.weights.get(project, 1.0) * OBJECTIVE_SCALE)
            for shift in range(low, high + 1):
                var = self._new_var(0, 1)
                self.booleans.append((project, shift))
                literals.append((var, shift))
                if delay * shift:
                    self.objective[var] = -delay * shift
                rows["project_id"].append(project)
                rows["shift"].append(shift)
                rows["var"].append(var)
            self.proto.constraints.add().exactly_one.literals.extend([v for v, _ in literals])
            self.shift_vars[project] = literals
            self.var_of.update({(project, shift): var for var, shift in literals})
        return pl.DataFrame(
            rows, schema={"project_id": pl.String, "shift": pl.Int64, "var": pl.Int64}
        )

    def _links(self) -> None:
        """``S_to - S_from >= gap`` for links with a project that has a choice."""
        for link in self.problem.links:
            variables: list[int] = []
            coeffs: list[int] = []
            rhs = link.gap
            for project, sign in ((link.target, 1), (link.source, -1)):
                if project in self.shift_vars:
                    for var, shift in self.shift_vars[project]:
                        if shift:
                            variables.append(var)
                            coeffs.append(sign * shift)
                else:
                    rhs -= sign * self.problem.lower[project]
            if variables:
                self._row(variables, coeffs, rhs, _INT_MAX)

    def _cover_rows(self, terms: pl.DataFrame, cover_weight: float) -> None:
        """``y[c, w, k] <= demand`` per class, week and priority weight."""
        keys = ["cls", "week", "weight"]
        largest = (
            terms.filter(pl.col("var") >= 0)
            .group_by(*keys, "project_id")
            .agg(pl.col("tenths").max())
            .group_by(keys)
            .agg(pl.col("tenths").sum().alias("largest"))
        )
        rows = (
            terms.group_by(keys, maintain_order=True)
            .agg(
                pl.col("tenths").filter(pl.col("var") < 0).sum().alias("constant"),
                pl.col("var").filter(pl.col("var") >= 0),
                pl.col("tenths").filter(pl.col("var") >= 0),
            )
            .join(largest, on=keys, how="left", maintain_order="left")
            .with_columns(pl.col("largest").fill_null(0))
            .with_row_index("row")
        )
        self.y_var = np.zeros(rows.height, dtype=np.int64)
        self.y_cls = rows["cls"].to_numpy().astype(np.int64)
        self.y_week = rows["week"].to_numpy().astype(np.int64)
        self.y_top = (rows["constant"] + rows["largest"]).to_numpy().astype(np.int64)
        self.y_coeff = np.rint(
            cover_weight * rows["weight"].to_numpy() * OBJECTIVE_SCALE / HOURS_SCALE
        ).astype(np.int64)
        for row, _, _, _, constant, variables, tenths, _ in rows.iter_rows():
            var = self._new_var(0, self.y_top[row])
            self.y_var[row] = var
            if self.y_coeff[row]:
                self.objective[var] = int(self.y_coeff[row])
            self._row([var, *variables], [1, *(-t for t in tenths)], -_INT_MAX, constant)
        joined = terms.join(rows.select("row", *keys), on=keys)
        self.term_row = joined["row"].to_numpy().astype(np.int64)
        self.term_var = joined["var"].to_numpy().astype(np.int64)
        self.term_tenths = joined["tenths"].to_numpy().astype(np.int64)
        self.rows_of_week: dict[int, np.ndarray] = {}
        order = np.lexsort((self.y_cls, self.y_week))
        weeks, starts = np.unique(self.y_week[order], return_index=True)
        for week, part in zip(weeks.tolist(), np.split(order, starts[1:]), strict=True):
            self.rows_of_week[int(week)] = part

    def _hall_row(self, week: int, classes: list[int], supply: int) -> None:
        rows = self.rows_of_week[week]
        rows = rows[np.isin(self.y_cls[rows], classes)]
        self._row(self.y_var[rows].tolist(), [1] * rows.shape[0], 0, supply)

    def _initial_hall_rows(self) -> None:
        """Per week: each skill's classes from each level up, and all classes; rows that
        cannot bind (supply at least the largest possible demand) are left out."""
        info = {c: (s, lvl) for c, s, lvl in self.problem.classes.iter_rows()}
        for week, rows in self.rows_of_week.items():
            network = self.networks.get(week)
            present = sorted(set(self.y_cls[rows].tolist()))
            sets = {tuple(present)}
            for cls in present:
                skill, level = info[cls]
                sets.add(tuple(c for c in present if info[c][0] == skill and info[c][1] >= level))
            for classes in sorted(sets):
                supply = 0 if network is None else network.supply(list(classes))
                top = int(self.y_top[rows[np.isin(self.y_cls[rows], classes)]].sum())
                if supply < top:
                    self._hall_row(week, list(classes), supply)
                    self.hall_rows += 1

    # -- rounds ----------------------------------------------------------------------------

    def least(self) -> dict[str, int]:
        return dict(self.problem.lower)

    def selected(self, solution: np.ndarray) -> dict[str, int]:
        shifts = self.least()
        for index, (project, shift) in enumerate(self.booleans):
            if solution[index]:
                shifts[project] = shift
        return shifts

    def hint(self, scored: Scored) -> None:
        """The complete hint: Booleans of ``scored.shifts`` and its covered tenths."""
        self.proto.clear_solution_hint()
        hint = self.proto.solution_hint
        hint.vars.extend(range(len(self.booleans)))
        hint.values.extend([int(scored.shifts[p] == s) for p, s in self.booleans])
        hint.vars.extend(self.y_var.tolist())
        hint.values.extend(scored.covered.tolist())

    def cut(self, solution: np.ndarray) -> int:
        """Add a Hall row for each week whose covered hours no flow delivers; how many."""
        covered = solution[self.y_var]
        added = 0
        for week, rows in self.rows_of_week.items():
            per_class: dict[int, int] = {}
            for cls, value in zip(self.y_cls[rows].tolist(), covered[rows].tolist(), strict=True):
                per_class[cls] = per_class.get(cls, 0) + value
            network = self.networks.get(week)
            found = None if network is None else network.hall_cut(per_class)
            if found is not None:
                self._hall_row(week, *found)
                added += 1
        self.cut_rows += added
        return added

    def stats(self) -> dict[str, int]:
        return {
            "booleans": len(self.booleans),
            "cover_vars": int(self.y_var.shape[0]),
            "hall_rows": self.hall_rows,
            "cuts": self.cut_rows,
            "constraints": len(self.proto.constraints),
        }


def _demand_terms(problem: ShiftProblem, domain: pl.DataFrame) -> pl.DataFrame:
    """Demand per class, shifted week, priority weight and Boolean (var -1: constant),
    for the class-weeks where someone qualified has free capacity: ``cls, week, weight,
    project_id, var, tenths``."""
    weights = pl.DataFrame(
        {"project_id": list(problem.weights), "weight": list(problem.weights.values())},
        schema={"project_id": pl.String, "weight": pl.Float64},
    )
    supply_weeks = problem.supply.select("cls", "week").unique()
    return (
        problem.cover.join(domain, on="project_id")
        .with_columns(pl.col("week") + pl.col("shift"))
        .join(supply_weeks, on=["cls", "week"], how="semi")
        .join(weights, on="project_id", how="left")
        .with_columns(pl.col("weight").fill_null(1.0))
        .group_by("cls", "week", "weight", "project_id", "var")
        .agg(pl.col("tenths").sum())
        .sort("cls", "week", "weight", "project_id", "var")
        .select("cls", "week", "weight", "project_id", "var", "tenths")
    )
