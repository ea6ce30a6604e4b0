"""The scheduling core against hand computation, brute force and published optima.

The tiny instance (one project, four activities, two resources) is worked out
by hand in the docstring of :func:`tiny`; brute force re-implements feasibility
here, independently of solver/, and enumerates every start time.
"""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared_files import shared_folder

from solver.scheduling.core import (
    InstanceFormatError,
    build_instance,
    check_schedule,
    lower_bounds,
    read_mplib,
    read_psplib,
    solve_schedule,
)
from solver.scheduling.heuristic import heuristic_schedule, makespan_of
from solver.scheduling.network import network_of

BENCHMARKS = shared_folder("benchmarks")
needs_benchmarks = pytest.mark.skipif(
    not BENCHMARKS.is_dir(), reason=f"benchmark instances not found at {BENCHMARKS}"
)

#: (project, activity, duration, [demand R1, demand R2], successors)
TINY_ROWS = [
    (1, 1, 3, [3, 0], [(1, 3)]),  # A
    (1, 2, 2, [2, 2], [(1, 4)]),  # B
    (1, 3, 2, [2, 0], []),  # C, after A
    (1, 4, 1, [0, 2], []),  # D, after B
]


def tiny(projects: dict[int, int] | None = None, rows: list | None = None):
    """Capacities R1 = 4, R2 = 2; A -> C, B -> D.

    By hand: A (3 of R1) never runs beside B or C (2 each); B and C fit together.
    A first: A [0,3), B and C [3,5), D [5,6) -> makespan 6. B first: B [0,2),
    A [2,5), C [5,7) -> 7. So the optimum is 6. Critical path A + C = 5; energy
    R1 = 3*3 + 2*2 + 2*2 = 17 -> ceil(17 / 4) = 5, R2 = 2*2 + 1*2 = 6 -> 3. Both
    bounds are 5, one below the optimum.
    """
    return build_instance("tiny", [4, 2], projects or {1: 0}, rows or TINY_ROWS)


def brute_force(rows, capacities, releases, objective="makespan") -> int:
    """Best objective over every start-time vector in [release, release + sum of durations]."""
    horizon = max(releases.values()) + sum(row[2] for row in rows)
    keys = [(p, a) for p, a, *_ in rows]
    best = None
    for starts in itertools.product(range(horizon + 1), repeat=len(rows)):
        start = dict(zip(keys, starts, strict=True))
        if not _feasible(rows, capacities, releases, start):
            continue
        finish = {(p, a): start[(p, a)] + d for p, a, d, *_ in rows}
        if objective == "makespan":
            value = max(finish.values())
        else:
            value = sum(max(f for (p, _), f in finish.items() if p == q) for q in releases)
        best = value if best is None else min(best, value)
    assert best is not None
    return best


def _feasible(rows, capacities, releases, start) -> bool:
    for p, a, d, _, successors in rows:
        if start[(p, a)] < releases[p]:
            return False
        if any(start[s] < start[(p, a)] + d for s in successors):
            return False
    for period in range(max(start.values()) + max(r[2] for r in rows)):
        for k, capacity in enumerate(capacities):
            used = sum(
                dem[k] for p, a, d, dem, _ in rows if start[(p, a)] <= period < start[(p, a)] + d
            )
            if used > capacity:
                return False
    return True


def test_tiny_instance_optimum_matches_hand_and_brute_force() -> None:
    result = solve_schedule(tiny(), time_limit_s=5, seed=0, workers=2)
    assert brute_force(TINY_ROWS, [4, 2], {1: 0}) == 6
    assert result.objective == 6
    assert result.status == "OPTIMAL"
    assert check_schedule(tiny(), result.starts) == []


def test_tiny_instance_lower_bounds_by_hand() -> None:
    bounds = lower_bounds(tiny())
    assert (bounds.critical_path, bounds.energy, bounds.combined) == (5, 5, 5)
    result = solve_schedule(tiny(), time_limit_s=5)
    assert (result.critical_path_bound, result.energy_bound) == (5, 5)
    assert result.lower_bound <= result.objective


