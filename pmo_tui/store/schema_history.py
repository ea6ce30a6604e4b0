"""The schema of change sets and roles (migration 6).

A **change set** is one write transaction: who (the OS account of the real uid),
when (UTC), the command, an optional reason, and, for an undo, the change set it
undoes. Its **rows** (``change_row``) are every row the transaction inserted,
updated or deleted, captured by triggers (:mod:`pmo_tui.store.capture`): the
table, the operation, the row's key as a JSON array, and the row before and
after as JSON objects. ``change_log`` keeps one summary row per write (entity,
action, reason, before/after blobs) and now names its change set.

Each earlier ``change_log`` row becomes a change set of its own (same id, time,
account and reason) with no captured rows: it is listed by ``pmo-tui log`` and
cannot be undone.

**Access rules** give a role (viewer, planner, admin) to an OS user or to every
member of an OS group (:mod:`pmo_tui.store.access`).
"""

from __future__ import annotations

SCHEMA_HISTORY = """
CREATE TABLE change_set (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    uid INTEGER,
    command TEXT NOT NULL,
    reason TEXT,
    undoes INTEGER REFERENCES change_set(id),
    rows INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE change_row (
    id INTEGER PRIMARY KEY,
    change_set_id INTEGER NOT NULL REFERENCES change_set(id),
    tbl TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    row_key TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX change_row_change_set ON change_row (change_set_id);
CREATE INDEX change_row_key ON change_row (tbl, row_key, change_set_id);
ALTER TABLE change_log ADD COLUMN change_set_id INTEGER REFERENCES change_set(id);
INSERT INTO change_set (id, at, who, command, reason, rows)
    SELECT id, at, who, entity || ' ' || action, reason, 0 FROM change_log;
UPDATE change_log SET change_set_id = id;
CREATE INDEX change_log_change_set ON change_log (change_set_id);
CREATE TABLE access_rule (
    kind TEXT NOT NULL CHECK (kind IN ('user', 'group')),
    subject TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'planner', 'admin')),
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (kind, subject)
)
"""
