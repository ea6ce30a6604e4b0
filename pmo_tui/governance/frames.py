"""Shared vocabulary of governance (severities, statuses, kinds) and its small checks.

Reads go through :mod:`pmo_tui.store.reads` (``query_frame``, ``one_row``), which
accept a sqlite-utils database or a plain :mod:`sqlite3` connection.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pmo_tui.errors import UserError

#: Finding severities, most severe first.
SEVERITIES = ("critical", "major", "minor", "observation")
#: Statuses of a standard or template version.
VERSION_STATUSES = ("draft", "in_force", "superseded")
#: Kinds of standard.
STANDARD_KINDS = ("standard", "policy", "procedure", "methodology")


def severity_rank(severity: str) -> int:
    """0 for critical ... 3 for observation (lower is more severe)."""
    return SEVERITIES.index(severity)


def check_project(db: Any, project_id: str, option: str = "--project") -> None:
    """Raise a :class:`UserError` naming ``project_id`` when no such project exists."""
    if db.execute("SELECT 1 FROM project WHERE id = ?", [project_id]).fetchone():
        return
    known = [row[0] for row in db.execute("SELECT id FROM project ORDER BY id LIMIT 6")]
    listed = ", ".join(known) + (", ..." if len(known) == 6 else "")
    raise UserError(
        f"unknown project {project_id!r}",
        option=option,
        fix=f"use a project id such as {listed}" if known else "import projects first",
    )


def iso(day: dt.date | None) -> str | None:
    """``day`` as ``YYYY-MM-DD`` (None stays None)."""
    return None if day is None else day.isoformat()
