"""Hours of work per ISO week of each MPXJ resource assignment.

Where the file holds timephased work for an assignment (MS Project XML, MPP),
MPXJ's timephased data is used, so contoured assignments keep their shape.
Elsewhere the assignment's work is spread evenly over the working hours of its
calendar between its start and its finish. MPX dates have no time of day, so
there the finish is taken as the moment the assignment's work is done at its
units (``start + work / units`` working hours, when that is within a day of the
stated finish). GanttProject and Planner files hold no work per assignment
(MPXJ reports the task's), so there the work is the assignment's units times
the working hours between its start and finish.

Weeks are keyed by their Monday; hours are floats, not yet rounded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from pmo_tui.importers.mpxj_context import UNITS_ONLY_APPLICATIONS, Person, ProjectContext
from pmo_tui.importers.mpxj_values import monday_of, python_datetime, python_number

__all__ = ["work_per_week"]

_ONE_WEEK = dt.timedelta(days=7)


def work_per_week(context: ProjectContext, assignment: Any, person: Person) -> dict[dt.date, float]:
    """Hours of work of one assignment (with a start) per ISO week (the Monday).

    Counts in ``context.counts`` whether the file's timephased work was used or
    the work was spread over the calendar.
    """
    start = python_datetime(assignment.getStart())
    assert start is not None  # the caller skips assignments without a start
    finish = python_datetime(assignment.getFinish()) or start
    raw = _raw_timephased(assignment)
    if raw:
        context.counts.timephased += 1
        starts = [when for item in raw if (when := python_datetime(item.getStart())) is not None]
        finishes = [when for item in raw if (when := python_datetime(item.getFinish())) is not None]
        return _timephased_weeks(
            context, assignment, min([start, *starts]), max([finish, *finishes])
        )
    context.counts.spread += 1
    return _spread_weeks(context, assignment, person, start, finish)


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


def _mondays_between(first: dt.datetime, last: dt.datetime) -> list[dt.date]:
    """The Mondays of the weeks from ``first`` to before ``last`` (at least ``first``'s week)."""
    monday = monday_of(first.date())
    mondays: list[dt.date] = []
    while dt.datetime.combine(monday, dt.time()) < last or not mondays:
        mondays.append(monday)
        monday += _ONE_WEEK
    return mondays


def _timephased_weeks(
    context: ProjectContext, assignment: Any, first: dt.datetime, last: dt.datetime
) -> dict[dt.date, float]:
    """The assignment's timephased work per week from ``first`` to ``last``, weeks with work."""
    mondays = _mondays_between(first, last)
    ranges = context.java.ArrayList()
    for monday in mondays:
        begin = dt.datetime.combine(monday, dt.time())
        ranges.add(
            context.java.LocalDateTimeRange(
                context.java_datetime(begin), context.java_datetime(begin + _ONE_WEEK)
            )
        )
    values = assignment.getTimephasedWork(ranges, context.java.TimeUnit.HOURS)
    weeks: dict[dt.date, float] = {}
    for monday, value in zip(mondays, values, strict=True):
        hours = context.hours(value)
        if hours:
            weeks[monday] = hours
    return weeks


def _working_hours(
    context: ProjectContext, calendar: Any, begin: dt.datetime, stop: dt.datetime
) -> float | None:
    """The calendar's working hours from ``begin`` to ``stop``."""
    work = calendar.getWork(
        context.java_datetime(begin), context.java_datetime(stop), context.java.TimeUnit.HOURS
    )
    return context.hours(work)


def _spread_weeks(
    context: ProjectContext,
    assignment: Any,
    person: Person,
    start: dt.datetime,
    finish: dt.datetime,
) -> dict[dt.date, float]:
    """The assignment's work spread evenly over the working hours of its calendar."""
    calendar = assignment.getEffectiveCalendar() or person.calendar
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
    """``work`` hours shared among the weeks in proportion to their working hours.

    All of it goes to the first week when the calendar has no working hours then.
    """
    mondays = _mondays_between(start, end)
    available_by_week = []
    for monday in mondays:
        begin = max(start, dt.datetime.combine(monday, dt.time()))
        stop = min(end, dt.datetime.combine(monday + _ONE_WEEK, dt.time()))
        hours = 0.0
        if stop > begin:
            hours = _working_hours(context, calendar, begin, stop) or 0.0
        available_by_week.append(hours)
    total = sum(available_by_week)
    if total <= 0:
        return {mondays[0]: work}
    return {
        monday: work * hours / total
        for monday, hours in zip(mondays, available_by_week, strict=True)
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
        day += dt.timedelta(days=1)
    if work is None:
        work = len(days) * 8.0 * units / 100.0
    if not days or work <= 0:
        return {monday_of(start.date()): work} if work and work > 0 else {}
    weeks: dict[dt.date, float] = defaultdict(float)
    for day in days:
        weeks[monday_of(day)] += work / len(days)
    return dict(weeks)
