"""Several analysts on one database: writers and readers at once, counting what goes wrong.

Run: ``python bench/concurrency.py [--writers 4] [--writes 500] [--readers 2]``. Each
writer is a process that makes ``--writes`` writes in a loop, cycling through a
person edit (its own person: the expected final value is known), an allocation set,
a finding's status change (with the demo's findings) and an import of a leave file;
every 25th write is a ``plan --apply`` (which may be refused as stale: a clean refusal,
counted apart). Readers list capacity in a loop meanwhile. All are ``pmo-tui`` run
in-process in each worker, as a user's commands are.

Prints: writes done, lost updates (a person edit whose value is not there at the end),
tracebacks, "database is locked" messages shown, writes refused as busy after the
timeout (share), stale plan refusals, reads done, the wall time and the load average.
Exit 1 on any lost update, traceback or "database is locked".
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _invoke(db: Path, *args: str) -> tuple[int, str, bool]:
    from click.testing import CliRunner

    from pmo_tui.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(db), *args], obj={}, catch_exceptions=True)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    text = result.output + (repr(result.exception) if crashed else "")
    return result.exit_code, text, crashed


def writer(db: Path, number: int, writes: int, folder: Path, queue) -> None:
    counts = {"writes": 0, "busy": 0, "stale": 0, "tracebacks": 0, "locked": 0, "other": 0}
    leave = folder / f"w{number}" / "leave.csv"
    leave.parent.mkdir(parents=True, exist_ok=True)
    last_value = None
    for step in range(writes):
        kind = step % 4
        if step % 25 == 24:
            args = [
                "plan",
                "--headless",
                "--apply",
                "--deterministic-time",
                "0.1",
                "--time-limit",
                "5",
            ]
        elif kind == 0:
            last_value = f"unit-{number}-{step}"
            args = ["person", "edit", f"w{number}", "--unit", last_value]
        elif kind == 1:
            args = [
                "allocation",
                "set",
                f"w{number}",
                "P1",
                "2027-01-04",
                "--demand",
                "D1",
                "--hours",
                str(step % 9),
            ]
        elif kind == 2:
            leave.write_text(
                f"person_id,start,end\nw{number},2027-02-{1 + step % 5:02d},2027-02-05\n"
            )
            args = ["import", "csv", str(leave.parent)]
        else:
            args = ["project", "edit", "P2", "--rag", ("green", "amber", "red")[step % 3]]
        code, text, crashed = _invoke(db, *args)
        counts["tracebacks"] += crashed
        counts["locked"] += "database is locked" in text
        if code == 0:
            counts["writes"] += 1
        elif "another user is writing" in text:
            counts["busy"] += 1
            if kind == 0 and step % 25 != 24:
                last_value = None  # refused: the value before stays
        elif "changed since this plan" in text:
            counts["stale"] += 1
        else:
            counts["other"] += 1
            print(text[-400:], file=sys.stderr)
    queue.put(("writer", number, counts, last_value))


def reader(db: Path, seconds: float, queue) -> None:
    done, errors = 0, 0
    end = time.time() + seconds
    while time.time() < end:
        code, _, crashed = _invoke(db, "capacity", "--format", "json")
        done += code == 0
        errors += code != 0 or crashed
    queue.put(("reader", 0, {"reads": done, "errors": errors}, None))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--readers", type=int, default=2)
    args = parser.parse_args()
    from scenario_support import build_scenario_db, invoke

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        db = build_scenario_db(work / "db")
        for number in range(args.writers):
            invoke(
                db, "person", "add", f"w{number}", "--name", f"Writer {number}", "--region", "UK"
            )
            invoke(db, "skill", "set", f"w{number}", "dev", "3")
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        started = time.perf_counter()
        writers = [
            context.Process(target=writer, args=(db, n, args.writes, work, queue))
            for n in range(args.writers)
        ]
        for process in writers:
            process.start()
        readers = [
            context.Process(target=reader, args=(db, 30.0, queue)) for _ in range(args.readers)
        ]
        for process in readers:
            process.start()
        results = [queue.get() for _ in range(args.writers + args.readers)]
        for process in writers + readers:
            process.join()
        elapsed = time.perf_counter() - started
        connection = sqlite3.connect(db)
        lost = 0
        totals = {"writes": 0, "busy": 0, "stale": 0, "tracebacks": 0, "locked": 0, "other": 0}
        reads = read_errors = 0
        for role, number, counts, last_value in results:
            if role == "reader":
                reads += counts["reads"]
                read_errors += counts["errors"]
                continue
            for key in totals:
                totals[key] += counts[key]
            unit = connection.execute(
                "SELECT unit FROM person WHERE id = ?", [f"w{number}"]
            ).fetchone()[0]
            lost += last_value is not None and unit != last_value
        connection.close()
    attempted = args.writers * args.writes
    print(f"writers {args.writers} x {args.writes} writes, readers {args.readers}: {elapsed:.0f} s")
    print(
        f"writes done {totals['writes']} of {attempted}; refused as busy {totals['busy']} "
        f"({100 * totals['busy'] / attempted:.1f} %); stale plan refusals {totals['stale']}; "
        f"other refusals {totals['other']}"
    )
    print(
        f"lost updates {lost}; tracebacks {totals['tracebacks']}; 'database is locked' shown "
        f"{totals['locked']}; reads {reads} ({read_errors} failed)"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 1 if lost or totals["tracebacks"] or totals["locked"] or read_errors else 0


if __name__ == "__main__":
    sys.exit(main())
