"""A person is moved only when it pays for them (``Policy.min_person_gain``): riders on a
move that pays for someone else stay where they are, people who cannot stay always move,
and the plan stays a fixed point of re-planning."""

from __future__ import annotations

import dataclasses

import pytest
from test_solver_bruteforce import W1, make_input
from test_solver_stability import BENCH, applied, on_leave

import solver
from bench.orgs import organisation
from solver import PlanInput, Policy


def one_week(ben_capacity: float = 40.0) -> PlanInput:
    """Ann (idle, 40 h) and Ben (32 h on E of project Q, 40 h capacity) in one week; D
    (project P, weight 1) asks 48 h and nobody covers it now."""
    return make_input(
        capacity=[("ann", W1, 40.0), ("ben", W1, ben_capacity)],
        skills=[("ann", "Dev", 1), ("ben", "Dev", 1)],
        demand=[("D", "P", "Dev", 1, W1, 48.0), ("E", "Q", "Dev", 1, W1, 32.0)],
        projects=[("P", 1.0), ("Q", 1.0)],
        current=[("ben", "Q", "E", W1, 32.0, False)],
    )


def rows(result: solver.PlanResult) -> list[tuple]:
    return sorted(result.plan.select("person_id", "demand_id", "hours").rows())


def test_a_rider_on_a_move_that_pays_for_someone_else_stays_put() -> None:
    # Ann covering 40 h of D gains 40 - churn 0.2 x 40 - a project 2 - a start 1 = 29.
    # Ben's last 8 free hours on D gain 8 - 1.6 - 2 - 1 = 3.4: above min_move_gain (1),
    # at most min_person_gain (10). Both share D, so they are one move of gain 32.4.
    data = one_week()
    calm = solver.solve_plan(data, Policy(workers=1))
    assert rows(calm) == [("ann", "D", 40.0), ("ben", "E", 32.0)]
    assert calm.moves["person_id"].unique().to_list() == ["ann"]
    everyone = solver.solve_plan(data, Policy(workers=1, min_person_gain=0.0))
    assert rows(everyone) == [("ann", "D", 40.0), ("ben", "D", 8.0), ("ben", "E", 32.0)]
    assert everyone.objective - calm.objective == pytest.approx(3.4)
    # at 3.3 Ben's 3.4 pays for him
    paid = solver.solve_plan(data, Policy(workers=1, min_person_gain=3.3))
    assert rows(paid) == rows(everyone)


def test_a_person_who_cannot_stay_is_moved_whatever_the_threshold() -> None:
    # Ben is on leave (0 h) and holds 32 h of E: his hours must go. Ann taking E would
    # gain 32 - 6.4 - 2 - 1 = 22.6, which does not pay at 1000 per person.
    data = one_week(ben_capacity=0.0)
    strict = solver.solve_plan(data, Policy(workers=1, min_person_gain=1000.0))
    assert rows(strict) == []
    assert strict.moves["person_id"].unique().to_list() == ["ben"]
    assert strict.kpis_after["over_allocated_hours"] == 0
    # by default Ann's 29 on D (see above) pays for her
    default = solver.solve_plan(data, Policy(workers=1))
    assert rows(default) == [("ann", "D", 40.0)]


def test_one_leave_moves_a_handful_and_the_result_is_a_fixed_point() -> None:
    data = organisation(BENCH, seed=3)
    changed, person, weeks = on_leave(applied(data, solver.solve_plan(data)))
    calm = solver.solve_plan(changed)
    moved = set(calm.moves["person_id"].to_list())
    assert person in moved and len(moved) <= 5, sorted(moved)
    assert set(calm.moves["first_week"].to_list()) <= set(weeks)
    # without the person rule the same change moves more people
    loose = solver.solve_plan(changed, dataclasses.replace(Policy(), min_person_gain=0.0))
    assert len(set(loose.moves["person_id"].to_list())) >= len(moved)
    again = solver.solve_plan(applied(changed, calm))
    assert again.moves.height == 0
    assert again.plan.equals(calm.plan)


def reverts_on(data: PlanInput, plan: dict[tuple[str, str], float], threshold: float):
    """A run's state on the one week of ``data`` with ``plan`` (hours per (person,
    demand)) as its plan, after :class:`solver.reverts.PersonReverts` at ``threshold``:
    (hours per (person, demand) with hours, the objective's change, people put back)."""
    import numpy as np

    from solver.continuity import Continuity
    from solver.greedy import greedy_values
    from solver.people import PeopleMoved
    from solver.prepare import prepare
    from solver.reverts import PersonReverts
    from solver.week_state import WeekState
    from solver.weekly import split_weeks

    policy = Policy(workers=1)
    prepared = prepare(data, policy, frozenset())
    weeks = split_weeks(prepared, policy)
    kept = greedy_values(prepared, fill=False)
    people = PeopleMoved(prepared, np.asarray(kept, dtype=np.int64))
    continuity = Continuity(prepared, policy.continuity_weight)
    state = WeekState(weeks, kept, 0.0, continuity, 1.0, people, threshold)
    keys = list(prepared.candidates.select("person_id", "demand_id").iter_rows())
    tenths = np.asarray([round(plan.get(key, 0.0) * 10) for key in keys], dtype=np.int64)
    assert weeks[0].feasible(tenths[weeks[0].candidate])
    state.set_values(0, tenths[weeks[0].candidate])
    before = state.incumbent()
    back = PersonReverts(state, threshold).run()
    hours = {
        key: value / 10 for key, value in zip(keys, state.all_values.tolist(), strict=True) if value
    }
    return hours, state.incumbent() - before, back


def test_a_revert_takes_back_the_hours_others_gained_where_it_returns() -> None:
    # Ann holds X (P, weight 1, 20 h). The plan moves her to Y (Q, weight 1.2, 20 h):
    # cover 24 - 20, churn 0.2 x 40 = 8, projects and starts even: -4 for her. Ben, idle,
    # takes 10 h of X (10 - 2 - a project 2 - a start 1 = 5) and Z (R, 20 h: 20 - 4 -
    # 2 - 1 = 13). Putting Ann back needs X's 10 h from Ben: the plan loses -4 + 5 = 1
    # and Ann is as she is now; Ben keeps Z, still moved.
    data = make_input(
        capacity=[("ann", W1, 20.0), ("ben", W1, 30.0)],
        skills=[("ann", "Dev", 1), ("ben", "Dev", 1)],
        demand=[
            ("X", "P", "Dev", 1, W1, 20.0),
            ("Y", "Q", "Dev", 1, W1, 20.0),
            ("Z", "R", "Dev", 1, W1, 20.0),
        ],
        projects=[("P", 1.0), ("Q", 1.2), ("R", 1.0)],
        current=[("ann", "P", "X", W1, 20.0, False)],
    )
    plan = {("ann", "Y"): 20.0, ("ben", "X"): 10.0, ("ben", "Z"): 20.0}
    hours, change, back = reverts_on(data, plan, threshold=5.0)
    assert hours == {("ann", "X"): 20.0, ("ben", "Z"): 20.0}
    assert change == pytest.approx(-1.0)
    assert back == 1
    # at 0.9 per person the loss of 1 is too much: nobody is put back
    hours, change, back = reverts_on(data, plan, threshold=0.9)
    assert hours == plan and change == 0 and back == 0
