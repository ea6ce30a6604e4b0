"""Editing allocations (bookings): set hours in a week range, remove, pin and unpin.

An allocation is one person's hours on one project (and optionally one of its
demands) in one ISO week. The commands take a week range and act on each Monday
in it. Values are checked as ``allocations.csv`` is. Each function is one write
transaction with a change-log entry (entity ``allocation``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pmo_tui.editing.fields import checked_record, require_known
from pmo_tui.errors import UserError
from pmo_tui.store.change_log import log_change
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.reads import Readable

__all__ = [
    "Booking",
    "checked_hours",
    "move_allocation",
    "pin_allocation",
    "refuse_history",
    "remove_allocation",
    "set_allocation",
]


#: How ``allocation set|remove|move|pin|unpin`` name the columns of ``allocations.csv``
#: (a message names what the user typed: ``--hours``, not ``--hours-per-week``).
BOOKING_OPTIONS = {
    "person_id": "PERSON",
    "project_id": "PROJECT",
    "demand_id": "--demand",
    "start_week": "START_WEEK",
    "end_week": "END_WEEK",
    "hours_per_week": "--hours",
}


@dataclass(frozen=True)
class Booking:
    """Which allocations a command acts on: a person on a project (and demand) in a week range.

    Attributes:
        person_id, project_id: the person and the project.
        demand_id: the demand, or None for time booked on the project outside any demand.
        start_week, end_week: Mondays, as typed (``YYYY-MM-DD``); end defaults to start.
    """

    person_id: str
    project_id: str
    demand_id: str | None
    start_week: str
    end_week: str | None = None

    def given(self) -> dict[str, str | None]:
        """The booking's columns as ``allocations.csv`` names them."""
        return {
            "person_id": self.person_id,
            "project_id": self.project_id,
            "demand_id": self.demand_id,
            "start_week": self.start_week,
            "end_week": self.end_week or self.start_week,
        }


def _checked(db: Readable, booking: Booking, extra: dict[str, str | None]) -> dict[str, Any]:
    """The booking's record checked as a row of ``allocations.csv``, its references resolved."""
    record = checked_record(
        "allocations", {**booking.given(), "hours_per_week": "0", **extra}, options=BOOKING_OPTIONS
    )
    require_known(db, "person", record["person_id"], "PERSON")
    require_known(db, "project", record["project_id"], "PROJECT")
    if record["demand_id"] is not None:
        require_known(db, "demand", record["demand_id"], "--demand")
        owner = db.execute(
            "SELECT project_id FROM demand WHERE id = ?", [record["demand_id"]]
        ).fetchone()
        if owner[0] != record["project_id"]:
            raise UserError(
                f"demand {record['demand_id']!r} belongs to project {owner[0]!r}, "
                f"not {record['project_id']!r}",
                option="--demand",
                fix=f"use project {owner[0]!r}, or a demand of {record['project_id']!r}",
            )
    return record


def checked_hours(booking: Booking, hours_per_week: str) -> float:
    """``hours_per_week`` as typed for ``booking``, checked as ``allocations.csv`` checks it.

    Raises:
        UserErrors: not a number of hours (0 to 168), or a bad week.
    """
    given = {**booking.given(), "hours_per_week": hours_per_week}
    return float(checked_record("allocations", given, options=BOOKING_OPTIONS)["hours_per_week"])


def refuse_history(booking: Booking, current_week: dt.date) -> None:
    """Refuse a change to weeks before ``current_week``: they are history, shown but never
    rewritten (DESIGN.md, "Time"), by an edit as by a plan, a promote or an undo.

    Raises:
        UserError: the booking's first week is before ``current_week``; UserErrors: a bad week.
    """
    record = checked_record(
        "allocations", {**booking.given(), "hours_per_week": "0"}, options=BOOKING_OPTIONS
    )
    _refuse_history(record, current_week)


