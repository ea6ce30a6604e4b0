"""People and skills from the WORK resources of an MPXJ project.

A WORK resource with a name becomes a person (material and cost resources,
and resources without a name, are skipped with a note). Its group
(GanttProject: role) becomes a skill that the person holds at level 3; its
``region`` is the project id, so the project calendar's holidays apply.
"""

from __future__ import annotations

from typing import Any

from pmo_tui.importers.mpxj_calendars import week_hours
from pmo_tui.importers.mpxj_context import Person, ProjectContext
from pmo_tui.importers.mpxj_values import name_slug, python_text
from pmo_tui.store.tables import WEEKDAY_COLUMNS

__all__ = ["person_row", "person_skill_rows", "read_people", "skills_of"]

#: The level every imported person holds their role's skill at.
SKILL_LEVEL = 3


def read_people(context: ProjectContext) -> tuple[list[Person], dict[int, Person]]:
    """The people of the project, and each by its resource's unique id.

    Person ids are slugs of the names, made unique with ``-2``, ``-3``...
    Skipped resources get a note in ``context.notes`` and their kind in
    ``context.skipped``.
    """
    people: list[Person] = []
    by_uid: dict[int, Person] = {}
    taken: set[str] = set()
    for resource in context.project.getResources():
        name = python_text(resource.getName())
        kind = str(resource.getType()) if resource.getType() is not None else "WORK"
        uid = int(resource.getUniqueID()) if resource.getUniqueID() is not None else None
        if kind != "WORK":
            label = kind.lower()
            context.notes.append(f"skipped {label} resource {name or f'(unique id {uid})'!r}")
            _mark_skipped(context, uid, label)
            continue
        if name is None:
            context.notes.append(f"skipped resource without a name (unique id {uid})")
            _mark_skipped(context, uid, "unnamed")
            continue
        person_id = _unique(name_slug(name) or f"resource-{uid}", taken)
        person = _person(context, resource, name, person_id)
        people.append(person)
        if uid is not None:
            by_uid[uid] = person
    return people, by_uid


def _person(context: ProjectContext, resource: Any, name: str, person_id: str) -> Person:
    """The person for a named WORK resource; its calendar defaults to the project's."""
    group = python_text(resource.getGroup())
    calendar = resource.getCalendar() or context.default_calendar
    return Person(
        id=person_id,
        name=name,
        resource=resource,
        calendar=calendar,
        week=week_hours(context, calendar),
        skill_id=(name_slug(group) or None) if group else None,
    )


def _mark_skipped(context: ProjectContext, uid: int | None, label: str) -> None:
    if uid is not None:
        context.skipped[uid] = label


def _unique(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever is not taken yet; marks it taken."""
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    taken.add(candidate)
    return candidate


def skills_of(people: list[Person]) -> list[tuple[str, str | None]]:
    """(skill id, name) of each distinct skill, sorted by id; the name is the first group seen.

    One skill per id: "Architect" and "architect" are the same skill.
    """
    skill_names: dict[str, str | None] = {}
    for person in people:
        if person.skill_id:
            skill_names.setdefault(person.skill_id, python_text(person.resource.getGroup()))
    return sorted(skill_names.items())


def person_skill_rows(people: list[Person]) -> list[dict[str, Any]]:
    """One ``person_skills`` row per person with a skill, at :data:`SKILL_LEVEL`."""
    return [
        {"person_id": person.id, "skill_id": person.skill_id, "level": SKILL_LEVEL}
        for person in people
        if person.skill_id
    ]


def person_row(context: ProjectContext, person: Person) -> dict[str, Any]:
    """The ``people`` row of ``person``: name, e-mail, role, region and weekday hours."""
    row: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        "email": python_text(person.resource.getEmailAddress()),
        "role": python_text(person.resource.getGroup()),
        "region": context.project_id,
    }
    row.update(dict(zip(WEEKDAY_COLUMNS, person.week, strict=True)))
    return row
