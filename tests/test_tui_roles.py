"""The TUI and roles: a viewer sees why writes are disabled; a busy database is a dialog.

(Edits refused to a viewer, with the notification saying why: test_tui_bookings,
test_tui_project_edit, test_tui_history.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_tui_app import _app, _run_plan, settle, sync
from test_tui_support import build_small_db
from textual.widgets import Static

from pmo_tui.store import accounts
from pmo_tui.store.accounts import Account
from pmo_tui.tui.widgets.dialogs import ErrorDialog


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_small_db(tmp_path / "t.db")


def _nav(app) -> str:
    return str(app.screen.query_one("#nav", Static).render())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@sync
async def test_a_viewer_cannot_accept_a_plan_and_is_told_why(
    db_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "current_account", lambda: Account("vera", 5001, frozenset()))
    app = _app(db_path, "plan")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = await _run_plan(pilot)
        await settle(pilot)
        assert screen.outcome is not None
        assert screen.check_action("accept", ()) is None
        nav = _nav(app)  # every screen's label first; the note where it fits (80: none)
        assert "7 History" in nav and len(nav) <= size[0]
        assert ("read only" in nav) == (size[0] >= 100)
        await pilot.press("a")
        await settle(pilot)
        assert not isinstance(app.screen, ErrorDialog) and app.screen is screen


@sync
async def test_a_planner_accepts_and_a_busy_database_is_one_dialog(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMO_TUI_BUSY_TIMEOUT", "0.2")
    app = _app(db_path, "plan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await _run_plan(pilot)
        await settle(pilot)
        assert screen.check_action("accept", ()) is True and "read only" not in _nav(app)
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("a", "y")
            for _ in range(600):  # the write waits 0.2 s for the lock, then fails (30 s: busy CI)
                if isinstance(app.screen, ErrorDialog):
                    break
                await pilot.pause(0.05)
            assert isinstance(app.screen, ErrorDialog)
            body = str(app.screen.query_one("#dialog-body").render())
            assert "another user is writing to the database" in body
        finally:
            holder.execute("ROLLBACK")
            holder.close()
