"""Hours of work per day of each MPXJ resource assignment.

Where the file holds timephased work for an assignment (MS Project XML, MPP),
MPXJ's timephased data is used, so contoured assignments keep their shape.
Elsewhere the assignment's work is spread evenly over the working hours of its
calendar between its start and its finish. MPX dates have no time of day, so
there the finish is taken as the moment the assignment's work is done at its
units (``start + work / units`` working hours, when that is within a day of the
stated finish). An assignment without a finish (MPX files may leave it out)
finishes at the task's start + duration on the resource's calendar, and is
counted in ``AssignmentCounts.finish_from_task`` for the import notes.
GanttProject and Planner files hold no work per assignment (MPXJ reports the
task's), so there the work is the assignment's units times the working hours
between its start and finish.

Hours are per calendar day (the daily shape of the allocation, kept for daily
peaks), floats not yet rounded; :mod:`.mpxj_assignments` sums them per ISO week.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pmo_tui.importers.mpxj_context import UNITS_ONLY_APPLICATIONS, Person, ProjectContext
from pmo_tui.importers.mpxj_values import python_datetime, python_number

__all__ = ["work_per_day"]

_ONE_DAY = dt.timedelta(days=1)


def work_per_day(context: ProjectContext, assignment: Any, person: Person) -> dict[dt.date, float]:
    """Hours of work of one assignment (with a start) per day, days with work only.

    Counts in ``context.counts`` whether the file's timephased work was used or
    the work was spread over the calendar, and whether the finish came from the task.
    """
    start = python_datetime(assignment.getStart())
    assert start is not None  # the caller skips assignments without a start
    finish = python_datetime(assignment.getFinish())
    if finish is None:
        finish = _finish_from_task(context, assignment, person, start)
    raw = _raw_timephased(assignment)
    if raw:
        context.counts.timephased += 1
        starts = [when for item in raw if (when := python_datetime(item.getStart())) is not None]
        finishes = [when for item in raw if (when := python_datetime(item.getFinish())) is not None]
        return _timephased_days(
            context, assignment, min([start, *starts]), max([finish, *finishes])
        )
    context.counts.spread += 1
    return _spread_days(context, assignment, person, start, finish)


def _finish_from_task(
    context: ProjectContext, assignment: Any, person: Person, start: dt.datetime
) -> dt.datetime:
    """The finish of an assignment the file gives none: its start + the task's duration
    on the resource's calendar (MS Project schedules an assignment on its resource's
    calendar); the start when the task has no duration either."""
    task = assignment.getTask()
    duration = task.getDuration() if task is not None else None
    calendar = _calendar_of(assignment, person)
    if duration is None or calendar is None or not (context.hours(duration) or 0) > 0:
        return start
    context.counts.finish_from_task += 1
    finish = python_datetime(calendar.getDate(context.java_datetime(start), duration))
    return max(finish, start) if finish is not None else start


def _calendar_of(assignment: Any, person: Person) -> Any:
    """The assignment's calendar; the person's when the resource's own cannot be resolved."""
    if person.own_calendar is None and person.resource.getCalendar() is not None:
        return person.calendar
    return assignment.getEffectiveCalendar() or person.calendar


def _raw_timephased(assignment: Any) -> list[Any]:
    """Every raw timephased work item of the assignment (actual, remaining, planned)."""
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


def _days_between(first: dt.datetime, last: dt.datetime) -> list[dt.date]:
    """The days from ``first``'s to the one before ``last`` (at least ``first``'s day)."""
    day = first.date()
    days: list[dt.date] = []
    while dt.datetime.combine(day, dt.time()) < last or not days:
        days.append(day)
        day += _ONE_DAY
    return days


