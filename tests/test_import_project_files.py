"""Tests of the project-file importer (MPXJ on Java) against real files others wrote.

The files live beside the repository in ``../shared/real-samples`` (see its
SOURCES.md); they are read as they are. Every figure asserted here was checked
by hand against the file's own text (XML, MPX), as the comments say.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from shared_files import shared_folder

pytest.importorskip("jpype", reason="needs the project-files extra (jpype1)")
pytest.importorskip("mpxj", reason="needs the project-files extra (mpxj)")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("needs a Java runtime", allow_module_level=True)

SAMPLES = shared_folder("real-samples")
if not SAMPLES.is_dir():
    pytest.skip(f"sample files not found in {SAMPLES}", allow_module_level=True)


from pmo_tui.errors import UserError
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.project_files import read_project_file

pytestmark = pytest.mark.java

D = dt.date
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample():
    """Read each sample once per module (the JVM starts on the first read, once per process)."""
    cache: dict[str, Bundle] = {}

    def read(name: str) -> Bundle:
        if name not in cache:
            cache[name] = read_project_file(SAMPLES / name)
        return cache[name]

    return read


def hours_by_person_week(bundle: Bundle) -> dict[tuple[str, dt.date], float]:
    """Allocation hours summed per (person name, week)."""
    names = dict(zip(bundle.people["id"], bundle.people["name"], strict=True))
    summed = bundle.allocation.group_by("person_id", "week").agg(pl.col("hours").sum())
    return {
        (names[row["person_id"]], row["week"]): round(row["hours"], 1)
        for row in summed.iter_rows(named=True)
    }


def week_pattern(bundle: Bundle, name: str) -> tuple[float, ...]:
    row = bundle.people.filter(pl.col("name") == name).row(0, named=True)
    return tuple(row[day] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


# --------------------------------------------------------------------------- packaging


def test_importing_the_module_starts_no_java() -> None:
    code = (
        "import sys; import pmo_tui.importers.project_files; "
        "assert 'jpype' not in sys.modules and 'mpxj' not in sys.modules, sorted(sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mpxj", None)  # makes `import mpxj` fail
    with pytest.raises(UserError) as info:
        read_project_file(SAMPLES / "sample.mpx")
    assert "pip install 'pmo-tui[project-files]'" in str(info.value)
    assert "Java" in str(info.value)


def test_missing_java_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import jpype

    def no_java(*args, **kwargs):
        raise jpype.JVMNotFoundException("No JVM shared library file (libjvm.so) found.")

    monkeypatch.setattr(jpype, "isJVMStarted", lambda: False)
    monkeypatch.setattr(jpype, "startJVM", no_java)
    with pytest.raises(UserError) as info:
        read_project_file(SAMPLES / "sample.mpx")
    assert "Java runtime" in str(info.value)
    assert info.value.fix and "JAVA_HOME" in info.value.fix


# --------------------------------------------------------------------------- GanttProject


def test_gan_people_roles_and_skills(sample) -> None:
    bundle = sample("HouseBuildingSample.gan")
    assert bundle.projects.select(
        "id", "name", "portfolio_id", "phase", "priority", "start", "finish", "rag", "source_file"
    ).row(0) == (
        "HouseBuildingSample",
        "HouseBuildingSample",  # the file's name="" -> the file stem
        "IMPORTED",
        "execution",
        3,
        D(2024, 5, 27),
        D(2024, 10, 14),
        "green",
        "HouseBuildingSample.gan",
    )
    assert bundle.portfolios.select("id", "name").rows() == [("IMPORTED", "Imported project files")]
    people = dict(zip(bundle.people["name"], bundle.people["role"], strict=True))
    # <resources> and <roles> of the .gan: function="0" Architect, "1" Bricklayer, "2" Foreman,
    # "4" Excavator operator; "Default:1" is GanttProject's built-in role "project manager".
    assert people == {
        "Jack House": "project manager",
        "John Black": "Excavator operator",
        "Michelangelo": "Architect",
        "Tom White": "Bricklayer",
        "Peter Green": "Bricklayer",
        "George Brown": "Bricklayer",
        "John Silver": "Foreman",
    }
    assert set(bundle.skills["id"]) == {
        "architect",
        "bricklayer",
        "excavator-operator",
        "foreman",
        "project-manager",
    }
    assert bundle.person_skills.filter(pl.col("person_id") == "jack-house").rows() == [
        ("jack-house", "project-manager", 3, None)
    ]
    assert set(bundle.people["region"]) == {"HouseBuildingSample"}
    # <default-week sun="1" ... sat="1"/> (1 = weekend) and MPXJ's 8 h working day.
    assert week_pattern(bundle, "Tom White") == (8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0)
    assert bundle.notes[0] == (
        "HouseBuildingSample.gan: 7 people, 30 assignments, 5 skills from roles"
    )
    # The only holiday (2006-02-14) and vacation (2009) are far outside 2023..2025.
    assert bundle.holidays.is_empty() and bundle.leave.is_empty()


def test_gan_over_allocated_weeks(sample) -> None:
    """Checked in the .gan XML: tasks are 8 h days Monday-Friday, `load` is the percent.

    Michelangelo: task 10 (06-10, 15 d, 100 %) + task 12 (06-10, 5 d, 50 %) = 40 + 20 in the
    week of 06-10; task 10 + task 14 (06-17, 5 d, 50 %) = 40 + 20 in the week of 06-17.
    Jack House: task 13 (06-17, 5 d, 100 %) + task 14 (50 %) = 40 + 20.
    Peter Green: task 16 (09-30, 10 d) + task 6 (09-30, 5 d), both 100 % = 40 + 40.
    """
    weeks = hours_by_person_week(sample("HouseBuildingSample.gan"))
    assert weeks[("Michelangelo", D(2024, 6, 10))] == 60.0
    assert weeks[("Michelangelo", D(2024, 6, 17))] == 60.0
    assert weeks[("Jack House", D(2024, 6, 17))] == 60.0
    assert weeks[("Peter Green", D(2024, 9, 30))] == 80.0
    over = {key for key, hours in weeks.items() if hours > 40.0}
    assert over == {
        ("Michelangelo", D(2024, 6, 10)),
        ("Michelangelo", D(2024, 6, 17)),
        ("Jack House", D(2024, 6, 17)),
        ("Peter Green", D(2024, 9, 30)),
    }
    # Half-load week: Jack House's task 9 (05-27, 10 d, 50 %) is 20 h a week.
    assert weeks[("Jack House", D(2024, 5, 27))] == 20.0


def test_gan_total_hours_match_the_xml(sample) -> None:
    """Per person, the sum of duration x 8 h x load over the .gan's <allocation>s."""
    root = ET.parse(SAMPLES / "HouseBuildingSample.gan").getroot()
    duration = {t.get("id"): int(t.get("duration")) for t in root.iter("task")}
    names = {r.get("id"): r.get("name") for r in root.iter("resource")}
    expected: dict[str, float] = defaultdict(float)
    for allocation in root.iter("allocation"):
        expected[names[allocation.get("resource-id")]] += (
            duration[allocation.get("task-id")] * 8 * float(allocation.get("load")) / 100
        )
    bundle = sample("HouseBuildingSample.gan")
    names_by_id = dict(zip(bundle.people["id"], bundle.people["name"], strict=True))
    got = bundle.allocation.group_by("person_id").agg(pl.col("hours").sum())
    assert {names_by_id[p]: round(h, 1) for p, h in got.iter_rows()} == expected
    assert expected["Jack House"] == 164.0  # 10x4 + 5x8 + 5x8 + 5x4 + 3x8


