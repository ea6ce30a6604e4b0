"""Per-week supply networks of the shift model: exact aggregate cover and Hall cuts.

In a week, people with the same qualified demand classes (skill, minimum level) form
one group with their summed free tenths. Covering demand is then a transportation
problem: groups send hours to classes they qualify for, each class and priority takes
at most its demand. Two graph algorithms of OR-Tools work on it:

* :meth:`WeekNetwork.best_cover` — the largest priority-weighted cover for a given
  demand, by a min-cost flow (every unit of flow into a class earns its priority
  weight; hours nobody needs go straight to the sink at no gain);
* :meth:`WeekNetwork.hall_cut` — for covered hours per class that no flow can deliver,
  a set ``T`` of classes with ``covered(T) > supply(people qualified for any of T)``
  (Hall's condition, read off a minimum cut), a valid constraint for every demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class WeekNetwork:
    """Groups of one week: free tenths per group, and one arc per (group, class)."""

    week: int
    free: np.ndarray
    arc_group: np.ndarray
    arc_cls: np.ndarray

    def supply(self, classes: list[int] | np.ndarray) -> int:
        """Free tenths of the groups qualified for at least one of ``classes``."""
        mask = np.isin(self.arc_cls, np.asarray(classes, dtype=np.int64))
        return int(self.free[np.unique(self.arc_group[mask])].sum())

    def best_cover(self, cls: np.ndarray, coeff: np.ndarray, demand: np.ndarray) -> np.ndarray:
        """Covered tenths per row (class ``cls``, weight ``coeff`` per tenth, ``demand``)
        of the best priority-weighted cover."""
        from ortools.graph.python import min_cost_flow

        flow = min_cost_flow.SimpleMinCostFlow()
        groups = self.free.shape[0]
        total = int(self.free.sum())
        class_node = self._class_nodes(np.concatenate([self.arc_cls, cls]), groups)
        # arcs: source -> group, group -> class, class -> sink (per row, earning its
        # weight), and source -> sink at no gain for the hours nobody needs
        tails = np.concatenate(
            [np.zeros(groups, dtype=np.int64), 2 + self.arc_group, class_node(cls), [0]]
        )
        heads = np.concatenate(
            [
                2 + np.arange(groups),
                class_node(self.arc_cls),
                np.ones(cls.shape[0], dtype=np.int64),
                [1],
            ]
        )
        capacities = np.concatenate([self.free, self.free[self.arc_group], demand, [total]])
        costs = np.concatenate(
            [np.zeros(groups + self.arc_group.shape[0], dtype=np.int64), -coeff, [0]]
        )
        flow.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int64),
            heads.astype(np.int64),
            capacities.astype(np.int64),
            costs.astype(np.int64),
        )
        flow.set_node_supply(0, total)
        flow.set_node_supply(1, -total)
        status = flow.solve()
        if status != flow.OPTIMAL:  # pragma: no cover - integer data, always solvable
            raise RuntimeError(f"min-cost flow failed with status {status}")
        first = groups + self.arc_group.shape[0]
        return np.asarray(flow.flows(np.arange(first, first + cls.shape[0])), dtype=np.int64)

    def hall_cut(self, covered: dict[int, int]) -> tuple[list[int], int] | None:
        """Classes ``T`` and their supply with ``sum(covered over T) > supply``, or ``None``
        when a flow delivers ``covered``."""
        from ortools.graph.python import max_flow

        classes = np.array(sorted(c for c, v in covered.items() if v > 0), dtype=np.int64)
        if classes.shape[0] == 0:
            return None
        wanted = np.array([covered[c] for c in classes.tolist()], dtype=np.int64)
        groups = self.free.shape[0]
        keep = np.isin(self.arc_cls, classes)
        arc_group, arc_cls = self.arc_group[keep], self.arc_cls[keep]
        node_of = self._class_nodes(classes, groups)
        big = int(self.free.sum()) + int(wanted.sum()) + 1
        network = max_flow.SimpleMaxFlow()
        network.add_arcs_with_capacity(
            np.concatenate([np.zeros(groups, dtype=np.int64), 2 + arc_group, node_of(classes)]),
            np.concatenate(
                [2 + np.arange(groups), node_of(arc_cls), np.ones(classes.shape[0], dtype=np.int64)]
            ),
            np.concatenate([self.free, np.full(arc_group.shape[0], big), wanted]),
        )
        if network.solve(0, 1) != network.OPTIMAL:  # pragma: no cover
            raise RuntimeError("max flow failed")
        if network.optimal_flow() >= int(wanted.sum()):
            return None
        source_side = network.get_source_side_min_cut()
        on_sink_side = ~np.isin(node_of(classes), np.asarray(source_side, dtype=np.int64))
        short = classes[on_sink_side].tolist()
        supply = self.supply(short)
        if sum(covered[c] for c in short) <= supply:  # pragma: no cover - min-cut theory
            return None
        return short, supply

    @staticmethod
    def _class_nodes(classes: np.ndarray, groups: int):
        distinct = np.unique(classes)

        def node(values: np.ndarray) -> np.ndarray:
            return 2 + groups + np.searchsorted(distinct, values)

        return node


def week_networks(supply: pl.DataFrame) -> dict[int, WeekNetwork]:
    """One :class:`WeekNetwork` per week of ``supply`` (``person_id, week, cls, free``)."""
    if supply.height == 0:
        return {}
    people = (
        supply.sort("person_id", "week", "cls")
        .group_by("person_id", "week", maintain_order=True)
        .agg(pl.col("cls"), pl.col("free").first())
    )
    groups = (
        people.with_columns(
            key=pl.col("cls").list.eval(pl.element().cast(pl.String)).list.join(",")
        )
        .group_by("week", "key")
        .agg(pl.col("cls").first(), pl.col("free").sum())
        .sort("week", "key")
    )
    networks = {}
    for (week,), part in groups.partition_by("week", as_dict=True, maintain_order=True).items():
        lengths = part["cls"].list.len().to_numpy()
        networks[int(week)] = WeekNetwork(
            week=int(week),
            free=part["free"].to_numpy().astype(np.int64),
            arc_group=np.repeat(np.arange(part.height), lengths).astype(np.int64),
            arc_cls=part["cls"].explode().to_numpy().astype(np.int64),
        )
    return networks
