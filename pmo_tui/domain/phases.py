"""The project life cycle's phases and the stage-gate rule, as pure functions.

Phases (in order): initiation, planning, execution, closing; a gate closes each.
The rule (docs/reporting.md, "Stage gates"): a project moves to a later phase
only when the gate of every phase it leaves has been passed; moving back needs
no gate. :func:`pmo_tui.portfolio_health.gates.change_phase` applies it to an
edit, the CSV import to a ``phase`` column that moves an existing project.
"""

from __future__ import annotations

from collections.abc import Collection

from pmo_tui.store.schema_governance import PHASES


def gates_missing(current: str, target: str, passed: Collection[str]) -> list[str]:
    """The phases, in order, whose gate a move from ``current`` to ``target`` needs and
    ``passed`` (the phases whose gate is passed) lacks; empty when moving back or staying.

    Raises:
        ValueError: a phase not in :data:`~pmo_tui.store.schema_governance.PHASES`.
    """
    leaving = PHASES[PHASES.index(current) : PHASES.index(target)]
    return [phase for phase in leaving if phase not in passed]


def gates_phrase(phases: list[str]) -> str:
    """``the planning gate`` for one phase, ``the initiation and planning gates`` for several."""
    if len(phases) == 1:
        return f"the {phases[0]} gate"
    return f"the {', '.join(phases[:-1])} and {phases[-1]} gates"
