"""Project files read as their authors meant them (issue 16): small files written here.

Every file is written by the test (MS Project XML and MPX by hand, see
``project_file_support``; a German MPX by MPXJ's own MPXWriter from the real
sample) or committed under ``tests/fixtures/project-files`` (see its SOURCES.md).
The expected hours are worked out by hand from those texts, as each test says.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import polars as pl
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
    standard_calendar,
    task,
    write,
)
from shared_files import shared_folder

skip_without_java()

from pmo_tui.errors import UserError
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.project_files import read_project_file

pytestmark = pytest.mark.java


@pytest.fixture(autouse=True)
def _as_of_before_these_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """These files plan 2006 and 2024: run as of 2000, so none of their weeks is history."""
    monkeypatch.setenv("PMO_TUI_TODAY", "2000-01-03")


D = dt.date
REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "project-files"
SAMPLES = shared_folder("real-samples")
#: The tests on the files of ``../shared/real-samples`` (not in a clone of the repository alone).
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"sample files not found in {SAMPLES}"
)


def weekly(bundle: Bundle) -> dict[tuple[str, dt.date], float]:
    """Allocation hours per (person id, week)."""
    summed = bundle.allocation.group_by("person_id", "week").agg(pl.col("hours").sum())
    return {(p, w): round(h, 1) for p, w, h in summed.iter_rows()}


# --------------------------------------------------------------------------- MPX without finish

#: One 10-day task from Monday 6 January 2003; its record 70 and the two assignments
#: (record 75) give a start and no finish. Dates are dd/mm/yy (record 12).
MPX_WITHOUT_FINISH = "\r\n".join(
    [
        "MPX,Microsoft Project for Windows,4.0,ANSI",
        '10,$,1,2,",",.',
        "11,2,0,1,8.00,40.00,$0.00/h,$0.00/h,1,1",
        "12,1,1,480,/,:,,,9,1",
        "20,Standard,0,1,1,1,1,1,0",
        "25,1",
        *[f"25,{day},08:00,12:00,13:00,17:00" for day in range(2, 7)],
        "25,7",
        "30,nofinish,,,Standard,Mon 06/01/03,,0",
        "40,Name,Initials,ID,Max Units,Unique ID",
        "41,1,2,40,41,49",
        "50,Full Timer,FT,1,1,1",
        "50,Double Booked,DB,2,2,2",
        "60,Name,WBS,Outline Level,Work,Duration,Start,Finish,ID,Unique ID",
        "61,1,2,3,20,40,50,51,90,98",
        "70,Build,1,1,240h,10d,Mon 06/01/03,,1,1",
        "75,1,1,80h,0h,0h,0h,$0.00,$0.00,$0.00,Mon 06/01/03,,0d,1",
        "75,2,2,160h,0h,0h,0h,$0.00,$0.00,$0.00,Mon 06/01/03,,0d,2",
        "",
    ]
)


def test_mpx_assignment_without_finish_is_spread_over_the_task(tmp_path: Path) -> None:
    """10 working days from Mon 2003-01-06 on the Standard calendar (8 h Mon-Fri) end on
    Fri 01-17: 80 h at 100 % is 40 h in each of the two weeks, 160 h at 200 % is 80 h.
    Before, all of it landed in the first week (200 % and 400 % of its 40 h)."""
    bundle = read_project_file(write(tmp_path, "nofinish.mpx", MPX_WITHOUT_FINISH))
    assert weekly(bundle) == {
        ("full-timer", D(2003, 1, 6)): 40.0,
        ("full-timer", D(2003, 1, 13)): 40.0,
        ("double-booked", D(2003, 1, 6)): 80.0,
        ("double-booked", D(2003, 1, 13)): 80.0,
    }
    assert (
        "2 assignments had no finish in the file: each finishes at its start + the task's "
        "duration on the resource's calendar"
    ) in bundle.notes


# --------------------------------------------------------------------------- locales


def _german_copy(folder: Path) -> Path:
    """The real sample.mpx written again by MPXJ's MPXWriter in the German locale."""
    from pmo_tui.importers._jvm import start_jvm

    jpype = start_jvm()
    project = jpype.JClass("org.mpxj.reader.UniversalProjectReader")().read(
        str(SAMPLES / "sample.mpx")
    )
    writer = jpype.JClass("org.mpxj.mpx.MPXWriter")()
    writer.setLocale(jpype.JClass("java.util.Locale").GERMAN)
    path = folder / "sample.de.mpx"
    writer.write(project, str(path))
    return path


