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
import re
from pathlib import Path
from typing import Any

from pmo_tui.errors import UserError, read_toml_file, with_toml_line
from pmo_tui.planning.parameters import BY_FIELD, BY_OPTION, PARAMETERS, TABLES, keys_of
from solver.policy import Policy


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
    for field, value in options.items():
        if field not in BY_FIELD:
            raise TypeError(f"unknown policy field {field!r}")
        if value is None:
            continue
        kind = BY_FIELD[field].value_kind
        if not kind.accepts(value):
            raise _option_error(field, kind.fix)
        values[field] = kind.typed(value)
    return dataclasses.replace(Policy(), **values)


def read_policy_file(path: Path) -> dict[str, Any]:
    """Policy field -> value from the TOML file at ``path``.

    Raises:
        UserError: as for :func:`build_policy`.
    """
    document = read_toml_file(
        path, what="policy file", fix="see the policy file format in docs/planning.md"
    )
    try:
        return policy_values(document, str(path))
    except UserError as error:
        name = error.column or next(iter(re.findall(r"\[(.+?)\]", error.message)), "")
        raise with_toml_line(error, path.read_text(encoding="utf-8"), name) from None


def policy_values(
    document: dict[str, Any], file: str, *, tables: tuple[str, ...] = TABLES
) -> dict[str, Any]:
    """Policy field -> value from the TOML tables of ``document`` (only ``tables`` allowed).

    Shared by policy files and the ``policy`` change of scenario files.

    Raises:
        UserError: an unknown table or key, or a value of the wrong kind (naming ``file``).
    """
    values: dict[str, Any] = {}
    for table, entries in document.items():
        known = keys_of(table) if table in tables else None
        if not known or not isinstance(entries, dict):
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
            kind = known[key].value_kind
            if not kind.accepts(value):
                name = f"{table}.{key}"
                raise UserError(
                    f"{name} must be {kind.fix}, not {value!r}",
                    file=file,
                    column=name,
                    fix=f"write {key} = {kind.example} under [{table}]",
                )
            values[known[key].field] = kind.typed(value)
    return values


def _option_error(field: str, fix: str) -> UserError:
    option = BY_FIELD[field].option
    return UserError(f"{option} must be {fix}", option=option, fix=f"e.g. {option} 2")


def field_of_option(option: str) -> str | None:
    """The Policy field an option sets (``--time-limit`` -> ``time_limit_s``), if any."""
    parameter = BY_OPTION.get(option)
    return parameter.field if parameter else None


def policy_table(policy: Policy) -> dict[str, dict[str, Any]]:
    """The policy as the TOML tables of a policy file (None values left out)."""
    return {
        table: {
            p.key: getattr(policy, p.field)
            for p in PARAMETERS
            if p.table == table and getattr(policy, p.field) is not None
        }
        for table in TABLES
    }
