"""Read the CSV files of ``pmo-tui import csv`` into a :class:`~pmo_tui.bundle.Bundle`.

Each file is named after what it holds (``people.csv``, ``demands.csv``, ...; see
:data:`KNOWN_FILES` and ``docs/data-model.md``). Every file is read by polars as
strings only, then each column is checked and converted here, so a mistake is
reported as a :class:`~pmo_tui.errors.UserError` naming the file, the line
(header = 1, first data row = 2), the column, the offending value and the fix.

Checks are vectorised: one polars expression per column yields an error code
per row, and the first row (then the first column) with a code is reported.
References between files (a demand's project, ...) are not checked here: they
may already be in the database, so the store checks them. Duplicate keys
within the rows of one kind are checked here.

Demands and allocations are given as week ranges; they are expanded to one
row per Monday (``demand_week``, ``allocation``).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import polars as pl

from pmo_tui.bundle import Bundle, conform
from pmo_tui.errors import UserError

__all__ = ["KNOWN_FILES", "FileColumns", "read_csv_bundle"]


class FileColumns(NamedTuple):
    """The header columns of one kind of CSV file."""

    required: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True)
class _Col:
    """How to check and convert one column.

    ``kind`` is one of text, date, week (a Monday), number, integer, choice,
    flag. ``low``/``high`` bound numbers (inclusive); ``fix`` overrides the
    generic fix for an out-of-range value.
    """

    name: str
    kind: str = "text"
    required: bool = True
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    fix: str | None = None
    hours: bool = False  # a below-zero value is reported as "negative hours"


def _hours(name: str, required: bool = True) -> _Col:
    return _Col(name, "number", required, low=0, fix="enter 0 or more hours", hours=True)


def _day_hours(name: str, required: bool = True) -> _Col:
    return _Col(
        name, "number", required, 0, 24, fix="enter the hours of one day, from 0 to 24", hours=True
    )


def _level(name: str) -> _Col:
    return _Col(name, "integer", True, 1, 5, fix="use a level from 1 (basic) to 5 (expert)")


def _money(name: str) -> _Col:
    return _Col(name, "number", False, low=0, fix="enter 0 or more, or leave it empty")


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Column specs per file stem, in load order (a file only refers to files above it).
_SPECS: dict[str, tuple[_Col, ...]] = {
    "portfolios": (_Col("id"), _Col("name"), _Col("manager", required=False)),
    "programs": (
        _Col("id"),
        _Col("name"),
        _Col("portfolio_id"),
        _Col("manager", required=False),
    ),
    "skills": (_Col("id"), _Col("name"), _Col("description", required=False)),
    "holidays": (_Col("region"), _Col("date", "date"), _Col("name")),
    "people": (
        _Col("id"),
        _Col("name"),
        _Col("email", required=False),
        _Col("role", required=False),
        _Col("unit", required=False),
        _Col("region"),
        _money("cost_rate"),
        _Col(
            "max_concurrent_projects",
            "integer",
            False,
            low=1,
            fix="enter a whole number of 1 or more, or leave it empty",
        ),
        *(_day_hours(day) for day in _WEEKDAYS),
    ),
    "person_skills": (_Col("person_id"), _Col("skill_id"), _level("level")),
    "leave": (
        _Col("person_id"),
        _Col("start", "date"),
        _Col("end", "date"),
        _day_hours("hours_per_day", required=False),
        _Col("reason", required=False),
    ),
    "availability": (
        _Col("person_id"),
        _Col("start", "date"),
        _Col("end", "date", required=False),
        _Col("percent", "number", True, 0, 100, fix="enter a percentage from 0 to 100"),
    ),
    "projects": (
        _Col("id"),
        _Col("name"),
        _Col("program_id", required=False),
        _Col("portfolio_id", required=False),
        _Col("manager", required=False),
        _Col("sponsor", required=False),
        _Col("phase", "choice", choices=("initiation", "planning", "execution", "closing")),
        _Col("priority", "integer", True, 1, 5, fix="use 1 (highest) to 5 (lowest)"),
        _Col("start", "date"),
        _Col("finish", "date"),
        _money("budget"),
        _money("actual_cost"),
        _Col("rag", "choice", choices=("green", "amber", "red")),
    ),
    "demands": (
        _Col("id"),
        _Col("project_id"),
        _Col("skill_id"),
        _level("min_level"),
        _Col("start_week", "week"),
        _Col("end_week", "week"),
        _hours("hours_per_week"),
        _Col("description", required=False),
    ),
    "allocations": (
        _Col("person_id"),
        _Col("project_id"),
        _Col("demand_id", required=False),
        _Col("start_week", "week"),
        _Col("end_week", "week"),
        _hours("hours_per_week"),
        _Col("kind", "choice", required=False, choices=("soft", "hard")),
        _Col("pinned", "flag", required=False),
    ),
}

#: File stem -> (required columns, optional columns), in load order.
KNOWN_FILES: dict[str, FileColumns] = {
    stem: FileColumns(
        tuple(c.name for c in cols if c.required),
        tuple(c.name for c in cols if not c.required),
    )
    for stem, cols in _SPECS.items()
}

#: (start column, end column) that must satisfy end >= start.
_RANGES: dict[str, tuple[str, str]] = {
    "leave": ("start", "end"),
    "availability": ("start", "end"),
    "projects": ("start", "finish"),
    "demands": ("start_week", "end_week"),
    "allocations": ("start_week", "end_week"),
}

#: Key columns that must be unique among all rows of one kind (allocations: per week, below).
_KEYS: dict[str, tuple[str, ...]] = {
    "portfolios": ("id",),
    "programs": ("id",),
    "skills": ("id",),
    "holidays": ("region", "date"),
    "people": ("id",),
    "person_skills": ("person_id", "skill_id"),
    "leave": ("person_id", "start"),
    "availability": ("person_id", "start"),
    "projects": ("id",),
    "demands": ("id",),
}

#: A week range longer than this is almost surely a typo in a year.
_MAX_WEEKS = 522

_FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_IDX = "__idx"  # 0-based data record index in the file, as polars reads it
_FILE = "__file"  # the file as the user gave it
_DUPLICATED = re.compile(r"^(.*)_duplicated_\d+$")


def read_csv_bundle(paths: Sequence[Path]) -> Bundle:
    """Read CSV files and folders of CSV files into one :class:`Bundle`.

    Args:
        paths: CSV files, named after what they hold (``people.csv``), or folders;
            a folder contributes every ``*.csv`` in it whose name is known (others
            are skipped with a note).

    Returns:
        The bundle; ``source`` lists ``paths``, ``notes`` has one line per file read.

    Raises:
        UserError: a path is missing, a file name is unknown, or a file has a bad
            header or value; the error names file, row, column and the fix.
    """
    files, notes = _collect(paths)
    names = [path.name for _, path, _ in files]
    bundle = Bundle(source=", ".join(str(p) for p in paths))
    by_stem: dict[str, list[pl.DataFrame]] = {}
    for stem in _SPECS:
        for file_stem, path, display in files:
            if file_stem != stem:
                continue
            frame = _read_file(stem, path, display)
            by_stem.setdefault(stem, []).append(frame)
            label = path.name if names.count(path.name) == 1 else display
            notes.append(f"{label}: {_rows(frame.height)}")

    for stem, frames in by_stem.items():
        frame = pl.concat(frames, how="vertical")
        origin = ", ".join(display for file_stem, _, display in files if file_stem == stem)
        parts = {"demands": ("demand", "demand_week"), "allocations": ("allocation",)}
        for part in parts.get(stem, (stem,)):
            if hasattr(bundle, "origins"):
                bundle.origins[part] = origin
        if stem in _KEYS:
            _check_unique(frame, _KEYS[stem], files)
        if stem == "demands":
            bundle.demand = conform("demand", frame)
            bundle.demand_week = conform(
                "demand_week",
                _expand_weeks(frame).select(
                    pl.col("id").alias("demand_id"),
                    "week",
                    pl.col("hours_per_week").alias("hours"),
                ),
            )
        elif stem == "allocations":
            weeks = _expand_weeks(frame).with_columns(
                pl.col("hours_per_week").alias("hours"),
                pl.col("kind").fill_null("soft"),
                pl.col("pinned").fill_null(False),
            )
            _check_unique(weeks, ("person_id", "project_id", "demand_id", "week"), files)
            bundle.allocation = conform("allocation", weeks)
        else:
            setattr(bundle, stem, conform(stem, frame))
    bundle.notes.extend(notes)
    return bundle


# --------------------------------------------------------------------------- files


def _collect(paths: Sequence[Path]) -> tuple[list[tuple[str, Path, str]], list[str]]:
    """Return (stem, path, display name) of every file to read, and notes on skipped files."""
    known = ", ".join(f"{stem}.csv" for stem in KNOWN_FILES)
    if not paths:
        raise UserError(
            "no CSV files or folders given.",
            fix=f"name a folder or CSV files; known file names: {known}",
        )
    files: list[tuple[str, Path, str]] = []
    notes: list[str] = []
    seen: set[Path] = set()

    def add(path: Path, display: str) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            files.append((path.stem.lower(), path, display))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            entries = sorted(
                e for e in path.iterdir() if e.is_file() and e.suffix.lower() == ".csv"
            )
            usable = [e for e in entries if e.stem.lower() in KNOWN_FILES]
            if not usable:
                raise UserError(
                    "the folder holds no CSV file with a known name.",
                    file=str(given),
                    fix=f"name the files after what they hold: {known}",
                )
            for entry in entries:
                if entry in usable:
                    add(entry, str(path / entry.name))
                else:
                    notes.append(f"{path / entry.name}: skipped, unknown file name")
        elif path.is_file():
            if path.stem.lower() not in KNOWN_FILES:
                raise UserError(
                    f"unknown file name {path.name!r}; the name says what the file holds.",
                    file=str(given),
                    fix=f"rename it to one of: {known}",
                )
            add(path, str(given))
        else:
            raise UserError(
                "no such file or folder.",
                file=str(given),
                fix="check the path",
            )
    return files, notes


def _read_file(stem: str, path: Path, display: str) -> pl.DataFrame:
    """Read, check and convert one file; the frame keeps ``__file`` and ``__idx``."""
    specs = _SPECS[stem]
    raw = _read_strings(path, display)
    raw = _normalise_header(raw, stem, path, display)
    names = [c.name for c in specs]
    frame = (
        raw.with_row_index(_IDX)
        .select(
            _IDX,
            *(
                (
                    _blank_to_null(pl.col(c).str.strip_chars())
                    if c in raw.columns
                    else pl.lit(None, pl.String)
                ).alias(c)
                for c in names
            ),
        )
        .filter(~pl.all_horizontal(pl.col(names).is_null()))  # blank lines, ",,,," rows
    )
    _check_values(frame, specs, path, display)
    typed = frame.select(
        _IDX,
        pl.lit(display).alias(_FILE),
        *(_parse(c).alias(c.name) for c in specs),
    )
    _check_rows(stem, typed, path, display)
    return typed


def _read_strings(path: Path, display: str) -> pl.DataFrame:
    try:
        return pl.read_csv(path, infer_schema=False, encoding="utf8")
    except pl.exceptions.NoDataError:
        raise UserError(
            "the file is empty.",
            file=display,
            row=1,
            fix="add a header row with the column names",
        ) from None
    except OSError as exc:
        raise UserError(
            f"cannot read the file: {exc.strerror or exc}.",
            file=display,
            fix="check that the file exists and you may read it",
        ) from None
    except pl.exceptions.PolarsError as exc:
        text = str(exc)
        if "utf-8" in text.lower() or "utf8" in text.lower():
            raise UserError(
                "the file is not UTF-8 text.",
                file=display,
                fix="save it as 'CSV UTF-8' (Excel) or re-encode it to UTF-8",
            ) from None
        if "more fields" in text:
            line, count, header = _first_long_record(path)
            raise UserError(
                f"the row has {count} values but the header has {header} columns.",
                file=display,
                row=line,
                fix="remove the extra values, or quote values that contain a comma",
            ) from None
        raise UserError(
            f"cannot read the CSV file: {text.splitlines()[0] if text else exc!r}.",
            file=display,
            fix="check that it is a comma-separated file with one header row",
        ) from None


def _normalise_header(raw: pl.DataFrame, stem: str, path: Path, display: str) -> pl.DataFrame:
    """Strip and lower-case the header names; check duplicates and required columns."""
    renamed: dict[str, str] = {}
    for column in raw.columns:
        match = _DUPLICATED.match(column)
        name = (match.group(1) if match and match.group(1) in raw.columns else column)
        name = name.strip().lower()
        if name in renamed.values():
            raise UserError(
                f"column {name!r} appears twice in the header.",
                file=display,
                row=1,
                column=name,
                fix=f"keep one column named {name!r}",
            )
        renamed[column] = name
    raw = raw.rename(renamed)
    for column in KNOWN_FILES[stem].required:
        if column not in raw.columns:
            fix = f"add a header column {column!r}"
            if raw.width == 1 and (";" in raw.columns[0] or "\t" in raw.columns[0]):
                fix = "separate the columns with commas (the file seems to use ';' or tabs)"
            raise UserError(
                f"the header has no column {column!r} (it needs: "
                f"{', '.join(KNOWN_FILES[stem].required)}).",
                file=display,
                row=1,
                column=column,
                fix=fix,
            )
    return raw


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


# --------------------------------------------------------------------------- line numbers


def _record_lines(path: Path) -> list[int]:
    """The line on which each data record starts (a quoted value may span lines).

    Polars reads every line as a record (a blank line is a record of nulls), as
    :mod:`csv` does, so record ``i`` of polars is record ``i`` here.
    """
    starts: list[int] = []
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        end = 0
        for _ in reader:
            starts.append(end + 1)
            end = reader.line_num
    return starts[1:]


def _line(path: Path, index: int) -> int:
    """The file line of data record ``index`` (0-based)."""
    starts = _record_lines(path)
    return starts[index] if index < len(starts) else index + 2


def _first_long_record(path: Path) -> tuple[int | None, int, int]:
    """(line, values, header columns) of the first record longer than the header."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        end = 0
        width = None
        for record in reader:
            start = end + 1
            end = reader.line_num
            if width is None:
                width = len(record)
            elif len(record) > width:
                return start, len(record), width
    return None, 0, width or 0


