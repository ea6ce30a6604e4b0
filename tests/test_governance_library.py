"""Standards versions, lineage drift, audits without duplicates, repeat links, the findings
lifecycle, coaching suggestions, certification expiry and the governance CSV loader."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from governance_support import TODAY, build_governed_db, one_rule

from pmo_tui.bootstrap import open_database
from pmo_tui.errors import UserError
from pmo_tui.governance.audit import run_audit
from pmo_tui.governance.findings import (
    TRANSITIONS,
    check_evidence,
    finding_detail,
    set_finding_status,
)
from pmo_tui.governance.lineage import drift_report
from pmo_tui.governance.loader import load_governance
from pmo_tui.governance.standards import add_standard, edit_standard, publish_standard
from pmo_tui.governance.training import certified_skill_validity, coaching_suggestions


def _open(path: Path):
    return open_database(path, seed_demo=False)


def _dump(db) -> list[str]:
    return [line for line in db.conn.iterdump() if "change_log" not in line]


@pytest.fixture
def db(tmp_path: Path):
    database = _open(build_governed_db(tmp_path / "g.db", findings=False))
    yield database
    database.close()


# ---------------------------------------------------------------- standards
def test_publishing_a_new_version_supersedes_the_one_in_force(db) -> None:
    add_standard(db, "POL", "1", kind="policy", title="Policy")
    assert (
        publish_standard(db, "POL", "1", effective_date=dt.date(2027, 1, 1))["superseded"] is None
    )
    add_standard(db, "POL", "2", kind="policy", title="Policy, revised")
    outcome = publish_standard(db, "POL", "2", effective_date=dt.date(2027, 2, 1))
    assert outcome == {"id": "POL", "published": "2", "superseded": "1"}
    rows = db.execute(
        "SELECT version, status, supersedes FROM standard WHERE id = 'POL' ORDER BY version"
    ).fetchall()
    assert rows == [("1", "superseded", None), ("2", "in_force", "1")]


def test_an_older_version_cannot_replace_the_one_in_force(db) -> None:
    add_standard(db, "POL", "1.10", kind="policy", title="Policy")
    publish_standard(db, "POL", "1.10", effective_date=dt.date(2027, 1, 1))
    add_standard(db, "POL", "1.9", kind="policy", title="Policy, older")
    before = _dump(db)
    with pytest.raises(UserError, match="1.9 is not newer than 1.10"):
        publish_standard(db, "POL", "1.9", effective_date=dt.date(2027, 2, 1))
    assert _dump(db) == before


def test_templates_publish_newer_versions_only(db) -> None:
    from pmo_tui.governance.standards import publish_template

    db["template_version"].insert_all(
        [
            {"template_id": "risk", "version": "1.5", "status": "draft"},
            {"template_id": "risk", "version": "3.0", "status": "draft"},
        ]
    )
    before = _dump(db)
    with pytest.raises(UserError, match="risk 1.5 is not newer than 2.0"):
        publish_template(db, "risk", "1.5", effective_date=dt.date(2027, 1, 1))
    assert _dump(db) == before
    outcome = publish_template(db, "risk", "3.0", effective_date=dt.date(2027, 1, 1))
    assert outcome == {"id": "risk", "published": "3.0", "superseded": "2.0"}


def test_a_policy_cannot_be_a_projects_methodology(db) -> None:
    from pmo_tui.governance.lineage import follow_versions

    add_standard(db, "POL", "1", kind="policy", title="Policy")
    publish_standard(db, "POL", "1", effective_date=dt.date(2027, 1, 1))
    project = db.execute("SELECT id FROM project LIMIT 1").fetchone()[0]
    with pytest.raises(UserError, match="is a policy, not a methodology"):
        follow_versions(db, project, methodology=("POL", "1"))


def test_versions_in_force_are_immutable(db) -> None:
    before = _dump(db)
    with pytest.raises(UserError, match="immutable once in force.*Fix: add a new version"):
        edit_standard(db, "M", "2.0", title="changed")
    with pytest.raises(UserError, match="exists already"):
        add_standard(db, "M", "2.0", kind="methodology", title="again")
    with pytest.raises(UserError, match="is in force"):
        publish_standard(db, "M", "2.0", effective_date=TODAY)
    with pytest.raises(UserError, match="is a methodology, not a policy"):
        add_standard(db, "M", "9", kind="policy", title="x")
    assert _dump(db) == before
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):  # the trigger, last line
        db.execute("UPDATE standard SET title = 'x' WHERE id = 'M' AND version = '1.0'")


def test_a_draft_may_be_edited(db) -> None:
    add_standard(db, "POL", "1", kind="policy", title="Policy")
    edit_standard(db, "POL", "1", title="Better title")
    assert db.execute("SELECT title FROM standard WHERE id = 'POL'").fetchone() == ("Better title",)


# ------------------------------------------------------------------ lineage
def test_drift_lists_superseded_versions_and_missing_artefacts(db) -> None:
    db["phase_artefact"].insert(
        {"standard_id": "M", "version": "2.0", "phase": "execution", "template_id": "plan"}
    )
    # P-DWH follows M 1.0 (2.0 in force): in execution, 2.0 requires risk (it has one) and
    # plan (it has none). It also follows risk template 1.0 (2.0 in force). P-CRM is current.
    assert drift_report(db).rows() == [
        ("P-DWH", "Vic Vale", "execution", "methodology", "M", "1.0", "2.0", "plan"),
        ("P-DWH", "Vic Vale", "execution", "template", "risk", "1.0", "2.0", ""),
    ]
    with pytest.raises(UserError, match="unknown project 'NOPE'"):
        drift_report(db, project_id="NOPE")


# -------------------------------------------------------------------- audits
def test_audits_keep_open_findings_and_link_repeats(db) -> None:
    stale = one_rule("status_report_age", max_days=14)
    first = run_audit(db, stale, today=TODAY)
    # P-DWH never reported (16 days since start), P-WEB last 21 days ago.
    assert first.findings.select("finding_id", "project_id", "state").rows() == [
        (1, "P-DWH", "new"),
        (2, "P-WEB", "new"),
    ]
    again = run_audit(db, stale, today=TODAY)
    assert again.findings["state"].to_list() == ["still open", "still open"]
    assert db["finding"].count == 2
    set_finding_status(db, 2, "resolved", reason="report sent")
    third = run_audit(db, stale, today=TODAY)
    assert third.findings.select("finding_id", "project_id", "state", "repeat_of").rows() == [
        (1, "P-DWH", "still open", ""),
        (3, "P-WEB", "repeat", "2"),
    ]
    db.execute("UPDATE project SET manager = 'Una Ulm' WHERE id = 'P-CRM'")
    later = run_audit(db, stale, today=dt.date(2027, 2, 5))
    # P-CRM (last report 01-15, 21 days) is new but repeats P-WEB's under the same manager;
    # P-OPS (01-18, 18 days) is new; P-DWH and P-WEB are still open.
    assert later.findings.select("finding_id", "project_id", "state", "repeat_of").rows() == [
        (4, "P-CRM", "repeat", "2, 3"),
        (1, "P-DWH", "still open", ""),
        (5, "P-OPS", "new", ""),
        (3, "P-WEB", "still open", ""),
    ]
    detail = finding_detail(db, 4)
    assert detail.repeats.select("id", "basis").rows() == [(2, "same manager"), (3, "same manager")]
    assert finding_detail(db, 2).repeated_by["id"].to_list() == [3, 4]


def test_an_audit_of_an_unknown_project_writes_nothing(db) -> None:
    before = _dump(db)
    with pytest.raises(UserError, match="unknown project 'P-NOPE'"):
        run_audit(db, one_rule("gate_without_criteria"), today=TODAY, project_ids=["P-NOPE"])
    assert _dump(db) == before


def test_an_audit_of_one_project_writes_one_audit_row(db) -> None:
    run = run_audit(db, one_rule("gate_without_criteria"), today=TODAY, project_ids=["P-CRM"])
    assert run.projects == ["P-CRM"] and len(run.audit_ids) == 1
    assert db.execute(
        "SELECT project_id, standard_id, standard_version, kind FROM audit"
    ).fetchall() == [("P-CRM", "M", "2.0", "automatic")]
    assert run.findings["description"].to_list() == [
        "the initiation gate was passed on 2027-01-05 without: c-case"
    ]


# ----------------------------------------------------------------- lifecycle
ALL_PAIRS = [(a, b) for a in TRANSITIONS for b in TRANSITIONS if a != b]


def _finding_in(db, status: str) -> int:
    db["finding"].insert(
        {
            "id": 1,
            "project_id": "P-WEB",
            "rule": "r",
            "category": "c",
            "severity": "minor",
            "description": "d",
            "status": status,
            "opened": "2027-01-01",
        }
    )
    return 1


@pytest.mark.parametrize(("before", "after"), ALL_PAIRS)
def test_the_lifecycle_allows_and_refuses(db, before: str, after: str) -> None:
    finding = _finding_in(db, before)
    if after in TRANSITIONS[before]:
        set_finding_status(
            db, finding, after, reason="because", who="tester", evidence="https://x/1"
        )
        assert db.execute("SELECT status, evidence FROM finding").fetchone() == (
            after,
            "https://x/1",
        )
        assert db.execute(
            "SELECT who, from_status, to_status, reason FROM finding_history"
        ).fetchall() == [("tester", before, after, "because")]
    else:
        dump = _dump(db)
        with pytest.raises(UserError, match=f"is {before}; it cannot become {after}"):
            set_finding_status(db, finding, after, reason="because")
        assert _dump(db) == dump


def test_the_allowed_transitions_are_those_documented() -> None:
    allowed = {(a, b) for a, nexts in TRANSITIONS.items() for b in nexts}
    assert allowed == {
        ("open", "in_progress"),
        ("open", "resolved"),
        ("open", "accepted_risk"),
        ("in_progress", "resolved"),
        ("in_progress", "accepted_risk"),
        ("in_progress", "open"),
        ("resolved", "verified"),
        ("resolved", "open"),
        ("accepted_risk", "open"),
    }


def test_a_status_change_needs_a_reason_and_a_known_finding(db) -> None:
    _finding_in(db, "open")
    with pytest.raises(UserError, match="needs a reason"):
        set_finding_status(db, 1, "resolved", reason="  ")
    with pytest.raises(UserError, match="no finding 99"):
        set_finding_status(db, 99, "resolved", reason="x")
    with pytest.raises(UserError, match="unknown status 'closed'"):
        set_finding_status(db, 1, "closed", reason="x")


@pytest.mark.parametrize(
    "evidence",
    [
        "https://pmo.example.com/evidence/1",
        "file:///share/audit.pdf",
        "/share/audits/1.pdf",
        "~/audits/1.pdf",
        "C:\\audits\\1.pdf",
        "\\\\server\\share\\1.pdf",
        "audits/2026/1.pdf",
        "./1.pdf",
    ],
)
def test_evidence_is_a_link_or_a_path(evidence: str) -> None:
    assert check_evidence(f"  {evidence} ") == evidence


def test_evidence_that_is_neither_is_refused_and_nothing_is_written(db) -> None:
    _finding_in(db, "open")
    assert check_evidence("   ") is None
    for text in ("done", "see the email", "report.pdf"):
        with pytest.raises(UserError, match="neither a link nor a file path") as caught:
            set_finding_status(db, 1, "resolved", reason="x", evidence=text)
        assert caught.value.option == "--evidence"
    assert db.execute("SELECT status, evidence FROM finding").fetchone() == ("open", None)


# ---------------------------------------------------------- training, coaching
def _training(db) -> None:
    db["course"].insert_all(
        [
            {"id": "C1", "title": "Course one", "kind": "course", "addresses": "status_report_age"},
            {
                "id": "C2",
                "title": "Cert two",
                "kind": "certification",
                "skill_id": "dev",
                "addresses": "status_report_age, variance",
            },
            {"id": "C3", "title": "Course with skill", "kind": "course", "skill_id": "ba"},
        ]
    )
    db["training_record"].insert_all(
        [
            {
                "person_id": "ann",
                "course_id": "C2",
                "completed_on": "2024-01-01",
                "expires_on": "2027-01-17",
            },
            {
                "person_id": "ann",
                "course_id": "C2",
                "completed_on": "2023-01-01",
                "expires_on": "2026-06-30",
            },
            {"person_id": "ben", "course_id": "C2", "completed_on": "2024-01-01"},
            {
                "person_id": "cat",
                "course_id": "C3",
                "completed_on": "2024-01-01",
                "expires_on": "2025-01-01",
            },
        ]
    )


def test_certified_skill_validity_is_the_latest_expiry(db) -> None:
    _training(db)
    # ann: two C2 records, latest expiry wins; ben: C2 without expiry; cat's C3 is a course.
    assert certified_skill_validity(db).rows() == [
        ("ann", "dev", dt.date(2027, 1, 17)),
        ("ben", "dev", None),
    ]


def test_coaching_suggestion_for_repeat_findings(db) -> None:
    _training(db)
    base = {
        "project_id": "P-WEB",
        "category": "status_report_age",
        "severity": "major",
        "description": "d",
        "status": "open",
        "opened": "2027-01-01",
        "manager": "Ann Archer",
    }
    db["finding"].insert_all(
        [
            {**base, "id": 1, "rule": "r1"},
            {**base, "id": 2, "rule": "r1"},
            {**base, "id": 3, "rule": "r2", "category": "variance", "project_id": "P-CRM"},
        ]
    )
    db["mentoring"].insert({"mentor_id": "ben", "mentee_id": "ann", "since": "2026-01-01"})
    # Two status_report_age findings for Ann Archer; one variance finding is not enough.
    # C1 addresses it and Ann never took it; her mentor is Ben.
    assert coaching_suggestions(db, TODAY).rows() == [
        (
            "Ann Archer",
            "status_report_age",
            "r1",
            "1, 2",
            "P-WEB",
            "C1 (Course one)",
            "Ben Brook (mentor since 2026-01-01)",
        )
    ]
    db["coaching_session"].insert(
        {
            "person_id": "ann",
            "coach_id": "ben",
            "held_on": "2027-01-19",
            "topic": "reports",
            "finding_ids": "1, 2",
        }
    )
    assert coaching_suggestions(db, TODAY).is_empty()


# -------------------------------------------------------------------- loader
def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.csv").write_text(text, encoding="utf-8")


def test_the_loader_names_file_row_and_column_and_writes_nothing(db, tmp_path: Path) -> None:
    folder = tmp_path / "gov"
    _write(folder, "courses", "id,title,kind\nK1,Course,course\n")
    _write(
        folder,
        "training_records",
        "person_id,course_id,completed_on\nann,K1,2026-01-01\nzed,K1,2026-01-02\n",
    )
    before = _dump(db)
    with pytest.raises(UserError) as error:
        load_governance(db, [folder])
    assert error.value.file.endswith("training_records.csv") and error.value.row == 3
    assert error.value.column == "person_id" and "'zed' is not in the database" in str(error.value)
    assert _dump(db) == before
    _write(folder, "training_records", "person_id,course_id,completed_on\nann,K1,2026-13-01\n")
    with pytest.raises(UserError, match=r"row 2, column 'completed_on': '2026-13-01' is not a d"):
        load_governance(db, [folder])
    _write(folder, "training_records", "person_id,course_id,completed_on\nann,K1,2026-01-01\n")
    assert load_governance(db, [folder]) == {"course": 1, "training_record": 1}