def _refuse_history(record: dict[str, Any], current_week: dt.date | None) -> None:
    if current_week is None or record["start_week"] >= current_week:
        return
    raise UserError(
        f"the week of {record['start_week']} is history (before the current week, "
        f"{current_week}): its bookings are kept as they were",
        column="start_week",
        fix=f"change a week from {current_week} on",
    )


def _weeks(record: dict[str, Any]) -> list[str]:
    first, last = record["start_week"], record["end_week"]
    return [
        (first + dt.timedelta(weeks=n)).isoformat() for n in range((last - first).days // 7 + 1)
    ]


_MATCH = "person_id = ? AND project_id = ? AND demand_id IS ? AND week = ?"


def set_allocation(
    db: sqlite_utils.Database,
    booking: Booking,
    hours_per_week: str,
    *,
    kind: str | None = None,
    pinned: str | None = None,
    current_week: dt.date | None = None,
) -> int:
    """Book ``hours_per_week`` in every week of ``booking`` (replacing what was booked there).

    ``kind`` is soft (the plan may move it) or hard (it never moves); ``pinned``
    true keeps it where it is. Not given, a week keeps its own kind and pin (soft,
    unpinned for a new booking). With ``current_week``, weeks before it are refused
    (:func:`refuse_history`).

    Returns:
        The weeks written.

    Raises:
        UserError: unknown person, project or demand (with "did you mean"), a demand
            of another project, or a week of history; UserErrors: a bad value (hours
            0-168, Mondays...).
    """
    record = _checked(
        db, booking, {"hours_per_week": hours_per_week, "kind": kind, "pinned": pinned}
    )
    _refuse_history(record, current_week)
    key = (record["person_id"], record["project_id"], record["demand_id"])
    weeks = _weeks(record)
    with write_transaction(db, "allocation set"):
        for week in weeks:
            _book_week(db, key, week, record)
        log_change(
            db,
            "allocation",
            "set",
            reason=f"allocation set {key[0]} {key[1]}",
            after={**booking.given(), "hours_per_week": record["hours_per_week"]},
        )
    return len(weeks)


def _book_week(
    db: sqlite_utils.Database, key: tuple[Any, ...], week: str, record: dict[str, Any]
) -> None:
    """Book ``record``'s hours (and kind and pin, when given) for ``key`` in ``week``.

    The one booking there is changed in place (it keeps its id, so the history shows
    ``hours 40 → 12``); none is inserted; several (a soft top-up of a hard booking) are
    replaced by one, with the first one's kind and pin unless given.
    """
    found = db.execute(
        f"SELECT id, kind, pinned FROM allocation WHERE {_MATCH} ORDER BY id", [*key, week]
    ).fetchall()
    kind = record["kind"] or (found[0][1] if found else "soft")
    pinned = (
        int(record["pinned"]) if record["pinned"] is not None else (found[0][2] if found else 0)
    )
    if len(found) == 1:
        db.execute(
            "UPDATE allocation SET hours = ?, kind = ?, pinned = ? WHERE id = ?",
            [record["hours_per_week"], kind, pinned, found[0][0]],
        )
        return
    db.execute(f"DELETE FROM allocation WHERE {_MATCH}", [*key, week])
    db.table("allocation").insert(
        {
            "person_id": key[0],
            "project_id": key[1],
            "demand_id": key[2],
            "week": week,
            "hours": record["hours_per_week"],
            "kind": kind,
            "pinned": pinned,
        }
    )


def _existing(db: Readable, record: dict[str, Any]) -> list[str]:
    key = (record["person_id"], record["project_id"], record["demand_id"])
    return [
        week
        for week in _weeks(record)
        if db.execute(f"SELECT 1 FROM allocation WHERE {_MATCH}", [*key, week]).fetchone()
    ]


def _none_booked(booking: Booking) -> UserError:
    demand = f" (demand {booking.demand_id})" if booking.demand_id else ""
    return UserError(
        f"{booking.person_id} has no booking on {booking.project_id}{demand} in those weeks",
        fix="`pmo-tui capacity --person " + booking.person_id + "` shows the bookings",
    )


def remove_allocation(
    db: sqlite_utils.Database, booking: Booking, *, current_week: dt.date | None = None
) -> int:
    """Remove the bookings of ``booking`` in its weeks; return how many weeks had one.

    Raises:
        UserError: no booking in those weeks; a week of history (with ``current_week``).
    """
    record = _checked(db, booking, {})
    _refuse_history(record, current_week)
    with write_transaction(db, "allocation remove"):
        weeks = _existing(db, record)
        if not weeks:
            raise _none_booked(booking)
        key = (record["person_id"], record["project_id"], record["demand_id"])
        for week in weeks:
            db.execute(f"DELETE FROM allocation WHERE {_MATCH}", [*key, week])
        log_change(db, "allocation", "remove", reason="allocation remove", before=booking.given())
    return len(weeks)


def pin_allocation(
    db: sqlite_utils.Database,
    booking: Booking,
    *,
    pinned: bool = True,
    current_week: dt.date | None = None,
) -> int:
    """Pin (or unpin) the bookings of ``booking``: a pinned booking is never moved by a plan.

    Returns:
        How many weeks had a booking.

    Raises:
        UserError: no booking in those weeks; a week of history (with ``current_week``).
    """
    record = _checked(db, booking, {})
    _refuse_history(record, current_week)
    action = "pin" if pinned else "unpin"
    with write_transaction(db, f"allocation {action}"):
        weeks = _existing(db, record)
        if not weeks:
            raise _none_booked(booking)
        key = (record["person_id"], record["project_id"], record["demand_id"])
        for week in weeks:
            db.execute(
                f"UPDATE allocation SET pinned = ? WHERE {_MATCH}", [int(pinned), *key, week]
            )
        log_change(db, "allocation", action, reason=f"allocation {action}", after=booking.given())
    return len(weeks)


def move_allocation(
    db: sqlite_utils.Database,
    booking: Booking,
    to_person_id: str,
    *,
    current_week: dt.date | None = None,
) -> int:
    """Move the bookings of ``booking`` to ``to_person_id``, week by week, in one transaction:
    their hours are added to what the other person already has on the same project and
    demand that week (kind and pin go with them). :func:`move_candidates
    <pmo_tui.editing.candidates.move_candidates>` lists the people qualified to take them.

    Returns:
        How many weeks had a booking.

    Raises:
        UserError: unknown person (with "did you mean"), no booking in those weeks, a move
            to the same person, or a week of history (with ``current_week``).
    """
    record = _checked(db, booking, {})
    _refuse_history(record, current_week)
    require_known(db, "person", to_person_id, "--to")
    if to_person_id == record["person_id"]:
        raise UserError(
            "the booking is already that person's", option="--to", fix="name another person"
        )
    key = (record["person_id"], record["project_id"], record["demand_id"])
    with write_transaction(db, "allocation move"):
        weeks = _existing(db, record)
        if not weeks:
            raise _none_booked(booking)
        for week in weeks:
            hours, kind, pinned = db.execute(
                f"SELECT sum(hours), max(kind), max(pinned) FROM allocation WHERE {_MATCH}",
                [*key, week],
            ).fetchone()
            db.execute(f"DELETE FROM allocation WHERE {_MATCH}", [*key, week])
            target = (to_person_id, key[1], key[2], week)
            already = db.execute(
                f"SELECT coalesce(sum(hours), 0) FROM allocation WHERE {_MATCH}", target
            ).fetchone()[0]
            db.execute(f"DELETE FROM allocation WHERE {_MATCH}", target)
            db.table("allocation").insert(
                {
                    "person_id": to_person_id,
                    "project_id": key[1],
                    "demand_id": key[2],
                    "week": week,
                    "hours": round(hours + already, 1),
                    "kind": kind,
                    "pinned": pinned,
                }
            )
        log_change(
            db,
            "allocation",
            "move",
            reason=f"allocation move {key[0]} -> {to_person_id}",
            after={**booking.given(), "to_person_id": to_person_id},
        )
    return len(weeks)
