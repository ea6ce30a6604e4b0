"""What the import service remembers of project files: the same plan again, daily shapes.

Called by :func:`pmo_tui.importers.service.write_bundles` inside its transaction:

* :func:`settle_same_plan`: a project file whose plan is already in the store under
  another project (same GUID or unique id, or the same tasks and work per week) is
  refused unless the user says what it is: ``replace`` (this file replaces that
  project, which keeps its id) or ``as_new`` (another project, its load counted
  again). A file imported again under its own name keeps the existing rule
  (``--replace``); with ``as_new`` it becomes a new project ``<id>-2``.
* :func:`record_plan_file`: the file, GUID and fingerprint of each imported project
  (table ``project_file``), and the daily shape of its allocations (``allocation_day``).

Frames are the bundle's parts (``dict[str, pl.DataFrame]``) after the people merge.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import sqlite_utils

from pmo_tui.errors import UserError
from pmo_tui.importers.bundle import Bundle, PlanFile
from pmo_tui.store.reads import one_row
from pmo_tui.store.tables import stored_records

__all__ = ["SamePlanChoice", "record_plan_file", "settle_same_plan"]


@dataclass(frozen=True)
class SamePlanChoice:
    """What to do with a plan that is already in the store (the CLI's ``--replace``/``--as-new``)."""

    replace: bool = False
    as_new: bool = False


def settle_same_plan(
    db: sqlite_utils.Database,
    parts: dict[str, pl.DataFrame],
    bundle: Bundle,
    choice: SamePlanChoice,
) -> str | None:
    """Re-key the bundle's project when its plan is already stored; return a note or None.

    Raises:
        UserError: the plan is already stored under another project and neither
            ``replace`` nor ``as_new`` was chosen.
    """
    plan = bundle.plan_file
    if plan is None or parts["projects"].is_empty():
        return None
    project_id = parts["projects"]["id"][0]
    match = _same_plan(db, plan, project_id)
    if match is not None:
        stored_id, file_name, how = match
        if choice.replace:
            _rekey_project(parts, project_id, stored_id)
            return f"{plan.file_name}: replaces project {stored_id!r} ({how} as {file_name})"
        if not choice.as_new:
            raise UserError(
                f"this plan is already in the database as project {stored_id!r}, "
                f"imported from {file_name} ({how}); importing it again would count its load twice",
                file=bundle.source or plan.file_name,
                fix=f"pass --replace to replace project {stored_id!r} with this file, "
                "or --as-new to import it as another project",
            )
    if choice.as_new and _project_exists(db, project_id):
        new_id = _unused_project_id(db, project_id)
        _rekey_project(parts, project_id, new_id)
        return f"{plan.file_name}: imported as a new project {new_id!r} (--as-new)"
    if match is not None:
        return f"{plan.file_name}: imported as another project although {how} as {match[1]}"
    return None


def _same_plan(
    db: sqlite_utils.Database, plan: PlanFile, project_id: str
) -> tuple[str, str, str] | None:
    """(stored project, its file, how they match) of another project with this plan."""
    if plan.guid:
        row = one_row(
            db,
            "SELECT project_id, file_name FROM project_file WHERE guid = ? AND project_id <> ?",
            [plan.guid, project_id],
        )
        if row:
            return row["project_id"], row["file_name"], f"the same plan identifier ({plan.guid})"
    row = one_row(
        db,
        "SELECT project_id, file_name FROM project_file WHERE fingerprint = ? AND project_id <> ?",
        [plan.fingerprint, project_id],
    )
    if row:
        return row["project_id"], row["file_name"], "the same tasks and assignments"
    return None


def _project_exists(db: sqlite_utils.Database, project_id: str) -> bool:
    return one_row(db, "SELECT 1 AS found FROM project WHERE id = ?", [project_id]) is not None


def _unused_project_id(db: sqlite_utils.Database, wanted: str) -> str:
    number = 2
    while _project_exists(db, f"{wanted}-{number}"):
        number += 1
    return f"{wanted}-{number}"


def _rekey_project(parts: dict[str, pl.DataFrame], old: str, new: str) -> None:
    """Move every row of project ``old`` (and its demand ids ``old:...``) to ``new``."""
    prefix = pl.lit(f"{new}:")

    def demand_id(column: str) -> pl.Expr:
        return (
            pl.when(pl.col(column).str.starts_with(f"{old}:"))
            .then(prefix + pl.col(column).str.strip_prefix(f"{old}:"))
            .otherwise(pl.col(column))
            .alias(column)
        )

    parts["projects"] = parts["projects"].with_columns(pl.col("id").replace(old, new))
    parts["demand"] = parts["demand"].with_columns(
        demand_id("id"), pl.col("project_id").replace(old, new)
    )
    parts["demand_week"] = parts["demand_week"].with_columns(demand_id("demand_id"))
    for name in ("allocation", "allocation_day"):
        parts[name] = parts[name].with_columns(
            demand_id("demand_id"), pl.col("project_id").replace(old, new)
        )


def forget_daily_shapes(db: sqlite_utils.Database, project_id: str) -> None:
    """Drop the daily shapes of a project's allocations (before they are written again)."""
    db.execute("DELETE FROM allocation_day WHERE project_id = ?", [project_id])


def record_plan_file(
    db: sqlite_utils.Database, parts: dict[str, pl.DataFrame], plan: PlanFile | None
) -> int:
    """Remember the project file of the bundle's project and its allocations' daily shape.

    Returns the number of ``allocation_day`` rows written.
    """
    if plan is None or parts["projects"].is_empty():
        return 0
    project_id = parts["projects"]["id"][0]
    db.table("project_file").upsert(
        {
            "project_id": project_id,
            "file_name": plan.file_name,
            "guid": plan.guid,
            "fingerprint": plan.fingerprint,
            "saved": plan.saved.isoformat() if plan.saved else None,
        },
        pk="project_id",
    )
    forget_daily_shapes(db, project_id)
    days = parts["allocation_day"]
    if not days.is_empty():
        db.table("allocation_day").insert_all(stored_records(days))
    return days.height