@needs_samples
def test_german_mpx_is_read_in_its_locale(tmp_path: Path) -> None:
    path = _german_copy(tmp_path)
    text = path.read_text(encoding="cp1252")
    assert text.startswith("MPX;") and ";Nein;" in text  # what MS Project in German writes
    bundle = read_project_file(path)
    # The same plan as sample.mpx (test_mpx_sample_units_and_night_shift): 200 h and 300 h,
    # First Resource 20 h in the week of 2003-01-13 (0.5 x 8 h x 5 days).
    totals = bundle.allocation.group_by("person_id").agg(pl.col("hours").sum())
    assert {p: round(h) for p, h in totals.iter_rows()} == {
        "first-resource": 200,
        "second-resource": 300,
    }
    assert weekly(bundle)[("first-resource", D(2003, 1, 13))] == 20.0
    assert "read as an MPX file in German (de, found from its field names and dates)" in (
        bundle.notes
    )
    asked = read_project_file(path, locale="de")
    assert "read as an MPX file in German (de, as asked)" in asked.notes
    db = empty_db(tmp_path)
    imported = run_cli(db, "import", "project", path, "--locale", "de")
    assert imported.exit_code == 0, imported.output
    assert "note: read as an MPX file in German (de, as asked)" in imported.stderr


@needs_samples
def test_mpx_in_the_wrong_locale_says_what_to_do(tmp_path: Path) -> None:
    path = _german_copy(tmp_path)
    with pytest.raises(UserError) as info:
        read_project_file(path, locale="fr")
    message = str(info.value)
    assert info.value.option == "--locale"
    assert "cannot read this MPX file in the locale 'fr'" in message
    assert "as MPX" not in message and "MS Project XML (.xml)" in message
    with pytest.raises(UserError, match="use one of en, de, fr"):
        read_project_file(path, locale="xx")


# --------------------------------------------------------------------------- formats


def test_primavera_xer_roles_are_demand_for_a_skill() -> None:
    """tests/fixtures/project-files/roles.xer: role 332 "Data Engineer"; resource 1316 Ann
    Analyst (primary role 332); task "Pipeline" 2024-01-08 08:00 .. 01-19 17:00 on the
    Standard 5 Day Workweek (8 h Mon-Fri). TASKRSRC 6639: Ann, 80 h; 6641: the role
    only, 40 h (0.5/h); 6642: Ann in the role, 16 h."""
    bundle = read_project_file(FIXTURES / "roles.xer")
    assert bundle.people["name"].to_list() == ["Ann Analyst"]  # the role is no person
    assert bundle.skills.select("id", "name").rows() == [("data-engineer", "Data Engineer")]
    assert bundle.person_skills.select("person_id", "skill_id").rows() == [
        ("ann-analyst", "data-engineer")
    ]
    demand = {row[0]: row[2] for row in bundle.demand.rows()}
    assert demand == {"roles:35845:1316": "data-engineer", "roles:35845:332": "data-engineer"}
    # The role's 40 h over two 40 h weeks: 20 h a week of demand, nobody booked on it.
    role_weeks = bundle.demand_week.filter(pl.col("demand_id") == "roles:35845:332")
    assert role_weeks.select("week", "hours").rows() == [
        (D(2024, 1, 8), 20.0),
        (D(2024, 1, 15), 20.0),
    ]
    assert bundle.allocation.filter(pl.col("demand_id") == "roles:35845:332").is_empty()
    # Ann: (80 h + 16 h) over the two weeks = 48 h a week.
    assert weekly(bundle) == {
        ("ann-analyst", D(2024, 1, 8)): 48.0,
        ("ann-analyst", D(2024, 1, 15)): 48.0,
    }
    assert (
        "Primavera role 'Data Engineer' is demand for the skill 'Data Engineer', not a person"
        in (bundle.notes)
    )
    assert bundle.plan_file is not None and bundle.plan_file.guid  # the project's guid


