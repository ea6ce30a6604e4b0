"""A small governed portfolio on top of the tiny organisation of ``test_tui_support``.

Projects (start 2027-01-04, finish 2027-01-29, 25 days): P-CRM (Tom Tay,
execution), P-WEB (Una Ulm, planning), P-DWH (Vic Vale, execution), P-OPS
(Bo Berg, closing). Methodology M: 1.0 superseded, 2.0 in force. Each rule's
expected hits are worked out by hand in the tests, from the rows below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlite_utils
from test_tui_support import build_small_db

from pmo_tui.bootstrap import open_database
from pmo_tui.governance.rules import RuleSet, parse_rules

TODAY = dt.date(2027, 1, 20)


def _standards(db: sqlite_utils.Database) -> None:
    db["standard"].insert_all(
        [
            {
                "id": "M",
                "version": "1.0",
                "kind": "methodology",
                "title": "Method",
                "effective_date": "2025-01-01",
                "status": "superseded",
            },
            {
                "id": "M",
                "version": "2.0",
                "kind": "methodology",
                "title": "Method",
                "effective_date": "2026-06-01",
                "status": "in_force",
                "supersedes": "1.0",
            },
            {
                "id": "S-RISK",
                "version": "1",
                "kind": "standard",
                "title": "Risk standard",
                "status": "in_force",
                "effective_date": "2026-01-01",
            },
        ]
    )
    db["template"].insert_all([{"id": t, "title": t.title()} for t in ("plan", "risk", "lessons")])
    db["template_version"].insert_all(
        [
            {"template_id": "plan", "version": "1.0", "status": "in_force"},
            {"template_id": "risk", "version": "1.0", "status": "superseded"},
            {"template_id": "risk", "version": "2.0", "status": "in_force", "supersedes": "1.0"},
            {"template_id": "lessons", "version": "1.0", "status": "in_force"},
        ]
    )
    db["phase_artefact"].insert_all(
        [
            {"standard_id": "M", "version": "2.0", "phase": "planning", "template_id": "plan"},
            {
                "standard_id": "M",
                "version": "2.0",
                "phase": "execution",
                "template_id": "risk",
                "max_age_days": 30,
            },
            {"standard_id": "M", "version": "2.0", "phase": "closing", "template_id": "lessons"},
            {"standard_id": "M", "version": "1.0", "phase": "execution", "template_id": "risk"},
        ]
    )
    db["gate_criterion"].insert_all(
        [
            {
                "standard_id": "M",
                "version": "2.0",
                "phase": "initiation",
                "criterion_id": c,
                "description": c,
            }
            for c in ("c-case", "c-sponsor")
        ]
    )


def _projects(db: sqlite_utils.Database) -> None:
    db["project_methodology"].insert_all(
        [
            {"project_id": "P-CRM", "standard_id": "M", "version": "2.0"},
            {"project_id": "P-WEB", "standard_id": "M", "version": "2.0"},
            {"project_id": "P-DWH", "standard_id": "M", "version": "1.0"},
        ]
    )  # P-OPS has none: the methodology in force (M 2.0) is assumed
    db["project_template"].insert_all(
        [
            {"project_id": "P-CRM", "template_id": "risk", "version": "2.0"},
            {"project_id": "P-DWH", "template_id": "risk", "version": "1.0"},
        ]
    )
    db["artefact"].insert_all(
        [
            {"project_id": "P-CRM", "template_id": "risk", "updated_on": "2026-12-01"},  # 50 days
            {"project_id": "P-WEB", "template_id": "plan", "updated_on": "2027-01-10"},  # 10 days
            {"project_id": "P-DWH", "template_id": "risk", "updated_on": "2026-12-15"},  # 36 days
            {"project_id": "P-OPS", "template_id": "plan", "updated_on": "2027-01-02"},
            {
                "project_id": "P-WEB",
                "template_id": "risk",
                "updated_on": "2027-02-01",
            },  # after today
        ]
    )
    db["status_report"].insert_all(
        [
            {
                "project_id": "P-CRM",
                "reported_on": "2027-01-15",
                "overall": "green",
                "forecast_finish": "2027-01-29",
            },
            {"project_id": "P-WEB", "reported_on": "2026-12-30", "overall": "amber"},
            {
                "project_id": "P-OPS",
                "reported_on": "2027-01-18",
                "overall": "amber",
                "forecast_finish": "2027-02-12",
            },
        ]
    )  # P-DWH never reported
    db.execute("UPDATE project SET budget = 100000, actual_cost = 80000 WHERE id = 'P-CRM'")
    db.execute("UPDATE project SET budget = 100000, actual_cost = 70000 WHERE id = 'P-DWH'")
    db["gate"].insert_all(
        [
            {"id": 1, "project_id": "P-CRM", "phase": "initiation", "passed_on": "2027-01-05"},
            {"id": 2, "project_id": "P-WEB", "phase": "initiation", "passed_on": "2027-01-06"},
            {"id": 3, "project_id": "P-DWH", "phase": "initiation", "passed_on": "2027-01-06"},
        ]
    )
    db["gate_check"].insert_all(
        [
            {"gate_id": 1, "criterion_id": "c-sponsor", "met": 1},
            {"gate_id": 2, "criterion_id": "c-sponsor", "met": 1},
            {"gate_id": 2, "criterion_id": "c-case", "met": 1},
        ]
    )


def _findings(db: sqlite_utils.Database) -> None:
    base = {
        "category": "status_report_age",
        "severity": "major",
        "description": "d",
        "opened": "2027-01-01",
        "rule": "earlier-rule",
    }
    db["finding"].insert_all(
        [
            {**base, "id": 1, "project_id": "P-WEB", "status": "open", "due": "2027-01-10"},
            {**base, "id": 2, "project_id": "P-DWH", "status": "resolved", "due": "2027-01-01"},
            {
                **base,
                "id": 3,
                "project_id": "P-OPS",
                "status": "in_progress",
                "due": "2027-01-19",
                "severity": "minor",
            },
            {**base, "id": 4, "project_id": "P-CRM", "status": "open", "due": "2027-01-25"},
        ]
    )


def build_governed_db(path: Path, *, findings: bool = True) -> Path:
    """The tiny organisation plus the governance rows above (earlier findings optional)."""
    build_small_db(path)
    db = open_database(path, seed_demo=False)
    with db.atomic():
        _standards(db)
        _projects(db)
        if findings:
            _findings(db)
    db.close()
    return path


def one_rule(kind: str, **params: object) -> RuleSet:
    """A rule set of one rule ``r`` of ``kind`` (severity major) with ``params``."""
    lines = ["[[rule]]", 'id = "r"', f'kind = "{kind}"', 'severity = "major"']
    for key, value in params.items():
        lines.append(f"{key} = {value!r}".replace("'", '"'))
    return parse_rules("\n".join(lines), "test rules")
