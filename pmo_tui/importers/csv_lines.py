"""Find the file line of a CSV record, so errors can say "row N" as an editor shows it.

Polars numbers data records from 0 and a quoted value may span several lines,
so the line is found by reading the file again with :mod:`csv`, which splits
records as polars does (a blank line is a record of nulls in both). Line 1 is
the header; the first data record usually starts on line 2.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from pmo_tui.importers.csv_format import format_of

__all__ = [
    "first_long_record",
    "header_of",
    "line_of_open_quote",
    "line_of_record",
    "line_of_value",
]


def _records_with_start_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based line the record starts on, its values) for every record, header first."""
    chosen = format_of(path)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a long value is reported, not fatal
    with path.open(newline="", encoding=chosen.encoding, errors="replace") as handle:
        reader = csv.reader(handle, delimiter=chosen.separator)
        end = 0
        seen_header = False
        try:
            for record in reader:
                if seen_header or record:  # polars skips blank lines before the header
                    seen_header = True
                    yield end + 1, record
                end = reader.line_num
        except csv.Error:
            return


def line_of_record(path: Path, index: int) -> int:
    """The file line on which data record ``index`` (0-based, header excluded) starts.

    Falls back to ``index + 2`` (one line per record) past the records found.
    """
    try:
        starts = [line for line, _ in _records_with_start_lines(path)][1:]
    except OSError:
        starts = []
    return starts[index] if index < len(starts) else index + 2


def header_of(path: Path) -> list[str]:
    """The header names of the CSV file at ``path``, stripped and lower-cased ([] if none)."""
    try:
        for _, record in _records_with_start_lines(path):
            return [name.strip().lower() for name in record]
    except OSError:
        return []
    return []


def first_long_record(path: Path) -> tuple[int | None, int, int]:
    """(line, values, header columns) of the first record longer than the header.

    The line is ``None`` (and values 0) when no record is longer.
    """
    width = None
    for line, record in _records_with_start_lines(path):
        if width is None:
            width = len(record)
        elif len(record) > width:
            return line, len(record), width
    return None, 0, width or 0


def line_of_value(path: Path, column: str, value: str) -> int | None:
    """The line on which the first record whose ``column`` is ``value`` starts (header = 1).

    None when the file cannot be read, has no such column, or no record matches.
    """
    try:
        records = _records_with_start_lines(path)
        _, header = next(records)
        position = [name.strip() for name in header].index(column)
        for line, record in records:
            if position < len(record) and record[position].strip() == value:
                return line
    except (OSError, StopIteration, ValueError):
        return None
    return _line_of_text(path, value)


def _line_of_text(path: Path, value: str) -> int | None:
    """The line on which ``value`` first appears in the file's text (a value holding a bare
    carriage return splits into two records for :mod:`csv`, not for polars)."""
    try:
        text = path.read_text(encoding=format_of(path).encoding, errors="replace")
    except OSError:
        return None
    found = text.find(value)
    return None if found < 0 else text.count("\n", 0, found) + 1


def line_of_open_quote(path: Path) -> int | None:
    """The line on which a double quote opens that is never closed (None when all close)."""
    chosen = format_of(path)
    try:
        text = path.read_text(encoding=chosen.encoding, errors="replace")
    except OSError:
        return None
    opened_on = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count('"') % 2:
            opened_on = number if opened_on is None else None
    return opened_on
