"""Fuzz every importer with generated inputs: no traceback, a clear refusal, data unchanged.

Run: ``python bench/fuzz_importers.py [--inputs 10000] [--project-files]``. Each input
is a valid seed file (CSV, governance CSV, scenario, policy and checklist TOML, and with
``--project-files`` an MPX project file through MPXJ) mutated 1-4 times (hypothesis
draws the mutations: separators, quotes, odd bytes, extreme values, cut lines). Each
is run as a user runs it (``pmo-tui import csv FILE``, ...) on one database.

The cases run in a worker process; when it dies of a signal (a native crash in a
library, e.g. an abort in OR-Tools), the case is counted as ``native crash`` and a new
worker goes on with the next case on the same database.

Prints per importer: inputs, accepted, refused, and the failures by kind (traceback;
native crash; refusal naming no file and row/line; refusal that changed the data), with
the first output of each kind; the wall time and the load average. Exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fuzz_support import cases, run_case, seeds
from hypothesis import HealthCheck, given, settings
from scenario_support import build_scenario_db


def _serve(connection, db: Path, folder: Path) -> None:
    """The worker: run each (seed, data) received, send the outcome back."""

    while True:
        seed, data = connection.recv()
        connection.send(run_case(db, folder, seed, data))


class Worker:
    """A process that runs cases; restarted after a native crash."""

    def __init__(self, db: Path, folder: Path) -> None:
        import multiprocessing

        self.context = multiprocessing.get_context("spawn")
        self.db, self.folder = db, folder
        self.start()

    def start(self) -> None:
        self.connection, child = self.context.Pipe()
        self.process = self.context.Process(target=_serve, args=(child, self.db, self.folder))
        self.process.start()

    def run(self, seed, data):
        from fuzz_support import Outcome

        self.connection.send((seed, data))
        try:
            return self.connection.recv()
        except EOFError:
            self.process.join()
            code = self.process.exitcode
            self.start()
            return Outcome(
                seed.kind,
                "native crash",
                f"worker died (exit {code}) on {seed.name}: {data[:300]!r}",
            )

    def stop(self) -> None:
        self.process.kill()
        self.process.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--project-files", action="store_true")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (repeatable runs)")
    parser.add_argument("--only", default=None, help="importers to fuzz, e.g. policy,scenario")
    parser.add_argument(
        "--last-case", type=Path, default=None, help="write each case here before running it"
    )
    args = parser.parse_args()
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    first: dict[tuple[str, str], str] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        db = build_scenario_db(work / "db")
        case_folder = work / "case"
        case_folder.mkdir()
        worker = Worker(db, case_folder)

        chosen = [
            seed
            for seed in seeds(project_files=args.project_files)
            if args.only is None or seed.kind in args.only.split(",")
        ]

        @settings(
            max_examples=args.inputs,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases(chosen))
        def run(case):
            seed, data = case
            if args.last_case is not None:  # what a native crash (no traceback) was running
                args.last_case.write_bytes(seed.name.encode() + b"\n" + data)
            outcome = worker.run(seed, data)
            counts[seed.kind][outcome.result] += 1
            first.setdefault((seed.kind, outcome.result), outcome.output[-1500:])

        from hypothesis import seed as hypothesis_seed

        hypothesis_seed(args.seed)(run)()
        worker.stop()
    elapsed = time.perf_counter() - started
    failures = 0
    print(f"{'importer':<12}{'inputs':>8}{'ok':>8}{'refused':>9}  failures")
    for kind, counter in sorted(counts.items()):
        bad = {k: v for k, v in counter.items() if k not in ("ok", "refused", "refused, no line")}
        failures += sum(bad.values())
        refused = counter["refused"] + counter["refused, no line"]
        print(
            f"{kind:<12}{sum(counter.values()):>8}{counter['ok']:>8}{refused:>9}  "
            + (", ".join(f"{k} {v}" for k, v in bad.items()) or "0")
        )
    total = sum(sum(c.values()) for c in counts.values())
    no_line = counts.get("project", collections.Counter())["refused, no line"]
    if no_line:
        print(f"project files: {no_line} refusals name the file but no line (MPXJ gives none)")
    print(f"total {total} inputs in {elapsed:.0f} s; load average {os.getloadavg()[0]:.2f}")
    for (kind, result), output in sorted(first.items()):
        if result not in ("ok", "refused"):
            print(f"\n--- first {result} of {kind}:\n{output}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
