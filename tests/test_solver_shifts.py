"""Project start shifts (solver/shifts/choose.py): hand-computed cases, conflicts, brute force.

The brute force re-implements the semantics independently of solver/: first and last
week with demand, the finish-to-start rule, and the aggregate cover (per week, every
split of each person's free hours over the skills they hold, in 10 h steps — exact
because all hours are multiples of 10 — then per skill the highest priority first).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
from collections.abc import Callable

import polars as pl
import pytest

from solver.shifts.choose import SHIFTS_SCHEMA, apply_shifts, choose_shifts

START = dt.date(2027, 3, 1)
DEMAND = {
    "demand_id": pl.String,
    "project_id": pl.String,
    "skill_id": pl.String,
    "min_level": pl.Int64,
    "week": pl.Date,
    "hours": pl.Float64,
}
CAPACITY = {"person_id": pl.String, "week": pl.Date, "hours": pl.Float64}
SKILLS = {"person_id": pl.String, "skill_id": pl.String, "level": pl.Int64, "valid_until": pl.Date}
PROJECTS = {"project_id": pl.String, "priority_weight": pl.Float64, "may_shift_weeks": pl.Int64}
DEPENDENCIES = {"from_project_id": pl.String, "to_project_id": pl.String, "lag_weeks": pl.Int64}


def week(k: int) -> dt.date:
    return START + dt.timedelta(weeks=k)


def frame(rows, schema) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def demand_rows(project: str, skill: str | None, weeks, hours: float, role: str = "r"):
    return [(f"{project}-{role}", project, skill, 1, week(k), hours) for k in weeks]


def run(
    demand,
    capacity,
    skills,
    projects,
    dependencies=(),
    fixed=(),
    locked=(),
    *,
    delay_weight=1.0,
    cover_weight=1.0,
    workers=1,
    **settings,
):
    return choose_shifts(
        frame(demand, DEMAND),
        frame(capacity, CAPACITY),
        frame(skills, SKILLS),
        frame(projects, PROJECTS),
        frame(dependencies, DEPENDENCIES),
        frame(fixed, CAPACITY),
        set(locked),
        cover_weight=cover_weight,
        delay_weight=delay_weight,
        time_limit_s=settings.pop("time_limit_s", 10.0),
        workers=workers,
        **settings,
    )


def shift_of(decision) -> dict[str, int]:
    return dict(decision.shifts.select("project_id", "shift_weeks").iter_rows())


def one_person(hours=40.0, weeks=range(6), skill="Dev", person="a"):
    return [(person, week(k), hours) for k in weeks], [(person, skill, 3, None)]


# -- no allowance ---------------------------------------------------------------------------


def test_no_allowance_no_shift_and_demand_unchanged() -> None:
    capacity, skills = one_person()
    demand = demand_rows("HIGH", "Dev", [0, 1], 40.0) + demand_rows("LOW", "Dev", [0, 1], 40.0)
    decision = run(demand, capacity, skills, [("HIGH", 5.0, 0), ("LOW", 1.0, 0)])
    assert decision.status == "OPTIMAL"
    assert decision.shifts.height == 0 and decision.shifts.schema == pl.Schema(SHIFTS_SCHEMA)
    assert decision.shifted_demand.equals(frame(demand, DEMAND))
    assert decision.delay_cost == 0.0 and decision.conflicts == []


# -- collisions on a scarce skill -----------------------------------------------------------


def collision(delay_weight: float):
    # One Dev, 40 h in weeks 0-5. HIGH (weight 5) needs 40 h in weeks 0-2, LOW (weight 1,
    # may start up to 4 weeks later) 40 h in weeks 0-1. LOW's covered hours by shift:
    # 0 -> 0, 1 -> 0 (weeks 1-2), 2 -> 40 (weeks 2-3), 3 -> 80, 4 -> 80 (weeks 4-5).
    # Objective = 5 x 120 + LOW cover - delay_weight x shift.
    capacity, skills = one_person()
    demand = demand_rows("HIGH", "Dev", [0, 1, 2], 40.0) + demand_rows("LOW", "Dev", [0, 1], 40.0)
    return run(
        demand, capacity, skills, [("HIGH", 5.0, 0), ("LOW", 1.0, 4)], delay_weight=delay_weight
    )


def test_lower_priority_project_moves_past_the_collision() -> None:
    decision = collision(delay_weight=1.0)  # shift 3: 680 - 3 = 677 beats 640 - 2 and 680 - 4
    assert decision.status == "OPTIMAL"
    assert shift_of(decision) == {"LOW": 3}
    assert decision.objective == pytest.approx(677.0)
    assert decision.cover == pytest.approx(680.0) and decision.delay_cost == pytest.approx(3.0)
    row = decision.shifts.row(0, named=True)
    assert row["first_week"] == week(0) and row["new_first_week"] == week(3)
    assert "covers more priority-weighted demand" in row["reason"]
    moved = decision.shifted_demand.filter(pl.col("project_id") == "LOW")["week"].to_list()
    assert moved == [week(3), week(4)]


def test_a_large_delay_weight_keeps_the_start() -> None:
    decision = collision(delay_weight=30.0)  # 680 - 90 and 640 - 60 both below 600
    assert decision.shifts.height == 0
    assert decision.objective == pytest.approx(600.0)


def test_shared_people_serve_the_scarcer_skill() -> None:
    # a: Dev only; b: Dev and QA; 40 h each in weeks 0-3. HIGH (5) needs QA 40 h in weeks
    # 0-1, so b works QA there and LOW (1, Dev 80 h in weeks 0-1, allowance 2) gets only
    # a's 40 h a week. LOW cover by shift: 0 -> 80, 1 -> 40 + 80 = 120, 2 -> 160.
    # Delay 1 per week: 2 -> 400 + 160 - 2 = 558 (1 -> 519, 0 -> 480).
    capacity = [(p, week(k), 40.0) for p in ("a", "b") for k in range(4)]
    skills = [("a", "Dev", 2, None), ("b", "Dev", 2, None), ("b", "QA", 2, None)]
    demand = demand_rows("HIGH", "QA", [0, 1], 40.0) + demand_rows("LOW", "Dev", [0, 1], 80.0)
    decision = run(demand, capacity, skills, [("HIGH", 5.0, 0), ("LOW", 1.0, 2)])
    assert shift_of(decision) == {"LOW": 2}
    assert decision.objective == pytest.approx(558.0)


def test_people_shared_by_two_of_three_skills_need_a_hall_cut() -> None:
    # a holds A and B (40 h), c holds C (80 h), weeks 0-2. HIGH (5) needs A 40 h in week 0,
    # OPS (1) C 40 h in weeks 0-2, LOW (2) B 40 h in week 0 (allowance 2). The model's
    # first rows bound A, B, C and A+B+C apart, so it believes a covers A and B in week 0
    # (400 at shift 0); the max flow finds A+B > a's 40 h, the cut moves LOW to week 1:
    # 200 + 120 + 80 - 2 = 398 (at shift 0, truly 320).
    capacity = [(p, week(k), hours) for p, hours in (("a", 40.0), ("c", 80.0)) for k in range(3)]
    skills = [("a", "A", 1, None), ("a", "B", 1, None), ("c", "C", 1, None)]
    demand = (
        demand_rows("HIGH", "A", [0], 40.0)
        + demand_rows("OPS", "C", [0, 1, 2], 40.0)
        + demand_rows("LOW", "B", [0], 40.0)
    )
    decision = run(demand, capacity, skills, [("HIGH", 5.0, 0), ("OPS", 1.0, 0), ("LOW", 2.0, 2)])
    assert decision.status == "OPTIMAL"
    assert shift_of(decision) == {"LOW": 1}
    assert decision.objective == pytest.approx(398.0)
    assert decision.start_objective == pytest.approx(320.0)
    assert decision.stats["cuts"] >= 1


def test_expired_skills_and_fixed_load_reduce_capacity() -> None:
    # a (Dev until week 2) is busy with HIGH in weeks 0-1 and no longer qualified from
    # week 2 on; b has 40 h in weeks 3-4, all of week 4 taken by fixed load. LOW (10 h in
    # week 0, allowance 4) is covered only at shift 3: 5 x 80 + 10 - 0.5 x 3.
    capacity = [("a", week(k), 40.0) for k in range(5)] + [("b", week(k), 40.0) for k in (3, 4)]
    skills = [("a", "Dev", 3, week(2)), ("b", "Dev", 1, None)]
    fixed = [("b", week(4), 40.0)]
    demand = demand_rows("HIGH", "Dev", [0, 1], 40.0) + demand_rows("LOW", "Dev", [0], 10.0)
    decision = run(
        demand, capacity, skills, [("HIGH", 5.0, 0), ("LOW", 1.0, 4)], fixed=fixed, delay_weight=0.5
    )
    assert shift_of(decision) == {"LOW": 3}
    assert decision.objective == pytest.approx(400.0 + 10.0 - 1.5)


# -- dependencies ---------------------------------------------------------------------------


def chain_case(c_allowance: int = 5, locked=()):
    # A: weeks 0-2. B: weeks 1-2 (and a named-person row in week 2), B after A with lag 1:
    # first(B) + s_B >= 2 + 1 + 1 -> s_B >= 3. C: weeks 3-4, after B with lag 0:
    # 3 + s_C >= (2 + 3) + 1 -> s_C >= 3. Plenty of capacity: the least shifts are best.
    capacity = [("a", week(k), 200.0) for k in range(12)]
    skills = [("a", "Dev", 3, None)]
    demand = (
        demand_rows("A", "Dev", [0, 1, 2], 10.0)
        + demand_rows("B", "Dev", [1, 2], 10.0)
        + demand_rows("B", None, [2], 5.0, role="named")
        + demand_rows("C", "Dev", [3, 4], 10.0)
    )
    projects = [("A", 3.0, 0), ("B", 2.0, 5), ("C", 1.0, c_allowance)]
    dependencies = [("A", "B", 1), ("B", "C", 0)]
    return run(demand, capacity, skills, projects, dependencies, locked=locked)


def test_violated_dependency_forces_the_successor_and_the_chain() -> None:
    decision = chain_case()
    assert decision.status == "OPTIMAL"
    assert shift_of(decision) == {"B": 3, "C": 3}
    assert decision.delay_cost == pytest.approx(2.0 * 3 + 1.0 * 3)
    reasons = dict(decision.shifts.select("project_id", "reason").iter_rows())
    assert reasons["B"] == (
        "starts after A ends (finish-to-start, lag 1 week): at least 3 weeks later"
    )
    assert reasons["C"].startswith("starts after B ends (finish-to-start, lag 0 weeks, B itself")
    named = decision.shifted_demand.filter(pl.col("demand_id") == "B-named")["week"].to_list()
    assert named == [week(5)]  # demand without a skill moves with its project


def test_locked_successor_is_infeasible_and_named() -> None:
    decision = run(
        demand_rows("A", "Dev", [0, 1, 2], 10.0) + demand_rows("B", "Dev", [1, 2], 10.0),
        *one_person(weeks=range(10)),
        [("A", 1.0, 0), ("B", 1.0, 5)],
        [("A", "B", 1)],
        locked={"B"},
    )
    assert decision.status == "INFEASIBLE"
    assert decision.shifts.height == 0 and decision.delay_cost == 0.0
    assert decision.conflicts == [
        "Project B may not start later (it is locked: pinned or hard allocations, or demand "
        "inside the frozen horizon), but it depends on A (finish-to-start, lag 1 week), which "
        "ends in the week of 2027-03-15: B would have to start 3 weeks later"
    ]


def test_too_small_allowance_at_the_end_of_a_chain_names_every_link() -> None:
    decision = chain_case(c_allowance=2)
    assert decision.status == "INFEASIBLE"
    assert decision.conflicts == [
        "Project C may start at most 2 weeks later (may_shift_weeks), but it depends on B "
        "(finish-to-start, lag 0 weeks), which depends on A (finish-to-start, lag 1 week), "
        "which ends in the week of 2027-03-15; so B must start at least 3 weeks later and ends "
        "in the week of 2027-04-05: C would have to start 3 weeks later"
    ]


def test_a_cycle_is_a_conflict_not_a_crash() -> None:
    capacity, skills = one_person()
    demand = demand_rows("A", "Dev", [0], 10.0) + demand_rows("B", "Dev", [2], 10.0)
    decision = run(
        demand, capacity, skills, [("A", 1.0, 3), ("B", 1.0, 3)], [("A", "B", 0), ("B", "A", 0)]
    )
    assert decision.status == "INFEASIBLE"
    assert len(decision.conflicts) == 1
    assert decision.conflicts[0].startswith(
        "Projects A and B depend on each other in a cycle (A -> B, finish-to-start, lag 0 "
        "weeks; B -> A, finish-to-start, lag 0 weeks)"
    )


def test_dependencies_on_projects_without_demand_hold() -> None:
    capacity, skills = one_person()
    decision = run(
        demand_rows("A", "Dev", [0], 10.0),
        capacity,
        skills,
        [("A", 1.0, 2), ("GHOST", 1.0, 0)],
        [("GHOST", "A", 3)],
    )
    assert decision.status == "OPTIMAL" and decision.shifts.height == 0


# -- brute force ----------------------------------------------------------------------------


def random_instance(seed: int) -> dict:
    rng = random.Random(seed)
    horizon = rng.randint(4, 6)
    skills_used = ["Dev", "QA"][: rng.randint(1, 2)]
    people = [f"p{i}" for i in range(rng.randint(1, 3))]
    capacity = [
        (p, week(k), float(rng.choice([0, 10, 20, 30, 40]))) for p in people for k in range(horizon)
    ]
    skills = []
    for person in people:
        held = rng.sample(skills_used, rng.randint(1, len(skills_used)))
        skills += [(person, s, rng.randint(1, 3), None) for s in sorted(held)]
    fixed = [(p, week(k), 10.0) for p in people for k in range(horizon) if rng.random() < 0.2]
    names = [f"P{i}" for i in range(rng.randint(2, 4))]
    projects = [(p, float(rng.choice([1, 2, 3, 5])), rng.randint(0, 2)) for p in names]
    demand = []
    for project in names:
        for role in range(rng.randint(1, 2)):
            skill = None if rng.random() < 0.1 else rng.choice(skills_used)
            first = rng.randint(0, horizon - 2)
            weeks = range(first, min(horizon, first + rng.randint(1, 3)))
            demand += demand_rows(
                project, skill, weeks, float(rng.choice([10, 20, 30, 40])), role=f"r{role}"
            )
    dependencies = []
    for _ in range(rng.randint(0, 2)):
        source, target = rng.sample(names, 2)
        dependencies.append((source, target, rng.randint(0, 1)))
    locked = {p for p in names if rng.random() < 0.15}
    return dict(
        demand=demand,
        capacity=capacity,
        skills=skills,
        projects=projects,
        dependencies=dependencies,
        fixed=fixed,
        locked=locked,
        delay_weight=rng.choice([0.5, 2.0, 10.0]),
    )


def brute_force(case: dict) -> tuple[float, list[dict[str, int]], Callable]:
    """Best objective over every combination of shifts, the combinations reaching it, and
    the objective function (``None`` for shifts that break a dependency)."""
    weights = {p: w for p, w, _ in case["projects"]}
    allowance = {p: (0 if p in case["locked"] else a) for p, _, a in case["projects"]}
    names = sorted(weights)
    index = {d: k for k in range(60) for d in [week(k)]}
    spans: dict[str, list[int]] = {}
    for _, project, _, _, day, hours in case["demand"]:
        if hours > 0:
            spans.setdefault(project, []).append(index[day])
    free: dict[tuple[str, int], float] = {}
    for person, day, hours in case["capacity"]:
        free[(person, index[day])] = free.get((person, index[day]), 0.0) + hours
    for person, day, hours in case["fixed"]:
        free[(person, index[day])] = free.get((person, index[day]), 0.0) - hours
    held = {}
    for person, skill, _, _ in case["skills"]:
        held.setdefault(person, set()).add(skill)

    @functools.cache
    def week_cover(week_no: int, wanted: tuple) -> float:
        """wanted: ((skill, weight, hours), ...) -> best weighted cover this week."""
        people = sorted(held)
        options = []
        for person in people:
            hours = max(0.0, free.get((person, week_no), 0.0))
            skills = sorted(held[person] & {s for s, _, _ in wanted})
            steps = int(hours // 10)
            if len(skills) == 1:
                options.append([{skills[0]: hours}])
            elif len(skills) == 2:
                options.append(
                    [{skills[0]: 10.0 * k, skills[1]: hours - 10.0 * k} for k in range(steps + 1)]
                )
            else:
                options.append([{}])
        best = 0.0
        for split in itertools.product(*options):
            supply: dict[str, float] = {}
            for part in split:
                for skill, hours in part.items():
                    supply[skill] = supply.get(skill, 0.0) + hours
            value = 0.0
            for skill, weight, hours in sorted(wanted, key=lambda item: -item[1]):
                taken = min(hours, supply.get(skill, 0.0))
                supply[skill] = supply.get(skill, 0.0) - taken
                value += weight * taken
            best = max(best, value)
        return best

    def objective(shifts: dict[str, int]) -> float | None:
        for source, target, lag in case["dependencies"]:
            if (
                source in spans
                and target in spans
                and (
                    min(spans[target]) + shifts[target]
                    < max(spans[source]) + shifts[source] + 1 + lag
                )
            ):
                return None
        by_week: dict[int, dict[tuple[str, float], float]] = {}
        for _, project, skill, _, day, hours in case["demand"]:
            if skill is None or hours <= 0:
                continue
            slot = by_week.setdefault(index[day] + shifts[project], {})
            key = (skill, weights[project])
            slot[key] = slot.get(key, 0.0) + hours
        cover = sum(
            week_cover(w, tuple(sorted((s, k, h) for (s, k), h in wanted.items())))
            for w, wanted in by_week.items()
        )
        delay = case["delay_weight"] * sum(weights[p] * s for p, s in shifts.items())
        return cover - delay

    best, arg = None, []
    for combo in itertools.product(*[range(allowance[p] + 1) for p in names]):
        shifts = dict(zip(names, combo, strict=True))
        value = objective(shifts)
        if value is None:
            continue
        if best is None or value > best + 1e-9:
            best, arg = value, [shifts]
        elif abs(value - best) <= 1e-9:
            arg.append(shifts)
    return (float("nan") if best is None else best), arg, objective


@pytest.mark.parametrize("seed", range(40))
def test_cp_sat_matches_brute_force(seed: int) -> None:
    case = random_instance(seed)
    best, optima, objective = brute_force(case)
    decision = run(**case)
    if not optima:
        assert decision.status == "INFEASIBLE" and decision.conflicts
        return
    assert decision.status == "OPTIMAL", decision.conflicts
    chosen = {p: 0 for p, _, _ in case["projects"]} | shift_of(decision)
    assert chosen in optima
    assert objective(chosen) == pytest.approx(best)
    if not all(a == 0 or p in case["locked"] for p, _, a in case["projects"]):
        assert decision.objective == pytest.approx(best)


def test_brute_force_covers_every_kind_of_instance() -> None:
    cases = [random_instance(seed) for seed in range(40)]
    outcomes = [brute_force(case)[1] for case in cases]
    assert sum(not optima for optima in outcomes) >= 2  # some infeasible dependencies
    assert sum(any(any(optimum.values()) for optimum in optima[:1]) for optima in outcomes) >= 5
    assert sum(len({s for _, s, *_ in case["skills"]}) == 2 for case in cases) >= 10


# -- apply_shifts and determinism -----------------------------------------------------------


def test_apply_shifts_round_trip() -> None:
    demand = frame(
        demand_rows("A", "Dev", [0, 1], 10.0)
        + demand_rows("B", None, [3], 5.0)
        + demand_rows("A", "QA", [2], 7.5, role="q"),
        DEMAND,
    ).with_columns(note=pl.lit("kept"))
    shifts = pl.DataFrame({"project_id": ["A", "Z"], "shift_weeks": [2, 1]})
    moved = apply_shifts(demand, shifts)
    assert moved.columns == demand.columns
    assert moved["week"].to_list() == [week(2), week(3), week(3), week(4)]
    back = apply_shifts(moved, shifts.with_columns(-pl.col("shift_weeks")))
    assert back.equals(demand)
    with pytest.raises(ValueError):
        apply_shifts(demand, pl.DataFrame({"project_id": ["A", "A"], "shift_weeks": [1, 2]}))


def test_same_input_same_shifts() -> None:
    rng = random.Random(7)
    people = [f"p{i}" for i in range(12)]
    capacity = [(p, week(k), 40.0) for p in people for k in range(12)]
    skills = [(p, rng.choice(["Dev", "QA", "Ops"]), rng.randint(1, 3), None) for p in people]
    skills += [
        (p, "Dev", 1, None)
        for p in people[:4]
        if (p, "Dev") not in {(q, s) for q, s, _, _ in skills}
    ]
    demand, projects = [], []
    for k in range(15):
        first = rng.randint(0, 6)
        demand += demand_rows(
            f"P{k}", rng.choice(["Dev", "QA", "Ops"]), range(first, first + rng.randint(2, 5)), 40.0
        )
        projects.append((f"P{k}", float(rng.randint(1, 5)), rng.randint(0, 3)))
    projects[1] = ("P1", projects[1][1], 8)  # room to wait for P0
    settings = dict(delay_weight=2.0, workers=2, seed=3, deterministic_time=2.0)
    first = run(demand, capacity, skills, projects, [("P0", "P1", 0)], **settings)
    second = run(demand, capacity, skills, projects, [("P0", "P1", 0)], **settings)
    assert first.shifts.height > 0
    assert first.shifts.equals(second.shifts)
    assert first.objective == second.objective
