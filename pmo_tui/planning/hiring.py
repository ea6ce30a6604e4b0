"""What to hire: the bottlenecks of a plan per skill and quarter, and what one more FTE buys.

For each skill and calendar quarter of a solved plan:

- **shortfall**: demand above the capacity of everyone qualified (:func:`shortfall_by_quarter`):
  hours that no re-allocation can fix; only hiring, moving dates or lowering levels help.
- **estimate** of one more full-time person (40 h a week, qualified at the highest minimum
  level that skill's demand asks in the quarter), from the marginal values of the plan's
  LP relaxation: an hour of demand the plan leaves uncovered has a slack upper bound, so by
  complementary slackness its dual is 0 and the hour is worth ``cover_weight x priority
  weight`` in the objective (docs/planning.md), less the churn weight (a new hour is a
  changed hour). The new person's hours are given, week by week, to the highest-valued
  uncovered demand of the skill first, never more than it lacks; each project joined in
  a week costs the fragmentation weight, each demand joined a continuity start. The estimate is an upper bound of what the hire adds when nobody
  else's work moves (it ignores minimum blocks), and can be below the true gain when the
  hire frees someone qualified for other work.
- **check** (optional): the plan re-solved over the quarter's weeks with that person added,
  against the same weeks without them: the objective and the covered hours it really adds.

:func:`hiring_advice` is what ``pmo-tui advise hiring``, ``pmo-tui plan --headless`` (the
estimates only) and the plan screen show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.domain.horizon import quarter, quarter_weeks
from solver.policy import Policy
from solver.types import PlanInput, PlanResult

#: Hours a week of one more full-time person (the standard week the demo's contracts use).
FTE_HOURS = 40.0

#: Columns of :func:`hiring_advice`'s frame.
ADVICE_SCHEMA: SchemaDict = {
    "skill_id": pl.String,
    "quarter": pl.String,
    "level": pl.Int64,
    "shortfall_hours": pl.Float64,
    "unmet_hours": pl.Float64,
    "fte_hours": pl.Float64,
    "fte_value": pl.Float64,
    "checked_hours": pl.Float64,
    "checked_value": pl.Float64,
}

#: Re-solves a plan input with a policy (the planning service passes ``solver.solve_plan``).
Solve = Callable[[PlanInput, Policy], PlanResult]


def hiring_advice(
    inputs: PlanInput,
    result: PlanResult,
    policy: Policy,
    *,
    quarters: int | None = None,
    check_top: int = 0,
    solve: Solve | None = None,
) -> pl.DataFrame:
    """Per skill and quarter: the shortfall, the uncovered hours, and one more FTE's worth.

    Args:
        inputs, result: a solved plan (``solver.solve_plan(inputs, policy)``).
        quarters: only the first N quarters of the plan (None: all).
        check_top: re-solve the plan for the first ``check_top`` rows (by estimated value)
            to measure what the hire really adds; needs ``solve``.
        solve: the solver (``solver.solve_plan``), for the checks.

    Returns:
        :data:`ADVICE_SCHEMA`, one row per skill and quarter with uncovered demand, by
        estimated value (objective units), largest first: ``shortfall_hours`` (no
        re-allocation can fix), ``unmet_hours`` (what the plan leaves uncovered),
        ``fte_hours``/``fte_value`` (the estimate for one more FTE at ``level``),
        ``checked_hours``/``checked_value`` (the re-solve; null when not checked).
    """
    unmet = _uncovered(inputs, result)
    if unmet.is_empty():
        return pl.DataFrame(schema=ADVICE_SCHEMA)
    chosen = sorted(unmet["quarter"].unique().to_list())[:quarters]
    unmet = unmet.filter(pl.col("quarter").is_in(chosen))
    levels = _levels(inputs).filter(pl.col("quarter").is_in(chosen))
    rows = []
    for (skill, period), group in unmet.group_by("skill_id", "quarter", maintain_order=True):
        level = levels.filter((pl.col("skill_id") == skill) & (pl.col("quarter") == period))
        hours, value = fte_estimate(group, policy)
        rows.append(
            {
                "skill_id": skill,
                "quarter": period,
                "level": int(level["level"].max() or 1),  # type: ignore[arg-type]
                "unmet_hours": round(float(group["unmet_hours"].sum()), 1),
                "fte_hours": hours,
                "fte_value": value,
            }
        )
    advice = (
        pl.DataFrame(rows)
        .join(shortfall_by_quarter(inputs), on=["skill_id", "quarter"], how="left")
        .with_columns(pl.col("shortfall_hours").fill_null(0.0))
        .with_columns(
            pl.lit(None, pl.Float64).alias("checked_hours"),
            pl.lit(None, pl.Float64).alias("checked_value"),
        )
        .select(list(ADVICE_SCHEMA))
        .sort(["fte_value", "skill_id", "quarter"], descending=[True, False, False])
    )
    if check_top and solve is not None:
        advice = _checked(advice, inputs, policy, solve, check_top)
    return advice.cast(ADVICE_SCHEMA)  # type: ignore[arg-type]


def _uncovered(inputs: PlanInput, result: PlanResult) -> pl.DataFrame:
    """``skill_id, quarter, week, demand_id, project_id, unmet_hours, weight`` of the
    demand the plan leaves uncovered (skills only: named-person demand is not hireable)."""
    weights = inputs.projects.select("project_id", "priority_weight")
    return (
        result.unmet.filter(pl.col("skill_id").is_not_null() & (pl.col("unmet_hours") > 0))
        .join(weights, on="project_id", how="left")
        .with_columns(
            pl.col("priority_weight").fill_null(1.0).alias("weight"),
            pl.col("week").map_elements(quarter, return_dtype=pl.String).alias("quarter"),
        )
        .select("skill_id", "quarter", "week", "demand_id", "project_id", "unmet_hours", "weight")
        .sort("skill_id", "quarter", "week", "demand_id")
    )


def _levels(inputs: PlanInput) -> pl.DataFrame:
    """``skill_id, quarter, level``: the highest minimum level asked of each skill."""
    return (
        inputs.demand.filter(pl.col("skill_id").is_not_null())
        .with_columns(pl.col("week").map_elements(quarter, return_dtype=pl.String).alias("quarter"))
        .group_by("skill_id", "quarter")
        .agg(pl.col("min_level").fill_null(1).max().alias("level"))
    )


def shortfall_by_quarter(inputs: PlanInput) -> pl.DataFrame:
    """``skill_id, quarter, shortfall_hours``: demand no re-allocation can cover.

    Per skill and week, the largest excess, over the minimum levels ``L`` asked, of the
    demand needing level ``L`` or more above the capacity of everyone holding the skill
    at ``L`` or more (still valid that week): levels nest, so this is Hall's condition
    on the skill's demand alone (a person with several skills counts in each: contention
    between skills can only add to it). Summed over the weeks of each quarter.
    """
    demand = inputs.demand.filter(pl.col("skill_id").is_not_null()).with_columns(
        pl.col("min_level").fill_null(1)
    )
    thresholds = demand.select("skill_id", "week", pl.col("min_level").alias("level")).unique()
    need = (
        thresholds.join(demand, on=["skill_id", "week"])
        .filter(pl.col("min_level") >= pl.col("level"))
        .group_by("skill_id", "week", "level")
        .agg(pl.col("hours").sum().alias("need"))
    )
    holders = inputs.skills.rename({"level": "held"})
    if "valid_until" not in holders.columns:
        holders = holders.with_columns(pl.lit(None, pl.Date).alias("valid_until"))
    supply = (
        thresholds.join(holders, on="skill_id")
        .filter(pl.col("held") >= pl.col("level"))
        .join(inputs.capacity, on=["person_id", "week"])
        .filter(pl.col("valid_until").is_null() | (pl.col("week") < pl.col("valid_until")))
        .group_by("skill_id", "week", "level")
        .agg(pl.col("hours").sum().alias("supply"))
    )
    return (
        need.join(supply, on=["skill_id", "week", "level"], how="left")
        .with_columns((pl.col("need") - pl.col("supply").fill_null(0.0)).alias("excess"))
        .group_by("skill_id", "week")
        .agg(pl.col("excess").max().clip(lower_bound=0.0).alias("shortfall_hours"))
        .with_columns(pl.col("week").map_elements(quarter, return_dtype=pl.String).alias("quarter"))
        .group_by("skill_id", "quarter")
        .agg(pl.col("shortfall_hours").sum().round(1))
    )


def fte_estimate(uncovered: pl.DataFrame, policy: Policy) -> tuple[float, float]:
    """Hours one more FTE covers and the objective it adds, from the LP's marginal values.

    Args:
        uncovered: ``week, demand_id, project_id, unmet_hours, weight`` of one skill
            (and quarter).

    Returns:
        ``(hours, value)``: each week, up to :data:`FTE_HOURS` given to the highest
        ``cover_weight x weight`` demand first, never more than it lacks; ``value`` is
        ``(cover_weight x weight - churn_weight) x hours`` (new hours count as changed
        against the current allocation) less ``fragmentation_weight`` per project and
        week and ``continuity_weight`` per demand joined (its first week).
    """
    hours = value = 0.0
    joined: set[str] = set()
    for _, week in uncovered.sort("week").group_by("week", maintain_order=True):
        left = FTE_HOURS
        projects: set[str] = set()
        ranked = week.sort(["weight", "unmet_hours", "demand_id"], descending=[True, True, False])
        for demand_id, project_id, unmet, weight in ranked.select(
            "demand_id", "project_id", "unmet_hours", "weight"
        ).iter_rows():
            take = min(left, unmet)
            if take <= 0:
                break
            gain = (policy.cover_weight * weight - policy.churn_weight) * take
            costs = (policy.fragmentation_weight if project_id not in projects else 0.0) + (
                policy.continuity_weight if demand_id not in joined else 0.0
            )
            if gain <= costs:
                continue
            hours, value, left = hours + take, value + gain - costs, left - take
            projects.add(project_id)
            joined.add(demand_id)
    return round(hours, 1), round(value, 1)


def with_hire(inputs: PlanInput, skill_id: str, level: int, weeks: list[dt.date]) -> PlanInput:
    """``inputs`` with one more person, ``hire``, of :data:`FTE_HOURS` a week in ``weeks``,
    holding ``skill_id`` at ``level``."""
    person = f"hire-{skill_id}"
    capacity = pl.DataFrame(
        {"person_id": person, "week": weeks, "hours": FTE_HOURS},
        schema={"person_id": pl.String, "week": pl.Date, "hours": pl.Float64},
    )
    skills = pl.DataFrame(
        {"person_id": [person], "skill_id": [skill_id], "level": [level]},
        schema={"person_id": pl.String, "skill_id": pl.String, "level": pl.Int64},
    )
    return dataclasses.replace(
        inputs,
        capacity=pl.concat([inputs.capacity.select("person_id", "week", "hours"), capacity]),
        skills=pl.concat([inputs.skills, skills], how="diagonal_relaxed"),
    )


def in_weeks(inputs: PlanInput, weeks: list[dt.date]) -> PlanInput:
    """``inputs`` restricted to ``weeks`` (capacity, demand and the current allocation)."""
    inside = pl.col("week").is_in(weeks)
    return dataclasses.replace(
        inputs,
        capacity=inputs.capacity.filter(inside),
        demand=inputs.demand.filter(inside),
        current=inputs.current.filter(inside),
    )


def _checked(
    advice: pl.DataFrame, inputs: PlanInput, policy: Policy, solve: Solve, top: int
) -> pl.DataFrame:
    """``advice`` with the re-solved gain of its first ``top`` rows."""
    checked_hours: list[float | None] = []
    checked_value: list[float | None] = []
    for position, row in enumerate(advice.iter_rows(named=True)):
        if position >= top:
            checked_hours.append(None)
            checked_value.append(None)
            continue
        weeks = quarter_weeks(row["quarter"], inputs.demand["week"])
        base = solve(in_weeks(inputs, weeks), policy)
        hired = solve(
            with_hire(in_weeks(inputs, weeks), row["skill_id"], row["level"], weeks), policy
        )
        covered = _covered(hired) - _covered(base)
        checked_hours.append(round(covered, 1))
        checked_value.append(round(hired.objective - base.objective, 1))
    return advice.with_columns(
        pl.Series("checked_hours", checked_hours, dtype=pl.Float64),
        pl.Series("checked_value", checked_value, dtype=pl.Float64),
    )


def _covered(result: PlanResult) -> float:
    """Demand hours a plan covers (its KPIs' ``covered_hours``)."""
    return float(result.kpis_after.get("covered_hours", 0.0))


def hiring_scenario(advice: pl.DataFrame, people: pl.DataFrame, skills: pl.DataFrame) -> str:
    """A scenario file (TOML, docs/scenarios.md) hiring one placeholder per row of ``advice``.

    Each placeholder (``add_person``) holds the row's skill at its level, starts on the
    first Monday of its quarter, works 8 h Monday to Friday, and takes the region and
    the median cost rate of the people who hold that skill now.

    Args:
        advice: rows of :func:`hiring_advice` (``skill_id, quarter, level, fte_value...``).
        people: ``id, region, cost_rate`` (the ``person`` table).
        skills: ``person_id, skill_id`` (the ``person_skill`` table).
    """
    holders = skills.join(people.rename({"id": "person_id"}), on="person_id")
    lines = [
        "# Hire where the plan is short (pmo-tui advise hiring): one placeholder per bottleneck.",
        'name = "hire-for-bottlenecks"',
        'description = "'
        + ", ".join(
            f"{row['skill_id']} (level {row['level']}) from {row['quarter']}"
            for row in advice.iter_rows(named=True)
        )
        + '"',
    ]
    for number, row in enumerate(advice.iter_rows(named=True), start=1):
        mine = holders.filter(pl.col("skill_id") == row["skill_id"])
        regions = mine["region"].drop_nulls().mode().sort().to_list()
        rate = mine["cost_rate"].drop_nulls().median()
        lines += [
            "",
            "[[change]]",
            'kind = "add_person"',
            f'id = "hire-{row["skill_id"]}-{number}"',
            f'name = "{row["skill_id"]} hire {number} ({row["quarter"]})"',
            f"skills = {{ {row['skill_id']} = {row['level']} }}",
            f"start = {quarter_start(row['quarter']).isoformat()}",
        ]
        if regions:
            lines.append(f'region = "{regions[0]}"')
        if isinstance(rate, int | float):
            lines.append(f"cost_rate = {round(float(rate), 2):g}")
    return "\n".join(lines) + "\n"


def quarter_start(label: str) -> dt.date:
    """The first Monday on or after the first day of quarter ``label`` (``2027-Q2``)."""
    year, number = int(label[:4]), int(label[-1])
    first = dt.date(year, 3 * (number - 1) + 1, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)
