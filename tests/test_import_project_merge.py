"""Project files merged into one store (issue 16): calendars, the same plan twice, daily peaks.

The files are MS Project XML written by hand here (``project_file_support``); every
expected figure is worked out by hand from them, as the docstrings say.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from project_file_support import (
    Calendar,
    assignment,
    capacity_json,
    empty_db,
    mspdi,
    resource,
    run_cli,
    skip_without_java,
    task,
    write,
)

skip_without_java()

pytestmark = pytest.mark.java


@pytest.fixture(autouse=True)
def _as_of_before_these_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """These files plan 2006 and 2024: run as of 2000, so none of their weeks is history."""
    monkeypatch.setenv("PMO_TUI_TODAY", "2000-01-03")


SIX_HOURS_ON_MONDAY = Calendar(
    1, "Six", {2: (("08:00:00", "14:00:00"),)} | {d: () for d in (1, 3, 4, 5, 6, 7)}
)
STANDARD = Calendar(
    1,
    "Standard",
    {1: (), 7: ()} | {d: (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")) for d in range(2, 7)},
)


def _plan(title: str, calendar: Calendar, saved: str, hours: int) -> str:
    """Pat (pat@example.com) on one task of the week of 2024-01-08, on ``calendar``."""
    return mspdi(
        title=title,
        calendars=[calendar],
        properties=f"<LastSaved>{saved}</LastSaved>",
        resources=[resource(1, "Pat", extra="<EmailAddress>pat@example.com</EmailAddress>")],
        tasks=[task(1, title, "2024-01-08T08:00:00", "2024-01-08T14:00:00", 6)],
        assignments=[assignment(1, 1, 1, "2024-01-08T08:00:00", "2024-01-08T14:00:00", hours)],
    )


@pytest.fixture()
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    """alpha.xml: Pat works 6 h on Mondays (saved 2024-03-01); beta.xml: 8 h Mon-Fri, 40 h
    a week (saved 2024-02-01). The same person by e-mail."""
    alpha = write(
        tmp_path, "alpha.xml", _plan("Alpha", SIX_HOURS_ON_MONDAY, "2024-03-01T10:00:00", 6)
    )
    beta = write(tmp_path, "beta.xml", _plan("Beta", STANDARD, "2024-02-01T10:00:00", 6))
    return alpha, beta


def _pattern(db: Path) -> tuple[float, ...]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT mon, tue, wed, thu, fri, sat, sun FROM person").fetchone()


def _import_in_order(tmp_path: Path, name: str, files: list[Path], *options: str):
    db = empty_db(tmp_path, name)
    outputs = []
    for path in files:
        result = run_cli(db, "import", "project", path, *options)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    return db, "".join(outputs)


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ((), (8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0)),  # larger: beta's 40 h beats alpha's 6 h
        (("--calendar-rule", "recent"), (6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),  # alpha saved last
    ],
)
def test_a_person_in_two_files_gets_the_same_calendar_in_any_order(
    tmp_path: Path, two_files, options, kept
) -> None:
    alpha, beta = two_files
    first, out_first = _import_in_order(tmp_path, "ab.db", [alpha, beta], *options)
    second, out_second = _import_in_order(tmp_path, "ba.db", [beta, alpha], *options)
    assert _pattern(first) == _pattern(second) == kept
    # The week of 2024-01-08: 6 h (alpha) + 6 h (beta) booked, capacity 40 h or 6 h.
    assert capacity_json(first) == capacity_json(second)
    expected_capacity = sum(kept)
    assert [(r["capacity_hours"], r["allocated_hours"]) for r in capacity_json(first)] == [
        (expected_capacity, 12.0)
    ]
    for output in (out_first, out_second):
        conflict = next(
            line for line in output.splitlines() if line.startswith("calendar conflict:")
        )
        assert "alpha.xml: Mon 6 (6 h/week)" in conflict
        assert "beta.xml: Mon 8, Tue 8, Wed 8, Thu 8, Fri 8 (40 h/week)" in conflict
        winner = "beta.xml" if not options else "alpha.xml"
        assert f"kept {winner}'s" in conflict


def test_calendar_from_a_file_wins_and_one_import_of_both_is_the_same(
    tmp_path: Path, two_files
) -> None:
    alpha, beta = two_files
    db, _ = _import_in_order(tmp_path, "both.db", [beta])
    chosen = run_cli(db, "import", "project", alpha, "--calendar-from", alpha)
    assert chosen.exit_code == 0, chosen.output
    assert _pattern(db) == (6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert "(--calendar-from alpha.xml)" in chosen.stdout
    together = empty_db(tmp_path, "together.db")
    result = run_cli(together, "import", "project", alpha, beta)
    assert result.exit_code == 0, result.output
    assert _pattern(together) == (8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0)
    unknown = run_cli(together, "import", "project", alpha, "--calendar-from", "gamma.xml")
    assert unknown.exit_code == 2 and "--calendar-from" in unknown.output


def test_the_pools_own_calendar_wins_over_a_project_file(tmp_path: Path, two_files) -> None:
    """Pat comes from people.csv at 4 h a day Mon-Thu (16 h); beta.xml (40 h) does not change it."""
    _, beta = two_files
    db = empty_db(tmp_path)
    (tmp_path / "csv").mkdir()
    write(
        tmp_path / "csv",
        "people.csv",
        "id,name,email,region,mon,tue,wed,thu,fri,sat,sun\npat,Pat,pat@example.com,UK,4,4,4,4,0,0,0\n",
    )
    assert run_cli(db, "import", "csv", tmp_path / "csv").exit_code == 0
    result = run_cli(db, "import", "project", beta)
    assert result.exit_code == 0, result.output
    assert _pattern(db) == (4.0, 4.0, 4.0, 4.0, 0.0, 0.0, 0.0)
    assert (
        "calendar conflict: Pat: calendars differ - the pool's own (from CSV); beta.xml: Mon 8, "
        "Tue 8, Wed 8, Thu 8, Fri 8 (40 h/week); kept the pool's own (a calendar from CSV wins "
        "over project files)"
    ) in result.stdout


def test_the_same_plan_under_another_name_asks_replace_or_as_new(tmp_path: Path, two_files) -> None:
    alpha, _ = two_files
    copy = write(tmp_path, "alpha (final).xml", alpha.read_text(encoding="utf-8"))
    db = empty_db(tmp_path)
    assert run_cli(db, "import", "project", alpha).exit_code == 0
    refused = run_cli(db, "import", "project", copy)
    assert refused.exit_code == 2
    assert "already in the database as project 'alpha'" in refused.output
    assert "--replace" in refused.output and "--as-new" in refused.output
    assert capacity_json(db)[0]["allocated_hours"] == 6.0  # nothing was written
    with sqlite3.connect(db) as conn:  # what the PMO set since: a file does not undo it
        conn.execute("UPDATE project SET phase = 'planning', priority = 1, rag = 'red'")
    replaced = run_cli(db, "import", "project", copy, "--replace")
    assert replaced.exit_code == 0, replaced.output
    with sqlite3.connect(db) as conn:
        projects = conn.execute(
            "SELECT id, source_file, phase, priority, rag, portfolio_id FROM project"
        ).fetchall()
    assert projects == [("alpha", "alpha (final).xml", "planning", 1, "red", "IMPORTED")]
    assert capacity_json(db)[0]["allocated_hours"] == 6.0  # not doubled
    as_new = run_cli(db, "import", "project", alpha, "--as-new")
    assert as_new.exit_code == 0, as_new.output
    assert "imported as a new project 'alpha-2' (--as-new)" in as_new.output
    assert capacity_json(db)[0]["allocated_hours"] == 12.0


def test_the_same_guid_is_the_same_plan(tmp_path: Path) -> None:
    guid = "<GUID>2B3C1A52-7E1D-4C8F-9F0A-5B6C7D8E9F01</GUID>"
    first = write(
        tmp_path,
        "one.xml",
        _plan("One", STANDARD, "2024-02-01T10:00:00", 6).replace(
            "<SaveVersion>", guid + "<SaveVersion>"
        ),
    )
    edited = write(
        tmp_path,
        "two.xml",
        _plan("Two", STANDARD, "2024-02-02T10:00:00", 4).replace(
            "<SaveVersion>", guid + "<SaveVersion>"
        ),
    )
    db = empty_db(tmp_path)
    assert run_cli(db, "import", "project", first).exit_code == 0
    refused = run_cli(db, "import", "project", edited)
    assert refused.exit_code == 2
    assert "the same plan identifier" in refused.output


# --------------------------------------------------------------------------- daily peaks


def _peaky_plan() -> str:
    """Ann: task A (100 %, 24 h) and task B (50 %, 12 h) Mon 01-08 .. Wed 01-10: 8 + 4 = 12 h
    a day on three days (150 %), 36 h in the week (90 %). Bob: task C on Friday 01-12 at
    430 % (34.4 h): 430 % that day, 86 % of his 40 h week."""
    return mspdi(
        resources=[resource(1, "Ann"), resource(2, "Bob")],
        tasks=[
            task(1, "A", "2024-01-08T08:00:00", "2024-01-10T17:00:00", 24),
            task(2, "B", "2024-01-08T08:00:00", "2024-01-10T17:00:00", 24),
            task(3, "C", "2024-01-12T08:00:00", "2024-01-12T17:00:00", 8),
        ],
        assignments=[
            assignment(1, 1, 1, "2024-01-08T08:00:00", "2024-01-10T17:00:00", 24),
            assignment(2, 2, 1, "2024-01-08T08:00:00", "2024-01-10T17:00:00", 12, 0.5),
            assignment(3, 3, 2, "2024-01-12T08:00:00", "2024-01-12T17:00:00", 34.4, 4.3),
        ],
    )


def test_daily_peaks_show_what_the_week_hides(tmp_path: Path) -> None:
    db = empty_db(tmp_path)
    result = run_cli(db, "import", "project", write(tmp_path, "peaks.xml", _peaky_plan()))
    assert result.exit_code == 0, result.output
    assert capacity_json(db, "--over-allocated") == []  # 90 % and 86 %: no week over
    rows = capacity_json(db, "--over-allocated", "--daily")
    assert [
        (
            r["person_id"],
            r["week"],
            r["utilisation_pct"],
            r["peak_date"],
            r["peak_load_hours"],
            r["peak_capacity_hours"],
            r["peak_over_hours"],
        )
        for r in rows
    ] == [
        ("ann", "2024-01-08", 90.0, "2024-01-08", 12.0, 8.0, 4.0),
        ("bob", "2024-01-08", 86.0, "2024-01-12", 34.4, 8.0, 26.4),
    ]


def test_capacity_shows_people_without_bookings(tmp_path: Path) -> None:
    """A plan with people and no assignments: Ann is on leave Wed 2024-01-10 .. Fri 01-12
    (an exception of her own calendar), so 16 h of 40 in that week; the plan runs to 01-19."""
    own = Calendar(
        2, "Ann's", base_uid=1, exceptions=[("Leave", "2024-01-10T00:00:00", "2024-01-12T23:59:00")]
    )
    text = mspdi(
        calendars=[STANDARD, own],
        properties="<StartDate>2024-01-08T08:00:00</StartDate><FinishDate>2024-01-19T17:00:00</FinishDate>",
        resources=[resource(1, "Ann", calendar=2)],
        tasks=[task(1, "Plan", "2024-01-08T08:00:00", "2024-01-19T17:00:00", 80)],
    )
    db = empty_db(tmp_path)
    assert run_cli(db, "import", "project", write(tmp_path, "leave.xml", text)).exit_code == 0
    rows = capacity_json(db)
    assert [
        (r["person_id"], r["week"], r["capacity_hours"], r["allocated_hours"]) for r in rows
    ] == [
        ("ann", "2024-01-08", 16.0, 0.0),
        ("ann", "2024-01-15", 40.0, 0.0),
    ]
