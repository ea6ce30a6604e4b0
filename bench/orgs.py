"""Seeded synthetic organisations for the staffing benchmark, as solver input frames.

The demo organisation (112 people) is too small to show how the optimizer
scales, and real portfolios cannot be shared, so the benchmark plans these
instead. Each size keeps the ratios of a matrix organisation: a skill
catalogue that grows with head count (one skill per ~25 people), people with a
primary skill and up to two secondary ones at levels 1-5, a fifth part-time,
a few weeks of leave each, projects active for part of the horizon with two to
five roles, demand at about 105 % of capacity, and a current allocation that
over-books some people, pins a few rows and carries some fixed load.

Usage::

    from bench.orgs import organisation
    data = organisation("M", seed=0)  # a solver.PlanInput
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from solver import INPUT_SCHEMAS, PlanInput

#: First Monday of every generated horizon.
FIRST_WEEK = dt.date(2027, 1, 4)

#: Demand hours over capacity hours, summed over the horizon.
DEMAND_OVER_CAPACITY = 1.05


@dataclass(frozen=True)
class Size:
    """Head count, project count and horizon (weeks) of one benchmark organisation."""

    people: int
    projects: int
    weeks: int


SIZES: dict[str, Size] = {
    "S": Size(people=50, projects=15, weeks=12),
    "M": Size(people=500, projects=120, weeks=26),
    "L": Size(people=2_000, projects=400, weeks=52),
    "XL": Size(people=5_000, projects=800, weeks=52),
}


def organisation(size: str | Size, seed: int = 0) -> PlanInput:
    """A seeded organisation of ``size`` (``"S"``, ``"M"``, ``"L"`` or a :class:`Size`).

    Same size and seed give the same frames. Hours are whole hours (Float64).

    Raises:
        KeyError: an unknown size name.
    """
    shape = SIZES[size] if isinstance(size, str) else size
    rng = np.random.default_rng(seed)
    weeks = [FIRST_WEEK + dt.timedelta(weeks=k) for k in range(shape.weeks)]
    skill_count = max(8, shape.people // 25)
    skills = _skills(rng, shape.people, skill_count)
    capacity = _capacity(rng, shape.people, weeks)
    projects = _projects(rng, shape.projects)
    demand = _demand(rng, shape.projects, weeks, skill_count, capacity)
    current = _current(rng, demand, skills, capacity)
    frames = {
        "capacity": capacity,
        "skills": skills,
        "demand": demand,
        "projects": projects,
        "current": current,
    }
    return PlanInput(
        **{
            name: frames[name].select(list(schema)).cast(schema)
            for name, schema in INPUT_SCHEMAS.items()
        }
    )


def _skill_names(index: np.ndarray) -> list[str]:
    return [f"skill-{value:03d}" for value in index]


def _skills(rng: np.random.Generator, people: int, skill_count: int) -> pl.DataFrame:
    """A primary skill (level 2-5) per person and 0-2 secondary ones (level 1-3).

    Popularity of skills is skewed (a few common, many rare), as in real catalogues.
    """
    popularity = 1.0 / np.arange(1, skill_count + 1) ** 0.6
    popularity /= popularity.sum()
    rows_person, rows_skill, rows_level = [], [], []
    for person in range(people):
        count = 1 + rng.choice([0, 1, 2], p=[0.35, 0.45, 0.2])
        chosen = rng.choice(skill_count, size=count, replace=False, p=popularity)
        levels = [int(rng.integers(2, 6))] + [int(rng.integers(1, 4)) for _ in chosen[1:]]
        rows_person += [person] * count
        rows_skill += list(chosen)
        rows_level += levels
    return pl.DataFrame(
        {
            "person_id": [f"person-{p:04d}" for p in rows_person],
            "skill_id": _skill_names(np.array(rows_skill)),
            "level": rows_level,
        }
    )


def _capacity(rng: np.random.Generator, people: int, weeks: list[dt.date]) -> pl.DataFrame:
    """40 h for four in five people, 16-32 h for part-timers; leave weeks at 0 h or half."""
    contract = np.where(
        rng.random(people) < 0.8, 40.0, rng.choice([16.0, 20.0, 24.0, 32.0], size=people)
    )
    hours = np.repeat(contract[:, None], len(weeks), axis=1)
    leave = rng.random(hours.shape) < 0.06
    half = rng.random(hours.shape) < 0.3
    hours = np.where(leave, np.where(half, hours / 2, 0.0), hours)
    return pl.DataFrame(
        {
            "person_id": np.repeat([f"person-{p:04d}" for p in range(people)], len(weeks)),
            "week": weeks * people,
            "hours": hours.reshape(-1).round(0),
        }
    )


def _projects(rng: np.random.Generator, projects: int) -> pl.DataFrame:
    """Priority weights 1-5 (5 = most important), fewer important projects than others."""
    return pl.DataFrame(
        {
            "project_id": [f"project-{k:03d}" for k in range(projects)],
            "priority_weight": rng.choice(
                [1.0, 2.0, 3.0, 4.0, 5.0], size=projects, p=[0.25, 0.3, 0.25, 0.12, 0.08]
            ),
        }
    )


def _demand(
    rng: np.random.Generator,
    projects: int,
    weeks: list[dt.date],
    skill_count: int,
    capacity: pl.DataFrame,
) -> pl.DataFrame:
    """Two to five roles per project over its active weeks, scaled to 105 % of capacity."""
    popularity = 1.0 / np.arange(1, skill_count + 1) ** 0.6
    popularity /= popularity.sum()
    rows: dict[str, list] = {
        key: [] for key in ("demand_id", "project_id", "skill_id", "min_level", "week", "hours")
    }
    horizon = len(weeks)
    for project in range(projects):
        length = int(rng.integers(max(2, horizon // 3), horizon + 1))
        start = int(rng.integers(0, horizon - length + 1))
        for role in range(int(rng.integers(2, 6))):
            skill = int(rng.choice(skill_count, p=popularity))
            size = float(rng.choice([8, 16, 24, 32, 40, 60, 80]))
            first = start + int(rng.integers(0, max(1, length // 4)))
            last = start + length - int(rng.integers(0, max(1, length // 4)))
            for week in range(first, last):
                rows["demand_id"].append(f"project-{project:03d}-r{role}")
                rows["project_id"].append(f"project-{project:03d}")
                rows["skill_id"].append(f"skill-{skill:03d}")
                rows["min_level"].append(int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25])))
                rows["week"].append(weeks[week])
                rows["hours"].append(size)
    demand = pl.DataFrame(rows)
    scale = DEMAND_OVER_CAPACITY * capacity["hours"].sum() / demand["hours"].sum()
    return demand.with_columns((pl.col("hours") * scale).round(0).clip(lower_bound=1.0))


def _current(
    rng: np.random.Generator,
    demand: pl.DataFrame,
    skills: pl.DataFrame,
    capacity: pl.DataFrame,
) -> pl.DataFrame:
    """Last plan: one or two qualified holders per demand for all its weeks, some unqualified
    stand-ins, 3 % of rows pinned, and fixed load (4-8 h/week) for a tenth of the people.

    Holders are drawn without looking at their load, so some people are over-booked.
    """
    roles = (
        demand.select("demand_id", "project_id", "skill_id", "min_level")
        .unique("demand_id", keep="first")
        .sort("demand_id")
    )
    qualified = (
        roles.join(skills, on="skill_id")
        .filter(pl.col("level") >= pl.col("min_level"))
        .group_by("demand_id")
        .agg(pl.col("person_id").sort())
    )
    holders: dict[str, list[str]] = dict(qualified.iter_rows())
    everyone = capacity["person_id"].unique().sort().to_list()
    chosen_demand, chosen_person, share = [], [], []
    for demand_id in roles["demand_id"].to_list():
        pool = holders.get(demand_id) or everyone
        if rng.random() < 0.15:  # staffed by whoever was free, qualified or not
            pool = everyone
        if rng.random() < 0.1:  # never staffed
            continue
        count = min(len(pool), int(rng.choice([1, 2], p=[0.6, 0.4])))
        picks = rng.choice(len(pool), size=count, replace=False)
        for pick in picks:
            chosen_demand.append(demand_id)
            chosen_person.append(pool[int(pick)])
            share.append(1.0 / count)
    assignment = pl.DataFrame(
        {"demand_id": chosen_demand, "person_id": chosen_person, "share": share}
    )
    staffed = (
        demand.join(assignment, on="demand_id")
        .with_columns((pl.col("hours") * pl.col("share")).round(0).alias("hours"))
        .filter(pl.col("hours") > 0)
    )
    pinned = rng.random(staffed.height) < 0.03
    staffed = staffed.with_columns(pinned=pl.Series(pinned))
    people = capacity.select("person_id").unique().sort("person_id")
    fixed_people = people.filter(pl.Series(rng.random(people.height) < 0.1))
    fixed = (
        fixed_people.join(capacity.select("person_id", "week", "hours"), on="person_id")
        .filter(pl.col("hours") >= 16)
        .with_columns(
            pl.lit("OPS").alias("project_id"),
            pl.lit(None, dtype=pl.String).alias("demand_id"),
            pl.lit(6.0).alias("hours"),
            pl.lit(False).alias("pinned"),
        )
    )
    pinned_fit = _drop_pins_above_capacity(staffed, fixed, capacity)
    columns = ["person_id", "project_id", "demand_id", "week", "hours", "pinned"]
    return pl.concat([pinned_fit.select(columns), fixed.select(columns)]).sort(
        "person_id", "week", "project_id", "demand_id"
    )


def _drop_pins_above_capacity(
    staffed: pl.DataFrame, fixed: pl.DataFrame, capacity: pl.DataFrame
) -> pl.DataFrame:
    """Unpin rows where pinned work and fixed load would exceed a capacity (a feasible input)."""
    keys = ["person_id", "week"]
    load = (
        pl.concat(
            [staffed.filter(pl.col("pinned")).select(*keys, "hours"), fixed.select(*keys, "hours")]
        )
        .group_by(keys)
        .agg(pl.col("hours").sum().alias("constant"))
    )
    over = (
        load.join(capacity.rename({"hours": "capacity"}), on=keys, how="left")
        .filter(pl.col("constant") > pl.col("capacity").fill_null(0))
        .select(keys)
        .with_columns(over=pl.lit(True))
    )
    return (
        staffed.join(over, on=keys, how="left")
        .with_columns(pl.col("pinned") & pl.col("over").is_null())
        .drop("over")
    )
