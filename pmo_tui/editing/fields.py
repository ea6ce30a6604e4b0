"""Values typed by a user, checked as the CSV importer checks the same columns.

An edit gives values as text (``{"hours_per_week": "20"}``); :func:`checked_record`
checks the given ones with the importer's column specs (the same messages), merges
them over the stored record and checks the record's columns together (end after
start...). Mistakes name the option (``--hours-per-week``) and are all reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from pmo_tui.errors import UserError, closest_match, raise_all
from pmo_tui.importers.csv_rows import row_problems
from pmo_tui.importers.csv_specs import COLUMN_SPECS, ROW_INDEX
from pmo_tui.importers.csv_validate import describe, parse_column, value_problems

if TYPE_CHECKING:
    from pmo_tui.store.reads import Readable

__all__ = ["as_text", "checked_record", "column_choices", "option_name", "require_known"]


def option_name(column: str) -> str:
    """The command-line option of a column: ``hours_per_week`` -> ``--hours-per-week``."""
    return "--" + column.replace("_", "-")


def as_text(value: Any) -> str | None:
    """A stored value as the text a user would type (dates ISO, flags true/false)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def column_choices(stem: str, column: str) -> tuple[str, ...]:
    """The values column ``column`` of ``stem`` may take, as the importer declares them
    (``projects``, ``rag`` -> ``green, amber, red``); empty for a column without a list."""
    return next((spec.choices for spec in COLUMN_SPECS[stem] if spec.name == column), ())


def checked_record(
    stem: str,
    given: Mapping[str, str | None],
    *,
    stored: Mapping[str, Any] | None = None,
    required: tuple[str, ...] = (),
    options: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The record of kind ``stem`` (a CSV file stem) with ``given`` values checked and typed.

    Args:
        stem: ``people``, ``projects``, ``demands``, ... (:data:`COLUMN_SPECS`).
        given: column -> text as typed (None or "" clears an optional column).
        stored: the record as stored (typed), for an edit; None for a new record.
        required: columns that must be given or stored (the spec's own are added
            for a new record).
        options: how the command names a column when not ``--column-name``
            (``hours_per_week`` -> ``--hours``, ``start_week`` -> ``START_WEEK``).

    Returns:
        Column -> typed value (dates as ``date``, numbers as float/int) for every column
        of the spec, given values over stored ones.

    Raises:
        UserErrors: every bad value, each naming its option and the fix.
    """
    specs = COLUMN_SPECS[stem]

    def option_of(column: str) -> str:
        return (options or {}).get(column) or option_name(column)

    unknown = [name for name in given if name not in {spec.name for spec in specs}]
    if unknown:
        raise AssertionError(f"{stem} has no column {unknown}")  # a programming error
    base = {name: as_text(value) for name, value in (stored or {}).items()}
    text = {spec.name: base.get(spec.name) for spec in specs}
    text.update({name: (value.strip() or None) if value else None for name, value in given.items()})
    needed = set(required) | ({s.name for s in specs if s.required} if stored is None else set())
    missing = [name for name in needed if text.get(name) is None and name not in given]
    errors = [
        UserError(f"{name} is missing", option=option_of(name), fix=f"pass {option_of(name)}")
        for name in sorted(missing)
    ]
    frame = pl.DataFrame({ROW_INDEX: [0], **{name: [value] for name, value in text.items()}})
    frame = frame.cast({name: pl.String for name in text})
    checked = tuple(spec for spec in specs if spec.name in given)
    problems, total = value_problems(frame, checked)
    for problem in problems:
        message, fix = describe(problem.spec, problem.code, problem.value)
        errors.append(UserError(message, option=option_of(problem.spec.name), fix=fix))
    raise_all(errors, total + len(missing))
    typed = frame.select(ROW_INDEX, *(parse_column(spec).alias(spec.name) for spec in specs))
    raise_all(
        [
            UserError(problem.message, option=option_of(problem.column), fix=problem.fix)
            for problem in row_problems(stem, typed)
        ]
    )
    return typed.drop(ROW_INDEX).row(0, named=True)


def require_known(db: Readable, table: str, value: Any, option: str) -> None:
    """Raise unless ``table`` has a row with id ``value``; the fix offers the closest id.

    Raises:
        UserError: unknown id, with "did you mean" when one is close.
    """
    if value is None:
        return
    if db.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [value]).fetchone():
        return
    ids = [str(row[0]) for row in db.execute(f"SELECT id FROM [{table}]")]
    close = closest_match(str(value), ids)
    hint = f"did you mean {close!r}?" if close else f"`pmo-tui` lists the {table} ids"
    raise UserError(f"unknown {table} {value!r}", option=option, fix=hint)
