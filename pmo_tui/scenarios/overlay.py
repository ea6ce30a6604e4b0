"""Scenario changes applied in memory to frames that mirror the store's tables.

:func:`read_state` reads the live database once (any connection with
``execute``: a read-only ``sqlite3`` one is enough) into a :class:`ScenarioState`:
one polars frame per store table, typed as :mod:`pmo_tui.store.reads` reads them.
:func:`apply_changes` returns a new state with a scenario's changes applied in
file order (the bases' first); the live database is never written.
:func:`plan_input` derives the solver's frames from a state exactly as
:func:`pmo_tui.planning.service.plan_inputs` derives them from the store (capacity from
the calendar over the horizon of demand and allocations), so a state with no
changes gives the base's inputs, and a promoted scenario gives the same inputs
back from the store.

What each change does is in :mod:`pmo_tui.scenarios.changes`.

Errors: :class:`~pmo_tui.errors.UserError` placed at the change, naming unknown
ids with the closest known ones as the fix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pmo_tui.domain.capacity import daily_capacity, horizon, monday, weekly_capacity
from pmo_tui.planning.service import solver_current, solver_projects
from pmo_tui.scenarios.schema import Change
from pmo_tui.store.reads import read_table
from solver import PlanInput

#: Store tables a scenario state mirrors (read and, on promote, written back).
STATE_TABLES = (
    "person",
    "person_skill",
    "public_holiday",
    "leave",
    "availability",
    "project",
    "demand",
    "demand_week",
    "allocation",
    "dependency",
)


@dataclass(frozen=True)
class CapacityOverride:
    """Capacity set to ``hours`` per week for ``person_id`` in weeks ``first``..``last``."""

    person_id: str
    first: dt.date
    last: dt.date | None
    hours: float


@dataclass
class ScenarioState:
    """The data a scenario changes: store table -> frame, plus what has no table.

    Attributes:
        tables: ``person``, ``person_skill``, ... (see :data:`STATE_TABLES`), typed as
            :func:`pmo_tui.store.reads.read_table` reads them; ``allocation`` without ``id``.
        certified: ``person_id, skill_id, certified_until``: certifications that limit a
            skill (:func:`pmo_tui.governance.training.certified_skill_validity`).
        skill_ids, portfolio_ids, program_ids: ids that changes may refer to.
        overrides: capacity set by ``capacity`` changes with ``hours_per_week``.
        policy: Policy field -> value set by ``freeze`` and ``policy`` changes.
        not_promotable: the changes that cannot be written to the store, in words.
    """

    tables: dict[str, pl.DataFrame]
    certified: pl.DataFrame
    skill_ids: frozenset[str]
    portfolio_ids: frozenset[str]
    program_ids: frozenset[str]
    overrides: tuple[CapacityOverride, ...] = ()
    policy: dict[str, Any] = field(default_factory=dict)
    not_promotable: tuple[str, ...] = ()

    def copy(self) -> ScenarioState:
        """A copy whose table dict and policy can be changed (frames are immutable)."""
        return dataclasses.replace(self, tables=dict(self.tables), policy=dict(self.policy))

    def ids(self, table: str, column: str = "id") -> list[str]:
        """The values of ``column`` in ``table``, as a list."""
        return self.tables[table][column].to_list()

    def first_day(self) -> dt.date:
        """The Monday the horizon starts on (earliest demand or allocation week)."""
        weeks = pl.concat(
            [self.tables["demand_week"].select("week"), self.tables["allocation"].select("week")]
        )["week"]
        return weeks.min() if len(weeks) else monday(dt.date.today())  # type: ignore[return-value]


def read_state(db: Any) -> ScenarioState:
    """The live data as a :class:`ScenarioState` (reads only)."""
    from pmo_tui.governance.training import certified_skill_validity

    tables = {table: read_table(db, table) for table in STATE_TABLES}
    tables["allocation"] = tables["allocation"].drop("id")
    return ScenarioState(
        tables=tables,
        certified=certified_skill_validity(db).rename({"valid_until": "certified_until"}),
        skill_ids=frozenset(read_table(db, "skill", ["id"])["id"].to_list()),
        portfolio_ids=frozenset(read_table(db, "portfolio", ["id"])["id"].to_list()),
        program_ids=frozenset(read_table(db, "program", ["id"])["id"].to_list()),
    )


def apply_changes(base: ScenarioState, changes: Iterable[Change]) -> ScenarioState:
    """A new state: ``base`` with ``changes`` applied in order (``base`` is not modified).

    Raises:
        UserError: a change names an unknown person, project, skill or demand, a new id
            that exists already, matches nothing, or shifts pinned work.
    """
    from pmo_tui.scenarios.changes import HANDLERS

    state = base.copy()
    for change in changes:
        HANDLERS[change.kind](state, change)
    return state


def plan_input(state: ScenarioState) -> PlanInput:
    """The solver's frames from ``state``, as :func:`pmo_tui.planning.service.plan_inputs` builds them."""
    tables = state.tables
    demand = (
        tables["demand_week"]
        .join(tables["demand"].rename({"id": "demand_id"}), on="demand_id", how="inner")
        .select("demand_id", "project_id", "skill_id", "min_level", "week", "hours")
    )
    allocations = tables["allocation"]
    return PlanInput(
        capacity=_capacity(state, demand, allocations),
        skills=_skills(state),
        demand=demand,
        projects=solver_projects(tables["project"]),
        current=solver_current(allocations),
        people=tables["person"].select(pl.col("id").alias("person_id"), "max_concurrent_projects"),
        dependencies=tables["dependency"].select("from_project_id", "to_project_id", "lag_weeks"),
    )


def _skills(state: ScenarioState) -> pl.DataFrame:
    """Skills limited by certifications, as :func:`~pmo_tui.governance.training.skills_with_certifications`."""
    return (
        state.tables["person_skill"]
        .join(state.certified, on=["person_id", "skill_id"], how="left")
        .with_columns(pl.min_horizontal("valid_until", "certified_until").alias("valid_until"))
        .select("person_id", "skill_id", "level", "valid_until")
    )


def _capacity(
    state: ScenarioState, demand: pl.DataFrame, allocations: pl.DataFrame
) -> pl.DataFrame:
    span = horizon(demand, allocations)
    extra_weeks = int(state.tables["project"]["may_shift_weeks"].max() or 0)
    if span is not None and extra_weeks > 0:  # the weeks a project may start later into
        span = (span[0], span[1] + dt.timedelta(weeks=extra_weeks))
    if span is None:
        return pl.DataFrame(schema={"person_id": pl.String, "week": pl.Date, "hours": pl.Float64})
    tables = state.tables
    capacity = weekly_capacity(
        daily_capacity(
            tables["person"],
            tables["public_holiday"],
            tables["leave"],
            tables["availability"],
            *span,
        )
    )
    for override in state.overrides:
        last = override.last or dt.date.max
        chosen = (
            (pl.col("person_id") == override.person_id)
            & (pl.col("week") >= override.first)
            & (pl.col("week") <= last)
        )
        capacity = capacity.with_columns(
            pl.when(chosen).then(pl.lit(override.hours)).otherwise(pl.col("hours")).alias("hours")
        )
    return capacity
