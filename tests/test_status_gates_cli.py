"""`pmo-tui status`, `raid`, `gate` and `digest` on the tiny organisation of test_tui_support.

Each write is checked in the store and in the change log; user mistakes exit 2
with one message and leave the database as it was.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_tui_support import build_small_db

from pmo_tui.cli import cli


@pytest.fixture
def db(tmp_path) -> Path:
    path = build_small_db(tmp_path / "org.db")
    with sqlite3.connect(path) as connection:  # P-CRM follows a methodology with two criteria
        connection.executescript(
            """
            INSERT INTO standard (id, version, kind, title, status) VALUES
                ('M', '1', 'methodology', 'Method', 'in_force');
            INSERT INTO gate_criterion VALUES
                ('M', '1', 'execution', 'accepted', 'Deliverables accepted'),
                ('M', '1', 'planning', 'baseline', 'Baseline approved'),
                ('M', '1', 'planning', 'risks', 'Risks owned');
            INSERT INTO project_methodology (project_id, standard_id, version) VALUES
                ('P-WEB', 'M', '1'), ('P-CRM', 'M', '1');
            """
        )
    return path


def _run(db: Path, *args: str, today: str = "2027-01-06"):
    return CliRunner().invoke(
        cli, ["--db", str(db), *args], obj={}, env={"PMO_TUI_TODAY": today}, catch_exceptions=False
    )


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


def test_status_reports_are_added_never_overwritten_and_listed_newest_first(db):
    first = _run(db, "status", "add", "P-CRM", "--overall", "green", "--risk", "amber",
                 "--summary", "fine", "--decisions", "Approve the vendor", today="2027-01-04")  # fmt: skip
    assert first.exit_code == 0, first.output
    second = _run(db, "status", "add", "P-CRM", "--overall", "amber", "--cost", "red",
                  "--percent-complete", "20", "--actual-cost", "5000")  # fmt: skip
    assert second.exit_code == 0, second.output
    again = _run(db, "status", "add", "P-CRM", "--overall", "red")

    assert again.exit_code == 2
    assert "already has a status report dated 2027-01-06" in again.output
    assert _rows(
        db,
        "SELECT reported_on, overall, budget, risk, percent_complete, decisions_needed "
        "FROM status_report ORDER BY reported_on",
    ) == [  # fmt: skip
        ("2027-01-04", "green", None, "amber", None, "Approve the vendor"),
        ("2027-01-06", "amber", "red", None, 20.0, None),
    ]
    history = json.loads(_run(db, "status", "history", "P-CRM", "--format", "json").output)
    assert [(h["reported_on"], h["overall"], h["cost"]) for h in history] == [
        ("2027-01-06", "amber", "red"),
        ("2027-01-04", "green", None),
    ]
    assert _rows(db, "SELECT count(*) FROM change_log WHERE entity = 'status_report'") == [(2,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("status", "add", "P-NONE", "--overall", "green"), "unknown project 'P-NONE'"),
        (
            ("status", "add", "P-CRM", "--overall", "green", "--percent-complete", "120"),
            "between 0 and 100",
        ),
        (
            ("raid", "add", "P-CRM", "--kind", "risk", "--title", "x"),
            "needs a probability and an impact",
        ),
        (
            ("raid", "add", "P-CRM", "--kind", "issue", "--title", "x", "--probability", "3"),
            "only a risk",
        ),
        (
            (
                "raid",
                "add",
                "P-CRM",
                "--kind",
                "risk",
                "--title",
                "x",
                "--probability",
                "6",
                "--impact",
                "2",
            ),
            "probability must be 1 to 5",
        ),
    ],  # fmt: skip
)
def test_bad_input_is_one_message_and_writes_nothing(db, args, message):
    result = _run(db, *args)
    assert result.exit_code == 2 and message in result.output
    assert _rows(db, "SELECT count(*) FROM status_report") == [(0,)]
    assert _rows(db, "SELECT count(*) FROM raid_entry") == [(0,)]


def test_the_raid_log_adds_lists_by_score_and_closes(db):
    for title, probability, impact in (("low", 1, 2), ("high", 4, 5), ("mid", 3, 3)):
        added = _run(db, "raid", "add", "P-CRM", "--kind", "risk", "--title", title,
                     "--probability", str(probability), "--impact", str(impact))  # fmt: skip
        assert added.exit_code == 0, added.output
    _run(db, "raid", "add", "P-WEB", "--kind", "action", "--title", "call", "--due", "2027-01-10")
    listed = json.loads(_run(db, "raid", "list", "--project", "P-CRM", "--format", "json").output)
    assert [(e["title"], e["score"]) for e in listed] == [("high", 20), ("mid", 9), ("low", 2)]

    closed = _run(db, "raid", "close", "2", "--reason", "mitigated")
    assert closed.exit_code == 0
    assert _run(db, "raid", "close", "2", "--reason", "again").exit_code == 2
    still_open = json.loads(_run(db, "raid", "--open", "--format", "json").output)
    assert sorted(e["title"] for e in still_open) == ["call", "low", "mid"]


def test_gate_decisions_and_the_phase_change_rule(db):
    refused = _run(db, "gate", "advance", "P-WEB", "execution")
    assert refused.exit_code == 2 and "the planning gate is not approved" in refused.output

    deferred = _run(db, "gate", "decide", "P-WEB", "--decision", "deferred", "--by", "Board")
    assert deferred.exit_code == 0
    assert _run(db, "gate", "advance", "P-WEB", "execution").exit_code == 2

    no_conditions = _run(db, "gate", "decide", "P-WEB", "--decision", "approved_with_conditions",
                         "--by", "Board")  # fmt: skip
    assert no_conditions.exit_code == 2 and "needs its conditions" in no_conditions.output
    unknown = _run(db, "gate", "decide", "P-WEB", "--decision", "approved", "--by", "Board",
                   "--not-met", "budget")  # fmt: skip
    assert unknown.exit_code == 2 and "use baseline, risks" in unknown.output

    approved = _run(db, "gate", "decide", "P-WEB", "--decision", "approved_with_conditions",
                    "--by", "Board", "--not-met", "risks", "--conditions", "Owners by Friday",
                    "--advance")  # fmt: skip
    assert approved.exit_code == 0, approved.output
    assert "now in execution" in approved.output
    assert _rows(db, "SELECT phase FROM project WHERE id = 'P-WEB'") == [("execution",)]
    assert _rows(db, "SELECT phase, passed_on, decided_by FROM gate") == [
        ("planning", "2027-01-06", "Board")
    ]
    assert _rows(db, "SELECT criterion_id, met FROM gate_check ORDER BY criterion_id") == [
        ("baseline", 1),
        ("risks", 0),
    ]
    assert _rows(db, "SELECT decision FROM gate_decision ORDER BY id") == [
        ("deferred",),
        ("approved_with_conditions",),
    ]
    twice = _run(db, "gate", "decide", "P-WEB", "--decision", "approved", "--by", "Board",
                 "--phase", "planning")  # fmt: skip
    assert twice.exit_code == 2 and "was approved on 2027-01-06" in twice.output


def test_skipping_two_phases_names_both_gates_and_a_fix_that_runs(db):
    refused = _run(db, "gate", "advance", "P-WEB", "closing")

    assert refused.exit_code == 2
    assert "the planning and execution gates are not approved" in refused.output
    fix = re.search(r"`pmo-tui (gate decide [^`]+)`", refused.output)
    assert fix and "--phase planning" in fix.group(1) and "of each, in order" in refused.output
    decided = _run(db, *fix.group(1).replace("NAME", "Board").split())
    assert decided.exit_code == 0, decided.output
    still = _run(db, "gate", "advance", "P-WEB", "closing")
    assert still.exit_code == 2 and "the execution gate is not approved" in still.output
    forced = _run(db, "gate", "advance", "P-WEB", "closing", "--force", "--reason", "Board order")
    assert "(override of the execution gate, logged)" in forced.output


def test_a_forced_phase_change_needs_a_reason_and_is_logged(db):
    no_reason = _run(db, "gate", "advance", "P-CRM", "closing", "--force")
    assert no_reason.exit_code == 2 and "needs a reason" in no_reason.output

    forced = _run(db, "gate", "advance", "P-CRM", "closing", "--force", "--reason", "Board order")

    assert forced.exit_code == 0
    assert "override of the execution gate, logged" in forced.output
    logged = _rows(
        db, "SELECT action, reason, after FROM change_log WHERE entity = 'project:P-CRM'"
    )
    assert logged[0][:2] == ("phase_override", "Board order")
    assert json.loads(logged[0][2]) == {"phase": "closing", "gates_overridden": ["execution"]}
    back = _run(db, "gate", "advance", "P-CRM", "planning")  # moving back needs no gate
    assert back.exit_code == 0
    assert _rows(db, "SELECT action FROM change_log WHERE entity = 'project:P-CRM' ORDER BY id")[
        -1
    ] == ("phase_change",)


def test_a_csv_import_cannot_move_a_project_past_a_gate(db, tmp_path):
    header = "id,name,program_id,phase,priority,start,finish,rag\n"
    rows = (
        "P-CRM,CRM upgrade,PG-1,planning,1,2027-01-04,2027-01-29,red\n"  # back: no gate needed
        "P-WEB,Web shop,PG-1,closing,3,2027-01-04,2027-01-29,green\n"  # planning -> closing
    )
    csv_file = tmp_path / "projects.csv"
    csv_file.write_text(header + rows, encoding="utf-8")

    refused = _run(db, "import", "csv", str(csv_file))

    assert refused.exit_code == 2
    assert (
        "row 3, column 'phase': P-WEB cannot move from planning to closing by an import: "
        "the planning and execution gates are not passed"
    ) in refused.output
    assert "gate advance P-WEB closing --force" in refused.output
    assert _rows(
        db, "SELECT id, phase FROM project WHERE id IN ('P-CRM', 'P-WEB') ORDER BY id"
    ) == [
        ("P-CRM", "execution"),
        ("P-WEB", "planning"),
    ]  # all or nothing
    for phase in ("planning", "execution"):
        decided = _run(db, "gate", "decide", "P-WEB", "--phase", phase, "--decision", "approved",
                       "--by", "Board")  # fmt: skip
        assert decided.exit_code == 0, decided.output
    assert _run(db, "import", "csv", str(csv_file)).exit_code == 0
    assert _rows(
        db, "SELECT id, phase FROM project WHERE id IN ('P-CRM', 'P-WEB') ORDER BY id"
    ) == [
        ("P-CRM", "planning"),
        ("P-WEB", "closing"),
    ]


def test_the_digest_command_prints_its_sections(db):
    _run(db, "raid", "add", "P-CRM", "--kind", "action", "--title", "Book it", "--due",
         "2027-01-02", today="2027-01-01")  # fmt: skip
    result = _run(db, "digest", "--since", "2027-01-01")
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("# Portfolio digest, 2027-01-01 to 2027-01-06")
    for title in ("Status changes", "Blocked across projects", "Contested people",
                  "Overdue actions", "Gate decisions", "Gates coming up"):  # fmt: skip
        assert f"## {title}" in text
    assert "| ann | Ann Archer | P-CRM, P-WEB | 2 | 20.0 |" in text
    assert "| P-CRM | Book it |" in text


def test_dependency_list_shows_every_dependency_with_its_state_and_filters(db):
    with sqlite3.connect(db) as connection:
        connection.executescript(
            """
            INSERT INTO dependency (from_project_id, to_project_id, kind, due, deliverable)
                VALUES ('P-CRM', 'P-WEB', 'deliverable', '2027-01-20', 'API');
            INSERT INTO dependency (from_project_id, to_project_id, kind)
                VALUES ('P-WEB', 'P-DWH', 'finish_to_start');
            """
        )

    listed = json.loads(_run(db, "dependency", "list", "--format", "json").output)

    # P-WEB finishes 2027-01-29; P-DWH starts 2027-01-04 and needs it then: 25 days late.
    # The API is expected when due (P-CRM has no slip reported): on track, no slack.
    assert [
        (d["from_project_id"], d["to_project_id"], d["needed_by"], d["expected"],
         d["slack_days"], d["state"])
        for d in listed
    ] == [
        ("P-WEB", "P-DWH", "2027-01-04", "2027-01-29", -25, "late"),
        ("P-CRM", "P-WEB", "2027-01-20", "2027-01-20", 0, "on track"),
    ]  # fmt: skip
    only_dwh = json.loads(_run(db, "dependency", "--project", "P-DWH", "--format", "json").output)
    assert [d["reason"] for d in only_dwh] == ["expected 25 days after it is needed"]
    on_track = _run(db, "dependency", "list", "--state", "on-track", "--format", "json")
    assert [d["deliverable"] for d in json.loads(on_track.output)] == ["API"]


def test_a_deliverable_without_its_date_is_refused_by_row_and_column(db, tmp_path):
    csv_file = tmp_path / "dependencies.csv"
    csv_file.write_text(
        "from_project_id,to_project_id,kind,due\nP-CRM,P-WEB,deliverable,2027-01-20\n"
        "P-DWH,P-OPS,deliverable,\n",
        encoding="utf-8",
    )
    result = _run(db, "import", "csv", str(csv_file))
    assert result.exit_code == 2
    assert "row 3, column 'due': a deliverable needs the date it is needed by" in result.output
    assert _rows(db, "SELECT count(*) FROM dependency") == [(0,)]
