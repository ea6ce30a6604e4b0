"""Each scenario change kind, applied to a :class:`~pmo_tui.scenarios.overlay.ScenarioState`.

What each change does (docs/scenarios.md has the file format):

- ``add_person``: a person (or placeholder such as ``hire-1``) with skills, a
  working pattern (default 8 h Mon-Fri) and a region (its public holidays);
  ``start``/``end`` become 0 % availability before and after.
- ``remove_person``: 0 % availability from ``from`` (default: the start of the
  horizon); their allocations from that week on are dropped (pinned included).
- ``replace_person``: ``by`` (a new id) gets the person's pattern, region, cost rate
  and skills (unless given) and their allocations from ``from`` on; the person leaves.
- ``capacity``: ``percent`` is an availability period (as ``availability.csv``);
  ``hours_per_week`` sets the capacity of those weeks (not stored: cannot be promoted).
- ``leave``: a leave row (as ``leave.csv``).
- ``shift_project``: its demand weeks, its allocations on them and its start and
  finish move by ``weeks``; a pinned or hard booking on them is an error.
- ``cancel_project``: its demand and all its allocations from ``from`` on are dropped.
- ``add_project`` / ``add_demand``: new demand, ``hours_per_week`` each week.
- ``priority``, ``demand`` (scale by ``percent`` or set ``hours_per_week``).
- ``pin`` / ``unpin``: allocations on demands (unpin also releases hard bookings).
- ``freeze``, ``policy``: fields of :class:`solver.Policy` (``frozen_weeks``, weights, limits).

Errors: :class:`~pmo_tui.errors.UserError` placed at the change, naming unknown
ids with the closest known ones as the fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from typing import Any

import polars as pl

from pmo_tui.domain.horizon import monday
from pmo_tui.planning.inputs import CapacityOverride, shift_project
from pmo_tui.scenarios.overlay import ScenarioState
from pmo_tui.scenarios.schema import WEEKDAYS, Change

#: The working pattern of a new person when the change gives none (hours per weekday).
DEFAULT_PATTERN = {
    "mon": 8.0,
    "tue": 8.0,
    "wed": 8.0,
    "thu": 8.0,
    "fri": 8.0,
    "sat": 0.0,
    "sun": 0.0,
}

ONE_DAY = dt.timedelta(days=1)


# --------------------------------------------------------------------------- helpers
def closest(value: str, known: Iterable[str]) -> str:
    """A fix naming the known ids closest to ``value`` (or how to list them)."""
    matches = difflib.get_close_matches(value, sorted(set(known)), n=3, cutoff=0.5)
    if matches:
        return "did you mean " + ", ".join(repr(match) for match in matches) + "?"
    return "check the id (`pmo-tui capacity --format csv` lists people; projects.csv projects)"


def _require(change: Change, key: str, known: Iterable[str], what: str) -> str:
    value = change.values[key]
    known = list(known)
    if value not in set(known):
        raise change.error(f"unknown {what} {value!r}", column=key, fix=closest(value, known))
    return value


def _require_new(change: Change, key: str, value: str, taken: Iterable[str], what: str) -> None:
    if value in set(taken):
        raise change.error(
            f"{what} {value!r} exists already", column=key, fix=f"give the new {what} another id"
        )


def _skills(change: Change, state: ScenarioState, key: str = "skills") -> dict[str, int]:
    skills = change.values[key]
    for skill in skills:
        if skill not in state.skill_ids:
            raise change.error(
                f"unknown skill {skill!r}",
                column=f"{key}.{skill}",
                fix=closest(skill, state.skill_ids),
            )
    return {skill: int(level) for skill, level in skills.items()}


def _append(state: ScenarioState, table: str, rows: list[dict[str, Any]]) -> None:
    frame = state.tables[table]
    if rows:
        new = pl.DataFrame(rows, schema={name: frame.schema[name] for name in frame.columns})
        state.tables[table] = pl.concat([frame, new], how="vertical")


def _weeks(start: dt.date, end: dt.date) -> list[dt.date]:
    first, last = monday(start), monday(end)
    return [first + dt.timedelta(weeks=k) for k in range((last - first).days // 7 + 1)]


def _between(column: str, start: dt.date | None, end: dt.date | None) -> pl.Expr:
    """``column`` (a week's Monday) in the weeks of ``start``..``end`` (None: open)."""
    expression = pl.lit(True)
    if start is not None:
        expression &= pl.col(column) >= monday(start)
    if end is not None:
        expression &= pl.col(column) <= monday(end)
    return expression


def _not_promotable(state: ScenarioState, change: Change, why: str) -> None:
    state.not_promotable = (*state.not_promotable, f"change {change.number} ({change.kind}): {why}")


# --------------------------------------------------------------------------- people
def _add_person(state: ScenarioState, change: Change) -> None:
    values = change.values
    person_id = values["id"]
    _require_new(change, "id", person_id, state.ids("person"), "person")
    skills = _skills(change, state)
    given = values.get("hours_per_day")
    pattern = {day: float(given.get(day, 0.0)) for day in WEEKDAYS} if given else DEFAULT_PATTERN
    _append(
        state,
        "person",
        [
            {
                "id": person_id,
                "name": values.get("name") or person_id,
                "role": "placeholder",
                "region": values.get("region"),
                "cost_rate": values.get("cost_rate"),
                "max_concurrent_projects": values.get("max_concurrent_projects"),
                **pattern,
            }
        ],
    )
    _append(
        state,
        "person_skill",
        [{"person_id": person_id, "skill_id": s, "level": level} for s, level in skills.items()],
    )
    _employment(state, person_id, values.get("start"), values.get("end"))


def _employment(
    state: ScenarioState, person_id: str, start: dt.date | None, end: dt.date | None
) -> None:
    """0 % availability before ``start`` (from the horizon's start) and after ``end``."""
    rows = []
    first = state.first_day()
    if start is not None and start > first:
        rows.append(
            {"person_id": person_id, "start": first, "end": start - ONE_DAY, "percent": 0.0}
        )
    if end is not None:
        rows.append({"person_id": person_id, "start": end + ONE_DAY, "end": None, "percent": 0.0})
    _append(state, "availability", rows)


def _leaves_from(state: ScenarioState, change: Change, person_id: str) -> dt.date:
    """The day ``person_id`` leaves (``from``, default the horizon's start); 0 % from then on."""
    day = change.values.get("from") or state.first_day()
    _append(
        state, "availability", [{"person_id": person_id, "start": day, "end": None, "percent": 0.0}]
    )
    return day


def _remove_person(state: ScenarioState, change: Change) -> None:
    person_id = _require(change, "person", state.ids("person"), "person")
    day = _leaves_from(state, change, person_id)
    allocations = state.tables["allocation"]
    state.tables["allocation"] = allocations.filter(
        ~((pl.col("person_id") == person_id) & (pl.col("week") >= monday(day)))
    )


def _replace_person(state: ScenarioState, change: Change) -> None:
    values = change.values
    person_id = _require(change, "person", state.ids("person"), "person")
    new_id = values["by"]
    _require_new(change, "by", new_id, state.ids("person"), "person")
    people = state.tables["person"]
    row = people.filter(pl.col("id") == person_id).row(0, named=True)
    row.update(id=new_id, name=values.get("name") or new_id, email=None)
    if "cost_rate" in values:
        row["cost_rate"] = values["cost_rate"]
    _append(state, "person", [row])
    if "skills" in values:
        skill_rows = [
            {"person_id": new_id, "skill_id": s, "level": level}
            for s, level in _skills(change, state).items()
        ]
    else:
        skill_rows = (
            state.tables["person_skill"]
            .filter(pl.col("person_id") == person_id)
            .with_columns(person_id=pl.lit(new_id))
            .to_dicts()
        )
    _append(state, "person_skill", skill_rows)
    day = _leaves_from(state, change, person_id)
    _employment(state, new_id, day, None)
    handed_over = (pl.col("person_id") == person_id) & (pl.col("week") >= monday(day))
    state.tables["allocation"] = state.tables["allocation"].with_columns(
        pl.when(handed_over).then(pl.lit(new_id)).otherwise(pl.col("person_id")).alias("person_id")
    )


def _capacity_change(state: ScenarioState, change: Change) -> None:
    values = change.values
    person_id = _require(change, "person", state.ids("person"), "person")
    if "percent" in values:
        row = {
            "person_id": person_id,
            "start": values["from"],
            "end": values.get("to"),
            "percent": values["percent"],
        }
        _append(state, "availability", [row])
        return
    last = monday(values["to"]) if "to" in values else None
    override = CapacityOverride(person_id, monday(values["from"]), last, values["hours_per_week"])
    state.overrides = (*state.overrides, override)
    _not_promotable(state, change, "hours_per_week has no place in the store (use percent)")


def _leave(state: ScenarioState, change: Change) -> None:
    values = change.values
    person_id = _require(change, "person", state.ids("person"), "person")
    row = {
        "person_id": person_id,
        "start": values["start"],
        "end": values["end"],
        "hours_per_day": values.get("hours_per_day"),
        "reason": values.get("reason") or "scenario",
    }
    _append(state, "leave", [row])


# --------------------------------------------------------------------------- projects
def _project_demands(state: ScenarioState, project_id: str) -> list[str]:
    return state.tables["demand"].filter(pl.col("project_id") == project_id)["id"].to_list()


def _shift_project(state: ScenarioState, change: Change) -> None:
    project_id = _require(change, "project", state.ids("project"), "project")
    demands = _project_demands(state, project_id)
    allocations = state.tables["allocation"]
    on_demand = pl.col("demand_id").is_in(demands)
    fixed = allocations.filter(on_demand & (pl.col("pinned") | (pl.col("kind") == "hard")))
    if fixed.height:
        named = ", ".join(
            f"{r['person_id']} {r['week']} ({r['demand_id']})" for r in fixed.head(5).to_dicts()
        )
        more = f" and {fixed.height - 5} more" if fixed.height > 5 else ""
        raise change.error(
            f"pinned or hard bookings cannot move with the project: {named}{more}",
            column="project",
            fix=f'unpin them first: a change kind = "unpin", project = "{project_id}" before this one',
        )
    state.tables = shift_project(
        state.tables,
        project_id,
        change.values["weeks"],
        move_allocations=True,
        use_allowance=False,
    )


def _cancel_project(state: ScenarioState, change: Change) -> None:
    project_id = _require(change, "project", state.ids("project"), "project")
    start = change.values.get("from")
    demands = _project_demands(state, project_id)
    state.tables["demand_week"] = state.tables["demand_week"].filter(
        ~(pl.col("demand_id").is_in(demands) & _between("week", start, None))
    )
    state.tables["allocation"] = state.tables["allocation"].filter(
        ~((pl.col("project_id") == project_id) & _between("week", start, None))
    )


def _add_demands(
    state: ScenarioState, change: Change, project_id: str, items: list[dict[str, Any]]
) -> None:
    demand_rows, week_rows = [], []
    taken = set(state.ids("demand"))
    for number, item in enumerate(items, start=1):
        demand_id = item.get("id") or _free_id(f"{project_id}-D", taken)
        key = f"demand[{number}].id" if change.kind == "add_project" else "id"
        _require_new(change, key, demand_id, taken, "demand")
        taken.add(demand_id)
        if item["skill"] not in state.skill_ids:
            column = f"demand[{number}].skill" if change.kind == "add_project" else "skill"
            raise change.error(
                f"unknown skill {item['skill']!r}",
                column=column,
                fix=closest(item["skill"], state.skill_ids),
            )
        demand_rows.append(
            {
                "id": demand_id,
                "project_id": project_id,
                "skill_id": item["skill"],
                "min_level": item.get("min_level", 1),
                "description": "scenario",
            }
        )
        week_rows += [
            {"demand_id": demand_id, "week": week, "hours": item["hours_per_week"]}
            for week in _weeks(item["start"], item["end"])
        ]
    _append(state, "demand", demand_rows)
    _append(state, "demand_week", week_rows)


def _free_id(prefix: str, taken: set[str]) -> str:
    number = 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def _add_project(state: ScenarioState, change: Change) -> None:
    values = change.values
    project_id = values["id"]
    _require_new(change, "id", project_id, state.ids("project"), "project")
    if "program" in values:
        _require(change, "program", state.program_ids, "program")
    if "portfolio" in values:
        _require(change, "portfolio", state.portfolio_ids, "portfolio")
    if "program" not in values and "portfolio" not in values:
        _not_promotable(state, change, "a project needs a program or a portfolio in the store")
    demands = values["demand"]
    row = {
        "id": project_id,
        "name": values.get("name") or project_id,
        "program_id": values.get("program"),
        "portfolio_id": values.get("portfolio"),
        "phase": "planning",
        "priority": values.get("priority", 3),
        "start": min(monday(d["start"]) for d in demands),
        "finish": max(monday(d["end"]) for d in demands) + dt.timedelta(days=4),
        "rag": "green",
        "may_shift_weeks": values.get("may_shift_weeks", 0),
    }
    _append(state, "project", [row])
    _add_demands(state, change, project_id, demands)


def _add_demand(state: ScenarioState, change: Change) -> None:
    project_id = _require(change, "project", state.ids("project"), "project")
    _add_demands(state, change, project_id, [change.values])


def _priority(state: ScenarioState, change: Change) -> None:
    project_id = _require(change, "project", state.ids("project"), "project")
    projects = state.tables["project"]
    state.tables["project"] = projects.with_columns(
        pl.when(pl.col("id") == project_id)
        .then(pl.lit(change.values["priority"], dtype=pl.Int64))
        .otherwise(pl.col("priority"))
        .alias("priority")
    )


def _demand(state: ScenarioState, change: Change) -> None:
    values = change.values
    demands = state.tables["demand"]
    for key, column, what in (
        ("project", "project_id", "project"),
        ("demand", "id", "demand"),
        ("skill", "skill_id", "skill"),
    ):
        if key in values:
            known = (
                state.ids("project")
                if key == "project"
                else demands["id"].to_list()
                if key == "demand"
                else state.skill_ids
            )
            _require(change, key, known, what)
            demands = demands.filter(pl.col(column) == values[key])
    chosen = pl.col("demand_id").is_in(demands["id"].to_list()) & _between(
        "week", values.get("from"), values.get("to")
    )
    weeks = state.tables["demand_week"]
    if weeks.filter(chosen).is_empty():
        raise change.error(
            "matches no demand week",
            column="from",
            fix="check the project, demand, skill and dates",
        )
    new_hours = (
        (pl.col("hours") * values["percent"] / 100).round(1)
        if "percent" in values
        else pl.lit(values["hours_per_week"])
    )
    state.tables["demand_week"] = weeks.with_columns(
        pl.when(chosen).then(new_hours).otherwise(pl.col("hours")).alias("hours")
    )


def _pin(state: ScenarioState, change: Change) -> None:
    values = change.values
    chosen = pl.col("demand_id").is_not_null() & _between(
        "week", values.get("from"), values.get("to")
    )
    if "person" in values:
        chosen &= pl.col("person_id") == _require(change, "person", state.ids("person"), "person")
    if "project" in values:
        chosen &= pl.col("project_id") == _require(
            change, "project", state.ids("project"), "project"
        )
    allocations = state.tables["allocation"]
    if allocations.filter(chosen).is_empty():
        raise change.error(
            "matches no allocation on a demand",
            column="person",
            fix="check the person, project and dates",
        )
    pin = change.kind == "pin"
    state.tables["allocation"] = allocations.with_columns(
        pl.when(chosen).then(pl.lit(pin)).otherwise(pl.col("pinned")).alias("pinned"),
        pl.when(chosen & pl.lit(not pin))
        .then(pl.lit("soft"))
        .otherwise(pl.col("kind"))
        .alias("kind"),
    )


def _freeze(state: ScenarioState, change: Change) -> None:
    state.policy["frozen_weeks"] = change.values["weeks"]


def _policy(state: ScenarioState, change: Change) -> None:
    state.policy.update(change.values["fields"])


HANDLERS: dict[str, Callable[[ScenarioState, Change], None]] = {
    "add_person": _add_person,
    "remove_person": _remove_person,
    "replace_person": _replace_person,
    "capacity": _capacity_change,
    "leave": _leave,
    "shift_project": _shift_project,
    "cancel_project": _cancel_project,
    "add_project": _add_project,
    "add_demand": _add_demand,
    "priority": _priority,
    "demand": _demand,
    "pin": _pin,
    "unpin": _pin,
    "freeze": _freeze,
    "policy": _policy,
}


def apply_changes(base: ScenarioState, changes: Iterable[Change]) -> ScenarioState:
    """A new state: ``base`` with ``changes`` applied in order (``base`` is not modified).

    Raises:
        UserError: a change names an unknown person, project, skill or demand, a new id
            that exists already, matches nothing, or shifts pinned work.
    """
    state = base.copy()
    for change in changes:
        HANDLERS[change.kind](state, change)
    return state
