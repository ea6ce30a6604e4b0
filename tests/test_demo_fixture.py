"""The demo organisation in fixtures/demo: reproducible, well formed, and as promised.

Everything is computed from the committed CSV files with the csv module, so these
tests check the files the app ships, not the generator's own idea of them.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"
GENERATOR = ROOT / "fixtures" / "generate_demo.py"
HORIZON = [date(2026, 11, 30) + timedelta(weeks=i) for i in range(26)]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# The headers of docs/data-model.md, in the order the generator writes them.
HEADERS = {
    "portfolios": "id,name,manager",
    "programs": "id,name,portfolio_id,manager",
    "skills": "id,name,description",
    "holidays": "region,date,name",
    "people": "id,name,email,role,unit,region,cost_rate,max_concurrent_projects,"
    "mon,tue,wed,thu,fri,sat,sun",
    "person_skills": "person_id,skill_id,level",
    "leave": "person_id,start,end,hours_per_day,reason",
    "availability": "person_id,start,end,percent",
    "projects": "id,name,program_id,portfolio_id,manager,sponsor,phase,priority,start,finish,"
    "budget,actual_cost,rag,may_shift_weeks",
    "dependencies": "from_project_id,to_project_id,kind,lag_weeks,description,due,deliverable",
    "demands": "id,project_id,skill_id,min_level,start_week,end_week,hours_per_week,description",
    "allocations": "person_id,project_id,demand_id,start_week,end_week,hours_per_week,kind,pinned",
}
HOURS = re.compile(r"^\d+(\.\d)?$")  # at most one decimal


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def demo() -> dict[str, list[dict[str, str]]]:
    return {name: read(DEMO, name) for name in HEADERS}


def day(text: str) -> date:
    parsed = date.fromisoformat(text)
    assert parsed.isoformat() == text, f"not an ISO date: {text!r}"
    return parsed


def weeks_of(row: dict[str, str]) -> list[date]:
    start, end = day(row["start_week"]), day(row["end_week"])
    return [w for w in HORIZON if start <= w <= end]


def easter(year: int) -> date:
    """Easter Sunday (Gregorian; the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day_ = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day_ + 1)


def capacity(demo) -> dict[str, dict[date, float]]:
    """Hours per person and week: pattern, minus public holidays and leave, times availability."""
    holidays = {(h["region"], day(h["date"])) for h in demo["holidays"]}
    leave: dict[str, list] = {}
    for row in demo["leave"]:
        off = float(row["hours_per_day"]) if row["hours_per_day"] else None
        leave.setdefault(row["person_id"], []).append((day(row["start"]), day(row["end"]), off))
    avail: dict[str, list] = {}
    for row in demo["availability"]:
        end = day(row["end"]) if row["end"] else None
        avail.setdefault(row["person_id"], []).append(
            (day(row["start"]), end, float(row["percent"]))
        )
    table = {}
    for person in demo["people"]:
        pid = person["id"]
        weeks = {}
        for monday in HORIZON:
            total = 0.0
            for offset in range(7):
                today = monday + timedelta(days=offset)
                hours = float(person[WEEKDAYS[offset]])
                if (person["region"], today) in holidays:
                    hours = 0.0
                for start, end, off in leave.get(pid, []):
                    if start <= today <= end:
                        hours -= hours if off is None else min(off, hours)
                percent = 100.0
                for start, end, value in avail.get(pid, []):
                    if start <= today and (end is None or today <= end):
                        percent = value
                total += hours * percent / 100
            weeks[monday] = total
        table[pid] = weeks
    return table


def booked(demo, rows) -> dict[tuple[str, date], float]:
    load: Counter = Counter()
    for row in rows:
        for week in weeks_of(row):
            load[row["person_id"], week] += float(row["hours_per_week"])
    return load


# --------------------------------------------------------------------------- reproducible


def test_regenerating_gives_byte_identical_files(tmp_path):
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # set order must not matter
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        env=env,
        cwd=tmp_path,
    )
    committed = sorted(p.name for p in DEMO.glob("*.csv"))
    regenerated = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert committed == regenerated == sorted(f"{name}.csv" for name in HEADERS)
    for name in committed:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), name
    assert (DEMO / "__init__.py").exists()


