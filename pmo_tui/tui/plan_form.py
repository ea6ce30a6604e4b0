"""The plan screen's parameters and headline, textual-free (unit-tested without a terminal).

The form has one row per :data:`pmo_tui.planning.parameters.PARAMETERS` entry
(label, input named by the parameter's ``name``, its default); its texts map
onto :class:`solver.Policy` through :func:`pmo_tui.planning.policy.build_policy`,
the same validation as the CLI and the policy file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmo_tui.errors import UserError
from pmo_tui.planning.parameters import BY_OPTION, PARAMETERS, PolicyParameter
from solver.status import STATUS_CANCELLED, STATUS_INFEASIBLE

if TYPE_CHECKING:
    from pmo_tui.planning.service import PlanOutcome
    from solver import Policy

__all__ = [
    "PARAMETERS",
    "outcome_headline",
    "policy_from_form",
    "progress_figures",
    "progress_line",
    "status_words",
]


def _parse(parameter: PolicyParameter, text: str) -> Any:
    """The value typed for ``parameter`` (None when left empty).

    Raises:
        UserError: not a number of the right kind.
    """
    text = text.strip()
    if not text:
        return None
    whole = parameter.value_kind.whole
    try:
        return int(text) if whole else float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise UserError(
            f"{parameter.label} must be {kind}, not {text!r}",
            column=parameter.label,
            fix=f"e.g. {parameter.default_text() or 1}",
        ) from None


def policy_from_form(values: dict[str, str]) -> Policy:
    """A :class:`solver.Policy` from the form's texts (parameter name -> text).

    Empty inputs keep the defaults.

    Raises:
        UserError: a value is not a number, or out of range (as the CLI says it).
    """
    from pmo_tui.planning.policy import build_policy

    parsed = {p.field: _parse(p, values.get(p.name, "")) for p in PARAMETERS}
    try:
        return build_policy(**parsed)
    except UserError as error:
        raise _in_form_terms(error) from None


def _in_form_terms(error: UserError) -> UserError:
    """``error`` about a CLI option (``--time-limit``) told in the form's terms (``time limit (s)``)."""
    parameter = BY_OPTION.get(error.option or "")
    if parameter is None:
        return error
    fix = (error.fix or "").replace(f"{parameter.option} ", "") or None
    message = error.message.replace(parameter.option, parameter.label)
    return UserError(message, column=parameter.label, fix=fix)


#: Solver statuses that are not plain words, in words.
STATUS_WORDS = {STATUS_CANCELLED: "cancelled: best plan so far"}


def status_words(status: str) -> str:
    """A solver status for people (``CANCELLED_WITH_PLAN`` -> ``cancelled: best plan so far``)."""
    return STATUS_WORDS.get(status, status)


def outcome_headline(outcome: PlanOutcome) -> str:
    """One line: status, time, objective, bound, gap, greedy baseline, moves."""
    result = outcome.result
    if result.status == STATUS_INFEASIBLE:
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
