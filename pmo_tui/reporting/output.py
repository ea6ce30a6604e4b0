"""Rendering frames and reports for the terminal: plain tables, CSV, JSON, Markdown.

One place so that ``--format`` means the same on every command. Results go to
stdout; diagnostics go to stderr (the CLI's job).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import polars as pl

from pmo_tui.reporting.formats import FORMATS

__all__ = ["FORMATS", "dumps", "markdown_table", "render_frame", "text_table", "to_jsonable"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def text_table(frame: pl.DataFrame, *, empty: str = "(none)") -> str:
    """An aligned plain-text table (numbers right-aligned), or ``empty`` for no rows."""
    if frame.is_empty():
        return empty
    headers = frame.columns
    rows = [[_cell(v) for v in row] for row in frame.iter_rows()]
    numeric = [frame.schema[c].is_numeric() for c in headers]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = [
            c.rjust(w) if is_number else c.ljust(w)
            for c, w, is_number in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


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


def render_frame(frame: pl.DataFrame, fmt: str) -> str:
    """One frame in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "csv":
        buffer = io.StringIO()
        frame.write_csv(buffer)
        return buffer.getvalue().rstrip("\n")
    if fmt == "json":
        return dumps(frame)
    if fmt == "markdown":
        return markdown_table(frame)
    return text_table(frame)
