"""The plan model cut into its independent weeks, as numpy arrays.

Every constraint of the model (capacity per person-week, demand per demand-week,
fragmentation per person-project-week) lies within one week, so each week is a
problem of its own: the LP bound, the rounding and the CP-SAT search all work
week by week on these arrays. They are built with a handful of polars
operations over all candidates at once, never a Python loop per candidate.

Within a week a candidate's hours split into two *items*: the part of its
current hours it keeps (gain cover + churn per tenth: the objective constant
counts every current hour as churn and keeping one earns it back) and the
rest (gain cover - churn). A *group* is a person-project pair; a flagged group
(one without fixed or pinned hours that week) costs the fragmentation weight
when any of its items carries hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from solver.policy import Policy
from solver.prepare import Prepared
from solver.types import HOURS_SCALE


@dataclass(frozen=True)
class Week:
    """One week of the model. Quantities in tenths of an hour, gains in objective units.

    Attributes:
        week: the Monday.
        candidate: global candidate index (``prepared.candidates['index']``) per candidate.
        person, demand, group: local person, demand-week and group index per candidate.
        lower: least tenths per candidate when it is used (the minimum block).
        upper: most tenths per candidate (min of free capacity and remaining demand).
        kept_upper: tenths of the candidate's current hours it can keep (min(current, upper)).
        cover_gain: cover weight x priority weight per tenth.
        churn_gain: churn weight per tenth.
        free: free tenths per local person; remaining: open tenths per local demand.
        group_person: local person per group; group_flagged: the group costs
            ``fragmentation`` when used; group_largest: most tenths the group can carry.
        fragmentation: the fragmentation weight.
        slots: per local person, how many flagged groups it may use (concurrent projects
            beyond those with fixed or pinned hours).
        fill_order: local candidates in the greedy first fit's order (highest priority,
            then project, demand and person).
    """

    week: dt.date
    candidate: np.ndarray
    person: np.ndarray
    demand: np.ndarray
    group: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    kept_upper: np.ndarray
    cover_gain: np.ndarray
    churn_gain: float
    free: np.ndarray
    remaining: np.ndarray
    group_person: np.ndarray
    group_flagged: np.ndarray
    group_largest: np.ndarray
    fragmentation: float
    slots: np.ndarray
    fill_order: np.ndarray

    @property
    def size(self) -> int:
        """Number of candidates."""
        return int(self.candidate.shape[0])

    def value(self, tenths: np.ndarray, gains: np.ndarray | None = None) -> float:
        """Objective contribution of ``tenths`` per candidate (without the constant), plus
        the ``gains`` (objective units per candidate used, e.g. continuity given the
        neighbouring weeks: :mod:`solver.continuity`) of the candidates it uses."""
        kept = np.minimum(tenths, self.kept_upper)
        added = tenths - kept
        hours = float(np.dot(self.cover_gain, tenths.astype(np.float64)))
        churn = self.churn_gain * float(kept.sum() - added.sum())
        used = np.zeros(self.group_flagged.shape[0], dtype=bool)
        used[self.group[tenths > 0]] = True
        extra = 0.0 if gains is None else float(gains[tenths > 0].sum())
        return hours + churn - self.fragmentation * float((used & self.group_flagged).sum()) + extra

    def feasible(self, tenths: np.ndarray) -> bool:
        """Whether ``tenths`` respects bounds, minimum blocks, capacity, remaining demand
        and the concurrent-project limits."""
        if (tenths < 0).any() or (tenths > self.upper).any():
            return False
        if ((tenths > 0) & (tenths < self.lower)).any():
            return False
        load = np.bincount(self.person, weights=tenths, minlength=self.free.shape[0])
        cover = np.bincount(self.demand, weights=tenths, minlength=self.remaining.shape[0])
        if not ((load <= self.free).all() and (cover <= self.remaining).all()):
            return False
        return bool((self.projects_used(tenths) <= self.slots).all())

    def projects_used(self, tenths: np.ndarray) -> np.ndarray:
        """Flagged groups (new projects) used per local person."""
        used = np.zeros(self.group_flagged.shape[0], dtype=bool)
        used[self.group[tenths > 0]] = True
        used &= self.group_flagged
        return np.bincount(self.group_person[used], minlength=self.free.shape[0])

    def repair(self, tenths: np.ndarray) -> np.ndarray:
        """``tenths`` made feasible by dropping hours: allocations below their minimum block
        go to 0, and a person over their project limit keeps the groups with most hours."""
        fixed = np.where((tenths > 0) & (tenths < self.lower), 0, tenths)
        over = self.projects_used(fixed) > self.slots
        if not over.any():
            return fixed
        hours = np.bincount(self.group, weights=fixed, minlength=self.group_flagged.shape[0])
        keep = np.ones(self.group_flagged.shape[0], dtype=bool)
        for person in np.flatnonzero(over).tolist():
            groups = np.flatnonzero(
                (self.group_person == person) & self.group_flagged & (hours > 0)
            )
            ranked = groups[np.argsort(-hours[groups], kind="stable")]
            keep[ranked[max(0, int(self.slots[person])) :]] = False
        return np.where(keep[self.group], fixed, 0)


def split_weeks(prepared: Prepared, policy: Policy) -> list[Week]:
    """The :class:`Week` blocks of ``prepared``, in week order (weeks with candidates only)."""
    candidates = prepared.candidates
    if candidates.height == 0:
        return []
    constant = prepared.constant_groups.with_columns(constant=pl.lit(True))
    # the greedy first fit's order (solver.greedy.FILL_ORDER), as a rank per candidate
    fill_rank = (
        candidates.sort(
            ["priority_weight", "project_id", "demand_id", "week", "person_id"],
            descending=[True, False, False, False, False],
        )
        .select("index")
        .with_row_index("fill_rank")
        .with_columns(pl.col("fill_rank").cast(pl.Int64))
    )
    frame = (
        candidates.join(fill_rank, on="index", how="left")
        .join(
            prepared.person_weeks.select("person_id", "week", "free", "project_slots"),
            on=["person_id", "week"],
            how="left",
        )
        .join(
            prepared.demand_weeks.select("demand_id", "week", "remaining"),
            on=["demand_id", "week"],
            how="left",
        )
        .join(constant, on=["person_id", "project_id", "week"], how="left")
        .sort("week", "person_id", "project_id", "demand_id")
        .with_columns(
            # integer codes (one rank per string column, not per struct): made local and
            # dense per week in _week
            person=pl.col("person_id").rank("dense").cast(pl.Int64),
            demand=pl.col("demand_id").rank("dense").cast(pl.Int64),
            project=pl.col("project_id").rank("dense").cast(pl.Int64),
            flagged=pl.col("constant").is_null(),
        )
        .with_columns(group=pl.col("person") * (pl.col("project").max() + 1) + pl.col("project"))
    )
    return [_week(part, policy) for part in frame.partition_by("week", maintain_order=True)]


def _local(values: np.ndarray) -> np.ndarray:
    """Codes made dense from 0, in the order of the codes."""
    return np.unique(values, return_inverse=True)[1].astype(np.int64).reshape(-1)


def _week(part: pl.DataFrame, policy: Policy) -> Week:
    person = _local(part["person"].to_numpy())
    demand = _local(part["demand"].to_numpy())
    group = _local(part["group"].to_numpy())
    upper = part["upper"].to_numpy().astype(np.int64)
    free = np.zeros(person.max() + 1, dtype=np.int64)
    free[person] = part["free"].to_numpy()
    slots = np.zeros(person.max() + 1, dtype=np.int64)
    slots[person] = part["project_slots"].to_numpy()
    remaining = np.zeros(demand.max() + 1, dtype=np.int64)
    remaining[demand] = part["remaining"].to_numpy()
    groups = group.max() + 1
    group_person = np.zeros(groups, dtype=np.int64)
    group_person[group] = person
    group_flagged = np.zeros(groups, dtype=bool)
    group_flagged[group] = part["flagged"].to_numpy()
    total = np.bincount(group, weights=upper, minlength=groups).astype(np.int64)
    return Week(
        week=part["week"][0],
        candidate=part["index"].to_numpy().astype(np.int64),
        person=person,
        demand=demand,
        group=group,
        lower=part["lower"].to_numpy().astype(np.int64),
        upper=upper,
        kept_upper=np.minimum(part["current"].to_numpy(), upper).astype(np.int64),
        cover_gain=(policy.cover_weight * part["priority_weight"].to_numpy() / HOURS_SCALE),
        churn_gain=policy.churn_weight / HOURS_SCALE,
        free=free,
        remaining=remaining,
        group_person=group_person,
        group_flagged=group_flagged,
        group_largest=np.minimum(total, free[group_person]),
        fragmentation=policy.fragmentation_weight,
        slots=slots,
        fill_order=np.argsort(part["fill_rank"].to_numpy(), kind="stable").astype(np.int64),
    )


def week_values(week: Week, values: list[int] | np.ndarray) -> np.ndarray:
    """The week's slice of global per-candidate ``values``, as Int64."""
    return np.asarray(values, dtype=np.int64)[week.candidate]
