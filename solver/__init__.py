"""The rebalancing optimizer of pmo-tui: polars frames in, a plan and its explanation out.

It knows nothing of the store or the UI (no textual, sqlite_utils or pmo_tui
imports), and imports OR-Tools only when a plan is computed, so the CLI starts fast.

Public API:

- :func:`solve_plan` — greedy baseline, LP bound and CP-SAT; returns a :class:`PlanResult`.
- :func:`greedy_plan` — the baseline alone.
- :func:`evaluate` — the objective terms of any plan.
- :func:`kpis`, :func:`shortfall` — figures of any allocation, without a solver.
"""

from __future__ import annotations

from solver.evaluate import evaluate
from solver.explain import NO_FREE_CAPACITY, NO_QUALIFIED_PERSON, NOT_WORTH_IT
from solver.greedy import greedy_plan
from solver.kpis import kpis, shortfall
from solver.solve import solve_plan
from solver.types import (
    INPUT_SCHEMAS,
    MOVES_SCHEMA,
    PLAN_SCHEMA,
    SHORTFALL_SCHEMA,
    STATUS_CANCELLED,
    STATUS_FEASIBLE,
    STATUS_INFEASIBLE,
    STATUS_OPTIMAL,
    UNMET_SCHEMA,
    PlanInput,
    PlanResult,
    Policy,
    Progress,
)

__all__ = [
    "INPUT_SCHEMAS",
    "MOVES_SCHEMA",
    "NOT_WORTH_IT",
    "NO_FREE_CAPACITY",
    "NO_QUALIFIED_PERSON",
    "PLAN_SCHEMA",
    "SHORTFALL_SCHEMA",
    "STATUS_CANCELLED",
    "STATUS_FEASIBLE",
    "STATUS_INFEASIBLE",
    "STATUS_OPTIMAL",
    "UNMET_SCHEMA",
    "PlanInput",
    "PlanResult",
    "Policy",
    "Progress",
    "evaluate",
    "greedy_plan",
    "kpis",
    "shortfall",
    "solve_plan",
]
