"""The key figures of one planned scenario, as plain rounded numbers (docs/scenarios.md).

Every figure comes from the solver's :class:`solver.PlanResult` and the scenario's
inputs; all are rounded so that JSON output repeats exactly: hours to 0.1,
fractions (``coverage``, ``gap``) to 4 decimals, percentages to 0.01, cost and
objective to 0.1. An infeasible scenario has ``None`` for every figure but
``status`` and ``conflicts``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from pmo_tui.domain.horizon import quarter
from solver import PlanInput, PlanResult
from solver.status import STATUS_INFEASIBLE

#: Metric -> what it measures; the names ``--fail-if`` accepts (``unmet_hours`` also keyed).
METRICS: dict[str, str] = {
    "coverage": "covered / demand hours, a fraction from 0 to 1",
    "coverage_pct": "the same in percent",
    "weighted_coverage_pct": "coverage weighted by project priority (6 - priority), percent",
    "demand_hours": "demand hours over the horizon",
    "covered_hours": "demand hours covered by the plan",
    "unmet_hours": "demand hours left uncovered; unmet_hours[SKILL] or unmet_hours[2027-Q1]",
    "shortfall_hours": "demand above the capacity of everyone qualified (only hiring helps)",
    "over_allocated_hours": "hours booked above capacity in the plan",
    "over_allocated_person_weeks": "person-weeks booked above capacity in the plan",
    "people_moved": "people whose allocations the plan changes",
    "cost": "sum over the plan of hours x the person's cost_rate (none: 0)",
    "projects_delayed": "projects whose first demand week is later than in the base",
    "objective": "the plan's objective (cover - churn - fragmentation - delay)",
    "gap": "(bound - objective) / bound, a fraction",
}

#: Key in the unmet-by-skill table for demand without a skill (named people from project files).
NO_SKILL = "(no skill)"


def project_starts(inputs: PlanInput, result: PlanResult | None) -> dict[str, dt.date]:
    """Project -> its first demand week, moved by the optimizer's own shift when it made one.

    ``result.shifts`` (``project_id, shift_weeks``) is read when the solver provides it.
    """
    starts = inputs.demand.group_by("project_id").agg(pl.col("week").min())
    first = dict(zip(starts["project_id"].to_list(), starts["week"].to_list(), strict=True))
    shifts = getattr(result, "shifts", None) if result is not None else None
    if isinstance(shifts, pl.DataFrame) and {"project_id", "shift_weeks"} <= set(shifts.columns):
        for project_id, weeks in shifts.select("project_id", "shift_weeks").iter_rows():
            if project_id in first and weeks:
                first[project_id] += dt.timedelta(weeks=int(weeks))
    return first


def scenario_kpis(
    result: PlanResult,
    inputs: PlanInput,
    cost_rates: pl.DataFrame,
    base_starts: dict[str, dt.date] | None,
) -> dict[str, Any]:
    """The figures of :data:`METRICS` (and the status) for one planned scenario.

    Args:
        result: the solver's result.
        inputs: the frames it planned.
        cost_rates: ``id, cost_rate`` of every person (null: no cost).
        base_starts: :func:`project_starts` of the base; None for the base itself.
    """
    if result.status == STATUS_INFEASIBLE:
        return {
            "status": result.status,
            **dict.fromkeys(METRICS),
            "delayed_projects": [],
            "unmet_hours_by_skill": {},
            "unmet_hours_by_quarter": {},
            "conflicts": list(result.conflicts),
        }
    after = result.kpis_after
    delayed = _delayed(project_starts(inputs, result), base_starts or {})
    return {
        "status": result.status,
        "coverage": round(after.get("coverage_pct", 100.0) / 100, 4),
        "coverage_pct": round(after.get("coverage_pct", 100.0), 2),
        "weighted_coverage_pct": round(after.get("weighted_coverage_pct", 100.0), 2),
        "demand_hours": round(after.get("demand_hours", 0.0), 1),
        "covered_hours": round(after.get("covered_hours", 0.0), 1),
        "unmet_hours": round(after.get("unmet_hours", 0.0), 1),
        "unmet_hours_by_skill": _unmet_by(result.unmet, pl.col("skill_id").fill_null(NO_SKILL)),
        "unmet_hours_by_quarter": _unmet_by(
            result.unmet, pl.col("week").map_elements(quarter, return_dtype=pl.String)
        ),
        "shortfall_hours": round(float(result.shortfall["shortfall_hours"].sum() or 0.0), 1),
        "over_allocated_hours": round(after.get("over_allocated_hours", 0.0), 1),
        "over_allocated_person_weeks": int(after.get("over_allocated_person_weeks", 0)),
        "people_moved": int(after.get("people_moved", 0)),
        "cost": _cost(result.plan, cost_rates),
        "projects_delayed": len(delayed),
        "delayed_projects": delayed,
        "objective": round(result.objective, 1),
        "gap": round(result.gap, 4),
        "conflicts": [],
    }


def _unmet_by(unmet: pl.DataFrame, key: pl.Expr) -> dict[str, float]:
    """Unmet hours per ``key`` (sorted by key), 0.1 h rounding, zero rows left out."""
    if unmet.is_empty():
        return {}
    grouped = (
        unmet.with_columns(key.alias("key"))
        .group_by("key")
        .agg(pl.col("unmet_hours").sum().round(1))
        .filter(pl.col("unmet_hours") > 0)
        .sort("key")
    )
    return dict(zip(grouped["key"].to_list(), grouped["unmet_hours"].to_list(), strict=True))


def _cost(plan: pl.DataFrame, cost_rates: pl.DataFrame) -> float:
    rates = cost_rates.select(pl.col("id").alias("person_id"), pl.col("cost_rate").fill_null(0.0))
    joined = plan.join(rates, on="person_id", how="left")
    return round(float((joined["hours"] * joined["cost_rate"].fill_null(0.0)).sum() or 0.0), 1)


def _delayed(starts: dict[str, dt.date], base_starts: dict[str, dt.date]) -> list[dict[str, Any]]:
    """``[{project_id, weeks}]`` of projects starting later than in the base, by project."""
    rows = []
    for project_id in sorted(starts):
        base = base_starts.get(project_id)
        if base is not None and starts[project_id] > base:
            rows.append({"project_id": project_id, "weeks": (starts[project_id] - base).days // 7})
    return rows
