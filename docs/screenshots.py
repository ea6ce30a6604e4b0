"""Write an SVG screenshot of every TUI screen on the demo organisation into docs/screenshots/,
and a PNG of the board report's HTML as headless Chromium shows it.

Run from the repository folder: ``python docs/screenshots.py`` (about a minute:
the plan screen runs the optimizer with a 5 s limit). The README shows them.
The database is a fresh demo database in a temporary folder; nothing else is touched.
The report's picture needs Debian's ``chromium`` (skipped with a note without it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from pmo_tui.bootstrap import open_database
from pmo_tui.tui.app import PmoApp, make_app

OUT = Path(__file__).resolve().parent / "screenshots"
SIZE = (80, 24)


async def _settle(pilot: Pilot) -> None:
    """Wait until the workers are done and the screen has been painted."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _shoot(app: PmoApp, name: str, keys: tuple[str, ...] = ()) -> Path:
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)
        return Path(app.save_screenshot(filename=f"{name}.svg", path=str(OUT)))


async def _shoot_plan(db_path: Path) -> list[Path]:
    """The plan's KPIs, then its Moves tab with the first person's moves unfolded."""
    app = make_app(db_path, initial_screen="plan")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.screen.query_one("#param-time_limit", Input).value = "5"
        await pilot.press("r")
        await _settle(pilot)
        kpis = Path(app.save_screenshot(filename="plan.svg", path=str(OUT)))
        for key in ("t", "space", "j"):
            await pilot.press(key)
            await _settle(pilot)
        return [kpis, Path(app.save_screenshot(filename="plan-moves.svg", path=str(OUT)))]


#: The demo's status date: the report and the dashboard are shown as of it.
DEMO_TODAY = dt.date(2026, 11, 30)


def _shoot_report(db_path: Path, folder: Path) -> Path | None:
    """The board report as HTML, photographed by headless Chromium (top of the first page)."""
    from pmo_tui.portfolio_health.board import board_data
    from pmo_tui.portfolio_health.data import read_portfolio
    from pmo_tui.reporting.board import render_html
    from pmo_tui.store.db import connect

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("board-report.png: skipped (no chromium)")
        return None
    page = folder / "report.html"
    page.write_text(render_html(board_data(read_portfolio(connect(db_path), DEMO_TODAY))))
    out = OUT / "board-report.png"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--window-size=960,1500", f"--screenshot={out}", page.as_uri()]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return out


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "demo.db"
        open_database(db_path).close()
        written = [
            await _shoot(make_app(db_path, "portfolio"), "portfolio"),
            await _shoot(make_app(db_path, "capacity"), "capacity"),
            await _shoot(make_app(db_path, "capacity"), "capacity-drill-down", ("j", "l", "enter")),
            await _shoot(make_app(db_path, "capacity"), "person", ("j", "enter")),
            *await _shoot_plan(db_path),
            await _shoot(make_app(db_path, "findings"), "findings"),
            await _shoot(make_app(db_path, "findings"), "finding-detail", ("enter",)),
            await _shoot(make_app(db_path, "portfolio"), "help", ("question_mark",)),
            await _shoot(make_app(db_path, "dashboard", today=DEMO_TODAY), "dashboard"),
            await _shoot(
                make_app(db_path, "dashboard", today=DEMO_TODAY), "dashboard-capacity", ("c",)
            ),
        ]
        report = _shoot_report(db_path, Path(folder))
        written += [report] if report else []
    for path in written:
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
