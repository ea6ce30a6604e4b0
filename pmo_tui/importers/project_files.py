"""Read one project file (MS Project XML/MPX, GanttProject, Planner) into a Bundle.

:func:`read_project_file` reads the file with MPXJ's ``UniversalProjectReader``
(Java, through jpype; the JVM starts on first use, see :mod:`._jvm`) and maps
it onto the store's frames (``docs/data-model.md``). Each file is one project in
the portfolio ``IMPORTED``:

* people: the WORK resources with a name (material and cost resources, and
  resources without a name, are skipped with a note); ``role`` is the
  resource's group (GanttProject: its role), ``region`` is the project id, the
  weekday hours come from the resource's calendar (else the project calendar,
  else 8 h Monday to Friday);
* skills: one per distinct group/role, each holder at level 3;
* holidays: the non-working exceptions of the project calendar;
* leave: the exceptions of each resource's own calendar (and of its base
  calendars other than the project calendar) - non-working days, or the hours
  lost on days with reduced working time; GanttProject vacations are read from
  the ``.gan`` XML because MPXJ 16 does not turn them into calendar exceptions;
* availability: the resource availability table, with a 0 % row for each gap
  between two periods (MS Project: no availability there);
* demand, demand_week and allocation: one demand per (task, person)
  assignment, its work per ISO week (keyed by the Monday) both as the demand and
  as the person's soft allocation.

Holidays and leave are kept between 1 January of the year before the project
starts and 31 December of the year after it finishes, to keep them small.

Work per week: where the file holds timephased work for an assignment (MS
Project XML, MPP), MPXJ's timephased data is used, so contoured assignments
keep their shape. Elsewhere the assignment's work is spread evenly over the
working hours of its calendar between its start and its finish. MPX dates have
no time of day, so there the finish is taken as the moment the assignment's
work is done at its units (``start + work / units`` working hours, when that is
within a day of the stated finish). GanttProject and Planner files hold no work
per assignment (MPXJ reports the task's), so there the work is the assignment's
units times the working hours between its start and finish.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from pmo_tui.bundle import BUNDLE_SCHEMAS, WEEKDAY_COLUMNS, Bundle, conform, empty_frame
from pmo_tui.errors import UserError
from pmo_tui.importers._jvm import start_jvm

__all__ = ["IMPORTED_PORTFOLIO", "read_project_file"]

#: The portfolio every imported project file is put in.
IMPORTED_PORTFOLIO = "IMPORTED"
IMPORTED_PORTFOLIO_NAME = "Imported project files"

SUPPORTED = "MS Project XML (.xml), MPX (.mpx), MPP, GanttProject (.gan) or Planner (.planner)"
READ_FIX = (
    "check that it is a complete, unencrypted project plan; export it from its program as "
    "MS Project XML (.xml) or MPX and import that file"
)

#: Applications whose files carry no work per assignment (only units).
_UNITS_ONLY_APPLICATIONS = {"GanttProject", "Planner"}
_DEFAULT_WEEK = (8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0)
#: MPXJ's availability row for "always 100 %" runs from here to 2049-12-31.
_OPEN_START = dt.date(1984, 1, 1)
_OPEN_END = dt.date(2049, 12, 31)
_SKILL_LEVEL = 3


def read_project_file(path: Path) -> Bundle:
    """Read a project file into a :class:`~pmo_tui.bundle.Bundle` holding one project.

    Args:
        path: an MS Project XML, MPX, MPP, GanttProject ``.gan`` or Planner file.

    Returns:
        The project, its people (merged into the pool by the store), skills,
        holidays, leave, availability, and the assignments' work per ISO week as
        demand and soft allocation. ``notes`` says what was read and skipped.

    Raises:
        UserError: the file is missing or unreadable, the ``project-files``
            extra or Java is missing. Java exceptions never escape.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError("file not found", file=str(path), fix="check the path and the file name")
    jpype = start_jvm()
    try:
        reader = jpype.JClass("org.mpxj.reader.UniversalProjectReader")()
        project = reader.read(str(path))
    except jpype.JException as exc:
        raise UserError(
            f"cannot read this file as a project plan ({_java_message(exc)})",
            file=str(path),
            fix=READ_FIX,
        ) from None
    if project is None:
        raise UserError(
            f"not a project file that can be read; supported: {SUPPORTED}",
            file=str(path),
            fix=READ_FIX,
        )
    try:
        return _Mapper(jpype, project, path).bundle()
    except jpype.JException as exc:
        raise UserError(
            f"cannot read the plan in this file ({_java_message(exc)})",
            file=str(path),
            fix=READ_FIX,
        ) from None


