"""Audit rules declared as data: a TOML file of ``[[rule]]`` tables, checked before any audit runs.

Each rule picks one *kind* of check from a fixed set (:data:`RULE_KINDS`, each
implemented once in :mod:`pmo_tui.governance.checks`), its parameters and a
severity. Common keys: ``id`` (unique), ``kind``, ``severity`` (critical,
major, minor, observation), optional ``description``, ``due_days`` (days to
fix a new finding; default :data:`DEFAULT_DUE_DAYS` by severity), ``phases``
(only projects in these phases) and ``enabled`` (default true). A mistake in
the file is a :class:`~pmo_tui.errors.UserError` naming the file, the line
of the rule, the rule and the key, with the fix; nothing runs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pmo_tui.errors import UserError
from pmo_tui.governance.frames import SEVERITIES
from pmo_tui.store.schema_governance import PHASES

#: Days to fix a new finding, by severity, when a rule gives no ``due_days``.
DEFAULT_DUE_DAYS = {"critical": 7, "major": 14, "minor": 30, "observation": 60}

REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One parameter of a rule kind: its type, default (:data:`REQUIRED` if none) and meaning."""

    type: type
    default: Any
    meaning: str
    choices: tuple[str, ...] = ()
    minimum: float | None = 0


#: Rule kind -> parameter name -> :class:`Param`.
RULE_KINDS: dict[str, dict[str, Param]] = {
    "artefact_missing_or_stale": {
        "max_age_days": Param(
            int, None, "days after which an artefact is stale, where the methodology gives none"
        ),
    },
    "status_report_age": {
        "max_days": Param(int, REQUIRED, "days the latest status report may be old"),
    },
    "variance": {
        "measure": Param(str, REQUIRED, "budget or schedule", choices=("budget", "schedule")),
        "max_percent": Param(float, REQUIRED, "allowed overrun, percent of budget or duration"),
    },
    "key_people_over_capacity": {
        "weeks_ahead": Param(int, 4, "weeks looked at, from the week of the audit", minimum=1),
        "top_people": Param(int, 2, "besides the manager, the people with most hours on it"),
        "min_over_hours": Param(float, 1.0, "hours above capacity in a week that count"),
    },
    "gate_without_criteria": {},
    "finding_overdue": {
        "grace_days": Param(int, 0, "days past the due date before it counts"),
        "min_severity": Param(
            str, "observation", "least severe finding looked at", choices=SEVERITIES
        ),
    },
}

COMMON_KEYS = ("id", "kind", "severity", "description", "due_days", "phases", "enabled")


@dataclass(frozen=True)
class Rule:
    """One checked rule: what it checks (``kind`` + ``params``) and how bad a hit is."""

    id: str
    kind: str
    severity: str
    description: str
    due_days: int
    phases: tuple[str, ...] = PHASES
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    """The enabled rules of one file and where they came from."""

    source: str
    rules: tuple[Rule, ...]


def default_rules_path() -> Path:
    """The rule file shipped with pmo-tui."""
    return Path(str(resources.files("pmo_tui.governance") / "default_rules.toml"))


def load_rules(path: Path | None = None) -> RuleSet:
    """Read and check the rule file at ``path`` (default: :func:`default_rules_path`).

    Raises:
        UserError: the file is missing, is not TOML, or a rule is wrong (file,
            line, rule and key named, with the fix).
    """
    path = path or default_rules_path()
    display = "default rules" if path == default_rules_path() else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(
            f"cannot read the rule file: {error.strerror or error}",
            file=display,
            option="--rules",
            fix="check the path",
        ) from None
    return parse_rules(text, display)


