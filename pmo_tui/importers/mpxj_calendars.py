"""Working weeks, holidays, leave and availability from the calendars of an MPXJ project.

* week hours: the working hours Monday..Sunday of a calendar's default week
  (base calendars resolved), 8 h Monday to Friday without a calendar;
* holidays: the non-working exceptions of the project calendar (and its bases);
* leave: the exceptions of each resource's own calendar and of its bases other
  than the project calendar - whole non-working days, or the hours lost on days
  with reduced working time;
* availability: the resource availability table, with a 0 % row for each gap
  between two periods and the resource's max units before the first period and
  after the last (MS Project's rule).

Holidays and leave are clipped to ``ProjectContext.window``.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from pmo_tui.importers.mpxj_context import Person, ProjectContext
from pmo_tui.importers.mpxj_values import (
    java_message,
    python_date,
    python_datetime,
    python_number,
    python_text,
    raise_if_interrupted,
)

__all__ = [
    "availability_rows",
    "holiday_rows",
    "leave_row",
    "leave_rows",
    "resolved_calendar",
    "week_hours",
]

_DEFAULT_WEEK = (8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0)
#: MPXJ's availability row for "always 100 %" runs from here to 2049-12-31.
_OPEN_START = dt.date(1984, 1, 1)
_OPEN_END = dt.date(2049, 12, 31)
_ONE_DAY = dt.timedelta(days=1)
_MSPDI = "{http://schemas.microsoft.com/project}"


def week_hours(context: ProjectContext, calendar: Any) -> tuple[float, ...]:
    """Working hours Monday..Sunday of a calendar's default week, each 0 to 24, to 0.01 h."""
    if calendar is None:
        return _DEFAULT_WEEK
    hours = []
    for day in context.java.DayOfWeek.values():  # MONDAY .. SUNDAY
        work = calendar.getWork(day, context.java.TimeUnit.HOURS)
        value = python_number(work.getDuration()) if work is not None else 0.0
        hours.append(min(24.0, max(0.0, round(value or 0.0, 2))))
    return tuple(hours)


def resolved_calendar(context: ProjectContext, calendar: Any, owner: str) -> Any:
    """``calendar`` if MPXJ can resolve it, else the project calendar, with a note naming both.

    A calendar cannot be resolved when it inherits days from a base calendar that is
    not in the file, or when MPXJ fails on it (a Java exception). None (no calendar of
    its own) is the project calendar.
    """
    if calendar is None:
        return context.default_calendar
    try:
        problem = _unresolved(context, calendar)
    except context.jpype.JException as exc:
        raise_if_interrupted(exc)
        problem = f"MPXJ cannot resolve it ({java_message(exc)})"
    if problem is None:
        return calendar
    fallback = context.default_calendar
    instead = (
        f"the project calendar {python_text(fallback.getName())!r}"
        if fallback is not None and fallback is not calendar
        else "8 h Monday to Friday"
    )
    name = python_text(calendar.getName()) or f"(unique id {calendar.getUniqueID()})"
    context.notes.append(f"calendar {name!r} of {owner} skipped: {problem}; {instead} used instead")
    return fallback if fallback is not calendar else None


def _unresolved(context: ProjectContext, calendar: Any) -> str | None:
    """Why ``calendar`` cannot be used, or None; calls what the import calls on it."""
    for day in context.java.DayOfWeek.values():
        if str(calendar.getCalendarDayType(day)) == "DEFAULT" and calendar.getParent() is None:
            return "it inherits days from a base calendar that is missing (or is itself)"
    week_hours(context, calendar)
    if context.start is not None:
        begin = dt.datetime.combine(context.start, dt.time())
        calendar.getWork(
            context.java_datetime(begin),
            context.java_datetime(begin + dt.timedelta(days=7)),
            context.java.TimeUnit.HOURS,
        )
    calendar.getExpandedCalendarExceptions()
    return None


def _ancestors(calendar: Any) -> list[Any]:
    """The calendar, its base calendar, that one's base... (each once; empty for None)."""
    chain, seen = [], set()
    while calendar is not None and int(calendar.getUniqueID() or -1) not in seen:
        seen.add(int(calendar.getUniqueID() or -1))
        chain.append(calendar)
        calendar = calendar.getParent()
    return chain


