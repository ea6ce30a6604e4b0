"""The policy of one optimizer run: its weights, limits and search settings.

Kept apart from :mod:`solver.types` (and free of polars and OR-Tools) so that
the command line can make its options from the defaults without loading either.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """Weights and limits of one optimizer run; every term is reported apart.

    Attributes:
        cover_weight: objective gain per covered demand hour, times the project's priority weight.
        churn_weight: cost per hour changed against the current allocation
            (``|new - current|`` per person, demand and week; pinned and fixed rows never change).
        fragmentation_weight: cost per (person, project, week) with hours > 0.
        continuity_weight: cost per assignment start: a (person, demand, week) with hours
            whose previous week has none (see :mod:`solver.continuity`).
        delay_weight: cost per week a project starts later, times its priority weight
            (only projects with ``may_shift_weeks`` > 0 or on a dependency move).
        min_block_hours: an allocation (person, demand, week) is 0 or at least this many
            hours; when the demand of that week is smaller, at least the whole demand.
        max_concurrent_projects: most projects per person and week, for people without a
            limit of their own (``PlanInput.people``); None: no limit.
        frozen_weeks: the first k weeks of the horizon (from the earliest capacity or
            demand week) do not change: every allocation in them stays as it is.
        max_people_moved: most people whose allocations change; None: no cap.
        min_move_gain: a move (a connected set of changes of one week: see
            :mod:`solver.accept`) is proposed only when its own gain exceeds this
            (objective units; 1.0 is one covered hour of a priority-weight-1 project).
            Moves below it are held back and reported in aggregate; a plan just applied
            is then planned again without a move.
        min_person_gain: a person is moved only when it pays for them: a move must gain
            more than this for each person it newly moves, and after the passes a person
            whose own changes (cover, churn, fragmentation and continuity of their
            candidates, over all weeks) gain at most this is put back where they are now
            (:mod:`solver.reverts`). People who cannot stay as they are (over-allocated,
            on leave, demand gone, skill expired) always may move. Objective units per
            person; 10.0 is ten covered hours of a priority-weight-1 project (two of a
            weight-5 one): of the values tried (0, 5, 10, 20), the smallest at which one
            new leave moved at most a handful of people both in ``bench/stability.py``
            and on the demo (the figures are in ``docs/performance.md``). 0: no such
            rule.
        time_limit_s: wall-clock safety cap on the whole call, seconds. The default
            search stops on its work budget long before it on the sizes measured in
            ``docs/performance.md``; when the cap ends a run, the result says so
            (``PlanResult.time_limit_hit``): such a plan may differ from run to run.
        seed: CP-SAT random seed.
        workers: CP-SAT worker threads; above 1 the search is interleaved so it stays
            deterministic.
        deterministic_time: CP-SAT's work budget per pass over the weeks
            (machine-independent, about seconds on a fast core), shared by the weeks small
            enough to search; 0: no CP-SAT. None: the old wall-clock search, CP-SAT on
            every week until ``time_limit_s`` (a plan that may differ from run to run).
    """

    cover_weight: float = 1.0
    churn_weight: float = 0.2
    fragmentation_weight: float = 2.0
    continuity_weight: float = 1.0
    delay_weight: float = 10.0
    min_block_hours: float = 4.0
    max_concurrent_projects: int | None = None
    frozen_weeks: int = 0
    max_people_moved: int | None = None
    min_move_gain: float = 1.0
    min_person_gain: float = 10.0
    time_limit_s: float = 60.0
    seed: int = 0
    workers: int = 2
    deterministic_time: float | None = 0.5
