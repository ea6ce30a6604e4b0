"""What the TUI editing tests share: the app with its notifications kept, and the database
read back (every allocation and project row, the change sets) to compare before and after.

Expected values come from the database of the test itself, never from the demo fixtures.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from test_tui_support import TODAY, settle
from textual.pilot import Pilot

from pmo_tui.domain.horizon import Window
from pmo_tui.store import accounts
from pmo_tui.store.accounts import Account
from pmo_tui.tui.app import PmoApp, make_app

SIZES = [(80, 24), (120, 40)]


def edit_app(
    db_path: Path, screen: str, *, window: Window | None = None
) -> tuple[PmoApp, list[str]]:
    """The app on ``screen`` as of the tests' today (or ``window``), and the notifications
    it shows (title and message, one string each)."""
    app = make_app(db_path, initial_screen=screen, today=TODAY, window=window)
    notes: list[str] = []

    def keep(message: str, *, title: str = "", **_: Any) -> None:
        notes.append(f"{title}: {message}" if title else str(message))

    app.notify = keep  # type: ignore[method-assign]
    return app, notes


def rows(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` on a fresh connection."""
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def allocations(db_path: Path) -> list[tuple[Any, ...]]:
    """Every allocation row, ids included, in id order."""
    return rows(db_path, "SELECT * FROM allocation ORDER BY id")


def projects(db_path: Path) -> list[tuple[Any, ...]]:
    """Every project row, in id order."""
    return rows(db_path, "SELECT * FROM project ORDER BY id")


def newest_change_set(db_path: Path) -> tuple[int, str]:
    """(id, command) of the newest change set."""
    return rows(db_path, "SELECT id, command FROM change_set ORDER BY id DESC LIMIT 1")[0]


def change_set_count(db_path: Path) -> int:
    """How many change sets the database holds."""
    return rows(db_path, "SELECT count(*) FROM change_set")[0][0]


def booked(db_path: Path, person: str, project: str, week: dt.date) -> list[tuple[Any, ...]]:
    """(hours, kind, pinned) of ``person`` on ``project`` in ``week``."""
    return rows(
        db_path,
        "SELECT hours, kind, pinned FROM allocation WHERE person_id = ? AND project_id = ? "
        "AND week = ?",
        (person, project, week.isoformat()),
    )


def as_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as an account without a role: a viewer (read only)."""
    monkeypatch.setattr(accounts, "current_account", lambda: Account("vera", 5001, frozenset()))


async def until(pilot: Pilot, condition: Any, tries: int = 200) -> None:
    """Let the app run until ``condition()`` holds (workers and messages, never a sleep)."""
    for _ in range(tries):
        if condition():
            return
        await settle(pilot)
    assert condition()


def written_as(db_path: Path, notes: list[str], title: str, command: str) -> int:
    """The newest change set, checked: it is ``command``'s, and the notification of the
    edit ``title`` names it. Returns its id."""
    change_set, newest = newest_change_set(db_path)
    assert newest == command
    assert any(note.startswith(f"{title}: Written as change set {change_set} ") for note in notes)
    return change_set
