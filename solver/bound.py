"""An upper bound on the objective: the LP relaxation of the plan model, solved by GLOP.

CP-SAT's own bound is weak with few workers (DESIGN.md), so every run also
reports the linear relaxation of :class:`solver.formulation.Formulation`:
hours continuous, the "works on the project" flags in [0, 1]. No plan can
score above it. The model falls apart into independent weeks, so each week is
solved on its own (the sum is the same optimum, found about twice as fast),
written as an ``MPModelProto`` in bulk rather than term by term.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from solver.formulation import Formulation, weekly_blocks


def lp_bound(formulation: Formulation) -> float:
    """The LP-relaxation optimum in objective units; ``inf`` if GLOP cannot solve it."""
    total = formulation.constant
    if formulation.columns.height == 0:
        return total
    for columns, rows in weekly_blocks(formulation):
        total += _solve_block(columns, rows)
    return total


def _solve_block(columns: pl.DataFrame, rows: pl.DataFrame) -> float:
    """The LP optimum of one week (without the constant); ``inf`` on failure."""
    from ortools.linear_solver import linear_solver_pb2, pywraplp

    proto = linear_solver_pb2.MPModelProto(maximize=True)
    _write_model(proto, columns, rows)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None or solver.LoadModelFromProto(proto):
        return math.inf
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return math.inf
    return float(solver.Objective().Value())


def _write_model(proto: Any, columns: pl.DataFrame, rows: pl.DataFrame) -> None:
    for upper, gain in zip(columns["upper"].to_list(), columns["gain"].to_list(), strict=True):
        proto.variable.add(lower_bound=0.0, upper_bound=float(upper), objective_coefficient=gain)
    for variables, coefficients, limit in zip(
        rows["columns"].to_list(), rows["coefficients"].to_list(), rows["limit"].to_list(),
        strict=True,
    ):
        constraint = proto.constraint.add(lower_bound=-math.inf, upper_bound=float(limit))
        constraint.var_index.extend(variables)
        constraint.coefficient.extend(float(value) for value in coefficients)
