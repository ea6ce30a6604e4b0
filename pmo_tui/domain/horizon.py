"""Today and the weeks a command looks at: the present week starts the future, the rest is history.

Weeks are ISO weeks keyed by their Monday. A plan, a promote and an undo never
change a week before the current one; listings may show such weeks, marked as
history. Every command takes today as a value (``--today`` or ``$PMO_TUI_TODAY``)
so tests and planning "as of" a date are repeatable (DESIGN.md, "Time").
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmo_tui.errors import UserError

if TYPE_CHECKING:  # polars loads with the first expression: the TUI imports this at start-up
    import polars as pl


#: The environment variable that sets "today" for every command (tests fix it).
TODAY_ENV_VAR = "PMO_TUI_TODAY"


def current_date() -> dt.date:
    """Today: ``$PMO_TUI_TODAY`` (``YYYY-MM-DD``) when set, else the system's date.

    Raises:
        UserError: ``$PMO_TUI_TODAY`` is not a date.
    """
    text = os.environ.get(TODAY_ENV_VAR, "").strip()
    return today_from_env(text) if text else dt.date.today()


def today_from_env(text: str) -> dt.date:
    """The date ``$PMO_TUI_TODAY`` holds (``text``, ``YYYY-MM-DD``).

    Raises:
        UserError: ``text`` is not a date; the message names the variable and the fix.
    """
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"${TODAY_ENV_VAR} is {text!r}, not a date",
            fix=f"set it as YYYY-MM-DD, e.g. {TODAY_ENV_VAR}=2026-12-07, or unset it",
        ) from None


def monday(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Window:
    """The ISO weeks a command works on, and the current week.

    Attributes:
        today: the date the command runs as of.
        first: the first week's Monday.
        last: the last week's Monday, or None (no end: as far as the data goes).
    """

    today: dt.date
    first: dt.date
    last: dt.date | None = None

    @property
    def current_week(self) -> dt.date:
        """The Monday of today's week: weeks before it are history."""
        return monday(self.today)

    def weeks(self, column: str = "week") -> pl.Expr:
        """True for the rows of ``column`` (Mondays, ``pl.Date``) inside the window."""
        import polars as pl

        inside = pl.col(column) >= self.first
        return inside if self.last is None else inside & (pl.col(column) <= self.last)

    def is_history(self, column: str = "week") -> pl.Expr:
        """True for the rows of ``column`` before the current week."""
        import polars as pl

        return pl.col(column) < self.current_week

    def future(self) -> Window:
        """The part of this window a plan may change: from the current week on."""
        return Window(self.today, max(self.first, self.current_week), self.last)

    def describe(self) -> str:
        """E.g. ``weeks 2026-W50 (2026-12-07) to 2027-W23`` for headlines."""
        end = f"{iso_week_label(self.last)}" if self.last else "the last week with data"
        return f"weeks {iso_week_label(self.first)} ({self.first.isoformat()}) to {end}"


def iso_week_label(week: dt.date) -> str:
    """``2026-W50``: the ISO year and week number (the year a PMO reads in a header)."""
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


def quarter(week: dt.date) -> str:
    """``2027-Q1``: the calendar quarter a week's Monday falls in."""
    return f"{week.year}-Q{(week.month - 1) // 3 + 1}"


def quarter_weeks(label: str, weeks: Iterable[dt.date]) -> list[dt.date]:
    """The distinct weeks among ``weeks`` whose quarter is ``label``, in order."""
    return sorted({week for week in weeks if quarter(week) == label})


def window_of(today: dt.date, start: dt.date | None = None, end: dt.date | None = None) -> Window:
    """The window from ``start`` (default: today) to ``end`` (default: open), on Mondays.

    Raises:
        ValueError: ``end`` is before ``start``.
    """
    first = monday(start or today)
    last = monday(end) if end is not None else None
    if last is not None and last < first:
        raise ValueError(f"the window ends ({last}) before it starts ({first})")
    return Window(today, first, last)
