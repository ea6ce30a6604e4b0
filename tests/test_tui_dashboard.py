"""The dashboard screen (key 6) and a project's status history and RAID log from the portfolio.

Driven through the pilot at 80x24 and 120x40 on the tiny organisation of
test_tui_support, with status reports, a RAID log and a watermelon written here;
every wait is on the app's own workers and messages. The terminal charts are
pure functions (tui/dashboard_views.py), checked by hand below.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest
from test_tui_app import settle, sync
from test_tui_support import TODAY, build_small_db
from textual.widgets import DataTable, Markdown, Static, TabbedContent

from pmo_tui.tui.app import make_app
from pmo_tui.tui.dashboard_views import heat_rows, load_glyph, period_bars, stacked_bar
from pmo_tui.tui.screens.dashboard import DashboardScreen
from pmo_tui.tui.screens.portfolio import PortfolioScreen
from pmo_tui.tui.widgets.dialogs import RowsDialog

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = build_small_db(tmp_path / "t.db")
    with sqlite3.connect(path) as connection:
        connection.executescript(
            """
            INSERT INTO status_report (project_id, reported_on, overall, summary) VALUES
                ('P-CRM', '2026-12-22', 'amber', 'slow start'),
                ('P-CRM', '2027-01-05', 'green', 'back on track'),
                ('P-DWH', '2027-01-05', 'red', 'analyst missing');
            INSERT INTO raid_entry (project_id, kind, title, owner, raised_on, due,
                                    probability, impact, state) VALUES
                ('P-CRM', 'risk', 'Vendor late', 'Tom Tay', '2027-01-02', NULL, 4, 5, 'open'),
                ('P-CRM', 'action', 'Call vendor', 'Ann Archer', '2027-01-02', '2027-01-04',
                 NULL, NULL, 'open');
            """
        )
    return path


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_the_dashboard_shows_health_watermelons_capacity_and_digest(db_path, size):
    app = make_app(db_path, initial_screen="portfolio", today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        summary = str(screen.query_one("#summary", Static).render())
        # P-CRM green (report), P-DWH red (report), P-WEB green and P-OPS green (their RAG).
        assert summary.startswith("4 projects: ● 3 green  ▲ 0 amber  ■ 1 red")
        portfolios = screen.query_one("#portfolios", DataTable)
        assert portfolios.row_count == 2
        assert [str(c) for c in portfolios.get_row_at(0)][:2] == ["Alpha", "■ red"]
        periods = str(screen.query_one("#periods", Static).render())
        assert "2026-12 ▲" in periods and "●1 ■1" in periods

        await pilot.press("w")
        await settle(pilot)
        assert screen.query_one("#tabs", TabbedContent).active == "watermelons"
        flags = screen.query_one("#flags", DataTable)
        assert [str(flags.get_row_at(0)[i]) for i in (0, 1)] == [
            "P-CRM", "key people over-allocated",
        ]  # fmt: skip

        await pilot.press("c")
        await settle(pilot)
        heatmap = str(screen.query_one("#heatmap", Static).render())
        assert "dev" in heatmap and "ba" in heatmap

        await pilot.press("d")
        await settle(pilot)
        digest = screen.query_one("#digest-text", Markdown).source
        assert digest.startswith("# Portfolio digest, 2026-12-23 to 2027-01-06")
        assert "| P-CRM | Call vendor | Ann Archer | 2027-01-04 | 2 |" in digest


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_a_projects_status_history_and_raid_log_open_from_the_portfolio(db_path, size):
    app = make_app(db_path, initial_screen="portfolio", today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PortfolioScreen)
        tree = screen.query_one("#tree", DataTable)
        tree.move_cursor(row=tree.get_row_index("project:P-CRM"))
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, RowsDialog)
        history = app.screen.query_one("#rows-table", DataTable)
        assert [str(history.get_row_at(i)[0]) for i in range(history.row_count)] == [
            "2027-01-05",
            "2026-12-22",
        ]
        await pilot.press("escape")
        await pilot.press("R")
        await settle(pilot)
        raid = app.screen.query_one("#rows-table", DataTable)
        assert raid.row_count == 2
        assert str(raid.get_row_at(0)[2]) == "Vendor late"  # the risk (score 20) first
        await pilot.press("escape")

        tree.move_cursor(row=tree.get_row_index("portfolio:PF-A"))
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PortfolioScreen)  # a portfolio has no status history


def test_stacked_bar_splits_by_largest_remainder():
    thirds = stacked_bar([("green", 1), ("amber", 1), ("red", 1)], 10)
    assert thirds == [("●●●●", "green"), ("▲▲▲", "yellow"), ("■■■", "red")]
    assert stacked_bar([("green", 0), ("red", 0)], 10) == []
    assert [len(g) for g, _ in stacked_bar([("green", 9), ("red", 1)], 5)] == [4, 1]


def test_period_bars_and_heat_rows():
    frame = pl.DataFrame(
        {
            "period": ["2026-10", "2026-10", "2026-11"],
            "level": ["green", "red", "amber"],
            "projects": [3, 1, 2],
        }  # fmt: skip
    )
    rows = period_bars(frame, 8)
    assert [(period, text) for period, _, text in rows] == [("2026-10", "●3 ■1"), ("2026-11", "▲2")]
    assert rows[0][1] == [("●●●●●●", "green"), ("■■", "red")]
    assert [load_glyph(v) for v in (None, 10.0, 50.0, 99.0, 100.0)] == [" ", "░", "▒", "▓", "█"]
    heat = pl.DataFrame(
        {
            "skill_id": ["dev", "dev", "ba"],
            "month": ["2027-01", "2027-02", "2027-02"],
            "load_pct": [120.0, 40.0, 85.0],
        }  # fmt: skip
    )
    months, cells = heat_rows(heat, 6)
    assert months == ["2027-01", "2027-02"]
    assert cells == [("ba", "   ▓▓▓"), ("dev", "███░░░")]


def test_portfolio_variance_reads_with_thousands_separators_and_a_sign():
    from types import SimpleNamespace

    from pmo_tui.tui.dashboard_views import portfolio_rows

    portfolios = pl.DataFrame(
        {
            "name": ["MOD", "HMRC", "DfT"],
            "rag": ["red", None, "green"],
            "trend": ["worse", "same", "better"],
            "projects": [3, 1, 2],
            "variance": [668267.4, None, -1234.5],
        }
    )
    rows = portfolio_rows(SimpleNamespace(portfolios=portfolios))  # type: ignore[arg-type]
    assert rows["variance"].to_list() == ["+668,267", "", "-1,234"]


@sync
async def test_e_exports_the_dashboards_tables_as_numbers(db_path, tmp_path):
    from pmo_tui.tui.data import load_dashboard

    board = load_dashboard(db_path, TODAY).board
    app = make_app(db_path, initial_screen="dashboard", today=TODAY)
    app.export_dir = tmp_path
    notes: list[str] = []
    app.notify = lambda message, **_: notes.append(str(message))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
    path = tmp_path / f"dashboard-{TODAY.isoformat()}.xlsx"
    sheets = pl.read_excel(path, sheet_id=0)
    assert list(sheets) == ["portfolios", "confidence", "watermelons", "load", "bottlenecks"]
    assert notes == [f"{sum(s.height for s in sheets.values())} rows written to {path}"]
    portfolios = sheets["portfolios"]
    assert portfolios.height == 2 and portfolios.row(0, named=True)["name"] == "Alpha"
    assert portfolios.row(0, named=True)["rag"] == "red"  # as the Health tab shows it
    flags = sheets["watermelons"]
    assert (flags["project_id"][0], flags["kind"][0]) == ("P-CRM", "key people over-allocated")
    load = sheets["load"]
    months = sorted(set(board.heatmap["month"]))
    assert load.columns == ["skill_id", *months]
    for row in board.heatmap.iter_rows(named=True):  # every cell of the Capacity tab's heatmap
        cell = load.filter(pl.col("skill_id") == row["skill_id"])[row["month"]][0]
        assert cell == pytest.approx(row["load_pct"])
