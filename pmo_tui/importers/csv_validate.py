"""Check and convert the values of a CSV file read as strings, with messages that say the fix.

Checks are vectorised: one polars expression per column yields an error code
per row (:func:`_error_code`), and the first row (then the first column) with a
code is reported by :func:`check_values` as a :class:`~pmo_tui.errors.UserError`
naming file, line, column, value and fix. :func:`parse_column` converts a
column that passed the checks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import polars as pl

from pmo_tui.errors import UserError, raise_all
from pmo_tui.importers.csv_lines import line_of_record
from pmo_tui.importers.csv_rows import MAX_ERRORS
from pmo_tui.importers.csv_specs import FLAG_VALUES, MAX_TEXT, ROW_INDEX, YEARS, ColumnSpec

__all__ = [
    "MAX_ERRORS",
    "ValueProblem",
    "check_values",
    "describe",
    "parse_column",
    "value_problems",
]

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _number_value(name: str) -> pl.Expr:
    """Column ``name`` as a finite Float64; null where empty or not a number."""
    value = pl.col(name).cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def _date_value(name: str) -> pl.Expr:
    """Column ``name`` as a Date from ``YYYY-MM-DD``; null where empty or not such a date."""
    column = pl.col(name)
    return pl.when(column.str.contains(_ISO_DATE)).then(
        column.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    )


def parse_column(spec: ColumnSpec) -> pl.Expr:
    """The converted value of column ``spec``; null where empty or invalid."""
    column = pl.col(spec.name)
    if spec.kind in ("date", "week"):
        return _date_value(spec.name)
    if spec.kind == "number":
        return _number_value(spec.name)
    if spec.kind == "integer":
        value = _number_value(spec.name)
        return pl.when(value == value.round()).then(value).cast(pl.Int64, strict=False)
    if spec.kind == "choice":
        return column.str.to_lowercase()
    if spec.kind == "flag":
        return column.str.to_lowercase().replace_strict(
            FLAG_VALUES, default=None, return_dtype=pl.Boolean
        )
    return column


def _checks(spec: ColumnSpec) -> list[tuple[pl.Expr, str]]:
    """(condition, error code) pairs for column ``spec``, in the order they are reported."""
    column = pl.col(spec.name)
    present = column.is_not_null()
    checks: list[tuple[pl.Expr, str]] = [(column.str.len_chars() > MAX_TEXT, "long")]
    if spec.required:
        checks.append((~present, "empty"))
    if spec.kind in ("date", "week"):
        value = _date_value(spec.name)
        checks.append((present & value.is_null(), "date"))
        checks.append(((value.dt.year() < YEARS[0]) | (value.dt.year() > YEARS[1]), "year"))
        if spec.kind == "week":
            checks.append((value.dt.weekday() != 1, "monday"))
    elif spec.kind in ("number", "integer"):
        value = _number_value(spec.name)
        checks.append((present & value.is_null(), "number"))
        if spec.kind == "integer":
            checks.append((value != value.round(), "integer"))
        if spec.low is not None:
            checks.append((value < spec.low, "low"))
        if spec.high is not None:
            checks.append((value > spec.high, "high"))
    elif spec.kind == "choice":
        checks.append((present & ~column.str.to_lowercase().is_in(spec.choices), "choice"))
    elif spec.kind == "flag":
        checks.append((present & ~column.str.to_lowercase().is_in(list(FLAG_VALUES)), "flag"))
    return checks


def _error_code(spec: ColumnSpec) -> pl.Expr:
    """Per row: the code of the first check column ``spec`` fails, or null."""
    checks = _checks(spec)
    if not checks:
        return pl.lit(None, pl.String)
    (first, code), *rest = checks
    chain: Then | ChainedThen = pl.when(first).then(pl.lit(code))
    for condition, code in rest:
        chain = chain.when(condition).then(pl.lit(code))
    return chain.otherwise(pl.lit(None, pl.String))


class ValueProblem(NamedTuple):
    """A bad value: the record index (``ROW_INDEX``), its column's spec, the error code, the value."""

    record: int
    spec: ColumnSpec
    code: str
    value: str | None


