"""The governance commands: audit exit codes and JSON, findings, bad input as one message."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from governance_support import build_governed_db

from pmo_tui.cli import cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_governed_db(tmp_path / "g.db")


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], obj={})


def _dump(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _rules(tmp_path: Path, text: str) -> str:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


GATE_RULE = '[[rule]]\nid = "gates"\nkind = "gate_without_criteria"\nseverity = "critical"\n'
STALE_RULE = (
    '[[rule]]\nid = "stale"\nkind = "status_report_age"\nseverity = "minor"\nmax_days = 14\n'
)


def test_audit_exit_code_follows_fail_on(db: Path, tmp_path: Path) -> None:
    rules = _rules(tmp_path, STALE_RULE)
    args = ("audit", "--all", "--rules", rules, "--today", "2027-01-20")
    assert run(db, *args).exit_code == 0  # no --fail-on: report only
    assert run(db, *args, "--fail-on", "major").exit_code == 0  # two minor findings
    failing = run(db, *args, "--fail-on", "minor")
    assert failing.exit_code == 1
    assert "2 still open" in failing.output  # the second run kept the two open findings


def test_audit_json_shape(db: Path, tmp_path: Path) -> None:
    rules = _rules(tmp_path, GATE_RULE + "\n" + STALE_RULE)
    result = run(
        db,
        "audit",
        "--project",
        "P-CRM",
        "--project",
        "P-WEB",
        "--rules",
        rules,
        "--today",
        "2027-01-20",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {
        "today",
        "rules",
        "projects_audited",
        "audit_ids",
        "counts",
        "new",
        "still_open",
        "findings",
    }
    assert report["today"] == "2027-01-20" and report["projects_audited"] == 2
    assert report["counts"] == {"critical": 1, "major": 0, "minor": 1, "observation": 0}
    assert [(f["project_id"], f["rule"], f["subject"], f["state"]) for f in report["findings"]] == [
        ("P-CRM", "gates", "initiation", "new"),
        ("P-WEB", "stale", "", "new"),
    ]
    assert set(report["findings"][0]) == {
        "finding_id",
        "project_id",
        "rule",
        "severity",
        "subject",
        "state",
        "repeat_of",
        "description",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("audit", "--project", "P-NOPE"), "option --project: unknown project 'P-NOPE'"),
        (("audit",), "say which projects to audit"),
        (("findings", "--project", "P-NOPE"), "unknown project 'P-NOPE'"),
        (
            ("findings", "set-status", "1", "verified", "--reason", "x"),
            (
                "finding 1 is open; it cannot become verified. Fix: allowed next statuses: "
                "in_progress, resolved, accepted_risk"
            ),
        ),
        (("findings", "show", "99"), "no finding 99"),
        (("standards", "edit", "M", "2.0", "--title", "x"), "immutable once in force"),
    ],
)
def test_bad_input_is_one_message_exit_2_and_changes_nothing(db: Path, args, message) -> None:
    before = _dump(db)
    result = run(db, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert _dump(db) == before


def test_a_rule_file_with_an_error_changes_nothing(db: Path, tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        GATE_RULE + '\n[[rule]]\nid = "x"\nkind = "variance"\n'
        'severity = "major"\nmeasure = "cost"\nmax_percent = 5\n',
    )
    before = _dump(db)
    result = run(db, "audit", "--all", "--rules", rules)
    assert result.exit_code == 2
    assert f"{rules}, line 6: rule 'x', key 'measure': unknown measure 'cost'" in result.output
    assert _dump(db) == before


def test_resolve_a_finding_then_list_and_show(db: Path) -> None:
    changed = run(
        db,
        "findings",
        "set-status",
        "1",
        "resolved",
        "--reason",
        "report sent",
        "--evidence",
        "https://x/1",
    )
    assert changed.exit_code == 0 and "finding 1: open -> resolved" in changed.output
    listed = json.loads(run(db, "findings", "--status", "resolved", "--format", "json").output)
    assert [f["id"] for f in listed] == [1, 2]
    shown = run(db, "findings", "show", "1").output
    assert "evidence: https://x/1" in shown and "report sent" in shown
    assert "next statuses: verified, open" in shown
    overdue = json.loads(
        run(db, "findings", "--overdue", "--today", "2027-01-20", "--format", "json").output
    )
    assert [f["id"] for f in overdue] == [3]  # 1 is resolved now; 4 is due 01-25


def test_the_governance_listings_run(db: Path) -> None:
    assert "P-DWH" in run(db, "drift").output
    assert "superseded" in run(db, "standards", "list").output
    assert "Gate criteria" in run(db, "standards", "show", "M").output
    assert "risk" in run(db, "templates", "list").output
    assert run(db, "training", "list").exit_code == 0
    assert run(db, "coaching", "suggest").exit_code == 0