def test_the_governance_generator_reproduces_its_files(tmp_path):
    demo = tmp_path / "demo"
    demo.mkdir()
    for name in ("projects", "people", "person_skills"):
        (demo / f"{name}.csv").write_bytes((DEMO / f"{name}.csv").read_bytes())
    env = {**os.environ, "PYTHONHASHSEED": "54321"}
    generator = ROOT / "fixtures" / "generate_governance.py"
    subprocess.run(
        [sys.executable, str(generator), "--demo", str(demo)],
        check=True,
        capture_output=True,
        env=env,
        cwd=tmp_path,
    )
    committed = sorted(p.name for p in (DEMO / "governance").glob("*.csv"))
    regenerated = sorted(p.name for p in (demo / "governance").glob("*.csv"))
    assert committed == regenerated
    assert {"raid_entries.csv", "gate_decisions.csv"} <= set(committed)
    for name in committed:
        new = (demo / "governance" / name).read_bytes()
        assert new == (DEMO / "governance" / name).read_bytes(), name


def test_reporting_data_moves_with_the_status_date(demo):
    governance = DEMO / "governance"
    reports = read(governance, "status_reports")
    periods: Counter[str] = Counter(r["project_id"] for r in reports)
    assert max(periods.values()) == 6 and sum(1 for n in periods.values() if n >= 4) >= 10
    assert {r["resources"] for r in reports} == {"green", "amber", "red"}
    assert all(r["percent_complete"] for r in reports if r["actual_cost"])
    raid = read(governance, "raid_entries")
    status_date = date(2026, 11, 27)
    assert {r["kind"] for r in raid} == {"risk", "assumption", "issue", "decision", "action"}
    overdue = [r for r in raid if r["kind"] == "action" and r["state"] == "open" and r["due"]
               and day(r["due"]) < status_date]  # fmt: skip
    assert overdue, "the digest shows overdue actions"
    assert all(day(r["raised_on"]) <= status_date for r in raid)
    decisions = Counter(r["decision"] for r in read(governance, "gate_decisions"))
    assert set(decisions) == {"approved", "approved_with_conditions", "rejected", "deferred"}


# --------------------------------------------------------------------------- format


