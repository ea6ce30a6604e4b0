"""Rendering frames and reports for the terminal: plain tables, CSV, JSON, Markdown.

One place so that ``--format`` means the same on every command. Results go to
stdout; diagnostics go to stderr (the CLI's job).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Collection
from typing import Any

import polars as pl

from pmo_tui.reporting.formats import FORMATS

__all__ = [
    "FORMATS",
    "dumps",
    "markdown_table",
    "neutralise_formulas",
    "render_frame",
    "text_table",
    "to_jsonable",
]

#: A text cell starting with one of these is run as a formula by spreadsheets (OWASP, "CSV
#: Injection": ``=``, ``+``, ``-``, ``@``, tab, carriage return).
FORMULA_START = r"^[=+\-@\t\r]"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def text_table(
    frame: pl.DataFrame,
    *,
    empty: str = "(none)",
    width: int | None = None,
    whole: Collection[str] = (),
) -> str:
    """An aligned plain-text table (numbers right-aligned), or ``empty`` for no rows.

    With ``width`` (a terminal's columns), the widest text columns are cut, their
    cells ending in ``…``, until each line fits (a text column keeps at least
    :data:`MIN_TEXT_WIDTH` characters); the columns named in ``whole`` are never cut.
    """
    if frame.is_empty():
        return empty
    headers = frame.columns
    rows = [[_cell(v) for v in row] for row in frame.iter_rows()]
    numeric = [frame.schema[c].is_numeric() for c in headers]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    if width is not None:
        uncut = [
            is_number or name in whole for is_number, name in zip(numeric, headers, strict=True)
        ]
        widths = _fitted(widths, uncut, width)

    def line(cells: list[str]) -> str:
        padded = [
            _cut(c, w).rjust(w) if is_number else _cut(c, w).ljust(w)
            for c, w, is_number in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


#: The narrowest a text column is cut to when a table must fit a width.
MIN_TEXT_WIDTH = 12


def _fitted(widths: list[int], uncut: list[bool], width: int) -> list[int]:
    """Column widths that fit ``width`` (two spaces between columns), cutting the
    widest column not marked ``uncut`` (numbers, whole texts) first, never below
    :data:`MIN_TEXT_WIDTH`."""
    fitted = list(widths)
    excess = sum(fitted) + 2 * (len(fitted) - 1) - width
    while excess > 0:
        text = [i for i, keep in enumerate(uncut) if not keep]
        widest = max(text, key=lambda i: fitted[i], default=None)
        if widest is None or fitted[widest] <= MIN_TEXT_WIDTH:
            break
        cut = min(excess, fitted[widest] - MIN_TEXT_WIDTH)
        fitted[widest] -= cut
        excess -= cut
    return fitted


def _cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in ``…`` when it was longer."""
    return text if len(text) <= width else text[: width - 1] + "…"


def markdown_table(frame: pl.DataFrame, *, empty: str = "_none_") -> str:
    """A GitHub-flavoured Markdown table, or ``empty`` for no rows."""
    if frame.is_empty():
        return empty
    header = "| " + " | ".join(frame.columns) + " |"
    rule = (
        "|"
        + "|".join("---:" if frame.schema[c].is_numeric() else "---" for c in frame.columns)
        + "|"
    )
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join([header, rule, *body])


def to_jsonable(value: Any) -> Any:
    """Frames to lists of records, dates to ISO text, floats rounded to 0.01, recursively."""
    if isinstance(value, pl.DataFrame):
        return [to_jsonable(row) for row in value.iter_rows(named=True)]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    return value


def dumps(value: Any) -> str:
    """Stable, indented JSON of ``value`` (see :func:`to_jsonable`)."""
    return json.dumps(to_jsonable(value), indent=2, sort_keys=False)


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell a spreadsheet would run as a formula written as text.

    As OWASP recommends ("CSV Injection"), a String cell starting with
    :data:`FORMULA_START` gets a single quote in front (``=1+2`` -> ``'=1+2``).
    Only String columns are touched: a negative number stays a number. Every CSV
    and XLSX the program writes goes through this.
    """
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START))
        .then("'" + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def render_frame(frame: pl.DataFrame, fmt: str) -> str:
    """One frame in ``fmt`` (one of :data:`FORMATS`); CSV cells are neutralised
    (:func:`neutralise_formulas`)."""
    if fmt == "csv":
        buffer = io.StringIO()
        neutralise_formulas(frame).write_csv(buffer)
        return buffer.getvalue().rstrip("\n")
    if fmt == "json":
        return dumps(frame)
    if fmt == "markdown":
        return markdown_table(frame)
    return text_table(frame)
