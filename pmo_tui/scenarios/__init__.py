"""What-if scenarios: TOML files of changes, evaluated as overlays on the live data.

A scenario never writes the live database: :mod:`~pmo_tui.scenarios.overlay` reads
it once (read-only) into a :class:`~pmo_tui.scenarios.overlay.ScenarioState`,
applies the scenario's changes to copies of those frames, and derives the
solver's :class:`solver.PlanInput` exactly as :func:`pmo_tui.planning.service.plan_inputs`
does from the store. Only :mod:`~pmo_tui.scenarios.promote` writes, after a
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

#: CP-SAT work budget of every plan unless a policy file or option says otherwise: the
#: same figures on every machine (docs/scenarios.md, "Determinism"). 0: greedy, LP and
#: rounding only (about 7 s a plan on the demo); raise it for CP-SAT's last few 0.01 %.
DEFAULT_DETERMINISTIC_TIME = 0.0
#: Wall-clock safety net per plan (s): large, so that the deterministic budget stops a run.
DEFAULT_TIME_LIMIT = 600.0
