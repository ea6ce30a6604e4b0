"""Certification expiry removes eligibility in a plan: the certified skill ends with the certificate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pmo_tui.bootstrap import open_database
from pmo_tui.governance.training import skills_with_certifications
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.service import write_bundles
from pmo_tui.planning.inputs import plan_inputs
from pmo_tui.planning.service import run_plan
from solver import Policy

WEEKS = [dt.date(2027, 1, 4) + dt.timedelta(weeks=i) for i in range(4)]


def _db(path: Path):
    """Demand D: 60 h of skill x in each of 4 weeks; p1 and p2 (40 h weeks) both have x level 3.

    p1 is booked 40 h on D in all four weeks today. p1's certification for x expires on
    Sunday 2027-01-17, after week 2.
    """
    people = pl.DataFrame(
        {"id": ["p1", "p2"], "name": ["Pat One", "Sam Two"], "region": ["UK", "UK"]}
    ).with_columns(
        *[pl.lit(8.0).alias(d) for d in ("mon", "tue", "wed", "thu", "fri")],
        *[pl.lit(0.0).alias(d) for d in ("sat", "sun")],
    )
    bundle = Bundle(
        source="test",
        portfolios=pl.DataFrame({"id": ["PF"], "name": ["PF"]}),
        skills=pl.DataFrame({"id": ["x"], "name": ["X"]}),
        people=people,
        person_skills=pl.DataFrame(
            {"person_id": ["p1", "p2"], "skill_id": ["x", "x"], "level": [3, 3]}
        ),
        projects=pl.DataFrame(
            {
                "id": ["P"],
                "name": ["P"],
                "portfolio_id": ["PF"],
                "phase": ["execution"],
                "priority": [1],
                "rag": ["green"],
                "start": [WEEKS[0]],
                "finish": [WEEKS[-1]],
            }
        ),
        demand=pl.DataFrame(
            {"id": ["D"], "project_id": ["P"], "skill_id": ["x"], "min_level": [1]}
        ),
        demand_week=pl.DataFrame({"demand_id": ["D"] * 4, "week": WEEKS, "hours": [60.0] * 4}),
        allocation=pl.DataFrame(
            {
                "person_id": ["p1"] * 4,
                "project_id": ["P"] * 4,
                "demand_id": ["D"] * 4,
                "week": WEEKS,
                "hours": [40.0] * 4,
                "kind": ["soft"] * 4,
                "pinned": [False] * 4,
            }
        ),
    )
    db = open_database(path, seed_demo=False)
    write_bundles(db, [bundle])
    with db.atomic():
        db["course"].insert(
            {"id": "CX", "title": "X certificate", "kind": "certification", "skill_id": "x"}
        )
        db["training_record"].insert(
            {
                "person_id": "p1",
                "course_id": "CX",
                "completed_on": "2024-01-17",
                "expires_on": "2027-01-17",
            }
        )
    return db


def test_the_skills_frame_carries_the_certificate_expiry(tmp_path: Path) -> None:
    db = _db(tmp_path / "c.db")
    assert skills_with_certifications(db).sort("person_id").rows() == [
        ("p1", "x", 3, dt.date(2027, 1, 17)),
        ("p2", "x", 3, None),
    ]
    assert plan_inputs(db).skills.sort("person_id")["valid_until"].to_list() == [
        dt.date(2027, 1, 17),
        None,
    ]


def test_certification_expiry_removes_eligibility_in_a_plan(tmp_path: Path) -> None:
    db = _db(tmp_path / "c.db")
    outcome = run_plan(db, Policy(time_limit_s=10, workers=1))
    hours = {
        (row["person_id"], row["week"]): row["hours"]
        for row in outcome.result.plan.filter(pl.col("demand_id") == "D").iter_rows(named=True)
    }
    # Weeks 1-2: both qualify, 60 h covered (40 + 20). Weeks 3-4: only p2, 40 of 60 h.
    for week in WEEKS[:2]:
        assert hours.get(("p1", week), 0) + hours.get(("p2", week), 0) == 60.0
    for week in WEEKS[2:]:
        assert hours.get(("p1", week), 0) == 0
        assert hours.get(("p2", week), 0) == 40.0