def _exception_span(context: ProjectContext, exception: Any) -> tuple[dt.date, dt.date] | None:
    """The days of a calendar exception inside the window, or None (also when it lacks a
    date)."""
    first, last = python_date(exception.getFromDate()), python_date(exception.getToDate())
    if first is None or last is None:
        return None
    return context.in_window(first, last)


def holiday_rows(context: ProjectContext) -> list[dict[str, Any]]:
    """One ``holidays`` row per non-working day of the project calendar, by date."""
    try:
        return _holiday_rows(context)
    except context.jpype.JException as exc:
        raise_if_interrupted(exc)
        name = python_text(context.default_calendar.getName())
        context.notes.append(
            f"public holidays skipped: MPXJ cannot read the exceptions of the project calendar "
            f"{name!r} ({java_message(exc)})"
        )
        return []


def _holiday_rows(context: ProjectContext) -> list[dict[str, Any]]:
    rows: dict[dt.date, dict[str, Any]] = {}
    for calendar in _ancestors(context.default_calendar):
        for exception in calendar.getExpandedCalendarExceptions():
            if exception.getWorking():
                continue
            span = _exception_span(context, exception)
            if span is None:
                continue
            name = python_text(exception.getName()) or "holiday (project calendar)"
            day = span[0]
            while day <= span[1]:
                rows.setdefault(day, {"region": context.project_id, "date": day, "name": name})
                day += _ONE_DAY
    return [rows[day] for day in sorted(rows)]


def leave_row(
    person_id: str, start: dt.date, end: dt.date, hours_per_day: float | None, reason: str
) -> dict[str, Any]:
    """A ``leave`` row; ``hours_per_day`` None means whole days off."""
    return {
        "person_id": person_id,
        "start": start,
        "end": end,
        "hours_per_day": hours_per_day,
        "reason": reason,
    }


def leave_rows(context: ProjectContext, people: list[Person]) -> list[dict[str, Any]]:
    """``leave`` rows from the exceptions of each person's own calendars (not the project's)."""
    project_calendars = {
        int(calendar.getUniqueID() or -1) for calendar in _ancestors(context.default_calendar)
    }
    rows: list[dict[str, Any]] = []
    for person in people:
        own = person.own_calendar
        try:
            for calendar in _ancestors(own):
                if int(calendar.getUniqueID() or -1) in project_calendars:
                    break
                for exception in calendar.getExpandedCalendarExceptions():
                    rows.extend(_exception_leave(context, person, own, exception))
        except context.jpype.JException as exc:
            raise_if_interrupted(exc)
            context.notes.append(
                f"{person.name}: leave skipped, MPXJ cannot read the exceptions of calendar "
                f"{python_text(own.getName())!r} ({java_message(exc)})"
            )
    return rows


def _exception_leave(
    context: ProjectContext, person: Person, calendar: Any, exception: Any
) -> list[dict[str, Any]]:
    """The leave one calendar exception gives ``person``: days off, or hours lost per day."""
    span = _exception_span(context, exception)
    if span is None:
        return []
    reason = python_text(exception.getName()) or "calendar exception"
    if not exception.getWorking():
        return [leave_row(person.id, span[0], span[1], None, reason)]
    return _reduced_hours_leave(context, person, calendar, span, reason)


def _reduced_hours_leave(
    context: ProjectContext,
    person: Person,
    calendar: Any,
    span: tuple[dt.date, dt.date],
    reason: str,
) -> list[dict[str, Any]]:
    """The hours lost against the default week, one row per run of days losing the same hours."""
    rows: list[dict[str, Any]] = []
    day = span[0]
    while day <= span[1]:
        worked = calendar.getWork(context.java_date(day), context.java.TimeUnit.HOURS)
        lost = round(person.week[day.weekday()] - (python_number(worked.getDuration()) or 0.0), 2)
        if lost > 0:
            previous = rows[-1] if rows else None
            if previous and previous["hours_per_day"] == lost and previous["end"] == day - _ONE_DAY:
                previous["end"] = day
            else:
                rows.append(leave_row(person.id, day, day, lost, reason))
        day += _ONE_DAY
    return rows


