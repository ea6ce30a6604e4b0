"""The optimizer's policy from a TOML file and command-line options, validated.

A policy file has three tables; every key is optional (the default applies):

.. code-block:: toml

    [weights]                 # objective units; see docs/planning.md
    cover = 1.0               # per covered demand hour x the project's priority weight
    churn = 0.2               # per hour changed against the current allocation
    fragmentation = 2.0       # per person-project-week with hours
    continuity = 1.0          # per assignment start (a person new on a demand that week)
    delay = 10.0              # per week a project starts later x its priority weight

    [limits]
    min_block_hours = 4       # an allocation is 0 or at least this (hours per week)
    max_concurrent_projects = 3   # per person and week, for people without their own
    frozen_weeks = 2          # the first weeks of the horizon do not change
    max_people_moved = 40     # most people whose allocations change

    [search]
    time_limit_s = 10
    seed = 0
    workers = 2
    deterministic_time = 20   # CP-SAT work budget: a run stopping on it repeats exactly
                              # (0: no CP-SAT search, greedy + LP rounding only)

Command-line options win over the file; the file wins over the defaults of
:class:`solver.Policy`. Every mistake is a :class:`~pmo_tui.errors.UserError`
naming the file, the line or key, and the fix.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from pathlib import Path
from typing import Any

from pmo_tui.errors import UserError
from solver.types import Policy

#: TOML table -> key -> (Policy field, kind). Kinds: weight (number >= 0), positive
#: (number > 0), count (whole number >= 0), limit (whole number >= 1), seed (any integer).
POLICY_KEYS: dict[str, dict[str, tuple[str, str]]] = {
    "weights": {
        "cover": ("cover_weight", "weight"),
        "churn": ("churn_weight", "weight"),
        "fragmentation": ("fragmentation_weight", "weight"),
        "continuity": ("continuity_weight", "weight"),
        "delay": ("delay_weight", "weight"),
    },
    "limits": {
        "min_block_hours": ("min_block_hours", "weight"),
        "max_concurrent_projects": ("max_concurrent_projects", "limit"),
        "frozen_weeks": ("frozen_weeks", "count"),
        "max_people_moved": ("max_people_moved", "count"),
    },
    "search": {
        "time_limit_s": ("time_limit_s", "positive"),
        "seed": ("seed", "seed"),
        "workers": ("workers", "workers"),
        "deterministic_time": ("deterministic_time", "weight"),
    },
}

#: Policy field -> its command-line option.
OPTION_OF_FIELD = {
    "cover_weight": "--cover-weight",
    "time_limit_s": "--time-limit",
    "seed": "--seed",
    "workers": "--workers",
    "deterministic_time": "--deterministic-time",
    "churn_weight": "--churn-weight",
    "fragmentation_weight": "--fragmentation-weight",
    "continuity_weight": "--continuity-weight",
    "delay_weight": "--delay-weight",
    "min_block_hours": "--min-block",
    "max_concurrent_projects": "--max-concurrent",
    "frozen_weeks": "--frozen-weeks",
    "max_people_moved": "--max-people-moved",
}

#: Inclusive range per kind: beyond it the solver's integer arithmetic would overflow.
_RANGES = {
    "weight": (0, 1e6),
    "positive": (0, 1e6),
    "count": (0, 1_000_000),
    "limit": (1, 1_000),
    "seed": (0, 2**31 - 1),
    "workers": (1, 64),
}

_KIND_FIX = {
    "weight": "a number from 0 to 1,000,000",
    "positive": "a number above 0, at most 1,000,000",
    "count": "a whole number from 0 to 1,000,000",
    "limit": "a whole number from 1 to 1,000",
    "seed": "a whole number from 0 to 2,147,483,647",
    "workers": "a whole number from 1 to 64",
}


def build_policy(policy_file: Path | None = None, **options: Any) -> Policy:
    """A :class:`solver.Policy`: defaults, then ``policy_file``, then ``options``.

    Args:
        policy_file: a TOML policy file (see the module docstring), or None.
        options: Policy field name -> value; None means "not given".

    Raises:
        UserError: the file cannot be read or parsed, has an unknown table or key, or a
            value of the wrong kind; an option has a value of the wrong kind.
    """
    values: dict[str, Any] = {}
    if policy_file is not None:
        values.update(read_policy_file(policy_file))
    kinds = {field: kind for table in POLICY_KEYS.values() for field, kind in table.values()}
    for field, value in options.items():
        if field not in kinds:
            raise TypeError(f"unknown policy field {field!r}")
        if value is None:
            continue
        if not _valid(value, kinds[field]):
            raise _option_error(field, _KIND_FIX[kinds[field]])
        values[field] = _typed(value, kinds[field])
    return dataclasses.replace(Policy(), **values)


def read_policy_file(path: Path) -> dict[str, Any]:
    """Policy field -> value from the TOML file at ``path``.

    Raises:
        UserError: as for :func:`build_policy`.
    """
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("no such policy file", file=str(path), fix="check the path") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read it ({error})", file=str(path), fix="check the file") from None
    except tomllib.TOMLDecodeError as error:
        # Python 3.11 puts the place only in the message: "... (at line 2, column 9)"
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = int(found.group(1)) if found else None
        raise UserError(
            f"not valid TOML: {error}",
            file=str(path),
            row=line,
            fix="see the policy file format in docs/planning.md",
        ) from None
    return policy_values(document, str(path))


def policy_values(
    document: dict[str, Any], file: str, *, tables: tuple[str, ...] = tuple(POLICY_KEYS)
) -> dict[str, Any]:
    """Policy field -> value from the TOML tables of ``document`` (only ``tables`` allowed).

    Shared by policy files and the ``policy`` change of scenario files.

    Raises:
        UserError: an unknown table or key, or a value of the wrong kind (naming ``file``).
    """
    values: dict[str, Any] = {}
    for table, entries in document.items():
        known = POLICY_KEYS.get(table) if table in tables else None
        if known is None or not isinstance(entries, dict):
            raise UserError(
                f"unknown table [{table}]",
                file=file,
                fix=f"use the tables {', '.join(f'[{name}]' for name in tables)}",
            )
        for key, value in entries.items():
            if key not in known:
                raise UserError(
                    f"unknown key {key!r} in [{table}]",
                    file=file,
                    column=f"{table}.{key}",
                    fix=f"use one of {', '.join(known)}",
                )
            field, kind = known[key]
            if not _valid(value, kind):
                name = f"{table}.{key}"
                raise UserError(
                    f"{name} must be {_KIND_FIX[kind]}, not {value!r}",
                    file=file,
                    column=name,
                    fix=f"write {key} = {_example(kind)} under [{table}]",
                )
            values[field] = _typed(value, kind)
    return values


_WHOLE_KINDS = ("count", "limit", "seed", "workers")


def _valid(value: Any, kind: str) -> bool:
    """Whether ``value`` is a number of ``kind`` (see :data:`POLICY_KEYS`)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if not math.isfinite(value):
        return False
    if kind in _WHOLE_KINDS and not float(value).is_integer():
        return False
    low, high = _RANGES[kind]
    return low <= value <= high and (kind != "positive" or value > 0)


def _typed(value: Any, kind: str) -> Any:
    return int(value) if kind in _WHOLE_KINDS else float(value)


def _example(kind: str) -> str:
    return {
        "weight": "0.5",
        "positive": "10",
        "count": "2",
        "limit": "3",
        "seed": "0",
        "workers": "2",
    }[kind]


def _option_error(field: str, fix: str) -> UserError:
    option = OPTION_OF_FIELD.get(field, field)
    return UserError(f"{option} must be {fix}", option=option, fix=f"e.g. {option} 2")


def policy_table(policy: Policy) -> dict[str, dict[str, Any]]:
    """The policy as the TOML tables of a policy file (None values left out)."""
    return {
        table: {
            key: getattr(policy, field)
            for key, (field, _) in keys.items()
            if getattr(policy, field) is not None
        }
        for table, keys in POLICY_KEYS.items()
    }
