"""Earned value management (EVM) over polars frames: pure, no store.

Formulas (PMI, *Practice Standard for Earned Value Management*, 2nd ed., 2011,
and *A Guide to the Project Management Body of Knowledge (PMBOK Guide)*, 6th
ed., section 7.4.2.2):

* BAC (budget at completion) = the project's budget.
* PV (planned value) = BAC x planned % complete. With no time-phased baseline we
  take the baseline as linear between the project's start and finish, so planned
  % complete = days elapsed / days planned, clipped to 0..1.
* EV (earned value) = BAC x % complete (as reported in the latest status report).
* AC (actual cost) = actual cost to date (latest status report, else the project's).
* CV = EV - AC; SV = EV - PV; CPI = EV / AC; SPI = EV / PV.
* EAC (estimate at completion) = BAC / CPI (the "typical variance" forecast);
  ETC = EAC - AC; VAC (variance at completion) = BAC - EAC.

A measure is null when its inputs are missing or a divisor is 0 (e.g. no %
complete reported: no EV, so no CV, SV, CPI, SPI, EAC).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

#: Columns :func:`earned_value` adds, all Float64 in currency units (indices are ratios).
EVM_COLUMNS = ("bac", "pv", "ev", "ac", "cv", "sv", "cpi", "spi", "eac", "etc", "vac")


def planned_fraction(start: pl.Expr, finish: pl.Expr, as_of: dt.date) -> pl.Expr:
    """Planned % complete as a fraction 0..1 on a linear baseline from ``start`` to ``finish``.

    Before the start it is 0, after the finish 1; a project whose finish is not after
    its start is complete (1) from its start on.
    """
    elapsed = (pl.lit(as_of) - start).dt.total_days().cast(pl.Float64)
    planned = (finish - start).dt.total_days().cast(pl.Float64)
    return (
        pl.when(planned > 0)
        .then(elapsed / planned)
        .when(elapsed >= 0)
        .then(1.0)
        .otherwise(0.0)
        .clip(0.0, 1.0)
    )


def earned_value(projects: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Add the EVM measures to ``projects`` as of ``as_of``.

    Args:
        projects: ``budget (Float64), start (Date), finish (Date), percent_complete
            (Float64, 0-100, null when not reported), actual_cost (Float64)``; other
            columns are kept.
        as_of: the status date.

    Returns:
        ``projects`` plus :data:`EVM_COLUMNS` (Float64; see the module docstring).
    """
    bac = pl.col("budget")
    pv = bac * planned_fraction(pl.col("start"), pl.col("finish"), as_of)
    ev = bac * pl.col("percent_complete") / 100.0
    frame = projects.with_columns(
        bac.alias("bac"),
        pv.alias("pv"),
        ev.alias("ev"),
        pl.col("actual_cost").alias("ac"),
    )
    frame = frame.with_columns(
        (pl.col("ev") - pl.col("ac")).alias("cv"),
        (pl.col("ev") - pl.col("pv")).alias("sv"),
        _ratio("ev", "ac").alias("cpi"),
        _ratio("ev", "pv").alias("spi"),
    )
    frame = frame.with_columns(_ratio("bac", "cpi").alias("eac"))
    return frame.with_columns(
        (pl.col("eac") - pl.col("ac")).alias("etc"),
        (pl.col("bac") - pl.col("eac")).alias("vac"),
    ).with_columns(pl.col(c).cast(pl.Float64) for c in EVM_COLUMNS)


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    """``numerator / denominator``; null when the denominator is null or 0."""
    return (
        pl.when(pl.col(denominator).is_not_null() & (pl.col(denominator) != 0))
        .then(pl.col(numerator) / pl.col(denominator))
        .otherwise(None)
    )
