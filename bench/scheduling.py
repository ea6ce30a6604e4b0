"""Benchmark the scheduling core against published optima and best-known values.

Runs :func:`solver.scheduling.core.solve_schedule` on PSPLIB j30/j60/j120 and MPLIB1
Set 3 and prints, per set, a Markdown table: instances, how many reach the
reference, mean and max gap to it, mean time, and how far the objective is from
our own lower bound. References (see ``shared/benchmarks/SOURCES.md``):

- j30: ``psplib/j30/optimum.csv`` (all optimal).
- j60: ``psplib/j60/optimum.csv``; where it gives ``lb..ub`` (open in 2020) the
  gap is measured to ``ub``.
- j120: the smaller of ``psplib/j120/optimum.csv``'s ``ub`` and
  ``bks-2024.csv``'s ``J120_<n>`` value (``j120<p>_<i>`` is ``J120_<10(p-1)+i>``).
- mplib: ``bks-2024.csv`` rows ``RCMPSP``, whose values are portfolio makespans
  (the latest finish over all projects), the objective used here.

Usage::

    python bench/scheduling.py --set j30
    python bench/scheduling.py --set j120 --per-class 1 --time-limit 10 --workers 2
    python bench/scheduling.py --set j30 --per-class 1     # 48 instances, j30<class>_1.sm
    python bench/scheduling.py --set mplib --time-limit 60 --csv mplib.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from solver.scheduling.core import check_schedule, read_mplib, read_psplib, solve_schedule

#: Where the instances live: ``<workspace>/shared/benchmarks`` next to the checkout.
DEFAULT_BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"

SETS = ("j30", "j60", "j120", "mplib")

#: Seconds per instance when ``--time-limit`` is not given (the issue's targets).
DEFAULT_TIME_LIMIT = {"j30": 10.0, "j60": 10.0, "j120": 10.0, "mplib": 60.0}


@dataclass(frozen=True)
class Reference:
    """A published value: ``value`` to compare with, ``lower`` if the optimum is open."""

    value: int
    lower: int | None
    note: str


@dataclass(frozen=True)
class Row:
    """One solved instance."""

    instance: str
    status: str
    objective: int
    reference: int
    reference_note: str
    lower_bound: int
    static_bound: int
    cpsat_bound: float | None
    heuristic: int
    seconds: float

    @property
    def gap(self) -> float:
        """Relative gap to the reference (negative: better than the reference)."""
        return (self.objective - self.reference) / self.reference


def parse_range(text: str) -> tuple[int | None, int]:
    """``"43"`` -> (43, 43); ``"104..105"`` -> (104, 105); ``"..89"`` -> (None, 89)."""
    low, dots, high = text.strip().partition("..")
    if not dots:
        return int(low), int(low)
    return (int(low) if low else None), int(high)


def psplib_references(folder: Path, bks: dict[str, int]) -> dict[str, Reference]:
    """References of a PSPLIB folder from its optimum.csv (and bks-2024 for j120)."""
    references = {}
    with (folder / "optimum.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            lower, upper = parse_range(row["optimum"])
            note = "optimum" if lower == upper else "ub of open range"
            best = bks.get(_bks_name(row["problem"])) if folder.name == "j120" else None
            if best is not None and best < upper:
                upper, note = best, "bks-2024"
            references[row["problem"]] = Reference(upper, lower, note)
    return references


def _bks_name(problem: str) -> str:
    """``j1203_7.sm`` -> ``J120_27.txt`` (bks-2024 numbers the 600 instances in order)."""
    parameter, instance = problem.removeprefix("j120").removesuffix(".sm").split("_")
    return f"J120_{(int(parameter) - 1) * 10 + int(instance)}.txt"


def read_bks(path: Path) -> dict[tuple[str, str], int]:
    """``(problem, instance) -> bks`` from bks-2024.csv."""
    with path.open(newline="") as handle:
        return {(r["problem"], r["instance"]): int(r["bks"]) for r in csv.DictReader(handle)}


def instances_of(name: str, root: Path) -> tuple[list[Path], dict[str, Reference]]:
    """Instance files of a set (sorted naturally) and their references."""
    bks = read_bks(root / "bks-2024.csv")
    if name == "mplib":
        files = sorted((root / "mplib").glob("*.txt"), key=_natural)
        references = {
            f.name: Reference(bks[("RCMPSP", f.name)], None, "bks-2024")
            for f in files
            if ("RCMPSP", f.name) in bks
        }
        return files, references
    j120 = {instance: value for (problem, instance), value in bks.items() if problem == "RCPSP"}
    files = sorted((root / "psplib" / name).glob("*.sm"), key=_natural)
    return files, psplib_references(root / "psplib" / name, j120)


def _instance_number(path: Path) -> int:
    """Number of an instance within its parameter class: ``j1203_7.sm`` -> 7.

    PSPLIB names instances ``j<size><class>_<number>``; MPLIB files have no classes
    (``MPLIB1_Set3_4.txt``), so every one counts as the first of its own class.
    """
    stem, underscore, number = path.stem.rpartition("_")
    if path.suffix != ".sm" or not underscore or not number.isdigit():
        return 1
    return int(number)


def _natural(path: Path) -> list[object]:
    """Sort key: j301_10 after j301_9."""
    digits = "".join(c if c.isdigit() else " " for c in path.stem).split()
    return [int(d) for d in digits] + [path.stem]


def run_set(name: str, args: argparse.Namespace) -> list[Row]:
    """Solve and check the instances of one set; one progress line per instance on stderr.

    Every schedule is re-checked with :func:`check_schedule` (precedences, release
    dates, capacity per period); an infeasible one stops the benchmark.
    """
    files, references = instances_of(name, args.benchmarks)
    files = [f for f in files if f.name in references]
    if args.per_class:
        files = [f for f in files if _instance_number(f) <= args.per_class]
    if args.only:
        files = [f for f in files if f.name in args.only.split(",")]
    files = files[: args.limit or None]
    limit = args.time_limit if args.time_limit is not None else DEFAULT_TIME_LIMIT[name]
    rows = []
    for number, file in enumerate(files, start=1):
        instance = read_mplib(file) if name == "mplib" else read_psplib(file)
        result = solve_schedule(instance, limit, args.seed, args.workers, args.deterministic_time)
        reference = references[file.name]
        assert result.objective is not None
        problems = check_schedule(instance, result.starts)
        if problems:
            raise SystemExit(f"{file.name}: infeasible schedule: {problems[:3]}")
        rows.append(
            Row(
                file.name,
                result.status,
                result.objective,
                reference.value,
                reference.note,
                result.lower_bound,
                result.static_bound,
                result.cpsat_bound,
                result.heuristic_objective or result.objective,
                result.wall_time_s,
            )
        )
        print(
            f"{name} {number}/{len(files)} {file.name}: {result.objective} (ref {reference.value}, "
            f"lb {result.lower_bound}, {result.status}, {result.wall_time_s:.1f} s)",
            file=sys.stderr,
            flush=True,
        )
    return rows


def summary(name: str, rows: list[Row], limit: float) -> str:
    """A Markdown table row summarising one set."""
    count = len(rows)
    at_reference = sum(r.objective <= r.reference for r in rows)
    below = sum(r.objective < r.reference for r in rows)
    optimal = sum(r.status == "OPTIMAL" for r in rows)
    mean_gap = 100 * sum(r.gap for r in rows) / count
    max_gap = 100 * max(r.gap for r in rows)
    mean_time = sum(r.seconds for r in rows) / count
    heuristic_gap = 100 * sum((r.heuristic - r.reference) / r.reference for r in rows) / count
    own_gap = 100 * sum((r.objective - r.static_bound) / r.static_bound for r in rows) / count
    final_gap = 100 * sum((r.objective - r.lower_bound) / r.lower_bound for r in rows) / count
    reference_gap = 100 * sum((r.reference - r.static_bound) / r.static_bound for r in rows) / count
    open_refs = sum(r.reference_note != "optimum" for r in rows)
    return (
        f"| {name} | {count} | {limit:g} | {at_reference} ({below} below) | {optimal} | "
        f"{mean_gap:.2f} | {max_gap:.2f} | {heuristic_gap:.2f} | {mean_time:.2f} | "
        f"{own_gap:.2f} | {final_gap:.2f} | {reference_gap:.2f} | {open_refs} |"
    )


HEADER = (
    "| set | instances | s/instance | at reference | proven optimal | mean gap % | max gap % "
    "| heuristic gap % | mean time s | gap to own LB % | gap to final LB % "
    "| reference to own LB % | open refs |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def machine() -> str:
    """CPU count, CPU model, Python and OR-Tools versions."""
    import ortools

    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"OR-Tools {ortools.__version__}"
    )


def write_csv(path: Path, rows: list[Row]) -> None:
    """Per-instance results."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "instance",
                "status",
                "objective",
                "reference",
                "reference_note",
                "gap",
                "lower_bound",
                "static_bound",
                "cpsat_bound",
                "heuristic",
                "seconds",
            ]
        )
        for r in rows:
            writer.writerow(
                [
                    r.instance,
                    r.status,
                    r.objective,
                    r.reference,
                    r.reference_note,
                    f"{r.gap:.5f}",
                    r.lower_bound,
                    r.static_bound,
                    r.cpsat_bound,
                    r.heuristic,
                    f"{r.seconds:.3f}",
                ]
            )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=(*SETS, "all"), default="all", help="instance set")
    parser.add_argument(
        "--time-limit", type=float, help="seconds per instance (default 10, mplib 60)"
    )
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--deterministic-time", type=float, help="CP-SAT deterministic limit")
    parser.add_argument("--limit", type=int, help="first N instances of each set only")
    parser.add_argument(
        "--per-class",
        type=int,
        metavar="N",
        help="PSPLIB: only instances 1..N of each parameter class (j120<class>_<n>.sm); "
        "--per-class 1 is the first instance of each class",
    )
    parser.add_argument("--only", help="comma-separated instance file names (e.g. j3029_8.sm)")
    parser.add_argument(
        "--benchmarks", type=Path, default=DEFAULT_BENCHMARKS, help="instances root"
    )
    parser.add_argument("--csv", type=Path, help="write per-instance rows here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sets and print the tables."""
    args = parse_args(argv)
    names = SETS if args.set == "all" else (args.set,)
    began = time.perf_counter()
    all_rows: list[Row] = []
    lines = [HEADER]
    for name in names:
        rows = run_set(name, args)
        all_rows.extend(rows)
        limit = args.time_limit if args.time_limit is not None else DEFAULT_TIME_LIMIT[name]
        if rows:
            lines.append(summary(name, rows, limit))
    print(f"Machine: {machine()}; workers {args.workers}, seed {args.seed}")
    print("\n".join(lines))
    print(f"\nTotal {time.perf_counter() - began:.0f} s")
    if args.csv:
        write_csv(args.csv, all_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
