"""A tiny organisation for the TUI tests, written with the same code as an import.

Two portfolios, two programs, four projects (one directly in a portfolio),
four people, two skills, four weeks from Monday 2027-01-04. Ann is booked
50 h in a 40 h week in weeks 1-2 (over-allocated on P-CRM and P-WEB).
Also the pilot helpers the TUI tests share: :func:`sync` and :func:`settle`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import polars as pl
from textual.pilot import Pilot

from pmo_tui.bootstrap import open_database
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.service import write_bundles

WEEKS = [dt.date(2027, 1, 4) + dt.timedelta(weeks=i) for i in range(4)]
TODAY = dt.date(2027, 1, 6)


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (no pytest-asyncio needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


async def settle(pilot: Pilot) -> None:
    """Let workers finish and their messages be handled."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _people() -> pl.DataFrame:
    rows = [
        ("ann", "Ann Archer", "Engineering", "UK"),
        ("ben", "Ben Brook", "Engineering", "UK"),
        ("cat", "Cat Cole", "PMO", "DE"),
        ("dan", "Dan Dorn", "Data", "DE"),
    ]
    frame = pl.DataFrame(rows, schema=["id", "name", "unit", "region"], orient="row")
    return frame.with_columns(
        *[pl.lit(8.0).alias(day) for day in ("mon", "tue", "wed", "thu", "fri")],
        *[pl.lit(0.0).alias(day) for day in ("sat", "sun")],
    )


def _weekly(rows: list[tuple], weeks: list[dt.date]) -> list[tuple]:
    return [(*row, week) for row in rows for week in weeks]


def small_bundle() -> Bundle:
    """The tiny organisation as one import bundle."""
    demand_weeks = (
        _weekly([("D1", 40.0)], WEEKS)
        + _weekly([("D2", 20.0)], WEEKS[:2])
        + _weekly([("D3", 30.0)], WEEKS)
        + _weekly([("D4", 10.0)], WEEKS[2:])
    )
    allocations = (
        _weekly([("ann", "P-CRM", "D1", 40.0)], WEEKS)
        + _weekly([("ann", "P-WEB", "D2", 10.0)], WEEKS[:2])
        + _weekly([("ben", "P-WEB", "D2", 10.0)], WEEKS[:2])
        + _weekly([("cat", "P-DWH", "D3", 20.0)], WEEKS)
        + _weekly([("dan", "P-OPS", None, 8.0)], WEEKS)
    )
    return Bundle(
        source="tests",
        portfolios=pl.DataFrame(
            {
                "id": ["PF-A", "PF-B"],
                "name": ["Alpha", "Beta"],
                "manager": ["Maria Moss", "Bo Berg"],
            }
        ),
        programs=pl.DataFrame(
            {
                "id": ["PG-1", "PG-2"],
                "name": ["Customer", "Data"],
                "portfolio_id": ["PF-A", "PF-A"],
                "manager": ["Tom Tay", None],
            }
        ),
        skills=pl.DataFrame({"id": ["dev", "ba"], "name": ["Developer", "Business analyst"]}),
        people=_people(),
        person_skills=pl.DataFrame(
            {
                "person_id": ["ann", "ben", "ben", "cat", "dan"],
                "skill_id": ["dev", "dev", "ba", "ba", "dev"],
                "level": [4, 3, 2, 4, 2],
            }
        ),
        projects=pl.DataFrame(
            [
                ("P-CRM", "CRM upgrade", "PG-1", None, "Tom Tay", "execution", 1, "red"),
                ("P-WEB", "Web shop", "PG-1", None, "Una Ulm", "planning", 3, "green"),
                ("P-DWH", "Warehouse", "PG-2", None, "Vic Vale", "execution", 2, "amber"),
                ("P-OPS", "Ops tooling", None, "PF-B", "Bo Berg", "closing", 4, "green"),
            ],
            schema=[
                "id",
                "name",
                "program_id",
                "portfolio_id",
                "manager",
                "phase",
                "priority",
                "rag",
            ],
            orient="row",
        ).with_columns(
            pl.lit(WEEKS[0]).alias("start"),
            pl.lit(WEEKS[-1] + dt.timedelta(days=4)).alias("finish"),
        ),
        demand=pl.DataFrame(
            {
                "id": ["D1", "D2", "D3", "D4"],
                "project_id": ["P-CRM", "P-WEB", "P-DWH", "P-OPS"],
                "skill_id": ["dev", "dev", "ba", "dev"],
                "min_level": [3, 2, 2, 1],
            }
        ),
        demand_week=pl.DataFrame(demand_weeks, schema=["demand_id", "hours", "week"], orient="row"),
        allocation=pl.DataFrame(
            allocations,
            schema=["person_id", "project_id", "demand_id", "hours", "week"],
            orient="row",
        ).with_columns(pl.lit("soft").alias("kind"), pl.lit(False).alias("pinned")),
    )


