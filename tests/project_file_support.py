"""Small project files written by the tests: MS Project XML (MSPDI) and MPX, by hand.

Each builder writes only the elements MPXJ needs, in the shape MS Project writes
them (MSPDI: ``http://schemas.microsoft.com/project``; MPX 4.0: the records of
``../shared/real-samples/sample.mpx``). The tests compute their expectations from
these texts, by hand, independently of the product.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_tui.cli import cli


def skip_without_java() -> None:
    """Skip the calling test module without the project-files extra or a Java runtime."""
    pytest.importorskip("jpype", reason="needs the project-files extra (jpype1)")
    pytest.importorskip("mpxj", reason="needs the project-files extra (mpxj)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("needs a Java runtime", allow_module_level=True)


#: Monday to Friday 08:00-12:00 and 13:00-17:00 (8 h a day, 40 h a week).
EIGHT_HOUR_DAY = (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00"))


@dataclass
class Calendar:
    """An MSPDI calendar: working times per weekday (1 = Sunday .. 7 = Saturday)."""

    uid: int
    name: str
    days: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    base_uid: int = -1
    exceptions: list[tuple[str, str, str]] = field(default_factory=list)  # name, from, to

    def xml(self) -> str:
        weekdays = []
        for day, times in self.days.items():
            working = "".join(
                f"<WorkingTime><FromTime>{a}</FromTime><ToTime>{b}</ToTime></WorkingTime>"
                for a, b in times
            )
            weekdays.append(
                f"<WeekDay><DayType>{day}</DayType><DayWorking>{int(bool(times))}</DayWorking>"
                + (f"<WorkingTimes>{working}</WorkingTimes>" if times else "")
                + "</WeekDay>"
            )
        exceptions = "".join(
            "<Exception><EnteredByOccurrences>0</EnteredByOccurrences>"
            f"<TimePeriod><FromDate>{start}</FromDate><ToDate>{end}</ToDate></TimePeriod>"
            f"<Occurrences>1</Occurrences><Name>{name}</Name><Type>1</Type>"
            "<DayWorking>0</DayWorking></Exception>"
            for name, start, end in self.exceptions
        )
        base = int(self.base_uid == -1)
        return (
            f"<Calendar><UID>{self.uid}</UID><Name>{self.name}</Name>"
            f"<IsBaseCalendar>{base}</IsBaseCalendar><BaseCalendarUID>{self.base_uid}</BaseCalendarUID>"
            f"<WeekDays>{''.join(weekdays)}</WeekDays>"
            + (f"<Exceptions>{exceptions}</Exceptions>" if exceptions else "")
            + "</Calendar>"
        )


def standard_calendar(uid: int = 1, name: str = "Standard") -> Calendar:
    """8 h Monday to Friday (DayType 2..6), Saturday and Sunday off."""
    days = {1: (), 7: ()} | {day: EIGHT_HOUR_DAY for day in range(2, 7)}
    return Calendar(uid, name, days)


def resource(uid: int, name: str, *, calendar: int | None = None, extra: str = "") -> str:
    """A work resource (Type 1)."""
    own = f"<CalendarUID>{calendar}</CalendarUID>" if calendar is not None else ""
    return (
        f"<Resource><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><Type>1</Type>"
        f"{own}{extra}</Resource>"
    )


def task(uid: int, name: str, start: str, finish: str, hours: int) -> str:
    """An auto-scheduled task lasting ``hours`` working hours."""
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><Manual>0</Manual>"
        f"<Start>{start}</Start><Finish>{finish}</Finish><Duration>PT{hours}H0M0S</Duration></Task>"
    )


def assignment(
    uid: int, task_uid: int, resource_uid: int, start: str, finish: str, hours: float, units=1
) -> str:
    """An assignment of ``hours`` of work at ``units`` (1 = 100 %)."""
    work = f"PT{int(hours)}H{int(round(hours % 1 * 60))}M0S"
    return (
        f"<Assignment><UID>{uid}</UID><TaskUID>{task_uid}</TaskUID>"
        f"<ResourceUID>{resource_uid}</ResourceUID><Start>{start}</Start><Finish>{finish}</Finish>"
        f"<Work>{work}</Work><Units>{units}</Units></Assignment>"
    )


def mspdi(
    *,
    calendars: list[Calendar] | None = None,
    resources: list[str] = (),  # type: ignore[assignment]
    tasks: list[str] = (),  # type: ignore[assignment]
    assignments: list[str] = (),  # type: ignore[assignment]
    title: str = "Plan",
    properties: str = "",
) -> str:
    """An MS Project XML file: the project calendar is the first calendar (UID 1)."""
    calendars = calendars or [standard_calendar()]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Project xmlns="http://schemas.microsoft.com/project">'
        f"<SaveVersion>14</SaveVersion><Title>{title}</Title>{properties}"
        "<ScheduleFromStart>1</ScheduleFromStart><CalendarUID>1</CalendarUID>"
        "<MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek>"
        f"<Calendars>{''.join(c.xml() for c in calendars)}</Calendars>"
        f"<Tasks>{''.join(tasks)}</Tasks><Resources>{''.join(resources)}</Resources>"
        f"<Assignments>{''.join(assignments)}</Assignments></Project>"
    )


def write(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``folder/name`` and return the path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(db: Path, *args: str):
    """``pmo-tui --db DB ARGS`` through click's runner (stdout and stderr apart)."""
    return CliRunner().invoke(cli, ["--db", str(db), *map(str, args)], obj={})


def empty_db(folder: Path, name: str = "org.db") -> Path:
    """A new database without the demo organisation."""
    db = folder / name
    result = run_cli(db, "db", "init", "--empty")
    assert result.exit_code == 0, result.output
    return db


def capacity_json(db: Path, *args: str) -> list[dict]:
    """The rows of ``pmo-tui capacity --format json ARGS``."""
    result = run_cli(db, "capacity", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
