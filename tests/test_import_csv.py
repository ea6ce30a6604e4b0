"""Tests of the CSV importer: conversion, expansion to weeks, and the place of every error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pmo_tui.errors import UserError
from pmo_tui.importers.bundle import BUNDLE_SCHEMAS
from pmo_tui.importers.csv_files import KNOWN_FILES, read_csv_bundle

D = dt.date

PEOPLE_HEADER = "id,name,region,mon,tue,wed,thu,fri,sat,sun\n"
ALLOC_HEADER = "person_id,project_id,demand_id,start_week,end_week,hours_per_week,kind,pinned\n"
DEMAND_HEADER = "id,project_id,skill_id,min_level,start_week,end_week,hours_per_week,description\n"
PROJECT_HEADER = "id,name,program_id,portfolio_id,phase,priority,start,finish,budget,rag\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(*paths: Path) -> UserError:
    with pytest.raises(UserError) as info:
        read_csv_bundle(list(paths))
    err = info.value
    assert err.fix, "every error tells the user what to do"
    return err


# --------------------------------------------------------------------------- happy paths


def test_demand_expands_to_one_row_per_monday(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "demands.csv",
        DEMAND_HEADER + "D1,P1,python,3,2027-01-04,2027-01-18,10,Backend build\n",
    )
    bundle = read_csv_bundle([path])

    assert bundle.demand.to_dicts() == [
        {
            "id": "D1",
            "project_id": "P1",
            "skill_id": "python",
            "min_level": 3,
            "description": "Backend build",
        }
    ]
    assert bundle.demand_week.schema == pl.Schema(BUNDLE_SCHEMAS["demand_week"])
    assert bundle.demand_week.to_dicts() == [
        {"demand_id": "D1", "week": D(2027, 1, 4), "hours": 10.0},
        {"demand_id": "D1", "week": D(2027, 1, 11), "hours": 10.0},
        {"demand_id": "D1", "week": D(2027, 1, 18), "hours": 10.0},
    ]
    assert bundle.notes == ["demands.csv: 1 row"]
    assert bundle.source == str(path)


def test_allocations_parse_pinned_kind_and_empty_demand(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "allocations.csv",
        ALLOC_HEADER
        + "alice,P1,D1,2027-01-04,2027-01-11,8,HARD,yes\n"
        + "bob,P1,D1,2027-01-04,2027-01-04,4,soft,no\n"
        + "carol,P1,,2027-01-04,2027-01-04,2.5,,\n"
        + "dave,P1,D1,2027-01-04,2027-01-04,1,,TRUE\n"
        + "erin,P1,D1,2027-01-04,2027-01-04,1,,0\n"
        + "fred,P1,D1,2027-01-04,2027-01-04,1,,1\n"
        + "gina,P1,D1,2027-01-04,2027-01-04,1,, false \n",
    )
    alloc = read_csv_bundle([path]).allocation

    assert alloc.schema == pl.Schema(BUNDLE_SCHEMAS["allocation"])
    rows = {(r["person_id"], r["week"]): r for r in alloc.to_dicts()}
    assert len(alloc) == 8
    assert rows[("alice", D(2027, 1, 4))]["pinned"] is True
    assert rows[("alice", D(2027, 1, 11))]["kind"] == "hard"
    assert rows[("alice", D(2027, 1, 11))]["hours"] == 8.0
    assert rows[("bob", D(2027, 1, 4))]["pinned"] is False
    carol = rows[("carol", D(2027, 1, 4))]
    assert carol["demand_id"] is None
    assert carol["kind"] == "soft"
    assert carol["pinned"] is False
    assert carol["hours"] == 2.5
    assert [rows[(p, D(2027, 1, 4))]["pinned"] for p in ("dave", "erin", "fred", "gina")] == [
        True,
        False,
        True,
        False,
    ]


def test_folder_with_every_file_gives_bundle_dtypes(tmp_path: Path) -> None:
    files = {
        "portfolios.csv": "id,name,manager\nPF1,Digital,\n",
        "programs.csv": "id,name,portfolio_id,manager\nPG1,Web,PF1,Ann\n",
        "skills.csv": "id,name,description\npython,Python,\n",
        "holidays.csv": "region,date,name\nUK,2027-01-01,New Year\n",
        "people.csv": "id,name,email,role,unit,region,cost_rate,max_concurrent_projects,"
        "mon,tue,wed,thu,fri,sat,sun\n"
        "alice,Alice,a@x.org,Dev,IT,UK,55.5,3,8,8,8,0,0,0,0\n",
        "person_skills.csv": "person_id,skill_id,level,valid_until\nalice,python,4,2027-06-30\n",
        "leave.csv": "person_id,start,end,hours_per_day,reason\nalice,2027-02-01,2027-02-05,,ski\n",
        "availability.csv": "person_id,start,end,percent\nalice,2027-03-01,,50\n",
        "projects.csv": PROJECT_HEADER
        + "P1,Site,PG1,,Execution,2,2027-01-04,2027-06-30,1000,Amber\n",
        "dependencies.csv": "from_project_id,to_project_id,kind,lag_weeks,due,description\n"
        "P0,P1,finish_to_start,1,2027-01-04,API first\n",
        "demands.csv": DEMAND_HEADER + "D1,P1,python,2,2027-01-04,2027-01-11,6,\n",
        "allocations.csv": ALLOC_HEADER + "alice,P1,D1,2027-01-04,2027-01-04,6,,\n",
        "readme.csv": "not,a,known,file\n",
    }
    for name, text in files.items():
        write(tmp_path, name, text)

    bundle = read_csv_bundle([tmp_path])

    for name, frame in bundle.parts():
        assert frame.schema == pl.Schema(BUNDLE_SCHEMAS[name]), name
        assert frame.height >= 1, name
    assert bundle.people.row(0, named=True)["cost_rate"] == 55.5
    assert bundle.person_skills["valid_until"].to_list() == [D(2027, 6, 30)]
    assert bundle.dependencies.row(0) == (
        "P0",
        "P1",
        "finish_to_start",
        1,
        D(2027, 1, 4),
        "API first",
        None,
    )

    assert bundle.people.row(0, named=True)["max_concurrent_projects"] == 3
    assert bundle.people.row(0, named=True)["thu"] == 0.0
    assert bundle.projects.row(0, named=True)["phase"] == "execution"
    assert bundle.projects.row(0, named=True)["rag"] == "amber"
    assert bundle.projects.row(0, named=True)["finish"] == D(2027, 6, 30)
    assert bundle.leave.row(0, named=True)["hours_per_day"] is None
    assert bundle.availability.row(0, named=True)["end"] is None
    assert bundle.availability.row(0, named=True)["percent"] == 50.0
    assert bundle.holidays.row(0, named=True)["date"] == D(2027, 1, 1)
    # one note per file read, in load order, plus one for the skipped file
    assert [n for n in bundle.notes if "skipped" not in n] == [
        f"{stem}.csv: 1 row" for stem in KNOWN_FILES
    ]
    assert any("readme.csv" in n and "skipped" in n for n in bundle.notes)
    assert bundle.source == str(tmp_path)
    if hasattr(bundle, "origins"):
        assert bundle.origins["demand_week"] == str(tmp_path / "demands.csv")


def test_a_project_that_depends_on_itself_is_refused_with_row_and_fix(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dependencies.csv",
        "from_project_id,to_project_id\nP1,P2\nP3,P3\n",
    )
    with pytest.raises(UserError) as caught:
        read_csv_bundle([path])
    error = caught.value
    assert (error.row, error.column) == (3, "to_project_id")
    assert "cannot depend on itself" in error.render() and "from_project_id" in error.fix


def test_header_is_trimmed_case_insensitive_and_extra_columns_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "skills.csv",
        "\ufeff ID , Name ,colour\n python , Python ,blue\n\n,,\n",
    )
    bundle = read_csv_bundle([path])
    assert bundle.skills.to_dicts() == [{"id": "python", "name": "Python", "description": None}]
    assert bundle.notes == [
        "skills.csv: 1 row",
        "skills.csv: column 'colour' is not one pmo-tui reads, ignored",
    ]


def test_a_misspelt_column_is_named_with_the_closest_known_one(tmp_path: Path) -> None:
    path = write(tmp_path, "skills.csv", "id,name,descripton\npython,Python,snake\n")
    assert read_csv_bundle([path]).notes[-1] == (
        "skills.csv: column 'descripton' is not one pmo-tui reads, ignored; "
        "did you mean 'description'?"
    )


def test_known_files_lists_required_and_optional_columns() -> None:
    assert set(KNOWN_FILES) == {
        "portfolios", "programs", "skills", "holidays", "people", "person_skills",
        "leave", "availability", "projects", "dependencies", "demands", "allocations",
    }  # fmt: skip
    assert KNOWN_FILES["demands"].required == (
        "id", "project_id", "skill_id", "min_level", "start_week", "end_week", "hours_per_week",
    )  # fmt: skip
    assert KNOWN_FILES["demands"].optional == ("description",)
    required, optional = KNOWN_FILES["allocations"]
    assert "demand_id" in optional and "pinned" in optional and "person_id" in required


# --------------------------------------------------------------------------- errors


def test_negative_hours(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "allocations.csv",
        ALLOC_HEADER
        + "alice,P1,D1,2027-01-04,2027-01-04,8,,\n"
        + "bob,P1,D1,2027-01-04,2027-01-04,-5,,\n",
    )
    err = error_of(path)
    assert (err.file, err.row, err.column) == (str(path), 3, "hours_per_week")
    assert "negative hours" in err.message
    assert "-5" in err.message


def test_weekday_hours_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", PEOPLE_HEADER + "alice,Alice,UK,8,8,8,25,8,0,0\n")
    err = error_of(path)
    assert (err.row, err.column) == (2, "thu")
    assert "25" in err.message


def test_bad_date(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "holidays.csv",
        "region,date,name\nUK,2027-01-01,New Year\nUK,25/12/2027,Christmas\n",
    )
    err = error_of(path)
    assert (err.file, err.row, err.column) == (str(path), 3, "date")
    assert "25/12/2027" in err.message
    assert "YYYY-MM-DD" in err.fix


def test_impossible_date(tmp_path: Path) -> None:
    path = write(tmp_path, "leave.csv", "person_id,start,end\nalice,2027-02-30,2027-03-01\n")
    err = error_of(path)
    assert (err.row, err.column) == (2, "start")


def test_week_not_a_monday(tmp_path: Path) -> None:
    path = write(
        tmp_path, "demands.csv", DEMAND_HEADER + "D1,P1,python,3,2027-01-06,2027-01-18,10,\n"
    )
    err = error_of(path)
    assert (err.file, err.row, err.column) == (str(path), 2, "start_week")
    assert "Wednesday" in err.message
    assert err.fix == "use the Monday of that ISO week, 2027-01-04"


def test_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", "id,name,mon,tue,wed,thu,fri,sat,sun\n")
    err = error_of(path)
    assert (err.file, err.row, err.column) == (str(path), 1, "region")
    assert err.fix == "add a header column 'region'"


def test_unknown_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "staff.csv", "id,name\n")
    err = error_of(path)
    assert err.file == str(path)
    assert err.row is None and err.column is None
    assert "staff.csv" in err.message
    for stem in KNOWN_FILES:
        assert f"{stem}.csv" in err.fix


def test_missing_path(tmp_path: Path) -> None:
    err = error_of(tmp_path / "nope")
    assert err.file == str(tmp_path / "nope")


@pytest.mark.parametrize(
    ("column", "value", "choices"),
    [("rag", "purple", "green, amber, red"), ("phase", "done", "initiation")],
)
def test_bad_enum(tmp_path: Path, column: str, value: str, choices: str) -> None:
    fields = {
        "id": "P1", "name": "Site", "program_id": "PG1", "portfolio_id": "", "phase": "planning",
        "priority": "1", "start": "2027-01-04", "finish": "2027-02-01", "budget": "", "rag": "red",
    }  # fmt: skip
    fields[column] = value
    path = write(tmp_path, "projects.csv", PROJECT_HEADER + ",".join(fields.values()) + "\n")
    err = error_of(path)
    assert (err.file, err.row, err.column) == (str(path), 2, column)
    assert value in err.message
    assert choices in err.fix


def test_bad_kind_and_pinned(tmp_path: Path) -> None:
    row = "a,P1,,2027-01-04,2027-01-04,1,"
    err = error_of(write(tmp_path, "allocations.csv", ALLOC_HEADER + row + "firm,\n"))
    assert (err.row, err.column) == (2, "kind")
    err = error_of(write(tmp_path, "allocations.csv", ALLOC_HEADER + row + ",maybe\n"))
    assert (err.row, err.column) == (2, "pinned")


@pytest.mark.parametrize(
    ("level", "fragment"), [("0", "out of range"), ("6", "out of range"), ("3.5", "whole")]
)
def test_bad_level(tmp_path: Path, level: str, fragment: str) -> None:
    path = write(tmp_path, "person_skills.csv", f"person_id,skill_id,level\nalice,python,{level}\n")
    err = error_of(path)
    assert (err.row, err.column) == (2, "level")
    assert fragment in err.message


def test_not_a_number(tmp_path: Path) -> None:
    text = "person_id,start,end,percent\nalice,2027-01-04,,5O\n"
    path = write(tmp_path, "availability.csv", text)
    err = error_of(path)
    assert (err.row, err.column) == (2, "percent")
    assert "'5O'" in err.message


def test_required_value_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "skills.csv", "id,name\npython,Python\njava,  \n")
    err = error_of(path)
    assert (err.row, err.column) == (3, "name")


def test_duplicate_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people.csv",
        PEOPLE_HEADER
        + "alice,Alice,UK,8,8,8,8,8,0,0\n"
        + "bob,Bob,UK,8,8,8,8,8,0,0\n"
        + "alice,Alice B,UK,8,8,8,8,8,0,0\n",
    )
    err = error_of(path)
    assert (err.file, err.row, err.column) == (str(path), 4, "id")
    assert "'alice'" in err.message and "row 2" in err.message


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "skills.csv", "id,name\npython,Python\n")
    second = write(tmp_path / "b", "skills.csv", "id,name\njava,Java\npython,Py\n")
    err = error_of(first, second)
    assert (err.file, err.row, err.column) == (str(second), 3, "id")
    assert str(first) in err.message


def test_duplicate_composite_key(tmp_path: Path) -> None:
    path = write(
        tmp_path, "person_skills.csv", "person_id,skill_id,level\nal,py,3\nal,go,2\nal,py,4\n"
    )
    err = error_of(path)
    assert (err.row, err.column) == (4, "skill_id")


def test_overlapping_allocations(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "allocations.csv",
        ALLOC_HEADER
        + "alice,P1,,2027-01-04,2027-01-18,8,,\n"
        + "alice,P1,D1,2027-01-11,2027-01-11,8,,\n"
        + "alice,P1,,2027-01-18,2027-01-25,8,,\n",
    )
    err = error_of(path)
    assert (err.row, err.column) == (4, "start_week")
    assert "2027-01-18" in err.message and "row 2" in err.message


def test_a_soft_booking_may_top_up_a_hard_or_pinned_one(tmp_path: Path) -> None:
    """A plan adds soft hours beside a hard or pinned booking on the same demand and week
    (the store holds both rows); an exported plan must import again."""
    path = write(
        tmp_path,
        "allocations.csv",
        ALLOC_HEADER
        + "alice,P1,D1,2027-01-04,2027-01-11,20,hard,false\n"
        + "alice,P1,D1,2027-01-11,2027-01-18,6,soft,false\n"
        + "alice,P1,D1,2027-01-11,2027-01-11,4,soft,true\n",
    )
    rows = read_csv_bundle([path]).allocation.sort("week", "kind", "pinned")
    assert rows.select("week", "hours", "kind", "pinned").rows() == [
        (dt.date(2027, 1, 4), 20.0, "hard", False),
        (dt.date(2027, 1, 11), 20.0, "hard", False),
        (dt.date(2027, 1, 11), 6.0, "soft", False),
        (dt.date(2027, 1, 11), 4.0, "soft", True),
        (dt.date(2027, 1, 18), 6.0, "soft", False),
    ]
    again = write(
        tmp_path,
        "allocations.csv",
        ALLOC_HEADER
        + "alice,P1,D1,2027-01-04,2027-01-11,20,hard,false\n"
        + "alice,P1,D1,2027-01-11,2027-01-11,6,hard,false\n",
    )
    err = error_of(again)  # the same kind twice in one week is still a mistake
    assert (err.row, err.column) == (3, "start_week")


@pytest.mark.parametrize(
    ("name", "text", "column"),
    [
        ("leave.csv", "person_id,start,end\nalice,2027-02-05,2027-02-01\n", "end"),
        ("availability.csv", "person_id,start,end,percent\nal,2027-02-05,2027-02-01,50\n", "end"),
        ("demands.csv", DEMAND_HEADER + "D1,P1,py,1,2027-01-18,2027-01-04,10,\n", "end_week"),
        ("allocations.csv", ALLOC_HEADER + "al,P1,,2027-01-18,2027-01-04,10,,\n", "end_week"),
        (
            "projects.csv",
            PROJECT_HEADER + "P1,Site,PG1,,planning,1,2027-03-01,2027-02-01,,red\n",
            "finish",
        ),
    ],
)
def test_end_before_start(tmp_path: Path, name: str, text: str, column: str) -> None:
    path = write(tmp_path, name, text)
    err = error_of(path)
    assert (err.file, err.row, err.column) == (str(path), 2, column)
    assert "before" in err.message


def test_week_range_typo_in_year(tmp_path: Path) -> None:
    path = write(tmp_path, "demands.csv", DEMAND_HEADER + "D1,P1,py,1,2027-01-04,2207-01-05,1,\n")
    err = error_of(path)
    assert (err.row, err.column) == (2, "end_week")


def test_project_needs_program_or_portfolio(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "projects.csv",
        PROJECT_HEADER + "P1,Site,,,planning,1,2027-01-04,2027-02-01,,red\n",
    )
    err = error_of(path)
    assert (err.row, err.column) == (2, "portfolio_id")


def test_row_is_the_line_in_the_file(tmp_path: Path) -> None:
    # line 3 is blank, the quoted description spans lines 4-5, the bad row is on line 6
    path = write(
        tmp_path,
        "demands.csv",
        DEMAND_HEADER
        + "D1,P1,py,1,2027-01-04,2027-01-04,1,\n"
        + "\n"
        + 'D2,P1,py,1,2027-01-04,2027-01-04,1,"two\nlines"\n'
        + "D3,P1,py,1,2027-01-04,2027-01-04,-1,\n",
    )
    err = error_of(path)
    assert (err.row, err.column) == (6, "hours_per_week")


def test_row_with_too_many_values(tmp_path: Path) -> None:
    path = write(tmp_path, "skills.csv", "id,name\npython,Python\njava,Java,extra\n")
    err = error_of(path)
    assert (err.file, err.row) == (str(path), 3)


def test_duplicate_header_column(tmp_path: Path) -> None:
    path = write(tmp_path, "skills.csv", "id,name,Name\npython,Python,Py\n")
    err = error_of(path)
    assert (err.row, err.column) == (1, "name")


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "skills.csv", "")
    err = error_of(path)
    assert (err.file, err.row) == (str(path), 1)


def test_a_semicolon_file_is_read_and_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "skills.csv", "id;name\npython;Python, the language\n")
    bundle = read_csv_bundle([path])
    assert bundle.skills.rows() == [("python", "Python, the language", None)]
    assert f"{path}: read with ';' as the separator (pass --separator to choose)" in bundle.notes


def test_a_semicolon_file_with_an_extra_value_gets_no_comma_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "skills.csv", "id;name\npython;Python;extra\n")
    err = error_of(path)
    assert err.row == 2 and "comma" not in err.render() and "';'" in err.fix


def test_an_iso_8859_1_file_is_read_with_a_note_or_as_told(tmp_path: Path) -> None:
    path = tmp_path / "skills.csv"
    path.write_bytes("id;name\nfr;Français\n".encode("iso-8859-1"))
    bundle = read_csv_bundle([path])
    assert bundle.skills["name"].to_list() == ["Français"]
    assert any("not UTF-8: read as ISO-8859-1" in note for note in bundle.notes)
    told = read_csv_bundle([path], separator=";", encoding="iso-8859-1")
    assert told.skills["name"].to_list() == ["Français"] and not any(
        "UTF-8" in n for n in told.notes
    )


def test_a_file_reports_all_its_errors_and_a_misspelt_header(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people.csv",
        "id,name,regoin,mon,tue,wed,thu,fri,sat,sun\na,A,UK,8,8,8,8,8,0,0\n",
    )
    err = error_of(path)
    assert "'regoin': rename it to 'region'" in err.fix
    values = write(
        tmp_path,
        "skills.csv",
        "id,name\n" + "".join(f"s{n},{'x' * 10_001 if n % 2 else 'ok'}\n" for n in range(50)),
    )
    many = error_of(values)
    text = many.render()
    assert text.startswith("25 problems (the first 20 shown):")
    assert "row 3, column 'name': the value has 10001 characters, more than 10000" in text


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "p,P,PF,,,,execution,1,1900-01-01,2027-01-01,,,green",
            "1900-01-01 is outside the years 2000-2100",
        ),
        (
            "p,P,PF,,,,execution,1,2027-01-01,9999-12-31,,,green",
            "9999-12-31 is outside the years 2000-2100",
        ),
        (
            "p,P,PF,,,,execution,1,2027-01-01,2027-02-01,1e308,,green",
            "1e308 is out of range: budget must be from 0 to 1e+12",
        ),
        (
            "p,P,PF,,,,execution,1e308,2027-01-01,2027-02-01,,,green",
            "1e308 is out of range: priority must be from 1 to 5",
        ),
    ],
)
def test_absurd_values_are_refused_with_their_range(tmp_path: Path, row: str, message: str) -> None:
    header = "id,name,portfolio_id,program_id,manager,sponsor,phase,priority,start,finish,budget,actual_cost,rag"
    path = write(tmp_path, "projects.csv", f"{header}\n{row}\n")
    assert message in error_of(path).render()


def test_pinned_and_hard_bookings_above_capacity_are_warned_at_import(tmp_path: Path) -> None:
    from scenario_support import build_scenario_db, invoke

    db = build_scenario_db(tmp_path)
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "allocations.csv").write_text(
        "person_id,project_id,demand_id,start_week,end_week,hours_per_week,kind,pinned\n"
        "ann,P2,D3,2027-01-18,2027-01-18,20,hard,false\n"
        "ann,P1,D1,2027-01-18,2027-01-18,32,soft,true\n"
    )
    result = invoke(db, "import", "csv", str(folder))
    assert result.exit_code == 0, result.output
    assert (
        "warning: pinned and hard bookings above capacity in 1 person-weeks "
        "(no plan can move them): ann 2027-W03 (52 h of 40 h)"
    ) in result.output


def test_every_unknown_id_is_reported_with_did_you_mean_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    from scenario_support import build_scenario_db, invoke
    from store_support import content

    db = build_scenario_db(tmp_path)
    before = content(db, history=True)
    folder = tmp_path / "more"
    folder.mkdir()
    allocations = folder / "allocations.csv"
    allocations.write_text(
        "person_id,project_id,demand_id,start_week,end_week,hours_per_week,kind,pinned\n"
        "anne,P1,D1,2027-01-18,2027-01-18,4,soft,false\n"
        "ben,P11,,2027-01-18,2027-01-18,4,soft,false\n"
        "cat,P2,D22,2027-01-18,2027-01-18,4,soft,false\n"
        "bob,P2,,2027-01-25,2027-01-25,4,soft,false\n"
    )
    result = invoke(db, "import", "csv", str(folder))
    assert result.exit_code == 2
    lines = [line.strip() for line in result.output.splitlines()]
    assert lines[0] == "Error: 4 problems:"
    assert lines[1].startswith(
        f"{allocations}, row 2, column 'person_id': unknown person 'anne'. Fix: did you mean 'ann'?"
    )
    assert lines[2].startswith(f"{allocations}, row 5, column 'person_id': unknown person 'bob'.")
    assert "did you mean" not in lines[2]
    assert lines[3].startswith(
        f"{allocations}, row 3, column 'project_id': unknown project 'P11'. Fix: did you mean 'P1'?"
    )
    assert lines[4].startswith(
        f"{allocations}, row 4, column 'demand_id': unknown demand 'D22'. Fix: did you mean 'D2'?"
    )
    assert content(db, history=True) == before


def test_every_demand_booked_on_another_project_is_reported(tmp_path: Path) -> None:
    from scenario_support import build_scenario_db, invoke

    db = build_scenario_db(tmp_path)
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "allocations.csv").write_text(
        "person_id,project_id,demand_id,start_week,end_week,hours_per_week,kind,pinned\n"
        "ann,P2,D1,2027-01-18,2027-01-18,4,soft,false\n"
        "ben,P1,D3,2027-01-18,2027-01-18,4,soft,false\n"
    )
    result = invoke(db, "import", "csv", str(folder))
    assert result.exit_code == 2
    assert "2 problems:" in result.output
    assert (
        "row 2, column 'project_id': demand 'D1' belongs to project 'P1', not 'P2'" in result.output
    )
    assert (
        "row 3, column 'project_id': demand 'D3' belongs to project 'P2', not 'P1'" in result.output
    )
