"""One table of an export (kept apart, without polars, so that the CLI's help stays fast)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Sheet:
    """One table of an export: a CSV file, an XLSX worksheet, a JSON key, a Markdown section.

    Attributes:
        name: the worksheet's name (at most 31 characters) and the JSON key.
        frame: the rows.
        key_columns: columns on the left that stay in view (XLSX freezes them).
        over: column -> value above which a cell is an over-allocation (XLSX colours it).
        formats: column -> Excel number format, over the defaults per dtype.
    """

    name: str
    frame: pl.DataFrame
    key_columns: int = 0
    over: dict[str, float] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
