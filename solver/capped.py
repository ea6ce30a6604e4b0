"""The cap on people moved: plan freely, then again with only the people worth moving.

A cap couples every week of the model (a person moved in one week counts for
all), so the per-week method cannot hold it directly. Two passes instead:

1. plan without the cap, on part of the time;
2. if more people moved than the cap allows, keep the people who *must* move
   (left as they are, their unmovable work would exceed their capacity or
   project limit) and fill the cap with the people whose moves added the most
   priority-weighted hours; everybody else is locked (their allocations count
   as pinned and they get no new hours); plan again on the time left.

The LP bound of the first pass stays a valid bound (the cap only removes
plans), so the gap reported is honest; the choice of people is a heuristic.
When the people who must move alone exceed the cap, there is no plan: the
conflict names them.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

import polars as pl

from solver.people import forced_people
from solver.policy import Policy
from solver.prepare import prepare
from solver.status import STATUS_FEASIBLE, STATUS_INFEASIBLE, STATUS_OPTIMAL
from solver.types import (
    PlanInput,
    PlanResult,
)

#: Share of the time limit the first (uncapped) pass may use.
FIRST_PASS_SHARE = 0.4

Solve = Callable[[PlanInput, Policy, frozenset[str]], PlanResult]


def solve_capped(
    solve: Solve,
    infeasible: Callable[[list[str]], PlanResult],
    data: PlanInput,
    policy: Policy,
    cancel: threading.Event | None = None,
) -> PlanResult:
    """Run ``solve`` (``solve(data, policy, locked_people)``) under ``policy.max_people_moved``.

    ``infeasible(conflicts)`` makes the result when the cap cannot hold.

    Returns:
        The first pass's result when it moves few enough people, else the second pass's
        with the first pass's bound (valid for the capped problem), or an INFEASIBLE
        result naming the people who must move when they alone exceed the cap.
    """
    cap = policy.max_people_moved
    assert cap is not None
    started = time.perf_counter()
    must_move = people_who_must_move(data, policy)
    if len(must_move) > cap:
        return infeasible([_too_many_must_move(must_move, cap)])
    first_policy = _share(policy, FIRST_PASS_SHARE)
    first = solve(data, first_policy, frozenset())
    moved = set(first.moves["person_id"].unique().to_list())
    if first.status == STATUS_INFEASIBLE or len(moved) <= cap or _stopped(cancel):
        return first
    chosen = must_move | set(_most_useful(first, data, moved - must_move, cap - len(must_move)))
    everyone = set(data.capacity["person_id"].unique().to_list()) | set(
        data.current["person_id"].unique().to_list()
    )
    left = max(0.1, policy.time_limit_s - (time.perf_counter() - started))
    second_policy = dataclasses.replace(_share(policy, 1 - FIRST_PASS_SHARE), time_limit_s=left)
    second = solve(data, second_policy, frozenset(everyone - chosen))
    return _with_bound(second, first, policy)


def people_who_must_move(data: PlanInput, policy: Policy) -> set[str]:
    """People whose allocations cannot stay as they are: locked, their unmovable work
    would exceed a capacity or their concurrent-project limit; or they hold hours no
    candidate can keep (not qualified any more, the demand gone: :func:`forced_people`)."""
    everyone = frozenset(data.current["person_id"].unique().to_list())
    prepared = prepare(data, policy, locked_people=everyone)
    over = prepared.person_weeks.filter((pl.col("free") < 0) | (pl.col("project_slots") < 0))
    unlocked = prepare(data, policy)
    held_by_user = unlocked.person_weeks.filter(
        (pl.col("free") < 0) | (pl.col("project_slots") < 0)
    )
    must = set(over["person_id"].to_list()) - set(held_by_user["person_id"].to_list())
    return must | forced_people(unlocked)


def _most_useful(result: PlanResult, data: PlanInput, people: set[str], count: int) -> list[str]:
    """The ``count`` people of ``people`` whose moves added the most priority-weighted hours."""
    if count <= 0 or not people:
        return []
    weights = data.projects.select("project_id", "priority_weight")
    added = (
        result.moves.filter(pl.col("person_id").is_in(list(people)))
        .join(weights, left_on="to_project_id", right_on="project_id", how="left")
        .group_by("person_id")
        .agg((pl.col("hours") * pl.col("priority_weight").fill_null(0.0)).sum().alias("gain"))
        .sort(["gain", "person_id"], descending=[True, False])
    )
    ranked = added["person_id"].to_list()
    ranked += sorted(people - set(ranked))
    return ranked[:count]


def _share(policy: Policy, share: float) -> Policy:
    return dataclasses.replace(
        policy,
        time_limit_s=policy.time_limit_s * share,
        deterministic_time=(
            None if policy.deterministic_time is None else policy.deterministic_time * share
        ),
    )


def _with_bound(second: PlanResult, first: PlanResult, policy: Policy) -> PlanResult:
    """``second`` with the first pass's bound (the smaller valid one) and the full policy."""
    if second.status == STATUS_INFEASIBLE:
        return second
    bound = max(second.objective, min(first.bound, first.lp_bound))
    status = second.status
    if status == STATUS_OPTIMAL and bound > second.objective + 1e-6:
        status = STATUS_FEASIBLE
    gap = max(0.0, (bound - second.objective) / max(abs(bound), 1e-9))
    return dataclasses.replace(
        second,
        status=status,
        bound=bound,
        gap=gap,
        lp_bound=first.lp_bound,
        settings=dataclasses.asdict(policy),
        wall_time_s=first.wall_time_s + second.wall_time_s,
    )


def _too_many_must_move(must_move: set[str], cap: int) -> str:
    """The conflict in words: the cap, and ``cap + 1`` of the people who must move."""
    named = sorted(must_move)[: min(cap + 1, 6)]
    more = ", ..." if len(must_move) > len(named) else ""
    return (
        f"At most {cap} people may move (max_people_moved), but {len(must_move)} must: left as "
        f"they are, their unmovable work would exceed their capacity or project limit, or "
        f"they hold hours no plan can keep (more than the demand asks once pinned work is "
        f"counted, a demand gone, a skill level they lack) ({', '.join(named)}{more}). "
        f"Raise max_people_moved, or pin fewer of their allocations"
    )


def _stopped(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()