def test_release_date_and_total_project_finish() -> None:
    """A and C in project 1, B and D in project 2, released at 1.

    Sum of project finishes: B first: B [1,3), D [3,4), A [3,6), C [6,8) -> 8 + 4 = 12;
    A first: A [0,3), C [3,5), B [3,5), D [5,6) -> 5 + 6 = 11, the optimum.
    Bounds: project 1 critical path 5; project 2: release 1 + B + D = 4 -> 9.
    """
    rows = [
        (1, 1, 3, [3, 0], [(1, 3)]),
        (2, 2, 2, [2, 2], [(2, 4)]),
        (1, 3, 2, [2, 0], []),
        (2, 4, 1, [0, 2], []),
    ]
    instance = tiny({1: 0, 2: 1}, rows)
    result = solve_schedule(instance, time_limit_s=5, objective="total_project_finish")
    assert brute_force(rows, [4, 2], {1: 0, 2: 1}, "total_project_finish") == 11
    assert result.objective == 11
    assert lower_bounds(instance, "total_project_finish").combined == 9
    assert check_schedule(instance, result.starts) == []
    starts = {(p, a): s for p, a, s, _ in result.starts.iter_rows()}
    assert starts[(2, 2)] >= 1


def test_schedule_frame_and_checker_catch_violations() -> None:
    result = solve_schedule(tiny(), time_limit_s=5)
    assert result.starts.columns == ["project", "activity", "start", "finish"]
    assert result.starts.height == 4
    broken = result.starts.with_columns(start=pl.lit(0, pl.Int64), finish=pl.col("finish") * 0 + 3)
    problems = check_schedule(tiny(), broken)
    assert any("before its predecessor" in p for p in problems)
    assert any("above capacity" in p for p in problems)


@st.composite
def small_instances(draw):
    """Three or four activities, two resources, random forward precedences."""
    count = draw(st.integers(3, 4))
    capacities = [draw(st.integers(2, 4)), draw(st.integers(1, 3))]
    rows = []
    for a in range(1, count + 1):
        duration = draw(st.integers(0, 3))
        demands = [draw(st.integers(0, c)) for c in capacities]
        successors = [(1, b) for b in range(a + 1, count + 1) if draw(st.booleans())]
        rows.append((1, a, duration, demands, successors))
    return capacities, draw(st.integers(0, 2)), rows


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_cpsat_agrees_with_brute_force_and_bounds_hold(case) -> None:
    capacities, release, rows = case
    instance = build_instance("random", capacities, {1: release}, rows)
    result = solve_schedule(instance, time_limit_s=5)
    optimum = brute_force(rows, capacities, {1: release})
    assert result.objective == optimum
    assert result.critical_path_bound <= optimum
    assert result.energy_bound <= optimum
    assert result.lower_bound <= optimum
    assert check_schedule(instance, result.starts) == []


@needs_benchmarks
@pytest.mark.parametrize("name", ["j301_1.sm", "j309_3.sm"])
def test_real_j30_instances_reach_their_optimum(name: str) -> None:
    table = pl.read_csv(BENCHMARKS / "psplib" / "j30" / "optimum.csv")
    expected = table.filter(pl.col("problem") == name).item(0, "optimum")
    instance = read_psplib(BENCHMARKS / "psplib" / "j30" / name)
    result = solve_schedule(instance, time_limit_s=10, seed=0, workers=2)
    assert result.objective == expected
    assert result.lower_bound <= expected
    assert check_schedule(instance, result.starts) == []


@needs_benchmarks
def test_mplib_file_parses_into_24_projects_of_62_activities() -> None:
    instance = read_mplib(BENCHMARKS / "mplib" / "MPLIB1_Set3_0.txt")
    assert instance.projects.height == 24
    assert instance.activity_count == 24 * 62
    per_project = instance.activities.group_by("project").len()
    assert per_project.get_column("len").to_list() == [62] * 24
    assert instance.resources.get_column("capacity").to_list() == [164, 1894, 1879, 1433]
    assert instance.projects.get_column("release_date").to_list() == [0] * 24
    first = instance.precedences.filter(pl.col("project") == 1, pl.col("activity") == 1)
    assert first.get_column("successor_activity").to_list() == [2, 3, 4]
    bounds = lower_bounds(instance)
    assert bounds.energy == 371  # bks-2024: 374; published CP-SAT bound: 371


MPLIB_TEXT = """1
2
 5 4

3 0
1 1
0 0 0 2 1:2 1:3
2 3 1 1 1:3
1 2 2 0
"""


