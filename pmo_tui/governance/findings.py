"""Findings: listing and filtering, the detail with history and repeats, and the lifecycle.

Lifecycle (every change needs a reason; who = the OS user; kept in ``finding_history``)::

    open         -> in_progress | resolved | accepted_risk
    in_progress  -> resolved | accepted_risk | open
    resolved     -> verified | open          (reopen)
    accepted_risk -> open
    verified     (final)

A refused change raises :class:`~pmo_tui.errors.UserError` naming the allowed
next statuses, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.errors import UserError
from pmo_tui.governance.frames import check_project
from pmo_tui.store.change_log import current_user, log_change
from pmo_tui.store.reads import one_row, query_frame
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

#: Status -> the statuses it may change to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "resolved", "accepted_risk"),
    "in_progress": ("resolved", "accepted_risk", "open"),
    "resolved": ("verified", "open"),
    "verified": (),
    "accepted_risk": ("open",),
}
FINDING_STATUSES = tuple(TRANSITIONS)
#: Statuses in which a finding still needs work (it can be overdue).
ACTIVE_STATUSES = ("open", "in_progress")

LIST_SCHEMA: SchemaDict = {
    "id": pl.Int64,
    "project_id": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "owner": pl.String,
    "due": pl.Date,
    "status": pl.String,
    "opened": pl.Date,
    "repeats": pl.Int64,
    "description": pl.String,
}
HISTORY_SCHEMA: SchemaDict = {
    "at": pl.String,
    "who": pl.String,
    "from_status": pl.String,
    "to_status": pl.String,
    "reason": pl.String,
}
LINK_SCHEMA: SchemaDict = {
    "id": pl.Int64,
    "project_id": pl.String,
    "status": pl.String,
    "opened": pl.Date,
    "basis": pl.String,
}


def allowed_next(status: str) -> tuple[str, ...]:
    """The statuses a finding in ``status`` may change to."""
    return TRANSITIONS[status]


def read_all_findings(db: Any) -> pl.DataFrame:
    """Every finding (:data:`LIST_SCHEMA`), ``repeats`` = how many earlier findings it repeats."""
    return query_frame(
        db,
        "SELECT f.id, f.project_id, f.rule, f.severity, f.owner, f.due, f.status, f.opened, "
        "(SELECT count(*) FROM finding_link l WHERE l.finding_id = f.id), f.description "
        "FROM finding f ORDER BY f.id",
        LIST_SCHEMA,
    )


def list_findings(
    db: Any,
    *,
    project_id: str | None = None,
    status: str | None = None,
    severity: str | None = None,
    owner: str | None = None,
    overdue_on: dt.date | None = None,
) -> pl.DataFrame:
    """Findings filtered (:data:`LIST_SCHEMA`), most severe first, then oldest.

    ``owner`` matches case-insensitively; ``overdue_on`` keeps open or
    in-progress findings due before that date.

    Raises:
        UserError: ``project_id`` is not a project.
    """
    if project_id is not None:
        check_project(db, project_id)
    frame = read_all_findings(db)
    if project_id is not None:
        frame = frame.filter(pl.col("project_id") == project_id)
    if status:
        frame = frame.filter(pl.col("status") == status)
    if severity:
        frame = frame.filter(pl.col("severity") == severity)
    if owner:
        frame = frame.filter(pl.col("owner").str.to_lowercase() == owner.casefold())
    if overdue_on is not None:
        frame = frame.filter(pl.col("status").is_in(ACTIVE_STATUSES) & (pl.col("due") < overdue_on))
    rank = pl.col("severity").replace_strict(
        {"critical": 0, "major": 1, "minor": 2, "observation": 3}, return_dtype=pl.Int64
    )
    return frame.sort([rank, "opened", "id"])


@dataclass
class FindingDetail:
    """One finding with its history and the findings it repeats or that repeat it.

    Attributes:
        record: every column of the ``finding`` row, plus ``next_statuses``.
        history: :data:`HISTORY_SCHEMA`, oldest first.
        repeats: earlier findings this one repeats (:data:`LINK_SCHEMA`).
        repeated_by: later findings that repeat this one (:data:`LINK_SCHEMA`).
    """

    record: dict[str, Any]
    history: pl.DataFrame
    repeats: pl.DataFrame
    repeated_by: pl.DataFrame

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the detail."""
        return {
            **self.record,
            "history": self.history,
            "repeats": self.repeats,
            "repeated_by": self.repeated_by,
        }


