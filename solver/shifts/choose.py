"""The optimizer's second lever: start a project up to its allowance later.

:func:`choose_shifts` decides, per project, how many whole weeks later it starts (its
whole demand profile moves, hours unchanged) so that the priority-weighted demand the
people can cover, minus the priority-weighted delay, is largest, while every
finish-to-start dependency between projects holds. :func:`apply_shifts` moves the
demand accordingly. Frames in, frames out; weeks are Mondays (``pl.Date``), hours
``Float64`` with one decimal (tenths internally).

Cover is estimated by an aggregate capacity model (see :mod:`solver.shifts.model`):
per week, the free hours of people flow to the demand classes (skill, minimum level)
they qualify for. That is exact for the cover term of the weekly allocation model
alone; churn, fragmentation, minimum blocks and concurrency limits are not seen, and
demand without a skill (named people) is shifted but not counted as cover. The
dependency analysis and its conflicts are in :mod:`solver.shifts.dependencies`.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from dataclasses import dataclass, field

import polars as pl
from polars._typing import SchemaDict

from solver.policy import Policy
from solver.shifts.dependencies import (
    Allowance,
    Link,
    Span,
    link_text,
    make_links,
    shift_bounds,
    weeks_text,
)
from solver.shifts.model import ShiftProblem, solve_shift_model
from solver.status import STATUS_INFEASIBLE, STATUS_OPTIMAL
from solver.types import (
    DEPENDENCY_SCHEMA,
    INPUT_SCHEMAS,
    empty,
    to_tenths,
)

SHIFTS_SCHEMA: SchemaDict = {
    "project_id": pl.String,
    "shift_weeks": pl.Int64,
    "first_week": pl.Date,
    "new_first_week": pl.Date,
    "reason": pl.String,
}

#: A Monday: week numbers are whole weeks since it.
EPOCH = dt.date(1970, 1, 5)

_DEMAND = INPUT_SCHEMAS["demand"]
_CAPACITY = INPUT_SCHEMAS["capacity"]
_SKILLS = {**INPUT_SCHEMAS["skills"], "valid_until": pl.Date}
_PROJECTS = {**INPUT_SCHEMAS["projects"], "may_shift_weeks": pl.Int64}
_DEPENDENCIES = DEPENDENCY_SCHEMA
#: Columns that may be missing (then null: no expiry, no allowance, no lag).
_OPTIONAL = {"valid_until", "may_shift_weeks", "lag_weeks"}


@dataclass
class ShiftDecision:
    """What :func:`choose_shifts` decided.

    Attributes:
        status: ``OPTIMAL`` (best for the aggregate model and the weights, or nothing to
            decide), ``FEASIBLE`` (time limit: the best shifts found, dependencies hold),
            ``CANCELLED_WITH_PLAN`` (stopped: the best so far) or ``INFEASIBLE`` (the
            dependencies cannot all hold: ``conflicts`` says why; no project moves).
        shifts: :data:`SHIFTS_SCHEMA`, one row per project that starts later (shift > 0).
        shifted_demand: the demand with those shifts applied (same columns as given).
        delay_cost: ``delay_weight * sum(priority_weight * shift_weeks)``.
        conflicts: the smallest sets of conflicting constraints, one sentence each.
        objective: the model's objective of the shifts, ``cover - delay_cost`` (objective
            units); ``nan`` when no model was solved (nothing to decide, infeasible, or
            no solution within the time limit, when the least feasible shifts are kept).
        cover: ``cover_weight * sum(priority_weight * covered hours)`` as estimated by the
            aggregate capacity model (``nan`` as for ``objective``).
        bound: an upper bound on ``objective`` over all feasible shifts (CP-SAT's bound
            of the relaxation; equal to ``objective`` when ``OPTIMAL``).
        start_objective: the same objective for the least shifts that satisfy the
            dependencies (zero shifts when they hold), where the search starts.
        stats: model size: ``booleans``, ``cover_vars``, ``hall_rows`` (initial),
            ``cuts`` (added), ``constraints``, ``rounds`` (CP-SAT solves).
        timings: seconds: ``prepare`` (frames, dependency bounds), ``build`` (model, week
            networks, score of the least shifts), ``descent`` (single-project moves),
            ``solve`` (CP-SAT), ``cuts`` (scoring and separation between rounds).
        notes: what the user should know (CP-SAT stopped abnormally: the descent's
            shifts are used).
    """

    status: str
    shifts: pl.DataFrame
    shifted_demand: pl.DataFrame
    delay_cost: float
    conflicts: list[str] = field(default_factory=list)
    objective: float = math.nan
    cover: float = math.nan
    bound: float = math.nan
    start_objective: float = math.nan
    stats: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def choose_shifts(
    demand: pl.DataFrame,
    capacity: pl.DataFrame,
    skills: pl.DataFrame,
    projects: pl.DataFrame,
    dependencies: pl.DataFrame,
    fixed_load: pl.DataFrame,
    locked_projects: set[str] | frozenset[str],
    *,
    cover_weight: float,
    delay_weight: float,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 2,
    deterministic_time: float | None = None,
    cancel: threading.Event | None = None,
) -> ShiftDecision:
    """Choose how many weeks later each project starts (CP-SAT on an aggregate model).

    Semantics:

    * A project's first and last week are its first and last week with demand hours > 0;
      a project without such demand never moves and its dependencies hold trivially.
    * Shift ``s`` in ``0..may_shift_weeks`` moves every demand row of the project ``s``
      weeks later, hours unchanged. Locked projects, and projects missing from
      ``projects``, keep ``s = 0``. Weeks without capacity rows have no capacity: demand
      shifted there goes uncovered.
    * Finish-to-start: ``first(to) + s_to >= last(from) + s_from + 1 + lag_weeks`` for
      every dependency row. If no shifts can satisfy them all (a cycle, or a successor
      locked or with too small an allowance), the status is ``INFEASIBLE`` and
      ``conflicts`` names, per violated project, the chain with the fewest links that
      pushes it beyond its allowance (every link and the allowance), and every cycle.
    * Objective (maximised): ``cover_weight * sum(priority_weight * covered hours) -
      delay_weight * sum(priority_weight * shift_weeks)``, covered hours estimated by the
      aggregate capacity model: per week, people with identical qualifications are one
      supply (capacity minus ``fixed_load``), flowing to the (skill, min_level) classes
      they qualify for (``level >= min_level`` and the week before ``valid_until``);
      covered hours per class and priority are at most its demand. With one class this
      is ``min(demand, capacity)`` per week, highest priority first. Demand with a null
      skill moves with its project but counts as never covered (only its named people
      could do it). Pass the demand still to cover (net of pinned cover) for a
      truthful estimate; the estimate ignores churn and fragmentation.
    * CP-SAT starts from the least shifts that satisfy the dependencies (zero shifts when
      those already hold). Same input, seed and workers give the same shifts when the
      search ends on optimality or on ``deterministic_time``.

    Args:
        demand: ``demand_id, project_id, skill_id (nullable), min_level, week, hours``.
        capacity: ``person_id, week, hours`` (net of leave etc.).
        skills: ``person_id, skill_id, level`` and optionally ``valid_until`` (Date,
            nullable: the person no longer qualifies for weeks on or after it).
        projects: ``project_id, priority_weight`` (> 0; null = 1) and optionally
            ``may_shift_weeks`` (>= 0; null = 0).
        dependencies: ``from_project_id, to_project_id`` and optionally ``lag_weeks``
            (>= 0; null = 0).
        fixed_load: ``person_id, week, hours`` the plan cannot move (fixed and pinned).
        locked_projects: projects that may not shift.
        cover_weight, delay_weight: the two objective weights.
        time_limit_s, seed, workers, deterministic_time: CP-SAT settings (see
            :class:`solver.Policy`).
        cancel: set it to stop the search; the best shifts so far are returned.

    Raises:
        ValueError: a frame lacks a required column.
    """
    started = time.perf_counter()
    demand_in = demand
    demand = _conform("demand", demand, _DEMAND).with_columns(week_no=_week_number("week"))
    projects = _conform("projects", projects, _PROJECTS)
    spans = _spans(demand)
    weights = {
        p: (w if w is not None and w > 0 else 1.0)
        for p, w in projects.select("project_id", "priority_weight").iter_rows()
    }
    weights = {p: weights.get(p, 1.0) for p in spans}
    allowed = {p: (s or 0) for p, s in projects.select("project_id", "may_shift_weeks").iter_rows()}
    allowances = {p: Allowance(allowed.get(p, 0), p in locked_projects) for p in spans}
    rows = _conform("dependencies", dependencies, _DEPENDENCIES).iter_rows()
    links = make_links(spans, [(a, b, lag or 0) for a, b, lag in rows])
    bounds = shift_bounds(spans, allowances, links)
    timings = {"prepare": time.perf_counter() - started}
    if bounds.conflicts:
        return ShiftDecision(
            status=STATUS_INFEASIBLE,
            shifts=empty(SHIFTS_SCHEMA),
            shifted_demand=demand_in,
            delay_cost=0.0,
            conflicts=bounds.conflicts,
            timings=timings,
        )
    if all(bounds.lower[p] == bounds.upper[p] for p in spans):
        return _decision(
            demand_in,
            spans,
            bounds.lower,
            links,
            weights,
            STATUS_OPTIMAL,
            delay_weight,
            timings=timings,
        )
    problem = ShiftProblem(
        cover=_cover(demand),
        classes=_classes(demand),
        supply=_supply(demand, capacity, skills, fixed_load),
        weights=weights,
        lower=bounds.lower,
        upper=bounds.upper,
        links=links,
    )
    timings["prepare"] = time.perf_counter() - started
    policy = Policy(
        time_limit_s=max(0.0, time_limit_s - timings["prepare"]),
        seed=seed,
        workers=workers,
        deterministic_time=deterministic_time,
    )
    outcome = solve_shift_model(problem, cover_weight, delay_weight, policy, cancel)
    timings.update(outcome.timings)
    return _decision(
        demand_in,
        spans,
        outcome.shifts,
        links,
        weights,
        outcome.status,
        delay_weight,
        objective=outcome.objective,
        cover=outcome.cover,
        bound=outcome.bound,
        start_objective=outcome.start_objective,
        notes=outcome.notes,
        stats=outcome.stats,
        timings=timings,
    )


def apply_shifts(demand: pl.DataFrame, shifts: pl.DataFrame) -> pl.DataFrame:
    """``demand`` with each project in ``shifts`` moved ``shift_weeks`` weeks (7 days each;
    negative moves earlier). Other columns, rows and their order are unchanged.

    Raises:
        ValueError: a project appears twice in ``shifts``.
    """
    moves = shifts.select("project_id", pl.col("shift_weeks").cast(pl.Int64))
    if moves["project_id"].n_unique() != moves.height:
        raise ValueError("a project appears more than once in the shifts")
    mapping = dict(moves.iter_rows())
    if not mapping:
        return demand
    weeks = pl.col("project_id").replace_strict(mapping, default=0, return_dtype=pl.Int64)
    return demand.with_columns(pl.col("week") + pl.duration(weeks=weeks))


def _conform(name: str, frame: pl.DataFrame, schema: SchemaDict) -> pl.DataFrame:
    missing = [c for c in schema if c not in frame.columns and c not in _OPTIONAL]
    if missing:
        raise ValueError(f"the {name} frame lacks column(s): {', '.join(missing)}")
    return frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(dtype).alias(c)
        for c, dtype in schema.items()
    )


def _week_number(column: str) -> pl.Expr:
    return (pl.col(column) - pl.lit(EPOCH)).dt.total_days() // 7


def _spans(demand: pl.DataFrame) -> dict[str, Span]:
    frame = (
        demand.filter(pl.col("hours") > 0)
        .group_by("project_id")
        .agg(
            pl.col("week_no").min().alias("first"),
            pl.col("week_no").max().alias("last"),
            pl.col("week").sort_by("week_no").first().alias("first_week"),
            pl.col("week").sort_by("week_no").last().alias("last_week"),
        )
        .sort("project_id")
    )
    return {row[0]: Span(*row[1:]) for row in frame.iter_rows()}


def _classes(demand: pl.DataFrame) -> pl.DataFrame:
    """``skill_id, min_level, cls``: one index per demand class, in sorted order."""
    return (
        demand.filter(pl.col("skill_id").is_not_null())
        .select("skill_id", pl.col("min_level").fill_null(1))
        .unique()
        .sort("skill_id", "min_level")
        .with_row_index("cls")
        .with_columns(pl.col("cls").cast(pl.Int64))
    )


def _cover(demand: pl.DataFrame) -> pl.DataFrame:
    return (
        demand.filter(pl.col("skill_id").is_not_null() & (pl.col("hours") > 0))
        .with_columns(pl.col("min_level").fill_null(1))
        .join(_classes(demand), on=["skill_id", "min_level"])
        .group_by("project_id", "cls", pl.col("week_no").alias("week"))
        .agg(to_tenths("hours").sum().alias("tenths"))
        .sort("project_id", "cls", "week")
    )


def _supply(
    demand: pl.DataFrame, capacity: pl.DataFrame, skills: pl.DataFrame, fixed_load: pl.DataFrame
) -> pl.DataFrame:
    """``person_id, week (number), cls, free``: classes each person qualifies for in each
    week with free tenths > 0 (capacity minus fixed load)."""
    capacity = _conform("capacity", capacity, _CAPACITY)
    fixed = _conform("fixed_load", fixed_load, _CAPACITY)
    keys = ["person_id", "week"]
    free = (
        capacity.group_by(keys)
        .agg(to_tenths("hours").sum().alias("capacity"))
        .join(
            fixed.group_by(keys).agg(to_tenths("hours").sum().alias("fixed")), on=keys, how="left"
        )
        .with_columns(free=pl.col("capacity") - pl.col("fixed").fill_null(0))
        .filter(pl.col("free") > 0)
    )
    qualified = (
        _conform("skills", skills, _SKILLS)
        .join(_classes(demand), on="skill_id")
        .filter(pl.col("level") >= pl.col("min_level"))
        .select("person_id", "cls", "valid_until")
    )
    return (
        free.join(qualified, on="person_id")
        .filter(pl.col("valid_until").is_null() | (pl.col("week") < pl.col("valid_until")))
        .select("person_id", _week_number("week").alias("week"), "cls", "free")
        .unique(["person_id", "week", "cls"])
        .sort("person_id", "week", "cls")
    )


def _decision(
    demand: pl.DataFrame,
    spans: dict[str, Span],
    shifts: dict[str, int],
    links: list[Link],
    weights: dict[str, float],
    status: str,
    delay_weight: float,
    **figures: object,
) -> ShiftDecision:
    rows = [
        (
            p,
            s,
            spans[p].first_week,
            spans[p].first_week + dt.timedelta(weeks=s),
            _reason(p, s, shifts, links),
        )
        for p, s in sorted(shifts.items())
        if s > 0
    ]
    frame = pl.DataFrame(rows, schema=SHIFTS_SCHEMA, orient="row")
    delay = delay_weight * sum(weights.get(p, 1.0) * s for p, s in shifts.items())
    return ShiftDecision(
        status=status,
        shifts=frame,
        shifted_demand=apply_shifts(demand, frame),
        delay_cost=delay,
        **figures,  # type: ignore[arg-type]
    )


def _reason(project: str, shift: int, shifts: dict[str, int], links: list[Link]) -> str:
    """Why ``project`` starts ``shift`` weeks later: the predecessors it must wait for,
    and/or the better cover of the aggregate model."""
    incoming = [link for link in links if link.target == project]
    needed = max((shifts[link.source] + link.gap for link in incoming), default=0)
    parts = []
    if needed > 0:
        binding = [link for link in incoming if shifts[link.source] + link.gap == needed]
        waits = " and ".join(
            f"{link.source} ends ({link_text(link)}"
            + (
                f", {link.source} itself {weeks_text(shifts[link.source])} later)"
                if shifts[link.source]
                else ")"
            )
            for link in binding
        )
        parts.append(f"starts after {waits}: at least {weeks_text(needed)} later")
    if shift > needed:
        parts.append(
            f"starting {weeks_text(shift)} later covers more priority-weighted demand with "
            "the capacity of qualified people than it costs in delay"
        )
    return "; ".join(parts)