def test_headers_are_those_of_the_data_model():
    for name, header in HEADERS.items():
        first_line = (DEMO / f"{name}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == header, name


def test_values_are_well_formed(demo):
    for row in demo["people"]:
        assert all(HOURS.match(row[d]) and float(row[d]) <= 24 for d in WEEKDAYS), row
        assert 40 <= float(row["cost_rate"]) <= 150
        assert row["max_concurrent_projects"] == "" or 2 <= int(row["max_concurrent_projects"]) <= 4
    for name in ("demands", "allocations"):
        for row in demo[name]:
            assert HOURS.match(row["hours_per_week"]), row
    for row in demo["leave"]:
        assert day(row["start"]) <= day(row["end"])
        assert row["hours_per_day"] == "" or HOURS.match(row["hours_per_day"])
    for row in demo["availability"]:
        assert row["end"] == "" or day(row["start"]) <= day(row["end"])
        assert 0 <= float(row["percent"]) <= 100
    for row in demo["allocations"]:
        assert row["kind"] in ("soft", "hard") and row["pinned"] in ("true", "false")
    for row in demo["projects"]:
        assert row["phase"] in ("initiation", "planning", "execution", "closing")
        assert 1 <= int(row["priority"]) <= 5 and row["rag"] in ("green", "amber", "red")
        assert day(row["start"]) < day(row["finish"])
        for money in ("budget", "actual_cost"):
            assert row[money] == "" or float(row[money]) >= 0


def test_weeks_are_mondays_inside_the_horizon(demo):
    for name in ("demands", "allocations"):
        for row in demo[name]:
            start, end = day(row["start_week"]), day(row["end_week"])
            assert start.weekday() == 0 and end.weekday() == 0, row
            # a project the last plan started later runs past the horizon by at most its
            # allowance (4 weeks)
            assert HORIZON[0] <= start <= end <= HORIZON[-1] + timedelta(weeks=4), row


# --------------------------------------------------------------------------- the organisation


def test_sizes(demo):
    assert len(demo["portfolios"]) >= 2
    assert len(demo["programs"]) >= 5
    assert len(demo["projects"]) >= 30
    assert len(demo["people"]) >= 100
    assert len(demo["skills"]) == 12
    assert 150 <= len(demo["demands"]) <= 300
    assert 150 <= len(demo["allocations"]) <= 5000  # a plan's hours change from week to week
    assert len({p["id"] for p in demo["people"]}) == len(demo["people"])
    emails = [p["email"] for p in demo["people"]]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+@example\.com", e) for e in emails)


def test_skills_and_levels(demo):
    skills = {s["id"] for s in demo["skills"]}
    assert {"project-management", "solution-architecture", "data-science", "backend-dev"} <= skills
    levels = [int(r["level"]) for r in demo["person_skills"]]
    assert min(levels) >= 1 and max(levels) <= 5 and len(set(levels)) == 5
    per_person = Counter(r["person_id"] for r in demo["person_skills"])
    assert set(per_person) == {p["id"] for p in demo["people"]}
    assert set(per_person.values()) == {1, 2, 3}
    assert {r["skill_id"] for r in demo["person_skills"]} == skills


def test_two_regions_with_their_own_real_holidays(demo):
    by_region: dict[str, set[date]] = {}
    for row in demo["holidays"]:
        by_region.setdefault(row["region"], set()).add(day(row["date"]))
    assert sorted(by_region) == ["DE", "UK"]
    assert {p["region"] for p in demo["people"]} == {"DE", "UK"}
    assert by_region["UK"] != by_region["DE"]
    sunday = easter(2027)
    assert sunday == date(2027, 3, 28)
    good_friday, easter_monday = sunday - timedelta(days=2), sunday + timedelta(days=1)
    assert by_region["UK"] == {
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day falls on a Saturday
        date(2027, 1, 1),
        good_friday,
        easter_monday,
        date(2027, 5, 3),  # first Monday of May; the last Monday (31 May) is after the horizon
    }
    assert by_region["DE"] == {
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2027, 1, 1),
        date(2027, 3, 8),  # Internationaler Frauentag (Berlin)
        good_friday,
        easter_monday,
        date(2027, 5, 1),
        sunday + timedelta(days=39),  # Ascension
        sunday + timedelta(days=50),  # Whit Monday
    }
    assert all(
        HORIZON[0] <= d <= HORIZON[-1] + timedelta(days=6)
        for days_ in by_region.values()
        for d in days_
    )


def test_working_patterns(demo):
    patterns = [tuple(float(p[d]) for d in WEEKDAYS) for p in demo["people"]]
    assert Counter(sum(p) for p in patterns).most_common(1)[0][0] == 40  # most: 8 h Mon-Fri
    assert (7.5, 7.5, 7.5, 7.5, 7.5, 0, 0) in patterns
    assert (8, 8, 8, 0, 0, 0, 0) in patterns  # Mon-Wed
    assert (0, 8, 8, 8, 0, 0, 0) in patterns  # Tue-Thu
    assert (4, 4, 4, 4, 4, 0, 0) in patterns
    part_timers = [p for p in patterns if sum(p) < 37.5]
    assert 8 <= len(part_timers) <= 20
    capped = [p for p in demo["people"] if p["max_concurrent_projects"]]
    assert 3 <= len(capped) <= 15


def test_leave_and_availability(demo):
    people = {p["id"] for p in demo["people"]}
    assert {r["person_id"] for r in demo["leave"]} <= people
    assert {r["person_id"] for r in demo["availability"]} <= people
    christmas = [
        r
        for r in demo["leave"]
        if day(r["start"]) <= date(2026, 12, 31)
        and day(r["end"]) >= date(2026, 12, 21)
        and not r["hours_per_day"]
    ]
    assert len({r["person_id"] for r in christmas}) >= 30
    assert sum(1 for r in demo["leave"] if r["hours_per_day"] == "4") >= 10
    percents = {r["percent"] for r in demo["availability"]}
    assert {"50", "60"} <= percents
    assert any(r["end"] == "" for r in demo["availability"])


