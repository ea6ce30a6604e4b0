"""Reading the store into polars frames with the dtypes of docs/data-model.md.

Dates and weeks are stored as ISO text and come back as ``pl.Date``; flags come
back as ``pl.Boolean``. Every function here is a read: no transaction needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import sqlite_utils

#: Store table -> column -> dtype of the frame it is read into.
TABLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "portfolio": {"id": pl.String, "name": pl.String, "manager": pl.String},
    "program": {
        "id": pl.String,
        "name": pl.String,
        "portfolio_id": pl.String,
        "manager": pl.String,
    },
    "project": {
        "id": pl.String,
        "name": pl.String,
        "program_id": pl.String,
        "portfolio_id": pl.String,
        "manager": pl.String,
        "sponsor": pl.String,
        "phase": pl.String,
        "priority": pl.Int64,
        "start": pl.Date,
        "finish": pl.Date,
        "budget": pl.Float64,
        "actual_cost": pl.Float64,
        "rag": pl.String,
        "source_file": pl.String,
    },
    "skill": {"id": pl.String, "name": pl.String, "description": pl.String},
    "person": {
        "id": pl.String,
        "name": pl.String,
        "email": pl.String,
        "role": pl.String,
        "unit": pl.String,
        "region": pl.String,
        "cost_rate": pl.Float64,
        "max_concurrent_projects": pl.Int64,
        "mon": pl.Float64,
        "tue": pl.Float64,
        "wed": pl.Float64,
        "thu": pl.Float64,
        "fri": pl.Float64,
        "sat": pl.Float64,
        "sun": pl.Float64,
    },
    "person_skill": {"person_id": pl.String, "skill_id": pl.String, "level": pl.Int64},
    "public_holiday": {"region": pl.String, "date": pl.Date, "name": pl.String},
    "leave": {
        "person_id": pl.String,
        "start": pl.Date,
        "end": pl.Date,
        "hours_per_day": pl.Float64,
        "reason": pl.String,
    },
    "availability": {
        "person_id": pl.String,
        "start": pl.Date,
        "end": pl.Date,
        "percent": pl.Float64,
    },
    "demand": {
        "id": pl.String,
        "project_id": pl.String,
        "skill_id": pl.String,
        "min_level": pl.Int64,
        "description": pl.String,
    },
    "demand_week": {"demand_id": pl.String, "week": pl.Date, "hours": pl.Float64},
    "allocation": {
        "id": pl.Int64,
        "person_id": pl.String,
        "project_id": pl.String,
        "demand_id": pl.String,
        "week": pl.Date,
        "hours": pl.Float64,
        "kind": pl.String,
        "pinned": pl.Boolean,
    },
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
