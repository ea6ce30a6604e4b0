"""Project lineage (which methodology and template versions a project follows) and drift.

A project records the methodology version it follows (``project_methodology``)
and the template versions (``project_template``). A project without a
recorded methodology follows the methodology in force (the lowest id when
several are). The drift report lists the projects on superseded versions and,
for the methodology, the artefacts the *current* version requires in the
project's current phase that the project has not produced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.errors import UserError
from pmo_tui.governance.frames import check_project
from pmo_tui.store.change_log import log_change
from pmo_tui.store.reads import one_row, query_frame
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

DRIFT_SCHEMA: SchemaDict = {
    "project_id": pl.String,
    "manager": pl.String,
    "phase": pl.String,
    "item": pl.String,
    "item_id": pl.String,
    "followed_version": pl.String,
    "current_version": pl.String,
    "missing_artefacts": pl.String,
}


def project_methodologies(db: Any) -> pl.DataFrame:
    """The methodology version each project follows: ``project_id, standard_id, version, recorded``.

    ``recorded`` is False where the project has no lineage row and the
    methodology in force is assumed; projects are left out when there is none.
    """
    recorded = query_frame(
        db,
        "SELECT p.id, m.standard_id, m.version FROM project p "
        "JOIN project_methodology m ON m.project_id = p.id",
        {"project_id": pl.String, "standard_id": pl.String, "version": pl.String},
    ).with_columns(pl.lit(True).alias("recorded"))
    in_force = one_row(
        db,
        "SELECT id, version FROM standard WHERE kind = 'methodology' AND status = 'in_force' "
        "ORDER BY id LIMIT 1",
    )
    if in_force is None:
        return recorded
    assumed = query_frame(
        db,
        "SELECT id FROM project WHERE id NOT IN (SELECT project_id FROM project_methodology)",
        {"project_id": pl.String},
    ).with_columns(
        pl.lit(in_force["id"]).alias("standard_id"),
        pl.lit(in_force["version"]).alias("version"),
        pl.lit(False).alias("recorded"),
    )
    return pl.concat([recorded, assumed]).sort("project_id")


def required_artefacts(db: Any) -> pl.DataFrame:
    """Every requirement: ``standard_id, version, phase, template_id, max_age_days``."""
    return query_frame(
        db,
        "SELECT standard_id, version, phase, template_id, max_age_days FROM phase_artefact",
        {
            "standard_id": pl.String,
            "version": pl.String,
            "phase": pl.String,
            "template_id": pl.String,
            "max_age_days": pl.Int64,
        },
    )


def drift_report(db: Any, *, project_id: str | None = None) -> pl.DataFrame:
    """Projects on superseded methodology or template versions (:data:`DRIFT_SCHEMA`).

    One row per project and drifting item: ``item`` is ``methodology`` or
    ``template``; ``missing_artefacts`` (methodology rows) lists, comma-separated,
    the templates the current version requires in the project's phase that the
    project has no artefact of. Sorted by project, item, item id.

    Raises:
        UserError: ``project_id`` is not a project.
    """
    if project_id is not None:
        check_project(db, project_id)
    rows = _methodology_drift(db) + _template_drift(db)
    frame = pl.DataFrame(rows, schema=DRIFT_SCHEMA, orient="row")
    if project_id is not None:
        frame = frame.filter(pl.col("project_id") == project_id)
    return frame.sort(["project_id", "item", "item_id"])


def _methodology_drift(db: Any) -> list[tuple]:
    """Drift rows of projects whose recorded methodology version is not the one in force."""
    query = (
        "SELECT p.id, p.manager, p.phase, m.standard_id, m.version, s.version "
        "FROM project p JOIN project_methodology m ON m.project_id = p.id "
        "JOIN standard s ON s.id = m.standard_id AND s.status = 'in_force' "
        "WHERE s.version <> m.version ORDER BY p.id"
    )
    produced = {
        (project, template)
        for project, template in db.execute("SELECT DISTINCT project_id, template_id FROM artefact")
    }
    requirements = required_artefacts(db)
    rows = []
    for project, manager, phase, standard_id, followed, current in db.execute(query).fetchall():
        needed = requirements.filter(
            (pl.col("standard_id") == standard_id)
            & (pl.col("version") == current)
            & (pl.col("phase") == phase)
        )["template_id"].to_list()
        missing = sorted(t for t in needed if (project, t) not in produced)
        rows.append(
            (
                project,
                manager,
                phase,
                "methodology",
                standard_id,
                followed,
                current,
                ", ".join(missing),
            )
        )
    return rows


def _template_drift(db: Any) -> list[tuple]:
    """Drift rows of projects that follow a superseded template version."""
    query = (
        "SELECT p.id, p.manager, p.phase, t.template_id, t.version, v.version "
        "FROM project p JOIN project_template t ON t.project_id = p.id "
        "JOIN template_version v ON v.template_id = t.template_id AND v.status = 'in_force' "
        "WHERE v.version <> t.version ORDER BY p.id"
    )
    return [
        (project, manager, phase, "template", template, followed, current, "")
        for project, manager, phase, template, followed, current in db.execute(query).fetchall()
    ]


def follow_versions(
    db: sqlite_utils.Database,
    project_id: str,
    *,
    methodology: tuple[str, str] | None = None,
    templates: Sequence[tuple[str, str]] = (),
    adopted_on: str | None = None,
) -> dict[str, Any]:
    """Record that ``project_id`` follows a methodology version and template versions.

    Args:
        methodology: ``(standard_id, version)`` of a methodology in force.
        templates: ``(template_id, version)`` pairs of versions in force.

    Raises:
        UserError: unknown project, or a version that does not exist or is not in force.
    """
    with write_transaction(db, "lineage", needs="planner"):
        check_project(db, project_id, option="PROJECT")
        if methodology is not None:
            _require_in_force(db, "standard", "id", *methodology)
            kind = one_row(
                db, "SELECT kind FROM standard WHERE id = ? AND version = ?", list(methodology)
            )
            if kind is not None and kind["kind"] != "methodology":
                raise UserError(
                    f"{methodology[0]}@{methodology[1]} is a {kind['kind']}, not a methodology",
                    option="--methodology",
                    fix="name a methodology (`pmo-tui standards list --kind methodology`)",
                )
            db.table("project_methodology").upsert(
                {
                    "project_id": project_id,
                    "standard_id": methodology[0],
                    "version": methodology[1],
                    "adopted_on": adopted_on,
                },
                pk="project_id",
            )
        for template_id, version in templates:
            _require_in_force(db, "template_version", "template_id", template_id, version)
            db.table("project_template").upsert(
                {"project_id": project_id, "template_id": template_id, "version": version},
                pk=("project_id", "template_id"),
            )
        after = {"methodology": methodology, "templates": list(templates)}
        log_change(db, "project_lineage", "follow", reason=f"lineage of {project_id}", after=after)
    return after


def _require_in_force(db: Any, table: str, key: str, item_id: str, version: str) -> None:
    """Raise unless ``table`` has ``(item_id, version)`` in force."""
    row = one_row(
        db, f"SELECT status FROM {table} WHERE {key} = ? AND version = ?", [item_id, version]
    )
    if row is None:
        raise UserError(
            f"unknown version {item_id}@{version}",
            fix="see `pmo-tui standards list` or `pmo-tui templates list`",
        )
    if row["status"] != "in_force":
        raise UserError(
            f"{item_id}@{version} is {row['status'].replace('_', ' ')}",
            fix="follow the version in force",
        )
