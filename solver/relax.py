"""The LP relaxation of one week, solved by column generation, with a bound that is always valid.

A whole week of a 2,000-person organisation has ~60k candidates; GLOP needs
seconds per week for it, most of the candidates stay at 0, and the v1 model
rows took longer to build than to solve. So GLOP solves a *restricted* LP
over a few candidates (the current and greedy allocations, then what pricing
adds), and the bound comes from Lagrangian duality over **all** candidates:
for any capacity prices ``pi >= 0`` and demand prices ``mu >= 0``,

    bound = sum(pi x free) + sum(mu x remaining) + sum over groups of
            max(0, best fill of the group at reduced gains - fragmentation)

where the best fill is a fractional knapsack (items by reduced gain, up to the
group's largest load). It is an upper bound on every plan whatever the prices,
and equals the LP optimum at the LP's own duals, so the restricted LP's duals
give a valid bound that tightens as columns are added. Hours stay continuous
and flags in [0, 1], with one link row per candidate (hours <= upper x flag).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from solver.weekly import Week

if TYPE_CHECKING:
    from ortools.linear_solver.linear_solver_pb2 import MPModelProto

#: Stop adding columns once the restricted LP is this close to the bound (relative).
PRICING_TOLERANCE = 1e-5

#: Whether the restricted LP has a link row per candidate (tighter LP, slower).
LINK_ROWS = False

#: Candidates pricing adds per demand and round (the best reduced gains).
PRICED_PER_DEMAND = 8

#: At most this many column-generation rounds per week.
MAX_ROUNDS = 8


@dataclass
class Relaxation:
    """The LP relaxation of one week.

    Attributes:
        bound: a valid upper bound on the week's value (objective units, no constant).
        value: the restricted LP's optimum (a lower estimate of the LP optimum).
        hours: fractional tenths per candidate (0 outside the restricted set).
        flags: fractional flag per group (1 for unflagged groups with hours).
        active: candidates in the restricted LP (bool per candidate).
        rounds: column-generation rounds.
    """

    bound: float
    value: float
    hours: np.ndarray
    flags: np.ndarray
    active: np.ndarray
    rounds: int


def item_arrays(week: Week) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(candidate, bound, gain)`` per item: the kept part, then the rest, of each candidate."""
    rest = week.upper - week.kept_upper
    index = np.arange(week.size)
    has_kept, has_rest = week.kept_upper > 0, rest > 0
    candidate = np.concatenate([index[has_kept], index[has_rest]])
    bound = np.concatenate([week.kept_upper[has_kept], rest[has_rest]])
    gain = np.concatenate(
        [week.cover_gain[has_kept] + week.churn_gain, week.cover_gain[has_rest] - week.churn_gain]
    )
    return candidate, bound, gain


