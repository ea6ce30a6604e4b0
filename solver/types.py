"""Inputs, settings and results of the rebalancing optimizer.

The solver works on polars frames only, so the store, the CLI and the TUI can
hand it what they already hold. Units: hours are ``Float64`` with at most one
decimal (the solver counts in tenths of an hour internally), weeks are ISO
weeks keyed by their Monday (``pl.Date``), ids are ``String``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from polars._typing import PolarsDataType, SchemaDict

#: Internal unit: the solver counts tenths of an hour, so hours with one decimal are exact.
HOURS_SCALE = 10

#: Column name -> dtype of each input frame (see docs/data-model.md).
INPUT_SCHEMAS: dict[str, SchemaDict] = {
    "capacity": {"person_id": pl.String, "week": pl.Date, "hours": pl.Float64},
    "skills": {"person_id": pl.String, "skill_id": pl.String, "level": pl.Int64},
    "demand": {
        "demand_id": pl.String,
        "project_id": pl.String,
        "skill_id": pl.String,
        "min_level": pl.Int64,
        "week": pl.Date,
        "hours": pl.Float64,
    },
    "projects": {"project_id": pl.String, "priority_weight": pl.Float64},
    "current": {
        "person_id": pl.String,
        "project_id": pl.String,
        "demand_id": pl.String,
        "week": pl.Date,
        "hours": pl.Float64,
        "pinned": pl.Boolean,
    },
}

#: Optional input columns: frame -> column -> (dtype, value when the column is missing).
OPTIONAL_COLUMNS: dict[str, dict[str, tuple[PolarsDataType, object]]] = {
    # the first week's Monday from which the skill no longer counts (null: no expiry)
    "skills": {"valid_until": (pl.Date, None)},
    # weeks the project may start later (its whole demand profile moves)
    "projects": {"may_shift_weeks": (pl.Int64, 0)},
}

#: Optional input frames (None or missing: empty).
PEOPLE_SCHEMA: SchemaDict = {
    "person_id": pl.String,
    "max_concurrent_projects": pl.Int64,
}
DEPENDENCY_SCHEMA: SchemaDict = {
    "from_project_id": pl.String,
    "to_project_id": pl.String,
    "lag_weeks": pl.Int64,
}

PLAN_SCHEMA: SchemaDict = dict(INPUT_SCHEMAS["current"])

MOVES_SCHEMA: SchemaDict = {
    "person_id": pl.String,
    "from_project_id": pl.String,
    "to_project_id": pl.String,
    "demand_id": pl.String,
    "first_week": pl.Date,
    "last_week": pl.Date,
    "weeks": pl.Int64,
    "hours": pl.Float64,
    "reason": pl.String,
    "gain": pl.Float64,
}

UNMET_SCHEMA: SchemaDict = {
    "demand_id": pl.String,
    "project_id": pl.String,
    "skill_id": pl.String,
    "week": pl.Date,
    "demand_hours": pl.Float64,
    "covered_hours": pl.Float64,
    "unmet_hours": pl.Float64,
    "reason": pl.String,
}

SHORTFALL_SCHEMA: SchemaDict = {
    "skill_id": pl.String,
    "min_level": pl.Int64,
    "week": pl.Date,
    "demand_hours": pl.Float64,
    "qualified_capacity_hours": pl.Float64,
    "shortfall_hours": pl.Float64,
}

HOUR_VALUES_SCHEMA: SchemaDict = {
    "skill_id": pl.String,
    "week": pl.Date,
    "value_per_hour": pl.Float64,
    "demand_id": pl.String,
}


@dataclass
class PlanInput:
    """The frames a plan is computed from (dtypes as in :data:`INPUT_SCHEMAS`).

    Attributes:
        capacity: ``person_id, week, hours`` — hours a person can work that week.
        skills: ``person_id, skill_id, level`` (1-5).
        demand: ``demand_id, project_id, skill_id (nullable), min_level, week, hours``.
            A null skill means only people currently allocated to the demand may fill it.
        projects: ``project_id, priority_weight`` (> 0, higher = more important;
            a project missing here weighs 1).
        current: ``person_id, project_id, demand_id (null = fixed load), week, hours, pinned``.
        people: optional ``person_id, max_concurrent_projects`` (Int64, null = the
            policy's default).
        dependencies: optional ``from_project_id, to_project_id, lag_weeks``: finish to
            start; the first demand week of ``to`` comes after the last of ``from`` plus
            ``lag_weeks``.

    Optional columns (:data:`OPTIONAL_COLUMNS`): ``skills.valid_until`` (Date: the person
    no longer qualifies in weeks on or after it) and ``projects.may_shift_weeks``.
    """

    capacity: pl.DataFrame
    skills: pl.DataFrame
    demand: pl.DataFrame
    projects: pl.DataFrame
    current: pl.DataFrame
    people: pl.DataFrame | None = None
    dependencies: pl.DataFrame | None = None


@dataclass(frozen=True)
class Progress:
    """One progress report of a running solve, in objective units.

    ``incumbent`` is the best plan's objective so far, ``bound`` the best proven upper
    bound, ``gap`` the relative gap ``(bound - incumbent) / max(|bound|, 1e-9)``,
    ``elapsed_s`` seconds since :func:`solver.solve_plan` started.
    """

    incumbent: float
    bound: float
    gap: float
    elapsed_s: float


@dataclass
class PlanResult:
    """Everything one optimizer run reports.

    Attributes:
        status: one of ``OPTIMAL`` (proven best for the weights), ``FEASIBLE`` (valid, not
            proven best: time limit), ``INFEASIBLE`` (pinned work and fixed load exceed a
            capacity; ``conflicts`` names each; plan, moves and unmet are empty,
            ``kpis_after`` is empty and the numbers are 0) or ``CANCELLED_WITH_PLAN``
            (stopped by the user; the best plan found so far, at least the greedy one).
        plan: ``person_id, project_id, demand_id, week, hours, pinned`` — the full proposed
            allocation: fixed loads and pinned rows as given, other rows with hours > 0.
        moves: see :data:`MOVES_SCHEMA`; one row per run of consecutive weeks; ``gain`` is
            what the move's hours add to the cover and churn terms (objective units:
            cover weight x (priority weight gained - priority weight given up) x hours
            - churn weight x hours changed); negative for hours taken off an
            over-allocated person, which capacity requires.
        unmet: see :data:`UNMET_SCHEMA`; one row per demand-week left (partly) uncovered.
        shortfall: see :data:`SHORTFALL_SCHEMA`; demand above the capacity of everyone
            qualified, per skill, minimum level and week.
        kpis_before, kpis_after: see :func:`solver.measures.kpis`.
        objective, objective_terms: the plan's objective and its terms (see
            :func:`solver.evaluate`).
        bound: best proven upper bound on the objective (LP relaxation, or CP-SAT on a
            small week it proved), less the assignment starts every plan pays (see
            :mod:`solver.continuity`); starts that depend on two weeks' choices are
            left out.
        gap: ``(bound - objective) / max(|bound|, 1e-9)``, never below 0.
        greedy_objective, greedy_terms: the same figures for the greedy baseline.
        lp_bound: the LP-relaxation bound: the sum over weeks of each week's LP optimum
            (solved as a min-cost flow, :func:`solver.rounding.lp_flow`) and the constant;
            ``inf`` for a week the time limit left without its LP.
        wall_time_s: seconds for the whole run.
        conflicts: the user's constraints that cannot all hold, in plain words.
        solver_version: the OR-Tools version.
        settings: the policy used, as a dict.
        shifts: ``project_id, shift_weeks, first_week, new_first_week, reason``: the
            projects that start later (``projects.may_shift_weeks``, dependencies); the
            plan staffs their demand as shifted and ``objective_terms['delay']`` is the
            priority-weighted delay cost (already taken off objective, greedy and bound).
        timings: seconds per phase: ``build`` (inputs, greedy plan, weekly model),
            ``lp`` (the passes: fill, relaxation, rounding, CP-SAT on small weeks),
            ``search`` (the wall-clock CP-SAT search, when asked for), ``report`` (moves,
            KPIs), and ``first_plan`` / ``rounded_plan`` (since the start, when each plan
            existed).
        notes: what the user should know about how the run ended, in plain words (the
            time limit ended it, CP-SAT stopped abnormally and the plan before it was kept,
            the plan had not settled).
        time_limit_hit: the wall-clock limit, not the work budget, ended the run: the
            plan may differ from run to run (``notes`` says so too).
        passes: passes over the weeks (:mod:`solver.passes`); settled: the last pass
            changed nothing, so planning again on this plan once applied proposes no move.
        held_back: moves proposed but not worth their keep (own gain at most
            ``Policy.min_move_gain``), in aggregate: ``moves`` (count), ``hours`` and
            ``gain`` (objective units they would have added).
        hour_values: ``skill_id, week, value_per_hour, demand_id`` (String, Date,
            Float64, String): from the duals of each week's LP relaxation, what one more
            hour of a person with that skill would add to the objective that week (the
            best reduced gain among the demands for the skill; 0 when no demand would
            take it), and the demand that would take it. The basis of hiring advice.
    """

    status: str
    plan: pl.DataFrame
    moves: pl.DataFrame
    unmet: pl.DataFrame
    shortfall: pl.DataFrame
    kpis_before: dict[str, float]
    kpis_after: dict[str, float]
    objective: float
    objective_terms: dict[str, float]
    bound: float
    gap: float
    greedy_objective: float
    greedy_terms: dict[str, float]
    lp_bound: float
    wall_time_s: float
    conflicts: list[str] = field(default_factory=list)
    solver_version: str = ""
    settings: dict[str, object] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    time_limit_hit: bool = False
    passes: int = 0
    settled: bool = False
    held_back: dict[str, float] = field(
        default_factory=lambda: {"moves": 0.0, "hours": 0.0, "gain": 0.0}
    )
    hour_values: pl.DataFrame = field(default_factory=lambda: empty(HOUR_VALUES_SCHEMA))
    shifts: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={
                "project_id": pl.String,
                "shift_weeks": pl.Int64,
                "first_week": pl.Date,
                "new_first_week": pl.Date,
                "reason": pl.String,
            }
        )
    )


def conform_frame(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with exactly the columns of input ``name``, in order, cast to their dtypes.

    Raises:
        ValueError: a required column is missing.
        polars.exceptions.InvalidOperationError: a value cannot be cast.
    """
    schema = INPUT_SCHEMAS[name]
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise ValueError(f"the {name} frame lacks column(s): {', '.join(missing)}")
    optional = [
        (pl.col(column) if column in frame.columns else pl.lit(default)).cast(dtype).alias(column)
        for column, (dtype, default) in OPTIONAL_COLUMNS.get(name, {}).items()
    ]
    return frame.select(
        *(pl.col(column).cast(dtype) for column, dtype in schema.items()), *optional
    )


