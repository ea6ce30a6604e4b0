"""Undo a change set: put back every row it wrote, as a new change set.

:func:`plan_undo` works out what undoing change set ``S`` does, from its
captured rows: for each row it touched (by table and key), the state before
``S`` (first ``before``) and after ``S`` (last ``after``). Undoing deletes the
rows ``S`` inserted, inserts back the rows it deleted and sets the rows it
updated back to their values before. It also finds why the undo may be wrong:

* **later change sets** that wrote any of the same rows (named: ``#45 bob: import
  csv``): undoing ``S`` would throw their work away too. A later change set that was
  itself undone (and the undo that undid it) no longer counts: undoing the later ones
  first, newest first, clears the way;
* rows that **differ from what S left** with no later change set (written outside
  pmo-tui);
* ``S`` was **already undone**.

:func:`apply_undo` refuses in those cases unless ``force``; inside its write
transaction it works the plan out again and refuses if anything changed since the
user saw it. The undo is itself a change set (``undoes = S``), so it can be undone
(a redo). docs/history.md describes the design.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmo_tui.domain.horizon import current_date, monday
from pmo_tui.errors import UserError
from pmo_tui.history.log import get_change_set
from pmo_tui.store.capture import quote, table_shape
from pmo_tui.store.change_log import log_change
from pmo_tui.store.marks import StaleData
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.access import Role
    from pmo_tui.store.reads import Readable

__all__ = ["ADMIN_TABLES", "UNDO_VERBS", "RowUndo", "UndoPlan", "apply_undo", "plan_undo"]

#: Tables only an admin may change: undoing a change set that wrote them needs admin.
ADMIN_TABLES = frozenset(
    {
        "standard",
        "methodology_phase",
        "template",
        "template_version",
        "phase_artefact",
        "gate_criterion",
        "access_rule",
    }
)
#: How many conflicting rows a message names at most.
SHOWN = 5
#: How each undo action is said (``pmo-tui undo`` and the TUI's confirmation).
UNDO_VERBS = {"delete": "delete", "insert": "put back", "restore": "set back"}
#: How many rows :meth:`UndoPlan.describe` tells one by one.
DETAILED = 8
#: Longest text of one value in :meth:`RowUndo.describe`.
VALUE_WIDTH = 40


@dataclass(frozen=True)
class RowUndo:
    """One row to put back: ``before`` (None: delete it) replaces ``after`` (None: absent now)."""

    table: str
    key: tuple[Any, ...]
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def action(self) -> str:
        """``delete`` (the change set inserted it), ``insert`` (deleted it) or ``restore``."""
        if self.before is None:
            return "delete"
        return "insert" if self.after is None else "restore"

    def describe(self) -> str:
        """One line: the row, what the undo does to it and the values concerned.

        ``person ann: set back unit Ops → -`` (each changed column, now → after the undo);
        ``allocation 17: delete (person_id ben, week 2027-01-04, hours 8.0, ...)`` and
        ``put back (...)`` with the row's values (null ones and the ``id`` left out).
        """
        row = f"{self.table} {'/'.join(str(k) for k in self.key)}: {UNDO_VERBS[self.action]}"
        if self.action == "restore":
            assert self.before is not None and self.after is not None
            changed = [c for c in self.before if self.before[c] != self.after.get(c)]
            return f"{row} " + ", ".join(
                f"{c} {_value(self.after.get(c))} → {_value(self.before[c])}" for c in changed
            )
        values = self.after if self.action == "delete" else self.before
        shown = [
            f"{c} {_value(v)}"
            for c, v in (values or {}).items()
            if v is not None and c not in ("id", "rowid")  # the id is in the row's name
        ]
        return f"{row} ({', '.join(shown)})"


def _value(value: Any) -> str:
    """A value as a line shows it: ``-`` for none, long texts cut at :data:`VALUE_WIDTH`."""
    text = "-" if value is None else str(value)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


@dataclass
class UndoPlan:
    """What undoing one change set does, and what stands in its way.

    Attributes:
        change_set: the ``change_set`` row undone (id, at, who, command, reason...).
        rows: the rows to put back, in the order the change set first touched them.
        later: later change sets that wrote some of the same rows (``#id who: command (at)``).
        drifted: rows that differ from what the change set left with no later change set.
        undone_by: the change set that already undid it, if any.
        past: rows in weeks before the current one: history, which an undo does not
            rewrite (DESIGN.md, "Time") unless forced.
    """

    change_set: dict[str, Any]
    rows: list[RowUndo] = field(default_factory=list)
    later: list[str] = field(default_factory=list)
    drifted: list[str] = field(default_factory=list)
    undone_by: int | None = None
    past: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """True when the undo needs ``force``."""
        return bool(self.later or self.drifted or self.undone_by or self.past)

    def summary(self) -> dict[str, dict[str, int]]:
        """Table -> action (delete, insert, restore) -> rows."""
        counts: dict[str, dict[str, int]] = {}
        for row in self.rows:
            by_action = counts.setdefault(row.table, {})
            by_action[row.action] = by_action.get(row.action, 0) + 1
        return counts

    def describe(self, detailed: int = DETAILED) -> list[str]:
        """What the undo does, one line each: per table, how many rows it deletes, puts
        back and sets back (``allocation: delete 2``); then the first ``detailed`` rows one
        by one (:meth:`RowUndo.describe`) and how many more there are."""
        lines = [
            f"{table}: "
            + ", ".join(f"{UNDO_VERBS[action]} {count}" for action, count in actions.items())
            for table, actions in self.summary().items()
        ]
        lines += [f"  {row.describe()}" for row in self.rows[:detailed]]
        if len(self.rows) > detailed:
            lines.append(
                f"  ... and {len(self.rows) - detailed} more rows (`pmo-tui log` shows them)"
            )
        return lines

    def needs(self) -> Role:
        """The role the undo needs: admin when it writes an admin's table, else planner."""
        return "admin" if any(row.table in ADMIN_TABLES for row in self.rows) else "planner"

    def fix(self, force: str = "force it") -> str:
        """What to do about :meth:`reasons`, each reason its own step, then ``force`` (the
        CLI says ``pass --force``)."""
        steps = []
        if self.undone_by:
            steps.append(f"undo change set {self.undone_by} instead, to redo the change")
        if self.later:
            steps.append("undo the later change sets first (newest first)")
        if self.drifted:
            steps.append("look at the rows changed outside pmo-tui first")
        if self.past:
            steps.append("leave history as it was (an undo does not rewrite past weeks)")
        return "; ".join(steps) + f", or {force} to put these rows back anyway"

    def reasons(self) -> list[str]:
        """Why the undo needs ``force``, one line each."""
        reasons = []
        if self.undone_by:
            reasons.append(
                f"change set {self.change_set['id']} was already undone by {self.undone_by}"
            )
        if self.later:
            reasons.append(
                "later change sets wrote the same rows: "
                + "; ".join(self.later[:SHOWN])
                + (f" and {len(self.later) - SHOWN} more" if len(self.later) > SHOWN else "")
            )
        if self.drifted:
            reasons.append(
                "rows changed outside pmo-tui since: "
                + ", ".join(self.drifted[:SHOWN])
                + (f" and {len(self.drifted) - SHOWN} more" if len(self.drifted) > SHOWN else "")
            )
        if self.past:
            reasons.append(
                "rows in weeks before the current one are history: "
                + ", ".join(self.past[:SHOWN])
                + (f" and {len(self.past) - SHOWN} more" if len(self.past) > SHOWN else "")
            )
        return reasons


def plan_undo(
    db: Readable,
    change_set_id: int,
    *,
    before: int | None = None,
    today: dt.date | None = None,
) -> UndoPlan:
    """What undoing ``change_set_id`` would do (reads only).

    ``before``: consider only change sets older than this one (the undo's own, inside
    :func:`apply_undo`). ``today`` (default :func:`~pmo_tui.domain.horizon.current_date`):
    rows of a week before its week are history (:attr:`UndoPlan.past`).

    Raises:
        UserError: no such change set, or it has no recorded rows (written before row
            history existed, or it changed nothing).
    """
    change_set = get_change_set(db, change_set_id)
    plan = UndoPlan(change_set, rows=_net_rows(db, change_set_id))
    if not plan.rows:
        raise UserError(
            f"change set {change_set_id} ({change_set['command']}) has no recorded rows to undo "
            "(it changed nothing, or was written before pmo-tui kept row history)",
            fix="`pmo-tui log " + str(change_set_id) + "` shows what it recorded",
        )
    limit = before if before is not None else 2**62
    undone = db.execute(
        "SELECT max(id) FROM change_set WHERE undoes = ? AND id < ?", [change_set_id, limit]
    ).fetchone()
    plan.undone_by = undone[0] if undone and undone[0] else None
    plan.later = _later_change_sets(db, change_set_id, limit)
    if not plan.later:
        plan.drifted = _drifted(db, plan.rows)
    plan.past = _in_history(plan.rows, monday(today or current_date()))
    return plan


def _in_history(rows: list[RowUndo], current_week: dt.date) -> list[str]:
    """The rows (``table key``) whose ``week`` is before ``current_week``."""
    first = current_week.isoformat()
    past = []
    for row in rows:
        week = (row.before or row.after or {}).get("week")
        if isinstance(week, str) and week < first:
            past.append(f"{row.table} {week} {'/'.join(str(k) for k in row.key)}")
    return past


def _net_rows(db: Readable, change_set_id: int) -> list[RowUndo]:
    """Per row touched: its state before the change set and after it."""
    first: dict[tuple[str, str], RowUndo] = {}
    for table, key, before, after in db.execute(
        "SELECT tbl, row_key, before, after FROM change_row WHERE change_set_id = ? ORDER BY id",
        [change_set_id],
    ):
        new = json.loads(after) if after else None
        known = first.get((table, key))
        if known is None:
            old = json.loads(before) if before else None
            first[(table, key)] = RowUndo(table, tuple(json.loads(key)), old, new)
        else:
            first[(table, key)] = RowUndo(table, known.key, known.before, new)
    return [row for row in first.values() if row.before != row.after]


def _later_change_sets(db: Readable, change_set_id: int, limit: int) -> list[str]:
    """``#id who: command (at)`` of each later change set (before ``limit``) that wrote a
    row ``change_set_id`` wrote, less those cancelled out: a later change set and the later
    undo that undid it. Pairs are taken oldest first, so a redo (an undo of that undo)
    stands and is named: undoing it is what clears the way."""
    rows = db.execute(
        "SELECT DISTINCT s.id, s.who, s.command, s.at, s.undoes FROM change_row mine "
        "JOIN change_row later ON later.tbl = mine.tbl AND later.row_key = mine.row_key "
        "AND later.change_set_id > mine.change_set_id "
        "JOIN change_set s ON s.id = later.change_set_id "
        "WHERE mine.change_set_id = ? AND (s.undoes IS NULL OR s.undoes <> ?) AND s.id < ? "
        "ORDER BY s.id",
        [change_set_id, change_set_id, limit],
    ).fetchall()
    standing = {row[0]: row for row in rows}
    for cs_id in sorted(standing):
        undone = standing[cs_id][4] if cs_id in standing else None
        if undone in standing:
            del standing[cs_id], standing[undone]
    return [f"#{cs_id} {who}: {command} ({at})" for cs_id, who, command, at, _ in standing.values()]


def _drifted(db: Readable, rows: list[RowUndo]) -> list[str]:
    """``table key`` of each row whose current value is not what the change set left."""
    drifted = []
    for row in rows:
        if _current(db, row.table, row.key) != row.after:
            drifted.append(f"{row.table} {', '.join(str(v) for v in row.key)}")
    return drifted


def _current(db: Readable, table: str, key: tuple[Any, ...]) -> dict[str, Any] | None:
    conn: Any = getattr(db, "conn", db)
    shape = table_shape(conn, table)
    pairs = ", ".join(f"'{column}', {quote(column)}" for column in shape.columns)
    if shape.keys == ("rowid",):
        pairs += ", 'rowid', rowid"
    where = " AND ".join(f"{quote(k)} IS ?" for k in shape.keys)
    found = conn.execute(f"SELECT json_object({pairs}) FROM {quote(table)} WHERE {where}", key)
    row = found.fetchone()
    return json.loads(row[0]) if row else None


def apply_undo(db: sqlite_utils.Database, plan: UndoPlan, *, force: bool = False) -> int:
    """Write the undo of ``plan`` as one new change set; return its id.

    Raises:
        UserError: the undo is blocked (:attr:`UndoPlan.blocked`) and not ``force``, or
            a row cannot be put back (e.g. a standard in force is immutable).
        StaleData: the change sets or rows changed since ``plan`` was worked out.
        DatabaseBusy, RoleRefused: see :func:`~pmo_tui.store.transactions.write_transaction`.
    """
    change_set_id = int(plan.change_set["id"])
    if plan.blocked and not force:
        raise UserError(
            f"change set {change_set_id} was not undone: " + "; ".join(plan.reasons()),
            option="--force",
            fix=plan.fix("pass --force"),
        )
    command = f"undo {change_set_id}"
    with write_transaction(db, command, needs=plan.needs(), undoes=change_set_id) as change_set:
        fresh = plan_undo(db, change_set_id, before=change_set.id)
        if (fresh.later, fresh.drifted, fresh.undone_by, fresh.rows) != (
            plan.later,
            plan.drifted,
            plan.undone_by,
            plan.rows,
        ):
            raise StaleData(
                f"change set {change_set_id} or the rows it wrote changed since the undo was "
                "shown; nothing was written",
                fix=f"run `pmo-tui undo {change_set_id}` again to see what it does now",
            )
        db.execute("PRAGMA defer_foreign_keys = ON")
        try:
            for row in reversed(plan.rows):
                _put_back(db, row, force=force)
        except sqlite3.IntegrityError as error:
            raise UserError(
                f"change set {change_set_id} cannot be undone: {error}; nothing was written",
                fix="change those rows with the command that owns them",
            ) from error
        log_change(
            db,
            "change_set",
            "undo",
            reason=f"undo change set {change_set_id} ({plan.change_set['command']})",
            after=plan.summary(),
        )
        return change_set.id


def _put_back(db: sqlite_utils.Database, row: RowUndo, *, force: bool) -> None:
    """Make the row keyed ``row.key`` in ``row.table`` be ``row.before`` again."""
    conn = db.conn
    shape = table_shape(conn, row.table)
    table = quote(row.table)
    where = " AND ".join(f"{quote(k)} IS ?" for k in shape.keys)
    if row.before is None:
        conn.execute(f"DELETE FROM {table} WHERE {where}", row.key)
        return
    values = {c: v for c, v in row.before.items() if c in shape.columns or c == "rowid"}
    exists = conn.execute(f"SELECT 1 FROM {table} WHERE {where}", row.key).fetchone()
    if row.after is not None and exists:
        assignments = ", ".join(f"{quote(c)} = ?" for c in values)
        conn.execute(
            f"UPDATE {table} SET {assignments} WHERE {where}", [*values.values(), *row.key]
        )
        return
    verb = "INSERT OR REPLACE" if force else "INSERT"
    columns = ", ".join(quote(c) for c in values)
    marks = ", ".join("?" for _ in values)
    conn.execute(f"{verb} INTO {table} ({columns}) VALUES ({marks})", list(values.values()))
