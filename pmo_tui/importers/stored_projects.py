"""What an import may change of a project already in the store.

* A project file (``import project``) for a stored project is refused unless
  ``--replace``; then its demand and allocations replace the stored ones, and the
  project keeps its :data:`KEPT_ON_REPLACE` values (a file cannot pass a stage gate).
* The stage-gate rule on import: a CSV ``projects`` file that moves a stored
  project to a later phase whose gates are not all passed is refused, row by
  row, like an edit without ``--force`` (:mod:`pmo_tui.domain.phases`). An import
  never overrides the rule: the fix is a gate decision, or ``pmo-tui gate advance
  --force --reason`` (logged). New projects and moves back are not checked.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlite_utils

from pmo_tui.domain.phases import gates_missing, gates_phrase
from pmo_tui.errors import UserError, raise_all
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.csv_lines import line_of_value

#: What a project file replacing a stored project (``--replace``) leaves as stored.
KEPT_ON_REPLACE = ("phase", "priority", "rag", "portfolio_id", "program_id")


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


def check_new_projects(
    db: sqlite_utils.Database, parts: dict[str, pl.DataFrame], bundle: Bundle, replace: bool
) -> None:
    """A project file must not silently overwrite a project already planned in the store.

    With ``replace``, the file's demand and allocations replace the stored ones and its
    name and dates the stored ones; the project's phase, priority, RAG status and place
    in the portfolio stay as the PMO set them (a file cannot pass a stage gate).
    """
    from_project_file = parts["projects"]["source_file"].drop_nulls()
    for project_id in parts["projects"].filter(pl.col("source_file").is_not_null())["id"].to_list():
        if db.execute("SELECT 1 FROM project WHERE id = ?", [project_id]).fetchone() is None:
            continue
        if not replace:
            raise UserError(
                f"project {project_id!r} is already in the database",
                file=bundle.source or (from_project_file[0] if len(from_project_file) else None),
                fix="pass --replace to replace its demand and allocations with this file's, "
                "or --as-new to import it as another project",
            )
        _delete_project_plan(db, project_id)
        parts["projects"] = _keep_stored(db, parts["projects"], project_id)


def _keep_stored(
    db: sqlite_utils.Database, projects: pl.DataFrame, project_id: str
) -> pl.DataFrame:
    """``projects`` with the stored :data:`KEPT_ON_REPLACE` values of ``project_id``."""
    stored = db.execute(
        f"SELECT {', '.join(KEPT_ON_REPLACE)} FROM project WHERE id = ?", [project_id]
    ).fetchone()
    this = pl.col("id") == project_id
    return projects.with_columns(
        pl.when(this)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .cast(projects.schema[column])
        .alias(column)
        for column, value in zip(KEPT_ON_REPLACE, stored, strict=True)
    )


def _delete_project_plan(db: sqlite_utils.Database, project_id: str) -> None:
    db.execute("DELETE FROM allocation WHERE project_id = ?", [project_id])
    db.execute(
        "DELETE FROM demand_week WHERE demand_id IN (SELECT id FROM demand WHERE project_id = ?)",
        [project_id],
    )
    db.execute("DELETE FROM demand WHERE project_id = ?", [project_id])
