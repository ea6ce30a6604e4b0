"""Editing people: add, edit, remove a person; set or remove a skill; add or remove leave.

Values are text as typed (checked as ``people.csv``, ``person_skills.csv`` and
``leave.csv`` are checked by the importer). Each function is one write transaction
with a change-log entry (entity ``person``, ``person_skill`` or ``leave``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from pmo_tui.editing.fields import checked_record, require_known
from pmo_tui.editing.records import (
    Removal,
    read_record,
    refuse_taken,
    removal_of,
    remove_rows,
    stored_row,
)
from pmo_tui.errors import UserError, did_you_mean
from pmo_tui.store.change_log import log_change
from pmo_tui.store.reads import one_row, query_frame
from pmo_tui.store.tables import WEEKDAY_COLUMNS
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.reads import Readable

__all__ = [
    "LEAVE_SCHEMA",
    "add_leave",
    "list_leave",
    "add_person",
    "edit_person",
    "person_removal",
    "remove_leave",
    "remove_person",
    "remove_skill",
    "set_skill",
]

#: A new person's working pattern when none is given: 8 hours Monday to Friday.
DEFAULT_WEEK = {day: ("8" if day not in ("sat", "sun") else "0") for day in WEEKDAY_COLUMNS}


def add_person(db: sqlite_utils.Database, values: Mapping[str, str | None]) -> dict[str, Any]:
    """Add one person (``id``, ``name``, ``region`` required; hours per weekday default
    to 8 Monday-Friday); return the record as stored.

    Raises:
        UserErrors: a bad or missing value; UserError: the id is taken.
    """
    record = checked_record("people", {**DEFAULT_WEEK, **values})
    with write_transaction(db, "person add"):
        refuse_taken(db, "person", record["id"], "person edit")
        row = stored_row(record, "person")
        db.table("person").insert(row)
        log_change(db, "person", "add", reason=f"person add {record['id']}", after=row)
    return row


def edit_person(
    db: sqlite_utils.Database, person_id: str, changes: Mapping[str, str | None]
) -> dict[str, Any]:
    """Change some of a person's values (not the id); return the record as stored now.

    Raises:
        UserError: unknown person; UserErrors: a bad value.
    """
    with write_transaction(db, "person edit"):
        stored = read_record(db, "person", {"id": person_id}, label="person")
        record = checked_record("people", changes, stored=stored)
        before, after = stored_row(stored, "person"), stored_row(record, "person")
        db.table("person").update(person_id, after)
        log_change(
            db, "person", "edit", reason=f"person edit {person_id}", before=before, after=after
        )
    return after


def person_removal(db: Readable, person_id: str) -> Removal:
    """What removing ``person_id`` takes with it (allocations, skills, leave, ...)."""
    return removal_of(db, "person", {"id": person_id}, label=f"person {person_id}")


def remove_person(db: sqlite_utils.Database, removal: Removal) -> Removal:
    """Remove the person of ``removal`` (from :func:`person_removal`) and what goes with it."""
    return remove_rows(db, removal, command="person remove", entity="person")


def set_skill(
    db: sqlite_utils.Database,
    person_id: str,
    skill_id: str,
    level: str,
    valid_until: str | None = None,
) -> dict[str, Any]:
    """Give ``person_id`` skill ``skill_id`` at ``level`` (1-5), optionally until a date.

    Raises:
        UserError: unknown person or skill (with "did you mean"); UserErrors: a bad value.
    """
    given = {"person_id": person_id, "skill_id": skill_id, "level": level}
    record = checked_record("person_skills", {**given, "valid_until": valid_until})
    with write_transaction(db, "skill set"):
        require_known(db, "person", person_id, "PERSON")
        require_known(db, "skill", skill_id, "SKILL")
        row = stored_row(record, "person_skill")
        old = db.execute(
            "SELECT level, valid_until FROM person_skill WHERE person_id = ? AND skill_id = ?",
            [person_id, skill_id],
        ).fetchone()
        db.table("person_skill").upsert(row, pk=("person_id", "skill_id"))
        before = None if old is None else {"level": old[0], "valid_until": old[1]}
        log_change(
            db,
            "person_skill",
            "set",
            reason=f"skill set {person_id} {skill_id}",
            before=before,
            after=row,
        )
    return row


def remove_skill(db: sqlite_utils.Database, person_id: str, skill_id: str) -> None:
    """Take skill ``skill_id`` away from ``person_id``.

    Raises:
        UserError: unknown person (with "did you mean"), or the person does not have that
            skill (naming the skills they have).
    """
    with write_transaction(db, "skill remove"):
        require_known(db, "person", person_id, "PERSON_ID")
        _require_skill(db, person_id, skill_id)
        key = {"person_id": person_id, "skill_id": skill_id}
        before = read_record(db, "person_skill", key, label="skill of person")
        db.execute(
            "DELETE FROM person_skill WHERE person_id = ? AND skill_id = ?", [person_id, skill_id]
        )
        log_change(
            db,
            "person_skill",
            "remove",
            reason=f"skill remove {person_id} {skill_id}",
            before=stored_row(before, "person_skill"),
        )


def _require_skill(db: Readable, person_id: str, skill_id: str) -> None:
    """Raise unless ``person_id`` has skill ``skill_id``; the fix names the skills they have."""
    held = [
        str(row[0])
        for row in db.execute(
            "SELECT skill_id FROM person_skill WHERE person_id = ? ORDER BY skill_id", [person_id]
        )
    ]
    if skill_id in held:
        return
    raise UserError(
        f"person {person_id} has no skill {skill_id!r}",
        option="SKILL_ID",
        fix=did_you_mean(skill_id, held)
        + (f"{person_id}'s skills: {', '.join(held)}" if held else f"{person_id} has no skills"),
    )


def add_leave(
    db: sqlite_utils.Database,
    person_id: str,
    start: str,
    end: str,
    *,
    hours_per_day: str | None = None,
    reason: str | None = None,
) -> int:
    """Add leave for ``person_id`` from ``start`` to ``end`` (inclusive; all day unless
    ``hours_per_day``); return the leave's id.

    Raises:
        UserError: unknown person; UserErrors: a bad value or end before start.
    """
    record = checked_record(
        "leave",
        {
            "person_id": person_id,
            "start": start,
            "end": end,
            "hours_per_day": hours_per_day,
            "reason": reason,
        },
        options={"person_id": "PERSON", "start": "START", "end": "END"},
    )
    with write_transaction(db, "leave add"):
        require_known(db, "person", person_id, "PERSON")
        row = stored_row(record, "leave")
        leave_id = int(db.table("leave").insert(row).last_rowid or 0)
        log_change(
            db, "leave", "add", reason=f"leave add {person_id}", after={"id": leave_id, **row}
        )
    return leave_id


def remove_leave(db: sqlite_utils.Database, leave_id: int) -> dict[str, Any]:
    """Remove the leave row ``leave_id`` (``pmo-tui person show`` lists the ids).

    Raises:
        UserError: no such leave.
    """
    with write_transaction(db, "leave remove"):
        before = one_row(db, "SELECT * FROM leave WHERE id = ?", [leave_id])
        if before is None:
            raise UserError(
                f"there is no leave {leave_id}", fix="`pmo-tui leave list PERSON` lists them"
            )
        db.execute("DELETE FROM leave WHERE id = ?", [leave_id])
        log_change(db, "leave", "remove", reason=f"leave remove {leave_id}", before=before)
    return before


#: Columns of :func:`list_leave`.
LEAVE_SCHEMA = {
    "id": pl.Int64,
    "person_id": pl.String,
    "start": pl.Date,
    "end": pl.Date,
    "hours_per_day": pl.Float64,
    "reason": pl.String,
}


def list_leave(db: Readable, person_id: str) -> pl.DataFrame:
    """The leave of ``person_id`` (:data:`LEAVE_SCHEMA`), by start date.

    Raises:
        UserError: unknown person (with "did you mean").
    """
    require_known(db, "person", person_id, "PERSON")
    return query_frame(
        db,
        'SELECT id, person_id, start, "end", hours_per_day, reason FROM leave '
        "WHERE person_id = ? ORDER BY start, id",
        LEAVE_SCHEMA,
        [person_id],
    )
