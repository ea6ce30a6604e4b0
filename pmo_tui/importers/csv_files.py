"""Read the CSV files of ``pmo-tui import csv`` into a :class:`~pmo_tui.importers.bundle.Bundle`.

Each file is named after what it holds (``people.csv``, ``demands.csv``, ...; see
:data:`KNOWN_FILES` and ``docs/data-model.md``). Every file is read by polars as
strings only, then each column is checked and converted (:mod:`.csv_read`), so a
mistake is reported as a :class:`~pmo_tui.errors.UserError` naming the file, the
line (header = 1, first data row = 2), the column, the offending value and the fix.

References between files (a demand's project, ...) are not checked here: they
may already be in the database, so the store checks them. Duplicate keys
within the rows of one kind are checked here.

Demands and allocations are given as week ranges; they are expanded to one
row per Monday (``demand_week``, ``allocation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import polars as pl

from pmo_tui.errors import UserError
from pmo_tui.importers.bundle import BUNDLE_SCHEMAS, Bundle, conform
from pmo_tui.importers.csv_lines import header_of
from pmo_tui.importers.csv_read import read_csv_file
from pmo_tui.importers.csv_rows import check_unique
from pmo_tui.importers.csv_specs import COLUMN_SPECS, KNOWN_FILES, UNIQUE_KEYS, FileColumns

__all__ = ["KNOWN_FILES", "FileColumns", "read_csv_bundle"]

#: File stem -> the bundle parts its rows become (default: the part named like the stem).
_BUNDLE_PARTS = {"demands": ("demand", "demand_week"), "allocations": ("allocation",)}
#: Key of a weekly allocation, unique once the week ranges are expanded: a person may hold a
#: hard or pinned booking and a soft one on the same demand and week (a plan tops it up).
_ALLOCATION_WEEK_KEY = ("person_id", "project_id", "demand_id", "week", "kind", "pinned")


class CsvFile(NamedTuple):
    """One file to read: the kind of rows it holds, its path, and the path as the user gave it."""

    stem: str
    path: Path
    display: str


def read_csv_bundle(
    paths: Sequence[Path], *, separator: str | None = None, encoding: str | None = None
) -> Bundle:
    """Read CSV files and folders of CSV files into one :class:`Bundle`.

    Args:
        paths: CSV files, named after what they hold (``people.csv``), or folders;
            a folder contributes every ``*.csv`` in it whose name is known (others
            are skipped with a note).
        separator, encoding: how the files are written; detected per file when None
            (:mod:`pmo_tui.importers.csv_format`).

    Returns:
        The bundle; ``source`` lists ``paths``, ``notes`` has one line per file read,
        ``origins`` names the files each part came from.

    Raises:
        UserError: a path is missing, a file name is unknown, or a file has a bad
            header or value; the error names file, row, column and the fix.
    """
    files, notes = _collect(paths)
    bundle = Bundle(source=", ".join(str(p) for p in paths))
    frames_by_stem = _read_files(files, notes, separator, encoding)
    path_of_file = {file.display: file.path for file in files}
    for file in files:
        if file.stem in BUNDLE_SCHEMAS:
            given = bundle.given_columns.setdefault(file.stem, set())
            given.update(_header(file.path))
    for stem, frames in frames_by_stem.items():
        frame = pl.concat(frames, how="vertical")
        origin = ", ".join(file.display for file in files if file.stem == stem)
        for part in _BUNDLE_PARTS.get(stem, (stem,)):
            bundle.origins[part] = origin
        if stem in UNIQUE_KEYS:
            check_unique(frame, UNIQUE_KEYS[stem], path_of_file)
        _add_to_bundle(bundle, stem, frame, path_of_file)
    bundle.notes.extend(notes)
    return bundle


def _read_files(
    files: list[CsvFile], notes: list[str], separator: str | None, encoding: str | None
) -> dict[str, list[pl.DataFrame]]:
    """Read every file, in load order; append a "name: N rows" note for each to ``notes``."""
    names = [file.path.name for file in files]
    frames_by_stem: dict[str, list[pl.DataFrame]] = {}
    for stem in COLUMN_SPECS:
        for file in files:
            if file.stem != stem:
                continue
            detected: list[str] = []
            frame = read_csv_file(
                stem,
                file.path,
                file.display,
                separator=separator,
                encoding=encoding,
                notes=detected,
            )
            notes.extend(detected)
            frames_by_stem.setdefault(stem, []).append(frame)
            label = file.path.name if names.count(file.path.name) == 1 else file.display
            notes.append(f"{label}: {_count_rows(frame.height)}")
            notes.extend(_unknown_column_notes(stem, file.path, label))
    return frames_by_stem


def _add_to_bundle(
    bundle: Bundle, stem: str, frame: pl.DataFrame, path_of_file: dict[str, Path]
) -> None:
    """Set the bundle parts of ``stem`` from its rows; week ranges become one row per Monday."""
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
        check_unique(weeks, _ALLOCATION_WEEK_KEY, path_of_file)
        bundle.allocation = conform("allocation", weeks)
    else:
        setattr(bundle, stem, conform(stem, frame))


def _expand_weeks(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per Monday from ``start_week`` to ``end_week`` inclusive, in column ``week``."""
    return frame.with_columns(
        pl.date_ranges("start_week", "end_week", interval="1w").alias("week")
    ).explode("week")


