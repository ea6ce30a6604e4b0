"""Integer plans for one week from the LP relaxation: fix which groups open, then a min-cost flow.

Once it is decided which person-project groups may carry hours, what is left
of a week is a network: source -> person (free capacity) -> group (its
largest load) -> demand (one arc per item, gain as negative cost) -> sink
(remaining demand), plus a free source -> sink arc for idle hours. A min-cost
flow solves it exactly and in whole tenths, in milliseconds, and by
construction respects capacity, remaining demand (so pins and fixed load,
already taken out of both) and every bound. Groups are opened within each
person's project limit; allocations below their minimum block are then
dropped (:meth:`solver.weekly.Week.repair`), so the plan is always feasible. The rounding tries a few
thresholds on the LP's flags and keeps the best plan.
"""

from __future__ import annotations

import math
import time

import numpy as np

from solver.relax import Relaxation, item_arrays
from solver.weekly import Week

#: Integer cost units per objective unit in the flow (gains per tenth have <= 4 decimals).
COST_SCALE = 10_000

#: Flag thresholds tried: a group opens when its LP flag is at least this.
FLAG_THRESHOLDS: tuple[float, ...] = (1e-6,)


#: A rounded plan this close to the LP's value (relative) is not tried further.
CLOSE_TO_LP = 0.005

#: Flows re-solved without the candidates that fell below their minimum block.
BLOCK_ROUNDS = 2


