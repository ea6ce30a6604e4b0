"""The stage-gate rule on import: a ``phase`` column cannot skip a gate.

A CSV ``projects`` file that moves a project already in the store to a later
phase whose gates are not all passed is refused, row by row, like an edit
without ``--force`` (:mod:`pmo_tui.domain.phases`). An import never overrides
the rule: the fix is a gate decision, or ``pmo-tui gate advance --force
--reason`` (logged). New projects and moves back are not checked.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlite_utils

from pmo_tui.domain.phases import gates_missing, gates_phrase
from pmo_tui.errors import UserError, raise_all
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.csv_lines import line_of_value


def check_phase_changes(db: sqlite_utils.Database, projects: pl.DataFrame, bundle: Bundle) -> None:
    """Refuse every row of ``projects`` (``id, phase``) that skips a gate (module docstring).

    Raises:
        UserErrors: one per such row, naming the file, row, column ``phase`` and the
            gates missing.
    """
    if "phase" not in bundle.given_columns.get("projects", set()):
        return  # a project file or a portfolio snapshot: no phase column
    origin = bundle.origins.get("projects") or bundle.source
    errors = []
    for project_id, phase in projects.select("id", "phase").iter_rows():
        stored = db.execute("SELECT phase FROM project WHERE id = ?", [project_id]).fetchone()
        if stored is None or phase is None or stored[0] == phase:
            continue
        passed = {
            row[0]
            for row in db.execute("SELECT phase FROM gate WHERE project_id = ?", [project_id])
        }
        missing = gates_missing(stored[0], phase, passed)
        if missing:
            errors.append(_refusal(origin, project_id, stored[0], phase, missing))
    raise_all(errors)


def _refusal(
    origin: str | None, project_id: str, current: str, phase: str, missing: list[str]
) -> UserError:
    row = (
        line_of_value(Path(origin), "id", project_id)
        if origin and origin.endswith(".csv")
        else None
    )
    return UserError(
        f"{project_id} cannot move from {current} to {phase} by an import: "
        f"{gates_phrase(missing)} {'is' if len(missing) == 1 else 'are'} not passed",
        file=origin,
        row=row,
        column="phase",
        fix=f"keep {current!r} and record the gate decision (`pmo-tui gate decide {project_id} "
        f"--phase {missing[0]} --decision approved --by NAME --advance`), or move it with "
        f"`pmo-tui gate advance {project_id} {phase} --force --reason TEXT` (logged)",
    )
