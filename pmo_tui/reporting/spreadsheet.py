"""Writing export sheets (:class:`pmo_tui.reporting.export.Sheet`) as CSV, XLSX, JSON or Markdown.

Every text cell of a CSV or XLSX goes through
:func:`pmo_tui.reporting.output.neutralise_formulas` first (formula injection,
OWASP). XLSX goes through polars' ``write_excel`` (xlsxwriter): one worksheet per
sheet, the header row and key columns frozen, columns fitted to their contents
(long texts capped), number formats per dtype, and over-allocated cells coloured.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import polars as pl

from pmo_tui.domain.horizon import iso_week_label
from pmo_tui.reporting.output import dumps, markdown_table, neutralise_formulas

if TYPE_CHECKING:
    from pmo_tui.reporting.sheet import Sheet

#: Excel number formats by dtype (a sheet's ``formats`` win).
DTYPE_FORMATS: dict[Any, str] = {
    pl.Float64: "#,##0.0",
    pl.Int64: "0",
    pl.Date: "yyyy-mm-dd",
}
#: The colours of an over-allocated cell (Excel's "light red fill with dark red text").
OVER_FORMAT = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
#: Widest text column in characters; longer texts (reasons, descriptions) wrap in Excel.
MAX_TEXT_WIDTH = 60
#: Pixels per character of Excel's default font, for column widths.
PIXELS_PER_CHARACTER = 7


def week_grid(rows: pl.DataFrame, index: list[str], values: str) -> pl.DataFrame:
    """Long rows (one per key and week) as a grid with one column per ISO week.

    Args:
        rows: ``index`` columns, ``week`` (Monday, ``pl.Date``) and ``values``.
        index: the row keys, e.g. ``["person_id", "name"]``.
        values: the column whose values fill the cells (summed where a key and week
            have several rows).

    Returns:
        ``index`` columns, then one column per week from the first week of ``rows``
        to the last, every week included, in date order, named by ISO year and week
        (``2026-W50``); null where a key has no row in a week. Rows sorted by ``index``.
    """
    if rows.is_empty():
        return rows.select(index)
    first, last = rows["week"].min(), rows["week"].max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    weeks = pl.date_range(first, last, "1w", eager=True).to_list()
    labels = [iso_week_label(week) for week in weeks]
    total = pl.col(values).sum()
    cells = rows.group_by([*index, "week"]).agg(
        pl.when(pl.col(values).is_null().all()).then(None).otherwise(total).alias(values)
    )
    label_of = dict(zip(weeks, labels, strict=True))
    grid = cells.with_columns(
        pl.col("week").replace_strict(label_of, return_dtype=pl.String)
    ).pivot(on="week", index=index, values=values)
    grid = grid.with_columns(
        pl.lit(None, rows.schema[values]).alias(label)
        for label in labels
        if label not in grid.columns
    )
    return grid.select(*index, *labels).sort(index, nulls_last=True)


def write_sheets(sheets: list[Sheet], fmt: str, target: Path | IO[str]) -> list[str]:
    """Write ``sheets`` in ``fmt`` (``csv``, ``xlsx``, ``json``, ``markdown``) to ``target``.

    CSV holds one table: the first sheet (the others are named in the result so the
    caller can say where they are). XLSX needs a path.

    Returns:
        The names of the sheets written.
    """
    if fmt == "xlsx":
        assert isinstance(target, Path), "an XLSX workbook is written to a file"
        write_xlsx(sheets, target)
        return [sheet.name for sheet in sheets]
    if fmt == "csv":
        text = csv_text(sheets[0].frame)
        written = [sheets[0].name]
    elif fmt == "json":
        text = dumps({sheet.name: sheet.frame for sheet in sheets}) + "\n"
        written = [sheet.name for sheet in sheets]
    else:
        text = markdown_text(sheets)
        written = [sheet.name for sheet in sheets]
    if isinstance(target, Path):
        target.write_text(text, encoding="utf-8")
    else:
        target.write(text)
    return written


def csv_text(frame: pl.DataFrame) -> str:
    """``frame`` as CSV text (a header line, then one line per row), formulas neutralised."""
    buffer = io.StringIO()
    neutralise_formulas(frame).write_csv(buffer)
    return buffer.getvalue()


def markdown_text(sheets: list[Sheet]) -> str:
    """One ``## name`` section with a Markdown table per sheet."""
    parts = [f"## {sheet.name}\n\n{markdown_table(sheet.frame)}\n" for sheet in sheets]
    return "\n".join(parts)


def write_xlsx(sheets: list[Sheet], path: Path) -> None:
    """One worksheet per sheet: header and key columns frozen, widths fitted, number
    formats, over-allocated cells coloured, text cells never read as formulas.

    Raises:
        OSError: the file cannot be created (no such folder, no permission).
    """
    from xlsxwriter import Workbook
    from xlsxwriter.exceptions import FileCreateError

    options = {"strings_to_formulas": False, "strings_to_urls": False}
    try:
        with Workbook(str(path), options) as workbook:
            for sheet in sheets:
                frame = neutralise_formulas(sheet.frame)
                frame.write_excel(
                    workbook,
                    sheet.name[:31],
                    autofit=True,
                    freeze_panes=(1, sheet.key_columns),
                    dtype_formats=DTYPE_FORMATS,
                    column_formats=dict(sheet.formats),  # type: ignore[arg-type]
                    conditional_formats=_over_formats(sheet),  # type: ignore[arg-type]
                    column_widths=_capped_widths(frame),  # type: ignore[arg-type]
                )
    except FileCreateError as error:  # xlsxwriter wraps the OSError of opening the file
        cause = error.__cause__ or error.__context__
        raise (cause if isinstance(cause, OSError) else OSError(str(error))) from error


def _over_formats(sheet: Sheet) -> dict[str, Any]:
    """Colour the cells of each ``over`` column above its threshold."""
    return {
        column: {"type": "cell", "criteria": ">", "value": limit, "format": OVER_FORMAT}
        for column, limit in sheet.over.items()
        if column in sheet.frame.columns
    }


def _capped_widths(frame: pl.DataFrame) -> dict[str, int]:
    """Pixel widths for text columns longer than :data:`MAX_TEXT_WIDTH` characters."""
    widths = {}
    for name, dtype in frame.schema.items():
        if dtype != pl.String or frame.is_empty():
            continue
        longest = frame[name].str.len_chars().max()
        if isinstance(longest, int) and longest > MAX_TEXT_WIDTH:
            widths[name] = MAX_TEXT_WIDTH * PIXELS_PER_CHARACTER
    return widths
