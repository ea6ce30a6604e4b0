"""Health, earned value, roll-up rules, the watermelon check, dependencies and the digest.

Every expectation is worked out by hand from the rows written here, on the tiny
organisation of test_tui_support (four projects from 2027-01-04 to 2027-01-29;
Ann booked 50 h in 40 h weeks on P-CRM and P-WEB in the first two weeks; P-DWH
has 10 h of its 30 h weekly analyst demand unstaffed).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from test_tui_support import build_small_db

from pmo_tui.errors import UserError
from pmo_tui.portfolio_health.board import board_data
from pmo_tui.portfolio_health.data import read_portfolio
from pmo_tui.portfolio_health.dependencies import dependency_states
from pmo_tui.portfolio_health.digest import build_digest
from pmo_tui.portfolio_health.evm import earned_value, planned_fraction
from pmo_tui.portfolio_health.health import project_health
from pmo_tui.portfolio_health.rag import roll_up
from pmo_tui.portfolio_health.watermelon import watermelon_flags
from pmo_tui.store.db import connect

D = dt.date
AS_OF = D(2027, 1, 6)


# ------------------------------------------------------------------ earned value
def test_earned_value_by_hand():
    projects = pl.DataFrame(
        {
            "budget": [1000.0, 1000.0, 1000.0],
            "start": [D(2027, 1, 1)] * 3,
            "finish": [D(2027, 1, 11)] * 3,
            "percent_complete": [40.0, None, 40.0],
            "actual_cost": [500.0, 500.0, 0.0],
        }
    )
    row, no_progress, no_cost = earned_value(projects, D(2027, 1, 6)).iter_rows(named=True)
    # 5 of 10 days elapsed: PV = 500; EV = 40 % of 1000 = 400; AC = 500.
    assert (row["pv"], row["ev"], row["ac"]) == (500.0, 400.0, 500.0)
    assert (row["cv"], row["sv"]) == (-100.0, -100.0)
    assert row["cpi"] == pytest.approx(0.8) and row["spi"] == pytest.approx(0.8)
    # EAC = BAC / CPI = 1250; ETC = EAC - AC = 750; VAC = BAC - EAC = -250.
    assert row["eac"] == pytest.approx(1250.0)
    assert row["etc"] == pytest.approx(750.0) and row["vac"] == pytest.approx(-250.0)
    assert no_progress["ev"] is None and no_progress["cpi"] is None and no_progress["eac"] is None
    assert no_progress["pv"] == 500.0
    assert no_cost["cpi"] is None and no_cost["eac"] is None  # AC 0: no index


def test_planned_fraction_is_clipped_to_the_baseline():
    frame = pl.DataFrame({"start": [D(2027, 1, 10)], "finish": [D(2027, 1, 20)]})
    fraction = [
        frame.select(planned_fraction(pl.col("start"), pl.col("finish"), day)).item()
        for day in (D(2027, 1, 1), D(2027, 1, 12), D(2027, 2, 1))
    ]
    assert fraction == [0.0, pytest.approx(0.2), 1.0]


# ------------------------------------------------------------------ roll-up rules
ROLLUP = pl.DataFrame(
    {
        "portfolio_id": ["A", "A", "A", "B", "B"],
        "rag": ["green", "red", "amber", "green", None],
        "budget": [100.0, 300.0, None, 50.0, 999.0],
    }
)


def test_worst_of_roll_up():
    rolled = roll_up(ROLLUP, "portfolio_id", "worst")
    assert rolled.select("portfolio_id", "rag", "projects").rows() == [
        ("A", "red", 3),
        ("B", "green", 1),
    ]


def test_budget_weighted_roll_up():
    rolled = roll_up(ROLLUP, "portfolio_id", "budget")
    # A: mean budget of the rated projects that have one = (100 + 300 + 50) / 3 = 150 for C;
    # score = (0 * 100 + 2 * 300 + 1 * 150) / 550 = 1.3636 -> amber. B: green only.
    a, b = rolled.iter_rows(named=True)
    assert a["score"] == pytest.approx(750 / 550) and a["rag"] == "amber"
    assert b["rag"] == "green" and b["score"] == 0.0


def test_an_unknown_rule_names_the_option():
    with pytest.raises(UserError, match="--rollup"):
        roll_up(ROLLUP, "portfolio_id", "average")


# ------------------------------------------------------------------ a governed tiny org
@pytest.fixture
def org(tmp_path):
    db = connect(build_small_db(tmp_path / "org.db"))
    db["project"].update("P-DWH", {"budget": 1000.0})
    db["project"].update("P-WEB", {"finish": "2027-01-05"})
    reports = [
        ("P-CRM", "2027-01-05", "green", None, None, "2027-01-29"),
        ("P-WEB", "2027-01-05", "green", None, None, None),
        ("P-DWH", "2027-01-05", "green", 10.0, 200.0, "2027-02-08"),
        ("P-OPS", "2026-12-29", "green", None, None, None),
        ("P-OPS", "2027-01-05", "amber", None, None, None),
    ]
    for project_id, day, overall, progress, cost, forecast in reports:
        db["status_report"].insert(
            {
                "project_id": project_id,
                "reported_on": day,
                "overall": overall,
                "schedule": "green",
                "percent_complete": progress,
                "actual_cost": cost,
                "forecast_finish": forecast,
            }
        )
    return db


def _flags(db) -> set[tuple[str, str]]:
    data = read_portfolio(db, AS_OF)
    flags = watermelon_flags(data, project_health(data))
    return set(flags.select("project_id", "kind").rows()), flags


def test_the_watermelon_check_names_each_kind_of_evidence(org):
    org["finding"].insert(
        {
            "project_id": "P-OPS",
            "rule": "gate-criteria",
            "category": "gate_without_criteria",
            "severity": "critical",
            "description": "gate passed without criteria",
            "due": "2027-01-01",
            "status": "open",
            "opened": "2026-12-01",
        }  # fmt: skip
    )
    org.execute("DELETE FROM status_report WHERE project_id = 'P-OPS' AND overall = 'amber'")
    kinds, flags = _flags(org)
    assert kinds == {
        ("P-CRM", "key people over-allocated"),
        ("P-DWH", "unmet critical demand"),
        ("P-DWH", "CPI below threshold"),
        ("P-WEB", "past due"),
        ("P-OPS", "overdue critical finding"),
    }
    evidence = dict(zip(flags["kind"] + flags["project_id"], flags["evidence"], strict=True))
    assert evidence["key people over-allocatedP-CRM"] == (
        "Ann Archer (ann) booked 50.0 h against 40.0 h capacity in the week of 2027-01-04"
    )
    # 10 h a week unstaffed over the four weeks of the look-ahead.
    assert evidence["unmet critical demandP-DWH"] == (
        "40.0 h of ba demand unmet in the weeks 2027-01-04 to 2027-01-25"
    )
    # EV = 10 % of 1000 = 100, AC = 200: CPI 0.5.
    assert evidence["CPI below thresholdP-DWH"] == "CPI 0.5 is below 0.9"
    assert (
        "planned finish 2027-01-05 is past; the project is in planning"
        in (evidence["past dueP-WEB"])
    )
    assert evidence["overdue critical findingP-OPS"].startswith("finding 1 (gate-criteria) was due")


def test_the_watermelon_check_flags_spi_and_a_gate_past_due_until_it_is_passed(org):
    # P-CRM: budget 1000, reported green and 4 % complete on 2027-01-06, 2 of its 25 planned days elapsed:
    # PV = 1000 x 2 / 25 = 80, EV = 40, SPI = 0.5 (no actual cost: no CPI).
    org["project"].update("P-CRM", {"budget": 1000.0})
    org["status_report"].insert(
        {
            "project_id": "P-CRM",
            "reported_on": "2027-01-06",
            "overall": "green",
            "percent_complete": 4.0,
        }  # fmt: skip
    )
    # P-WEB in planning from 2026-12-01 to 2027-02-28 (89 days): its planning gate is
    # planned 25 % in, floor(22.25) = 22 days: 2026-12-23, before 2027-01-06.
    org["project"].update("P-WEB", {"start": "2026-12-01", "finish": "2027-02-28"})

    kinds, flags = _flags(org)

    evidence = dict(zip(flags["kind"] + flags["project_id"], flags["evidence"], strict=True))
    assert evidence["SPI below thresholdP-CRM"] == "SPI 0.5 is below 0.9"
    assert ("P-CRM", "CPI below threshold") not in kinds
    assert evidence["past dueP-WEB"] == (
        "the planning gate was planned for 2026-12-23 and is not approved"
    )
    org["gate"].insert({"project_id": "P-WEB", "phase": "planning", "passed_on": "2027-01-05"})
    kinds, _ = _flags(org)
    assert ("P-WEB", "past due") not in kinds


def test_unmet_demand_in_one_week_is_named_as_that_week(org):
    # Cat covers all 30 h of P-DWH's analyst demand from the second week: 10 h unmet in
    # the first week only.
    org.execute(
        "UPDATE allocation SET hours = 30 WHERE project_id = 'P-DWH' AND week > '2027-01-04'"
    )
    _, flags = _flags(org)
    unmet = flags.filter(
        (pl.col("project_id") == "P-DWH") & (pl.col("kind") == "unmet critical demand")
    )
    assert unmet["evidence"].to_list() == ["10.0 h of ba demand unmet in the week of 2027-01-04"]


def test_a_finding_resolved_after_the_status_date_was_overdue_then(org):
    org["finding"].insert(
        {
            "project_id": "P-CRM",
            "rule": "gate-criteria",
            "category": "gate_without_criteria",
            "severity": "critical",
            "description": "gate passed without criteria",
            "due": "2027-01-01",
            "status": "resolved",
            "opened": "2026-12-01",
        }  # fmt: skip
    )
    org["finding_history"].insert_all(
        [
            {
                "finding_id": 1,
                "at": "2026-12-01T09:00:00+00:00",
                "who": "audit",
                "from_status": None,
                "to_status": "open",
                "reason": "audit",
            },
            {
                "finding_id": 1,
                "at": "2027-01-03T10:00:00+00:00",
                "who": "ann",
                "from_status": "open",
                "to_status": "in_progress",
                "reason": "started",
            },
            {
                "finding_id": 1,
                "at": "2027-01-07T10:00:00+00:00",
                "who": "ann",
                "from_status": "in_progress",
                "to_status": "resolved",
                "reason": "fixed",
            },
        ]  # fmt: skip
    )
    statuses = [
        read_portfolio(org, day).findings["status"].to_list()
        for day in (D(2027, 1, 2), D(2027, 1, 3), AS_OF, D(2027, 1, 7))
    ]
    assert statuses == [["open"], ["in_progress"], ["in_progress"], ["resolved"]]
    # P-CRM reported green on 2027-01-05; on 2027-01-06 the finding was overdue and open.
    kinds, flags = _flags(org)
    assert ("P-CRM", "overdue critical finding") in kinds
    assert (
        "was due 2027-01-01, still in_progress"
        in flags.filter(pl.col("kind") == "overdue critical finding")["evidence"].item()
    )


def test_a_project_not_reported_green_is_never_a_watermelon(org):
    kinds, _ = _flags(org)
    assert not any(project == "P-OPS" for project, _ in kinds)  # its latest report is amber


def test_health_uses_the_report_then_the_data_and_gives_the_trend(org):
    data = read_portfolio(org, AS_OF)
    health = {row["project_id"]: row for row in project_health(data).iter_rows(named=True)}
    ops, dwh = health["P-OPS"], health["P-DWH"]
    assert (ops["overall"], ops["previous_overall"], ops["trend"]) == ("amber", "green", "worsened")
    assert dwh["trend"] == "new" and dwh["overall_source"] == "status report"
    # P-DWH: forecast 2027-02-08 after the planned 2027-01-29 -> schedule indicated amber;
    # the report's own schedule (green) wins for the health; CPI 0.5 -> cost red.
    assert dwh["indicated_schedule"] == "amber" and dwh["health_schedule"] == "green"
    assert dwh["indicated_cost"] == "red" and dwh["health_cost"] == "red"
    # A third of P-DWH's demand is unmet: 40 of 120 h -> resources red (25 % or more).
    assert dwh["unmet_share"] == pytest.approx(40 / 120) and dwh["health_resources"] == "red"


# ------------------------------------------------------------------ dependencies
def test_dependency_state_from_both_projects_dates_and_status(org):
    org["dependency"].insert_all(
        [
            {
                "from_project_id": "P-CRM",
                "to_project_id": "P-WEB",
                "kind": "deliverable",
                "due": "2027-01-20",
                "deliverable": "API",
            },
            {
                "from_project_id": "P-DWH",
                "to_project_id": "P-OPS",
                "kind": "deliverable",
                "due": "2027-01-15",
                "deliverable": "data model",
            },
            {
                "from_project_id": "P-OPS",
                "to_project_id": "P-CRM",
                "kind": "deliverable",
                "due": "2027-01-20",
                "deliverable": "runbook",
            },
            {"from_project_id": "P-WEB", "to_project_id": "P-DWH", "kind": "finish_to_start"},
        ]  # fmt: skip
    )
    states = dependency_states(read_portfolio(org, AS_OF))
    got = {
        (row["from_project_id"], row["to_project_id"]): (
            row["state"],
            row["slack_days"],
            row["reason"],
        )
        for row in states.iter_rows(named=True)
    }
    assert got[("P-CRM", "P-WEB")] == ("on track", 0, "0 days of slack")
    # P-DWH forecasts 2027-02-08 against 2027-01-29: 10 days of slip moves the data model
    # from 2027-01-15 to 2027-01-25, ten days after it is needed.
    assert got[("P-DWH", "P-OPS")] == ("late", -10, "expected 10 days after it is needed")
    assert got[("P-OPS", "P-CRM")][0:2] == ("at risk", 0)
    assert "overall amber" in got[("P-OPS", "P-CRM")][2]
    # P-WEB finishes 2027-01-05, P-DWH started 2027-01-04: late by one day.
    assert got[("P-WEB", "P-DWH")][0:2] == ("late", -1)
    assert states["state"].to_list()[:2] == ["late", "late"]


def test_a_raid_entry_closed_after_the_status_date_was_open_then(org):
    org["raid_entry"].insert_all(
        [
            {
                "project_id": "P-CRM",
                "kind": "action",
                "title": "Call the vendor",
                "owner": "Ben",
                "raised_on": "2026-12-20",
                "due": "2027-01-02",
                "state": "closed",
                "closed_on": "2027-01-08",
            },
            {
                "project_id": "P-CRM",
                "kind": "risk",
                "title": "Vendor late",
                "owner": "Ben",
                "raised_on": "2026-12-20",
                "probability": 4,
                "impact": 5,
                "state": "closed",
                "closed_on": "2027-01-05",
            },
        ]  # fmt: skip
    )
    then = build_digest(read_portfolio(org, AS_OF), D(2027, 1, 1))
    # On 2027-01-06 the action (due 2027-01-02, closed on 2027-01-08) was 4 days overdue;
    # the risk closed on 2027-01-05 was closed already.
    assert then.overdue_actions.select("title", "days_overdue").rows() == [("Call the vendor", 4)]
    states = dict(read_portfolio(org, AS_OF).raid.select("title", "state").rows())
    assert states == {"Call the vendor": "open", "Vendor late": "closed"}
    later = build_digest(read_portfolio(org, D(2027, 1, 8)), D(2027, 1, 1))
    assert later.overdue_actions.is_empty()


# ------------------------------------------------------------------ capacity outlook
def test_capacity_outlook_and_hiring_bottleneck_by_hand(org):
    org.execute("UPDATE demand_week SET hours = 100 WHERE demand_id = 'D3'")

    board = board_data(read_portfolio(org, AS_OF))

    # Four 40 h weeks from 2027-01-04, all in 2027-Q1. dev: Ann, Ben and Dan hold it,
    # 3 x 40 x 4 = 480 h against D1 40 x 4 + D2 20 x 2 + D4 10 x 2 = 220 h (46 %).
    # ba: Ben and Cat, 2 x 40 x 4 = 320 h against D3 100 x 4 = 400 h (125 %).
    assert board.outlook.rows() == [
        ("ba", "2027-Q1", 400.0, 320.0, 125.0),
        ("dev", "2027-Q1", 220.0, 480.0, 46.0),
    ]
    # Only Ben and Cat qualify for D3 (ba level 2+): 80 h a week against 100, 20 h short
    # each week, 80 h in the quarter = 80 / 40 h / 4 weeks = 0.5 FTE to hire.
    assert board.bottlenecks.rows() == [("ba", "2027-Q1", 80.0, 0.5)]
    assert board.heatmap.rows() == [("ba", "2027-01", 125.0), ("dev", "2027-01", 46.0)]


def test_decisions_needed_come_from_latest_reports_and_open_raid_decisions(org):
    org["status_report"].insert_all(
        [
            {
                "project_id": "P-OPS",
                "reported_on": "2027-01-06",
                "overall": "amber",
                "decisions_needed": "Fund the second shift",
            },
            {
                "project_id": "P-OPS",
                "reported_on": "2027-01-07",
                "overall": "amber",
                "decisions_needed": "After the status date",
            },
        ]  # fmt: skip
    )
    org["raid_entry"].insert_all(
        [
            {
                "project_id": "P-CRM",
                "kind": "decision",
                "title": "Pick the hosting region",
                "raised_on": "2027-01-02",
                "state": "open",
            },
            {
                "project_id": "P-WEB",
                "kind": "decision",
                "title": "Decided already",
                "raised_on": "2027-01-02",
                "state": "closed",
                "closed_on": "2027-01-03",
            },
            {
                "project_id": "P-WEB",
                "kind": "issue",
                "title": "Not a decision",
                "raised_on": "2027-01-02",
                "state": "open",
            },
        ]  # fmt: skip
    )

    board = board_data(read_portfolio(org, AS_OF))

    # P-OPS's latest report up to 2027-01-06 asks for one; the 2027-01-07 one is later.
    # The open RAID decision is RAID 1; the closed one and the issue are not decisions needed.
    assert board.decisions.rows() == [
        ("P-CRM", "RAID 1", "Pick the hosting region"),
        ("P-OPS", "status report", "Fund the second shift"),
    ]


# ------------------------------------------------------------------ digest
def test_the_digest_lists_changes_blocks_contested_people_actions_and_gates(org):
    org["raid_entry"].insert_all(
        [
            {
                "project_id": "P-CRM",
                "kind": "action",
                "title": "Book the rehearsal",
                "owner": "Ben",
                "raised_on": "2026-12-20",
                "due": "2027-01-02",
                "state": "open",
            },
            {
                "project_id": "P-CRM",
                "kind": "action",
                "title": "Done already",
                "owner": "Ben",
                "raised_on": "2026-12-20",
                "due": "2027-01-02",
                "state": "closed",
                "closed_on": "2027-01-03",
            },
            {
                "project_id": "P-WEB",
                "kind": "action",
                "title": "Not due yet",
                "owner": "Ann",
                "raised_on": "2026-12-20",
                "due": "2027-01-09",
                "state": "open",
            },
        ]  # fmt: skip
    )
    org["gate_decision"].insert(
        {
            "project_id": "P-WEB",
            "phase": "planning",
            "decision": "deferred",
            "decided_by": "Board",
            "decided_on": "2027-01-04",
        }  # fmt: skip
    )
    org["dependency"].insert(
        {"from_project_id": "P-WEB", "to_project_id": "P-DWH", "kind": "finish_to_start"}
    )
    digest = build_digest(read_portfolio(org, AS_OF), D(2027, 1, 1))

    changes = digest.status_changes.select("project_id", "previous", "overall").rows()
    # P-OPS was green on 2026-12-29 and is amber since; the others reported for the first time.
    assert ("P-OPS", "green", "amber") in changes
    assert {row[0] for row in changes} == {"P-CRM", "P-WEB", "P-DWH", "P-OPS"}
    assert digest.blocked.select("from_project_id", "state").rows() == [("P-WEB", "late")]
    assert digest.contested_people.rows() == [("ann", "Ann Archer", "P-CRM, P-WEB", 2, 20.0)]
    assert digest.overdue_actions.select("title", "days_overdue").rows() == [
        ("Book the rehearsal", 4)
    ]
    assert digest.gate_decisions.select("project_id", "decision").rows() == [("P-WEB", "deferred")]
    # Gates planned in the next 28 days: P-CRM and P-DWH (execution, 90 % of 25 days = 22.5,
    # rounded down: 2027-01-26)
    # and P-OPS (closing, 100 %: 2027-01-29); P-WEB's planning gate (2027-01-04) is past.
    assert digest.gates_coming_up.select("project_id", "planned_on").rows() == [
        ("P-CRM", D(2027, 1, 26)),
        ("P-DWH", D(2027, 1, 26)),
        ("P-OPS", D(2027, 1, 29)),
    ]
