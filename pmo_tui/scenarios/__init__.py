"""What-if scenarios: TOML files of changes, evaluated as overlays on the live data.

A scenario never writes the live database: :mod:`~pmo_tui.scenarios.overlay` reads
it once (read-only) into a :class:`~pmo_tui.scenarios.overlay.ScenarioState`,
applies the scenario's changes to copies of those frames, and derives the
solver's :class:`solver.PlanInput` with the function the planning service uses on
the store (:func:`pmo_tui.planning.inputs.derive_plan_input`). Only :mod:`~pmo_tui.scenarios.promote` writes, after a
confirmation, in one transaction.

Modules:

- :mod:`~pmo_tui.scenarios.schema`: the file format, read and validated.
- :mod:`~pmo_tui.scenarios.overlay`: the state (the store's tables as frames), solver inputs.
- :mod:`~pmo_tui.scenarios.changes`: each change kind applied to a state.
- :mod:`~pmo_tui.scenarios.metrics`: the figures of a planned scenario.
- :mod:`~pmo_tui.scenarios.evaluate`: plan the base and each scenario; KPIs.
- :mod:`~pmo_tui.reporting.scenarios`: the side-by-side table, JSON, Markdown; merge.
- :mod:`~pmo_tui.scenarios.thresholds`: ``--fail-if`` checks (a tiny grammar, no eval).
- :mod:`~pmo_tui.reporting.junit`: JUnit XML for CI.
- :mod:`~pmo_tui.scenarios.diff`: two planned scenarios per person, project, week.
- :mod:`~pmo_tui.scenarios.promote`: write a scenario to the live data.

The format and every definition are documented in ``docs/scenarios.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solver.policy import Policy

#: Policy field -> the default of every scenario run, where it differs from
#: :class:`solver.Policy`: a deterministic work budget (0: greedy, LP and rounding
#: only, about 7 s a plan on the demo; raise it for CP-SAT's last few 0.01 %), so the
#: same files give the same figures on every machine (docs/scenarios.md,
#: "Determinism"), and a large wall-clock safety net (s) so that the budget stops a run.
SCENARIO_SEARCH_DEFAULTS: dict[str, Any] = {"deterministic_time": 0.0, "time_limit_s": 600.0}


def scenario_policy(
    policy_file: Path | None = None, options: dict[str, Any] | None = None
) -> Policy:
    """The policy of every scenario run: defaults < :data:`SCENARIO_SEARCH_DEFAULTS` <
    the policy file < ``options`` (Policy field -> value, None = not given).

    Raises:
        UserError: as :func:`pmo_tui.planning.policy.build_policy`.
    """
    from pmo_tui.planning.policy import build_policy, read_policy_file

    given = {field: value for field, value in (options or {}).items() if value is not None}
    from_file = read_policy_file(policy_file) if policy_file else {}
    defaults = {k: v for k, v in SCENARIO_SEARCH_DEFAULTS.items() if k not in from_file}
    return build_policy(policy_file, **{**defaults, **given})
