"""The rebalancing optimizer of pmo-tui: polars frames in, a plan and its explanation out.

It knows nothing of the store or the UI (no textual, sqlite_utils, click or
pmo_tui imports), and imports OR-Tools only when a plan is computed. Importing
the package itself is cheap: the names below load their modules (and polars)
on first use, so ``solver.policy`` serves the command line without polars.

Public API:

- :func:`solve_plan` — greedy baseline, LP bound and CP-SAT; returns a :class:`PlanResult`.
- :func:`greedy_plan` — the baseline alone.
- :func:`evaluate` — the objective terms of any plan.
- :func:`kpis`, :func:`shortfall` — figures of any allocation, without a solver.
- :class:`Policy` (:mod:`solver.policy`), :class:`PlanInput`, :class:`PlanResult`,
  :class:`Progress`, the frame schemas and statuses (:mod:`solver.types`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solver.explain import NO_FREE_CAPACITY, NO_QUALIFIED_PERSON, NOT_WORTH_IT
    from solver.greedy import greedy_plan
    from solver.measures import kpis, shortfall
    from solver.objective import evaluate
    from solver.policy import Policy
    from solver.solve import solve_plan
    from solver.types import (
        INPUT_SCHEMAS,
        MOVES_SCHEMA,
        PLAN_SCHEMA,
        SHORTFALL_SCHEMA,
        UNMET_SCHEMA,
        PlanInput,
        PlanResult,
        Progress,
    )

# The statuses are plain strings: cheap enough to load with the package.
from solver.status import STATUS_CANCELLED, STATUS_FEASIBLE, STATUS_INFEASIBLE, STATUS_OPTIMAL

#: Public name -> the module that declares it (loaded on first use).
_HOME = {
    "evaluate": "solver.objective",
    "NO_FREE_CAPACITY": "solver.explain",
    "NO_QUALIFIED_PERSON": "solver.explain",
    "NOT_WORTH_IT": "solver.explain",
    "greedy_plan": "solver.greedy",
    "kpis": "solver.measures",
    "shortfall": "solver.measures",
    "Policy": "solver.policy",
    "solve_plan": "solver.solve",
    **{
        name: "solver.types"
        for name in (
            "INPUT_SCHEMAS",
            "MOVES_SCHEMA",
            "PLAN_SCHEMA",
            "SHORTFALL_SCHEMA",
            "UNMET_SCHEMA",
            "PlanInput",
            "PlanResult",
            "Progress",
        )
    },
}

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


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    if name not in _HOME:
        raise AttributeError(f"module 'solver' has no attribute {name!r}")
    value = getattr(import_module(_HOME[name]), name)
    globals()[name] = value
    return value
