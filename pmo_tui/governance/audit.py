"""Running audits: rules over projects, findings stored without duplicates, repeats linked.

An automatic audit (:func:`run_audit`) checks every rule on each audited
project as of ``today`` and stores, in one transaction, one ``audit`` row per
project and a finding per hit. A hit whose rule, project and subject already
have a finding that is open, in progress or an accepted risk keeps that
finding (no duplicate). Otherwise a new finding is opened; it is linked
(``finding_link``) to every earlier finding of the same rule on the same
project or under the same project manager: a repeat finding. A checklist
audit (:func:`record_checklist`) stores an auditor's failed items the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
from polars._typing import SchemaDict

from pmo_tui.governance.checks import CHECKS, Hit
from pmo_tui.governance.context import AuditContext
from pmo_tui.governance.frames import SEVERITIES, check_project, severity_rank
from pmo_tui.governance.rules import Rule, RuleSet
from pmo_tui.store.change_log import current_user, log_change
from pmo_tui.store.reads import one_row
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

#: Finding statuses that keep a finding alive: a new hit of it is not a new finding.
LIVE_STATUSES = ("open", "in_progress", "accepted_risk")

RUN_SCHEMA: SchemaDict = {
    "finding_id": pl.Int64,
    "project_id": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "subject": pl.String,
    "state": pl.String,
    "repeat_of": pl.String,
    "description": pl.String,
}


@dataclass
class AuditRun:
    """The outcome of one audit run.

    Attributes:
        today: the audit date.
        source: the rule file (or checklist) used.
        projects: the projects audited, sorted.
        audit_ids: the ``audit`` rows written, one per project.
        findings: :data:`RUN_SCHEMA`; ``state`` is ``new``, ``repeat`` (linked to
            earlier findings, listed in ``repeat_of``) or ``still open`` (an existing
            live finding kept).
    """

    today: dt.date
    source: str
    projects: list[str]
    audit_ids: list[int] = field(default_factory=list)
    findings: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=RUN_SCHEMA))

    def counts(self) -> dict[str, int]:
        """Findings of this run per severity (every severity listed, 0 when none)."""
        return {s: int((self.findings["severity"] == s).sum()) for s in SEVERITIES}

    def fails(self, fail_on: str | None) -> bool:
        """True when a finding at or above severity ``fail_on`` was raised or is still open."""
        if fail_on is None:
            return False
        limit = severity_rank(fail_on)
        return any(severity_rank(s) <= limit for s in self.findings["severity"].to_list())

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: date, rules, projects, audits, counts and findings."""
        return {
            "today": self.today,
            "rules": self.source,
            "projects_audited": len(self.projects),
            "audit_ids": self.audit_ids,
            "counts": self.counts(),
            "new": int((self.findings["state"] != "still open").sum()),
            "still_open": int((self.findings["state"] == "still open").sum()),
            "findings": self.findings,
        }


def run_audit(
    db: sqlite_utils.Database,
    rule_set: RuleSet,
    *,
    today: dt.date,
    project_ids: list[str] | None = None,
    auditor: str | None = None,
) -> AuditRun:
    """Run ``rule_set`` on ``project_ids`` (None = every project) and store the findings.

    Raises:
        UserError: an unknown project (nothing is written).
    """
    for project_id in project_ids or []:
        check_project(db, project_id)
    context = AuditContext.read(db, today, project_ids)
    hits = [(rule, hit) for rule in rule_set.rules for hit in CHECKS[rule.kind](context, rule)]
    run = AuditRun(today, rule_set.source, context.projects["project_id"].to_list())
    auditor = auditor or current_user()
    with write_transaction(db, "audit", needs="planner"):
        last_id = _last_finding_id(db)
        audit_of = {
            row["project_id"]: _insert_audit(db, row, "automatic", auditor, today, rule_set.source)
            for row in context.projects.join(
                context.methodology, on="project_id", how="left"
            ).iter_rows(named=True)
        }
        run.audit_ids = list(audit_of.values())
        managers = dict(context.projects.select("project_id", "manager").iter_rows())
        rows = [
            _record_hit(
                db,
                rule,
                hit,
                audit_of[hit.project_id],
                managers.get(hit.project_id),
                today,
                auditor,
                last_id,
            )
            for rule, hit in hits
        ]
        run.findings = pl.DataFrame(rows, schema=RUN_SCHEMA, orient="row")
        log_change(
            db,
            "audit",
            "run",
            reason=f"audit with {rule_set.source} as of {today}",
            after={"projects": len(run.projects), "counts": run.counts()},
        )
    return run


