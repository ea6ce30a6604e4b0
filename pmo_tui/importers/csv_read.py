"""Read one CSV file of ``pmo-tui import csv``: its header, then checked and converted values.

The file is read by polars as strings only; the header is normalised and
checked against :data:`~pmo_tui.importers.csv_specs.COLUMN_SPECS`, then every
value is checked (:mod:`.csv_validate`) and converted, then each row's columns
are checked together (:mod:`.csv_rows`). Any mistake is a
:class:`~pmo_tui.errors.UserError` naming file, line, column and fix.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl

from pmo_tui.errors import UserError, closest_match, raise_all
from pmo_tui.importers.csv_format import CsvFormat, decode, detect_format, remember
from pmo_tui.importers.csv_lines import first_long_record, line_of_open_quote
from pmo_tui.importers.csv_rows import check_rows
from pmo_tui.importers.csv_specs import COLUMN_SPECS, FILE_COLUMN, KNOWN_FILES, ROW_INDEX
from pmo_tui.importers.csv_validate import check_values, parse_column

__all__ = ["normalise_header", "read_csv_file", "read_strings"]

#: How polars renames the second of two header columns with the same name.
_DUPLICATED = re.compile(r"^(.*)_duplicated_\d+$")


def read_csv_file(
    stem: str,
    path: Path,
    display: str,
    *,
    separator: str | None = None,
    encoding: str | None = None,
    notes: list[str] | None = None,
) -> pl.DataFrame:
    """Read, check and convert one file holding rows of kind ``stem``.

    Args:
        stem: the kind of rows (``people``, ...), a key of ``COLUMN_SPECS``.
        path: the file.
        display: the file as the user gave it, for messages and ``FILE_COLUMN``.
        separator, encoding: how the file is written; detected when None
            (:func:`~pmo_tui.importers.csv_format.detect_format`).
        notes: where to append what was detected (``display: read with ';' ...``).

    Returns:
        One row per non-blank record: ``ROW_INDEX`` (0-based record index),
        ``FILE_COLUMN``, then the spec's columns converted (missing optional
        columns as nulls).

    Raises:
        UserError: the file cannot be read, or has a bad header or value.
    """
    specs = COLUMN_SPECS[stem]
    raw, chosen = read_strings(path, display, separator=separator, encoding=encoding, notes=notes)
    raw = _normalise_header(raw, stem, display, chosen)
    names = [spec.name for spec in specs]
    frame = (
        raw.with_row_index(ROW_INDEX)
        .select(ROW_INDEX, *(_stripped_or_null(raw, name).alias(name) for name in names))
        .filter(~pl.all_horizontal(pl.col(names).is_null()))  # blank lines, ",,,," rows
    )
    check_values(frame, specs, path, display)
    typed = frame.select(
        ROW_INDEX,
        pl.lit(display).alias(FILE_COLUMN),
        *(parse_column(spec).alias(spec.name) for spec in specs),
    )
    check_rows(stem, typed, path, display)
    return typed


def _stripped_or_null(raw: pl.DataFrame, name: str) -> pl.Expr:
    """Column ``name`` stripped, empty as null; all nulls when the header lacks it."""
    if name not in raw.columns:
        return pl.lit(None, pl.String)
    stripped = pl.col(name).str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def read_strings(
    path: Path,
    display: str,
    *,
    separator: str | None = None,
    encoding: str | None = None,
    notes: list[str] | None = None,
) -> tuple[pl.DataFrame, CsvFormat]:
    """A CSV file as a frame of strings (header as written) and the format it was read in.

    The separator and encoding are detected when not given, with a note in ``notes``.

    Raises:
        UserError: the file cannot be read or parsed; names the file and the line.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(
            f"cannot read the file: {exc.strerror or exc}.",
            file=display,
            fix="check that the file exists and you may read it",
        ) from None
    chosen, detected = _format(data, path, display, separator, encoding)
    if notes is not None:
        notes.extend(f"{display}: {note}" for note in detected)
    return _read_strings(data, path, display, chosen), chosen


