"""Each audit rule kind on the small governed portfolio: which projects it flags and why.

The expectations are worked out by hand from ``governance_support`` (its
docstring and row comments): ages in days to TODAY 2027-01-20, percentages of
the 25-day project duration or the budget.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from governance_support import TODAY, build_governed_db, one_rule

from pmo_tui.bootstrap import open_database
from pmo_tui.errors import UserError
from pmo_tui.governance.checks import CHECKS
from pmo_tui.governance.context import AuditContext
from pmo_tui.governance.rules import load_rules, parse_rules


@pytest.fixture
def db(tmp_path: Path):
    database = open_database(build_governed_db(tmp_path / "g.db"), seed_demo=False)
    yield database
    database.close()


def hits(db, kind: str, today: dt.date = TODAY, **params) -> list[tuple[str, str]]:
    rule = one_rule(kind, **params).rules[0]
    return [(h.project_id, h.subject) for h in CHECKS[kind](AuditContext.read(db, today), rule)]


def test_artefact_missing_or_stale(db) -> None:
    # P-CRM risk 50 days > 30 (the requirement's own limit); P-OPS (closing, M 2.0 assumed)
    # has no lessons; P-WEB's plan is 10 days old and has no age limit; P-DWH (M 1.0) risk
    # has no limit; P-WEB's risk of 2027-02-01 is after the audit date and not looked at.
    assert hits(db, "artefact_missing_or_stale") == [("P-CRM", "risk"), ("P-OPS", "lessons")]
    # With a default limit of 20 days P-DWH's 36-day-old risk register is stale too.
    assert hits(db, "artefact_missing_or_stale", max_age_days=20) == [
        ("P-CRM", "risk"),
        ("P-DWH", "risk"),
        ("P-OPS", "lessons"),
    ]


def test_status_report_age(db) -> None:
    # P-WEB last reported 2026-12-30 (21 days > 14); P-DWH never, started 2027-01-04 (16 days).
    assert hits(db, "status_report_age", max_days=14) == [("P-DWH", ""), ("P-WEB", "")]
    assert hits(db, "status_report_age", max_days=21) == []  # 21 is not more than 21
    assert hits(db, "status_report_age", max_days=14, phases=["planning"]) == [("P-WEB", "")]


def test_budget_variance(db) -> None:
    # 16 of 25 days elapsed: planned 64,000. P-CRM spent 80,000: (80-64)/100 = 16 %;
    # P-DWH spent 70,000: 6 %. Projects without a budget are skipped.
    assert hits(db, "variance", measure="budget", max_percent=10.0) == [("P-CRM", "budget")]
    assert hits(db, "variance", measure="budget", max_percent=16.0) == []
    assert hits(db, "variance", measure="budget", max_percent=5.0) == [
        ("P-CRM", "budget"),
        ("P-DWH", "budget"),
    ]


def test_schedule_variance(db) -> None:
    # P-OPS forecasts 2027-02-12 against 2027-01-29: 14 of 25 days = 56 %; P-CRM on time.
    assert hits(db, "variance", measure="schedule", max_percent=50.0) == [("P-OPS", "schedule")]
    assert hits(db, "variance", measure="schedule", max_percent=56.0) == []


def test_key_people_over_capacity(db) -> None:
    # Ann: 50 h in 40 h weeks 2027-01-04 and -11; top person by hours on P-CRM (40 h/week)
    # and, tied with Ben on P-WEB at 10 h/week, first by id. P-DWH's Cat and P-OPS's Dan fit.
    monday = dt.date(2027, 1, 6)
    assert hits(db, "key_people_over_capacity", today=monday, top_people=1) == [
        ("P-CRM", "ann"),
        ("P-WEB", "ann"),
    ]
    # Overload of 10 h does not reach a threshold of 12 h; from week 3 Ann fits.
    assert hits(db, "key_people_over_capacity", today=monday, min_over_hours=12.0) == []
    assert hits(db, "key_people_over_capacity", today=TODAY) == []


def test_gate_without_criteria(db) -> None:
    # P-CRM passed initiation with c-sponsor met but c-case not recorded; P-WEB had both;
    # P-DWH follows M 1.0, which has no gate criteria.
    assert hits(db, "gate_without_criteria") == [("P-CRM", "initiation")]
    assert hits(db, "gate_without_criteria", today=dt.date(2027, 1, 4)) == []  # not passed yet


def test_finding_overdue(db) -> None:
    # Finding 1 (open, due 01-10) is overdue; 2 is resolved; 3 is minor (below major);
    # 4 is due 01-25.
    assert hits(db, "finding_overdue", min_severity="major") == [("P-WEB", "finding 1")]
    assert hits(db, "finding_overdue", min_severity="minor") == [
        ("P-WEB", "finding 1"),
        ("P-OPS", "finding 3"),
    ]
    assert hits(db, "finding_overdue", grace_days=10) == []  # 10 days late is within grace


def test_the_default_rule_file_is_valid() -> None:
    kinds = {rule.kind for rule in load_rules().rules}
    assert kinds == set(CHECKS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[rule]]\nid = "a"\nkind = "nope"\nseverity = "major"',
            "test.toml, line 1: rule 'a', key 'kind': unknown kind 'nope'. Fix: use one of ",
        ),
        (
            (
                '[[rule]]\nid = "a"\nkind = "status_report_age"\nseverity = "major"\n\n'
                '[[rule]]\nid = "b"\nkind = "status_report_age"\nseverity = "major"\nmax_days = "x"'
            ),
            "test.toml, line 1: rule 'a', key 'max_days': max_days is missing",
        ),
        (
            '[[rule]]\nid = "a"\nkind = "variance"\nseverity = "bad"',
            "key 'severity': unknown severity 'bad'",
        ),
        (
            '[[rule]]\nid = "a"\nkind = "gate_without_criteria"\nseverity = "minor"\nmax_days = 3',
            "key 'max_days': unknown key 'max_days' for kind gate_without_criteria",
        ),
        (
            '[[rule]]\nid = "a"\nkind = "status_report_age"\nseverity = "minor"\nmax_days = -1',
            "max_days must be 0 or more, not -1",
        ),
        ("[[rule]\nid = 1", "test.toml: not valid TOML"),
        (
            (
                '[[rule]]\nid = "a"\nkind = "gate_without_criteria"\nseverity = "minor"\n'
                '[[rule]]\nid = "a"\nkind = "gate_without_criteria"\nseverity = "minor"'
            ),
            "test.toml, line 5: rule id 'a' is used twice",
        ),
    ],
)
def test_a_bad_rule_file_names_line_rule_key_and_fix(text: str, expected: str) -> None:
    with pytest.raises(UserError) as error:
        parse_rules(text, "test.toml")
    assert expected in error.value.render()
    assert "Fix:" in error.value.render()


def test_second_bad_rule_is_reported_at_its_line() -> None:
    text = (
        '[[rule]]\nid = "a"\nkind = "status_report_age"\nseverity = "major"\nmax_days = 3\n\n'
        '[[rule]]\nid = "b"\nkind = "status_report_age"\nseverity = "major"\nmax_days = "x"'
    )
    with pytest.raises(UserError, match=r"line 7: rule 'b', key 'max_days': max_days must be"):
        parse_rules(text, "test.toml")
