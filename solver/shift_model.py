"""The CP-SAT model behind :func:`solver.shifts.choose_shifts`: start shifts against an
aggregate capacity model.

Decisions: one Boolean per (project, allowed shift) with exactly one true, for the
projects whose feasible shifts (after the dependency bounds) leave a choice; every
other project keeps a constant shift. Per week ``w`` and demand class ``c``
(skill, minimum level):

* supply: people with the same qualified classes that week are merged into one
  group with their summed free hours (capacity minus fixed load); a group qualified
  for a single class feeds it directly (a constant), a group qualified for several
  sends integer flows ``x[g, c]`` with ``sum_c x[g, c] <= free[g]``;
* cover: ``y[c, w, k]`` per priority weight ``k`` of the projects with demand in the
  class, ``y[c, w, k] <= demand of those projects in week w`` (a linear expression of
  the Booleans: the demand of week ``w - s`` when the project starts ``s`` weeks
  later) and ``sum_k y[c, w, k] <= single-class supply + sum_g x[g, c]``.

This is the transportation problem of the weekly allocation (people to qualified
demand, capacity and demand bounds) with the people and the projects of equal
priority merged, which loses nothing: its optimum equals the best priority-weighted
cover of the weekly model without churn, fragmentation, minimum blocks or
concurrency limits. Quantities are Int64 tenths of an hour; the model is written
straight into the CP-SAT proto.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from solver.cpsat import OBJECTIVE_SCALE, set_parameters, start_cancel_watcher
from solver.shift_dependencies import Link
from solver.types import (
    HOURS_SCALE,
    STATUS_CANCELLED,
    STATUS_FEASIBLE,
    STATUS_OPTIMAL,
    Policy,
)


@dataclass
class ShiftProblem:
    """What the model needs, already prepared (see :func:`solver.shifts.choose_shifts`).

    Attributes:
        cover: ``project_id, cls, week, tenths`` — demand with a skill per project, class
            and week number (tenths > 0).
        supply: ``person_id, week, cls, free`` — every class a person qualifies for in a
            week where their free tenths are > 0 (weeks are week numbers).
        weights: priority weight per project.
        lower, upper: least and greatest feasible shift of every project with demand.
        links: the dependencies between projects with demand.
    """

    cover: pl.DataFrame
    supply: pl.DataFrame
    weights: dict[str, float]
    lower: dict[str, int]
    upper: dict[str, int]
    links: list[Link]


@dataclass
class ShiftOutcome:
    """The chosen shift of every project with demand, and the figures of the model.

    ``objective`` = ``cover - delay`` in objective units (``nan`` if CP-SAT found no
    solution in time: then ``shifts`` are the least feasible ones); ``bound`` is CP-SAT's.
    """

    shifts: dict[str, int]
    status: str
    objective: float
    cover: float
    delay: float
    bound: float
    stats: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def solve_shift_model(
    problem: ShiftProblem,
    cover_weight: float,
    delay_weight: float,
    policy: Policy,
    cancel: threading.Event | None = None,
) -> ShiftOutcome:
    """Build the model, solve it from the least feasible shifts as hint, read the shifts."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    model = cp_model.CpModel()
    proto = model.proto
    built = _Builder(proto, problem, cover_weight, delay_weight).build()
    build_s = time.perf_counter() - started
    solver = cp_model.CpSolver()
    set_parameters(solver.parameters, policy)
    done = threading.Event()
    watcher = start_cancel_watcher(solver, cancel, done)
    status = solver.solve(model)
    done.set()
    if watcher is not None:
        watcher.join()
    timings = {"build": build_s, "solve": time.perf_counter() - started - build_s}
    delay_constant = built.delay_constant
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ShiftOutcome(
            shifts=dict(problem.lower), status=_status(cancel, False), objective=float("nan"),
            cover=float("nan"), delay=built.delay_of(problem.lower), bound=float("inf"),
            stats=built.stats, timings=timings,
        )
    solution = list(solver.response_proto.solution)
    shifts = dict(problem.lower)
    for index, (project, shift) in enumerate(built.booleans):
        if solution[index]:
            shifts[project] = shift
    cover = sum(solution[var] * coeff for var, coeff in built.cover_terms) / OBJECTIVE_SCALE
    delay = built.delay_of(shifts)
    return ShiftOutcome(
        shifts=shifts,
        status=_status(cancel, status == cp_model.OPTIMAL),
        objective=cover - delay,
        cover=cover,
        delay=delay,
        bound=solver.best_objective_bound / OBJECTIVE_SCALE - delay_constant,
        stats=built.stats,
        timings=timings,
    )


def _status(cancel: threading.Event | None, optimal: bool) -> str:
    if cancel is not None and cancel.is_set():
        return STATUS_CANCELLED
    return STATUS_OPTIMAL if optimal else STATUS_FEASIBLE