def test_gan_demand_equals_allocation(sample) -> None:
    bundle = sample("HouseBuildingSample.gan")
    assert bundle.demand.height == 30
    assert bundle.demand["id"].str.starts_with("HouseBuildingSample:").all()
    assert bundle.demand.filter(pl.col("id") == "HouseBuildingSample:16:4").row(0) == (
        "HouseBuildingSample:16:4",
        "HouseBuildingSample",
        "bricklayer",
        1,
        "Furniture",
    )
    joined = bundle.demand_week.join(
        bundle.allocation, on=["demand_id", "week"], how="full", coalesce=True
    )
    assert joined.height == bundle.demand_week.height == bundle.allocation.height
    assert (joined["hours"] == joined["hours_right"]).all()
    assert set(bundle.allocation["kind"]) == {"soft"}
    assert not bundle.allocation["pinned"].any()
    assert (bundle.allocation["week"].dt.weekday() == 1).all()  # Mondays
    assert (bundle.allocation["hours"] > 0).all()


def test_gan_holiday_and_vacation_inside_the_project_years(tmp_path: Path) -> None:
    """A copy of the sample with its holiday and vacation moved into 2024."""
    text = (SAMPLES / "HouseBuildingSample.gan").read_text(encoding="utf-8")
    text = text.replace('year="2006" month="2" date="14"', 'year="2024" month="2" date="14"')
    text = text.replace(
        'start="2009-02-02" end="2009-02-09"', 'start="2024-07-01" end="2024-07-05"'
    )
    path = tmp_path / "HouseBuildingSample.gan"
    path.write_text(text, encoding="utf-8")
    bundle = read_project_file(path)
    assert bundle.holidays.select("region", "date").rows() == [
        ("HouseBuildingSample", D(2024, 2, 14))
    ]
    assert bundle.leave.select("person_id", "start", "end", "hours_per_day").rows() == [
        ("jack-house", D(2024, 7, 1), D(2024, 7, 5), None)  # resourceid="1" is Jack House
    ]