def _last_finding_id(db: Any) -> int:
    return int(db.execute("SELECT coalesce(max(id), 0) FROM finding").fetchone()[0])


def _insert_audit(
    db: sqlite_utils.Database, project: dict, kind: str, auditor: str, today: dt.date, source: str
) -> int:
    """Insert one ``audit`` row and return its id."""
    table = db.table("audit").insert(
        {
            "project_id": project["project_id"],
            "standard_id": project.get("standard_id"),
            "standard_version": project.get("version"),
            "kind": kind,
            "auditor": auditor,
            "held_on": today.isoformat(),
            "source": source,
        }
    )
    return _inserted_id(table)


def _inserted_id(table: sqlite_utils.db.Table) -> int:
    """The integer primary key of the row ``table`` has just inserted."""
    assert table.last_pk is not None  # every insert sets it
    return int(table.last_pk)


def _record_hit(
    db: sqlite_utils.Database,
    rule: Rule,
    hit: Hit,
    audit_id: int,
    manager: str | None,
    today: dt.date,
    who: str,
    last_id: int,
    extra: dict[str, Any] | None = None,
) -> tuple:
    """Keep the live finding of this hit, or open a new one linked to the earlier ones.

    Returns:
        A row of :data:`RUN_SCHEMA`.
    """
    live = one_row(
        db,
        "SELECT id, severity FROM finding WHERE rule = ? AND project_id = ? AND subject = ? "
        f"AND status IN {LIVE_STATUSES} ORDER BY id DESC LIMIT 1",
        [rule.id, hit.project_id, hit.subject],
    )
    if live is not None:
        return (
            live["id"],
            hit.project_id,
            rule.id,
            live["severity"],
            hit.subject,
            "still open",
            "",
            hit.description,
        )
    record = {
        "audit_id": audit_id,
        "project_id": hit.project_id,
        "rule": rule.id,
        "category": rule.kind,
        "subject": hit.subject,
        "manager": manager,
        "severity": rule.severity,
        "description": hit.description,
        "owner": manager,
        "due": (today + dt.timedelta(days=rule.due_days)).isoformat(),
        "status": "open",
        "opened": today.isoformat(),
        **(extra or {}),
    }
    finding_id = _inserted_id(db.table("finding").insert(record))
    db.table("finding_history").insert(
        {
            "finding_id": finding_id,
            "at": _now(),
            "who": who,
            "from_status": None,
            "to_status": "open",
            "reason": f"raised by audit {audit_id} (rule {rule.id})",
        }
    )
    earlier = link_repeats(db, finding_id, rule.id, hit.project_id, manager, last_id)
    state = "repeat" if earlier else "new"
    return (
        finding_id,
        hit.project_id,
        rule.id,
        rule.severity,
        hit.subject,
        state,
        ", ".join(str(e) for e in earlier),
        hit.description,
    )


def link_repeats(
    db: sqlite_utils.Database,
    finding_id: int,
    rule: str,
    project_id: str,
    manager: str | None,
    last_id: int,
) -> list[int]:
    """Link finding ``finding_id`` to the earlier findings (ids up to ``last_id``) it repeats.

    Earlier = same rule, and the same project or the same project manager.

    Returns:
        The ids linked, ascending.
    """
    earlier = db.execute(
        "SELECT id, project_id FROM finding WHERE rule = ? AND id <= ? "
        "AND (project_id = ? OR (manager IS NOT NULL AND manager = ?)) ORDER BY id",
        [rule, last_id, project_id, manager],
    ).fetchall()
    for earlier_id, earlier_project in earlier:
        basis = "same project" if earlier_project == project_id else "same manager"
        db.table("finding_link").insert(
            {"finding_id": finding_id, "earlier_id": earlier_id, "basis": basis}
        )
    return [earlier_id for earlier_id, _ in earlier]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
