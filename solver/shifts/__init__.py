"""Project start shifts: which projects start later, and by how many weeks.

Projects with ``may_shift_weeks`` may start later, and finish-to-start
dependencies must hold. :mod:`~solver.shifts.decide` is what the plan calls;
:mod:`~solver.shifts.choose` chooses the shifts (CP-SAT on an aggregate capacity
model, :mod:`~solver.shifts.model`, with lazy Hall cuts from
:mod:`~solver.shifts.network` and a local search, :mod:`~solver.shifts.search`);
:mod:`~solver.shifts.dependencies` orders and checks the dependency chains.
docs/planning-shifts.md explains the model.
"""