def test_ms_project_generic_resource_is_demand_not_a_person(tmp_path: Path) -> None:
    text = mspdi(
        resources=[
            resource(1, "Pat Person"),
            resource(2, "Java Developer", extra="<IsGeneric>1</IsGeneric>"),
        ],
        tasks=[task(1, "Code", "2024-01-08T08:00:00", "2024-01-12T17:00:00", 40)],
        assignments=[
            assignment(1, 1, 1, "2024-01-08T08:00:00", "2024-01-12T17:00:00", 40),
            assignment(2, 1, 2, "2024-01-08T08:00:00", "2024-01-12T17:00:00", 20, 0.5),
        ],
    )
    bundle = read_project_file(write(tmp_path, "generic.xml", text))
    assert bundle.people["name"].to_list() == ["Pat Person"]
    assert bundle.demand.filter(pl.col("id") == "generic:1:2")["skill_id"].to_list() == [
        "java-developer"
    ]
    assert bundle.demand_week.filter(pl.col("demand_id") == "generic:1:2")["hours"].to_list() == [
        20.0
    ]
    assert set(bundle.allocation["person_id"]) == {"pat-person"}


def test_a_directory_is_reported_as_a_directory(tmp_path: Path) -> None:
    write(tmp_path, "plan.xml", mspdi())
    with pytest.raises(UserError) as info:
        read_project_file(tmp_path)
    assert "this is a directory, not a project file" in str(info.value)
    assert info.value.file == str(tmp_path)


