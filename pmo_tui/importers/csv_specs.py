"""What each CSV file of ``pmo-tui import csv`` holds: its columns, keys and date ranges.

One table (:data:`COLUMN_SPECS`) says, per file stem, how every column is
checked and converted; :data:`KNOWN_FILES` (the public header description) is
derived from it, so the two cannot drift. ``docs/data-model.md`` documents the
same columns for users.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from pmo_tui.store.tables import WEEKDAY_COLUMNS

__all__ = [
    "COLUMN_SPECS",
    "DATE_RANGES",
    "FILE_COLUMN",
    "FLAG_VALUES",
    "KNOWN_FILES",
    "MAX_TEXT",
    "MAX_WEEKS",
    "MONEY_MAX",
    "YEARS",
    "ROW_INDEX",
    "UNIQUE_KEYS",
    "ColumnSpec",
    "FileColumns",
]


class FileColumns(NamedTuple):
    """The header columns of one kind of CSV file."""

    required: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True)
class ColumnSpec:
    """How to check and convert one column.

    ``kind`` is one of text, date, week (a Monday), number, integer, choice,
    flag. ``low``/``high`` bound numbers (inclusive); ``fix`` overrides the
    generic fix for an out-of-range value; with ``hours`` a below-zero value is
    reported as "negative hours".
    """

    name: str
    kind: str = "text"
    required: bool = True
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    fix: str | None = None
    hours: bool = False


def _optional(name: str, kind: str = "text") -> ColumnSpec:
    """A column that may be missing from the header or left empty."""
    return ColumnSpec(name, kind, required=False)


#: Hours in a week (7 x 24): no weekly figure can be more.
HOURS_IN_A_WEEK = 168


def _hours_column(name: str) -> ColumnSpec:
    """Hours per week, 0 to 168."""
    return ColumnSpec(
        name,
        "number",
        True,
        0,
        HOURS_IN_A_WEEK,
        fix=f"enter the hours of one week, from 0 to {HOURS_IN_A_WEEK}",
        hours=True,
    )


def _day_hours_column(name: str, required: bool = True) -> ColumnSpec:
    """Hours of one day, 0 to 24."""
    return ColumnSpec(
        name, "number", required, 0, 24, fix="enter the hours of one day, from 0 to 24", hours=True
    )


def _level_column(name: str) -> ColumnSpec:
    """A skill level, 1 (basic) to 5 (expert)."""
    return ColumnSpec(name, "integer", True, 1, 5, fix="use a level from 1 (basic) to 5 (expert)")


#: The largest amount of money accepted (a budget or a cost rate): a trillion.
MONEY_MAX = 1e12
#: The longest text accepted in one value, in characters.
MAX_TEXT = 10_000
#: The years a date may fall in (inclusive): a date outside is a typo in the year.
YEARS = (2000, 2100)


def _money_column(name: str) -> ColumnSpec:
    """An optional amount of money, 0 to :data:`MONEY_MAX`."""
    return ColumnSpec(
        name,
        "number",
        False,
        low=0,
        high=MONEY_MAX,
        fix=f"enter 0 to {MONEY_MAX:.0e} (a trillion), or leave it empty",
    )


_PERSON_COLUMNS = (
    ColumnSpec("id"),
    ColumnSpec("name"),
    _optional("email"),
    _optional("role"),
    _optional("unit"),
    ColumnSpec("region"),
    _money_column("cost_rate"),
    ColumnSpec(
        "max_concurrent_projects",
        "integer",
        False,
        low=1,
        high=50,
        fix="enter a whole number from 1 to 50, or leave it empty",
    ),
    *(_day_hours_column(day) for day in WEEKDAY_COLUMNS),
)

_PROJECT_COLUMNS = (
    ColumnSpec("id"),
    ColumnSpec("name"),
    _optional("program_id"),
    _optional("portfolio_id"),
    _optional("manager"),
    _optional("sponsor"),
    ColumnSpec("phase", "choice", choices=("initiation", "planning", "execution", "closing")),
    ColumnSpec("priority", "integer", True, 1, 5, fix="use 1 (highest) to 5 (lowest)"),
    ColumnSpec("start", "date"),
    ColumnSpec("finish", "date"),
    _money_column("budget"),
    _money_column("actual_cost"),
    ColumnSpec("rag", "choice", choices=("green", "amber", "red")),
    ColumnSpec(
        "may_shift_weeks",
        "integer",
        False,
        0,
        52,
        fix="enter how many weeks later the project may start, 0 to 52, or leave it empty",
    ),
)

_DEPENDENCY_COLUMNS = (
    ColumnSpec("from_project_id"),
    ColumnSpec("to_project_id"),
    ColumnSpec("kind", "choice", required=False, choices=("finish_to_start", "deliverable")),
    ColumnSpec(
        "lag_weeks",
        "integer",
        False,
        low=0,
        high=52,
        fix="enter a whole number of weeks from 0 to 52 (the planning horizon)",
    ),
    _optional("due", "date"),
    _optional("description"),
    _optional("deliverable"),
)

#: Column specs per file stem, in load order (a file only refers to files above it).
COLUMN_SPECS: dict[str, tuple[ColumnSpec, ...]] = {
    "portfolios": (ColumnSpec("id"), ColumnSpec("name"), _optional("manager")),
    "programs": (
        ColumnSpec("id"),
        ColumnSpec("name"),
        ColumnSpec("portfolio_id"),
        _optional("manager"),
    ),
    "skills": (ColumnSpec("id"), ColumnSpec("name"), _optional("description")),
    "holidays": (ColumnSpec("region"), ColumnSpec("date", "date"), ColumnSpec("name")),
    "people": _PERSON_COLUMNS,
    "person_skills": (
        ColumnSpec("person_id"),
        ColumnSpec("skill_id"),
        _level_column("level"),
        _optional("valid_until", "date"),
    ),
    "leave": (
        ColumnSpec("person_id"),
        ColumnSpec("start", "date"),
        ColumnSpec("end", "date"),
        _day_hours_column("hours_per_day", required=False),
        _optional("reason"),
    ),
    "availability": (
        ColumnSpec("person_id"),
        ColumnSpec("start", "date"),
        _optional("end", "date"),
        ColumnSpec("percent", "number", True, 0, 100, fix="enter a percentage from 0 to 100"),
    ),
    "projects": _PROJECT_COLUMNS,
    "dependencies": _DEPENDENCY_COLUMNS,
    "demands": (
        ColumnSpec("id"),
        ColumnSpec("project_id"),
        ColumnSpec("skill_id"),
        _level_column("min_level"),
        ColumnSpec("start_week", "week"),
        ColumnSpec("end_week", "week"),
        _hours_column("hours_per_week"),
        _optional("description"),
    ),
    "allocations": (
        ColumnSpec("person_id"),
        ColumnSpec("project_id"),
        _optional("demand_id"),
        ColumnSpec("start_week", "week"),
        ColumnSpec("end_week", "week"),
        _hours_column("hours_per_week"),
        ColumnSpec("kind", "choice", required=False, choices=("soft", "hard")),
        _optional("pinned", "flag"),
    ),
}

#: File stem -> (required columns, optional columns), in load order.
KNOWN_FILES: dict[str, FileColumns] = {
    stem: FileColumns(
        tuple(spec.name for spec in specs if spec.required),
        tuple(spec.name for spec in specs if not spec.required),
    )
    for stem, specs in COLUMN_SPECS.items()
}

#: File stem -> (start column, end column) that must satisfy end >= start.
DATE_RANGES: dict[str, tuple[str, str]] = {
    "leave": ("start", "end"),
    "availability": ("start", "end"),
    "projects": ("start", "finish"),
    "demands": ("start_week", "end_week"),
    "allocations": ("start_week", "end_week"),
}

#: Key columns that must be unique among all rows of one kind (allocations: per week,
#: checked after the weeks are expanded).
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "portfolios": ("id",),
    "programs": ("id",),
    "skills": ("id",),
    "holidays": ("region", "date"),
    "people": ("id",),
    "person_skills": ("person_id", "skill_id"),
    "leave": ("person_id", "start"),
    "availability": ("person_id", "start"),
    "projects": ("id",),
    "dependencies": ("from_project_id", "to_project_id"),
    "demands": ("id",),
}

#: A week range longer than this is almost surely a typo in a year.
MAX_WEEKS = 522

#: The words a flag column accepts (lower case) and what they mean.
FLAG_VALUES = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}

#: Column added to every frame read: the 0-based data record index in its file, as polars reads it.
ROW_INDEX = "__idx"
#: Column added to every converted frame: the file as the user gave it.
FILE_COLUMN = "__file"
