"""Staffing benchmark: plan the seeded organisations of bench/orgs.py and print one row per size.

Each size runs in a child process, so its peak memory (``ru_maxrss``) is its own.

Usage::

    python bench/staffing.py [--size S|M|L|XL|all] [--time-limit SECONDS] [--workers 2]
        [--seed 0] [--continuity-weight W] [--wall-clock]
    python bench/staffing.py --curve      # S, M, L and XL (5,000 x 800 x 52), one by one

Columns: candidates (person, demand, week) pairs; build = inputs, greedy plan and
weekly model; first = seconds to the first plan (greedy); lp = the passes (fill, LP,
rounding, CP-SAT on small weeks); search = the wall-clock CP-SAT search (``--wall-clock``
only); wall = the whole solve_plan call; objective, bound and gap as solve_plan reports
them; greedy and objective/greedy; people moved; peak resident memory of the child
process; µs and KiB per candidate (how cost grows with size); passes; status, with
``capped`` when the time limit (the safety cap) ended the run; the 1-minute load
average when the row was printed. ``--wall-clock`` plans with the old wall-clock search
(``deterministic_time`` None: CP-SAT on every week until the limit) instead of the
deterministic default.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Default wall-clock limit per size, seconds (the targets of issues 4 and 12; XL is
#: reported even over its target).
DEFAULT_LIMITS = {"S": 5.0, "M": 20.0, "L": 120.0, "XL": 900.0}


def run_one(
    size: str,
    time_limit: float,
    workers: int,
    seed: int,
    continuity: float | None = None,
    wall_clock: bool = False,
) -> dict[str, float | str]:
    """Generate and plan one organisation (in this process); its figures as a dict."""
    sys.path.insert(0, str(REPO))
    from bench.orgs import organisation
    from solver import Policy, solve_plan
    from solver.prepare import prepare

    data = organisation(size, seed=seed)
    candidates = prepare(data).candidates.height
    started = time.perf_counter()
    policy = Policy(time_limit_s=time_limit, workers=workers, seed=seed)
    if continuity is not None:
        policy = dataclasses.replace(policy, continuity_weight=continuity)
    if wall_clock:
        policy = dataclasses.replace(policy, deterministic_time=None)
    result = solve_plan(data, policy)
    wall = time.perf_counter() - started
    timings = result.timings
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": size,
        "candidates": candidates,
        "build_s": timings.get("build", 0.0),
        "first_plan_s": timings.get("first_plan", 0.0),
        "lp_s": timings.get("lp", 0.0),
        "search_s": timings.get("search", 0.0),
        "wall_s": wall,
        "objective": result.objective,
        "bound": result.bound,
        "gap_pct": 100 * result.gap,
        "greedy": result.greedy_objective,
        "ratio": result.objective / result.greedy_objective if result.greedy_objective else 0.0,
        "people_moved": result.kpis_after.get("people_moved", 0.0),
        "status": result.status + (" capped" if result.time_limit_hit else ""),
        "peak_mib": peak,
        "us_per_candidate": 1e6 * wall / max(1, candidates),
        "kib_per_candidate": 1024 * peak / max(1, candidates),
        "passes": result.passes,
    }


HEADER = (
    f"{'size':<4} {'cand.':>9} {'build':>6} {'first':>6} {'lp':>6} {'search':>6} {'wall':>6} "
    f"{'objective':>12} {'bound':>12} {'gap %':>6} {'greedy':>12} {'x greedy':>8} "
    f"{'moved':>6} {'peak MiB':>8} {'µs/c':>6} {'KiB/c':>6} {'passes':>6} {'load':>5}  status"
)


def format_row(row: dict[str, float | str]) -> str:
    """One table line of :func:`run_one`'s figures."""
    return (
        f"{row['size']:<4} {row['candidates']:>9,} {row['build_s']:>6.1f} "
        f"{row['first_plan_s']:>6.1f} {row['lp_s']:>6.1f} {row['search_s']:>6.1f} "
        f"{row['wall_s']:>6.1f} {row['objective']:>12,.0f} {row['bound']:>12,.0f} "
        f"{row['gap_pct']:>6.2f} {row['greedy']:>12,.0f} {row['ratio']:>8.4f} "
        f"{row['people_moved']:>6.0f} {row['peak_mib']:>8.0f} {row['us_per_candidate']:>6.1f} "
        f"{row['kib_per_candidate']:>6.2f} {row['passes']:>6} {os.getloadavg()[0]:>5.2f}  "
        f"{row['status']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="all", choices=["S", "M", "L", "XL", "all"])
    parser.add_argument("--curve", action="store_true", help="S, M, L and XL, one by one")
    parser.add_argument(
        "--wall-clock", action="store_true", help="the wall-clock search, not the default"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per size (default: S 5, M 20, L 120)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--continuity-weight",
        type=float,
        default=None,
        help="Policy.continuity_weight (default: the solver's, 1.0); 0 turns it off",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = ["S", "M", "L"] if args.size == "all" else [args.size]
    if args.curve:
        sizes = ["S", "M", "L", "XL"]
    if args.child:
        limit = args.time_limit or DEFAULT_LIMITS[sizes[0]]
        row = run_one(
            sizes[0], limit, args.workers, args.seed, args.continuity_weight, args.wall_clock
        )
        print(json.dumps(row))
        return 0
    print(HEADER, flush=True)
    for size in sizes:
        command = [
            sys.executable,
            __file__,
            "--child",
            "--size",
            size,
            "--workers",
            str(args.workers),
            "--seed",
            str(args.seed),
        ]
        if args.time_limit is not None:
            command += ["--time-limit", str(args.time_limit)]
        if args.continuity_weight is not None:
            command += ["--continuity-weight", str(args.continuity_weight)]
        if args.wall_clock:
            command += ["--wall-clock"]
        child = subprocess.run(command, capture_output=True, text=True, check=False)
        if child.returncode != 0:
            print(f"{size:<4} failed: {child.stderr.strip().splitlines()[-1:]}", flush=True)
            continue
        print(format_row(json.loads(child.stdout.strip().splitlines()[-1])), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