def build_small_db(path: Path) -> Path:
    """Create the tiny organisation at ``path`` and return the path."""
    db = open_database(path, seed_demo=False)
    write_bundles(db, [small_bundle()], reason="test organisation")
    db.conn.close()
    return path


def large_capacity(people: int = 2000, weeks: int = 52, allocations: int = 100_000):
    """Capacity frames at organisation scale (no database): 40 h a week each, random bookings.

    Returns a :class:`pmo_tui.tui.data.CapacityData` as the capacity screen's worker posts it.
    """
    import random

    from pmo_tui.domain.capacity import demand_coverage, utilisation
    from pmo_tui.tui.data import CapacityData

    rng = random.Random(2026)
    ids = [f"p{i:04d}" for i in range(people)]
    mondays = [WEEKS[0] + dt.timedelta(weeks=i) for i in range(weeks)]
    projects = [f"P{i:03d}" for i in range(300)]
    capacity = pl.DataFrame(
        {
            "person_id": [p for p in ids for _ in mondays],
            "week": mondays * people,
            "hours": [40.0] * (people * weeks),
        }
    )
    booked = pl.DataFrame(
        {
            "id": list(range(allocations)),
            "person_id": [rng.choice(ids) for _ in range(allocations)],
            "project_id": [rng.choice(projects) for _ in range(allocations)],
            "demand_id": [f"D-{rng.choice(projects)}" for _ in range(allocations)],
            "week": [rng.choice(mondays) for _ in range(allocations)],
            "hours": [float(rng.choice([4, 8, 16, 20])) for _ in range(allocations)],
            "kind": ["soft"] * allocations,
            "pinned": [False] * allocations,
        }
    )
    demand = pl.DataFrame(
        {
            "demand_id": [f"D-{p}" for p in projects for _ in mondays],
            "project_id": [p for p in projects for _ in mondays],
            "skill_id": [("dev", "ba", "qa")[i % 3] for i in range(len(projects)) for _ in mondays],
            "week": mondays * len(projects),
            "hours": [120.0] * (len(projects) * weeks),
        }
    )
    return CapacityData(
        utilisation=utilisation(capacity, booked),
        allocations=booked,
        coverage=demand_coverage(demand, booked),
        people=pl.DataFrame(
            {
                "id": ids,
                "name": [f"Person {i:04d}" for i in range(people)],
                "unit": [rng.choice(["Data", "Engineering", "PMO"]) for _ in ids],
                "region": [rng.choice(["UK", "DE"]) for _ in ids],
                "role": [None] * people,
            },
            schema_overrides={"role": pl.String},
        ),
        person_skills=pl.DataFrame(
            {
                "person_id": ids,
                "skill_id": [rng.choice(["dev", "ba", "qa"]) for _ in ids],
                "level": [3] * people,
            }
        ),
        projects=pl.DataFrame({"id": projects, "name": projects}),
    )