def test_every_reference_exists(demo):
    portfolios = {r["id"] for r in demo["portfolios"]}
    programs = {r["id"]: r for r in demo["programs"]}
    projects = {r["id"]: r for r in demo["projects"]}
    skills = {r["id"] for r in demo["skills"]}
    people = {r["id"] for r in demo["people"]}
    demands = {r["id"]: r for r in demo["demands"]}
    assert all(p["portfolio_id"] in portfolios for p in programs.values())
    assert {p["portfolio_id"] for p in programs.values()} == portfolios
    for project in projects.values():
        if project["program_id"]:
            assert project["program_id"] in programs and not project["portfolio_id"]
        else:
            assert project["portfolio_id"] in portfolios
    assert sum(1 for p in projects.values() if not p["program_id"]) >= 3
    assert {r["person_id"] for r in demo["person_skills"]} <= people
    assert {r["skill_id"] for r in demo["person_skills"]} <= skills
    assert len(demands) == len(demo["demands"])
    for row in demo["demands"]:
        assert row["project_id"] in projects and row["skill_id"] in skills
    for row in demo["allocations"]:
        assert row["person_id"] in people and row["project_id"] in projects
        if row["demand_id"]:
            assert demands[row["demand_id"]]["project_id"] == row["project_id"]
    keys = Counter(
        (r["person_id"], r["project_id"], r["demand_id"], w, r["kind"], r["pinned"])
        for r in demo["allocations"]
        for w in weeks_of(r)
    )
    assert max(keys.values()) == 1  # one booking per person, demand, week, kind and pinning


def test_demands_fit_their_projects(demo):
    projects = {r["id"]: r for r in demo["projects"]}
    asked = Counter()
    for row in demo["demands"]:
        project = projects[row["project_id"]]
        first = day(project["start"]) - timedelta(days=day(project["start"]).weekday())
        assert first <= day(row["start_week"]) and day(row["end_week"]) <= day(project["finish"])
        assert 8 <= float(row["hours_per_week"]) <= 40
        assert 1 <= int(row["min_level"]) <= 4
    for project_id in projects:
        asked[project_id] = len(
            {r["skill_id"] for r in demo["demands"] if r["project_id"] == project_id}
        )
    real = [n for n in asked.values() if n]
    assert len(real) >= 30 and min(real) >= 2 and max(real) <= 5
    # Projects without demand carry only BAU load (allocations without a demand).
    for project_id, n in asked.items():
        if not n:
            assert all(
                not r["demand_id"] for r in demo["allocations"] if r["project_id"] == project_id
            )


def test_allocations_qualify_and_fit_their_demands(demo):
    level = {(r["person_id"], r["skill_id"]): int(r["level"]) for r in demo["person_skills"]}
    demands = {r["id"]: r for r in demo["demands"]}
    staffed: Counter = Counter()
    for row in demo["allocations"]:
        if not row["demand_id"]:
            continue
        demand = demands[row["demand_id"]]
        assert level.get((row["person_id"], demand["skill_id"]), 0) >= int(demand["min_level"])
        assert set(weeks_of(row)) <= set(weeks_of(demand))
        for week in weeks_of(row):
            staffed[row["demand_id"], week] += float(row["hours_per_week"])
    for (demand_id, _), hours in staffed.items():
        assert hours <= float(demands[demand_id]["hours_per_week"])
    kinds = Counter(r["kind"] for r in demo["allocations"])
    assert kinds["soft"] > kinds["hard"] > 0
    assert 3 <= sum(1 for r in demo["allocations"] if r["pinned"] == "true") <= 15
    assert 3 <= sum(1 for r in demo["allocations"] if not r["demand_id"]) <= 20


def test_pinned_and_fixed_load_fits_capacity(demo):
    """Pinned and hard bookings and BAU load (no demand) are never moved: they must fit,
    so the plan is feasible; so must the pinned and BAU projects under max_concurrent_projects."""
    hours = capacity(demo)
    immovable = [
        r
        for r in demo["allocations"]
        if r["pinned"] == "true" or r["kind"] == "hard" or not r["demand_id"]
    ]
    assert any(r["kind"] == "hard" and r["pinned"] == "false" and r["demand_id"] for r in immovable)
    for (pid, week), load in booked(demo, immovable).items():
        assert load <= hours[pid][week] + 1e-6, (pid, week, load, hours[pid][week])
    fixed_rows = [r for r in demo["allocations"] if r["pinned"] == "true" or not r["demand_id"]]
    assert any(r["pinned"] == "true" for r in fixed_rows)
    limits = {
        p["id"]: int(p["max_concurrent_projects"])
        for p in demo["people"]
        if p["max_concurrent_projects"]
    }
    for pid, limit in limits.items():
        for week in HORIZON:
            fixed_projects = {
                r["project_id"] for r in fixed_rows if r["person_id"] == pid and week in weeks_of(r)
            }
            assert len(fixed_projects) <= limit


