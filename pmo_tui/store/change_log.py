"""The change log: one summary row per write, inside the change set of its transaction.

Every write of the application (imports, plan applies, promotes, edits, status
changes, governance edits) runs in a :func:`~pmo_tui.store.transactions.write_transaction`,
whose change set records who wrote (the OS account of the real uid), when, the
command, and every row changed. :func:`log_change` adds the summary a person
reads (entity, action, reason, before/after blobs) to that change set, inside
the same transaction, so the log and the data can never disagree.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from pmo_tui.store import accounts
from pmo_tui.store.transactions import active_change_set

if TYPE_CHECKING:
    import sqlite_utils


def current_user() -> str:
    """The OS account recorded in the change log: the name of the process's real uid."""
    return accounts.current_account().name


def log_change(
    db: sqlite_utils.Database,
    entity: str,
    action: str,
    *,
    reason: str,
    before: object = None,
    after: object = None,
) -> None:
    """Append one row to ``change_log`` (who = OS account, when = UTC now, before/after as JSON).

    Call it inside the :func:`~pmo_tui.store.transactions.write_transaction` of the
    write it records; the row names that transaction's change set.

    Raises:
        RuntimeError: called outside a write transaction (a programming error).
    """
    change_set = active_change_set(db)
    if change_set is None:
        raise RuntimeError("log_change must be called inside write_transaction")
    db.table("change_log").insert(
        {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "who": change_set.account.name,
            "entity": entity,
            "action": action,
            "reason": reason,
            "before": None if before is None else json.dumps(before, default=str),
            "after": None if after is None else json.dumps(after, default=str),
            "change_set_id": change_set.id or None,
        }
    )
