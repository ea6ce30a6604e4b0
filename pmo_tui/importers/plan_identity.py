"""What identifies the plan in a project file, so that the same plan is recognised again.

A PM may hand in the same plan twice under two file names ("plan.mpp",
"plan (final).mpp"). :func:`plan_file_of` records the plan's own identifier
(the GUID MS Project and Primavera write, else the project's unique id) and a
fingerprint of its content: every task (unique id, name, start, finish) and
every assignment's work per week (task and resource unique ids, person, week,
hours). File names, project ids and modification times are not part of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import polars as pl

from pmo_tui.importers.bundle import Bundle, PlanFile
from pmo_tui.importers.mpxj_context import ProjectContext
from pmo_tui.importers.mpxj_values import python_date, python_text
from pmo_tui.store.tables import WEEKDAY_COLUMNS

__all__ = ["plan_file_of"]


def plan_file_of(context: ProjectContext, bundle: Bundle) -> PlanFile:
    """The :class:`~pmo_tui.importers.bundle.PlanFile` of a bundle read from ``context``.

    ``saved`` is the file's "last saved" property (MS Project), else its creation
    date property, else the day the file was last modified on disk.
    """
    props = context.props
    guid = python_text(props.getGUID())
    if guid is None and props.getUniqueID() is not None:
        guid = f"unique id {int(props.getUniqueID())}"
    saved = python_date(props.getLastSaved()) or python_date(props.getCreationDate())
    if saved is None:
        saved = dt.date.fromtimestamp(context.path.stat().st_mtime)
    week_hours = {
        row["id"]: round(sum(row[day] or 0.0 for day in WEEKDAY_COLUMNS), 2)
        for row in bundle.people.iter_rows(named=True)
    }
    return PlanFile(
        file_name=context.path.name,
        guid=guid,
        fingerprint=_fingerprint(context, bundle),
        saved=saved,
        week_hours=week_hours,
    )


def _fingerprint(context: ProjectContext, bundle: Bundle) -> str:
    """A SHA-256 (hex, 32 characters) of the tasks and the assignments' weekly work."""
    digest = hashlib.sha256()
    for line in sorted(_task_lines(context.project)):
        digest.update(line.encode())
    names = bundle.people.select(pl.col("id").alias("person_id"), "name")
    work = bundle.allocation.join(names, on="person_id", how="left").select(
        pl.col("demand_id").str.split(":").list.slice(1).list.join(":"),
        "name",
        pl.col("week").cast(pl.String),
        pl.col("hours").cast(pl.String),
    )
    for row in sorted(work.iter_rows()):
        digest.update("|".join(str(value) for value in row).encode())
    return digest.hexdigest()[:32]


def _task_lines(project: Any) -> list[str]:
    lines = []
    for task in project.getTasks():
        uid = task.getUniqueID()
        fields = (uid, task.getName(), task.getStart(), task.getFinish())
        lines.append("task|" + "|".join("" if value is None else str(value) for value in fields))
    return lines