def value_problems(
    frame: pl.DataFrame, specs: tuple[ColumnSpec, ...], limit: int = MAX_ERRORS
) -> tuple[list[ValueProblem], int]:
    """The bad values of ``frame`` (by row, then column), at most ``limit``, and how many.

    Args:
        frame: columns as stripped strings (nulls for empty), plus ``ROW_INDEX``.
        specs: the column specs of the columns checked.
    """
    names = [spec.name for spec in specs]
    codes = frame.select(ROW_INDEX, *(_error_code(spec).alias(spec.name) for spec in specs))
    bad = codes.filter(pl.any_horizontal(pl.col(names).is_not_null()))
    problems: list[ValueProblem] = []
    total = 0
    values = frame.filter(pl.col(ROW_INDEX).is_in(bad[ROW_INDEX].head(limit).implode()))
    by_index = {row[ROW_INDEX]: row for row in values.iter_rows(named=True)}
    for row in bad.iter_rows(named=True):
        for spec in specs:
            if row[spec.name] is None:
                continue
            total += 1
            if len(problems) < limit:
                value = by_index[row[ROW_INDEX]][spec.name]
                problems.append(ValueProblem(row[ROW_INDEX], spec, row[spec.name], value))
    return problems, total


def check_values(
    frame: pl.DataFrame, specs: tuple[ColumnSpec, ...], path: Path, display: str
) -> None:
    """Raise for the bad values of ``frame``: all of them, up to :data:`MAX_ERRORS`.

    Args:
        frame: the file's columns as stripped strings (nulls for empty), plus ``ROW_INDEX``.
        specs: the file's column specs.
        path: the file, to find the line of the bad record.
        display: the file as the user gave it, for the message.

    Raises:
        UserErrors: each naming file, line, column, the value and the fix.
    """
    problems, total = value_problems(frame, specs)
    errors = []
    for problem in problems:
        message, fix = describe(problem.spec, problem.code, problem.value)
        line = line_of_record(path, problem.record)
        errors.append(UserError(message, file=display, row=line, column=problem.spec.name, fix=fix))
    raise_all(errors, total)


def describe(spec: ColumnSpec, code: str, value: str | None) -> tuple[str, str]:
    """(message, fix) for error ``code`` of ``value`` in column ``spec``."""
    if code == "empty":
        return f"{spec.name} is empty.", f"fill in {spec.name}"
    if code == "date":
        monday_hint = " (a Monday)" if spec.kind == "week" else ""
        return (
            f"{value!r} is not a date.",
            f"write dates as YYYY-MM-DD, e.g. 2027-01-04{monday_hint}",
        )
    if code == "year":
        return (
            f"{value} is outside the years {YEARS[0]}-{YEARS[1]}.",
            f"check the year: dates from {YEARS[0]}-01-01 to {YEARS[1]}-12-31",
        )
    if code == "monday":
        return _describe_not_monday(str(value))
    if code == "number":
        return f"{value!r} is not a number.", "write a plain number such as 7.5 (dot for decimals)"
    if code == "integer":
        return f"{value!r} is not a whole number.", spec.fix or "write a whole number such as 3"
    if code in ("low", "high"):
        return _describe_out_of_range(spec, code, value)
    if code == "long":
        return (
            f"the value has {len(value or '')} characters, more than {MAX_TEXT}.",
            "shorten it (a name, id or note fits in a few hundred characters)",
        )
    if code == "choice":
        return f"unknown {spec.name} {value!r}.", f"use one of: {', '.join(spec.choices)}"
    if code == "flag":
        return (
            f"{value!r} is not true or false.",
            "use true/false, yes/no or 1/0, or leave it empty for false",
        )
    raise AssertionError(code)  # pragma: no cover


def _describe_not_monday(value: str) -> tuple[str, str]:
    """(message, fix) for a week column holding a date that is not a Monday."""
    day = dt.date.fromisoformat(value)
    monday = day - dt.timedelta(days=day.weekday())
    return (
        f"week {value} is a {day:%A}, not a Monday.",
        f"use the Monday of that ISO week, {monday.isoformat()}",
    )


def _describe_out_of_range(spec: ColumnSpec, code: str, value: str | None) -> tuple[str, str]:
    """(message, fix) for a number below ``spec.low`` (code ``low``) or above ``spec.high``."""
    if code == "low" and spec.hours:
        return f"negative hours: {value}.", spec.fix or "enter 0 or more hours"
    if spec.high is None:
        bounds = f"must be {spec.low:g} or more"
    else:
        bounds = f"must be from {spec.low:g} to {spec.high:g}"
    message = f"{value} is out of range: {spec.name} {bounds}."
    return message, spec.fix or f"enter a value that {bounds}"
