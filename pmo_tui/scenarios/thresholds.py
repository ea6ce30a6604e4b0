"""``--fail-if`` checks: a tiny grammar over the scenario figures, never ``eval``.

Grammar (spaces optional)::

    check  := metric [ "[" key "]" ] op number
    metric := one of METRICS (pmo_tui.scenarios.metrics)
    key    := a skill id or a quarter such as 2027-Q1 (only for unmet_hours)
    op     := "<" | "<=" | ">" | ">=" | "==" | "!="
    number := an integer or decimal, optionally negative

A check *fails* when the expression is true for a scenario, e.g.
``coverage < 0.9`` fails every scenario whose coverage is below 0.9. Checks
apply to every scenario (not the base); a scenario that could not be planned
(INFEASIBLE) fails every check.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmo_tui.errors import UserError, did_you_mean
from pmo_tui.scenarios.metrics import METRICS
from solver.status import STATUS_INFEASIBLE

GRAMMAR = (
    "write METRIC OP NUMBER or unmet_hours[SKILL or YYYY-Qn] OP NUMBER, with OP one of "
    "< <= > >= == != and METRIC one of " + ", ".join(METRICS)
)

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

_PATTERN = re.compile(
    r"^\s*(?P<metric>[a-z_]+)\s*(?:\[\s*(?P<key>[^\]\s]+)\s*\])?\s*"
    r"(?P<op><=|>=|==|!=|<|>)\s*(?P<number>-?\d+(?:\.\d+)?)\s*$"
)
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")

#: The check every scenario gets when no ``--fail-if`` is given.
PLANNED = "planned"


@dataclass(frozen=True)
class Check:
    """One parsed ``--fail-if`` expression."""

    text: str
    metric: str
    key: str | None
    op: str
    number: float

    @property
    def label(self) -> str:
        """``unmet_hours[data-engineering]`` or ``coverage``."""
        return f"{self.metric}[{self.key}]" if self.key else self.metric


def parse_check(text: str, skills: list[str] | None = None) -> Check:
    """Parse one expression; ``skills`` (when given) are the keys ``unmet_hours`` accepts.

    Raises:
        UserError: not of the grammar, an unknown metric, a key on another metric, or
            an unknown skill (with the closest ones).
    """
    found = _PATTERN.match(text)
    if found is None:
        raise UserError(f"cannot read the check {text!r}", option="--fail-if", fix=GRAMMAR)
    metric, key = found.group("metric"), found.group("key")
    if metric not in METRICS:
        raise UserError(
            f"unknown metric {metric!r} in {text!r}",
            option="--fail-if",
            fix=did_you_mean(metric, list(METRICS)) + GRAMMAR,
        )
    if key is not None and metric != "unmet_hours":
        raise UserError(
            f"only unmet_hours takes a [key], not {metric}", option="--fail-if", fix=GRAMMAR
        )
    if key is not None and skills is not None and not _QUARTER.match(key) and key not in skills:
        from pmo_tui.scenarios.changes import closest

        raise UserError(
            f"unknown skill {key!r} in {text!r}", option="--fail-if", fix=closest(key, skills)
        )
    return Check(text.strip(), metric, key, found.group("op"), float(found.group("number")))


def value_of(kpis: dict[str, Any], check: Check) -> float | None:
    """The figure ``check`` looks at (None when the scenario was not planned)."""
    if kpis.get("status") == STATUS_INFEASIBLE:
        return None
    if check.key is None:
        return kpis.get(check.metric)
    table = "unmet_hours_by_quarter" if _QUARTER.match(check.key) else "unmet_hours_by_skill"
    return float(kpis.get(table, {}).get(check.key, 0.0))


def run_checks(checks: list[Check], scenarios: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per (scenario, check), or per scenario ``planned`` when ``checks`` is empty.

    Args:
        scenarios: ``{"name", "kpis"}`` entries, in the order to report.

    Returns:
        ``{"scenario", "check", "value", "passed", "message"}`` dicts; ``message`` names
        the breach, e.g. ``scenario hire: coverage = 0.87 < 0.9``.
    """
    results = []
    for entry in scenarios:
        name, kpis = entry["name"], entry["kpis"]
        infeasible = kpis.get("status") == STATUS_INFEASIBLE
        not_planned = f"scenario {name}: not planned (INFEASIBLE): " + _first(
            kpis.get("conflicts") or []
        )
        if not checks:
            results.append(_result(name, PLANNED, None, not infeasible, not_planned))
            continue
        for check in checks:
            value = value_of(kpis, check)
            if value is None:
                results.append(_result(name, check.text, None, False, not_planned))
                continue
            failed = OPERATORS[check.op](value, check.number)
            message = f"scenario {name}: {check.label} = {value:g} {check.op} {check.number:g}"
            results.append(_result(name, check.text, value, not failed, message))
    return results


#: Conflicts named in a check's message; the report's JSON lists them all.
CONFLICTS_SHOWN = 3


def _first(conflicts: list[str]) -> str:
    """The first :data:`CONFLICTS_SHOWN` conflicts, and how many more there are."""
    text = "; ".join(conflicts[:CONFLICTS_SHOWN])
    hidden = len(conflicts) - CONFLICTS_SHOWN
    return text + (f" (and {hidden} more conflicts)" if hidden > 0 else "")


def _result(name: str, check: str, value: float | None, passed: bool, message: str) -> dict:
    return {
        "scenario": name,
        "check": check,
        "value": value,
        "passed": passed,
        "message": "" if passed else message,
    }
