"""Load governance data from CSV files (the demo's ``governance/`` folder, ``import governance``).

Each file is named after what it holds (:data:`GOVERNANCE_FILES`); values are
checked like ``pmo-tui import csv`` does, then rows are inserted in load
order in the caller's transaction (:func:`load_governance` opens one). A bad
value, a reference that does not resolve (a project, person, version...), a
duplicate key or a refused value is a :class:`~pmo_tui.errors.UserError`
naming the file, row and column, and nothing is written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from pmo_tui.errors import UserError
from pmo_tui.governance.loader_specs import GOVERNANCE_FILES, GovernanceFile
from pmo_tui.importers.csv_lines import line_of_record
from pmo_tui.importers.csv_specs import ROW_INDEX
from pmo_tui.importers.csv_validate import check_values, parse_column
from pmo_tui.store.change_log import log_change
from pmo_tui.store.tables import stored_value
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils


def governance_files(paths: list[Path]) -> tuple[list[tuple[str, Path]], list[str]]:
    """The known governance files among ``paths`` (files or folders), in load order, and notes.

    Raises:
        UserError: a missing path, a file with an unknown name, or nothing to load.
    """
    found: dict[str, Path] = {}
    notes: list[str] = []
    known = ", ".join(f"{stem}.csv" for stem in GOVERNANCE_FILES)
    for path in paths:
        if path.is_dir():
            for entry in sorted(path.glob("*.csv")):
                if entry.stem in GOVERNANCE_FILES:
                    found[entry.stem] = entry
                else:
                    notes.append(f"{entry}: skipped, not a governance file name")
        elif path.is_file() and path.stem in GOVERNANCE_FILES:
            found[path.stem] = path
        elif path.is_file():
            raise UserError(
                f"unknown file name {path.name!r}",
                file=str(path),
                fix=f"name it after what it holds: {known}",
            )
        else:
            raise UserError("no such file or folder", file=str(path), fix="check the path")
    if not found:
        raise UserError(
            "no governance CSV file found",
            file=", ".join(map(str, paths)),
            fix=f"name the files after what they hold: {known}",
        )
    return [(stem, found[stem]) for stem in GOVERNANCE_FILES if stem in found], notes


def load_governance(
    db: sqlite_utils.Database,
    paths: list[Path],
    *,
    reason: str = "import governance",
    transform: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> dict[str, int]:
    """Load the governance CSV files at ``paths`` in one transaction, with a change-log row.

    Args:
        transform: applied to each file's checked frame before it is written (the demo
            moves its dates to the current week with it).

    Returns:
        Store table -> rows written.

    Raises:
        UserError: see the module docstring; the database is left as it was.
    """
    files, _ = governance_files(paths)
    frames = [(stem, path, read_governance_file(stem, path)) for stem, path in files]
    if transform is not None:
        frames = [(stem, path, transform(frame)) for stem, path, frame in frames]
    written: dict[str, int] = {}
    with write_transaction(db, "import governance", needs="admin"):
        for stem, path, frame in frames:
            spec = GOVERNANCE_FILES[stem]
            written[spec.table] = _insert_rows(db, spec, frame, path)
        log_change(
            db,
            "governance",
            "import",
            reason=reason,
            after={"files": [str(p) for _, p in files], "rows": written},
        )
    return written


def read_governance_file(stem: str, path: Path) -> pl.DataFrame:
    """Read and check one governance file: ``ROW_INDEX`` plus its converted columns.

    Raises:
        UserError: unreadable file, missing header column, or a bad value.
    """
    from pmo_tui.importers.csv_read import normalise_header, read_strings

    spec = GOVERNANCE_FILES[stem]
    raw, _ = read_strings(path, str(path))
    raw = normalise_header(raw, str(path))
    for column in spec.columns:
        if column.required and column.name not in raw.columns:
            raise UserError(
                f"the header has no column {column.name!r}",
                file=str(path),
                row=1,
                column=column.name,
                fix=f"add a header column {column.name!r}",
            )
    names = [column.name for column in spec.columns]
    frame = (
        raw.with_row_index(ROW_INDEX)
        .select(
            ROW_INDEX,
            *(
                (
                    pl.col(n).str.strip_chars().replace("", None)
                    if n in raw.columns
                    else pl.lit(None, pl.String)
                ).alias(n)
                for n in names
            ),
        )
        .filter(~pl.all_horizontal(pl.col(names).is_null()))
    )
    check_values(frame, spec.columns, path, str(path))
    return frame.select(ROW_INDEX, *(parse_column(c).alias(c.name) for c in spec.columns))


def _insert_rows(
    db: sqlite_utils.Database, spec: GovernanceFile, frame: pl.DataFrame, path: Path
) -> int:
    """Insert the rows of one file; the first refused row becomes a :class:`UserError`."""
    for row in frame.iter_rows(named=True):
        record = {k: stored_value(v) for k, v in row.items() if k != ROW_INDEX and v is not None}
        try:
            db.table(spec.table).insert(record)
        except sqlite3.IntegrityError as error:
            line = line_of_record(path, row[ROW_INDEX])
            raise _refused(db, spec.table, record, error, str(path), line) from None
    return frame.height


def _refused(
    db: Any, table: str, record: dict[str, Any], error: Exception, file: str, line: int
) -> UserError:
    """The user error for a row SQLite refused: which reference, duplicate or value."""
    text = str(error)
    if "FOREIGN KEY" in text:
        column, value, target = _broken_reference(db, table, record)
        return UserError(
            f"{column} {value!r} is not in the database ({target})",
            file=file,
            row=line,
            column=column.split(", ")[0],
            fix=f"add it first (a {target} row), or fix the value",
        )
    if "UNIQUE" in text:
        keys = text.split(":", 1)[-1].strip()
        return UserError(
            f"this row repeats a key already present ({keys})",
            file=file,
            row=line,
            fix="remove the duplicate, or give it its own id/version",
        )
    return UserError(
        f"the row is refused: {text}",
        file=file,
        row=line,
        fix="correct the row (see docs/governance.md)",
    )


def _broken_reference(db: Any, table: str, record: dict[str, Any]) -> tuple[str, Any, str]:
    """(columns, value, table) of the first foreign key of ``record`` that does not resolve."""
    groups: dict[int, list[tuple[str, str, str]]] = {}
    for fk in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
        groups.setdefault(fk[0], []).append((fk[2], fk[3], fk[4]))
    for columns in groups.values():
        target = columns[0][0]
        values = [record.get(source) for _, source, _ in columns]
        if any(v is None for v in values):
            continue
        where = " AND ".join(f"[{to}] = ?" for _, _, to in columns)
        if not db.execute(f"SELECT 1 FROM [{target}] WHERE {where}", values).fetchone():
            names = ", ".join(source for _, source, _ in columns)
            return names, values[0] if len(values) == 1 else "@".join(map(str, values)), target
    return "a reference", None, "an earlier file"