def test_the_data_is_interesting_for_a_planner(demo):
    hours = capacity(demo)
    supply = [sum(hours[pid][w] for pid in hours) for w in HORIZON]
    demand = [
        sum(float(r["hours_per_week"]) for r in demo["demands"] if w in weeks_of(r))
        for w in HORIZON
    ]
    ratio = [d / s for d, s in zip(demand, supply, strict=True)]
    assert sum(1 for r in ratio if 0.97 <= r <= 1.1) >= 14  # most weeks: about 100-110 %
    assert min(ratio) >= 0.95 and max(ratio) <= 1.6  # the peaks are the holiday weeks

    # Like a real organisation some weeks after its last plan (issue 11): most person-weeks
    # fit; 10-20 % of the people (leave booked since, go-to experts asked for help) are
    # over capacity in some weeks; a few are under-used (their workstream was cancelled);
    # some demand is not staffed.
    load = booked(demo, demo["allocations"])
    person_weeks = [(pid, w) for pid in hours for w in HORIZON]
    over = [(pid, w) for pid, w in person_weeks if load[pid, w] > hours[pid][w] + 0.05]
    assert 0.005 <= len(over) / len(person_weeks) <= 0.15
    people_over = {pid for pid, _ in over}
    assert 0.10 <= len(people_over) / len(hours) <= 0.20
    assert max(load.values()) <= 56
    full_time = [p["id"] for p in demo["people"] if sum(float(p[d]) for d in WEEKDAYS) >= 37.5]
    utilisation = sorted(
        sum(load[pid, w] for w in HORIZON) / sum(hours[pid][w] for w in HORIZON)
        for pid in full_time
    )
    assert utilisation[0] <= 0.7 and utilisation[2] <= 0.85  # three at or below 85 %

    staffed = sum(
        float(r["hours_per_week"]) * len(weeks_of(r)) for r in demo["allocations"] if r["demand_id"]
    )
    asked = sum(demand)
    assert 0.05 <= 1 - staffed / asked <= 0.3  # some demand is not allocated

    # Scarce and plentiful skills: demand against the capacity of the people who hold
    # the skill at level 3 or more.
    skilled: dict[str, list[str]] = {}
    for row in demo["person_skills"]:
        if int(row["level"]) >= 3:
            skilled.setdefault(row["skill_id"], []).append(row["person_id"])

    def pressure(skill: str) -> float:
        wanted = sum(
            float(r["hours_per_week"]) * len(weeks_of(r))
            for r in demo["demands"]
            if r["skill_id"] == skill
        )
        return wanted / sum(sum(hours[pid].values()) for pid in skilled[skill])

    assert pressure("solution-architecture") > 1.4 and pressure("data-science") > 1.4
    assert pressure("backend-dev") < 1.0


def test_demo_deliverables_cross_areas_and_are_due_before_the_provider_finishes(demo):
    finish = {p["id"]: day(p["finish"]) for p in demo["projects"]}
    deliverables = [d for d in demo["dependencies"] if d["kind"] == "deliverable"]
    assert len(deliverables) >= 4
    for link in deliverables:
        provider, consumer = link["from_project_id"], link["to_project_id"]
        assert provider.split("-")[0] != consumer.split("-")[0]
        assert day(link["due"]) == finish[provider] - timedelta(days=30)
        assert link["deliverable"] and link["deliverable"] in link["description"]


def test_demo_dependencies_hold_as_generated_and_shifts_are_for_unstarted_projects(demo):
    weeks: dict[str, list[str]] = {}
    for row in demo["demands"]:
        weeks.setdefault(row["project_id"], []).extend([row["start_week"], row["end_week"]])
    finish_to_start = [d for d in demo["dependencies"] if d["kind"] == "finish_to_start"]
    assert finish_to_start, "the demo shows the dependency lever"
    for link in finish_to_start:
        assert max(weeks[link["from_project_id"]]) < min(weeks[link["to_project_id"]])
    movable = [p for p in demo["projects"] if p["may_shift_weeks"] != "0"]
    assert movable and all(p["phase"] in ("initiation", "planning") for p in movable)
