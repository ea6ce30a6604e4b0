"""Read one project file (MS Project, Primavera, GanttProject, Planner...) into a Bundle.

:func:`read_project_file` reads the file with MPXJ (Java, through jpype; the JVM
starts on first use, see :mod:`._jvm`; which reader and which MPX locale, see
:mod:`.mpxj_read`) and maps
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

The steps live beside this module: people and skills in :mod:`.mpxj_people`;
holidays, leave and availability in :mod:`.mpxj_calendars` (GanttProject
vacations in :mod:`.gantt_vacations`); demand and allocation in
:mod:`.mpxj_assignments`, their work per week in :mod:`.mpxj_work`.

Holidays and leave are kept between 1 January of the year before the project
starts and 31 December of the year after it finishes, to keep them small.

Work per week: the file's timephased work where it holds some (MS Project XML,
MPP), else the assignment's work spread evenly over the working hours of its
calendar; :mod:`.mpxj_work` says how, and what MPX, GanttProject and Planner
files lack.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pmo_tui.errors import UserError
from pmo_tui.importers._jvm import start_jvm
from pmo_tui.importers.bundle import Bundle
from pmo_tui.importers.gantt_vacations import gantt_vacation_rows
from pmo_tui.importers.mpxj_assignments import assignment_rows
from pmo_tui.importers.mpxj_calendars import (
    availability_rows,
    holiday_rows,
    leave_rows,
    resolved_calendar,
)
from pmo_tui.importers.mpxj_context import UNITS_ONLY_APPLICATIONS, ProjectContext
from pmo_tui.importers.mpxj_people import person_row, person_skill_rows, read_people, skills_of
from pmo_tui.importers.mpxj_read import READ_FIX, read_with_mpxj
from pmo_tui.importers.mpxj_values import (
    bundle_frame,
    java_message,
    name_slug,
    project_slug,
    python_text,
    raise_if_interrupted,
)
from pmo_tui.importers.plan_identity import plan_file_of

__all__ = ["IMPORTED_PORTFOLIO", "name_slug", "project_slug", "read_project_file"]

#: The portfolio every imported project file is put in.
IMPORTED_PORTFOLIO = "IMPORTED"
IMPORTED_PORTFOLIO_NAME = "Imported project files"


def read_project_file(path: Path, *, locale: str | None = None) -> Bundle:
    """Read a project file into a :class:`~pmo_tui.importers.bundle.Bundle` holding one project.

    Args:
        path: any plan MPXJ reads (:data:`~.mpxj_read.SUPPORTED_FORMATS`: MS Project
            MPP/XML/MPX, Primavera XER/PMXML, GanttProject, Planner...).
        locale: the language an MPX file was saved in (``de``...); None to detect it.

    Returns:
        The project, its people (merged into the pool by the store), skills,
        holidays, leave, availability, and the assignments' work per ISO week as
        demand and soft allocation. ``notes`` says what was read and skipped.

    Raises:
        UserError: the file is missing, a directory, unreadable, or nothing usable
            remains in it; the ``project-files`` extra or Java is missing. Java
            exceptions never escape.
    """
    path = Path(path)
    jpype = start_jvm()
    plan = read_with_mpxj(jpype, path, locale)
    try:
        context = ProjectContext.of(jpype, plan.project, path)
        context.notes.extend(plan.notes)
        return _bundle(context)
    except jpype.JException as exc:
        raise_if_interrupted(exc)
        raise UserError(
            f"cannot read the plan in this file ({java_message(exc)})", file=str(path), fix=READ_FIX
        ) from None


def _bundle(context: ProjectContext) -> Bundle:
    """Map the project of ``context`` onto a Bundle (see the module docstring)."""
    context.default_calendar = resolved_calendar(context, context.default_calendar, "the project")
    people, person_of_uid = read_people(context)
    assignments = assignment_rows(context, person_of_uid)
    roles = [person for person in person_of_uid.values() if person.is_role]
    skills = skills_of(people, roles)
    if not people and not assignments.demand and context.counts.unreadable:
        raise UserError(
            "nothing in this file could be read: " + "; ".join(context.notes[-3:]),
            file=str(context.path),
            fix=READ_FIX,
        )
    bundle = Bundle(source=str(context.path))
    bundle.portfolios = bundle_frame(
        "portfolios", [{"id": IMPORTED_PORTFOLIO, "name": IMPORTED_PORTFOLIO_NAME}]
    )
    bundle.projects = bundle_frame("projects", [_project_row(context)])
    bundle.skills = bundle_frame("skills", [{"id": sid, "name": name} for sid, name in skills])
    bundle.people = bundle_frame("people", [person_row(context, person) for person in people])
    bundle.person_skills = bundle_frame("person_skills", person_skill_rows(people))
    bundle.holidays = bundle_frame("holidays", holiday_rows(context))
    leave = leave_rows(context, people) + gantt_vacation_rows(context, person_of_uid)
    bundle.leave = bundle_frame("leave", leave).unique(maintain_order=True)
    bundle.availability = bundle_frame("availability", availability_rows(context, people))
    bundle.demand = bundle_frame("demand", assignments.demand)
    bundle.demand_week = bundle_frame("demand_week", assignments.demand_week)
    bundle.allocation = bundle_frame("allocation", assignments.allocation)
    bundle.allocation_day = bundle_frame("allocation_day", assignments.allocation_day)
    bundle.plan_file = plan_file_of(context, bundle)
    bundle.notes = _summary(context, len(people), len(skills), len(assignments.demand))
    bundle.notes += context.notes
    return bundle


def _project_row(context: ProjectContext) -> dict[str, Any]:
    """The ``projects`` row: in :data:`IMPORTED_PORTFOLIO`, executing, priority 3, green."""
    props = context.props
    name = python_text(props.getProjectTitle()) or python_text(props.getName()) or context.path.stem
    return {
        "id": context.project_id,
        "name": name,
        "portfolio_id": IMPORTED_PORTFOLIO,
        "phase": "execution",
        "priority": 3,
        "start": context.start,
        "finish": context.finish,
        "rag": "green",
        "source_file": context.path.name,
    }


def _summary(
    context: ProjectContext, people_count: int, skill_count: int, demand_count: int
) -> list[str]:
    """Notes on what was read: counts, how the work per week was found, what was skipped."""
    read = (
        f"{context.path.name}: {people_count} people, {demand_count} assignments, "
        f"{skill_count} skills from roles"
    )
    notes = [read]
    how = _how_work_was_read(context)
    if how:
        notes.append("assignments: " + "; ".join(how))
    counts = context.counts
    for kind, count in sorted(counts.skipped_by_kind.items()):
        notes.append(f"skipped {count} assignments of {kind} resources")
    if counts.for_roles:
        notes.append(
            f"{counts.for_roles} assignments of roles or generic resources are demand "
            "for their skill, with nobody booked"
        )
    if counts.finish_from_task:
        notes.append(
            f"{counts.finish_from_task} assignments had no finish in the file: each finishes "
            "at its start + the task's duration on the resource's calendar"
        )
    for count, why in (
        (counts.without_person, "without a resource"),
        (counts.without_dates, "without dates"),
        (counts.without_work, "without work"),
    ):
        if count:
            notes.append(f"skipped {count} assignments {why}")
    return notes


def _how_work_was_read(context: ProjectContext) -> list[str]:
    """How many assignments used the file's timephased work, and how many were spread."""
    counts = context.counts
    how = []
    if counts.timephased:
        how.append(f"{counts.timephased} with the file's timephased work")
    if counts.spread:
        spread = f"{counts.spread} spread evenly over the working hours of their calendar"
        if context.application in UNITS_ONLY_APPLICATIONS:
            spread += (
                f" (a {context.application} file holds no work per assignment: "
                "work = units x working hours from start to finish)"
            )
        how.append(spread)
    return how
