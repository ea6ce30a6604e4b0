"""Whose calendar a person keeps when several files describe them: one rule, any import order.

A person merged from two project files may have a different working pattern in
each (6 h a week in one, 40 h in the other). The calendar (working pattern,
region for public holidays, leave and availability) is taken whole from one
source, chosen the same way whatever order the files come in:

1. the pool's own calendar wins: a person who came from CSV (``people.csv``) keeps it;
2. ``--calendar-from FILE``: that file's calendar, for the people it holds;
3. the rule: ``larger`` (default) the file whose working pattern has more hours in a
   standard week (a PM often sets a shared person's calendar to the share their
   project gets; the pool needs the whole person), or ``recent`` the file saved last
   (its "last saved" property, else its modification date); ties go to the other
   criterion, then to the file name that sorts first.

The rule picks the best source by a total order, so comparing each new file with the
source the pool already has gives the same result for any order of import. Every
pair of different patterns is reported: both patterns, which one was kept and why.

The table ``person_calendar`` says which file a person's calendar came from (no row:
the pool's own). Frames are the bundle's parts after the people merge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import sqlite_utils

from pmo_tui.errors import UserError
from pmo_tui.importers.bundle import Bundle, PlanFile
from pmo_tui.store.reads import one_row
from pmo_tui.store.tables import WEEKDAY_COLUMNS

__all__ = [
    "CALENDAR_RULES",
    "CalendarChoice",
    "calendar_sources",
    "check_calendar_from",
    "forget_file_calendars",
    "record_person_calendars",
    "settle_calendars",
]

#: ``--calendar-rule`` values and what they prefer.
CALENDAR_RULES = {
    "larger": "the larger capacity (more working hours in a standard week)",
    "recent": "the most recent file (last saved, else last modified)",
}


@dataclass(frozen=True)
class CalendarChoice:
    """How a calendar conflict between project files is settled (``--calendar-from/-rule``)."""

    rule: str = "larger"
    calendar_from: str | None = None  # a file name (no folder)


@dataclass(frozen=True)
class _Source:
    """One candidate calendar: its file, date and hours per weekday."""

    file_name: str
    saved: dt.date | None
    week: tuple[float, ...]

    @property
    def week_hours(self) -> float:
        return round(sum(self.week), 2)

    def describe(self) -> str:
        days = ", ".join(
            f"{day.capitalize()} {hours:g}"
            for day, hours in zip(WEEKDAY_COLUMNS, self.week, strict=True)
            if hours
        )
        return f"{self.file_name}: {days or 'no working days'} ({self.week_hours:g} h/week)"


def check_calendar_from(
    db: sqlite_utils.Database, bundles: list[Bundle], choice: CalendarChoice
) -> None:
    """``--calendar-from`` must name a file of this import or one imported before.

    Raises:
        UserError: it names neither.
    """
    wanted = choice.calendar_from
    if wanted is None:
        return
    names = {bundle.plan_file.file_name for bundle in bundles if bundle.plan_file}
    stored = one_row(db, "SELECT 1 AS found FROM person_calendar WHERE source_file = ?", [wanted])
    if wanted not in names and stored is None:
        raise UserError(
            f"{wanted} is neither one of the files imported now nor a file imported before",
            option="--calendar-from",
            fix="name one of the project files on the command line ("
            + ", ".join(sorted(names))
            + ")",
        )


def settle_calendars(
    db: sqlite_utils.Database,
    parts: dict[str, pl.DataFrame],
    existing_ids: set[str],
    plan: PlanFile | None,
    choice: CalendarChoice,
    conflicts: list[str],
) -> set[str]:
    """Decide, for each person of the bundle already in the pool, whose calendar they keep.

    People whose calendar this file wins get its working pattern and region here;
    the caller writes their leave and availability as for new people. Differences
    are appended to ``conflicts``.

    Returns:
        The ids (pool ids) of people whose calendar now comes from this file.
    """
    if plan is None:
        return set()
    winners: set[str] = set()
    for row in parts["people"].filter(pl.col("id").is_in(list(existing_ids))).iter_rows(named=True):
        incoming = _Source(plan.file_name, plan.saved, _week_of(row))
        kept = _pool_source(db, row["id"])
        file_wins, why = _file_wins(incoming, kept, choice)
        if kept is None or incoming.week != kept.week:
            conflicts.append(_conflict_text(row["name"], incoming, kept, file_wins, why))
        if file_wins:
            db.table("person").update(
                row["id"],
                {"region": row["region"], **dict(zip(WEEKDAY_COLUMNS, incoming.week, strict=True))},
            )
            winners.add(row["id"])
    return winners


def _week_of(row: dict) -> tuple[float, ...]:
    return tuple(float(row[day] or 0.0) for day in WEEKDAY_COLUMNS)


def _pool_source(db: sqlite_utils.Database, person_id: str) -> _Source | None:
    """The calendar a pool person has now: its file and date, or None for the pool's own."""
    source = one_row(
        db, "SELECT source_file, saved FROM person_calendar WHERE person_id = ?", [person_id]
    )
    if source is None:
        return None
    person = one_row(db, "SELECT * FROM person WHERE id = ?", [person_id]) or {}
    saved = dt.date.fromisoformat(source["saved"]) if source["saved"] else None
    return _Source(source["source_file"], saved, _week_of(person))


