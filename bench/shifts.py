"""Start-shift benchmark: solver.shifts.choose.choose_shifts on the seeded organisations of bench/orgs.py.

Adds what the organisations lack: an allowance of 0-4 weeks per project, finish-to-start
dependencies (drawn at random, kept only while they stay satisfiable; some are violated at
zero shifts so successors must move), projects with pinned rows locked, fixed and pinned
hours as fixed load.

Usage::

    python bench/shifts.py [--size S|M|L] [--skills 12] [--time-limit 60] [--workers 2] [--seed 0]
                           [--dependencies 50] [--max-shift 4] [--deterministic-time T]

Prints one JSON object: sizes, status, objective, bound, shifts, and seconds per phase
(prepare = frames and dependency bounds, build = CP-SAT model, solve = search).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.orgs import organisation
from solver.shifts.choose import EPOCH, choose_shifts
from solver.shifts.dependencies import Allowance, Span, make_links, shift_bounds


def instance(
    size: str, seed: int, dependencies: int, max_shift: int, skills: int | None = None
) -> dict:
    """The organisation's frames plus allowances, dependencies, fixed load and locks;
    ``skills`` folds the catalogue onto that many skills (skill number modulo it)."""
    data = organisation(size, seed=seed)
    if skills is not None:
        number = pl.col("skill_id").str.slice(6).cast(pl.Int64) % skills
        fold = (pl.lit("skill-") + number.cast(pl.String).str.zfill(3)).alias("skill_id")
        data.skills = data.skills.with_columns(fold)
        data.demand = data.demand.with_columns(fold)
    rng = np.random.default_rng(seed + 1)
    projects = data.projects.with_columns(
        may_shift_weeks=pl.Series(rng.integers(0, max_shift + 1, data.projects.height))
    )
    current = data.current.filter(pl.col("hours") > 0)
    fixed = current.filter(pl.col("demand_id").is_null() | pl.col("pinned"))
    locked = set(current.filter(pl.col("pinned"))["project_id"].unique().to_list())
    links = _dependencies(data.demand, projects, locked, rng, dependencies)
    return {
        "demand": data.demand,
        "capacity": data.capacity,
        "skills": data.skills,
        "projects": projects,
        "dependencies": links,
        "fixed_load": fixed.select("person_id", "week", "hours"),
        "locked_projects": locked,
    }


def _dependencies(
    demand: pl.DataFrame, projects: pl.DataFrame, locked: set[str], rng, count: int
) -> pl.DataFrame:
    """Random finish-to-start links, each kept only if all kept so far stay satisfiable."""
    weeks = (pl.col("week") - pl.lit(EPOCH)).dt.total_days() // 7
    spans_frame = (
        demand.filter(pl.col("hours") > 0)
        .group_by("project_id")
        .agg(
            weeks.min().alias("first"),
            weeks.max().alias("last"),
            pl.col("week").min().alias("fw"),
            pl.col("week").max().alias("lw"),
        )
        .sort("project_id")
    )
    spans = {p: Span(f, last, fw, lw) for p, f, last, fw, lw in spans_frame.iter_rows()}
    allowances = {
        p: Allowance(w, p in locked)
        for p, w in projects.select("project_id", "may_shift_weeks").iter_rows()
    }
    names = sorted(spans)
    kept: list[tuple[str, str, int]] = []
    tries = 0
    while len(kept) < count and tries < 100 * count:
        tries += 1
        source, target = rng.choice(len(names), size=2, replace=False)
        row = (names[source], names[target], int(rng.integers(0, 2)))
        if spans[row[0]].last + 1 + row[2] - spans[row[1]].first > 4:
            continue
        trial = kept + [row]
        if not shift_bounds(spans, allowances, make_links(spans, trial)).conflicts:
            kept = trial
    return pl.DataFrame(
        kept,
        schema={"from_project_id": pl.String, "to_project_id": pl.String, "lag_weeks": pl.Int64},
        orient="row",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="L")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dependencies", type=int, default=50)
    parser.add_argument("--max-shift", type=int, default=4)
    parser.add_argument("--deterministic-time", type=float, default=None)
    parser.add_argument("--delay-weight", type=float, default=1.0)
    parser.add_argument(
        "--skills",
        type=int,
        default=None,
        help="fold the skill catalogue onto this many skills (e.g. 12)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    frames = instance(args.size, args.seed, args.dependencies, args.max_shift, args.skills)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    decision = choose_shifts(
        **frames,
        cover_weight=1.0,
        delay_weight=args.delay_weight,
        time_limit_s=args.time_limit,
        seed=args.seed,
        workers=args.workers,
        deterministic_time=args.deterministic_time,
    )
    wall = time.perf_counter() - started
    gap = (decision.bound - decision.objective) / max(abs(decision.bound), 1e-9)
    print(
        json.dumps(
            {
                "size": args.size,
                "people": frames["capacity"]["person_id"].n_unique(),
                "projects": frames["projects"].height,
                "weeks": frames["capacity"]["week"].n_unique(),
                "skills": frames["skills"]["skill_id"].n_unique(),
                "dependencies": frames["dependencies"].height,
                "movable_projects": int((frames["projects"]["may_shift_weeks"] > 0).sum())
                - len(
                    frames["locked_projects"]
                    & set(frames["projects"].filter(pl.col("may_shift_weeks") > 0)["project_id"])
                ),
                "status": decision.status,
                "objective": round(decision.objective, 1),
                "start_objective": round(decision.start_objective, 1),
                "bound": round(decision.bound, 1),
                "gap": round(gap, 6),
                "shifted_projects": decision.shifts.height,
                "delay_cost": decision.delay_cost,
                "model": decision.stats,
                "seconds": {
                    "generate": round(generated, 2),
                    "wall": round(wall, 2),
                    **{k: round(v, 2) for k, v in decision.timings.items()},
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
