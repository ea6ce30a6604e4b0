"""What one more hour of a skill is worth in a week: prices from the LP relaxation's flow.

The LP relaxation of a week is a min-cost flow (:func:`solver.rounding.lp_flow`). At its
optimum, the cheapest way to push one more tenth from a demand to the sink in the
residual network is the demand's *price*: 0 while the demand is not fully covered; else
the gain given up by moving the hours of whoever covers it elsewhere or idle. These are
the LP's dual prices of the demands (shortest-path potentials; Ahuja, Magnanti & Orlin,
*Network Flows*, ch. 9). One more hour of a person with skill ``s`` would go to the
demand for ``s`` where its gain minus the demand's price is largest: that difference,
clipped at 0, is the value of the hour. It is a marginal value (one more hour, at the
LP's prices), the basis for hiring advice, which must check a whole FTE by solving again.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from solver.prepare import Prepared
from solver.relax import item_arrays
from solver.types import HOUR_VALUES_SCHEMA
from solver.weekly import Week

#: Most relaxation sweeps of the shortest-path computation (each over every arc).
MAX_SWEEPS = 200


def demand_prices(week: Week, hours: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Per local demand, the LP's price of one more tenth of it (objective units, >= 0).

    Args:
        hours: the LP's optimal tenths per candidate (:func:`solver.rounding.lp_flow`).
        penalty: the per-tenth fragmentation spread per group used in that flow.
    """
    candidate, bound, gain = item_arrays(week)
    gain = gain - penalty[week.group[candidate]]
    persons, groups = week.free.shape[0], week.group_flagged.shape[0]
    demands = week.remaining.shape[0]
    # each candidate's tenths fill its kept item (gain + churn) before the rest, as the
    # flow does
    is_kept = np.arange(candidate.shape[0]) < int((week.kept_upper > 0).sum())
    kept_part = np.minimum(hours, week.kept_upper)
    taken = np.where(is_kept, kept_part[candidate], (hours - kept_part)[candidate])
    person_node = 2 + np.arange(persons)
    group_node = 2 + persons + np.arange(groups)
    demand_node = 2 + persons + groups + np.arange(demands)
    cover = np.bincount(week.demand, weights=hours, minlength=demands)
    load = np.bincount(week.person, weights=hours, minlength=persons)
    group_load = np.bincount(week.group, weights=hours, minlength=groups)
    group_cap = np.where(week.group_flagged, week.group_largest, week.free[week.group_person])
    idle = float(week.free.sum() - hours.sum())
    # residual arcs (tail, head, cost): shortest distances *to* the sink (node 1)
    item_group, item_demand = group_node[week.group[candidate]], demand_node[week.demand[candidate]]
    arcs = [
        (demand_node, np.ones(demands, dtype=np.int64), np.zeros(demands), cover < week.remaining),
        (item_group, item_demand, -gain, (taken < bound) & (gain > 0)),
        (item_demand, item_group, gain, taken > 0),
        (person_node[week.group_person], group_node, np.zeros(groups), group_load < group_cap),
        (group_node, person_node[week.group_person], np.zeros(groups), group_load > 0),
        (np.zeros(persons, dtype=np.int64), person_node, np.zeros(persons), load < week.free),
        (person_node, np.zeros(persons, dtype=np.int64), np.zeros(persons), load > 0),
        (
            np.zeros(1, dtype=np.int64),
            np.ones(1, dtype=np.int64),
            np.zeros(1),
            np.array([idle > 0]),
        ),
    ]
    tails = np.concatenate([tail[open_] for tail, _, _, open_ in arcs])
    heads = np.concatenate([head[open_] for _, head, _, open_ in arcs])
    costs = np.concatenate([cost[open_] for _, _, cost, open_ in arcs])
    distance = np.full(2 + persons + groups + demands, np.inf)
    distance[1] = 0.0
    for _ in range(MAX_SWEEPS):
        through = costs + distance[heads]
        better = np.full_like(distance, np.inf)
        np.minimum.at(better, tails, through)
        updated = np.minimum(distance, better)
        if np.array_equal(updated, distance):
            break
        distance = updated
    return np.maximum(0.0, np.where(np.isfinite(distance[demand_node]), distance[demand_node], 0.0))


def hour_values(week: Week, prices: np.ndarray) -> np.ndarray:
    """Per local demand: what one more *hour* of a new, qualified person would add there
    (objective units per hour): the demand's cover gain, less churn (new hours change
    the allocation) and its price, at least 0."""
    gain_per_tenth = np.zeros(week.remaining.shape[0])
    np.maximum.at(gain_per_tenth, week.demand, week.cover_gain - week.churn_gain)
    return np.maximum(0.0, gain_per_tenth - prices) * 10.0


def hour_value_frame(
    prepared: Prepared, weeks: list[Week], hours: list[np.ndarray | None]
) -> pl.DataFrame:
    """:data:`solver.types.HOUR_VALUES_SCHEMA`: per skill and week, the best value of one
    more hour (:func:`hour_values`) and the demand that would take it, from each week's
    LP relaxation (``hours`` per week; None: no LP, the week is left out)."""
    from solver.rounding import fragmentation_spread

    demand_ids = prepared.candidates["demand_id"].to_numpy()
    skill_of = dict(
        prepared.demand_weeks.select("demand_id", "skill_id").unique("demand_id").rows()
    )
    rows = []
    for week, lp_hours in zip(weeks, hours, strict=True):
        if lp_hours is None:
            continue
        values = hour_values(week, demand_prices(week, lp_hours, fragmentation_spread(week)))
        first = np.full(week.remaining.shape[0], -1, dtype=np.int64)
        first[week.demand[::-1]] = week.candidate[::-1]
        for local, candidate in enumerate(first.tolist()):
            demand_id = demand_ids[candidate]
            rows.append((skill_of.get(demand_id), week.week, float(values[local]), demand_id))
    frame = pl.DataFrame(rows, schema=HOUR_VALUES_SCHEMA, orient="row")
    return (
        frame.filter(pl.col("skill_id").is_not_null())
        .sort(
            ["skill_id", "week", "value_per_hour", "demand_id"],
            descending=[False, False, True, False],
        )
        .unique(["skill_id", "week"], keep="first", maintain_order=True)
    )
