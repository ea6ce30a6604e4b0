"""CP-SAT settings shared by the searches: scaling, parameters, cancel, version.

``ortools`` is imported inside the functions: importing :mod:`solver` must stay cheap.
"""

from __future__ import annotations

import threading
from typing import Any

from solver.policy import Policy

#: Integer objective units per objective unit (hours x weight); exact for weights
#: with up to three decimals.
OBJECTIVE_SCALE = 10_000

#: Seconds between two looks at the cancel event while CP-SAT runs.
CANCEL_POLL_S = 0.05

#: CP-SAT workers left out of an interleaved (deterministic) search: their work slices
#: run far past their deterministic-time budget and stall every batch.
SLOW_INTERLEAVED_WORKERS = ("core", "no_lp", "quick_restart_no_lp", "max_lp_sym", "quick_restart")


def set_parameters(parameters: Any, policy: Policy) -> None:
    """Limits, seed and workers; several workers search interleaved, so deterministically."""
    parameters.max_time_in_seconds = policy.time_limit_s
    parameters.random_seed = policy.seed
    parameters.num_workers = max(1, policy.workers)
    # Ctrl-C belongs to the caller (the CLI cancels and writes nothing); CP-SAT must not
    # swallow it and hand back a plan as if the search had ended normally.
    parameters.catch_sigint_signal = False
    if policy.workers > 1:
        parameters.interleave_search = True
        parameters.ignore_subsolvers.extend(SLOW_INTERLEAVED_WORKERS)
    if policy.deterministic_time is not None:
        parameters.max_deterministic_time = policy.deterministic_time


def start_cancel_watcher(
    solver: Any, cancel: threading.Event | None, done: threading.Event
) -> threading.Thread | None:
    """A thread that stops the search once ``cancel`` is set (until ``done``)."""
    if cancel is None:
        return None

    def watch() -> None:
        while not done.is_set():
            if cancel.wait(CANCEL_POLL_S):
                solver.stop_search()
                done.wait(CANCEL_POLL_S)

    thread = threading.Thread(target=watch, name="cp-sat-cancel", daemon=True)
    thread.start()
    return thread


def ortools_version() -> str:
    """The installed OR-Tools version string (from the package metadata: no import)."""
    from importlib.metadata import version

    return version("ortools")
