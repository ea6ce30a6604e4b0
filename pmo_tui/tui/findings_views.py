"""The findings table as pure polars functions (no textual, no database).

The findings screen reads the findings as the CLI does
(:func:`pmo_tui.governance.findings.read_all_findings`, through
:func:`pmo_tui.tui.data.load_findings`) and renders :func:`findings_view`. Dates are ``pl.Date``; ages are whole days.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from pmo_tui.reporting.sheet import Sheet


def findings_view(
    findings: pl.DataFrame,
    today: dt.date,
    *,
    text: str = "",
    severity: str | None = None,
    status: str | None = None,
) -> pl.DataFrame:
    """Findings to show: ``id, project_id, severity, status, due, age_days, rule, owner``.

    The columns a triage needs come first, so they fit in 80 columns.

    ``age_days`` is the whole days from ``opened`` to ``today`` (null when not
    known). ``text`` matches project, rule or owner (case-insensitive). Sorted
    oldest first, then by id.
    """
    frame = findings
    if severity:
        frame = frame.filter(pl.col("severity") == severity)
    if status:
        frame = frame.filter(pl.col("status") == status)
    needle = text.strip().casefold()
    if needle:
        haystack = pl.concat_str(
            [pl.col(c).fill_null("") for c in ("project_id", "rule", "owner")], separator=" "
        ).str.to_lowercase()
        frame = frame.filter(haystack.str.contains(needle, literal=True))
    age = (pl.lit(today) - pl.col("opened")).dt.total_days().cast(pl.Int64).alias("age_days")
    return (
        frame.with_columns(age)
        .select("id", "project_id", "severity", "status", "due", "age_days", "rule", "owner")
        .sort(["age_days", "id"], descending=[True, False], nulls_last=True)
    )


def findings_sheet(findings: pl.DataFrame, view: pl.DataFrame) -> Sheet:
    """What ``e`` exports: the findings of ``view`` (:func:`findings_view`), in its order,
    with its ``age_days`` and every column of ``findings`` (description, opened, repeats)."""
    from pmo_tui.reporting.sheet import Sheet

    ordered = view.select("id", "age_days").with_row_index("order")
    frame = findings.join(ordered, on="id", how="inner").sort("order").drop("order")
    return Sheet("findings", frame, key_columns=1)
