"""Inputs and results of the scheduling core: an RCPSP / multi-project RCPSP instance as frames.

An instance is a set of projects (each with a release date) whose activities
have a fixed duration, a demand per renewable resource and finish-to-start
successors (possibly in another project); all projects share the resources'
capacities. Ids are the file's 1-based numbers (``Int64``), times are integer
periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
from polars._typing import SchemaDict

RESOURCES_SCHEMA: SchemaDict = {"resource": pl.Int64, "capacity": pl.Int64}
PROJECTS_SCHEMA: SchemaDict = {"project": pl.Int64, "release_date": pl.Int64}
ACTIVITIES_SCHEMA: SchemaDict = {
    "project": pl.Int64,
    "activity": pl.Int64,
    "duration": pl.Int64,
}
DEMANDS_SCHEMA: SchemaDict = {
    "project": pl.Int64,
    "activity": pl.Int64,
    "resource": pl.Int64,
    "demand": pl.Int64,
}
PRECEDENCES_SCHEMA: SchemaDict = {
    "project": pl.Int64,
    "activity": pl.Int64,
    "successor_project": pl.Int64,
    "successor_activity": pl.Int64,
}
STARTS_SCHEMA: SchemaDict = {
    "project": pl.Int64,
    "activity": pl.Int64,
    "start": pl.Int64,
    "finish": pl.Int64,
}

#: Objectives: the portfolio makespan (latest finish of any activity, what MPLIB and
#: PSPLIB best-known values measure) or the sum over projects of each project's finish.
OBJECTIVE_MAKESPAN = "makespan"
OBJECTIVE_TOTAL_PROJECT_FINISH = "total_project_finish"
OBJECTIVES = (OBJECTIVE_MAKESPAN, OBJECTIVE_TOTAL_PROJECT_FINISH)


class InstanceFormatError(ValueError):
    """A benchmark file that cannot be read: which file, which line, what is wrong.

    Attributes:
        path: the file.
        line: 1-based line number, or None when the problem is not tied to a line.
        reason: what is wrong.
    """

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class SchedulingInstance:
    """A (multi-project) resource-constrained project scheduling instance.

    Attributes:
        name: instance name (file stem for benchmark files).
        resources: ``resource, capacity`` per renewable resource.
        projects: ``project, release_date`` (no activity of the project starts earlier).
        activities: ``project, activity, duration``.
        demands: ``project, activity, resource, demand``, non-zero demands only.
        precedences: ``project, activity, successor_project, successor_activity``
            (the successor starts at or after the activity's finish).
    """

    name: str
    resources: pl.DataFrame
    projects: pl.DataFrame
    activities: pl.DataFrame
    demands: pl.DataFrame
    precedences: pl.DataFrame

    @property
    def activity_count(self) -> int:
        """Number of activities over all projects, dummies included."""
        return self.activities.height


@dataclass(frozen=True)
class ScheduleResult:
    """A schedule and how good it is, against CP-SAT's bound and our own.

    Attributes:
        status: ``OPTIMAL`` (objective equals a lower bound), ``FEASIBLE``,
            ``INFEASIBLE`` or ``UNKNOWN`` (no schedule within the limits).
        starts: ``project, activity, start, finish`` per activity (empty without a schedule).
        objective: objective value of ``starts`` (None without a schedule).
        objective_kind: ``makespan`` or ``total_project_finish``.
        cpsat_bound: CP-SAT's best objective bound (its model already carries
            ``static_bound`` as a lower limit of the objective); None when CP-SAT
            did not run because the heuristic schedule met our bound.
        critical_path_bound: longest precedence path from the release dates.
        energy_bound: resource energy bound (see :func:`solver.scheduling.network.energy_bound`).
        lower_bound: max of the critical-path, energy and CP-SAT bounds.
        gap_to_own_bound: ``(objective - lower_bound) / lower_bound`` (0 when both are 0).
        heuristic_objective: objective of the priority-rule schedule that seeded CP-SAT.
        wall_time_s: seconds for the whole call (heuristic, model building, search).
    """

    status: str
    starts: pl.DataFrame
    objective: int | None
    objective_kind: str
    cpsat_bound: float | None
    critical_path_bound: int
    energy_bound: int
    lower_bound: int
    gap_to_own_bound: float | None
    heuristic_objective: int | None
    wall_time_s: float

    @property
    def static_bound(self) -> int:
        """The bound computed without search: max of critical path and energy."""
        return max(self.critical_path_bound, self.energy_bound)


def build_instance(
    name: str,
    capacities: list[int],
    releases: dict[int, int],
    rows: list[tuple[int, int, int, list[int], list[tuple[int, int]]]],
) -> SchedulingInstance:
    """Frames of an instance from plain rows (the readers' common last step).

    Args:
        name: instance name.
        capacities: capacity per resource; resource ``k`` is ``capacities[k - 1]``.
        releases: release date per project id.
        rows: ``(project, activity, duration, demand per resource, successors)`` with
            successors as ``(project, activity)``.
    """
    resources = pl.DataFrame(
        {"resource": list(range(1, len(capacities) + 1)), "capacity": capacities},
        schema=RESOURCES_SCHEMA,
    )
    projects = pl.DataFrame(
        {"project": list(releases), "release_date": list(releases.values())},
        schema=PROJECTS_SCHEMA,
    )
    activities = pl.DataFrame(
        [(project, activity, duration) for project, activity, duration, _, _ in rows],
        schema=ACTIVITIES_SCHEMA,
        orient="row",
    )
    demands = pl.DataFrame(
        [
            (project, activity, resource, demand)
            for project, activity, _, row_demands, _ in rows
            for resource, demand in enumerate(row_demands, start=1)
            if demand
        ],
        schema=DEMANDS_SCHEMA,
        orient="row",
    )
    precedences = pl.DataFrame(
        [
            (project, activity, successor[0], successor[1])
            for project, activity, _, _, successors in rows
            for successor in successors
        ],
        schema=PRECEDENCES_SCHEMA,
        orient="row",
    )
    return SchedulingInstance(name, resources, projects, activities, demands, precedences)
