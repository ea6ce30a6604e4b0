"""A bundle: the rows one import adds to the store, as polars frames.

Both importers (``import csv`` and ``import project``) produce a :class:`Bundle`;
the store validates it and writes it in one transaction. Keeping one shape for
both means one validation path and one merge rule for people.

Units: hours are floats, weeks are the Monday of the ISO week (``pl.Date``),
dates are ``pl.Date``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import polars as pl

#: Column name -> dtype of every frame a bundle carries, in load order
#: (a frame only refers to frames above it).
BUNDLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "portfolios": {"id": pl.String, "name": pl.String, "manager": pl.String},
    "programs": {
        "id": pl.String,
        "name": pl.String,
        "portfolio_id": pl.String,
        "manager": pl.String,
    },
    "skills": {"id": pl.String, "name": pl.String, "description": pl.String},
    "holidays": {"region": pl.String, "date": pl.Date, "name": pl.String},
    "people": {
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
    "person_skills": {
        "person_id": pl.String,
        "skill_id": pl.String,
        "level": pl.Int64,
        "valid_until": pl.Date,
    },
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
    "projects": {
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
        "may_shift_weeks": pl.Int64,
    },
    "dependencies": {
        "from_project_id": pl.String,
        "to_project_id": pl.String,
        "kind": pl.String,
        "lag_weeks": pl.Int64,
        "due": pl.Date,
        "description": pl.String,
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
        "person_id": pl.String,
        "project_id": pl.String,
        "demand_id": pl.String,
        "week": pl.Date,
        "hours": pl.Float64,
        "kind": pl.String,
        "pinned": pl.Boolean,
    },
}

WEEKDAY_COLUMNS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def empty_frame(name: str) -> pl.DataFrame:
    """An empty frame with the columns and dtypes of bundle part ``name``."""
    return pl.DataFrame(schema=BUNDLE_SCHEMAS[name])


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with exactly the columns of part ``name``, in order, cast to its dtypes.

    Missing columns are added as nulls; extra columns are dropped.

    Raises:
        polars.exceptions.InvalidOperationError: a value cannot be cast.
    """
    schema = BUNDLE_SCHEMAS[name]
    columns = [
        (pl.col(column) if column in frame.columns else pl.lit(None)).cast(dtype).alias(column)
        for column, dtype in schema.items()
    ]
    return frame.select(columns)


@dataclass
class Bundle:
    """Frames to add to the store, one per part of :data:`BUNDLE_SCHEMAS`.

    ``source`` names where the rows came from (a file or folder), for messages
    and the change log; ``notes`` collects what the importer wants to tell the
    user (people merged, resources skipped).
    """

    source: str = ""
    portfolios: pl.DataFrame = field(default_factory=lambda: empty_frame("portfolios"))
    programs: pl.DataFrame = field(default_factory=lambda: empty_frame("programs"))
    skills: pl.DataFrame = field(default_factory=lambda: empty_frame("skills"))
    holidays: pl.DataFrame = field(default_factory=lambda: empty_frame("holidays"))
    people: pl.DataFrame = field(default_factory=lambda: empty_frame("people"))
    person_skills: pl.DataFrame = field(default_factory=lambda: empty_frame("person_skills"))
    leave: pl.DataFrame = field(default_factory=lambda: empty_frame("leave"))
    availability: pl.DataFrame = field(default_factory=lambda: empty_frame("availability"))
    projects: pl.DataFrame = field(default_factory=lambda: empty_frame("projects"))
    dependencies: pl.DataFrame = field(default_factory=lambda: empty_frame("dependencies"))
    demand: pl.DataFrame = field(default_factory=lambda: empty_frame("demand"))
    demand_week: pl.DataFrame = field(default_factory=lambda: empty_frame("demand_week"))
    allocation: pl.DataFrame = field(default_factory=lambda: empty_frame("allocation"))
    notes: list[str] = field(default_factory=list)
    #: Part name -> the file its rows came from, so errors can name file and row.
    origins: dict[str, str] = field(default_factory=dict)
    #: Part name -> the columns its file(s) had; a stored row keeps its other columns
    #: (a part missing here writes every column).
    given_columns: dict[str, set[str]] = field(default_factory=dict)

    def parts(self) -> list[tuple[str, pl.DataFrame]]:
        """The (name, frame) pairs in load order, each conformed to its schema."""
        return [
            (f.name, conform(f.name, getattr(self, f.name)))
            for f in fields(self)
            if f.name in BUNDLE_SCHEMAS
        ]
