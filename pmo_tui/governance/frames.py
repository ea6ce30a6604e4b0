"""Shared vocabulary of governance and one helper that reads a query into a typed frame.

Reads accept a sqlite-utils database or a plain :mod:`sqlite3` connection (both
have ``execute``), so the TUI's read-only workers and the CLI share them.
Dates are stored as ISO text and come back as ``pl.Date``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

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


def query_frame(
    db: Any, sql: str, schema: dict[str, pl.DataType], params: Sequence[Any] = ()
) -> pl.DataFrame:
    """Rows of ``sql`` as a frame with ``schema`` (Date columns parsed from ISO text).

    Args:
        db: a sqlite-utils ``Database`` or a ``sqlite3.Connection``.
        sql: a SELECT whose columns are, in order, the keys of ``schema``.
        schema: column name -> dtype; ``pl.Date`` columns are read as text first.
        params: the query parameters.
    """
    rows = db.execute(sql, list(params)).fetchall()
    storage = {name: pl.String if dtype == pl.Date else dtype for name, dtype in schema.items()}
    raw = pl.DataFrame(rows, schema=storage, orient="row")
    dates = [name for name, dtype in schema.items() if dtype == pl.Date]
    return raw.with_columns(
        pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False) for name in dates
    )


def one_row(db: Any, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    """The first row of ``sql`` as a dict (column name -> value), or None."""
    cursor = db.execute(sql, list(params))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row))


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
