"""A bundle: the rows one import adds to the store, as polars frames.

Both importers (``import csv`` and ``import project``) produce a :class:`Bundle`;
the import service (:mod:`pmo_tui.importers.service`) validates it and writes it
in one transaction. Keeping one shape for
both means one validation path and one merge rule for people.

Units: hours are floats, weeks are the Monday of the ISO week (``pl.Date``),
dates are ``pl.Date``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.store.tables import TABLE_SCHEMAS

#: Bundle part -> the store table it is written to, in load order
#: (a part only refers to parts above it).
TABLE_OF_PART: dict[str, str] = {
    "portfolios": "portfolio",
    "programs": "program",
    "skills": "skill",
    "holidays": "public_holiday",
    "people": "person",
    "person_skills": "person_skill",
    "leave": "leave",
    "availability": "availability",
    "projects": "project",
    "dependencies": "dependency",
    "demand": "demand",
    "demand_week": "demand_week",
    "allocation": "allocation",
}

#: Column name -> dtype of every frame a bundle carries: its table's columns
#: (an allocation gets its id when it is written).
BUNDLE_SCHEMAS: dict[str, SchemaDict] = {
    part: {
        name: dtype
        for name, dtype in TABLE_SCHEMAS[table].items()
        if (table, name) != ("allocation", "id")
    }
    for part, table in TABLE_OF_PART.items()
}


#: Frames a project-file bundle carries beside its parts (CSV files never hold them):
#: the daily shape of each allocation (see :mod:`pmo_tui.importers.plan_records`).
EXTRA_SCHEMAS: dict[str, SchemaDict] = {"allocation_day": TABLE_SCHEMAS["allocation_day"]}


def _schema(name: str) -> SchemaDict:
    return BUNDLE_SCHEMAS[name] if name in BUNDLE_SCHEMAS else EXTRA_SCHEMAS[name]


def empty_frame(name: str) -> pl.DataFrame:
    """An empty frame with the columns and dtypes of bundle part (or extra frame) ``name``."""
    return pl.DataFrame(schema=_schema(name))


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with exactly the columns of part ``name``, in order, cast to its dtypes.

    Missing columns are added as nulls; extra columns are dropped.

    Raises:
        polars.exceptions.InvalidOperationError: a value cannot be cast.
    """
    schema = _schema(name)
    columns = [
        (pl.col(column) if column in frame.columns else pl.lit(None)).cast(dtype).alias(column)
        for column, dtype in schema.items()
    ]
    return frame.select(columns)


@dataclass(frozen=True)
class PlanFile:
    """The project file a bundle was read from, as the import service remembers it.

    ``guid`` is the plan's own identifier (MS Project, Primavera), ``fingerprint`` a
    hash of its tasks and assignments, ``saved`` the date the file was last saved
    (the file's own property, else its modification date), ``week_hours`` each
    person's (bundle id) working hours in a standard week of the file's calendar.
    """

    file_name: str
    guid: str | None
    fingerprint: str
    saved: dt.date | None
    week_hours: dict[str, float] = field(default_factory=dict)


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
    #: Hours per person, project, demand and day of the allocations (project files only).
    allocation_day: pl.DataFrame = field(default_factory=lambda: empty_frame("allocation_day"))
    #: What identifies a project file's plan (None for CSV bundles).
    plan_file: PlanFile | None = None
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
