"""Snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot).

The data is the tiny organisation of ``test_tui_support``; the findings age
is counted to a frozen date; the plan screen is taken before a solve, so no
clock or solver timing shows. Update with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_support import TODAY, build_small_db
from textual.pilot import Pilot
from textual.widgets import DataTable

from pmo_tui.tui.app import make_app

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


#: The attribute each screen fills when its first read arrives (None until then).
_FIRST_READ = ("nodes", "data", "findings", "change_sets")


def _read_done(pilot: Pilot) -> bool:
    """The screen got its data, no worker is running (its first read is started after a
    paint, so ``wait_for_complete`` alone can run before it begins on a busy machine), and
    every table has laid out its new rows (column widths follow the widest cell)."""
    screen = pilot.app.screen
    waiting = any(getattr(screen, name, False) is None for name in _FIRST_READ)
    running = any(not worker.is_finished for worker in pilot.app.workers)
    laying_out = any(  # Textual's DataTable; the virtualised grid has no such state
        getattr(table, "_require_update_dimensions", False) or getattr(table, "_new_rows", ())
        for table in screen.query(DataTable)
    )
    return not waiting and not running and not laying_out


async def _loaded(pilot: Pilot) -> None:
    """Wait until the screen's workers have read the store and the screen shows it."""
    for _ in range(500):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        if _read_done(pilot):
            break
    for _ in range(2):  # the messages the last worker posted, then their repaint
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()


def _frozen_history(path: Path) -> Path:
    """The change sets of ``path`` written at one time by one account (the clock and the
    account running the tests would show otherwise)."""
    import sqlite3

    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE change_set SET at = '2027-01-06T09:30:00+00:00', who = 'pat'")
    connection.close()
    return path


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    "screen", ["portfolio", "capacity", "plan", "findings", "dashboard", "history"]
)
def test_screen(screen: str, size: str, tmp_path: Path, snap_compare) -> None:
    path = _frozen_history(build_small_db(tmp_path / "t.db"))
    app = make_app(path, initial_screen=screen, today=TODAY)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_loaded)


def test_capacity_in_16_colours(tmp_path: Path, snap_compare) -> None:
    app = make_app(
        build_small_db(tmp_path / "t.db"), initial_screen="capacity", theme="ansi-dark", today=TODAY
    )
    assert snap_compare(app, terminal_size=(80, 24), run_before=_loaded)


@pytest.mark.parametrize("size", list(SIZES))
def test_findings_with_data(size: str, tmp_path: Path, snap_compare) -> None:
    from governance_support import build_governed_db

    app = make_app(build_governed_db(tmp_path / "g.db"), initial_screen="findings", today=TODAY)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_loaded)


def test_finding_detail_at_80x24(tmp_path: Path, snap_compare) -> None:
    from governance_support import build_governed_db

    async def open_detail(pilot: Pilot) -> None:
        await _loaded(pilot)
        await pilot.press("enter")
        await _loaded(pilot)

    app = make_app(build_governed_db(tmp_path / "g.db"), initial_screen="findings", today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_detail)
