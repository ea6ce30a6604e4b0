"""Read a published portfolio CSV (e.g. the UK GMPP annual data) through a column mapping.

The file is read with :mod:`csv` in the mapping's encoding and separator
(quoted values may span lines; a header may repeat, as GMPP's two
``colour_rating`` columns do). Its layout is checked against the mapping
before any row is read: a file with one project per column (field names down
the first column), a different separator or missing headers is refused with a
message naming what was found, never guessed at.

Each cell is converted by its field's kind (:data:`~pmo_tui.importers.portfolio_mapping.FIELDS`):

* rating: blank -> ``not_rated``; a known spelling (after
  :func:`~pmo_tui.importers.portfolio_mapping.normalise_rating`) -> its level;
  a withheld text (an exemption sentence) -> ``not_rated`` with the text as note;
  anything else is a problem.
* money: a number (``.`` decimal, ``,`` thousands) times ``money_unit``; a
  withheld text -> no value; a cell that looks like a date (what a spreadsheet
  makes of some numbers: ``07.09.2023``, ``3-Mar``, ``Mar-21``) is a problem,
  never read as a number or a date.
* date: one of the mapping's ``date_formats``; withheld -> no value.

Every problem names the row (the file line the record starts on, as an editor
shows it; the header is line 1), the column and the value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pmo_tui.errors import UserError
from pmo_tui.importers.portfolio_mapping import (
    FIELDS,
    ColumnRef,
    Mapping,
    normalise_rating,
    shipped_mappings,
)
from pmo_tui.store.schema_reporting import NOT_RATED

#: What a spreadsheet makes of a number it took for a date (day.month.year, 3-Mar, Mar-21...).
DATE_LIKE = re.compile(
    r"^\s*(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[ .-]?[A-Za-z]{3,9}\.?|[A-Za-z]{3,9}[ .-]\d{2,4})\s*$"
)
NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")

#: Columns of :attr:`PortfolioFile.rows` and their dtypes.
ROW_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "project_id": pl.String(),
    "name": pl.String(),
    "portfolio_id": pl.String(),
    "category": pl.String(),
    "delivery_confidence": pl.String(),
    "sro_confidence": pl.String(),
    "rating_note": pl.String(),
    "start": pl.Date(),
    "finish": pl.Date(),
    "baseline_cost": pl.Float64(),
    "forecast_cost": pl.Float64(),
    "whole_life_cost": pl.Float64(),
    "benefits": pl.Float64(),
}


@dataclass(frozen=True)
class Problem:
    """A cell that cannot be read: file line, column, value and what is wrong."""

    row: int
    column: str
    value: str
    message: str

    def render(self) -> str:
        """``row 12, column 'total_baseline' ('07.09.2023'): looks like a date ...``."""
        shown = self.value if len(self.value) <= 40 else self.value[:39] + "…"
        return f"row {self.row}, column {self.column!r} ({shown!r}): {self.message}"


@dataclass
class PortfolioFile:
    """A portfolio file read through its mapping.

    Attributes:
        mapping: the layout it was read with.
        file: the path as the user gave it.
        period: the snapshot's period (e.g. ``"2023"``); as_of: its date.
        rows: :data:`ROW_SCHEMA`, one per readable project row (money in currency units).
        problems: the cells that cannot be read (their rows are not in ``rows``).
        withheld: cells that were withheld (exemptions), counted per column.
    """

    mapping: Mapping
    file: str
    period: str
    as_of: dt.date
    rows: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    withheld: dict[str, int] = field(default_factory=dict)


def read_portfolio_file(path: Path, mapping: Mapping | None = None) -> PortfolioFile:
    """Read ``path`` with ``mapping``, or with the shipped mapping whose layout it has.

    Raises:
        UserError: the file cannot be read or decoded, its layout is not the mapping's
            (or matches no shipped mapping, or several), or the period is missing.
    """
    candidates = [mapping] if mapping is not None else shipped_mappings()
    attempts: list[tuple[Mapping, str]] = []
    matches: list[tuple[Mapping, list[tuple[int, list[str]]], dict[str, int]]] = []
    for candidate in candidates:
        try:
            records = _records(path, candidate)
        except UserError as error:
            if mapping is not None or not path.is_file():
                raise
            attempts.append((candidate, error.message))
            continue
        refusal, positions = _layout(records, candidate)
        if refusal is None:
            matches.append((candidate, records, positions))
        else:
            attempts.append((candidate, refusal))
    if len(matches) > 1:
        names = ", ".join(m.name for m, _, _ in matches)
        raise UserError(
            f"the file's layout fits several mappings ({names})",
            file=str(path),
            option="--mapping",
            fix="pass --mapping with the one to use",
        )
    if not matches:
        raise _layout_error(path, attempts, given=mapping is not None)
    chosen, records, positions = matches[0]
    return _convert(path, chosen, records, positions)


def _records(path: Path, mapping: Mapping) -> list[tuple[int, list[str]]]:
    """(start line, values) per record, header first."""
    try:
        text = path.read_bytes().decode(mapping.encoding)
    except OSError as error:
        raise UserError(
            f"cannot read the file: {error.strerror}", file=str(path), fix="check the path"
        ) from None
    except (UnicodeDecodeError, LookupError) as error:
        raise UserError(
            f"the file is not {mapping.encoding} text ({error})",
            file=str(path),
            fix=f"save it as {mapping.encoding}, or set format.encoding in the mapping",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.separator)
    records: list[tuple[int, list[str]]] = []
    end = 0
    for record in reader:
        if any(value.strip() for value in record):
            records.append((end + 1, record))
        end = reader.line_num
    return records


def _layout(
    records: list[tuple[int, list[str]]], mapping: Mapping
) -> tuple[str | None, dict[str, int]]:
    """(None, field -> column index) when the header fits ``mapping``; else (why not, {})."""
    if not records:
        return "the file is empty", {}
    header = [name.strip() for name in records[0][1]]
    wanted = {name: ref for name, ref in mapping.columns.items()}
    wanted["__period"] = ColumnRef(mapping.period_column)
    if mapping.as_of_column:
        wanted["__as_of"] = ColumnRef(mapping.as_of_column)
    positions = {name: _position(header, ref) for name, ref in wanted.items()}
    missing = [
        str(wanted[name])
        for name, index in positions.items()
        if index is None and (name.startswith("__") or FIELDS[name][1])
    ]
    if not missing:
        return None, {name: index for name, index in positions.items() if index is not None}
    first_column = {values[0].strip() for _, values in records if values}
    if sum(str(ref.header) in first_column for ref in wanted.values()) >= 3:
        return (
            "it has one project per column (the field names run down the first column), "
            "not one project per row"
        ), {}
    if len(header) == 1 and mapping.separator not in header[0]:
        return f"its header is one column: it is not separated by {mapping.separator!r}", {}
    return f"it has no column {', '.join(map(repr, missing))}", {}


def _position(header: list[str], ref: ColumnRef) -> int | None:
    seen = 0
    for index, name in enumerate(header):
        if name == ref.header:
            seen += 1
            if seen == ref.occurrence:
                return index
    return None


def _layout_error(path: Path, attempts: list[tuple[Mapping, str]], *, given: bool) -> UserError:
    if given:
        mapping, why = attempts[0]
        return UserError(
            f"the file does not have the layout of mapping {mapping.name!r}: {why}",
            file=str(path),
            option="--mapping",
            fix="transpose or re-export the file to one project per row with the mapping's "
            "headers, or write a mapping for its layout (docs/reporting.md)",
        )
    tried = "; ".join(f"{mapping.name}: {why}" for mapping, why in attempts)
    return UserError(
        f"the file's layout matches no known portfolio mapping ({tried})",
        file=str(path),
        option="--mapping",
        fix="write a mapping TOML for its layout and pass --mapping FILE.toml "
        "(docs/reporting.md; start from pmo_tui/importers/mappings/gmpp.toml)",
    )


def _convert(
    path: Path, mapping: Mapping, records: list[tuple[int, list[str]]], positions: dict[str, int]
) -> PortfolioFile:
    problems: list[Problem] = []
    withheld: dict[str, int] = {}
    header = records[0][1]
    rows: list[dict] = []
    periods: dict[str, int] = {}
    as_of_values: dict[str, int] = {}
    for line, values in records[1:]:
        cells = {
            name: (values[index].strip() if index < len(values) else "")
            for name, index in positions.items()
        }
        converted, row_problems = _convert_row(line, cells, mapping, header, positions, withheld)
        periods[cells["__period"]] = periods.get(cells["__period"], line)
        if "__as_of" in cells:
            as_of_values[cells["__as_of"]] = line
        if row_problems:
            problems.extend(row_problems)
        else:
            rows.append(converted)
    period = _single(path, periods, mapping.period_column)
    as_of = _as_of(path, mapping, period, as_of_values)
    frame = pl.DataFrame(rows, schema=ROW_SCHEMA, orient="row") if rows else _empty_rows()
    problems.extend(_duplicates(frame, mapping))
    bad_rows = {p.row for p in problems}
    frame = frame.filter(~pl.col("row").is_in(list(bad_rows)))
    return PortfolioFile(mapping, str(path), period, as_of, frame, problems, withheld)


def _empty_rows() -> pl.DataFrame:
    return pl.DataFrame(schema=ROW_SCHEMA)


def _convert_row(
    line: int,
    cells: dict[str, str],
    mapping: Mapping,
    header: list[str],
    positions: dict[str, int],
    withheld: dict[str, int],
) -> tuple[dict, list[Problem]]:
    out: dict = {"row": line, "rating_note": None}
    problems: list[Problem] = []
    notes: list[str] = []
    for name, (kind, required) in FIELDS.items():
        value = cells.get(name, "")
        column = str(mapping.columns[name]) if name in mapping.columns else name
        key = "portfolio_id" if name == "portfolio" else name
        if _is_withheld(value, mapping):
            withheld[column] = withheld.get(column, 0) + 1
            out[key] = NOT_RATED if kind == "rating" else None
            if kind == "rating":
                notes.append(f"{name.replace('_', ' ')}: {' '.join(value.split())}")
            continue
        try:
            out[key] = _cell(kind, value, mapping)
        except ValueError as error:
            problems.append(Problem(line, column, value, str(error)))
            continue
        if required and out[key] is None:
            problems.append(Problem(line, column, value, f"{name} is required"))
    out["rating_note"] = "; ".join(notes) or None
    out["sro_confidence"] = out.get("sro_confidence") or NOT_RATED
    return out, problems


def _is_withheld(value: str, mapping: Mapping) -> bool:
    folded = value.casefold()
    return bool(folded) and any(folded.startswith(p) for p in mapping.withheld_prefixes)


def _cell(kind: str, value: str, mapping: Mapping) -> object:
    """One cell converted by ``kind``; ValueError says what is wrong and how to fix it."""
    if kind == "rating":
        if not value:
            return NOT_RATED
        level = mapping.ratings.get(normalise_rating(value))
        if level is None:
            raise ValueError(
                "not a delivery-confidence rating; add its spelling to [ratings] in the mapping"
            )
        return level
    if not value:
        return None
    if kind == "money":
        return _money(value, mapping)
    if kind == "date":
        return _date(value, mapping)
    return value


def _money(value: str, mapping: Mapping) -> float:
    if NUMBER.match(value):
        return round(float(value.replace(",", "")) * mapping.money_unit, 2)
    if DATE_LIKE.match(value):
        raise ValueError(
            "looks like a date where a number belongs (a spreadsheet converted it): "
            "type the number again in the source file"
        )
    raise ValueError("not a number; write it like 12.5")


def _date(value: str, mapping: Mapping) -> dt.date:
    for fmt in mapping.date_formats:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    shown = " or ".join(mapping.date_formats)
    raise ValueError(f"not a date in the format {shown}")


def _single(path: Path, values: dict[str, int], column: str) -> str:
    """The one value of the period column (the file is one snapshot)."""
    found = [v for v in values if v]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UserError(
            "the period column is empty",
            file=str(path),
            column=column,
            fix="fill it (e.g. the report's year)",
        )
    second = sorted(found)[1]
    raise UserError(
        f"the file holds several periods ({', '.join(sorted(found)[:5])}); a snapshot is one",
        file=str(path),
        row=values[second],
        column=column,
        fix="split the file by period and import each",
    )


def _as_of(path: Path, mapping: Mapping, period: str, as_of_values: dict[str, int]) -> dt.date:
    text = (
        _single(path, as_of_values, mapping.as_of_column or "")
        if mapping.as_of_column
        else (mapping.as_of or "").format(period=period)
    )
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"the snapshot date {text!r} is not an ISO date",
            file=str(path),
            column=mapping.as_of_column or mapping.period_column,
            fix="use YYYY-MM-DD, or a period the mapping's as_of template turns into one",
        ) from None


def _duplicates(frame: pl.DataFrame, mapping: Mapping) -> list[Problem]:
    repeated = frame.filter(pl.col("project_id").is_duplicated()).sort("row")
    seen: set[str] = set()
    problems = []
    for row in repeated.iter_rows(named=True):
        if row["project_id"] in seen:
            problems.append(
                Problem(
                    row["row"],
                    str(mapping.columns["project_id"]),
                    row["project_id"],
                    "this project id appears on an earlier row too",
                )
            )
        seen.add(row["project_id"])
    return problems