def test_unreadable_mpp_lists_the_formats_and_logs_nothing_on_stderr(tmp_path: Path) -> None:
    """An OLE2 file (as .mpp files are) that is no plan goes through Apache POI, which
    made Log4j print "could not find a logging provider" on stderr before."""
    path = tmp_path / "broken.mpp"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    db = empty_db(tmp_path)
    code = (
        "import sys; from pmo_tui.cli import main; "
        f"sys.argv = ['pmo-tui', '--db', {str(db)!r}, 'import', 'project', {str(path)!r}]; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "Log4j" not in result.stderr and "StatusLogger" not in result.stderr
    for name in ("Microsoft Project 98 to 2021 (.mpp, .mpt)", "Primavera P6 (.xer", "GanttProject"):
        assert name in result.stderr
    assert "as MPX" not in result.stderr


# --------------------------------------------------------------------------- dates, calendars


def test_a_task_ending_at_midnight_keeps_its_own_finish_day(tmp_path: Path) -> None:
    """Work until midnight (a 24-hour calendar) ends on Friday 2024-01-05, not Saturday."""
    around_the_clock = Calendar(
        1, "24 Hours", {day: (("00:00:00", "00:00:00"),) for day in range(1, 8)}
    )
    text = mspdi(
        calendars=[around_the_clock],
        properties="<StartDate>2024-01-01T00:00:00</StartDate><FinishDate>2024-01-06T00:00:00</FinishDate>",
        resources=[resource(1, "Night Owl")],
        tasks=[task(1, "Run", "2024-01-01T00:00:00", "2024-01-06T00:00:00", 120)],
        assignments=[assignment(1, 1, 1, "2024-01-01T00:00:00", "2024-01-06T00:00:00", 120)],
    )
    bundle = read_project_file(write(tmp_path, "midnight.xml", text))
    assert bundle.projects.select("start", "finish").row(0) == (D(2024, 1, 1), D(2024, 1, 5))
    # 5 days x 24 h, Monday to Friday: no work on Saturday 01-06.
    days = dict(bundle.allocation_day.select("date", "hours").iter_rows())
    assert days == {D(2024, 1, day): 24.0 for day in range(1, 6)}


def _plan_with_calendar(extra_calendar: Calendar) -> str:
    return mspdi(
        calendars=[standard_calendar(), extra_calendar],
        resources=[resource(1, "Ann", calendar=extra_calendar.uid), resource(2, "Cy")],
        tasks=[task(1, "T", "2024-01-08T08:00:00", "2024-01-19T17:00:00", 80)],
        assignments=[
            assignment(1, 1, 1, "2024-01-08T08:00:00", "2024-01-19T17:00:00", 80),
            assignment(2, 1, 2, "2024-01-08T08:00:00", "2024-01-19T17:00:00", 80),
        ],
    )


def test_a_calendar_with_a_missing_base_is_skipped_with_a_note(tmp_path: Path) -> None:
    """Ann's calendar "Orphan" derives from calendar 99, which is not in the file: it is
    skipped and Ann works the project calendar (8 h Mon-Fri): 80 h over two weeks is 40 + 40
    (before: the whole file was refused, or, without WeekDays, Ann had no working time and
    all 80 h landed in the first week)."""
    orphan = Calendar(5, "Orphan", base_uid=99)
    bundle = read_project_file(write(tmp_path, "orphan.xml", _plan_with_calendar(orphan)))
    assert weekly(bundle)[("ann", D(2024, 1, 8))] == 40.0
    assert weekly(bundle)[("ann", D(2024, 1, 15))] == 40.0
    assert any(
        note.startswith("calendar 'Orphan' of Ann skipped: ")
        and note.endswith("the project calendar 'Standard' used instead")
        for note in bundle.notes
    )


def test_a_calendar_mpxj_fails_on_does_not_reject_the_file(tmp_path: Path) -> None:
    """A weekday exception without dates (DayType 0, an empty TimePeriod): MPXJ reads the
    file but throws a NullPointerException when the calendar is used. The rest is read."""
    odd = Calendar(5, "Odd", base_uid=1)
    text = _plan_with_calendar(odd).replace(
        "<Name>Odd</Name><IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>1</BaseCalendarUID><WeekDays></WeekDays>",
        "<Name>Odd</Name><IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>1</BaseCalendarUID>"
        "<WeekDays><WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod></TimePeriod>"
        "</WeekDay></WeekDays>",
    )
    assert "<DayType>0</DayType>" in text
    bundle = read_project_file(write(tmp_path, "odd.xml", text))
    assert set(bundle.people["name"]) == {"Ann", "Cy"}
    assert weekly(bundle)[("ann", D(2024, 1, 8))] == 40.0
    assert any(
        note.startswith("calendar 'Odd' of Ann skipped: MPXJ cannot resolve it (")
        for note in bundle.notes
    )


def test_availability_outside_the_table_is_the_max_units(tmp_path: Path) -> None:
    """Ann: MaxUnits 0.5 and one availability period, 2024-01-15..19 at 100 %. MS Project:
    her max units (50 %) apply before and after it. Bob: MaxUnits 0.5, no table: 50 %.
    Capacity (8 h Mon-Fri): Ann 20 h in the weeks of 01-08 and 01-22, 40 h in 01-15's."""
    table = (
        "<MaxUnits>0.5</MaxUnits><AvailabilityPeriods><AvailabilityPeriod>"
        "<AvailableFrom>2024-01-15T00:00:00</AvailableFrom><AvailableTo>2024-01-19T23:59:00</AvailableTo>"
        "<AvailableUnits>1</AvailableUnits></AvailabilityPeriod></AvailabilityPeriods>"
    )
    text = mspdi(
        resources=[
            resource(1, "Ann", extra=table),
            resource(2, "Bob", extra="<MaxUnits>0.5</MaxUnits>"),
        ],
        tasks=[task(1, "T", "2024-01-08T08:00:00", "2024-01-26T17:00:00", 120)],
        assignments=[assignment(1, 1, 1, "2024-01-08T08:00:00", "2024-01-26T17:00:00", 60, 0.5)],
    )
    path = write(tmp_path, "maxunits.xml", text)
    bundle = read_project_file(path)
    # The window for calendars starts on 1 January of the year before the project.
    assert bundle.availability.rows() == [
        ("ann", D(2023, 1, 1), D(2024, 1, 14), 50.0),
        ("ann", D(2024, 1, 15), D(2024, 1, 19), 100.0),
        ("ann", D(2024, 1, 20), None, 50.0),
        ("bob", D(2023, 1, 1), None, 50.0),
    ]
    db = empty_db(tmp_path)
    assert run_cli(db, "import", "project", path).exit_code == 0
    rows = capacity_json(db, "--person", "ann")
    assert {r["week"]: r["capacity_hours"] for r in rows} == {
        "2024-01-08": 20.0,
        "2024-01-15": 40.0,
        "2024-01-22": 20.0,
    }


@needs_samples
def test_real_samples_keep_their_availability(tmp_path: Path) -> None:
    """mspdiavailability.xml: Resource Two's MaxUnits is 1, so nothing changes outside its
    table (test_mspdi_availability_periods holds the rows inside it)."""
    bundle = read_project_file(SAMPLES / "mspdiavailability.xml")
    assert bundle.availability["start"].min() == D(2009, 6, 1)
    assert bundle.availability["end"].max() == D(2009, 8, 30)


@needs_samples
def test_daily_shape_comes_from_the_timephased_work(tmp_path: Path) -> None:
    """mspdiresource.xml, Wade Golden (see test_mspdi_material_skipped_and_contoured_week_over
    _capacity): Task A 8 h on Mon 2006-08-28 and Tue 08-29, the Completed Task's actual work
    8 h on each of the same days: 16 h a day against 8 h. The turtle-contoured task's hourly
    <TimephasedData> items, summed per day by hand: Wed 08-30 2.57 h, Thu 5.14 h, Fri 7.70 h."""
    bundle = read_project_file(SAMPLES / "mspdiresource.xml")
    wade = bundle.allocation_day.filter(pl.col("person_id") == "wade-golden")
    per_day = dict(wade.group_by("date").agg(pl.col("hours").sum().round(2)).iter_rows())
    assert per_day[D(2006, 8, 28)] == per_day[D(2006, 8, 29)] == 16.0
    contoured = wade.filter(pl.col("demand_id") == "mspdiresource:3:1")
    assert contoured.filter(pl.col("date") < D(2006, 9, 2)).select("date", "hours").rows() == [
        (D(2006, 8, 30), 2.57),
        (D(2006, 8, 31), 5.14),
        (D(2006, 9, 1), 7.7),
    ]
    db = empty_db(tmp_path)
    assert run_cli(db, "import", "project", SAMPLES / "mspdiresource.xml").exit_code == 0
    peaks = capacity_json(db, "--over-allocated", "--daily", "--person", "wade-golden")
    week = next(row for row in peaks if row["week"] == "2006-08-28")
    assert (week["peak_date"], week["peak_load_hours"], week["peak_capacity_hours"]) == (
        "2006-08-28",
        16.0,
        8.0,
    )


def test_ctrl_c_while_java_works_reaches_python_not_a_halted_jvm() -> None:
    """Ctrl-C while MPXJ reads a file: Python gets KeyboardInterrupt (the CLI says
    "Interrupted: nothing was written", exit 130). With JPype's default the JVM halted
    under Python, whose next Java call printed a JVMNotRunning traceback (3 of 9
    Ctrl-C presses during `import project` of the real samples did). Under load the
    signal may reach the Java call as its thread's interrupt instead (an
    InterruptedException): the importers turn that into KeyboardInterrupt too."""
    code = (
        "import os, signal, threading\n"
        "from pmo_tui.importers._jvm import start_jvm\n"
        "from pmo_tui.importers.mpxj_values import raise_if_interrupted\n"
        "jpype = start_jvm()\n"
        "threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()\n"
        "try:\n"
        "    try:\n"
        "        jpype.JClass('java.lang.Thread').sleep(20000)\n"
        "    except jpype.JException as exc:  # the thread's interrupt, as the importers see it\n"
        "        raise_if_interrupted(exc)\n"
        "        raise\n"
        "except KeyboardInterrupt:\n"
        "    print('KeyboardInterrupt', jpype.isJVMStarted())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "KeyboardInterrupt True", (result.returncode, result.stderr)


def test_a_java_interrupt_or_one_wrapped_in_a_cause_is_the_users_ctrl_c() -> None:
    from pmo_tui.importers._jvm import start_jvm
    from pmo_tui.importers.mpxj_values import raise_if_interrupted

    jpype = start_jvm()
    interrupted = jpype.JClass("java.lang.InterruptedException")("sleep interrupted")
    wrapped = jpype.JClass("java.lang.RuntimeException")("reading failed", interrupted)
    for exc in (interrupted, wrapped):
        with pytest.raises(KeyboardInterrupt):
            raise_if_interrupted(exc)
    raise_if_interrupted(jpype.JClass("java.io.IOException")("bad file"))  # a read error stays
