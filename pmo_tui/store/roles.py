"""Granting and revoking roles (``pmo-tui users``): admin only, logged like every write.

A rule gives a role to an OS user or to every member of an OS group
(:mod:`pmo_tui.store.access` decides an account's role from them). The last
admin rule cannot be revoked: the database would have no admin left.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

import polars as pl

from pmo_tui.errors import UserError
from pmo_tui.store.access import ROLES, Role, decide_role
from pmo_tui.store.change_log import log_change
from pmo_tui.store.reads import one_row, query_frame
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.reads import Readable

__all__ = [
    "RULE_SCHEMA",
    "Subject",
    "grant_role",
    "list_rules",
    "parse_subject",
    "revoke_role",
    "whoami",
]

Subject = tuple[Literal["user", "group"], str]

#: Columns of :func:`list_rules`.
RULE_SCHEMA = {
    "kind": pl.String,
    "subject": pl.String,
    "role": pl.String,
    "granted_by": pl.String,
    "granted_at": pl.String,
}


def parse_subject(text: str) -> Subject:
    """``alice`` -> ("user", "alice"); ``group:pmo-admins`` (or ``@pmo-admins``) -> a group.

    Raises:
        UserError: an empty name.
    """
    kind: Literal["user", "group"] = "user"
    name = text.strip()
    if name.startswith("@"):
        kind, name = "group", name[1:]
    elif name.startswith(("group:", "user:")):
        prefix, name = name.split(":", 1)
        kind = "group" if prefix == "group" else "user"
    if not name.strip():
        raise UserError(f"{text!r} names nobody", fix="name an OS account, or group:NAME")
    return kind, name.strip()


def list_rules(db: Readable) -> pl.DataFrame:
    """The role rules (:data:`RULE_SCHEMA`), by role (admins first) then subject."""
    return query_frame(
        db,
        "SELECT kind, subject, role, granted_by, granted_at FROM access_rule "
        "ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'planner' THEN 1 ELSE 2 END, kind, subject",
        RULE_SCHEMA,
    )


def grant_role(db: sqlite_utils.Database, subject: Subject, role: Role) -> None:
    """Give ``role`` to ``subject`` (replacing its earlier rule). Admin only.

    Raises:
        UserError: an unknown role; RoleRefused: the current account is not an admin.
    """
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}", fix=f"use one of: {', '.join(ROLES)}")
    kind, name = subject
    with write_transaction(db, "users grant", needs="admin") as change_set:
        before = one_row(
            db, "SELECT role FROM access_rule WHERE kind = ? AND subject = ?", [kind, name]
        )
        if before and before["role"] == "admin" and role != "admin":
            _keep_an_admin(db, subject)
        db.table("access_rule").upsert(
            {
                "kind": kind,
                "subject": name,
                "role": role,
                "granted_by": change_set.account.name,
                "granted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
            pk=("kind", "subject"),
        )
        log_change(
            db, "access_rule", "grant", reason=f"{kind} {name}: {role}", before=before, after=role
        )


def revoke_role(db: sqlite_utils.Database, subject: Subject) -> str:
    """Remove the rule of ``subject`` (it falls back to viewer); return the role it had.

    Raises:
        UserError: no rule for ``subject``, or it is the last admin rule;
            RoleRefused: the current account is not an admin.
    """
    kind, name = subject
    with write_transaction(db, "users revoke", needs="admin"):
        before = one_row(
            db, "SELECT role FROM access_rule WHERE kind = ? AND subject = ?", [kind, name]
        )
        if before is None:
            raise UserError(f"no rule for {kind} {name}", fix="`pmo-tui users list` shows them")
        if before["role"] == "admin":
            _keep_an_admin(db, subject)
        db.execute("DELETE FROM access_rule WHERE kind = ? AND subject = ?", [kind, name])
        log_change(db, "access_rule", "revoke", reason=f"{kind} {name}", before=before)
    return str(before["role"])


def _keep_an_admin(db: sqlite_utils.Database, subject: Subject) -> None:
    others = db.execute(
        "SELECT count(*) FROM access_rule WHERE role = 'admin' AND NOT (kind = ? AND subject = ?)",
        list(subject),
    ).fetchone()[0]
    if not others:
        raise UserError(
            f"{subject[0]} {subject[1]} holds the last admin rule; nothing was changed",
            fix="grant admin to someone else first",
        )


def whoami(db: Readable) -> str:
    """``alice: planner (group pmo: planner)``: the current account's role and why."""
    decision = decide_role(db)
    because = f" ({'; '.join(decision.because)})" if decision.because else " (no rule: viewer)"
    return f"{decision.account.name}: {decision.role}{because}"
