"""Checklist audits: an auditor's answers, recorded from a TOML file, failed items become findings.

The file (see docs/governance.md)::

    project = "CX-PORTAL"
    auditor = "Jane Doe"
    held_on = 2026-11-20          # a TOML date
    standard = "PMO-METHOD"       # optional, with version
    version = "2.0"

    [[item]]
    id = "risk-owners"            # becomes the finding's rule: checklist:risk-owners
    text = "Every open risk has an owner"
    result = "fail"               # pass, fail or n/a
    severity = "major"            # required for a failed item
    description = "7 of 19 risks have no owner"   # optional, default: the text
    due = 2026-12-15              # optional; default by severity
    corrective_action = "..."     # optional

Failed items are stored like rule hits (:func:`~pmo_tui.governance.audit._record_hit`):
no duplicate while one is live, repeats linked.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmo_tui.errors import UserError, read_toml_file, with_toml_line
from pmo_tui.governance.audit import (
    RUN_SCHEMA,
    AuditRun,
    _insert_audit,
    _last_finding_id,
    _record_hit,
)
from pmo_tui.governance.checks import Hit
from pmo_tui.governance.frames import SEVERITIES, check_project
from pmo_tui.governance.rules import DEFAULT_DUE_DAYS, Rule
from pmo_tui.store.change_log import log_change
from pmo_tui.store.reads import one_row
from pmo_tui.store.transactions import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

RESULTS = ("pass", "fail", "n/a")


def record_checklist(db: sqlite_utils.Database, path: Path) -> AuditRun:
    """Record the checklist audit in ``path`` (one transaction); failed items become findings.

    Raises:
        UserError: unreadable or invalid file, unknown project or standard version; it
            names the file's line (the key's, else line 1).
    """
    try:
        return _record(db, path)
    except UserError as error:
        if error.file is None:  # a value of the file named by its key (project = ...)
            error.file = str(path)
            error.column, error.option = error.column or error.option, None
        if (error.file or "").startswith(str(path)) and error.row is None:
            text = path.read_text(encoding="utf-8")
            item = re.search(r"item (\d+)$", error.file or "")
            if item:  # the line of the N-th [[item]]
                starts = [
                    n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[item]]"
                ]
                number = int(item.group(1))
                error.row = starts[number - 1] if number <= len(starts) else None
            raise with_toml_line(error, text) from None
        raise


def _record(db: sqlite_utils.Database, path: Path) -> AuditRun:
    import polars as pl

    document = _read(path)
    place = str(path)
    project_id = _text(document, "project", place)
    auditor = _text(document, "auditor", place)
    held_on = document.get("held_on")
    if not isinstance(held_on, dt.date):
        raise UserError(
            "held_on is missing or not a date",
            file=place,
            fix="write held_on = 2026-11-20 (a TOML date, no quotes)",
        )
    check_project(db, project_id, option="project")
    items = [_check_item(item, place, n) for n, item in enumerate(document.get("item", []), 1)]
    if not items:
        raise UserError("the checklist has no [[item]]", file=place, fix="add the items checked")
    run = AuditRun(held_on, place, [project_id])
    with write_transaction(db, "checklist", needs="planner"):
        last_id = _last_finding_id(db)
        audit_id = _insert_audit(
            db, _standard(db, document, project_id, place), "checklist", auditor, held_on, place
        )
        run.audit_ids = [audit_id]
        project = one_row(db, "SELECT manager FROM project WHERE id = ?", [project_id])
        assert project is not None  # check_project found it above
        manager = project["manager"]
        rows = []
        for item in items:
            if item["result"] != "fail":
                continue
            rule = Rule(
                f"checklist:{item['id']}",
                "checklist",
                item["severity"],
                item["text"],
                item["due_days"],
            )
            extra = {"corrective_action": item.get("corrective_action")}
            if item.get("due"):
                extra["due"] = item["due"].isoformat()
            hit = Hit(project_id, "", item.get("description") or item["text"])
            rows.append(
                _record_hit(db, rule, hit, audit_id, manager, held_on, auditor, last_id, extra)
            )
        run.findings = pl.DataFrame(rows, schema=RUN_SCHEMA, orient="row")
        log_change(
            db,
            "audit",
            "checklist",
            reason=f"checklist audit of {project_id}",
            after={"file": place, "items": len(items), "failed": len(rows)},
        )
    return run


def _read(path: Path) -> dict[str, Any]:
    return read_toml_file(path, what="checklist", fix="fix the syntax at that line")


def _text(table: dict[str, Any], key: str, place: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{key} is missing or not a text", file=place, fix=f'add {key} = "..."')
    return value


def _check_item(item: dict[str, Any], place: str, number: int) -> dict[str, Any]:
    """A checked ``[[item]]``: id, text, result; severity and due_days when it failed."""
    where = f"{place}, item {number}"
    checked: dict[str, Any] = {"id": _text(item, "id", where), "text": _text(item, "text", where)}
    result = item.get("result")
    if result not in RESULTS:
        raise UserError(
            f"result {result!r} is not one of {', '.join(RESULTS)}",
            file=where,
            fix='write result = "pass", "fail" or "n/a"',
        )
    checked["result"] = result
    if result == "fail":
        severity = item.get("severity")
        if severity not in SEVERITIES:
            raise UserError(
                f"a failed item needs a severity, not {severity!r}",
                file=where,
                fix=f"use one of {', '.join(SEVERITIES)}",
            )
        checked["severity"] = severity
        checked["due_days"] = DEFAULT_DUE_DAYS[severity]
    for key in ("description", "corrective_action", "due"):
        if key in item:
            checked[key] = item[key]
    if "due" in item and not isinstance(item["due"], dt.date):
        raise UserError("due is not a date", file=where, fix="write due = 2026-12-15")
    return checked


def _standard(db: Any, document: dict[str, Any], project_id: str, place: str) -> dict[str, Any]:
    """The audit's project and standard version (checked when the file names one)."""
    standard, version = document.get("standard"), document.get("version")
    known = one_row(
        db, "SELECT 1 FROM standard WHERE id = ? AND version = ?", [standard, str(version)]
    )
    if standard is not None and known is None:
        raise UserError(
            f"unknown standard version {standard} {version}",
            file=place,
            fix="see `pmo-tui standards list`",
        )
    return {
        "project_id": project_id,
        "standard_id": standard,
        "version": None if version is None else str(version),
    }