def _timephased_days(
    context: ProjectContext, assignment: Any, first: dt.datetime, last: dt.datetime
) -> dict[dt.date, float]:
    """The assignment's timephased work per day from ``first`` to ``last``, days with work."""
    days = _days_between(first, last)
    ranges = context.java.ArrayList()
    for day in days:
        begin = dt.datetime.combine(day, dt.time())
        ranges.add(
            context.java.LocalDateTimeRange(
                context.java_datetime(begin), context.java_datetime(begin + _ONE_DAY)
            )
        )
    values = assignment.getTimephasedWork(ranges, context.java.TimeUnit.HOURS)
    hours_by_day: dict[dt.date, float] = {}
    for day, value in zip(days, values, strict=True):
        hours = context.hours(value)
        if hours:
            hours_by_day[day] = hours
    return hours_by_day


def _working_hours(
    context: ProjectContext, calendar: Any, begin: dt.datetime, stop: dt.datetime
) -> float | None:
    """The calendar's working hours from ``begin`` to ``stop``."""
    work = calendar.getWork(
        context.java_datetime(begin), context.java_datetime(stop), context.java.TimeUnit.HOURS
    )
    return context.hours(work)


def _spread_days(
    context: ProjectContext,
    assignment: Any,
    person: Person,
    start: dt.datetime,
    finish: dt.datetime,
) -> dict[dt.date, float]:
    """The assignment's work spread evenly over the working hours of its calendar."""
    calendar = _calendar_of(assignment, person)
    units = python_number(assignment.getUnits())
    units = 100.0 if units is None else units
    work = (
        None
        if context.application in UNITS_ONLY_APPLICATIONS
        else context.hours(assignment.getWork())
    )
    if calendar is None:
        return _spread_without_calendar(start, finish, work, units)
    end = finish
    if work is None:
        work = (_working_hours(context, calendar, start, finish) or 0.0) * units / 100.0
    elif units > 0 and work > 0:
        end = _end_of_work(context, calendar, start, finish, work, units)
    if not work or work <= 0:
        return {}
    return _spread_over_calendar(context, calendar, start, end, work)


def _end_of_work(
    context: ProjectContext,
    calendar: Any,
    start: dt.datetime,
    finish: dt.datetime,
    work: float,
    units: float,
) -> dt.datetime:
    """When ``work`` hours at ``units`` % are done, if within a day of ``finish``; else finish.

    Date-only formats (MPX) lose the finish time: trust start + work/units within a day.
    """
    done = python_datetime(
        calendar.getDate(
            context.java_datetime(start),
            context.java.Duration.getInstance(work * 100.0 / units, context.java.TimeUnit.HOURS),
        )
    )
    if done is not None and abs(done - finish) <= dt.timedelta(days=1):
        return max(done, start)
    return finish


def _spread_over_calendar(
    context: ProjectContext, calendar: Any, start: dt.datetime, end: dt.datetime, work: float
) -> dict[dt.date, float]:
    """``work`` hours shared among the days in proportion to their working hours.

    All of it goes to the first day when the calendar has no working hours then.
    """
    days = _days_between(start, end)
    available_by_day = []
    for day in days:
        begin = max(start, dt.datetime.combine(day, dt.time()))
        stop = min(end, dt.datetime.combine(day + _ONE_DAY, dt.time()))
        hours = 0.0
        if stop > begin:
            hours = _working_hours(context, calendar, begin, stop) or 0.0
        available_by_day.append(hours)
    total = sum(available_by_day)
    if total <= 0:
        return {days[0]: work}
    return {
        day: work * hours / total
        for day, hours in zip(days, available_by_day, strict=True)
        if hours > 0
    }


def _spread_without_calendar(
    start: dt.datetime, finish: dt.datetime, work: float | None, units: float
) -> dict[dt.date, float]:
    """Without any calendar: ``work`` (else 8 h a day at ``units`` %) over Monday..Friday."""
    days = []
    day = start.date()
    while day <= finish.date():
        if day.weekday() < 5:
            days.append(day)
        day += _ONE_DAY
    if work is None:
        work = len(days) * 8.0 * units / 100.0
    if not days or work <= 0:
        return {start.date(): work} if work and work > 0 else {}
    return {day: work / len(days) for day in days}
