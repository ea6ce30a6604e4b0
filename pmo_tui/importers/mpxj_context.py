"""What every step of mapping one MPXJ ``ProjectFile`` onto a Bundle shares.

:class:`ProjectContext` holds the project, its properties, the Java classes
the steps call, the project's span and the holiday/leave window, and collects
notes and counts for the summary. :class:`Person` is a WORK resource taken as
a person. The steps live in :mod:`.mpxj_people`, :mod:`.mpxj_calendars`,
:mod:`.mpxj_work` and :mod:`.gantt_vacations`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmo_tui.importers.mpxj_values import (
    finish_day,
    project_slug,
    python_date,
    python_number,
    python_text,
)

__all__ = ["UNITS_ONLY_APPLICATIONS", "AssignmentCounts", "JavaTypes", "Person", "ProjectContext"]

#: Applications whose files carry no work per assignment (only units).
UNITS_ONLY_APPLICATIONS = {"GanttProject", "Planner"}
#: MPXJ file types whose dates carry no time of day (MPXJ reads them at 00:00).
DATE_ONLY_FILE_TYPES = {"MPX", "GAN"}


@dataclass(frozen=True)
class JavaTypes:
    """The Java classes the mapping calls, looked up once per file."""

    TimeUnit: Any
    Duration: Any
    LocalDate: Any
    LocalDateTime: Any
    LocalDateTimeRange: Any
    DayOfWeek: Any
    ArrayList: Any

    @classmethod
    def load(cls, jpype: Any) -> JavaTypes:
        """Look the classes up through ``jpype`` (the JVM must be running)."""
        return cls(
            TimeUnit=jpype.JClass("org.mpxj.TimeUnit"),
            Duration=jpype.JClass("org.mpxj.Duration"),
            LocalDate=jpype.JClass("java.time.LocalDate"),
            LocalDateTime=jpype.JClass("java.time.LocalDateTime"),
            LocalDateTimeRange=jpype.JClass("org.mpxj.LocalDateTimeRange"),
            DayOfWeek=jpype.JClass("java.time.DayOfWeek"),
            ArrayList=jpype.JClass("java.util.ArrayList"),
        )


@dataclass
class Person:
    """A WORK resource taken as a person, or a role (``is_role``) taken as demand for a skill.

    ``week`` is the working hours Monday..Sunday of its calendar's default week;
    ``skill_id`` comes from its group (GanttProject: role), else its primary role
    (Primavera), None without one; a role's skill is its own name.
    """

    id: str
    name: str
    resource: Any
    calendar: Any
    week: tuple[float, ...]
    skill_id: str | None
    #: A role (Primavera), generic resource (MS Project): demand for a skill, not a person.
    is_role: bool = False
    #: Skill id -> name of every skill the person holds (group, primary role, roles filled).
    skills: dict[str, str] = field(default_factory=dict)
    #: The resource's own calendar when MPXJ can resolve it (its exceptions are leave).
    own_calendar: Any = None


@dataclass
class AssignmentCounts:
    """How the assignments were read (work per week) or why they were skipped."""

    timephased: int = 0
    spread: int = 0
    finish_from_task: int = 0
    for_roles: int = 0
    unreadable: int = 0
    without_person: int = 0
    without_dates: int = 0
    without_work: int = 0
    skipped_by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class ProjectContext:
    """One MPXJ ``ProjectFile`` being mapped, and what the mapping steps collect.

    ``window`` is 1 January of the year before the project starts to 31 December
    of the year after it finishes (holidays and leave are kept inside it); None
    when the project has no dates.
    """

    project: Any
    path: Path
    #: The jpype module (its ``JException`` is every Java exception).
    jpype: Any
    java: JavaTypes
    props: Any
    application: str
    project_id: str
    default_calendar: Any
    start: dt.date | None
    finish: dt.date | None
    window: tuple[dt.date, dt.date] | None
    notes: list[str] = field(default_factory=list)
    counts: AssignmentCounts = field(default_factory=AssignmentCounts)
    #: Resource unique id -> why it is not a person ("material", "unnamed", ...).
    skipped: dict[int, str] = field(default_factory=dict)
    #: MS Project XML only: resource unique id -> its ``MaxUnits`` in percent (read lazily).
    mspdi_max_units: dict[int, float] | None = None

    @classmethod
    def of(cls, jpype: Any, project: Any, path: Path) -> ProjectContext:
        """The context of ``project`` (an MPXJ ``ProjectFile``) read from ``path``."""
        props = project.getProjectProperties()
        date_only = python_text(props.getFileType()) in DATE_ONLY_FILE_TYPES
        start, finish = _project_span(props, project, date_only)
        window = None
        if start and finish:
            window = (dt.date(start.year - 1, 1, 1), dt.date(finish.year + 1, 12, 31))
        return cls(
            project=project,
            path=path,
            jpype=jpype,
            java=JavaTypes.load(jpype),
            props=props,
            application=python_text(props.getFileApplication()) or "",
            project_id=project_slug(path.stem),
            default_calendar=props.getDefaultCalendar() or project.getDefaultCalendar(),
            start=start,
            finish=finish,
            window=window,
        )

    def in_window(self, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
        """``first..last`` clipped to the holiday/leave window, or None when outside it."""
        if self.window is None:
            return None
        low, high = max(first, self.window[0]), min(last, self.window[1])
        return (low, high) if low <= high else None

    def hours(self, duration: Any) -> float | None:
        """An MPXJ ``Duration`` in hours (converted with the project's properties)."""
        if duration is None:
            return None
        if duration.getUnits() == self.java.TimeUnit.HOURS:
            return python_number(duration.getDuration())
        hours = duration.convertUnits(self.java.TimeUnit.HOURS, self.props)
        return python_number(hours.getDuration())

    def java_datetime(self, value: dt.datetime) -> Any:
        """A Python datetime as a Java ``LocalDateTime`` (to the second)."""
        return self.java.LocalDateTime.of(
            value.year, value.month, value.day, value.hour, value.minute, value.second
        )

    def java_date(self, day: dt.date) -> Any:
        """A Python date as a Java ``LocalDate``."""
        return self.java.LocalDate.of(day.year, day.month, day.day)


def _project_span(
    props: Any, project: Any, date_only: bool
) -> tuple[dt.date | None, dt.date | None]:
    """(start, finish) of the project: its properties, else its tasks; finish >= start.

    A finish at midnight is the day before (:func:`~.mpxj_values.finish_day`).
    """
    start = python_date(props.getStartDate())
    finish = finish_day(props.getFinishDate(), date_only=date_only)
    if start is None or finish is None:
        starts: list[dt.date] = []
        finishes: list[dt.date] = []
        for task in project.getTasks():
            task_start = python_date(task.getStart())
            task_finish = finish_day(task.getFinish(), date_only=date_only)
            starts.extend([task_start] if task_start else [])
            finishes.extend([task_finish] if task_finish else [])
        start = start or (min(starts) if starts else None)
        finish = finish or (max(finishes) if finishes else start)
    if start and finish and finish < start:
        finish = start
    return start, finish
