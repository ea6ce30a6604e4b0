"""Two planned scenarios compared per person, project or week (``pmo-tui scenario diff``).

Either side may be the base (the live data planned without changes). Hours
are the planned allocations (``PlanResult.plan``: fixed load and pinned rows
included); covered hours per demand-week are ``min(demand, hours held on it)``.
Only rows that differ are listed (hours rounded to 0.1).
"""

from __future__ import annotations

import polars as pl

from solver import PlanInput

#: ``--by`` choices.
DIFF_BY = ("person", "project", "week")


def diff_frame(
    by: str, a_inputs: PlanInput, a_plan: pl.DataFrame, b_inputs: PlanInput, b_plan: pl.DataFrame
) -> pl.DataFrame:
    """The differences between plan A and plan B, grouped ``by`` person, project or week.

    Returns:
        person: ``person_id, project_id, hours_a, hours_b, change`` (hours over the horizon);
        project: ``project_id, demand_a, covered_a, coverage_a, demand_b, covered_b,
        coverage_b, change`` (covered hours; coverage in percent, null without demand);
        week: ``week, demand_a, covered_a, demand_b, covered_b, change`` (all projects).
        Rows sorted by their keys.

    Raises:
        ValueError: ``by`` is not one of :data:`DIFF_BY`.
    """
    if by == "person":
        keys = ["person_id", "project_id"]
        left = _sum(a_plan, keys, "hours_a")
        right = _sum(b_plan, keys, "hours_b")
        return _changed(_join(left, right, keys), "hours_a", "hours_b", keys)
    if by in ("project", "week"):
        key = "project_id" if by == "project" else "week"
        left = _covered(a_inputs, a_plan, key, "_a")
        right = _covered(b_inputs, b_plan, key, "_b")
        frame = _join(left, right, [key])
        frame = _changed(frame, "covered_a", "covered_b", [key], also=("demand_a", "demand_b"))
        if by == "project":
            frame = frame.with_columns(
                _percent("covered_a", "demand_a").alias("coverage_a"),
                _percent("covered_b", "demand_b").alias("coverage_b"),
            ).select(
                key,
                "demand_a",
                "covered_a",
                "coverage_a",
                "demand_b",
                "covered_b",
                "coverage_b",
                "change",
            )
        return frame
    raise ValueError(f"by must be one of {DIFF_BY}, not {by!r}")


def _sum(plan: pl.DataFrame, keys: list[str], name: str) -> pl.DataFrame:
    return plan.group_by(keys).agg(pl.col("hours").sum().round(1).alias(name))


def _covered(inputs: PlanInput, plan: pl.DataFrame, key: str, suffix: str) -> pl.DataFrame:
    held = (
        plan.filter(pl.col("demand_id").is_not_null())
        .group_by("demand_id", "week")
        .agg(pl.col("hours").sum().alias("held"))
    )
    weeks = inputs.demand.join(held, on=["demand_id", "week"], how="left").with_columns(
        pl.min_horizontal("hours", pl.col("held").fill_null(0.0)).alias("covered")
    )
    return weeks.group_by(key).agg(
        pl.col("hours").sum().round(1).alias(f"demand{suffix}"),
        pl.col("covered").sum().round(1).alias(f"covered{suffix}"),
    )


def _join(left: pl.DataFrame, right: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    joined = left.join(right, on=keys, how="full", coalesce=True)
    numbers = [c for c in joined.columns if c not in keys]
    return joined.with_columns(pl.col(numbers).fill_null(0.0))


def _changed(
    frame: pl.DataFrame, a: str, b: str, keys: list[str], also: tuple[str, ...] = ()
) -> pl.DataFrame:
    differs = (pl.col(b) - pl.col(a)).abs() > 0.05
    for left, right in [also] if also else []:
        differs |= (pl.col(right) - pl.col(left)).abs() > 0.05
    return (
        frame.with_columns((pl.col(b) - pl.col(a)).round(1).alias("change"))
        .filter(differs)
        .sort(keys, nulls_last=True)
        .select(*keys, *[c for c in frame.columns if c not in keys], "change")
    )


def _percent(part: str, whole: str) -> pl.Expr:
    return (
        pl.when(pl.col(whole) > 0)
        .then((100 * pl.col(part) / pl.col(whole)).round(1))
        .otherwise(None)
    )