def _count_rows(count: int) -> str:
    """``1 row`` or ``N rows``."""
    return f"{count} row" if count == 1 else f"{count} rows"


# --------------------------------------------------------------------------- files


def _collect(paths: Sequence[Path]) -> tuple[list[CsvFile], list[str]]:
    """Every file to read (each once, even if named twice), and notes on skipped files.

    Raises:
        UserError: no path given, a path is missing, a file name is unknown, or a
            folder holds no CSV file with a known name.
    """
    if not paths:
        raise UserError(
            "no CSV files or folders given.",
            fix=f"name a folder or CSV files; known file names: {_known_names()}",
        )
    files: list[CsvFile] = []
    notes: list[str] = []
    seen: set[Path] = set()
    for given in paths:
        for path, display in _files_of(Path(given), str(given), notes):
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(CsvFile(path.stem.lower(), path, display))
    return files, notes


def _files_of(path: Path, given: str, notes: list[str]) -> list[tuple[Path, str]]:
    """(path, display name) of the known CSV files at ``path``, a file or a folder."""
    if path.is_dir():
        return _files_in_folder(path, given, notes)
    if path.is_file():
        if path.stem.lower() not in KNOWN_FILES:
            raise UserError(
                f"unknown file name {path.name!r}; the name says what the file holds.",
                file=given,
                fix=f"rename it to one of: {_known_names()}",
            )
        return [(path, given)]
    raise UserError("no such file or folder.", file=given, fix="check the path")


def _files_in_folder(folder: Path, given: str, notes: list[str]) -> list[tuple[Path, str]]:
    """The folder's ``*.csv`` files with a known name, sorted; a note for each other one."""
    entries = sorted(e for e in folder.iterdir() if e.is_file() and e.suffix.lower() == ".csv")
    usable = [entry for entry in entries if entry.stem.lower() in KNOWN_FILES]
    if not usable:
        raise UserError(
            "the folder holds no CSV file with a known name.",
            file=given,
            fix=f"name the files after what they hold: {_known_names()}",
        )
    found = []
    for entry in entries:
        if entry in usable:
            found.append((entry, str(folder / entry.name)))
        else:
            notes.append(f"{folder / entry.name}: skipped, unknown file name")
    return found


def _known_names() -> str:
    """The known file names, for fixes: ``portfolios.csv, programs.csv, ...``."""
    return ", ".join(f"{stem}.csv" for stem in KNOWN_FILES)


def _unknown_column_notes(stem: str, path: Path, label: str) -> list[str]:
    """One note per header column pmo-tui does not read, with the closest known name."""
    import difflib

    known = [*KNOWN_FILES[stem].required, *KNOWN_FILES[stem].optional]
    notes = []
    for column in _header(path):
        if not column or column in known:
            continue
        close = difflib.get_close_matches(column, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        notes.append(f"{label}: column {column!r} is not one pmo-tui reads, ignored{hint}")
    return notes


def _header(path: Path) -> list[str]:
    """The header names of the CSV file at ``path``, stripped and lower-cased."""
    return header_of(path)