# --------------------------------------------------------------------------- values


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


def _number(name: str) -> pl.Expr:
    value = pl.col(name).cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def _date(name: str) -> pl.Expr:
    column = pl.col(name)
    return pl.when(column.str.contains(_ISO_DATE)).then(
        column.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    )


def _parse(col: _Col) -> pl.Expr:
    """The converted value of ``col``; null where empty or invalid."""
    column = pl.col(col.name)
    if col.kind in ("date", "week"):
        return _date(col.name)
    if col.kind == "number":
        return _number(col.name)
    if col.kind == "integer":
        value = _number(col.name)
        return pl.when(value == value.round()).then(value).cast(pl.Int64)
    if col.kind == "choice":
        return column.str.to_lowercase()
    if col.kind == "flag":
        return column.str.to_lowercase().replace_strict(
            _FLAGS, default=None, return_dtype=pl.Boolean
        )
    return column


def _error_code(col: _Col) -> pl.Expr:
    """Per row: a code for what is wrong with ``col``, or null."""
    column = pl.col(col.name)
    present = column.is_not_null()
    checks: list[tuple[pl.Expr, str]] = []
    if col.required:
        checks.append((~present, "empty"))
    if col.kind in ("date", "week"):
        value = _date(col.name)
        checks.append((present & value.is_null(), "date"))
        if col.kind == "week":
            checks.append((value.dt.weekday() != 1, "monday"))
    elif col.kind in ("number", "integer"):
        value = _number(col.name)
        checks.append((present & value.is_null(), "number"))
        if col.kind == "integer":
            checks.append((value != value.round(), "integer"))
        if col.low is not None:
            checks.append((value < col.low, "low"))
        if col.high is not None:
            checks.append((value > col.high, "high"))
    elif col.kind == "choice":
        checks.append((present & ~column.str.to_lowercase().is_in(col.choices), "choice"))
    elif col.kind == "flag":
        checks.append((present & ~column.str.to_lowercase().is_in(list(_FLAGS)), "flag"))
    if not checks:
        return pl.lit(None, pl.String)
    (first, code), *rest = checks
    chain = pl.when(first).then(pl.lit(code))
    for condition, code in rest:
        chain = chain.when(condition).then(pl.lit(code))
    return chain.otherwise(pl.lit(None, pl.String))


