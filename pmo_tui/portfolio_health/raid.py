"""The RAID log of each project: risks, assumptions, issues, decisions and actions.

A risk has a probability and an impact (1 lowest to 5 highest); its score is
probability x impact (1-25), the ranking of the board report's top risks. An
action has an owner and a due date; an open action past due is overdue (the
digest lists it). An entry is open until closed; closing records the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import polars as pl

from pmo_tui.errors import UserError
from pmo_tui.governance.frames import check_project
from pmo_tui.store.change_log import log_change
from pmo_tui.store.reads import one_row, read_table
from pmo_tui.store.schema_reporting import RAID_KINDS
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.store.reads import Readable


@dataclass(frozen=True)
class RaidEntry:
    """A RAID entry as entered (probability and impact only for risks, 1-5)."""

    project_id: str
    kind: str
    title: str
    raised_on: dt.date
    owner: str | None = None
    due: dt.date | None = None
    probability: int | None = None
    impact: int | None = None
    notes: str | None = None


def add_raid_entry(db: sqlite_utils.Database, entry: RaidEntry) -> int:
    """Store ``entry`` (one transaction, with a change-log row); returns its id.

    Raises:
        UserError: unknown project or kind; a risk without probability and impact, or
            another kind with a probability; a value outside 1-5.
    """
    check_project(db, entry.project_id, option="PROJECT")
    _check(entry)
    record = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(entry).items()}
    with write_transaction(db, "raid add"):
        entry_id = int(db.table("raid_entry").insert(record).last_pk or 0)
        log_change(db, "raid_entry", "add", reason="raid add", after={"id": entry_id, **record})
    return entry_id


def _check(entry: RaidEntry) -> None:
    if entry.kind not in RAID_KINDS:
        raise UserError(
            f"unknown RAID kind {entry.kind!r}", option="--kind", fix=f"use {', '.join(RAID_KINDS)}"
        )
    if entry.kind == "risk" and (entry.probability is None or entry.impact is None):
        raise UserError(
            "a risk needs a probability and an impact",
            option="--probability",
            fix="pass --probability 1-5 and --impact 1-5",
        )
    if entry.kind != "risk" and entry.probability is not None:
        raise UserError(
            f"only a risk has a probability (this is a {entry.kind})",
            option="--probability",
            fix="leave --probability out, or use --kind risk",
        )
    for name in ("probability", "impact"):
        value = getattr(entry, name)
        if value is not None and not 1 <= value <= 5:
            raise UserError(
                f"{name} must be 1 to 5", option=f"--{name}", fix="use 1 (low) to 5 (high)"
            )


def close_raid_entry(db: sqlite_utils.Database, entry_id: int, on: dt.date, reason: str) -> None:
    """Close an open entry on ``on`` (one transaction, with a change-log row).

    Raises:
        UserError: no such entry, it is already closed, or ``on`` is before it was raised.
    """
    before = one_row(db, "SELECT * FROM raid_entry WHERE id = ?", [entry_id])
    if before is None:
        raise UserError(f"no RAID entry {entry_id}", option="ID", fix="see `pmo-tui raid list`")
    if before["state"] == "closed":
        raise UserError(
            f"RAID entry {entry_id} is already closed", option="ID", fix="nothing to do"
        )
    if on.isoformat() < before["raised_on"]:
        raise UserError(
            f"cannot close before it was raised ({before['raised_on']})",
            option="--date",
            fix="use a later date",
        )
    with write_transaction(db, "raid close"):
        db.execute(
            "UPDATE raid_entry SET state = 'closed', closed_on = ? WHERE id = ?",
            [on.isoformat(), entry_id],
        )
        log_change(
            db,
            "raid_entry",
            "close",
            reason=reason,
            before=before,
            after={"closed_on": on.isoformat()},
        )


def raid_log(
    db: Readable, project_id: str | None = None, *, kind: str | None = None, open_only: bool = False
) -> pl.DataFrame:
    """The RAID log, open entries first, then by score (risks) and due date.

    Returns:
        ``id, project_id, kind, title, owner, raised_on, due, probability, impact, score
        (Int64: probability x impact, risks only), state, closed_on, notes``.

    Raises:
        UserError: unknown project.
    """
    if project_id is not None:
        check_project(db, project_id, option="--project")
    frame = read_table(db, "raid_entry").with_columns(
        (pl.col("probability") * pl.col("impact")).cast(pl.Int64).alias("score")
    )
    if project_id is not None:
        frame = frame.filter(pl.col("project_id") == project_id)
    if kind is not None:
        frame = frame.filter(pl.col("kind") == kind)
    if open_only:
        frame = frame.filter(pl.col("state") == "open")
    return frame.sort(
        ["state", "score", "due", "id"], descending=[True, True, False, False], nulls_last=True
    ).select(
        "id", "project_id", "kind", "title", "owner", "raised_on", "due",
        "probability", "impact", "score", "state", "closed_on", "notes",
    )  # fmt: skip
