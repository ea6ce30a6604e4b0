"""Today: a plan starts at the current ISO week; earlier weeks are history (issue 11, part 1).

The tiny organisation of ``test_tui_support`` has four weeks from Monday
2027-01-04; Ann is booked 50 h (D1 40 h + D2 10 h) against 40 h in the first
two weeks. As of Monday 2027-01-11 the first week is history.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_demo_fixture import easter
from test_tui_support import WEEKS, build_small_db

from pmo_tui.bootstrap import open_database
from pmo_tui.cli import cli
from pmo_tui.domain.horizon import current_date, iso_week_label, monday, window_of
from pmo_tui.errors import UserError
from pmo_tui.planning.inputs import plan_inputs
from pmo_tui.store.readonly import read_connection
from solver import Policy
from solver.prepare import prepare

AS_OF = "2027-01-13"  # a Wednesday in the second week


def _invoke(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], obj={}, catch_exceptions=False)


def _rows_before(db: Path, week: dt.date) -> list[tuple]:
    with read_connection(db) as connection:
        return connection.execute(
            "SELECT person_id, project_id, demand_id, week, hours, kind, pinned FROM allocation "
            "WHERE week < ? ORDER BY person_id, project_id, demand_id, week",
            [week.isoformat()],
        ).fetchall()


def test_a_window_starts_on_the_monday_of_today_and_past_weeks_are_history() -> None:
    window = window_of(dt.date(2027, 1, 13))
    assert (window.first, window.last, window.current_week) == (WEEKS[1], None, WEEKS[1])
    looking_back = window_of(dt.date(2027, 1, 13), start=dt.date(2027, 1, 6))
    assert looking_back.first == WEEKS[0] and looking_back.future().first == WEEKS[1]
    assert iso_week_label(dt.date(2026, 12, 7)) == "2026-W50"
    assert iso_week_label(dt.date(2027, 1, 4)) == "2027-W01"  # ISO year, not calendar year
    assert monday(dt.date(2027, 1, 3)) == dt.date(2026, 12, 28)
    with pytest.raises(ValueError, match="ends"):
        window_of(dt.date(2027, 1, 13), end=dt.date(2027, 1, 1))


def test_today_comes_from_the_environment_or_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_TUI_TODAY", "2027-03-01")
    assert current_date() == dt.date(2027, 3, 1)
    monkeypatch.setenv("PMO_TUI_TODAY", "next tuesday")
    with pytest.raises(UserError, match="PMO_TUI_TODAY is 'next tuesday', not a date"):
        current_date()
    monkeypatch.delenv("PMO_TUI_TODAY")
    assert current_date() == dt.date.today()


def test_plan_and_apply_never_change_a_week_before_today(tmp_path: Path) -> None:
    db = build_small_db(tmp_path / "t.db")
    history = _rows_before(db, WEEKS[1])
    assert len(history) == 5  # ann D1 + D2, ben D2, cat D3, dan's fixed load
    result = _invoke(db, "plan", "--headless", "--format", "json", "--today", AS_OF, "--apply")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert all(move["first_week"] >= "2027-01-11" for move in plan["moves"])
    # Ann's 50 h in the first week is history: only the second week counts
    assert plan["kpis_before"]["over_allocated_person_weeks"] == 1
    assert plan["kpis_after"]["over_allocated_person_weeks"] == 0
    assert _rows_before(db, WEEKS[1]) == history


def test_the_plan_reaches_back_to_no_week_even_with_from_in_the_past(tmp_path: Path) -> None:
    db = build_small_db(tmp_path / "t.db")
    history = _rows_before(db, WEEKS[1])
    result = _invoke(
        db, "plan", "--headless", "--format", "json", "--today", AS_OF, "--from", "2027-01-04"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["kpis_before"]["over_allocated_person_weeks"] == 1
    assert _invoke(db, "plan", "--headless", "--today", AS_OF, "--from", "2027-01-04", "--apply")
    assert _rows_before(db, WEEKS[1]) == history


def test_frozen_weeks_count_from_the_current_week(tmp_path: Path) -> None:
    db = build_small_db(tmp_path / "t.db")
    with read_connection(db) as connection:
        inputs = plan_inputs(connection, window_of(dt.date(2027, 1, 20)).future())
    assert inputs.capacity["week"].min() == WEEKS[2]  # history is not planned
    assert prepare(inputs, Policy(frozen_weeks=1)).frozen_until == WEEKS[3]


def test_capacity_lists_past_over_allocation_as_history(tmp_path: Path) -> None:
    db = build_small_db(tmp_path / "t.db")
    current = _invoke(db, "capacity", "--over-allocated", "--today", AS_OF, "--format", "json")
    assert [(r["person_id"], r["week"]) for r in json.loads(current.stdout)] == [
        ("ann", "2027-01-11")
    ]
    back = _invoke(
        db,
        "capacity",
        "--over-allocated",
        "--today",
        AS_OF,
        "--from",
        "2027-01-01",
        "--format",
        "json",
    )
    rows = [(r["person_id"], r["week"], r["history"]) for r in json.loads(back.stdout)]
    assert rows == [("ann", "2027-01-04", True), ("ann", "2027-01-11", False)]


def test_to_before_from_is_a_clear_mistake(tmp_path: Path) -> None:
    db = build_small_db(tmp_path / "t.db")
    result = _invoke(db, "capacity", "--from", "2027-01-18", "--to", "2027-01-04")
    assert (
        result.exit_code == 2 and "ends (2027-01-04) before it starts (2027-01-18)" in result.output
    )


@pytest.mark.parametrize(
    ("as_of", "holiday"),
    [
        (dt.date(2027, 10, 6), (dt.date(2027, 12, 25), "Christmas Day")),
        # Easter Sunday 2028 is 16 April (the anonymous Gregorian algorithm of test_demo_fixture)
        (dt.date(2028, 2, 29), (easter(2028) - dt.timedelta(days=2), "Good Friday")),
    ],
)
def test_the_demo_is_generated_for_the_current_week(
    tmp_path: Path, as_of: dt.date, holiday: tuple[dt.date, str]
) -> None:
    db = open_database(tmp_path / "demo.db", today=as_of)
    first_week = db.execute("SELECT min(week) FROM demand_week").fetchone()[0]
    assert first_week == monday(as_of).isoformat()
    weeks_later = (monday(as_of) - dt.date(2026, 11, 30)).days // 7
    opened = db.execute("SELECT opened FROM finding WHERE id = 1").fetchone()[0]
    shipped = dt.date(2026, 5, 18)  # finding 1's opened date in the shipped files
    assert opened == (shipped + dt.timedelta(weeks=weeks_later)).isoformat()
    day, name = holiday
    found = db.execute(
        "SELECT name FROM public_holiday WHERE region = 'UK' AND date = ?", [day.isoformat()]
    ).fetchone()
    assert found == (name,)  # the real holidays of the weeks it now covers
    result = _invoke(
        tmp_path / "demo.db",
        "plan",
        "--headless",
        "--format",
        "json",
        "--today",
        as_of.isoformat(),
        "--deterministic-time",
        "0",
    )
    assert result.exit_code == 0, result.output  # the commitments still fit: feasible
    assert json.loads(result.stdout)["status"] in ("FEASIBLE", "OPTIMAL")


def test_the_demo_of_one_week_is_the_same_every_time(tmp_path: Path) -> None:
    def content(path: Path) -> list[tuple]:
        db = open_database(path, today=dt.date(2027, 3, 3))
        return (
            db.execute(
                "SELECT person_id, demand_id, week, hours, kind, pinned FROM allocation ORDER BY 1, 2, 3"
            ).fetchall()
            + db.execute("SELECT * FROM public_holiday ORDER BY 1, 2").fetchall()
        )

    assert content(tmp_path / "a.db") == content(tmp_path / "b.db")


def _over_capacity(path: Path, as_of: dt.date) -> tuple[set[str], int]:
    """The people booked above capacity in some week from ``as_of`` on, and the person-weeks."""
    result = _invoke(
        path, "capacity", "--over-allocated", "--format", "json", "--today", as_of.isoformat()
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    return {row["person_id"] for row in rows}, len(rows)


def test_a_demo_moved_by_weeks_is_planned_for_its_calendar_then_leave_is_booked(
    tmp_path: Path,
) -> None:
    """Moved one week later, Christmas falls in the week the files booked full-time. The
    moved demo is planned again for its real holidays, then the leave booked since the
    last plan is added: a few people are over capacity (not nearly everyone, as when the
    moved holidays were ignored: 111 of 112 people, 517 person-weeks), and the first plan
    moves a plausible number of people (112 of 112 when the shipped plan was kept)."""
    anchor, week_later = dt.date(2026, 11, 30), dt.date(2026, 12, 7)
    open_database(tmp_path / "anchor.db", today=anchor)
    open_database(tmp_path / "later.db", today=week_later)
    people, weeks = _over_capacity(tmp_path / "anchor.db", anchor)
    moved_people, moved_weeks = _over_capacity(tmp_path / "later.db", week_later)
    assert 5 <= len(people) <= 20  # the go-to experts and the overlooked leave
    assert 5 <= len(moved_people) <= 20 and moved_weeks <= weeks
    with sqlite3.connect(tmp_path / "later.db") as connection:
        commands = [c for (c,) in connection.execute("SELECT command FROM change_set ORDER BY id")]
        since = connection.execute(
            "SELECT person_id FROM leave WHERE reason LIKE '%booked since the last plan%'"
        ).fetchall()
    assert commands == [
        "db init (demo organisation)", "plan --apply", "db init (leave booked since the last plan)"
    ]  # fmt: skip
    assert len(since) == 10 and {p for (p,) in since} & moved_people
    planned = _invoke(
        tmp_path / "later.db", "plan", "--headless", "--format", "json",
        "--today", week_later.isoformat(),
    )  # fmt: skip
    moved_by_plan = json.loads(planned.stdout)["kpis_after"]["people_moved"]
    assert 5 <= moved_by_plan <= 45
    christmas = monday(dt.date(2026, 12, 25)).isoformat()
    in_christmas = _invoke(
        tmp_path / "later.db", "capacity", "--format", "json", "--from", christmas,
        "--to", christmas, "--today", week_later.isoformat(),
    )  # fmt: skip
    over = [row for row in json.loads(in_christmas.stdout) if row["over_hours"] > 0]
    assert {row["person_id"] for row in over} <= people


def test_work_that_is_all_history_is_said_not_shown_as_nothing(tmp_path: Path) -> None:
    """Project files of past years (the real samples are of 2003-2024) imported today: the
    listing and the plan find nothing from the current week on, and say where it all is."""
    db = build_small_db(tmp_path / "t.db")
    first, last = WEEKS[0].isoformat(), WEEKS[-1].isoformat()
    note = (
        f"note: all the demand and bookings are history, from {first} to {last} "
        "(before the current week, 2028-01-03): `--from 2027-01-04` lists them"
    )
    later = _invoke(db, "capacity", "--over-allocated", "--today", "2028-01-05")
    assert later.exit_code == 0 and "(none)" in later.stdout and note in later.stderr
    plan = _invoke(db, "plan", "--headless", "--today", "2028-01-05", "--deterministic-time", "0")
    assert plan.exit_code == 0 and note in plan.stderr
    current = _invoke(db, "capacity", "--over-allocated", "--today", AS_OF)
    assert current.exit_code == 0 and "history" not in current.stderr
    listed = _invoke(db, "capacity", "--today", "2028-01-05", "--from", first)
    assert "note:" not in listed.stderr and "2027-01-04" in listed.stdout
