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

from pmo_tui.tui.app import make_app

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


async def _loaded(pilot: Pilot) -> None:
    """Wait until the screen's workers have read the store and the screen shows it."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", ["portfolio", "capacity", "plan", "findings"])
def test_screen(screen: str, size: str, tmp_path: Path, snap_compare) -> None:
    app = make_app(build_small_db(tmp_path / "t.db"), initial_screen=screen, today=TODAY)
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