def blocked_flow_plan(
    week: Week,
    open_groups: np.ndarray,
    first: np.ndarray | None = None,
    rounds: int = BLOCK_ROUNDS,
    candidate_penalty: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`flow_plan`, re-solved up to ``rounds`` times without the candidates it gave
    less than their minimum block, then repaired (always feasible). ``first``: the flow
    over ``open_groups`` when already solved; ``candidate_penalty``: as in
    :func:`flow_plan`."""
    banned = np.zeros(week.size, dtype=bool)

    def flow() -> np.ndarray:
        return flow_plan(week, open_groups, banned, candidate_penalty=candidate_penalty)

    plan = flow() if first is None else first
    for _ in range(rounds):
        small = (plan > 0) & (plan < week.lower)
        if not small.any():
            break
        banned |= small
        plan = flow()
    return week.repair(plan)


def flow_plan(
    week: Week,
    open_groups: np.ndarray,
    banned: np.ndarray | None = None,
    penalty: np.ndarray | None = None,
    scale: int = COST_SCALE,
    candidate_penalty: np.ndarray | None = None,
) -> np.ndarray:
    """The best tenths per candidate when only ``open_groups`` (bool per group) and the
    unflagged groups may carry hours, and no ``banned`` candidate (bool per candidate).

    Args:
        penalty: objective units per tenth taken off the gain of every item of a group
            (one per group), e.g. its fragmentation spread over its hours.
        scale: integer cost units per objective unit.
        candidate_penalty: objective units per tenth taken off the gain of every item of
            a candidate (one per candidate), e.g. a certain start spread over its hours.
    """
    from ortools.graph.python import min_cost_flow

    allowed = open_groups | ~week.group_flagged
    candidate, bound, gain = item_arrays(week)
    if penalty is not None:
        gain = gain - penalty[week.group[candidate]]
    if candidate_penalty is not None:
        gain = gain - candidate_penalty[candidate]
    keep = allowed[week.group[candidate]] & (gain > 0)
    if banned is not None:
        keep &= ~banned[candidate]
    candidate, bound, gain = candidate[keep], bound[keep], gain[keep]
    if candidate.shape[0] == 0:
        return np.zeros(week.size, dtype=np.int64)
    persons, groups = week.free.shape[0], week.group_flagged.shape[0]
    person_node, group_node = 2, 2 + persons
    demand_node = group_node + groups
    supply = int(week.free.sum())
    group_cap = np.where(week.group_flagged, week.group_largest, week.free[week.group_person])
    tails = np.concatenate(
        [
            np.zeros(persons, dtype=np.int64),
            person_node + week.group_person,
            group_node + week.group[candidate],
            demand_node + np.arange(week.remaining.shape[0]),
            [0],
        ]
    )
    heads = np.concatenate(
        [
            person_node + np.arange(persons),
            group_node + np.arange(groups),
            demand_node + week.demand[candidate],
            np.ones(week.remaining.shape[0], dtype=np.int64),
            [1],
        ]
    )
    capacities = np.concatenate(
        [week.free, np.where(allowed, group_cap, 0), bound, week.remaining, [supply]]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            np.zeros(persons + groups, dtype=np.int64),
            -np.rint(gain * scale).astype(np.int64),
            np.zeros(week.remaining.shape[0] + 1, dtype=np.int64),
        ]
    )
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    solver.set_node_supply(0, supply)
    solver.set_node_supply(1, -supply)
    if solver.solve() != solver.OPTIMAL:
        return np.zeros(week.size, dtype=np.int64)
    first_item = persons + groups
    flows = solver.flows(arcs[first_item : first_item + candidate.shape[0]])
    return np.bincount(candidate, weights=flows, minlength=week.size).astype(np.int64)


#: Integer cost units per objective unit in the LP's flow: fine enough that rounding the
#: costs moves the LP's value by less than 0.5 (see :func:`lp_flow`).
LP_COST_SCALE = 10_000_000


def lp_flow(week: Week, start_cost: np.ndarray | None = None) -> Relaxation:
    """The week's LP relaxation, solved exactly as a min-cost flow.

    In the LP (hours continuous, one flag in [0, 1] per flagged group with
    ``sum(hours of the group) <= largest x flag`` and ``-fragmentation x flag`` in the
    objective, minimum blocks and project limits left out) the flag is
    ``hours / largest`` at the optimum, and ``hours <= largest`` already follows from the
    person's capacity and the candidates' bounds. So the LP is the flow of the module
    docstring with every group open and each item's gain lowered by
    ``fragmentation / largest`` per tenth: a network, solved in milliseconds, whose
    optimum is whole tenths. Its value bounds every plan of the week; costs are rounded
    to 1 / :data:`LP_COST_SCALE`, which the bound covers by adding the largest rounding
    over every tenth the week could carry, twice (0 when the costs are exact).

    Args:
        start_cost: objective units a candidate costs whenever it carries hours (one per
            candidate, e.g. a certain assignment start: :mod:`solver.continuity`), in the
            LP as a flag in [0, 1] per candidate with ``hours <= upper x flag``, so
            ``start_cost / upper`` per tenth. None: no such cost.
    """
    groups = week.group_flagged.shape[0]
    spread = fragmentation_spread(week)
    per_tenth = None if start_cost is None else spread_per_use(week, start_cost)
    hours = flow_plan(
        week,
        np.ones(groups, dtype=bool),
        penalty=spread,
        scale=LP_COST_SCALE,
        candidate_penalty=per_tenth,
    ).astype(np.float64)
    flags = np.bincount(week.group, weights=hours, minlength=groups) / np.maximum(
        week.group_largest, 1
    )
    flags = np.where(week.group_flagged, np.minimum(flags, 1.0), (flags > 0).astype(float))
    candidate, bound, gain = item_arrays(week)
    kept = np.minimum(hours, week.kept_upper)
    value = float(
        week.cover_gain @ hours
        + week.churn_gain * float(kept.sum() - (hours - kept).sum())
        - week.fragmentation * float(flags[week.group_flagged].sum())
    )
    # the largest rounding of an item's cost, over every tenth the week can carry, twice
    costs = gain - spread[week.group[candidate]]
    if per_tenth is not None:
        value -= float(per_tenth @ hours)
        costs = costs - per_tenth[candidate]
    rounded = np.rint(costs * LP_COST_SCALE) / LP_COST_SCALE
    error = float(np.abs(costs - rounded).max()) if costs.shape[0] else 0.0
    slack = 2.0 * error * float(week.free.sum())
    active = hours > 0
    return Relaxation(value + slack, value, hours, flags, active, 0)


def spread_per_use(week: Week, per_use: np.ndarray) -> np.ndarray:
    """Per candidate: a cost (or, negative, a gain) that comes with using it at all
    (``per_use``, objective units per candidate), spread over the most tenths it can
    carry (``upper``): objective units per tenth, as the flows take it."""
    return per_use / np.maximum(week.upper, 1)


def fragmentation_spread(week: Week) -> np.ndarray:
    """Per group: the fragmentation weight spread over the most tenths it can carry
    (objective units per tenth; 0 for groups with fixed or pinned hours)."""
    return np.where(week.group_flagged, week.fragmentation / np.maximum(week.group_largest, 1), 0.0)


def flow_bound(week: Week) -> float:
    """An upper bound on the week's value: the best plan when fragmentation were free.

    Without the fragmentation term (cost >= 0), minimum blocks and project limits (they
    only remove plans), the week is exactly the min-cost flow of the module docstring
    with every group open, so its optimum bounds every plan of the week. Cheap (one flow)
    and often far tighter than a Lagrangian bound at poor prices.
    """
    plan = flow_plan(week, np.ones(week.group_flagged.shape[0], dtype=bool))
    used = _used_groups(week, plan) & week.group_flagged
    return week.value(plan) + week.fragmentation * float(used.sum())


def round_relaxation(
    week: Week,
    relaxation: Relaxation,
    others: list[np.ndarray],
    deadline: float = math.inf,
    gains: np.ndarray | None = None,
) -> np.ndarray:
    """The best integer plan among flows over the groups the LP opens (per threshold) and
    the groups each plan in ``others`` uses, then with its weakest groups closed.

    ``gains``: per candidate, what using it adds besides :meth:`Week.value` (continuity
    given the neighbouring weeks, :mod:`solver.continuity`): counted when plans are
    compared, and in the flows spread over the candidate's most tenths, so that among
    equal plans the one that keeps people on their demands wins.

    After ``deadline`` (``time.perf_counter``) only the first choice is tried, unpruned.
    """
    penalty = None if gains is None else spread_per_use(week, -gains)
    best, best_value = np.zeros(week.size, dtype=np.int64), 0.0
    # the plans' own groups with those the LP opens at least halfway first: from a good
    # plan that one flow is usually the best; every group the LP touches second, only
    # when the first is not already close to the LP (a rule on values, not on time)
    choices = [_used_groups(week, plan) | (relaxation.flags >= 0.5) for plan in others]
    first_choices = len(choices)
    choices += [relaxation.flags >= threshold for threshold in FLAG_THRESHOLDS]
    for position, open_groups in enumerate(choices):
        if position and time.perf_counter() > deadline:
            return best
        close = best_value >= relaxation.value - CLOSE_TO_LP * abs(relaxation.value)
        if position >= first_choices and close:
            break
        limited = _within_limits(week, open_groups, relaxation.flags)
        plan = blocked_flow_plan(week, limited, candidate_penalty=penalty)
        value = week.value(plan, gains)
        if value > best_value + 1e-9:
            best, best_value = plan, value
    if time.perf_counter() > deadline:
        return best
    return _prune(week, best, best_value, gains, penalty)


def _used_groups(week: Week, plan: np.ndarray) -> np.ndarray:
    used = np.zeros(week.group_flagged.shape[0], dtype=bool)
    used[week.group[plan > 0]] = True
    return used


def _prune(
    week: Week,
    plan: np.ndarray,
    value: float,
    gains: np.ndarray | None,
    penalty: np.ndarray | None,
) -> np.ndarray:
    """Re-solve with only the groups ``plan`` uses, then close, one pass, each flagged group
    whose hours earn less than its fragmentation cost, and keep whichever scores best
    (``gains`` and ``penalty`` as in :func:`round_relaxation`)."""
    used = _used_groups(week, plan)
    earned = np.bincount(week.group, weights=plan * week.cover_gain, minlength=used.shape[0])
    weak = used & week.group_flagged & (earned < 2 * week.fragmentation)
    if not weak.any():
        return plan
    trial = blocked_flow_plan(week, used & ~weak, candidate_penalty=penalty)
    return trial if week.value(trial, gains) > value else plan


def _within_limits(week: Week, open_groups: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """``open_groups`` with, per person over their project limit, only the flagged groups
    of highest ``scores`` (the LP's flags) kept open."""
    opened = open_groups & week.group_flagged
    per_person = np.bincount(week.group_person[opened], minlength=week.free.shape[0])
    over = np.flatnonzero(per_person > week.slots)
    if over.shape[0] == 0:
        return open_groups
    result = open_groups.copy()
    for person in over.tolist():
        groups = np.flatnonzero(opened & (week.group_person == person))
        ranked = groups[np.argsort(-scores[groups], kind="stable")]
        result[ranked[max(0, int(week.slots[person])) :]] = False
    return result
