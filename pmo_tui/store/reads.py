"""Reading the store into polars frames with the dtypes of docs/data-model.md.

Dates and weeks are stored as ISO text and come back as ``pl.Date``; flags come
back as ``pl.Boolean``. Every function here is a read: no transaction needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.bundle import BUNDLE_SCHEMAS

if TYPE_CHECKING:
    import sqlite_utils

#: Store table -> the bundle part with exactly its columns (docs/data-model.md).
TABLE_OF_PART = {
    "portfolio": "portfolios",
    "program": "programs",
    "project": "projects",
    "skill": "skills",
    "person": "people",
    "person_skill": "person_skills",
    "public_holiday": "holidays",
    "leave": "leave",
    "availability": "availability",
    "demand": "demand",
    "demand_week": "demand_week",
    "dependency": "dependencies",
}

#: Store table -> column -> dtype of the frame it is read into.
TABLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    **{table: BUNDLE_SCHEMAS[part] for table, part in TABLE_OF_PART.items()},
    "allocation": {"id": pl.Int64, **BUNDLE_SCHEMAS["allocation"]},
    "change_log": {
        "id": pl.Int64,
        "at": pl.String,
        "who": pl.String,
        "entity": pl.String,
        "action": pl.String,
        "reason": pl.String,
        "before": pl.String,
        "after": pl.String,
    },
}


def read_table(
    db: sqlite_utils.Database, table: str, columns: list[str] | None = None
) -> pl.DataFrame:
    """All rows of ``table`` as a frame typed by :data:`TABLE_SCHEMAS` (only ``columns`` if given)."""
    schema = TABLE_SCHEMAS[table]
    names = columns or list(schema)
    quoted = ", ".join(f'"{name}"' for name in names)
    rows = db.execute(f"SELECT {quoted} FROM [{table}]").fetchall()
    raw = pl.DataFrame(rows, schema={n: _storage_dtype(schema[n]) for n in names}, orient="row")
    return raw.with_columns([_to_dtype(n, schema[n]) for n in names])


def _storage_dtype(dtype: pl.DataType) -> pl.DataType:
    """How SQLite hands a column back: dates as text, flags as integers."""
    if dtype == pl.Date:
        return pl.String
    if dtype == pl.Boolean:
        return pl.Int64
    return dtype


def _to_dtype(name: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Date:
        return pl.col(name).str.to_date("%Y-%m-%d")
    if dtype == pl.Boolean:
        return pl.col(name).cast(pl.Boolean)
    return pl.col(name)


def demand_frame(db: sqlite_utils.Database) -> pl.DataFrame:
    """Demand per week: ``demand_id, project_id, skill_id, min_level, week (Date), hours``."""
    weeks = read_table(db, "demand_week")
    demands = read_table(db, "demand", ["id", "project_id", "skill_id", "min_level"])
    return weeks.join(demands.rename({"id": "demand_id"}), on="demand_id", how="inner").select(
        "demand_id", "project_id", "skill_id", "min_level", "week", "hours"
    )


def allocation_frame(db: sqlite_utils.Database) -> pl.DataFrame:
    """Allocations: ``id, person_id, project_id, demand_id, week (Date), hours, kind, pinned``."""
    return read_table(db, "allocation")
