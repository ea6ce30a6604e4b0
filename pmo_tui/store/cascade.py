"""What goes with a row: the rows that refer to it through foreign keys, at any depth.

Removing a person removes their skills, leave, availability, allocations,
training records...; removing a project its demands, their weekly hours, its
allocations, audits and findings. :func:`dependent_rows` finds them from the
schema's foreign keys (``PRAGMA foreign_key_list``), so a table added later is
covered with no change here; :func:`delete_with_dependents` deletes them,
children first. The history tables are never touched.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

from pmo_tui.store.capture import NOT_CAPTURED, captured_tables, quote

__all__ = ["delete_with_dependents", "dependent_rows"]


def _references(conn: sqlite3.Connection) -> dict[str, list[tuple[str, list[str], list[str]]]]:
    """Parent table -> [(child table, child columns, parent columns)]."""
    references: dict[str, list[tuple[str, list[str], list[str]]]] = defaultdict(list)
    for child in captured_tables(conn):
        by_id: dict[int, tuple[str, list[str], list[str]]] = {}
        for row in conn.execute(f"PRAGMA foreign_key_list({quote(child)})"):
            fk_id, parent, from_column, to_column = row[0], row[2], row[3], row[4]
            entry = by_id.setdefault(fk_id, (parent, [], []))
            entry[1].append(from_column)
            entry[2].append(to_column or "id")
        for parent, from_columns, to_columns in by_id.values():
            if parent not in NOT_CAPTURED:
                references[parent].append((child, from_columns, to_columns))
    return references


def dependent_rows(conn: sqlite3.Connection, table: str, rowids: list[int]) -> dict[str, list[int]]:
    """Table -> rowids of ``rowids`` in ``table`` and of every row referring to them, at any depth.

    The tables come in the order found: parents before their children.
    """
    references = _references(conn)
    found: dict[str, set[int]] = {table: set(rowids)}
    order = [table]
    pending = [(table, list(rowids))]
    while pending:
        parent, parent_rowids = pending.pop(0)
        for child, from_columns, to_columns in references.get(parent, []):
            matches = " AND ".join(
                f"c.{quote(f)} = p.{quote(t)}"
                for f, t in zip(from_columns, to_columns, strict=True)
            )
            rows = conn.execute(
                f"SELECT DISTINCT c.rowid FROM {quote(child)} c JOIN {quote(parent)} p ON {matches} "
                "WHERE p.rowid IN (SELECT value FROM json_each(?))",
                [json.dumps(parent_rowids)],
            ).fetchall()
            new = [rowid for (rowid,) in rows if rowid not in found.get(child, set())]
            if not new:
                continue
            if child not in found:
                order.append(child)
            found.setdefault(child, set()).update(new)
            pending.append((child, new))
    return {name: sorted(found[name]) for name in order}


def delete_with_dependents(conn: sqlite3.Connection, rows: dict[str, list[int]]) -> None:
    """Delete ``rows`` (from :func:`dependent_rows`) in the caller's transaction.

    Foreign keys are checked at commit (``defer_foreign_keys``), when every row is gone.
    """
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in reversed(list(rows)):
        conn.execute(
            f"DELETE FROM {quote(table)} WHERE rowid IN (SELECT value FROM json_each(?))",
            [json.dumps(rows[table])],
        )