class _Builder:
    """Writes variables, rows, objective and hint into a CP-SAT proto."""

    def __init__(
        self, proto: Any, problem: ShiftProblem, cover_weight: float, delay_weight: float
    ) -> None:
        self.proto = proto
        self.problem = problem
        self.cover_weight = cover_weight
        self.delay_weight = delay_weight
        self.booleans: list[tuple[str, int]] = []
        self.cover_terms: list[tuple[int, int]] = []
        self.delay_constant = 0.0
        self.stats: dict[str, int] = {}

    def delay_of(self, shifts: dict[str, int]) -> float:
        """The delay term of ``shifts`` in objective units."""
        weights = self.problem.weights
        return self.delay_weight * sum(weights.get(p, 1.0) * s for p, s in shifts.items())

    def _new_var(self, low: int, high: int) -> int:
        index = len(self.proto.variables)
        self.proto.variables.add().domain.extend([low, high])
        return index

    def _row(self, variables: list[int], coeffs: list[int], low: int, high: int) -> None:
        linear = self.proto.constraints.add().linear
        linear.vars.extend(variables)
        linear.coeffs.extend(coeffs)
        linear.domain.extend([int(low), int(high)])

    def build(self) -> _Builder:
        problem = self.problem
        objective: dict[int, int] = {}
        domain = self._shift_booleans(objective)
        self._links()
        terms = _demand_terms(problem, domain)
        cover_vars = self._cover_rows(terms, objective)
        flows = self._supply_rows(terms, cover_vars)
        proto = self.proto
        proto.objective.vars.extend(list(objective))
        proto.objective.coeffs.extend([-coeff for coeff in objective.values()])
        proto.objective.scaling_factor = -1.0
        hint = {p: problem.lower[p] for p in problem.lower}
        proto.solution_hint.vars.extend(range(len(self.booleans)))
        proto.solution_hint.values.extend([int(hint[p] == s) for p, s in self.booleans])
        self.delay_constant = self.delay_of(
            {p: s for p, s in problem.lower.items() if problem.upper[p] == s}
        )
        self.stats = {
            "booleans": len(self.booleans),
            "cover_vars": len(cover_vars),
            "flows": flows,
            "constraints": len(proto.constraints),
        }
        return self

    def _shift_booleans(self, objective: dict[int, int]) -> pl.DataFrame:
        """Booleans of the projects with a choice; ``project_id, shift, var`` (var -1:
        the project's constant shift)."""
        problem = self.problem
        rows: dict[str, list] = {"project_id": [], "shift": [], "var": []}
        self.shift_vars: dict[str, list[tuple[int, int]]] = {}
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
                    objective[var] = -delay * shift
                rows["project_id"].append(project)
                rows["shift"].append(shift)
                rows["var"].append(var)
            self.proto.constraints.add().exactly_one.literals.extend([v for v, _ in literals])
            self.shift_vars[project] = literals
        return pl.DataFrame(rows, schema={"project_id": pl.String, "shift": pl.Int64,
                                          "var": pl.Int64})

    def _links(self) -> None:
        """``S_to - S_from >= gap`` for links with a project that has a choice."""
        problem = self.problem
        for link in problem.links:
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
                    rhs -= sign * problem.lower[project]
            if variables:
                self._row(variables, coeffs, rhs, _INT_MAX)

    def _cover_rows(self, terms: pl.DataFrame, objective: dict[int, int]) -> dict:
        """``y[c, w, k] <= demand`` per class, week and priority weight (weeks with supply)."""
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
        )
        cover_vars: dict[tuple[int, int], list[int]] = {}
        for cls, week, weight, constant, variables, tenths, largest in rows.iter_rows():
            var = self._new_var(0, constant + largest)
            coeff = round(self.cover_weight * weight * OBJECTIVE_SCALE / HOURS_SCALE)
            if coeff:
                objective[var] = coeff
                self.cover_terms.append((var, coeff))
            cover_vars.setdefault((cls, week), []).append(var)
            if variables:
                self._row([var, *variables], [1, *(-t for t in tenths)], -_INT_MAX, constant)
            else:
                self._row([var], [1], 0, constant)
        return cover_vars

    def _supply_rows(self, terms: pl.DataFrame, cover_vars: dict) -> int:
        """Groups of people per week; flows from groups qualified for several classes."""
        needed = terms.select("cls", "week").unique()
        person_weeks = (
            self.problem.supply.join(needed, on=["cls", "week"], how="semi")
            .sort("person_id", "week", "cls")
            .group_by("person_id", "week", maintain_order=True)
            .agg(pl.col("cls"), pl.col("free").first())
        )
        groups = (
            person_weeks.with_columns(key=pl.col("cls").list.eval(pl.element().cast(pl.String))
                                      .list.join(","))
            .group_by("week", "key")
            .agg(pl.col("cls").first(), pl.col("free").sum())
            .sort("week", "key")
        )
        single = groups.filter(pl.col("cls").list.len() == 1)
        dedicated = {
            (classes[0], week): free for week, _, classes, free in single.iter_rows()
        }
        inflow: dict[tuple[int, int], list[int]] = {}
        flows = 0
        for week, _, classes, free in groups.filter(pl.col("cls").list.len() > 1).iter_rows():
            variables = []
            for cls in classes:
                var = self._new_var(0, free)
                variables.append(var)
                inflow.setdefault((cls, week), []).append(var)
            flows += len(variables)
            self._row(variables, [1] * len(variables), 0, free)
        for key, covers in sorted(cover_vars.items()):
            feeds = inflow.get(key, [])
            self._row(
                [*covers, *feeds], [1] * len(covers) + [-1] * len(feeds), -_INT_MAX,
                dedicated.get(key, 0),
            )
        return flows


_INT_MAX = 2**62


def _demand_terms(problem: ShiftProblem, domain: pl.DataFrame) -> pl.DataFrame:
    """Demand per class, shifted week, priority weight and Boolean (var -1: constant),
    for the weeks where anyone has free capacity: ``cls, week, weight, project_id, var,
    tenths``."""
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