def _check_values(frame: pl.DataFrame, specs: tuple[_Col, ...], path: Path, display: str) -> None:
    """Raise for the first bad value (first row, then first column)."""
    names = [c.name for c in specs]
    codes = frame.select(_IDX, *(_error_code(c).alias(c.name) for c in specs))
    bad = codes.filter(pl.any_horizontal(pl.col(names).is_not_null())).head(1)
    if bad.is_empty():
        return
    row = bad.row(0, named=True)
    col = next(c for c in specs if row[c.name] is not None)
    index = row[_IDX]
    value = frame.filter(pl.col(_IDX) == index)[col.name][0]
    message, fix = _describe(col, row[col.name], value)
    raise UserError(message, file=display, row=_line(path, index), column=col.name, fix=fix)


def _describe(col: _Col, code: str, value: str | None) -> tuple[str, str]:
    """(message, fix) for error ``code`` of ``value`` in column ``col``."""
    if code == "empty":
        return f"{col.name} is empty.", f"fill in {col.name}"
    if code == "date":
        example = "2027-01-04"
        return (
            f"{value!r} is not a date.",
            f"write dates as YYYY-MM-DD, e.g. {example}"
            + (" (a Monday)" if col.kind == "week" else ""),
        )
    if code == "monday":
        day = dt.date.fromisoformat(str(value))
        monday = day - dt.timedelta(days=day.weekday())
        return (
            f"week {value} is a {day:%A}, not a Monday.",
            f"use the Monday of that ISO week, {monday.isoformat()}",
        )
    if code == "number":
        return f"{value!r} is not a number.", "write a plain number such as 7.5 (dot for decimals)"
    if code == "integer":
        return f"{value!r} is not a whole number.", col.fix or "write a whole number such as 3"
    if code in ("low", "high"):
        if code == "low" and col.hours:
            return f"negative hours: {value}.", col.fix or "enter 0 or more hours"
        if col.high is None:
            bounds = f"must be {col.low:g} or more"
        else:
            bounds = f"must be from {col.low:g} to {col.high:g}"
        message = f"{value} is out of range: {col.name} {bounds}."
        return message, col.fix or f"enter a value that {bounds}"
    if code == "choice":
        return f"unknown {col.name} {value!r}.", f"use one of: {', '.join(col.choices)}"
    if code == "flag":
        return (
            f"{value!r} is not true or false.",
            "use true/false, yes/no or 1/0, or leave it empty for false",
        )
    raise AssertionError(code)  # pragma: no cover


