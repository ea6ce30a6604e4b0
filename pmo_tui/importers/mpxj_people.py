"""People, roles and skills from the WORK resources of an MPXJ project.

A WORK resource with a name becomes a person (material and cost resources,
and resources without a name, are skipped with a note). Its group
(GanttProject: role) becomes a skill that the person holds at level 3, else its
primary role (Primavera); a role the person fills in an assignment is a skill
too (:mod:`.mpxj_assignments`). Its ``region`` is the project id, so the
project calendar's holidays apply.

Roles (Primavera roles) and generic resources (MS Project) are not people: no
capacity enters the pool for them. Each is a skill named after it, and its
assignments are demand for that skill (:mod:`.mpxj_assignments`).

A resource whose calendar MPXJ cannot resolve keeps the project calendar, and a
resource MPXJ cannot read at all is skipped; both with a note naming them.
"""

from __future__ import annotations

from typing import Any

from pmo_tui.importers.mpxj_calendars import resolved_calendar, week_hours
from pmo_tui.importers.mpxj_context import Person, ProjectContext
from pmo_tui.importers.mpxj_values import java_message, name_slug, python_text, raise_if_interrupted
from pmo_tui.store.tables import WEEKDAY_COLUMNS

__all__ = ["person_row", "person_skill_rows", "read_people", "skills_of"]

#: The level every imported person holds their role's skill at.
SKILL_LEVEL = 3


def read_people(context: ProjectContext) -> tuple[list[Person], dict[int, Person]]:
    """The people of the project, and each person or role by its resource's unique id.

    Person ids are slugs of the names, made unique with ``-2``, ``-3``...
    Skipped resources get a note in ``context.notes`` and their kind in
    ``context.skipped``; roles are in the mapping (``is_role``) but not in the list.
    """
    people: list[Person] = []
    by_uid: dict[int, Person] = {}
    taken: set[str] = set()
    for resource in context.project.getResources():
        try:
            person = _read_resource(context, resource, taken)
        except context.jpype.JException as exc:
            raise_if_interrupted(exc)
            uid = _uid(resource)
            context.notes.append(
                f"skipped resource {_label(resource)}: MPXJ cannot read it ({java_message(exc)})"
            )
            _mark_skipped(context, uid, "unreadable")
            context.counts.unreadable += 1
            continue
        if person is None:
            continue
        if not person.is_role:
            people.append(person)
        uid = _uid(resource)
        if uid is not None:
            by_uid[uid] = person
    return people, by_uid


def _uid(resource: Any) -> int | None:
    return int(resource.getUniqueID()) if resource.getUniqueID() is not None else None


def _label(resource: Any) -> str:
    name = python_text(resource.getName())
    return repr(name) if name else f"(unique id {_uid(resource)})"


def _read_resource(context: ProjectContext, resource: Any, taken: set[str]) -> Person | None:
    """The person (or role) of a resource; None, with a note, for one that is neither."""
    name = python_text(resource.getName())
    kind = str(resource.getType()) if resource.getType() is not None else "WORK"
    uid = _uid(resource)
    if kind != "WORK":
        label = kind.lower()
        context.notes.append(f"skipped {label} resource {name or f'(unique id {uid})'!r}")
        _mark_skipped(context, uid, label)
        return None
    if name is None:
        context.notes.append(f"skipped resource without a name (unique id {uid})")
        _mark_skipped(context, uid, "unnamed")
        return None
    if bool(resource.getRole()) or bool(resource.getGeneric()):
        return _role(context, resource, name)
    return _person(context, resource, name, _unique(name_slug(name) or f"resource-{uid}", taken))


def _role(context: ProjectContext, resource: Any, name: str) -> Person:
    """A role or generic resource: a skill named after it, demand only (see the module)."""
    kind = "Primavera role" if bool(resource.getRole()) else "generic resource"
    context.notes.append(f"{kind} {name!r} is demand for the skill {name!r}, not a person")
    skill_id = name_slug(name) or f"role-{_uid(resource)}"
    return _resource_person(context, resource, name, skill_id, {skill_id: name}, is_role=True)


def _person(context: ProjectContext, resource: Any, name: str, person_id: str) -> Person:
    """The person for a named WORK resource: skills from its group and primary role."""
    skills: dict[str, str] = {}
    for label in (python_text(resource.getGroup()), _primary_role(resource)):
        if label and name_slug(label):
            skills.setdefault(name_slug(label), label)
    return _resource_person(context, resource, name, person_id, skills, is_role=False)


def _resource_person(
    context: ProjectContext,
    resource: Any,
    name: str,
    person_id: str,
    skills: dict[str, str],
    *,
    is_role: bool,
) -> Person:
    """A :class:`Person` on the resource's calendar (resolved; else the project's)."""
    own = resource.getCalendar()
    calendar = resolved_calendar(context, own, name)
    return Person(
        id=person_id,
        name=name,
        resource=resource,
        calendar=calendar,
        week=week_hours(context, calendar),
        skill_id=next(iter(skills), None),
        is_role=is_role,
        skills=skills,
        own_calendar=own if own is not None and calendar is own else None,
    )


def _primary_role(resource: Any) -> str | None:
    role = resource.getPrimaryRole()
    return python_text(role.getName()) if role is not None else None


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


def skills_of(people: list[Person], roles: list[Person]) -> list[tuple[str, str | None]]:
    """(skill id, name) of each distinct skill of people and roles, sorted by id.

    One skill per id: "Architect" and "architect" are the same skill (the first name seen).
    """
    skill_names: dict[str, str | None] = {}
    for person in [*people, *roles]:
        for skill_id, name in person.skills.items():
            skill_names.setdefault(skill_id, name)
    return sorted(skill_names.items())


def person_skill_rows(people: list[Person]) -> list[dict[str, Any]]:
    """One ``person_skills`` row per skill a person holds, at :data:`SKILL_LEVEL`."""
    return [
        {"person_id": person.id, "skill_id": skill_id, "level": SKILL_LEVEL}
        for person in people
        for skill_id in person.skills
    ]


def person_row(context: ProjectContext, person: Person) -> dict[str, Any]:
    """The ``people`` row of ``person``: name, e-mail, role, region and weekday hours."""
    row: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        "email": python_text(person.resource.getEmailAddress()),
        "role": python_text(person.resource.getGroup()) or _primary_role(person.resource),
        "region": context.project_id,
    }
    row.update(dict(zip(WEEKDAY_COLUMNS, person.week, strict=True)))
    return row