def finding_detail(db: Any, finding_id: int) -> FindingDetail:
    """The finding ``finding_id`` with history and repeat links.

    Raises:
        UserError: no finding with that id.
    """
    record = _get(db, finding_id)
    record["next_statuses"] = list(allowed_next(record["status"]))
    history = query_frame(
        db,
        "SELECT at, who, from_status, to_status, reason FROM finding_history "
        "WHERE finding_id = ? ORDER BY at, id",
        HISTORY_SCHEMA,
        [finding_id],
    )
    link_sql = (
        "SELECT f.id, f.project_id, f.status, f.opened, l.basis FROM finding_link l "
        "JOIN finding f ON f.id = l.{other} WHERE l.{this} = ? ORDER BY f.id"
    )
    repeats = query_frame(
        db, link_sql.format(other="earlier_id", this="finding_id"), LINK_SCHEMA, [finding_id]
    )
    repeated_by = query_frame(
        db, link_sql.format(other="finding_id", this="earlier_id"), LINK_SCHEMA, [finding_id]
    )
    return FindingDetail(record, history, repeats, repeated_by)


def _get(db: Any, finding_id: int) -> dict[str, Any]:
    row = one_row(db, "SELECT * FROM finding WHERE id = ?", [finding_id])
    if row is None:
        raise UserError(
            f"no finding {finding_id}", option="ID", fix="list them with `pmo-tui findings`"
        )
    return row


#: A link: ``scheme://host...`` (https, sharepoint, smb...) or ``file:///path``.
LINK = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
#: A file path: absolute (``/``, ``~/``, ``C:\``, ``\\server``) or relative with a folder.
PATH = re.compile(r"^(/|~[/\\]|[a-z]:[/\\]|\\\\|\.{1,2}[/\\])|[^\s/\\]+[/\\]\S", re.IGNORECASE)


def check_evidence(evidence: str | None) -> str | None:
    """``evidence`` as kept on a finding: a link or a file path, stripped; None when blank.

    A link has a scheme and ``://`` (``https://pmo.example.com/evidence/1``,
    ``file:///share/audit.pdf``); a path is absolute (``/share/audit.pdf``,
    ``~/audit.pdf``, ``C:\\audit.pdf``, ``\\\\server\\share``) or names a folder
    (``audits/2026/1.pdf``). A bare word (``done``) says nothing a verifier can open.

    Raises:
        UserError: neither a link nor a path.
    """
    text = (evidence or "").strip()
    if not text:
        return None
    if LINK.match(text) or PATH.match(text):
        return text
    raise UserError(
        f"evidence {text!r} is neither a link nor a file path",
        option="--evidence",
        fix="give where the evidence is: a link (https://...) or a path (/share/audits/1.pdf)",
    )


def set_finding_status(
    db: sqlite_utils.Database,
    finding_id: int,
    status: str,
    *,
    reason: str,
    evidence: str | None = None,
    corrective_action: str | None = None,
    who: str | None = None,
) -> dict[str, Any]:
    """Change the status of a finding, in one transaction, with a history and change-log row.

    Args:
        status: the new status (see :data:`TRANSITIONS`).
        reason: why (required, not blank).
        evidence: where the evidence is, a link or a file path (:func:`check_evidence`;
            kept on the finding), optional.
        corrective_action: the action taken or planned, optional.
        who: the user (default: the OS user).

    Returns:
        ``{"id", "from", "to", "reason", "who"}``.

    Raises:
        UserError: unknown finding or status, a blank reason, evidence that is neither a
            link nor a path, or a change the lifecycle forbids (the message names the
            allowed ones); nothing is written.
    """
    evidence = check_evidence(evidence)
    if status not in TRANSITIONS:
        raise UserError(
            f"unknown status {status!r}",
            option="STATUS",
            fix=f"use one of {', '.join(TRANSITIONS)}",
        )
    if not reason or not reason.strip():
        raise UserError(
            "a status change needs a reason",
            option="--reason",
            fix='say why, e.g. --reason "risk register updated and reviewed"',
        )
    who = who or current_user()
    with write_transaction(db, "findings set-status", needs="planner"):
        before = _get(db, finding_id)
        current = before["status"]
        if status not in TRANSITIONS[current]:
            allowed = ", ".join(TRANSITIONS[current]) or "none: verified is final"
            raise UserError(
                f"finding {finding_id} is {current}; it cannot become {status}",
                fix=f"allowed next statuses: {allowed}",
            )
        changes: dict[str, Any] = {"status": status}
        if evidence:
            changes["evidence"] = evidence
        if corrective_action:
            changes["corrective_action"] = corrective_action
        db.table("finding").update(finding_id, changes)
        db.table("finding_history").insert(
            {
                "finding_id": finding_id,
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "who": who,
                "from_status": current,
                "to_status": status,
                "reason": reason.strip(),
            }
        )
        outcome = {
            "id": finding_id,
            "from": current,
            "to": status,
            "reason": reason.strip(),
            "who": who,
        }
        log_change(
            db,
            "finding",
            "status",
            reason=reason.strip(),
            before=before,
            after={**before, **changes},
        )
    return outcome
