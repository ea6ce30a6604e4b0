"""The plan screen's parameters and headline, textual-free (unit-tested without a terminal).

Parameters map onto :class:`solver.Policy` through
:func:`pmo_tui.planning.policy.build_policy` (the same validation as the CLI and the
policy file); a parameter whose Policy field does not exist is shown disabled
with a note.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pmo_tui.errors import UserError

if TYPE_CHECKING:
    from pmo_tui.planning.service import PlanOutcome
    from solver import Policy

#: Shown beside a parameter the current optimizer does not take yet.
NOT_YET_NOTE = "comes with the organisation-scale optimizer"


@dataclass(frozen=True)
class Parameter:
    """One input of the parameter form.

    ``policy_field`` is the :class:`solver.Policy` field it sets; ``kind`` is
    ``float`` or ``int``; ``default`` is the text the input starts with.
    """

    name: str
    label: str
    policy_field: str
    kind: type
    default: str


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("time_limit", "time limit (s)", "time_limit_s", float, "10"),
    Parameter("cover_weight", "cover weight", "cover_weight", float, "1.0"),
    Parameter("churn_weight", "churn weight", "churn_weight", float, "0.2"),
    Parameter("fragmentation_weight", "fragmentation weight", "fragmentation_weight", float, "2.0"),
    Parameter("continuity_weight", "continuity weight", "continuity_weight", float, "1.0"),
    Parameter("delay_weight", "delay weight", "delay_weight", float, "10"),
    Parameter("min_block", "min block (h)", "min_block_hours", float, "4"),
    Parameter("max_concurrent", "max projects/person", "max_concurrent_projects", int, ""),
    Parameter("seed", "seed", "seed", int, "0"),
    Parameter("workers", "workers", "workers", int, "2"),
    Parameter("frozen_weeks", "frozen weeks", "frozen_weeks", int, "0"),
    Parameter("max_people_moved", "max people moved", "max_people_moved", int, ""),
)


def policy_fields() -> set[str]:
    """The field names of :class:`solver.Policy` (cheap: no OR-Tools import)."""
    from solver import Policy

    return {field.name for field in dataclasses.fields(Policy)}


def supported(parameter: Parameter, fields: set[str]) -> bool:
    """Whether the optimizer takes ``parameter`` (else the input is disabled with a note)."""
    return parameter.policy_field in fields


def _parse(parameter: Parameter, text: str) -> Any:
    """The value typed for ``parameter`` (None when left empty).

    Raises:
        UserError: not a number of the right kind.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return parameter.kind(text)
    except ValueError:
        kind = "a whole number" if parameter.kind is int else "a number"
        raise UserError(
            f"{parameter.label} must be {kind}, not {text!r}",
            column=parameter.label,
            fix=f"e.g. {parameter.default or 1}",
        ) from None


def policy_from_form(values: dict[str, str], fields: set[str] | None = None) -> Policy:
    """A :class:`solver.Policy` from the form's texts (parameter name -> text).

    Empty inputs keep the defaults; unsupported parameters are ignored.

    Raises:
        UserError: a value is not a number, or out of range (as the CLI says it).
    """
    from pmo_tui.planning.policy import build_policy

    fields = policy_fields() if fields is None else fields
    parsed = {
        p.policy_field: _parse(p, values.get(p.name, ""))
        for p in PARAMETERS
        if supported(p, fields)
    }
    try:
        return build_policy(**parsed)
    except UserError as error:
        raise _in_form_terms(error) from None


def _in_form_terms(error: UserError) -> UserError:
    """``error`` about a CLI option (``--time-limit``) told in the form's terms (``time limit (s)``)."""
    from pmo_tui.planning.policy import OPTION_OF_FIELD

    if not error.option:
        return error
    field = next((f for f, option in OPTION_OF_FIELD.items() if option == error.option), None)
    label = next((p.label for p in PARAMETERS if p.policy_field == field), error.option)
    fix = (error.fix or "").replace(f"{error.option} ", "") or None
    message = error.message.replace(error.option, label)
    return UserError(message, column=label, fix=fix)


#: Solver statuses that are not plain words, in words.
STATUS_WORDS = {"CANCELLED_WITH_PLAN": "cancelled: best plan so far"}


def status_words(status: str) -> str:
    """A solver status for people (``CANCELLED_WITH_PLAN`` -> ``cancelled: best plan so far``)."""
    return STATUS_WORDS.get(status, status)


def outcome_headline(outcome: PlanOutcome) -> str:
    """One line: status, time, objective, bound, gap, greedy baseline, moves."""
    result = outcome.result
    if result.status == "INFEASIBLE":
        count = len(result.conflicts)
        return (
            f"INFEASIBLE: {count} constraint{'s' if count != 1 else ''} cannot all hold "
            "(listed under Conflicts); there is no plan to accept."
        )
    gap = "n/a" if result.gap == float("inf") else f"{100 * result.gap:.2f} %"
    return (
        f"{status_words(result.status)} in {result.wall_time_s:.1f} s · objective {result.objective:.1f} · "
        f"bound {result.bound:.1f} · gap {gap} · greedy {result.greedy_objective:.1f} · "
        f"{result.moves.height} moves"
    )


def progress_line(incumbent: float, bound: float, gap: float, elapsed_s: float) -> str:
    """The live figures of a running solve, with how to cancel it (long form)."""
    gap_text = "n/a" if gap == float("inf") else f"{100 * gap:.2f} %"
    return (
        f"incumbent {incumbent:.1f} · bound {bound:.1f} · gap {gap_text} · "
        f"{elapsed_s:.1f} s   Esc to cancel"
    )


def progress_figures(incumbent: float, bound: float, gap: float, elapsed_s: float) -> str:
    """The live figures short enough to sit beside the progress bar at 80 columns.

    E.g. ``best 12346 bound 13000 gap 5.0% 12s · Esc stops`` (at most ~50 characters).
    """
    gap_text = "n/a" if gap == float("inf") else f"{100 * gap:.1f}%"
    return f"best {incumbent:.0f} bound {bound:.0f} gap {gap_text} {elapsed_s:.0f}s · Esc stops"