def parse_rules(text: str, display: str) -> RuleSet:
    """Check the TOML ``text`` of a rule file named ``display`` (see :func:`load_rules`)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(
            f"not valid TOML: {error}",
            file=display,
            fix="fix the syntax at that line (strings need quotes, each rule starts with [[rule]])",
        ) from None
    unknown = sorted(set(document) - {"rule"})
    if unknown:
        raise UserError(
            f"unknown top-level key {unknown[0]!r}",
            file=display,
            fix="put every rule in a [[rule]] table",
        )
    tables = document.get("rule", [])
    if not isinstance(tables, list) or not tables:
        raise UserError(
            "the file has no [[rule]] tables",
            file=display,
            fix="add at least one [[rule]] with id, kind and severity",
        )
    lines = _rule_lines(text)
    rules: list[Rule] = []
    for index, table in enumerate(tables):
        place = f"{display}, line {lines[index]}" if index < len(lines) else display
        rule = _check_rule(table, place, index + 1)
        if any(r.id == rule.id for r in rules):
            raise UserError(
                f"rule id {rule.id!r} is used twice", file=place, fix="give every rule its own id"
            )
        if table.get("enabled", True):
            rules.append(rule)
    return RuleSet(display, tuple(rules))


def _rule_lines(text: str) -> list[int]:
    """1-based line numbers of the ``[[rule]]`` headers, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("[[rule]]")]


def _check_rule(table: dict[str, Any], place: str, number: int) -> Rule:
    """One :class:`Rule` from its TOML table; ``place`` names file and line for errors."""
    name = f"rule {table.get('id', number)!r}"

    def fail(key: str, message: str, fix: str) -> UserError:
        return UserError(f"{name}, key {key!r}: {message}", file=place, fix=fix)

    for key in ("id", "kind", "severity"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise fail(key, f"{key} is missing or not a text", f'add {key} = "..."')
    kind = table["kind"]
    if kind not in RULE_KINDS:
        raise fail("kind", f"unknown kind {kind!r}", f"use one of {', '.join(RULE_KINDS)}")
    if table["severity"] not in SEVERITIES:
        raise fail(
            "severity",
            f"unknown severity {table['severity']!r}",
            f"use one of {', '.join(SEVERITIES)}",
        )
    params = RULE_KINDS[kind]
    unknown = sorted(set(table) - set(COMMON_KEYS) - set(params))
    if unknown:
        allowed = ", ".join([*params, "description", "due_days", "phases", "enabled"])
        raise fail(
            unknown[0],
            f"unknown key {unknown[0]!r} for kind {kind}",
            f"remove it; a {kind} rule takes: {allowed}",
        )
    values = {key: _check_param(table, key, spec, fail) for key, spec in params.items()}
    return Rule(
        id=table["id"],
        kind=kind,
        severity=table["severity"],
        description=_text(table, "description", fail) or table["id"],
        due_days=_due_days(table, fail),
        phases=_phases(table, fail),
        params=values,
    )


def _check_param(table: dict[str, Any], key: str, spec: Param, fail: Any) -> Any:
    """The value of parameter ``key``: given, else the default; checked against ``spec``."""
    if key not in table:
        if spec.default is REQUIRED:
            raise fail(key, f"{key} is missing ({spec.meaning})", f"add {key} = ...")
        return spec.default
    value = table[key]
    if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, spec.type) or isinstance(value, bool):
        raise fail(
            key,
            f"{key} must be a {spec.type.__name__.replace('str', 'text')}, not {value!r}",
            f"{key} is {spec.meaning}",
        )
    if spec.choices and value not in spec.choices:
        raise fail(key, f"unknown {key} {value!r}", f"use one of {', '.join(spec.choices)}")
    if spec.minimum is not None and isinstance(value, int | float) and value < spec.minimum:
        raise fail(
            key, f"{key} must be {spec.minimum:g} or more, not {value}", f"{key} is {spec.meaning}"
        )
    return value


def _text(table: dict[str, Any], key: str, fail: Any) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise fail(key, f"{key} must be a text", f'write {key} = "..."')
    return value


def _due_days(table: dict[str, Any], fail: Any) -> int:
    value = table.get("due_days", DEFAULT_DUE_DAYS[table["severity"]])
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise fail(
            "due_days",
            f"due_days must be a whole number of 0 or more, not {value!r}",
            "e.g. due_days = 14",
        )
    return value


def _phases(table: dict[str, Any], fail: Any) -> tuple[str, ...]:
    value = table.get("phases", list(PHASES))
    if not isinstance(value, list) or not value or any(p not in PHASES for p in value):
        raise fail(
            "phases",
            f"phases must be a list of {', '.join(PHASES)}, not {value!r}",
            'e.g. phases = ["planning", "execution"]',
        )
    return tuple(value)
