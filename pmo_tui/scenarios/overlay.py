"""Scenario changes applied in memory to frames that mirror the store's tables.

:func:`read_state` reads the live database once (any connection with
``execute``: a read-only ``sqlite3`` one is enough) into a :class:`ScenarioState`:
one polars frame per store table, typed as :mod:`pmo_tui.store.reads` reads them.
:func:`pmo_tui.scenarios.changes.apply_changes` returns a new state with a
scenario's changes applied in file order (the bases' first); the live database
is never written.
:func:`plan_input` derives the solver's frames from a state with the same function
the planning service uses on the store (:func:`pmo_tui.planning.inputs.derive_plan_input`),
so a state with no changes gives the base's inputs, and a promoted scenario gives
the same inputs back from the store.

What each change does is in :mod:`pmo_tui.scenarios.changes`.

Errors: :class:`~pmo_tui.errors.UserError` placed at the change, naming unknown
ids with the closest known ones as the fix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pmo_tui.domain.horizon import Window, monday
from pmo_tui.planning.inputs import (
    PLAN_TABLES,
    CapacityOverride,
    PlanData,
    derive_plan_input,
    read_plan_data,
)
from pmo_tui.store.reads import read_table
from solver.types import PlanInput

#: Store tables a scenario state mirrors (read and, on promote, written back).
STATE_TABLES = PLAN_TABLES


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
    #: The first week planned: a change's default start (None: the earliest week of data).
    first_week: dt.date | None = None

    def copy(self) -> ScenarioState:
        """A copy whose table dict and policy can be changed (frames are immutable)."""
        return dataclasses.replace(self, tables=dict(self.tables), policy=dict(self.policy))

    def ids(self, table: str, column: str = "id") -> list[str]:
        """The values of ``column`` in ``table``, as a list."""
        return self.tables[table][column].to_list()

    def first_day(self) -> dt.date:
        """The Monday the plan starts on: :attr:`first_week`, else the earliest demand or
        allocation week.

        Raises:
            ValueError: neither is known (no window and no data).
        """
        if self.first_week is not None:
            return self.first_week
        weeks = pl.concat(
            [self.tables["demand_week"].select("week"), self.tables["allocation"].select("week")]
        )["week"]
        earliest = weeks.min()
        if not isinstance(earliest, dt.date):
            raise ValueError("a scenario on an empty database needs a window (--today)")
        return monday(earliest)


def read_state(db: Any) -> ScenarioState:
    """The live data as a :class:`ScenarioState` (reads only)."""
    data = read_plan_data(db)
    return ScenarioState(
        tables=data.tables,
        certified=data.certified,
        skill_ids=frozenset(read_table(db, "skill", ["id"])["id"].to_list()),
        portfolio_ids=frozenset(read_table(db, "portfolio", ["id"])["id"].to_list()),
        program_ids=frozenset(read_table(db, "program", ["id"])["id"].to_list()),
    )


def plan_input(state: ScenarioState, window: Window | None = None) -> PlanInput:
    """The solver's frames from ``state`` over ``window``
    (:func:`pmo_tui.planning.inputs.derive_plan_input`)."""
    return derive_plan_input(PlanData(state.tables, state.certified, state.overrides), window)
