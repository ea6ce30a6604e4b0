"""Demand and soft allocation from the resource assignments of an MPXJ project.

One demand per (task, person) assignment, id ``<project>:<task unique id>:<resource
unique id>``, for the role the assignment asks for (Primavera) or else the person's
skill, at level 1; an assignment of a role or generic resource is demand only
(no allocation: nobody is booked yet); its work per ISO week (the sum of
its days, see :mod:`.mpxj_work`), rounded half-up to 0.1 h, is both the demand's
hours and the person's soft allocation. The work per day (to 0.01 h) is the
allocation's daily shape (``allocation_day``), for daily peaks. Assignments of skipped resources, without a resource,
without dates or without work are counted in ``context.counts`` and left out, and so
is one MPXJ cannot read (with a note naming it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pmo_tui.importers.mpxj_context import Person, ProjectContext
from pmo_tui.importers.mpxj_values import (
    java_message,
    monday_of,
    name_slug,
    python_text,
    raise_if_interrupted,
    round_hours,
)
from pmo_tui.importers.mpxj_work import work_per_day

__all__ = ["AssignmentRows", "assignment_rows"]

Row = dict[str, Any]


@dataclass
class AssignmentRows:
    """The rows of the bundle parts made from the assignments."""

    demand: list[Row] = field(default_factory=list)
    demand_week: list[Row] = field(default_factory=list)
    allocation: list[Row] = field(default_factory=list)
    allocation_day: list[Row] = field(default_factory=list)


def assignment_rows(context: ProjectContext, person_of_uid: dict[int, Person]) -> AssignmentRows:
    """The ``demand``, ``demand_week``, ``allocation`` and ``allocation_day`` rows."""
    demand_rows: dict[str, Row] = {}
    person_of_demand: dict[str, str] = {}
    hours_by_demand: dict[str, dict[dt.date, float]] = {}
    for assignment in context.project.getResourceAssignments():
        person = _person_of(context, assignment, person_of_uid)
        if person is None:
            continue
        if assignment.getStart() is None:
            context.counts.without_dates += 1
            continue
        try:
            days = work_per_day(context, assignment, person)
        except context.jpype.JException as exc:
            raise_if_interrupted(exc)
            context.counts.unreadable += 1
            context.notes.append(
                f"skipped the assignment of {person.name!r} to {_task_name(assignment)!r}: "
                f"MPXJ cannot read its work ({java_message(exc)})"
            )
            continue
        if not any(hours > 0 for hours in days.values()):
            context.counts.without_work += 1
            continue
        demand = _demand_row(context, assignment, person)
        demand_rows.setdefault(demand["id"], demand)
        if person.is_role:
            context.counts.for_roles += 1
        else:
            person_of_demand[demand["id"]] = person.id
        hours_by_day = hours_by_demand.setdefault(demand["id"], defaultdict(float))
        for day, hours in days.items():
            hours_by_day[day] += hours
    rows = AssignmentRows(demand=list(demand_rows.values()))
    _weekly_rows(context, hours_by_demand, person_of_demand, rows)
    return rows


def _person_of(
    context: ProjectContext, assignment: Any, person_of_uid: dict[int, Person]
) -> Person | None:
    """The person assigned, or None (counted as a skipped kind or as without a person)."""
    uid = assignment.getResourceUniqueID()
    uid = int(uid) if uid is not None else None
    person = person_of_uid.get(uid) if uid is not None else None
    if person is None:
        if uid in context.skipped:
            context.counts.skipped_by_kind[context.skipped[uid]] += 1
        else:
            context.counts.without_person += 1
    return person


def _task_name(assignment: Any) -> str | None:
    task = assignment.getTask()
    return python_text(task.getName()) if task is not None else None


def _skill_of(assignment: Any, person: Person) -> str | None:
    """The demand's skill: the role the assignment asks for (Primavera), else the person's.

    A person filling a role holds its skill (added to ``person.skills``).
    """
    role = assignment.getRole()
    name = python_text(role.getName()) if role is not None else None
    if not name or not name_slug(name):
        return person.skill_id
    person.skills.setdefault(name_slug(name), name)
    return name_slug(name)


def _demand_row(context: ProjectContext, assignment: Any, person: Person) -> Row:
    """The ``demand`` row of an assignment: the task's name as description."""
    task = assignment.getTask()
    task_uid = task.getUniqueID() if task is not None else None
    task_key = int(task_uid) if task_uid is not None else "-"
    resource_uid = int(assignment.getResourceUniqueID())
    return {
        "id": f"{context.project_id}:{task_key}:{resource_uid}",
        "project_id": context.project_id,
        "skill_id": _skill_of(assignment, person),
        "min_level": 1,
        "description": python_text(task.getName()) if task is not None else None,
    }


def _booked(context: ProjectContext, person_id: str, demand_id: str) -> Row:
    """The keys of a person's booking on a demand of this project."""
    return {"person_id": person_id, "project_id": context.project_id, "demand_id": demand_id}


def _weekly_rows(
    context: ProjectContext,
    hours_by_demand: dict[str, dict[dt.date, float]],
    person_of_demand: dict[str, str],
    rows: AssignmentRows,
) -> None:
    """Add the weekly and daily rows, by demand then week; weeks rounding to 0 left out."""
    for demand_id, days in hours_by_demand.items():
        person_id = person_of_demand.get(demand_id)  # None: demand for a role
        weeks: dict[dt.date, float] = defaultdict(float)
        for day, hours in days.items():
            weeks[monday_of(day)] += hours
        for week in sorted(weeks):
            hours = round_hours(weeks[week])
            if hours <= 0:
                continue
            rows.demand_week.append({"demand_id": demand_id, "week": week, "hours": hours})
            if person_id is not None:
                booking = {"week": week, "hours": hours, "kind": "soft", "pinned": False}
                rows.allocation.append(_booked(context, person_id, demand_id) | booking)
        if person_id is None:
            continue
        rows.allocation_day.extend(
            _booked(context, person_id, demand_id) | {"date": day, "hours": round(days[day], 2)}
            for day in sorted(days)
            if round(days[day], 2) > 0
        )