def test_mplib_small_text_parses(tmp_path: Path) -> None:
    path = tmp_path / "small.txt"
    path.write_text(MPLIB_TEXT)
    instance = read_mplib(path)
    assert instance.activity_count == 3
    assert instance.precedences.height == 3
    assert solve_schedule(instance, time_limit_s=5).objective == 3


@pytest.mark.parametrize(
    ("broken", "line", "words"),
    [
        (MPLIB_TEXT.replace("2 3 1 1 1:3", "2 3 1 2 1:3"), 8, "successor"),
        (MPLIB_TEXT.replace("1 2 2 0", "1 x 2 0"), 9, "integers"),
        (MPLIB_TEXT.replace(" 5 4", " 5"), 3, "capacities"),
        (MPLIB_TEXT.replace("2 3 1 1 1:3", "2 3 1 1 1:7"), 8, "1:7"),
        (MPLIB_TEXT.replace("1 2 2 0\n", ""), 8, "ends"),
        (MPLIB_TEXT + "9 9\n", 10, "after the last project"),
    ],
)
def test_malformed_mplib_names_file_and_line(
    tmp_path: Path, broken: str, line: int, words: str
) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(broken)
    with pytest.raises(InstanceFormatError) as caught:
        read_mplib(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert words in str(caught.value)


def test_malformed_psplib_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.sm"
    path.write_text("this is not a PSPLIB file\n")
    with pytest.raises(InstanceFormatError, match="broken.sm"):
        read_psplib(path)


def test_unschedulable_instance_is_a_clear_error() -> None:
    rows = [(1, 1, 2, [5, 0], [])]
    with pytest.raises(ValueError, match="activity 1:1 needs 5 of resource 1"):
        solve_schedule(tiny(rows=rows), time_limit_s=1)
    cycle = [(1, 1, 1, [1, 0], [(1, 2)]), (1, 2, 1, [1, 0], [(1, 1)])]
    with pytest.raises(ValueError, match="cycle"):
        solve_schedule(tiny(rows=cycle), time_limit_s=1)


@needs_benchmarks
def test_same_seed_workers_and_deterministic_time_give_the_same_schedule() -> None:
    instance = read_psplib(BENCHMARKS / "psplib" / "j30" / "j3013_1.sm")  # not solved in 10 s
    runs = [
        solve_schedule(instance, time_limit_s=60, seed=3, workers=2, deterministic_time=0.2)
        for _ in range(2)
    ]
    assert runs[0].objective == runs[1].objective
    assert runs[0].starts.equals(runs[1].starts)


def test_importing_the_core_does_not_load_ortools() -> None:
    code = "import sys, solver.scheduling.core; print('ortools' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


def _random_instance(count: int, seed: int):
    """``count`` activities in two projects (release 0 and 3), three resources, forward arcs."""
    rng = random.Random(seed)
    capacities = [4, 3, 5]
    rows = []
    for a in range(1, count + 1):
        project = 1 if a <= count // 2 else 2
        later = [b for b in range(a + 1, count + 1) if rng.random() < 3 / count]
        successors = [(1 if b <= count // 2 else 2, b) for b in later]
        demands = [rng.randint(0, c) for c in capacities]
        rows.append((project, a, rng.randint(1, 6), demands, successors))
    return build_instance(f"random{seed}", capacities, {1: 0, 2: 3}, rows)


def _frame(network, starts: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "project": [p for p, _ in network.keys],
            "activity": [a for _, a in network.keys],
            "start": starts,
            "finish": [s + d for s, d in zip(starts, network.durations, strict=True)],
        }
    )


def test_heuristic_is_feasible_seeded_and_a_deadline_only_cuts_random_passes() -> None:
    """Same seed, same schedule; a deadline already past keeps the rule passes only,
    so its makespan can be no better than that of all passes (they extend the rules)."""
    instance = _random_instance(30, seed=7)
    network = network_of(instance)
    full = heuristic_schedule(network, network.tails(), seed=5)
    assert heuristic_schedule(network, network.tails(), seed=5) == full
    rules_only = heuristic_schedule(network, network.tails(), seed=5, deadline=0.0)
    for starts in (full, rules_only):
        assert check_schedule(instance, _frame(network, starts)) == []
    assert makespan_of(network, rules_only) >= makespan_of(network, full)
    assert makespan_of(network, full) >= lower_bounds(instance).combined