def _optional_frame(frame: pl.DataFrame | None, schema: SchemaDict) -> pl.DataFrame:
    if frame is None:
        return pl.DataFrame(schema=schema)
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise ValueError(f"an optional frame lacks column(s): {', '.join(missing)}")
    return frame.select(pl.col(column).cast(dtype) for column, dtype in schema.items())


def conform_input(data: PlanInput) -> PlanInput:
    """Every frame of ``data`` conformed with :func:`conform_frame` (same errors); optional
    frames and columns filled in."""
    return PlanInput(
        **{name: conform_frame(name, getattr(data, name)) for name in INPUT_SCHEMAS},
        people=_optional_frame(data.people, PEOPLE_SCHEMA),
        dependencies=_optional_frame(data.dependencies, DEPENDENCY_SCHEMA),
    )


def to_tenths(column: str) -> pl.Expr:
    """Hours in ``column`` as Int64 tenths of an hour (nulls become 0)."""
    return (pl.col(column).fill_null(0.0) * HOURS_SCALE).round(0).cast(pl.Int64)


def to_hours(column: str) -> pl.Expr:
    """Int64 tenths in ``column`` back to Float64 hours."""
    return (pl.col(column).cast(pl.Float64) / HOURS_SCALE).round(1)


def empty(schema: SchemaDict) -> pl.DataFrame:
    """An empty frame with ``schema``."""
    return pl.DataFrame(schema=schema)


def format_hours(hours: float) -> str:
    """``48.0`` -> ``"48"``, ``7.5`` -> ``"7.5"`` (for messages)."""
    return f"{round(hours, 1):g}"
