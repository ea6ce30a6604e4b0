"""Pure view functions: portfolio roll-ups, heatmap, demand grid, findings, plan form.

Every expected value is computed by hand from the tiny organisation in
``test_tui_support`` (four weeks from 2027-01-04, 40 h capacity a week each):

* P-CRM demand D1 40 h x 4 = 160 h, Ann allocated 40 h x 4 = 160 h.
* P-WEB demand D2 20 h x 2 = 40 h, Ann 10 h + Ben 10 h in weeks 1-2 = 40 h.
* P-DWH demand D3 30 h x 4 = 120 h, Cat 20 h x 4 = 80 h.
* P-OPS demand D4 10 h x 2 = 20 h, Dan 8 h x 4 fixed load (no demand) = 32 h.
* Ann works 50 h in weeks 1-2 (125 %): over-allocated on P-CRM and P-WEB.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from test_tui_support import TODAY, WEEKS, build_small_db

from pmo_tui.bootstrap import open_database
from pmo_tui.domain.portfolio import (
    filter_nodes,
    node_summary,
    rag_label,
    tree_cells,
    visible_nodes,
)
from pmo_tui.errors import UserError
from pmo_tui.governance.findings import read_all_findings
from pmo_tui.tui.capacity_views import (
    demand_grid,
    filter_people,
    heatmap,
    person_week_allocations,
)
from pmo_tui.tui.data import CapacityData, load_capacity, load_portfolio
from pmo_tui.tui.findings_views import findings_view
from pmo_tui.tui.plan_form import policy_from_form


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small_db(tmp_path_factory.mktemp("portfolio") / "t.db")


@pytest.fixture(scope="module")
def nodes(db_path: Path) -> pl.DataFrame:
    return load_portfolio(db_path)


@pytest.fixture(scope="module")
def capacity(db_path: Path) -> CapacityData:
    return load_capacity(db_path)


def _node(nodes: pl.DataFrame, node_id: str) -> dict:
    return nodes.filter(pl.col("node_id") == node_id).row(0, named=True)


def test_tree_is_depth_first_with_projects_under_programs_and_portfolios(
    nodes: pl.DataFrame,
) -> None:
    assert nodes["node_id"].to_list() == [
        "portfolio:PF-A",
        "program:PG-1",
        "project:P-CRM",
        "project:P-WEB",
        "program:PG-2",
        "project:P-DWH",
        "portfolio:PF-B",
        "project:P-OPS",
    ]
    assert nodes["depth"].to_list() == [0, 1, 2, 2, 1, 2, 0, 1]
    assert _node(nodes, "project:P-OPS")["parent_id"] == "portfolio:PF-B"


def test_project_rows_carry_hours_and_over_allocated_people(nodes: pl.DataFrame) -> None:
    crm = _node(nodes, "project:P-CRM")
    assert (crm["demand_hours"], crm["allocated_hours"], crm["over_allocated_people"]) == (
        160.0,
        160.0,
        1,
    )
    ops = _node(nodes, "project:P-OPS")  # fixed load counts as allocated to the project
    assert (ops["demand_hours"], ops["allocated_hours"], ops["over_allocated_people"]) == (
        20.0,
        32.0,
        0,
    )


def test_rollups_sum_hours_take_the_worst_rag_and_count_people_once(nodes: pl.DataFrame) -> None:
    customer = _node(nodes, "program:PG-1")
    assert (customer["demand_hours"], customer["allocated_hours"]) == (200.0, 200.0)
    # Ann is over-allocated on both P-CRM and P-WEB: one person, not two.
    assert customer["over_allocated_people"] == 1
    assert (customer["rag"], customer["priority"], customer["project_count"]) == ("red", 1, 2)
    alpha = _node(nodes, "portfolio:PF-A")
    assert (alpha["demand_hours"], alpha["allocated_hours"]) == (320.0, 280.0)
    assert (alpha["green_count"], alpha["amber_count"], alpha["red_count"]) == (1, 1, 1)
    assert alpha["start"] == WEEKS[0] and alpha["finish"] == dt.date(2027, 1, 29)
    assert alpha["budget"] is None  # no project has a budget: unknown, not 0


def test_filter_keeps_ancestors_of_matches_and_descendants_of_matching_groups(
    nodes: pl.DataFrame,
) -> None:
    by_name = filter_nodes(nodes, "WAREHOUSE")
    assert by_name["node_id"].to_list() == ["portfolio:PF-A", "program:PG-2", "project:P-DWH"]
    by_manager = filter_nodes(nodes, "bo berg")  # manages portfolio Beta and P-OPS
    assert by_manager["node_id"].to_list() == ["portfolio:PF-B", "project:P-OPS"]
    by_status = filter_nodes(nodes, "red")
    assert "project:P-CRM" in by_status["node_id"].to_list()
    assert "project:P-OPS" not in by_status["node_id"].to_list()
    assert filter_nodes(nodes, "  ").height == nodes.height


def test_folding_hides_descendants_only(nodes: pl.DataFrame) -> None:
    folded = visible_nodes(nodes, {"program:PG-1"})
    assert "project:P-CRM" not in folded["node_id"].to_list()
    assert "program:PG-1" in folded["node_id"].to_list()
    assert visible_nodes(nodes, {"portfolio:PF-A"})["node_id"].to_list() == [
        "portfolio:PF-A",
        "portfolio:PF-B",
        "project:P-OPS",
    ]


def test_cells_and_summary_say_status_in_glyph_and_word(nodes: pl.DataFrame) -> None:
    assert rag_label("amber") == "▲ amber" and rag_label(None) == "-"
    cells = tree_cells(_node(nodes, "program:PG-1"), collapsed=True)
    assert cells[:4] == ["  ▸ Customer", "", "■ red", "1"]
    summary = dict(node_summary(_node(nodes, "portfolio:PF-A")))
    assert summary["coverage"] == "87.5 %"  # 280 / 320
    assert summary["projects"] == "3 (1 green, 1 amber, 1 red)"


def test_heatmap_cells_show_percentage_and_glyph(capacity: CapacityData) -> None:
    grid = heatmap(capacity.utilisation, capacity.people)
    assert grid.columns == ["person_id", "person", *[w.isoformat() for w in WEEKS]]
    assert grid["person"].to_list() == ["Ann Archer", "Ben Brook", "Cat Cole", "Dan Dorn"]
    ann = grid.row(0, named=True)
    assert ann["2027-01-04"] == "[reverse] 125% ▲[/]"  # 50 h of 40 h
    assert ann["2027-01-18"] == " 100% ▓"
    ben = grid.row(1, named=True)
    assert (ben["2027-01-04"], ben["2027-01-18"]) == ("  25% ░", "   0% ·")
    assert grid.row(2, named=True)["2027-01-04"] == "  50% ▒"  # Cat 20 of 40 h


def test_heatmap_filters_by_skill_unit_region_text_and_over_allocation(
    capacity: CapacityData,
) -> None:
    people, skills = capacity.people, capacity.person_skills
    assert filter_people(people, skills, skill="ba")["id"].to_list() == ["ben", "cat"]
    assert filter_people(people, skills, unit="Engineering", region="UK")["id"].to_list() == [
        "ann",
        "ben",
    ]
    assert filter_people(people, skills, text="DORN")["id"].to_list() == ["dan"]
    over = heatmap(capacity.utilisation, people, over_only=True)
    assert over["person_id"].to_list() == ["ann"]


def test_drill_down_lists_one_person_weeks_allocations_by_project(capacity: CapacityData) -> None:
    rows = person_week_allocations(capacity.allocations, capacity.projects, "ann", WEEKS[0])
    assert rows.select("project_id", "project", "hours").rows() == [
        ("P-CRM", "CRM upgrade", 40.0),
        ("P-WEB", "Web shop", 10.0),
    ]


def test_demand_grid_shows_covered_of_demand_and_unmet_totals(capacity: CapacityData) -> None:
    grid = demand_grid(capacity.coverage)
    assert grid.select("project_id", "skill_id", "unmet_hours").rows() == [
        ("P-CRM", "dev", 0.0),
        ("P-DWH", "ba", 40.0),
        ("P-OPS", "dev", 20.0),
        ("P-WEB", "dev", 0.0),
    ]
    dwh = grid.row(1, named=True)
    assert dwh["2027-01-04"] == "20/30 ◐"
    ops = grid.row(2, named=True)
    assert (ops["2027-01-04"], ops["2027-01-18"]) == ("", "0/10 ✖")
    assert grid.row(0, named=True)["2027-01-04"] == "40/40 ✔"
    unmet = demand_grid(capacity.coverage, unmet_only=True, skill="dev")
    assert unmet["project_id"].to_list() == ["P-OPS"]


def test_findings_are_an_empty_frame_with_the_columns_until_the_table_exists(db_path: Path) -> None:
    db = open_database(db_path, seed_demo=False)
    empty = read_all_findings(db)
    assert empty.is_empty() and "severity" in empty.columns
    view = findings_view(empty, TODAY)
    assert view.columns == [
        "id",
        "project_id",
        "severity",
        "status",
        "due",
        "age_days",
        "rule",
        "owner",
    ]


def test_findings_read_from_a_table_get_age_and_filters(tmp_path: Path) -> None:
    db = open_database(build_small_db(tmp_path / "f.db"), seed_demo=False)
    common = {"category": "checklist", "description": "d"}
    db["finding"].insert_all(
        [  # no owner given
            {
                **common,
                "id": 1,
                "project_id": "P-CRM",
                "rule": "charter signed",
                "severity": "critical",
                "due": "2027-01-31",
                "status": "open",
                "opened": "2026-12-27",
            },
            {
                **common,
                "id": 2,
                "project_id": "P-WEB",
                "rule": "risk register",
                "severity": "minor",
                "due": "2027-02-28",
                "status": "resolved",
                "opened": "2027-01-05",
            },
        ]
    )
    findings = read_all_findings(db)
    assert findings["owner"].to_list() == [None, None]
    view = findings_view(findings, TODAY)
    assert view.select("id", "age_days").rows() == [(1, 10), (2, 1)]  # oldest first
    assert findings_view(findings, TODAY, status="open")["id"].to_list() == [1]
    assert findings_view(findings, TODAY, text="RISK")["id"].to_list() == [2]
    assert findings_view(findings, TODAY, severity="critical")["id"].to_list() == [1]


def test_policy_from_form_keeps_defaults_and_rejects_bad_numbers() -> None:
    policy = policy_from_form(
        {"time_limit": "1.5", "cover_weight": "2", "seed": "", "workers": "1"}
    )
    assert (policy.time_limit_s, policy.cover_weight, policy.seed, policy.workers) == (
        1.5,
        2.0,
        0,
        1,
    )
    assert policy.churn_weight == 0.2  # empty input: the optimizer's default
    with pytest.raises(UserError, match="seed must be a whole number"):
        policy_from_form({"seed": "1.5"})
    with pytest.raises(UserError, match=r"time limit \(s\) must be a number above 0"):
        policy_from_form({"time_limit": "0"})
    with pytest.raises(
        UserError, match=r"max people moved must be a whole number from 0 to 1,000,000"
    ):
        policy_from_form({"max_people_moved": "-1"})
    assert policy_from_form({"frozen_weeks": "2"}).frozen_weeks == 2


def test_headline_and_progress_line_are_plain_words() -> None:
    from types import SimpleNamespace

    from pmo_tui.tui.plan_form import outcome_headline, progress_line

    moves = pl.DataFrame({"person_id": ["ann", "ben"]})
    solved = SimpleNamespace(
        status="OPTIMAL",
        wall_time_s=1.25,
        objective=100.0,
        bound=110.0,
        gap=0.0909,
        greedy_objective=90.0,
        moves=moves,
        conflicts=[],
    )
    assert outcome_headline(SimpleNamespace(result=solved)) == (
        "OPTIMAL in 1.2 s · objective 100.0 · bound 110.0 · gap 9.09 % · greedy 90.0 · 2 moves"
    )
    infeasible = SimpleNamespace(status="INFEASIBLE", conflicts=["a", "b"])
    assert outcome_headline(SimpleNamespace(result=infeasible)).startswith(
        "INFEASIBLE: 2 constraints cannot all hold"
    )
    assert progress_line(10.0, 20.0, float("inf"), 0.5) == (
        "incumbent 10.0 · bound 20.0 · gap n/a · 0.5 s   Esc to cancel"
    )


def test_the_form_sets_every_limit_of_the_policy() -> None:
    policy = policy_from_form(
        {"min_block": "8", "max_concurrent": "3", "continuity_weight": "0", "delay_weight": "2"}
    )
    assert (policy.min_block_hours, policy.max_concurrent_projects) == (8.0, 3)
    assert (policy.continuity_weight, policy.delay_weight) == (0.0, 2.0)
    with pytest.raises(UserError, match=r"max projects/person must be a whole number from 1"):
        policy_from_form({"max_concurrent": "0"})