# --------------------------------------------------------------------------- rows


def _check_rows(stem: str, frame: pl.DataFrame, path: Path, display: str) -> None:
    """Checks across the columns of a row: end >= start, week span, project parent."""
    if stem in _RANGES:
        start, end = _RANGES[stem]
        bad = frame.filter(pl.col(end) < pl.col(start)).head(1)
        if not bad.is_empty():
            row = bad.row(0, named=True)
            raise UserError(
                f"{end} {row[end]} is before {start} {row[start]}.",
                file=display,
                row=_line(path, row[_IDX]),
                column=end,
                fix=f"make {end} the same as {start} or later",
            )
        if start.endswith("_week"):
            weeks = (pl.col(end) - pl.col(start)).dt.total_days() // 7 + 1
            bad = frame.filter(weeks > _MAX_WEEKS).head(1)
            if not bad.is_empty():
                row = bad.row(0, named=True)
                count = (row[end] - row[start]).days // 7 + 1
                raise UserError(
                    f"{start} {row[start]} to {end} {row[end]} spans {count} weeks, "
                    "more than 10 years.",
                    file=display,
                    row=_line(path, row[_IDX]),
                    column=end,
                    fix=f"check the years of {start} and {end}",
                )
    if stem == "projects":
        bad = frame.filter(pl.col("program_id").is_null() & pl.col("portfolio_id").is_null())
        if not bad.is_empty():
            raise UserError(
                "the project has neither a program_id nor a portfolio_id.",
                file=display,
                row=_line(path, bad[_IDX][0]),
                column="portfolio_id",
                fix="fill in portfolio_id (or program_id)",
            )


