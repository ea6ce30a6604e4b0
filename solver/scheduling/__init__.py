"""The project-scheduling core (RCPSP and multi-project RCPSP), measured on PSPLIB and MPLIB.

It serves the benchmark ``bench/scheduling.py``, which keeps OR-Tools'
scheduling model honest against published optima (docs/performance.md), and is
the base for scheduling tasks inside projects; the staffing plan does not call
it. :mod:`~solver.scheduling.core` solves an instance
(:func:`~solver.scheduling.core.solve_schedule`); instances are read by
:mod:`~solver.scheduling.instances`, modelled in :mod:`~solver.scheduling.model`
(CP-SAT), started from :mod:`~solver.scheduling.heuristic` (serial SGS) and bounded
by :mod:`~solver.scheduling.network` (critical path and energy).
"""