def lagrangian_bound(week: Week, capacity_price: np.ndarray, demand_price: np.ndarray) -> float:
    """The bound of the module docstring for prices ``>= 0`` per local person and demand."""
    candidate, bound, gain = item_arrays(week)
    reduced = gain - capacity_price[week.person[candidate]] - demand_price[week.demand[candidate]]
    positive = reduced > 0
    candidate, bound, reduced = candidate[positive], bound[positive], reduced[positive]
    group = week.group[candidate]
    order = np.lexsort((-reduced, group))
    group, bound, reduced = group[order], bound[order], reduced[order]
    flagged = week.group_flagged[group]
    limit = np.where(flagged, week.group_largest[group], np.iinfo(np.int64).max // 4)
    cumulative = np.cumsum(bound)
    starts = np.searchsorted(group, group, side="left")
    before = cumulative - bound - np.where(starts > 0, cumulative[starts - 1], 0)
    taken = np.clip(np.minimum(bound, limit - before), 0, None)
    groups = week.group_flagged.shape[0]
    fill = np.bincount(group, weights=taken * reduced, minlength=groups)
    fill = np.where(week.group_flagged, np.maximum(0.0, fill - week.fragmentation), fill)
    return float(
        capacity_price @ week.free.astype(np.float64)
        + demand_price @ week.remaining.astype(np.float64)
        + fill.sum()
    )


def quick_bound(week: Week) -> float:
    """A valid bound in milliseconds, for weeks left no time for the LP: the better of
    pricing every demand-hour, or every person-hour, at the best gain it can earn (the
    Lagrangian bound at those prices: no item then has a positive reduced gain)."""
    candidate, _, gain = item_arrays(week)
    positive = np.maximum(gain, 0.0)
    demand_price = np.zeros(week.remaining.shape[0])
    np.maximum.at(demand_price, week.demand[candidate], positive)
    person_price = np.zeros(week.free.shape[0])
    np.maximum.at(person_price, week.person[candidate], positive)
    zero_demand, zero_person = np.zeros_like(demand_price), np.zeros_like(person_price)
    return min(
        lagrangian_bound(week, zero_person, demand_price),
        lagrangian_bound(week, person_price, zero_demand),
    )


def relax(week: Week, start: np.ndarray, deadline: float) -> Relaxation:
    """Column generation from the candidates ``start`` (bool per candidate) until the
    restricted LP meets the bound, :data:`MAX_ROUNDS` or ``deadline`` (perf_counter).

    The bound is the smallest Lagrangian bound seen, ``inf`` if GLOP failed at once.
    """
    active = start.copy()
    best = math.inf
    result = Relaxation(math.inf, -math.inf, np.zeros(week.size), np.zeros(0), active, 0)
    for round_number in range(1, MAX_ROUNDS + 1):
        solved = _solve_restricted(week, active)
        if solved is None:
            break
        value, hours, flags, capacity_price, demand_price = solved
        capacity_price, demand_price = _complete_prices(week, active, capacity_price, demand_price)
        best = min(best, lagrangian_bound(week, capacity_price, demand_price))
        result = Relaxation(best, value, hours, flags, active.copy(), round_number)
        if (
            best - value <= PRICING_TOLERANCE * max(1.0, abs(best))
            or time.perf_counter() > deadline
        ):
            break
        added = _priced_in(week, active, capacity_price, demand_price)
        if not added.any():
            break
        active |= added
    return result


def _complete_prices(
    week: Week, active: np.ndarray, capacity_price: np.ndarray, demand_price: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Prices for the demands, then the people, the restricted LP leaves out: the largest
    reduced gain of their items, so none of those items adds to the bound (any prices
    give a valid bound; these make it far tighter than 0)."""
    candidate, _, gain = item_arrays(week)
    in_lp_person = np.zeros(week.free.shape[0], dtype=bool)
    in_lp_person[week.person[active]] = True
    in_lp_demand = np.zeros(week.remaining.shape[0], dtype=bool)
    in_lp_demand[week.demand[active]] = True
    person, demand = week.person[candidate], week.demand[candidate]
    demand_price = demand_price.copy()
    outside = ~in_lp_demand[demand] & in_lp_person[person]
    np.maximum.at(demand_price, demand[outside], gain[outside] - capacity_price[person[outside]])
    capacity_price = capacity_price.copy()
    outside = ~in_lp_person[person]
    np.maximum.at(capacity_price, person[outside], gain[outside] - demand_price[demand[outside]])
    return capacity_price, demand_price


def _priced_in(
    week: Week, active: np.ndarray, capacity_price: np.ndarray, demand_price: np.ndarray
) -> np.ndarray:
    """Inactive candidates with a positive reduced gain in a group worth opening."""
    candidate, bound, gain = item_arrays(week)
    reduced = gain - capacity_price[week.person[candidate]] - demand_price[week.demand[candidate]]
    groups = week.group_flagged.shape[0]
    worth = np.bincount(
        week.group[candidate], weights=np.clip(reduced, 0, None) * bound, minlength=groups
    )
    open_groups = np.zeros(groups, dtype=bool)
    open_groups[week.group[active]] = True
    good_group = open_groups | ~week.group_flagged | (worth > week.fragmentation)
    wanted = (reduced > 1e-9) & good_group[week.group[candidate]] & ~active[candidate]
    candidate, reduced = candidate[wanted], reduced[wanted]
    demand = week.demand[candidate]
    order = np.lexsort((-reduced, demand))
    demand = demand[order]
    rank = np.arange(demand.shape[0]) - np.searchsorted(demand, demand, side="left")
    added = np.zeros(week.size, dtype=bool)
    added[candidate[order][rank < PRICED_PER_DEMAND]] = True
    return added


def _solve_restricted(
    week: Week, active: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """GLOP on the restricted LP: ``(value, tenths per candidate, flag per group,
    capacity prices, demand prices)``, or None if it did not solve to optimality."""
    from ortools.linear_solver import linear_solver_pb2, pywraplp

    candidate, bound, gain = item_arrays(week)
    keep = active[candidate]
    candidate, bound, gain = candidate[keep], bound[keep], gain[keep]
    groups = np.unique(week.group[candidate[week.group_flagged[week.group[candidate]]]])
    flag_column = np.full(week.group_flagged.shape[0], -1, dtype=np.int64)
    flag_column[groups] = candidate.shape[0] + np.arange(groups.shape[0])
    request = linear_solver_pb2.MPModelRequest(
        solver_type=linear_solver_pb2.MPModelRequest.GLOP_LINEAR_PROGRAMMING
    )
    model = request.model
    model.maximize = True
    for upper, objective in zip(bound.tolist(), gain.tolist(), strict=True):
        model.variable.add(
            lower_bound=0.0, upper_bound=float(upper), objective_coefficient=objective
        )
    for _ in range(groups.shape[0]):
        model.variable.add(
            lower_bound=0.0, upper_bound=1.0, objective_coefficient=-week.fragmentation
        )
    items = np.arange(candidate.shape[0])
    persons = np.unique(week.person[candidate])
    demands = np.unique(week.demand[candidate])
    _add_grouped_rows(model, week.person[candidate], items, persons, week.free[persons])
    _add_grouped_rows(model, week.demand[candidate], items, demands, week.remaining[demands])
    _add_flag_rows(model, week, candidate, items, groups, flag_column)
    response = linear_solver_pb2.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(request, response)
    if response.status != linear_solver_pb2.MPSOLVER_OPTIMAL:
        return None
    values = np.asarray(response.variable_value)
    duals = np.abs(np.asarray(response.dual_value))
    hours = np.bincount(candidate, weights=values[: candidate.shape[0]], minlength=week.size)
    flags = np.zeros(week.group_flagged.shape[0])
    flags[groups] = values[candidate.shape[0] :]
    used = np.bincount(week.group, weights=hours, minlength=flags.shape[0]) > 1e-9
    flags[~week.group_flagged & used] = 1.0
    capacity_price = np.zeros(week.free.shape[0])
    capacity_price[persons] = duals[: persons.shape[0]]
    demand_price = np.zeros(week.remaining.shape[0])
    demand_price[demands] = duals[persons.shape[0] : persons.shape[0] + demands.shape[0]]
    return float(response.objective_value), hours, flags, capacity_price, demand_price


def _add_grouped_rows(
    model: MPModelProto,
    keys: np.ndarray,
    items: np.ndarray,
    distinct: np.ndarray,
    limits: np.ndarray,
) -> None:
    """One ``sum(items with key) <= limit`` row per distinct key, in ``distinct`` order."""
    order = np.argsort(keys, kind="stable")
    splits = np.searchsorted(keys[order], distinct, side="left")
    ends = np.searchsorted(keys[order], distinct, side="right")
    sorted_items = items[order].tolist()
    for first, last, limit in zip(splits.tolist(), ends.tolist(), limits.tolist(), strict=True):
        row = model.constraint.add(lower_bound=-math.inf, upper_bound=float(limit))
        row.var_index.extend(sorted_items[first:last])
        row.coefficient.extend([1.0] * (last - first))


def _add_flag_rows(
    model: MPModelProto,
    week: Week,
    candidate: np.ndarray,
    items: np.ndarray,
    groups: np.ndarray,
    flag_column: np.ndarray,
) -> None:
    """Per flagged group ``sum(items) <= largest x flag``; per candidate in it
    ``its items <= upper x flag``."""
    group = week.group[candidate]
    flagged = week.group_flagged[group]
    _add_linked_rows(
        model,
        group[flagged],
        items[flagged],
        groups,
        flag_column[groups],
        week.group_largest[groups],
    )
    if not LINK_ROWS:
        return
    linked = np.unique(candidate[flagged])
    _add_linked_rows(
        model,
        candidate[flagged],
        items[flagged],
        linked,
        flag_column[week.group[linked]],
        week.upper[linked],
    )


def _add_linked_rows(
    model: MPModelProto,
    keys: np.ndarray,
    items: np.ndarray,
    distinct: np.ndarray,
    flags: np.ndarray,
    limits: np.ndarray,
) -> None:
    order = np.argsort(keys, kind="stable")
    splits = np.searchsorted(keys[order], distinct, side="left")
    ends = np.searchsorted(keys[order], distinct, side="right")
    sorted_items = items[order].tolist()
    for first, last, flag, limit in zip(
        splits.tolist(), ends.tolist(), flags.tolist(), limits.tolist(), strict=True
    ):
        row = model.constraint.add(lower_bound=-math.inf, upper_bound=0.0)
        row.var_index.extend([*sorted_items[first:last], flag])
        row.coefficient.extend([1.0] * (last - first) + [-float(limit)])
