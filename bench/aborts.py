"""CP-SAT abort benchmark: many week searches of varied sizes, none may take the planner down.

Every search goes through :func:`solver.polish.polish_week`, as a plan's does: in the
worker process of :mod:`solver.contained`, never stopped from a solution callback.
Weeks come from seeded organisations of 20-200 people (40-3,000 candidates a week);
budgets, workers, seeds, continuity gains and cancels (from a timer, as Esc or
Ctrl-C would) vary per solve. The benchmark prints how many solves ran, how many ended
with a result, were cancelled, or lost their worker (a contained abort: the week keeps
its hint), and counts the aborts of this process, which must stay 0: it is still running
to print the line. ``--replay`` also runs the abort's trigger itself (bench/cpsat_abort)
in the worker once per 50 solves, to show it is contained.

Usage::

    python bench/aborts.py [--solves 500] [--seed 0] [--replay]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np

from bench.orgs import Size, organisation
from solver import Policy
from solver.contained import SearchCrashed, run_contained
from solver.greedy import greedy_values
from solver.polish import polish_week
from solver.prepare import prepare
from solver.weekly import split_weeks

SIZES = [Size(20, 6, 4), Size(50, 15, 6), Size(120, 30, 4), Size(200, 50, 3)]


def replay_abort(emit: object = None) -> str:
    """The abort's trigger (docs/performance.md, "CP-SAT abort"), as a worker job."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    model.proto.parse_text_format((REPO / "bench/cpsat_abort/week-model.pb.txt").read_text())
    search = cp_model.CpSolver()
    search.parameters.num_workers = 2
    search.parameters.interleave_search = True

    class Stop(cp_model.CpSolverSolutionCallback):  # type: ignore[misc]
        def on_solution_callback(self) -> None:
            self.stop_search()

    return search.status_name(search.solve(model, Stop()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solves", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replay", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    weeks = []
    for index, size in enumerate(SIZES):
        policy = Policy()
        prepared = prepare(organisation(size, seed=index), policy)
        greedy = np.asarray(greedy_values(prepared))
        weeks += [(week, greedy[week.candidate]) for week in split_weeks(prepared, policy)]
    counts = {"result": 0, "cancelled": 0, "worker lost": 0, "replayed aborts contained": 0}
    started = time.perf_counter()
    for solve in range(args.solves):
        week, hint = rng.choice(weeks)
        policy = Policy(
            time_limit_s=rng.choice([0.05, 0.2, 1.0, 5.0]),
            deterministic_time=rng.choice([None, 0.01, 0.1, 0.5]),
            workers=rng.choice([1, 2, 2]),
            seed=rng.randint(0, 9),
        )
        gains = None
        if rng.random() < 0.5:
            gains = np.asarray([rng.choice([-1.0, 0.0, 1.0]) for _ in range(week.size)])
        cancel = threading.Event()
        if rng.random() < 0.3:
            threading.Timer(rng.uniform(0.0, 0.3), cancel.set).start()
        outcome = polish_week(week, hint, np.ones(week.size, bool), policy, None, cancel, gains)
        if outcome.crashed:
            counts["worker lost"] += 1
            print(f"solve {solve}: worker lost: {outcome.crashed}", file=sys.stderr)
        elif cancel.is_set():
            counts["cancelled"] += 1
        else:
            counts["result"] += 1
        if args.replay and solve % 50 == 0:
            try:
                run_contained("bench.aborts:replay_abort", ())
            except SearchCrashed:
                counts["replayed aborts contained"] += 1
    wall = time.perf_counter() - started
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"solves {args.solves} in {wall:.0f} s (load average {load})")
    print(", ".join(f"{name} {value}" for name, value in counts.items()))
    print("aborts of the planning process: 0")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
