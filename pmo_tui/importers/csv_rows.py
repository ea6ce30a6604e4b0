"""Checks across the columns of a CSV row, and across rows: date ranges, parents, unique keys.

They run on converted frames (dates as ``pl.Date``) that still carry
``ROW_INDEX`` (and, for :func:`check_unique`, ``FILE_COLUMN``), so each error
can name the file and line. References between files are not checked here:
they may already be in the database, so the store checks them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from pmo_tui.errors import UserError, raise_all
from pmo_tui.importers.csv_lines import line_of_record
from pmo_tui.importers.csv_specs import DATE_RANGES, FILE_COLUMN, MAX_WEEKS, ROW_INDEX

__all__ = ["MAX_ERRORS", "RowProblem", "check_rows", "check_unique", "row_problems"]

#: How many mistakes one file reports at most.
MAX_ERRORS = 20


def row_problems(stem: str, frame: pl.DataFrame) -> list[RowProblem]:
    """The rows of kind ``stem`` whose columns do not fit together, by check then row.

    Checks, in this order: end >= start (:data:`DATE_RANGES`), a week range of
    at most :data:`MAX_WEEKS` weeks, a project with a program or a portfolio, a
    project that does not depend on itself.
    """
    return [problem for find in _row_checks(stem) for problem in find(frame)]


def check_rows(stem: str, frame: pl.DataFrame, path: Path, display: str) -> None:
    """Raise for the rows of file ``stem`` whose columns do not fit together (all, up to a limit).

    Raises:
        UserErrors: each naming ``display``, the line, the column and the fix.
    """
    problems = row_problems(stem, frame)
    errors = [
        UserError(
            problem.message,
            file=display,
            row=line_of_record(path, problem.record),
            column=problem.column,
            fix=problem.fix,
        )
        for problem in problems[:MAX_ERRORS]
    ]
    raise_all(errors, len(problems))


class RowProblem(NamedTuple):
    """What is wrong with the row at ``ROW_INDEX`` ``record``, shown at ``column``."""

    record: int
    column: str
    message: str
    fix: str


def _row_checks(stem: str) -> list[Callable[[pl.DataFrame], list[RowProblem]]]:
    """The row checks of file ``stem``, in the order they are reported."""
    checks: list[Callable[[pl.DataFrame], list[RowProblem]]] = []
    if stem in DATE_RANGES:
        start, end = DATE_RANGES[stem]
        checks.append(partial(_end_before_start, start=start, end=end))
        if start.endswith("_week"):
            checks.append(partial(_too_many_weeks, start=start, end=end))
    if stem == "projects":
        checks.append(_project_without_parent)
    if stem == "dependencies":
        checks.append(_project_depends_on_itself)
        checks.append(_deliverable_without_due)
    return checks


def _bad_rows(frame: pl.DataFrame, condition: pl.Expr) -> list[dict[str, Any]]:
    """The rows of ``frame`` meeting ``condition`` (at most :data:`MAX_ERRORS` + 1)."""
    return frame.filter(condition.fill_null(False)).head(MAX_ERRORS + 1).to_dicts()


def _end_before_start(frame: pl.DataFrame, start: str, end: str) -> list[RowProblem]:
    return [
        RowProblem(
            row[ROW_INDEX],
            end,
            f"{end} {row[end]} is before {start} {row[start]}.",
            f"make {end} the same as {start} or later",
        )
        for row in _bad_rows(frame, pl.col(end) < pl.col(start))
    ]


def _too_many_weeks(frame: pl.DataFrame, start: str, end: str) -> list[RowProblem]:
    weeks = (pl.col(end) - pl.col(start)).dt.total_days() // 7 + 1
    problems = []
    for row in _bad_rows(frame, weeks > MAX_WEEKS):
        count = (row[end] - row[start]).days // 7 + 1
        message = (
            f"{start} {row[start]} to {end} {row[end]} spans {count} weeks, more than 10 years."
        )
        problems.append(
            RowProblem(row[ROW_INDEX], end, message, f"check the years of {start} and {end}")
        )
    return problems


def _project_without_parent(frame: pl.DataFrame) -> list[RowProblem]:
    orphan = pl.col("program_id").is_null() & pl.col("portfolio_id").is_null()
    return [
        RowProblem(
            row[ROW_INDEX],
            "portfolio_id",
            "the project has neither a program_id nor a portfolio_id.",
            "fill in portfolio_id (or program_id)",
        )
        for row in _bad_rows(frame, orphan)
    ]


def _project_depends_on_itself(frame: pl.DataFrame) -> list[RowProblem]:
    return [
        RowProblem(
            row[ROW_INDEX],
            "to_project_id",
            f"project {row['to_project_id']} cannot depend on itself.",
            "name the project that must finish first in from_project_id",
        )
        for row in _bad_rows(frame, pl.col("from_project_id") == pl.col("to_project_id"))
    ]


def _deliverable_without_due(frame: pl.DataFrame) -> list[RowProblem]:
    return [
        RowProblem(
            row[ROW_INDEX],
            "due",
            "a deliverable needs the date it is needed by.",
            "fill in due (YYYY-MM-DD), or use kind finish_to_start",
        )
        for row in _bad_rows(frame, (pl.col("kind") == "deliverable") & pl.col("due").is_null())
    ]


def check_unique(
    frame: pl.DataFrame, keys: tuple[str, ...], path_of_file: Mapping[str, Path]
) -> None:
    """Raise for the first row whose ``keys`` repeat an earlier row's (nulls compare equal).

    Args:
        frame: the rows of one kind from all files, with ``ROW_INDEX`` and ``FILE_COLUMN``.
        keys: the key columns; with a ``week`` key the rows are weekly allocations.
        path_of_file: file as the user gave it (``FILE_COLUMN``) -> its path.

    Raises:
        UserError: naming the later row and where the earlier one is.
    """
    repeats = frame.filter(~pl.struct(keys).is_first_distinct()).head(1)
    if repeats.is_empty():
        return
    later = repeats.row(0, named=True)
    earlier = frame.filter(
        pl.all_horizontal([pl.col(key).eq_missing(later[key]) for key in keys])
    ).row(0, named=True)
    where = f"row {line_of_record(path_of_file[earlier[FILE_COLUMN]], earlier[ROW_INDEX])}"
    if earlier[FILE_COLUMN] != later[FILE_COLUMN]:
        where += f" of {earlier[FILE_COLUMN]}"
    line = line_of_record(path_of_file[later[FILE_COLUMN]], later[ROW_INDEX])
    if "week" in keys:
        message, fix, column = _overlap_message(later, where), _OVERLAP_FIX, "start_week"
    elif keys == ("id",):
        message = f"duplicate id {later['id']!r}: {where} has the same id."
        fix, column = "give each row its own id, or remove one of the two rows", keys[-1]
    else:
        values = ", ".join(f"{key} {later[key]!s}" for key in keys)
        message = f"duplicate row: {where} has the same {values}."
        fix, column = "remove one of the two rows", keys[-1]
    raise UserError(message, file=later[FILE_COLUMN], row=line, column=column, fix=fix)


_OVERLAP_FIX = "merge the two rows, or make their weeks not overlap"


def _overlap_message(later: dict[str, Any], where: str) -> str:
    """The message for two allocation rows that cover the same person, project and week."""
    demand = f" (demand {later['demand_id']})" if later["demand_id"] is not None else ""
    return (
        f"overlaps {where}: {later['person_id']} on {later['project_id']}{demand} "
        f"in week {later['week']}."
    )