# --------------------------------------------------------------------------- helpers


def _java_message(exc: Any) -> str:
    """The first line of a Java exception's message, or its class name."""
    try:
        message = exc.getMessage()
    except Exception:  # noqa: BLE001 - any failure here only loses detail
        message = None
    text = str(message).strip() if message is not None else ""
    if not text:
        text = type(exc).__name__
    return text.splitlines()[0][:200]


def _text(value: Any) -> str | None:
    """A Java or Python string, stripped; ``None`` when missing or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except TypeError:
        return float(value.doubleValue())


def _date(value: Any) -> dt.date | None:
    """A Java ``LocalDate``/``LocalDateTime`` as a Python date."""
    if value is None:
        return None
    return dt.date(int(value.getYear()), int(value.getMonthValue()), int(value.getDayOfMonth()))


def _datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime(
        int(value.getYear()),
        int(value.getMonthValue()),
        int(value.getDayOfMonth()),
        int(value.getHour()),
        int(value.getMinute()),
        int(value.getSecond()),
    )


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _round_hours(hours: float) -> float:
    """Hours rounded half-up to 0.1 (``29.25`` -> ``29.3``)."""
    return math.floor(hours * 10.0 + 0.5 + 1e-9) / 10.0


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def project_slug(stem: str) -> str:
    """A project id from a file stem: letters, digits and '-', case kept.

    ``HouseBuildingSample`` stays ``HouseBuildingSample``; ``my plan (v2)`` becomes ``my-plan-v2``.
    """
    return re.sub(r"[^A-Za-z0-9]+", "-", _ascii(stem)).strip("-") or "project"


def name_slug(name: str) -> str:
    """A lowercase id from a name: ``Jack House`` -> ``jack-house``; empty if nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(name).lower()).strip("-")


def _frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    if not rows:
        return empty_frame(name)
    schema = BUNDLE_SCHEMAS[name]
    return conform(name, pl.DataFrame(rows, schema={column: schema[column] for column in rows[0]}))


# --------------------------------------------------------------------------- mapping


@dataclass
class _Person:
    id: str
    name: str
    resource: Any
    calendar: Any
    week: tuple[float, ...]
    skill_id: str | None


