"""Stability benchmark: apply a plan, perturb k people, plan again; compare with a fresh plan.

For a seeded organisation (bench/orgs.py): plan it and apply the plan (the plan becomes
the current allocation). Then, for k = 0, 1, 2, 5, 10, 20: give k people (the busiest,
in a seeded order) two weeks of leave in weeks where they work, and plan again, once
*from the applied plan* (what a PMO re-planning weekly does) and once *fresh* (the same
changed data planned from the original allocation, as if the first plan had never been
applied). Both plans are scored against the applied plan (churn counted against it), and
the people whose allocations differ from the applied plan are counted.

Columns: k; re-plan: people moved, moves, objective, seconds; fresh: people moved (from
the applied plan), objective (against the applied plan); the re-plan's objective over the
fresh plan's; load average.

Usage::

    python bench/stability.py [--people 120 --projects 30 --weeks 12] [--seed 0]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import polars as pl

from bench.orgs import Size, organisation
from solver import INPUT_SCHEMAS, PlanInput, Policy, evaluate, solve_plan

#: Numbers of people given two weeks of leave.
PERTURBED = (0, 1, 2, 5, 10, 20)


def with_current(data: PlanInput, plan: pl.DataFrame) -> PlanInput:
    """``data`` with ``plan`` as its current allocation (what applying it writes)."""
    return dataclasses.replace(data, current=plan.select(list(INPUT_SCHEMAS["current"])))


def with_leave(data: PlanInput, people: list[str]) -> PlanInput:
    """Each of ``people`` on leave (capacity 0) in the 3rd and 4th week they work."""
    busy = data.current.filter(pl.col("demand_id").is_not_null() & ~pl.col("pinned"))
    off = []
    for person in people:
        weeks = sorted(busy.filter(pl.col("person_id") == person)["week"].unique())[2:4]
        off += [(person, week) for week in weeks]
    leave = pl.DataFrame(off, schema={"person_id": pl.String, "week": pl.Date}, orient="row")
    capacity = (
        data.capacity.join(
            leave.with_columns(off=pl.lit(True)), on=["person_id", "week"], how="left"
        )
        .with_columns(pl.when(pl.col("off")).then(0.0).otherwise(pl.col("hours")).alias("hours"))
        .drop("off")
    )
    return dataclasses.replace(data, capacity=capacity)


def people_changed(before: pl.DataFrame, after: pl.DataFrame) -> int:
    """People whose rows on demands differ between two plans."""
    key = ["person_id", "demand_id", "week", "hours"]
    rows = [plan.filter(pl.col("demand_id").is_not_null()).select(key) for plan in (before, after)]
    differ = pl.concat(
        [rows[0].join(rows[1], on=key, how="anti"), rows[1].join(rows[0], on=key, how="anti")]
    )
    return differ["person_id"].n_unique()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--projects", type=int, default=30)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    policy = Policy()
    data = organisation(Size(args.people, args.projects, args.weeks), seed=args.seed)
    started = time.perf_counter()
    first = solve_plan(data, policy)
    print(
        f"first plan: {first.moves['person_id'].n_unique()} people moved, "
        f"{first.moves.height} moves, objective {first.objective:,.1f}, "
        f"{time.perf_counter() - started:.1f} s, settled {first.settled}"
    )
    applied = with_current(data, first.plan)
    busiest = (
        applied.current.filter(pl.col("demand_id").is_not_null() & ~pl.col("pinned"))
        .group_by("person_id")
        .agg(pl.col("hours").sum())
        .sort(["hours", "person_id"], descending=[True, False])["person_id"]
        .to_list()
    )
    print(
        "| k | re-plan: people moved | moves | objective | s | fresh: people moved "
        "| objective | re-plan / fresh | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for k in PERTURBED:
        changed = with_leave(applied, busiest[:k])
        clock = time.perf_counter()
        again = solve_plan(changed, policy)
        seconds = time.perf_counter() - clock
        fresh = solve_plan(dataclasses.replace(changed, current=data.current), policy)
        fresh_score = evaluate(changed, fresh.plan, policy)["objective"]
        load = os.getloadavg()[0]
        print(
            f"| {k} | {again.moves['person_id'].n_unique()} | {again.moves.height} "
            f"| {again.objective:,.1f} | {seconds:.1f} "
            f"| {people_changed(first.plan, fresh.plan)} | {fresh_score:,.1f} "
            f"| {again.objective / fresh_score:.4f} | {load:.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