# --------------------------------------------------------------------------- MS Project XML


def test_mspdi_material_skipped_and_contoured_week_over_capacity(sample) -> None:
    bundle = sample("mspdiresource.xml")
    assert set(bundle.people["name"]) == {"Wade Golden", "Jon Iles", "Brian Leach"}
    assert "skipped material resource 'Concrete'" in bundle.notes
    assert bundle.people.filter(pl.col("name") == "Wade Golden")["email"][0] == (
        "wade.golden@steelray.com"
    )
    weeks = hours_by_person_week(bundle)
    # Wade Golden, week of Monday 2006-08-28, from the <TimephasedData> of his assignments
    # (Type 1 = remaining work, Type 2 = actual work), summed by hand with a script:
    #   Task A (flat):          Mon 08-28 8 h + Tue 08-29 8 h                     = 16.0 h
    #   Completed Task:         actual Mon 8 h + Tue 8 h                           = 16.0 h
    #   Contoured Task (turtle): the items from Wed 08-30 08:00 to Sat 09-02 sum to 16.554 h,
    #     but the item "2006-09-03T09:08:30 .. 2006-09-04T09:08:30, PT1H8M30S" is Monday
    #     morning work (Sunday is not worked), which belongs to the week of 09-04:
    #     16.554 - 1.142                                                           = 15.41 h
    #   total 47.41 h -> 47.4 h, over his 40 h week (Standard calendar, 8 h Mon-Fri).
    # Spreading the contoured task's 40 h evenly over its 57.14 working hours (08-30 08:00 ..
    # 09-08 09:08) would put 40 x 24 / 57.14 = 16.8 h in that week (48.8 h in all): the
    # turtle contour puts less work at the start.
    assert weeks[("Wade Golden", D(2006, 8, 28))] == 47.4
    assert sum(week_pattern(bundle, "Wade Golden")) == 40.0
    contoured = bundle.demand_week.filter(pl.col("demand_id") == "mspdiresource:3:1")
    assert contoured.select("week", "hours").rows() == [
        (D(2006, 8, 28), 15.4),
        (D(2006, 9, 4), 24.5),  # the rest of the file's 39.96 h
    ]
    # Brian Leach works the Night Shift calendar (Mon 23-24, Tue-Fri 00-03 04-08 23-24,
    # Sat 00-03 04-08).
    assert week_pattern(bundle, "Brian Leach") == (1.0, 8.0, 8.0, 8.0, 8.0, 7.0, 0.0)
    assert weeks[("Brian Leach", D(2006, 8, 21))] == 8.0
    assert weeks[("Brian Leach", D(2006, 8, 28))] == 16.0
    # Groups become roles and skills: Steelray, Tapsterrock (Concrete's "Mat" is skipped).
    assert set(bundle.skills["id"]) == {"steelray", "tapsterrock"}


def test_mspdi_availability_periods(sample) -> None:
    bundle = sample("mspdiavailability.xml")
    # <AvailabilityPeriods> of Resource Two: 06-01..07-01 1, 07-02..08-01 0.6, 08-20..08-30 0.75;
    # between 08-01 and 08-20 no period, i.e. not available.
    assert bundle.availability.rows() == [
        ("resource-two", D(2009, 6, 1), D(2009, 7, 1), 100.0),
        ("resource-two", D(2009, 7, 2), D(2009, 8, 1), 60.0),
        ("resource-two", D(2009, 8, 2), D(2009, 8, 19), 0.0),
        ("resource-two", D(2009, 8, 20), D(2009, 8, 30), 75.0),
    ]
    assert "skipped resource without a name (unique id 0)" in bundle.notes


# --------------------------------------------------------------------------- MPX