def _format(
    data: bytes, path: Path, display: str, separator: str | None, encoding: str | None
) -> tuple[CsvFormat, list[str]]:
    """The file's format (given or detected), remembered for the line lookups."""
    try:
        chosen, notes = detect_format(data, separator=separator, encoding=encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UserError(
            f"the file is not {encoding} text ({exc}).",
            file=display,
            option="--encoding",
            fix="name the encoding it was saved in, e.g. --encoding iso-8859-1",
        ) from None
    remember(path, chosen)
    return chosen, notes


def _read_strings(data: bytes, path: Path, display: str, chosen: CsvFormat) -> pl.DataFrame:
    """The file's bytes as a frame of strings, with its header as read (not yet normalised)."""
    try:
        text = decode(data, chosen.encoding)
        return pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            infer_schema=False,
            separator=chosen.separator,
            encoding="utf8",
        )
    except pl.exceptions.NoDataError:
        raise UserError(
            "the file is empty.",
            file=display,
            row=1,
            fix="add a header row with the column names",
        ) from None
    except pl.exceptions.PolarsError as exc:
        raise _unreadable_csv(exc, path, display, chosen.separator) from None


def _unreadable_csv(
    exc: pl.exceptions.PolarsError, path: Path, display: str, separator: str
) -> UserError:
    """The user error for a file polars cannot parse: not UTF-8, a long row, or other."""
    text = str(exc)
    if "utf-8" in text.lower() or "utf8" in text.lower():
        return UserError(
            "the file is not UTF-8 text.",
            file=display,
            fix="save it as 'CSV UTF-8' (Excel) or re-encode it to UTF-8",
        )
    if "more fields" in text:
        line, count, header = first_long_record(path)
        if line is None:
            return UserError(
                f"a row has more values than the header's {header} columns.",
                file=display,
                row=line_of_open_quote(path) or 1,
                fix=f"check the double quotes there; quote values that contain {_named(separator)}",
            )
        return UserError(
            f"the row has {count} values but the header has {header} columns.",
            file=display,
            row=line,
            fix=f"remove the extra values, or quote values that contain {_named(separator)}",
        )
    return UserError(
        f"cannot read the CSV file: {text.splitlines()[0] if text else exc!r}.",
        file=display,
        row=line_of_open_quote(path) or first_long_record(path)[0] or 1,
        fix=f"check that it is a {_named(separator)}-separated file with one header row "
        "and balanced double quotes",
    )


def _named(separator: str) -> str:
    """How a separator is named in a message: ``a comma``, ``';'``, ``a tab``."""
    return {",": "a comma", "\t": "a tab"}.get(separator, repr(separator))


def normalise_header(raw: pl.DataFrame, display: str) -> pl.DataFrame:
    """``raw`` with its header names stripped and lower-cased.

    Raises:
        UserError: two columns have the same name (row 1).
    """
    renamed: dict[str, str] = {}
    for column in raw.columns:
        match = _DUPLICATED.match(column)
        name = match.group(1) if match and match.group(1) in raw.columns else column
        name = name.strip().lower()
        if name in renamed.values():
            shown = repr(name) if name else "an empty name"
            raise UserError(
                f"column {shown} appears twice in the header.",
                file=display,
                row=1,
                column=name or None,
                fix=f"keep one column named {shown}" if name else "name every column",
            )
        renamed[column] = name
    return raw.rename(renamed)


def _normalise_header(
    raw: pl.DataFrame, stem: str, display: str, chosen: CsvFormat
) -> pl.DataFrame:
    """Strip and lower-case the header names; check duplicates and required columns."""
    raw = normalise_header(raw, display)
    _check_required_columns(raw, stem, display, chosen)
    return raw


def _check_required_columns(raw: pl.DataFrame, stem: str, display: str, chosen: CsvFormat) -> None:
    """Raise for the required columns of ``stem`` missing from the header (all of them),
    naming the closest header column when one looks like a misspelling."""
    known = {*KNOWN_FILES[stem].required, *KNOWN_FILES[stem].optional}
    unknown = [column for column in raw.columns if column not in known]
    required = KNOWN_FILES[stem].required
    errors = []
    for column in required:
        if column in raw.columns:
            continue
        fix = f"add a header column {column!r}"
        close = closest_match(column, unknown)
        if close is not None:
            fix = f"the header has {close!r}: rename it to {column!r}"
        elif raw.width == 1 and any(s in raw.columns[0] for s in ";\t,|" if s != chosen.separator):
            fix = "pass --separator with the character between the columns (e.g. --separator ';')"
        errors.append(
            UserError(
                f"the header has no column {column!r} (it needs: {', '.join(required)}).",
                file=display,
                row=1,
                column=column,
                fix=fix,
            )
        )
    raise_all(errors)
