"""Start-up benchmark: how long until the first screen is painted on the demo database.

Run: ``python bench/startup.py [--runs 5]``. Each run is a fresh process (as a
user starting ``pmo-tui`` over SSH), headless at 80x24; it reports the wall
time from spawning the process to the first paint of the portfolio screen
(its frame, with the data loading in a worker) and to the demo data shown. Baselines measured in the same run: a bare
``python -c pass`` and ``import textual.app``. The target (issue 3): first screen
in under 0.6 s. Also checks that OR-Tools was not imported.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import asyncio, sys, time
from pathlib import Path
from pmo_tui.tui.app import make_app

# Wall times (since spawning) of the first compositor update of the portfolio
# screen (its frame) and of the first one showing tree rows (the data), taken
# where Textual hands each update to the driver (headless skips only the write).
marks = {}

async def main():
    spawned = float(sys.argv[2])
    app = make_app(Path(sys.argv[1]), "portfolio")
    display = app._display

    def timed_display(screen, renderable):
        display(screen, renderable)
        if renderable is None or app._batch_count or type(screen).__name__ != "PortfolioScreen":
            return
        marks.setdefault("frame", time.time() - spawned)
        tree = screen.query("#tree")
        if tree and tree.first().row_count:
            marks.setdefault("data", time.time() - spawned)

    app._display = timed_display
    async with app.run_test(size=(80, 24)) as pilot:
        while "data" not in marks:
            await pilot.pause(0.005)
        print(marks["frame"], marks["data"], "ortools" in sys.modules, flush=True)

asyncio.run(main())
"""


def _wall(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, out


def _first_screen(db: Path) -> tuple[float, float, bool]:
    """(seconds to the first paint, seconds until the data shows, OR-Tools loaded?)."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), repr(time.time())],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), out[2] == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.db"
        from pmo_tui.bootstrap import open_database

        open_database(db).close()
        rows = {
            "python -c pass": [_wall([sys.executable, "-c", "pass"])[0] for _ in range(runs)],
            "import textual.app": [
                _wall([sys.executable, "-c", "import textual.app"])[0] for _ in range(runs)
            ],
        }
        runs_of_app = [_first_screen(db) for _ in range(runs)]
        rows["first screen painted"] = [painted for painted, _, _ in runs_of_app]
        rows["portfolio data shown"] = [shown for _, shown, _ in runs_of_app]
    ortools_loaded = any(loaded for _, _, loaded in runs_of_app)
    baseline = statistics.median(rows["python -c pass"])
    print(f"{'what':<24} {'median s':>9} {'min s':>7} {'x python':>9}")
    for name, values in rows.items():
        median = statistics.median(values)
        print(f"{name:<24} {median:9.3f} {min(values):7.3f} {median / baseline:9.1f}")
    print(f"target: first screen < 0.600 s; OR-Tools imported at start-up: {ortools_loaded}")


if __name__ == "__main__":
    main()