def availability_rows(context: ProjectContext, people: list[Person]) -> list[dict[str, Any]]:
    """``availability`` rows of each person not always fully available.

    MS Project's rule: between two periods of the availability table the resource is
    not available (0 %); before the first and after the last, its max units apply
    (the file's ``MaxUnits``; 100 % when the file does not say).
    """
    rows: list[dict[str, Any]] = []
    for person in people:
        try:
            periods = _availability_periods(person)
            person_rows = _outside_the_table(context, person, periods)
        except context.jpype.JException as exc:
            raise_if_interrupted(exc)
            context.notes.append(
                f"{person.name}: availability skipped, MPXJ cannot read it ({java_message(exc)})"
            )
            continue
        previous_last = None
        for first, last, percent in periods:
            if previous_last is not None and first > previous_last + _ONE_DAY:
                gap = (previous_last + _ONE_DAY, first - _ONE_DAY)
                person_rows.append(_availability_row(context, person, *gap, 0.0))
            person_rows.append(_availability_row(context, person, first, last, percent))
            previous_last = last
        kept = sorted((row for row in person_rows if row is not None), key=lambda r: r["start"])
        if any(row["percent"] < 100.0 for row in kept):  # else always fully available
            rows.extend(kept)
    return rows


def _outside_the_table(
    context: ProjectContext, person: Person, periods: list[tuple[dt.date, dt.date, float]]
) -> list[dict[str, Any] | None]:
    """Rows at the resource's max units before the first and after the last period."""
    if not periods:
        return []
    percent = _max_units(context, person)
    if percent is None or percent == 100.0:
        return []
    rows = []
    first, last = periods[0][0], periods[-1][1]
    if first > _OPEN_START:
        rows.append(_availability_row(context, person, _OPEN_START, first - _ONE_DAY, percent))
    if last < _OPEN_END:
        rows.append(_availability_row(context, person, last + _ONE_DAY, _OPEN_END, percent))
    return rows


def _max_units(context: ProjectContext, person: Person) -> float | None:
    """The resource's max units in percent: MPXJ's, else the MS Project XML's ``MaxUnits``.

    MPXJ keeps no max units for a resource with an availability table, so for MS
    Project XML the value is read from the file (None when it has none).
    """
    value = python_number(person.resource.getMaxUnits())
    if value is not None:
        return value
    if python_text(context.props.getFileType()) != "MSPDI":
        return None
    uid = person.resource.getUniqueID()
    return _mspdi_max_units(context).get(int(uid)) if uid is not None else None


def _mspdi_max_units(context: ProjectContext) -> dict[int, float]:
    """Resource UID -> ``MaxUnits`` x 100 of an MS Project XML file (read once per file)."""
    if context.mspdi_max_units is None:
        found: dict[int, float] = {}
        try:
            root = ET.parse(context.path).getroot()
        except (ET.ParseError, OSError):
            root = None
        for resource in root.iter(f"{_MSPDI}Resource") if root is not None else ():
            uid, units = resource.find(f"{_MSPDI}UID"), resource.find(f"{_MSPDI}MaxUnits")
            if uid is not None and units is not None and uid.text and units.text:
                found[int(uid.text)] = float(units.text) * 100.0
        context.mspdi_max_units = found
    return context.mspdi_max_units


def _availability_periods(person: Person) -> list[tuple[dt.date, dt.date, float]]:
    """(first day, last day, percent) of each row of the resource's availability, sorted.

    An end at midnight after the first day ends the period the day before;
    open starts and ends become :data:`_OPEN_START` and :data:`_OPEN_END`.
    """
    periods = []
    for item in person.resource.getAvailability():
        span = item.getRange()
        first = python_date(span.getStart()) or _OPEN_START
        end_time = python_datetime(span.getEnd())
        if end_time is None:
            last = _OPEN_END
        elif end_time.time() == dt.time(0, 0) and end_time.date() > first:
            last = (end_time - _ONE_DAY).date()
        else:
            last = end_time.date()
        percent = python_number(item.getUnits())
        periods.append((first, last, 100.0 if percent is None else percent))
    periods.sort()
    return periods


def _availability_row(
    context: ProjectContext, person: Person, first: dt.date, last: dt.date, percent: float
) -> dict[str, Any] | None:
    """An ``availability`` row clipped to start in the window (None if it ends before it).

    A percentage above 100 counts as 100 (one person), with a note.
    """
    if context.window is not None:
        if last < context.window[0]:
            return None
        first = max(first, context.window[0])
    if percent > 100.0:
        context.notes.append(
            f"{person.name}: availability {percent:g} % counted as 100 % (one person)"
        )
    return {
        "person_id": person.id,
        "start": first,
        "end": None if last >= _OPEN_END else last,
        "percent": min(100.0, max(0.0, percent)),
    }