def test_mpx_sample_units_and_night_shift(sample) -> None:
    bundle = sample("sample.mpx")
    # "Tue 07/01/03" .. "Tue 18/03/03" are dd/mm/yy.
    assert bundle.projects.select("name", "start", "finish").row(0) == (
        "sample",
        D(2003, 1, 7),
        D(2003, 3, 18),
    )
    assert set(bundle.people["name"]) == {"First Resource", "Second Resource"}
    # Calendar "Night Shift" (records 25,2..25,7): Mon 23:00-00:00; Tue-Fri 00-03, 04-08,
    # 23-00; Sat 00-03, 04-08 -> 1, 8, 8, 8, 8, 7, 0 h.
    assert week_pattern(bundle, "Second Resource") == (1.0, 8.0, 8.0, 8.0, 8.0, 7.0, 0.0)
    assert week_pattern(bundle, "First Resource") == (8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0)
    weeks = hours_by_person_week(bundle)
    # Record 75: First Resource 0.5 units, 200 h, Tue 07/01/03 .. Mon 17/03/03 on Standard
    # (8 h Mon-Fri): 4 h a day, 20 h in the full week of 2003-01-13, 16 h in the first week
    # (Tue-Fri) and 4 h on Monday 03-17 (50 days x 4 h = 200 h).
    assert weeks[("First Resource", D(2003, 1, 13))] == 20.0
    assert weeks[("First Resource", D(2003, 1, 6))] == 16.0
    assert weeks[("First Resource", D(2003, 3, 17))] == 4.0
    # Second Resource 0.75 units, 300 h on the Night Shift (40 h a week): 30 h a full week,
    # first week Tue-Sat 8+8+8+8+7 = 39 h x 0.75 = 29.25 h (-> 29.3).
    assert weeks[("Second Resource", D(2003, 1, 13))] == 30.0
    assert weeks[("Second Resource", D(2003, 1, 6))] == 29.3
    totals = bundle.allocation.group_by("person_id").agg(pl.col("hours").sum())
    assert {p: round(h) for p, h in totals.iter_rows()} == {
        "first-resource": 200,
        "second-resource": 300,
    }
    # No group in MPX: the demand is the named person's work (skill_id null).
    assert bundle.demand["skill_id"].is_null().all()


def test_mpx_calendar_exceptions_become_leave(sample) -> None:
    bundle = sample("calendarExceptions.mpx")
    # Records 57 under Resource Three: 01/11/05..04/11/05 and 21/11/05..25/11/05, non-working.
    assert bundle.leave.select("person_id", "start", "end", "hours_per_day").rows() == [
        ("resource-three", D(2005, 11, 1), D(2005, 11, 4), None),
        ("resource-three", D(2005, 11, 21), D(2005, 11, 25), None),
    ]


# --------------------------------------------------------------------------- Planner


def test_planner_skips_material_and_unnamed_resources(sample) -> None:
    bundle = sample("planner-resource.planner")
    assert set(bundle.people["name"]) == {"Wade Golden", "Jon Iles", "Brian Leach"}
    assert "skipped material resource 'Concrete'" in bundle.notes
    assert "skipped resource without a name (unique id 0)" in bundle.notes
    # Task A, 100 % from Fri 08-25 08:00 to Wed 08-30 08:00 on 8 h days: 8 h + 16 h.
    weeks = hours_by_person_week(bundle)
    assert weeks[("Jon Iles", D(2006, 8, 21))] == 8.0
    assert weeks[("Jon Iles", D(2006, 8, 28))] == 16.0


# --------------------------------------------------------------------------- errors


def test_garbage_file_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.mpp"
    path.write_bytes(b"\xd0\xcf\x11\xe0 this is not a plan " * 50)
    with pytest.raises(UserError) as info:
        read_project_file(path)
    assert info.value.file == str(path)
    assert "broken.mpp" in str(info.value) and info.value.fix


def test_truncated_xml_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "truncated.xml"
    path.write_text((SAMPLES / "mspdiresource.xml").read_text(encoding="utf-8")[:5000])
    with pytest.raises(UserError) as info:
        read_project_file(path)
    assert info.value.file == str(path)
    assert "truncated.xml" in str(info.value) and info.value.fix


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="file not found"):
        read_project_file(tmp_path / "nowhere.gan")


# --------------------------------------------------------------------------- store


def test_all_samples_load_into_the_store(sample, tmp_path: Path) -> None:
    from pmo_tui.bootstrap import open_database
    from pmo_tui.importers.service import write_bundles

    names = [
        "HouseBuildingSample.gan",
        "sample.mpx",
        "calendarExceptions.mpx",
        "mspdiavailability.xml",
        "mspdiresource.xml",
        "planner-resource.planner",
    ]
    db = open_database(tmp_path / "pmo.db", seed_demo=False)
    report = write_bundles(db, [sample(n) for n in names], people="merge", reason="test")
    assert db["project"].count == 6
    # Wade Golden is in two files with the same e-mail: one person.
    assert db.execute("SELECT count(*) FROM person WHERE name = 'Wade Golden'").fetchone()[0] == 1
    assert any("Wade Golden" in merged for merged in report.merged_people)
