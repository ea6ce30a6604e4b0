"""The change log: one row per write, with who, when, what and the rows before and after.

Every write of the application (imports, plan applies, promotes, status changes,
governance edits) appends a row here inside its own transaction, so the log and
the data can never disagree.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils


def current_user() -> str:
    """The OS user name recorded in the change log (``unknown`` when it cannot be read)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def log_change(
    db: sqlite_utils.Database,
    entity: str,
    action: str,
    *,
    reason: str,
    before: object = None,
    after: object = None,
) -> None:
    """Append one row to ``change_log`` (who = OS user, when = UTC now, before/after as JSON).

    Call it inside the transaction of the write it records.
    """
    db.table("change_log").insert(
        {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "who": current_user(),
            "entity": entity,
            "action": action,
            "reason": reason,
            "before": None if before is None else json.dumps(before, default=str),
            "after": None if after is None else json.dumps(after, default=str),
        }
    )