def _file_wins(incoming: _Source, kept: _Source | None, choice: CalendarChoice) -> tuple[bool, str]:
    """Whether ``incoming`` replaces ``kept``, and why (see the module docstring)."""
    if kept is None:
        return False, "the pool's own calendar (from CSV) wins"
    if incoming.file_name == kept.file_name:
        return True, "the same file, imported again"
    for source, wins in ((incoming, True), (kept, False)):
        if choice.calendar_from == source.file_name:
            return wins, f"--calendar-from {source.file_name}"
    if _rank(incoming, choice.rule) != _rank(kept, choice.rule):
        incoming_first = _rank(incoming, choice.rule) > _rank(kept, choice.rule)
        return incoming_first, f"rule '{choice.rule}': {CALENDAR_RULES[choice.rule]}"
    return incoming.file_name < kept.file_name, "equal by the rule: the file name sorting first"


def _rank(source: _Source, rule: str) -> tuple[float, float]:
    """The rule's criterion first, the other one second (higher is preferred)."""
    saved = float((source.saved or dt.date.min).toordinal())
    if rule == "recent":
        return (saved, source.week_hours)
    return (source.week_hours, saved)


def _conflict_text(
    name: str, incoming: _Source, kept: _Source | None, file_wins: bool, why: str
) -> str:
    """One line: both calendars, which one was kept and why, and how to choose."""
    if kept is None:
        return (
            f"{name}: calendars differ - the pool's own (from CSV); {incoming.describe()}; "
            "kept the pool's own (a calendar from CSV wins over project files)"
        )
    winner = incoming.file_name if file_wins else kept.file_name
    return (
        f"{name}: calendars differ - {kept.describe()}; {incoming.describe()}; kept {winner}'s "
        f"({why}); choose with --calendar-from FILE or --calendar-rule larger|recent"
    )


def record_person_calendars(
    db: sqlite_utils.Database, person_ids: set[str], plan: PlanFile | None, parts: dict
) -> None:
    """Remember that ``person_ids`` now have the calendar of ``plan``'s file."""
    if plan is None or not person_ids:
        return
    rows = parts["people"].filter(pl.col("id").is_in(list(person_ids)))
    db.table("person_calendar").upsert_all(
        [
            {
                "person_id": row["id"],
                "source_file": plan.file_name,
                "saved": plan.saved.isoformat() if plan.saved else None,
                "week_hours": round(sum(_week_of(row)), 2),
            }
            for row in rows.iter_rows(named=True)
        ],
        pk="person_id",
    )


def forget_file_calendars(
    db: sqlite_utils.Database, people: pl.DataFrame, given: set[str] | None
) -> None:
    """People whose working pattern a CSV file sets now have the pool's own calendar."""
    if people.is_empty() or (given is not None and not given & set(WEEKDAY_COLUMNS)):
        return
    db.conn.executemany(
        "DELETE FROM person_calendar WHERE person_id = ?", [(i,) for i in people["id"]]
    )


def calendar_sources(
    db: sqlite_utils.Database,
    parts: dict[str, pl.DataFrame],
    existing_ids: set[str],
    bundle: Bundle,
    choice: CalendarChoice | None,
    conflicts: list[str],
) -> set[str]:
    """The people (pool ids) whose calendar comes from this bundle's project file.

    ``choice`` None means a CSV bundle: people whose working pattern it sets have
    the pool's own calendar again (none comes from a file). For a project file: its
    new people, and the pool people whose calendar it wins (:func:`settle_calendars`).
    """
    if choice is None:
        forget_file_calendars(db, parts["people"], bundle.given_columns.get("people"))
        return set()
    won = settle_calendars(db, parts, existing_ids, bundle.plan_file, choice, conflicts)
    return won | (set(parts["people"]["id"].to_list()) - existing_ids)
