"""Every parameter of the optimizer's policy, declared once.

One :class:`PolicyParameter` row per :class:`solver.Policy` field says where it
appears (TOML table and key, command-line option, TUI label), what kind of
value it takes and its help; its default is the dataclass's own. From this
table :mod:`pmo_tui.planning.policy` validates policy files and options,
:mod:`pmo_tui.cli.common` makes the click options of ``plan`` and ``scenario``,
and :mod:`pmo_tui.tui.plan_form` makes the plan screen's form rows, so a new
parameter is one row here plus its Policy field (Harlequin's
``AbstractOption.to_click()/to_widgets()`` is the model).

The option's name without dashes (``--time-limit`` -> ``time_limit``) names the
parameter in click and in the TUI form.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from solver.policy import Policy


@dataclass(frozen=True)
class ValueKind:
    """A kind of value: whole or not, its inclusive range, and how a fix is worded.

    The ranges keep the solver's integer arithmetic from overflowing.
    """

    whole: bool
    low: float
    high: float
    fix: str
    example: str
    above_low: bool = False  # the low end itself is refused (a time limit of 0)

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` (from TOML, an option or a form) is a number of this kind."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if not math.isfinite(value) or (self.whole and not float(value).is_integer()):
            return False
        return self.low <= value <= self.high and not (self.above_low and value == self.low)

    def typed(self, value: Any) -> int | float:
        """``value`` as the Policy holds it (``int`` for whole kinds)."""
        return int(value) if self.whole else float(value)


#: Kind name -> kind. weight: a number >= 0; positive: > 0; count: whole >= 0;
#: limit: whole >= 1; seed: any CP-SAT seed; workers: CP-SAT threads.
KINDS: dict[str, ValueKind] = {
    "weight": ValueKind(False, 0, 1e6, "a number from 0 to 1,000,000", "0.5"),
    "positive": ValueKind(False, 0, 1e6, "a number above 0, at most 1,000,000", "10", True),
    "count": ValueKind(True, 0, 1_000_000, "a whole number from 0 to 1,000,000", "2"),
    "limit": ValueKind(True, 1, 1_000, "a whole number from 1 to 1,000", "3"),
    "seed": ValueKind(True, 0, 2**31 - 1, "a whole number from 0 to 2,147,483,647", "0"),
    "workers": ValueKind(True, 1, 64, "a whole number from 1 to 64", "2"),
}


@dataclass(frozen=True)
class PolicyParameter:
    """One optimizer parameter and every place it shows.

    Attributes:
        field: the :class:`solver.Policy` field it sets.
        table: the policy file's table (``weights``, ``limits`` or ``search``).
        key: the key in that table.
        option: the command-line option (``--time-limit``).
        label: the TUI form's label.
        kind: a key of :data:`KINDS`.
        help: one line for ``--help`` and the docs, with its unit.
    """

    field: str
    table: str
    key: str
    option: str
    label: str
    kind: str
    help: str

    @property
    def name(self) -> str:
        """The option without dashes: click's parameter name and the TUI input's."""
        return self.option.removeprefix("--").replace("-", "_")

    @property
    def default(self) -> Any:
        """The :class:`solver.Policy` default (None: not set)."""
        return _POLICY_DEFAULTS[self.field]

    @property
    def value_kind(self) -> ValueKind:
        """The kind of value it takes."""
        return KINDS[self.kind]

    def default_text(self) -> str:
        """The default as a form shows it (``10``, ``0.2``; empty when not set)."""
        default = self.default
        return "" if default is None else f"{default:g}"


_POLICY_DEFAULTS = {field.name: field.default for field in dataclasses.fields(Policy)}

#: Every parameter, in the order the plan screen's form lists them.
PARAMETERS: tuple[PolicyParameter, ...] = (
    PolicyParameter(
        "time_limit_s",
        "search",
        "time_limit_s",
        "--time-limit",
        "time limit (s)",
        "positive",
        "Wall-clock safety cap, seconds (a run it ends may not repeat).",
    ),
    PolicyParameter(
        "cover_weight",
        "weights",
        "cover",
        "--cover-weight",
        "cover weight",
        "weight",
        "Gain per covered demand hour, times the project's priority weight.",
    ),
    PolicyParameter(
        "churn_weight",
        "weights",
        "churn",
        "--churn-weight",
        "churn weight",
        "weight",
        "Cost per hour changed against the current allocation.",
    ),
    PolicyParameter(
        "fragmentation_weight",
        "weights",
        "fragmentation",
        "--fragmentation-weight",
        "fragmentation weight",
        "weight",
        "Cost per person-project-week with hours.",
    ),
    PolicyParameter(
        "continuity_weight",
        "weights",
        "continuity",
        "--continuity-weight",
        "continuity weight",
        "weight",
        "Cost per assignment start (a handover).",
    ),
    PolicyParameter(
        "delay_weight",
        "weights",
        "delay",
        "--delay-weight",
        "delay weight",
        "weight",
        "Cost per week a project starts later, times its priority weight.",
    ),
    PolicyParameter(
        "min_block_hours",
        "limits",
        "min_block_hours",
        "--min-block",
        "min block (h)",
        "weight",
        "Least hours of an allocation in a week (0 or at least this).",
    ),
    PolicyParameter(
        "max_concurrent_projects",
        "limits",
        "max_concurrent_projects",
        "--max-concurrent",
        "max projects/person",
        "limit",
        "Most projects per person-week, for people without their own limit.",
    ),
    PolicyParameter(
        "seed",
        "search",
        "seed",
        "--seed",
        "seed",
        "seed",
        "Random seed of the search.",
    ),
    PolicyParameter(
        "workers",
        "search",
        "workers",
        "--workers",
        "workers",
        "workers",
        "Worker threads of the search.",
    ),
    PolicyParameter(
        "frozen_weeks",
        "limits",
        "frozen_weeks",
        "--frozen-weeks",
        "frozen weeks",
        "count",
        "The first N weeks of the horizon do not change.",
    ),
    PolicyParameter(
        "max_people_moved",
        "limits",
        "max_people_moved",
        "--max-people-moved",
        "max people moved",
        "count",
        "Most people whose allocations change.",
    ),
    PolicyParameter(
        "min_move_gain",
        "limits",
        "min_move_gain",
        "--min-move-gain",
        "min move gain",
        "weight",
        "Least gain of a proposed move (objective units; smaller moves are held back).",
    ),
    PolicyParameter(
        "min_person_gain",
        "limits",
        "min_person_gain",
        "--min-person-gain",
        "min person gain",
        "weight",
        "Least gain per person a move newly moves (objective units; people whose own "
        "changes gain less stay put, unless they cannot stay).",
    ),
    PolicyParameter(
        "deterministic_time",
        "search",
        "deterministic_time",
        "--deterministic-time",
        "deterministic time",
        "weight",
        "CP-SAT work budget: the same result on every machine as long as the time limit "
        "(a safety net) does not bind first; 0: no CP-SAT search.",
    ),
)

#: The tables of a policy file, in the order the docs list them.
TABLES = ("weights", "limits", "search")

#: The parameters of the search alone (what every scenario run shares).
SEARCH_PARAMETERS = tuple(p for p in PARAMETERS if p.table == "search")

BY_FIELD: dict[str, PolicyParameter] = {p.field: p for p in PARAMETERS}
BY_NAME: dict[str, PolicyParameter] = {p.name: p for p in PARAMETERS}
BY_OPTION: dict[str, PolicyParameter] = {p.option: p for p in PARAMETERS}


def keys_of(table: str) -> dict[str, PolicyParameter]:
    """TOML key -> parameter of ``table``, in declaration order."""
    return {p.key: p for p in PARAMETERS if p.table == table}