@dataclass
class _Counts:
    timephased: int = 0
    spread: int = 0
    without_person: int = 0
    without_dates: int = 0
    without_work: int = 0
    skipped_by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class _Mapper:
    """Turns one MPXJ ``ProjectFile`` into a Bundle."""

    def __init__(self, jpype: Any, project: Any, path: Path) -> None:
        self.jpype = jpype
        self.project = project
        self.path = path
        self.props = project.getProjectProperties()
        self.TimeUnit = jpype.JClass("org.mpxj.TimeUnit")
        self.Duration = jpype.JClass("org.mpxj.Duration")
        self.LocalDateTime = jpype.JClass("java.time.LocalDateTime")
        self.LocalDateTimeRange = jpype.JClass("org.mpxj.LocalDateTimeRange")
        self.DayOfWeek = jpype.JClass("java.time.DayOfWeek")
        self.ArrayList = jpype.JClass("java.util.ArrayList")
        self.application = _text(self.props.getFileApplication()) or ""
        self.project_id = project_slug(path.stem)
        self.default_calendar = self.props.getDefaultCalendar() or project.getDefaultCalendar()
        self.LocalDate = jpype.JClass("java.time.LocalDate")
        self.notes: list[str] = []
        self.counts = _Counts()
        #: Unique id -> why a resource is not a person ("material", "unnamed", ...).
        self.skipped: dict[int, str] = {}
        self.start, self.finish = self._span()
        if self.start and self.finish:
            self.window: tuple[dt.date, dt.date] | None = (
                dt.date(self.start.year - 1, 1, 1),
                dt.date(self.finish.year + 1, 12, 31),
            )
        else:
            self.window = None

    # ---- the bundle

    def bundle(self) -> Bundle:
        people, person_of_uid = self._people()
        skill_names: dict[str, str | None] = {}
        for person in people:  # one skill per id; "Architect" and "architect" are the same
            if person.skill_id:
                skill_names.setdefault(person.skill_id, _text(person.resource.getGroup()))
        skills = sorted(skill_names.items())
        demand, demand_week, allocation = self._assignments(person_of_uid)
        bundle = Bundle(source=str(self.path))
        bundle.portfolios = _frame(
            "portfolios", [{"id": IMPORTED_PORTFOLIO, "name": IMPORTED_PORTFOLIO_NAME}]
        )
        bundle.projects = _frame("projects", [self._project_row()])
        bundle.skills = _frame("skills", [{"id": sid, "name": name} for sid, name in skills])
        bundle.people = _frame("people", [self._person_row(p) for p in people])
        bundle.person_skills = _frame(
            "person_skills",
            [
                {"person_id": p.id, "skill_id": p.skill_id, "level": _SKILL_LEVEL}
                for p in people
                if p.skill_id
            ],
        )
        bundle.holidays = _frame("holidays", self._holidays())
        leave = self._leave(people) + self._gantt_vacations(person_of_uid)
        bundle.leave = _frame("leave", leave).unique(maintain_order=True)
        bundle.availability = _frame("availability", self._availability(people))
        bundle.demand = _frame("demand", demand)
        bundle.demand_week = _frame("demand_week", demand_week)
        bundle.allocation = _frame("allocation", allocation)
        bundle.notes = self._summary(people, skills, demand) + self.notes
        return bundle

    def _summary(self, people: list[_Person], skills: list, demand: list) -> list[str]:
        c = self.counts
        notes = [
            f"{self.path.name}: {len(people)} people, {len(demand)} assignments, "
            f"{len(skills)} skills from roles"
        ]
        how = []
        if c.timephased:
            how.append(f"{c.timephased} with the file's timephased work")
        if c.spread:
            spread = f"{c.spread} spread evenly over the working hours of their calendar"
            if self.application in _UNITS_ONLY_APPLICATIONS:
                spread += (
                    f" (a {self.application} file holds no work per assignment: "
                    "work = units x working hours from start to finish)"
                )
            how.append(spread)
        if how:
            notes.append("assignments: " + "; ".join(how))
        for kind, count in sorted(c.skipped_by_kind.items()):
            notes.append(f"skipped {count} assignments of {kind} resources")
        if c.without_person:
            notes.append(f"skipped {c.without_person} assignments without a resource")
        if c.without_dates:
            notes.append(f"skipped {c.without_dates} assignments without dates")
        if c.without_work:
            notes.append(f"skipped {c.without_work} assignments without work")
        return notes

    # ---- project

    def _span(self) -> tuple[dt.date | None, dt.date | None]:
        start = _date(self.props.getStartDate())
        finish = _date(self.props.getFinishDate())
        if start is None or finish is None:
            starts, finishes = [], []
            for task in self.project.getTasks():
                if task.getStart() is not None:
                    starts.append(_date(task.getStart()))
                if task.getFinish() is not None:
                    finishes.append(_date(task.getFinish()))
            start = start or (min(starts) if starts else None)
            finish = finish or (max(finishes) if finishes else start)
        if start and finish and finish < start:
            finish = start
        return start, finish

    def _project_row(self) -> dict[str, Any]:
        name = _text(self.props.getProjectTitle()) or _text(self.props.getName()) or self.path.stem
        return {
            "id": self.project_id,
            "name": name,
            "portfolio_id": IMPORTED_PORTFOLIO,
            "phase": "execution",
            "priority": 3,
            "start": self.start,
            "finish": self.finish,
            "rag": "green",
            "source_file": self.path.name,
        }

    # ---- people

    def _people(self) -> tuple[list[_Person], dict[int, _Person]]:
        people: list[_Person] = []
        by_uid: dict[int, _Person] = {}
        taken: set[str] = set()
        for resource in self.project.getResources():
            name = _text(resource.getName())
            kind = str(resource.getType()) if resource.getType() is not None else "WORK"
            uid = int(resource.getUniqueID()) if resource.getUniqueID() is not None else None
            if kind != "WORK":
                label = kind.lower()
                self.notes.append(f"skipped {label} resource {name or f'(unique id {uid})'!r}")
                self._mark_skipped(uid, label)
                continue
            if name is None:
                self.notes.append(f"skipped resource without a name (unique id {uid})")
                self._mark_skipped(uid, "unnamed")
                continue
            person_id = self._unique(name_slug(name) or f"resource-{uid}", taken)
            group = _text(resource.getGroup())
            calendar = resource.getCalendar() or self.default_calendar
            person = _Person(
                id=person_id,
                name=name,
                resource=resource,
                calendar=calendar,
                week=self._week_hours(calendar),
                skill_id=(name_slug(group) or None) if group else None,
            )
            people.append(person)
            if uid is not None:
                by_uid[uid] = person
        return people, by_uid

    def _mark_skipped(self, uid: int | None, label: str) -> None:
        if uid is not None:
            self.skipped[uid] = label

    @staticmethod
    def _unique(wanted: str, taken: set[str]) -> str:
        candidate, number = wanted, 1
        while candidate in taken:
            number += 1
            candidate = f"{wanted}-{number}"
        taken.add(candidate)
        return candidate

    def _week_hours(self, calendar: Any) -> tuple[float, ...]:
        """Working hours Monday..Sunday of a calendar's default week (base calendars resolved)."""
        if calendar is None:
            return _DEFAULT_WEEK
        hours = []
        for day in self.DayOfWeek.values():  # MONDAY .. SUNDAY
            work = calendar.getWork(day, self.TimeUnit.HOURS)
            value = _number(work.getDuration()) if work is not None else 0.0
            hours.append(min(24.0, max(0.0, round(value or 0.0, 2))))
        return tuple(hours)

    def _person_row(self, person: _Person) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": person.id,
            "name": person.name,
            "email": _text(person.resource.getEmailAddress()),
            "role": _text(person.resource.getGroup()),
            "region": self.project_id,
        }
        row.update(dict(zip(WEEKDAY_COLUMNS, person.week, strict=True)))
        return row

    # ---- calendars

    def _in_window(self, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
        """``first..last`` clipped to the holiday/leave window, or None when outside it."""
        if self.window is None:
            return None
        low, high = max(first, self.window[0]), min(last, self.window[1])
        return (low, high) if low <= high else None

    def _ancestors(self, calendar: Any) -> list[Any]:
        chain, seen = [], set()
        while calendar is not None and int(calendar.getUniqueID() or -1) not in seen:
            seen.add(int(calendar.getUniqueID() or -1))
            chain.append(calendar)
            calendar = calendar.getParent()
        return chain

    def _holidays(self) -> list[dict[str, Any]]:
        rows: dict[dt.date, dict[str, Any]] = {}
        for calendar in self._ancestors(self.default_calendar):
            for exception in calendar.getExpandedCalendarExceptions():
                if exception.getWorking():
                    continue
                span = self._in_window(_date(exception.getFromDate()), _date(exception.getToDate()))
                if span is None:
                    continue
                name = _text(exception.getName()) or "holiday (project calendar)"
                day = span[0]
                while day <= span[1]:
                    rows.setdefault(day, {"region": self.project_id, "date": day, "name": name})
                    day += dt.timedelta(days=1)
        return [rows[day] for day in sorted(rows)]

    def _leave(self, people: list[_Person]) -> list[dict[str, Any]]:
        project_calendars = {
            int(c.getUniqueID() or -1) for c in self._ancestors(self.default_calendar)
        }
        rows: list[dict[str, Any]] = []
        for person in people:
            own = person.resource.getCalendar()
            for calendar in self._ancestors(own):
                if int(calendar.getUniqueID() or -1) in project_calendars:
                    break
                for exception in calendar.getExpandedCalendarExceptions():
                    rows.extend(self._leave_rows(person, own, exception))
        return rows

    def _leave_rows(self, person: _Person, calendar: Any, exception: Any) -> list[dict[str, Any]]:
        span = self._in_window(_date(exception.getFromDate()), _date(exception.getToDate()))
        if span is None:
            return []
        reason = _text(exception.getName()) or "calendar exception"
        if not exception.getWorking():
            return [
                {
                    "person_id": person.id,
                    "start": span[0],
                    "end": span[1],
                    "hours_per_day": None,
                    "reason": reason,
                }
            ]
        # Reduced working time: the hours lost against the default week, one row per run of days
        # that lose the same hours.
        rows: list[dict[str, Any]] = []
        day = span[0]
        while day <= span[1]:
            worked = calendar.getWork(
                self.LocalDate.of(day.year, day.month, day.day), self.TimeUnit.HOURS
            )
            lost = round(person.week[day.weekday()] - (_number(worked.getDuration()) or 0.0), 2)
            if lost > 0:
                previous = rows[-1] if rows else None
                if (
                    previous
                    and previous["hours_per_day"] == lost
                    and previous["end"] == day - dt.timedelta(days=1)
                ):
                    previous["end"] = day
                else:
                    rows.append(
                        {
                            "person_id": person.id,
                            "start": day,
                            "end": day,
                            "hours_per_day": lost,
                            "reason": reason,
                        }
                    )
            day += dt.timedelta(days=1)
        return rows

    def _gantt_vacations(self, person_of_uid: dict[int, _Person]) -> list[dict[str, Any]]:
        """GanttProject ``<vacation start end resourceid>``: whole days off (end inclusive).

        MPXJ 16 reads GanttProject resources with unique id = the file's id + 1
        and does not read vacations, so they are read here from the XML.
        """
        if self.application != "GanttProject":
            return []
        try:
            root = ET.parse(self.path).getroot()
        except (ET.ParseError, OSError):
            return []
        rows = []
        for vacation in root.iter("vacation"):
            try:
                person = person_of_uid.get(int(vacation.get("resourceid", "")) + 1)
                first = dt.date.fromisoformat(vacation.get("start", ""))
                last = dt.date.fromisoformat(vacation.get("end", ""))
            except ValueError:
                continue
            span = self._in_window(first, max(first, last))
            if person is None or span is None:
                continue
            rows.append(
                {
                    "person_id": person.id,
                    "start": span[0],
                    "end": span[1],
                    "hours_per_day": None,
                    "reason": "vacation",
                }
            )
        return rows

    def _availability(self, people: list[_Person]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for person in people:
            periods = []
            for item in person.resource.getAvailability():
                span = item.getRange()
                first = _date(span.getStart()) or _OPEN_START
                end_time = _datetime(span.getEnd())
                last = (
                    _OPEN_END
                    if end_time is None
                    else (end_time - dt.timedelta(days=1)).date()
                    if end_time.time() == dt.time(0, 0) and end_time.date() > first
                    else end_time.date()
                )
                percent = _number(item.getUnits())
                periods.append((first, last, 100.0 if percent is None else percent))
            periods.sort()
            if len(periods) == 1 and periods[0][2] == 100.0:
                continue  # always fully available: nothing to record
            previous_last = None
            one_day = dt.timedelta(days=1)
            for first, last, percent in periods:
                if previous_last is not None and first > previous_last + one_day:
                    gap = (previous_last + one_day, first - one_day)
                    rows.append(self._availability_row(person, *gap, 0.0))
                rows.append(self._availability_row(person, first, last, percent))
                previous_last = last
        return [row for row in rows if row is not None]

    def _availability_row(
        self, person: _Person, first: dt.date, last: dt.date, percent: float
    ) -> dict[str, Any] | None:
        if self.window is not None:
            if last < self.window[0]:
                return None
            first = max(first, self.window[0])
        if percent > 100.0:
            self.notes.append(
                f"{person.name}: availability {percent:g} % counted as 100 % (one person)"
            )
        return {
            "person_id": person.id,
            "start": first,
            "end": None if last >= _OPEN_END else last,
            "percent": min(100.0, max(0.0, percent)),
        }

    # ---- assignments

    def _assignments(
        self, person_of_uid: dict[int, _Person]
    ) -> tuple[list[dict], list[dict], list[dict]]:
        skipped = self.skipped
        hours_by_demand: dict[str, dict[dt.date, float]] = {}
        demand_rows: dict[str, dict[str, Any]] = {}
        person_of_demand: dict[str, str] = {}
        for assignment in self.project.getResourceAssignments():
            uid = assignment.getResourceUniqueID()
            uid = int(uid) if uid is not None else None
            person = person_of_uid.get(uid) if uid is not None else None
            if person is None:
                if uid in skipped:
                    self.counts.skipped_by_kind[skipped[uid]] += 1
                else:
                    self.counts.without_person += 1
                continue
            task = assignment.getTask()
            if assignment.getStart() is None:
                self.counts.without_dates += 1
                continue
            weeks = self._work_per_week(assignment, person)
            if not any(hours > 0 for hours in weeks.values()):
                self.counts.without_work += 1
                continue
            task_uid = task.getUniqueID() if task is not None else None
            demand_id = f"{self.project_id}:{int(task_uid) if task_uid is not None else '-'}:{uid}"
            demand_rows.setdefault(
                demand_id,
                {
                    "id": demand_id,
                    "project_id": self.project_id,
                    "skill_id": person.skill_id,
                    "min_level": 1,
                    "description": _text(task.getName()) if task is not None else None,
                },
            )
            person_of_demand[demand_id] = person.id
            bucket = hours_by_demand.setdefault(demand_id, defaultdict(float))
            for week, hours in weeks.items():
                bucket[week] += hours
        demand_week, allocation = [], []
        for demand_id, weeks in hours_by_demand.items():
            for week in sorted(weeks):
                hours = _round_hours(weeks[week])
                if hours <= 0:
                    continue
                demand_week.append({"demand_id": demand_id, "week": week, "hours": hours})
                allocation.append(
                    {
                        "person_id": person_of_demand[demand_id],
                        "project_id": self.project_id,
                        "demand_id": demand_id,
                        "week": week,
                        "hours": hours,
                        "kind": "soft",
                        "pinned": False,
                    }
                )
        return list(demand_rows.values()), demand_week, allocation

    def _hours(self, duration: Any) -> float | None:
        if duration is None:
            return None
        if duration.getUnits() == self.TimeUnit.HOURS:
            return _number(duration.getDuration())
        return _number(duration.convertUnits(self.TimeUnit.HOURS, self.props).getDuration())

    def _java_datetime(self, value: dt.datetime) -> Any:
        return self.LocalDateTime.of(
            value.year, value.month, value.day, value.hour, value.minute, value.second
        )

    def _raw_timephased(self, assignment: Any) -> list[Any]:
        items: list[Any] = []
        for getter in (
            assignment.getRawTimephasedActualRegularWork,
            assignment.getRawTimephasedRemainingRegularWork,
            assignment.getRawTimephasedActualOvertimeWork,
            assignment.getRawTimephasedRemainingOvertimeWork,
            assignment.getRawTimephasedPlannedWork,
        ):
            found = getter()
            if found is not None:
                items.extend(found)
        return items

    def _work_per_week(self, assignment: Any, person: _Person) -> dict[dt.date, float]:
        """Hours of work of one assignment per ISO week (the Monday)."""
        start = _datetime(assignment.getStart())
        finish = _datetime(assignment.getFinish()) or start
        raw = self._raw_timephased(assignment)
        if raw:
            self.counts.timephased += 1
            starts = [_datetime(item.getStart()) for item in raw if item.getStart() is not None]
            finishes = [_datetime(item.getFinish()) for item in raw if item.getFinish() is not None]
            return self._timephased_weeks(
                assignment, min([start, *starts]), max([finish, *finishes])
            )
        self.counts.spread += 1
        return self._spread_weeks(assignment, person, start, finish)

    def _week_ranges(self, first: dt.datetime, last: dt.datetime) -> list[dt.date]:
        monday = _monday(first.date())
        mondays = []
        while dt.datetime.combine(monday, dt.time()) < last or not mondays:
            mondays.append(monday)
            monday += dt.timedelta(days=7)
        return mondays

    def _timephased_weeks(
        self, assignment: Any, first: dt.datetime, last: dt.datetime
    ) -> dict[dt.date, float]:
        mondays = self._week_ranges(first, last)
        ranges = self.ArrayList()
        for monday in mondays:
            begin = dt.datetime.combine(monday, dt.time())
            ranges.add(
                self.LocalDateTimeRange(
                    self._java_datetime(begin), self._java_datetime(begin + dt.timedelta(days=7))
                )
            )
        values = assignment.getTimephasedWork(ranges, self.TimeUnit.HOURS)
        weeks: dict[dt.date, float] = {}
        for monday, value in zip(mondays, values, strict=True):
            hours = self._hours(value)
            if hours:
                weeks[monday] = hours
        return weeks

    def _spread_weeks(
        self, assignment: Any, person: _Person, start: dt.datetime, finish: dt.datetime
    ) -> dict[dt.date, float]:
        calendar = assignment.getEffectiveCalendar() or person.calendar
        units = _number(assignment.getUnits())
        units = 100.0 if units is None else units
        work = (
            None
            if self.application in _UNITS_ONLY_APPLICATIONS
            else self._hours(assignment.getWork())
        )
        end = finish
        if calendar is None:
            # No calendar at all: 8 h a day, Monday to Friday.
            return self._spread_without_calendar(start, finish, work, units)
        if work is None:
            available = self._hours(
                calendar.getWork(
                    self._java_datetime(start), self._java_datetime(finish), self.TimeUnit.HOURS
                )
            )
            work = (available or 0.0) * units / 100.0
        elif units > 0 and work > 0:
            done = calendar.getDate(
                self._java_datetime(start),
                self.Duration.getInstance(work * 100.0 / units, self.TimeUnit.HOURS),
            )
            done = _datetime(done)
            # Date-only formats (MPX) lose the finish time: trust start + work/units within a day.
            if done is not None and abs(done - finish) <= dt.timedelta(days=1):
                end = max(done, start)
        if not work or work <= 0:
            return {}
        mondays = self._week_ranges(start, end)
        available_by_week = []
        for monday in mondays:
            begin = max(start, dt.datetime.combine(monday, dt.time()))
            stop = min(end, dt.datetime.combine(monday + dt.timedelta(days=7), dt.time()))
            hours = 0.0
            if stop > begin:
                hours = self._hours(
                    calendar.getWork(
                        self._java_datetime(begin), self._java_datetime(stop), self.TimeUnit.HOURS
                    )
                ) or 0.0
            available_by_week.append(hours)
        total = sum(available_by_week)
        if total <= 0:
            return {mondays[0]: work}
        return {
            monday: work * hours / total
            for monday, hours in zip(mondays, available_by_week, strict=True)
            if hours > 0
        }

    @staticmethod
    def _spread_without_calendar(
        start: dt.datetime, finish: dt.datetime, work: float | None, units: float
    ) -> dict[dt.date, float]:
        days = []
        day = start.date()
        while day <= finish.date():
            if day.weekday() < 5:
                days.append(day)
            day += dt.timedelta(days=1)
        if work is None:
            work = len(days) * 8.0 * units / 100.0
        if not days or work <= 0:
            return {_monday(start.date()): work} if work and work > 0 else {}
        weeks: dict[dt.date, float] = defaultdict(float)
        for day in days:
            weeks[_monday(day)] += work / len(days)
        return dict(weeks)
