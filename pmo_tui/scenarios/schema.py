"""Scenario files: the TOML format, read and validated (docs/scenarios.md).

A scenario file has a ``name``, an optional ``description``, a ``base`` (``"live"``,
the default, or the path of another scenario file, relative to this one) and a
list of ``[[change]]`` tables, each with a ``kind`` and the keys of
:data:`CHANGE_KINDS`. Dates are TOML dates (``2027-03-01``) or ISO strings.

Validation here is about the file alone (kinds, keys, types, ranges); whether
a person, project or skill exists is checked by :mod:`pmo_tui.scenarios.overlay`
against the data. Every mistake is a :class:`~pmo_tui.errors.UserError` naming the
file, the line of the ``[[change]]`` (as ``row``), the key (as ``column``) and a fix.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmo_tui.errors import UserError, toml_error_line, with_toml_line

#: ``base`` value meaning the live database.
LIVE = "live"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Change kind -> key -> (value type, required). Value types are checked by :func:`_check_value`.
CHANGE_KINDS: dict[str, dict[str, tuple[str, bool]]] = {
    "add_person": {
        "id": ("id", True),
        "name": ("text", False),
        "skills": ("skills", True),
        "region": ("text", False),
        "hours_per_day": ("pattern", False),
        "start": ("date", False),
        "end": ("date", False),
        "cost_rate": ("number", False),
        "max_concurrent_projects": ("positive_whole", False),
    },
    "remove_person": {"person": ("id", True), "from": ("date", False)},
    "replace_person": {
        "person": ("id", True),
        "by": ("id", True),
        "name": ("text", False),
        "from": ("date", False),
        "skills": ("skills", False),
        "cost_rate": ("number", False),
    },
    "capacity": {
        "person": ("id", True),
        "from": ("date", True),
        "to": ("date", False),
        "percent": ("percent", False),
        "hours_per_week": ("week_hours", False),
    },
    "leave": {
        "person": ("id", True),
        "start": ("date", True),
        "end": ("date", True),
        "hours_per_day": ("day_hours", False),
        "reason": ("text", False),
    },
    "shift_project": {"project": ("id", True), "weeks": ("nonzero_whole", True)},
    "cancel_project": {"project": ("id", True), "from": ("date", False)},
    "add_project": {
        "id": ("id", True),
        "name": ("text", False),
        "priority": ("priority", False),
        "program": ("id", False),
        "portfolio": ("id", False),
        "may_shift_weeks": ("shift_allowance", False),
        "demand": ("demands", True),
    },
    "add_demand": {
        "project": ("id", True),
        "id": ("id", False),
        "skill": ("id", True),
        "min_level": ("level", False),
        "start": ("date", True),
        "end": ("date", True),
        "hours_per_week": ("week_hours", True),
    },
    "priority": {"project": ("id", True), "priority": ("priority", True)},
    "demand": {
        "project": ("id", False),
        "demand": ("id", False),
        "skill": ("id", False),
        "from": ("date", False),
        "to": ("date", False),
        "percent": ("scale_percent", False),
        "hours_per_week": ("week_hours", False),
    },
    "pin": {
        "person": ("id", False),
        "project": ("id", False),
        "from": ("date", False),
        "to": ("date", False),
    },
    "unpin": {
        "person": ("id", False),
        "project": ("id", False),
        "from": ("date", False),
        "to": ("date", False),
    },
    "freeze": {"weeks": ("whole", True)},
    "policy": {"weights": ("policy_table", False), "limits": ("policy_table", False)},
}

#: Keys of one demand of ``add_project`` (``[[change.demand]]``).
DEMAND_KEYS: dict[str, tuple[str, bool]] = {
    key: spec for key, spec in CHANGE_KINDS["add_demand"].items() if key != "project"
}

#: Kind -> groups of keys of which exactly one (``one``) or at least one (``any``) is given.
KEY_RULES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "capacity": [("one", ("percent", "hours_per_week"))],
    "demand": [("one", ("percent", "hours_per_week")), ("any", ("project", "demand", "skill"))],
    "pin": [("any", ("person", "project"))],
    "unpin": [("any", ("person", "project"))],
    "policy": [("any", ("weights", "limits"))],
}

_TYPE_TEXT = {
    "id": 'a non-empty text, e.g. "hire-1"',
    "text": "a text",
    "date": "a date, e.g. 2027-03-01",
    "number": "a number of 0 or more",
    "percent": "a percentage from 0 to 100",
    "scale_percent": "a percentage of 0 or more (100 = unchanged)",
    "week_hours": "hours per week from 0 to 168",
    "day_hours": "hours per day from 0 to 24",
    "whole": "a whole number of 0 or more",
    "positive_whole": "a whole number of 1 or more",
    "nonzero_whole": "a whole number of weeks, not 0 (negative = earlier)",
    "shift_allowance": "a whole number of weeks from 0 to 52",
    "priority": "a priority from 1 (highest) to 5",
    "level": "a skill level from 1 to 5",
    "skills": "a table of skill = level, e.g. { data-engineering = 3 }",
    "pattern": "a table of weekday = hours, e.g. { mon = 8, tue = 8, wed = 4 }",
    "demands": "a list of [[change.demand]] tables",
    "policy_table": "a table of policy keys",
}


@dataclass(frozen=True)
class Change:
    """One validated change: its kind, its values (dates as ``datetime.date``) and place."""

    kind: str
    values: dict[str, Any]
    file: str
    number: int  # 1-based position among the file's changes
    line: int | None  # line of its ``[[change]]`` header, when written that way

    def error(
        self, message: str, *, column: str | None = None, fix: str | None = None
    ) -> UserError:
        """A :class:`UserError` placed at this change (line, or change number) and ``column``."""
        where = f"change {self.number} ({self.kind}): {message}"
        return UserError(where, file=self.file, row=self.line, column=column, fix=fix)


@dataclass
class Scenario:
    """A scenario file: its own changes and, resolved, those of its bases first."""

    name: str
    path: Path
    description: str
    base: str  # "live" or the base file as written
    own_changes: list[Change]
    changes: list[Change] = field(default_factory=list)  # bases' first, then its own


def load_scenario(path: Path, _chain: tuple[Path, ...] = ()) -> Scenario:
    """Read and validate the scenario at ``path`` and, recursively, its bases.

    Raises:
        UserError: unreadable file, invalid TOML (with its line), unknown key or kind,
            a value of the wrong type, a missing base, or bases forming a cycle.
    """
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, resolved))
        raise UserError(
            f"the bases form a cycle: {cycle}",
            file=str(path),
            column="base",
            fix='make one of them use base = "live"',
        )
    text = _read_text(path)
    document = _parse(text, path)
    try:
        scenario = _scenario(document, text, path)
    except UserError as error:
        if error.file == str(path) and error.row is None:
            raise with_toml_line(error, text) from None
        raise
    if scenario.base == LIVE:
        scenario.changes = list(scenario.own_changes)
        return scenario
    base_path = (
        (path.parent / scenario.base)
        if not Path(scenario.base).is_absolute()
        else Path(scenario.base)
    )
    if not base_path.is_file():
        raise UserError(
            f"the base scenario {scenario.base!r} does not exist",
            file=str(path),
            column="base",
            fix='give the path of a scenario file relative to this one, or base = "live"',
        )
    base = load_scenario(base_path, (*_chain, resolved))
    scenario.changes = [*base.changes, *scenario.own_changes]
    return scenario


def load_scenarios(paths: list[Path]) -> list[Scenario]:
    """Every scenario of ``paths``, validated, sorted by name; names must be unique.

    Raises:
        UserError: as :func:`load_scenario`, or two files with the same scenario name.
    """
    scenarios = [load_scenario(path) for path in paths]
    seen: dict[str, Path] = {}
    for scenario in scenarios:
        if scenario.name in seen or scenario.name == "base":
            other = seen.get(scenario.name)
            raise UserError(
                f"the scenario name {scenario.name!r} is "
                + (f"also used by {other}" if other else "reserved for the live data"),
                file=str(scenario.path),
                column="name",
                fix="give each scenario its own name",
            )
        seen[scenario.name] = scenario.path
    return sorted(scenarios, key=lambda scenario: scenario.name)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("no such scenario file", file=str(path), fix="check the path") from None
    except UnicodeDecodeError as error:
        data = path.read_bytes()
        raise UserError(
            "the scenario file is not UTF-8 text",
            file=str(path),
            row=data[: error.start].count(b"\n") + 1,
            fix="save it as UTF-8",
        ) from None
    except OSError as error:
        raise UserError(f"cannot read it ({error})", file=str(path), fix="check the file") from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Python 3.11 puts the place only in the message: "... (at line 2, column 9)"
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        raise UserError(
            f"not valid TOML: {error}",
            file=str(path),
            row=int(found.group(1)) if found else toml_error_line(error, text),
            fix="see the scenario file format in docs/scenarios.md",
        ) from None


def _scenario(document: dict[str, Any], text: str, path: Path) -> Scenario:
    allowed = ("name", "description", "base", "change")
    for key in document:
        if key not in allowed:
            raise UserError(
                f"unknown key {key!r}",
                file=str(path),
                column=key,
                fix=f"use {', '.join(allowed)} (changes go in [[change]] tables)",
            )
    name = document.get("name", path.stem)
    base = document.get("base", LIVE)
    for key, value in (
        ("name", name),
        ("base", base),
        ("description", document.get("description", "")),
    ):
        if not isinstance(value, str) or (key != "description" and not value.strip()):
            raise UserError(
                f"{key} must be a text", file=str(path), column=key, fix=f'write {key} = "..."'
            )
    raw_changes = document.get("change", [])
    if not isinstance(raw_changes, list) or not all(isinstance(c, dict) for c in raw_changes):
        raise UserError(
            "change must be a list of [[change]] tables",
            file=str(path),
            column="change",
            fix="write each change as a [[change]] table with a kind",
        )
    lines = [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if re.match(r"\s*\[\[\s*change\s*\]\]", line)
    ]
    changes = [
        _change(raw, str(path), number, lines[number - 1] if number <= len(lines) else None)
        for number, raw in enumerate(raw_changes, start=1)
    ]
    return Scenario(name.strip(), path, document.get("description", ""), base.strip(), changes)


def _change(raw: dict[str, Any], file: str, number: int, line: int | None) -> Change:
    kind = raw.get("kind")
    place = Change(str(kind), {}, file, number, line)
    if not isinstance(kind, str) or kind not in CHANGE_KINDS:
        raise place.error(
            f"unknown kind {kind!r}" if kind is not None else "no kind",
            column="kind",
            fix=f"use one of {', '.join(CHANGE_KINDS)}",
        )
    values = _check_table(raw, CHANGE_KINDS[kind], place, prefix="", skip=("kind",))
    for rule, keys in KEY_RULES.get(kind, []):
        given = [key for key in keys if key in values]
        if (rule == "one" and len(given) != 1) or (rule == "any" and not given):
            need = "exactly one" if rule == "one" else "at least one"
            raise place.error(
                f"give {need} of {', '.join(keys)}", column=keys[0], fix=f"write {keys[0]} = ..."
            )
    if kind == "policy":
        values = {"fields": _policy_fields(values, place)}
    return Change(kind, values, file, number, line)


def _policy_fields(tables: dict[str, Any], place: Change) -> dict[str, Any]:
    """Policy field -> value of a ``policy`` change (the weights and limits of a policy file)."""
    from pmo_tui.planning.policy import policy_values

    try:
        return policy_values(tables, place.file, tables=("weights", "limits"))
    except UserError as error:
        raise place.error(
            error.message,
            column=error.column,
            fix=(error.fix or "") + "; search settings (seed, workers, time) are the same for "
            "every scenario: give them on the command line",
        ) from None


def _check_table(
    raw: dict[str, Any],
    spec: dict[str, tuple[str, bool]],
    place: Change,
    *,
    prefix: str,
    skip: tuple[str, ...] = (),
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in skip:
            continue
        if key not in spec:
            raise place.error(
                f"unknown key {key!r} for {place.kind}",
                column=prefix + key,
                fix=f"use {', '.join(spec)}",
            )
        values[key] = _check_value(value, spec[key][0], place, prefix + key)
    for key, (kind, required) in spec.items():
        if required and key not in values:
            raise place.error(
                f"{prefix + key} is required for {place.kind}",
                column=prefix + key,
                fix=f"add {key} = {_TYPE_TEXT[kind]}",
            )
    for start, end in (("start", "end"), ("from", "to")):
        if start in values and end in values and values[end] < values[start]:
            raise place.error(
                f"{prefix + end} {values[end]} is before {prefix + start} {values[start]}",
                column=prefix + end,
                fix=f"give {end} on or after {start}",
            )
    return values


def _check_value(value: Any, kind: str, place: Change, key: str) -> Any:
    checked = _typed(value, kind, place, key)
    if checked is _INVALID:
        raise place.error(
            f"{key} must be {_TYPE_TEXT[kind]}, not {value!r}",
            column=key,
            fix=f"write {key.rsplit('.', 1)[-1]} = {_TYPE_TEXT[kind]}",
        )
    return checked


_INVALID = object()

_NUMBER_RANGES = {
    "number": (0.0, math.inf),
    "percent": (0.0, 100.0),
    "scale_percent": (0.0, math.inf),
    "week_hours": (0.0, 168.0),
    "day_hours": (0.0, 24.0),
}
_WHOLE_RANGES = {
    "whole": (0, 10_000),
    "positive_whole": (1, 10_000),
    "nonzero_whole": (-520, 520),
    "shift_allowance": (0, 52),
    "priority": (1, 5),
    "level": (1, 5),
}


def _typed(value: Any, kind: str, place: Change, key: str) -> Any:
    """``value`` as ``kind`` wants it, or :data:`_INVALID`."""
    if kind in ("id", "text"):
        ok = isinstance(value, str) and (kind == "text" or bool(value.strip()))
        return value.strip() if ok else _INVALID
    if kind == "date":
        return _date(value)
    if kind in _NUMBER_RANGES:
        low, high = _NUMBER_RANGES[kind]
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if is_number and low <= value <= high else _INVALID
    if kind in _WHOLE_RANGES:
        low, high = _WHOLE_RANGES[kind]
        is_whole = isinstance(value, int) and not isinstance(value, bool)
        ok = is_whole and low <= value <= high and not (kind == "nonzero_whole" and value == 0)
        return value if ok else _INVALID
    if kind == "skills":
        return _mapping(value, place, key, "level", allow_empty=False)
    if kind == "pattern":
        if not isinstance(value, dict) or not set(value) <= set(WEEKDAYS):
            return _INVALID
        return _mapping(value, place, key, "day_hours", allow_empty=False)
    if kind == "demands":
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            return _INVALID
        return [
            _check_table(item, DEMAND_KEYS, place, prefix=f"{key}[{index}].")
            for index, item in enumerate(value, start=1)
        ]
    if kind == "policy_table":
        return value if isinstance(value, dict) else _INVALID
    raise AssertionError(kind)


def _mapping(value: Any, place: Change, key: str, item_kind: str, *, allow_empty: bool) -> Any:
    if not isinstance(value, dict) or (not value and not allow_empty):
        return _INVALID
    return {
        str(name): _check_value(item, item_kind, place, f"{key}.{name}")
        for name, item in value.items()
    }


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _INVALID
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return _INVALID
    return _INVALID
