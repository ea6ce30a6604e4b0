"""Planning: the optimizer's inputs, its policy and the service both front ends call.

- :mod:`~pmo_tui.planning.inputs`: the solver's frames derived from the store's tables
  (one pure derivation, shared with the scenarios).
- :mod:`~pmo_tui.planning.parameters`: every policy parameter declared once; the CLI
  options, the TOML keys and the TUI form rows are made from it.
- :mod:`~pmo_tui.planning.policy`: a :class:`solver.Policy` from a TOML file and options.
- :mod:`~pmo_tui.planning.service`: run a plan on the store and apply it.
"""
