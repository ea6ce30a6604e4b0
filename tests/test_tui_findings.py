"""The findings screen on real findings: table, filters, detail, status change with a reason.

Driven through the pilot at 80x24 and 120x40; waits are on the app's workers
and message queue, never sleeps. Data: ``governance_support`` (findings 1-4).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from governance_support import TODAY, build_governed_db
from test_tui_support import settle, sync
from textual.widgets import DataTable, Input, Select

from pmo_tui.tui.app import make_app
from pmo_tui.tui.screens.findings import FindingsScreen
from pmo_tui.tui.widgets.dialogs import ErrorDialog
from pmo_tui.tui.widgets.finding_dialogs import FindingDialog, StatusDialog

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = build_governed_db(tmp_path / "g.db")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE finding SET status = 'verified' WHERE id = 2")
    return path


def _status(db_path: Path, finding_id: int) -> str:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(
            "SELECT status FROM finding WHERE id = ?", [finding_id]
        ).fetchone()[0]


@pytest.mark.parametrize("size", SIZES)
@sync
async def test_open_a_finding_and_resolve_it_with_a_reason(db_path: Path, size) -> None:
    app = make_app(db_path, "findings", today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#findings", DataTable)
        assert table.row_count == 4 and not app.screen.has_class("-empty")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingDialog)
        body = str(app.screen.query_one("#dialog-body").render())
        links = app.screen.query_one("#finding-links")
        assert "project id: P-WEB" in body
        assert str(links.render()).splitlines() == [
            "next statuses: in_progress, resolved, accepted_risk",
            "repeats: -",
            "repeated by: -",
        ]
        # repeats and next statuses sit above the fields, inside the screen: no scrolling
        assert links.content_region.height == 3 and links.region.bottom <= app.screen.region.bottom
        history = app.screen.query_one("#rows-table", DataTable)
        assert history.row_count == 0  # loaded directly into the table: no status change yet
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StatusDialog)
        options = [value for _, value in dialog.query_one("#new-status", Select)._options]
        assert options == ["in_progress", "resolved", "accepted_risk"]  # only allowed ones
        dialog.query_one("#new-status", Select).value = "resolved"
        await pilot.press(*"report sent")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        assert _status(db_path, 1) == "resolved"
        with sqlite3.connect(db_path) as connection:
            history = connection.execute(
                "SELECT from_status, to_status, reason FROM finding_history WHERE finding_id = 1"
            ).fetchall()
        assert history == [("open", "resolved", "report sent")]
        assert table.get_row("1")[3] == "resolved"  # re-read; the cursor stays on it


@sync
async def test_a_reason_is_required_and_esc_cancels(db_path: Path) -> None:
    app = make_app(db_path, "findings", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, StatusDialog)
        await pilot.press("enter")  # blank reason
        assert isinstance(app.screen, StatusDialog)
        assert "reason is required" in str(app.screen.query_one("#dialog-note").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        assert _status(db_path, 1) == "open"


@sync
async def test_evidence_must_be_a_link_or_a_path(db_path: Path) -> None:
    app = make_app(db_path, "findings", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#reason", Input).value = "report sent"
        app.screen.query_one("#evidence", Input).value = "done"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, StatusDialog)  # refused: the dialog stays
        note = str(app.screen.query_one("#dialog-note").render())
        assert "'done' is neither a link nor a file path" in note
        assert app.focused is app.screen.query_one("#evidence")
        app.screen.query_one("#evidence", Input).value = "/share/audits/1.pdf"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
    with sqlite3.connect(db_path) as connection:
        row = connection.execute("SELECT status, evidence FROM finding WHERE id = 1").fetchone()
    assert row == ("in_progress", "/share/audits/1.pdf")


@sync
async def test_a_verified_finding_offers_no_change(db_path: Path) -> None:
    app = make_app(db_path, "findings", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "c")  # finding 2 is verified: final
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        assert _status(db_path, 2) == "verified"


@sync
async def test_a_change_refused_by_the_lifecycle_shows_an_error_and_writes_nothing(
    db_path: Path,
) -> None:
    app = make_app(db_path, "findings", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#reason", Input).value = "done"
        with sqlite3.connect(db_path) as connection:  # someone verified it meanwhile
            connection.execute("UPDATE finding SET status = 'verified' WHERE id = 1")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "finding 1 is verified; it cannot become in_progress" in str(
            app.screen.query_one("#dialog-body").render()
        )
        assert _status(db_path, 1) == "verified"


@sync
async def test_filters_narrow_the_findings(db_path: Path) -> None:
    app = make_app(db_path, "findings", today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#severity", Select).value = "minor"
        await settle(pilot)
        assert app.screen.query_one("#findings", DataTable).row_count == 1
        app.screen.query_one("#severity", Select).value = Select.NULL
        await pilot.press("slash", *"P-DWH", "enter")
        await settle(pilot)
        assert app.screen.query_one("#findings", DataTable).row_count == 1