def _check_unique(
    frame: pl.DataFrame, keys: tuple[str, ...], files: list[tuple[str, Path, str]]
) -> None:
    """Raise for the first row whose ``keys`` repeat an earlier row's (nulls compare equal)."""
    key = pl.struct(keys)
    repeats = frame.filter(~key.is_first_distinct()).head(1)
    if repeats.is_empty():
        return
    later = repeats.row(0, named=True)
    earlier = frame.filter(
        pl.all_horizontal([pl.col(k).eq_missing(later[k]) for k in keys])
    ).row(0, named=True)
    paths = {display: path for _, path, display in files}
    where = f"row {_line(paths[earlier[_FILE]], earlier[_IDX])}"
    if earlier[_FILE] != later[_FILE]:
        where += f" of {earlier[_FILE]}"
    line = _line(paths[later[_FILE]], later[_IDX])
    if "week" in keys:
        demand = f" (demand {later['demand_id']})" if later["demand_id"] is not None else ""
        raise UserError(
            f"overlaps {where}: {later['person_id']} on {later['project_id']}{demand} "
            f"in week {later['week']}.",
            file=later[_FILE],
            row=line,
            column="start_week",
            fix="merge the two rows, or make their weeks not overlap",
        )
    if keys == ("id",):
        message = f"duplicate id {later['id']!r}: {where} has the same id."
        fix = "give each row its own id, or remove one of the two rows"
    else:
        values = ", ".join(f"{k} {later[k]!s}" for k in keys)
        message = f"duplicate row: {where} has the same {values}."
        fix = "remove one of the two rows"
    raise UserError(message, file=later[_FILE], row=line, column=keys[-1], fix=fix)


def _expand_weeks(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per Monday from ``start_week`` to ``end_week`` inclusive, in column ``week``."""
    return frame.with_columns(
        pl.date_ranges("start_week", "end_week", interval="1w").alias("week")
    ).explode("week")
