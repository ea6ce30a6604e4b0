"""Readers for the scheduling benchmark formats: PSPLIB ``.sm`` and MPLIB multi-project text.

PSPLIB files go through OR-Tools' own parser (``ortools.scheduling.python.rcpsp``),
so the format is read exactly as OR-Tools reads it; MPLIB files (Van Eynde &
Vanhoucke 2020) are read here, line by line, so a malformed file is reported
with its path and 1-based line number. Both return a
:class:`solver.scheduling.types.SchedulingInstance`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from solver.scheduling.types import InstanceFormatError, SchedulingInstance, build_instance

if TYPE_CHECKING:
    from ortools.scheduling.rcpsp_pb2 import RcpspProblem

#: One activity row before it becomes frame rows: (project, activity, duration, demands, successors).
ActivityRow = tuple[int, int, int, list[int], list[tuple[int, int]]]


def read_psplib(path: str | Path) -> SchedulingInstance:
    """Read a single-mode PSPLIB ``.sm`` file with OR-Tools' RCPSP parser.

    The whole file is one project (number 1) released at time 0; activities keep
    their PSPLIB job numbers (1 is the dummy source, the last the dummy sink) and
    resources are numbered from 1 as in the file's ``R 1 .. R k`` columns.

    Raises:
        FileNotFoundError: the file does not exist.
        InstanceFormatError: OR-Tools cannot parse it (its log on stderr names the
            line), or it uses a feature this core does not schedule (several modes,
            non-renewable resources, RCPSP/max delays).
    """
    from ortools.scheduling.python import rcpsp

    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"{file}: no such PSPLIB file")
    parser = rcpsp.RcpspParser()
    if not parser.parse_file(str(file)):
        raise InstanceFormatError(
            file, None, "OR-Tools' PSPLIB parser rejected the file (see its log for the line)"
        )
    problem = parser.problem()
    _check_supported(file, problem)
    capacities = [resource.max_capacity for resource in problem.resources]
    rows: list[ActivityRow] = []
    for index, task in enumerate(problem.tasks):
        demands = [0] * len(capacities)
        duration = 0
        if task.recipes:
            recipe = task.recipes[0]
            duration = recipe.duration
            for resource, demand in zip(recipe.resources, recipe.demands, strict=True):
                demands[resource] = demand
        successors = [(1, successor + 1) for successor in task.successors]
        rows.append((1, index + 1, duration, demands, successors))
    name = problem.name or file.stem
    return build_instance(name, capacities, {1: max(problem.release_date, 0)}, rows)


def _check_supported(file: Path, problem: RcpspProblem) -> None:
    """Reject what the parser reads but this core does not schedule."""
    if not getattr(problem, "tasks", None):
        raise InstanceFormatError(file, None, "the file holds no activities")
    if problem.is_rcpsp_max or problem.is_resource_investment or problem.is_consumer_producer:
        raise InstanceFormatError(file, None, "only plain RCPSP is supported (no RCPSP/max)")
    if not all(resource.renewable for resource in problem.resources):
        raise InstanceFormatError(file, None, "non-renewable resources are not supported")
    for index, task in enumerate(problem.tasks):
        if len(task.recipes) > 1:
            raise InstanceFormatError(
                file, None, f"job {index + 1} has {len(task.recipes)} modes; only one is supported"
            )


class _Lines:
    """The non-blank lines of a file as integer tokens, with their 1-based line numbers."""

    def __init__(self, file: Path) -> None:
        self.file = file
        text = file.read_text(encoding="utf-8", errors="replace").splitlines()
        self._lines: Iterator[tuple[int, list[str]]] = (
            (number, line.split()) for number, line in enumerate(text, start=1) if line.strip()
        )
        self.number = 0

    def next(self, what: str) -> list[str]:
        """The tokens of the next non-blank line; ``what`` names it if the file ends early."""
        try:
            self.number, tokens = next(self._lines)
        except StopIteration:
            raise self.error(f"the file ends after line {self.number}; expected {what}") from None
        return tokens

    def integers(self, what: str, count: int | None = None) -> list[int]:
        """The next line as integers, exactly ``count`` of them when given."""
        tokens = self.next(what)
        if count is not None and len(tokens) != count:
            raise self.error(f"expected {what} ({count} numbers), found {len(tokens)} numbers")
        try:
            return [int(token) for token in tokens]
        except ValueError:
            raise self.error(f"expected {what} as integers, found {' '.join(tokens)!r}") from None

    def rest(self) -> list[str] | None:
        """The next non-blank line, or None at the end of the file."""
        following = next(self._lines, None)
        if following is None:
            return None
        self.number = following[0]
        return following[1]

    def error(self, message: str) -> InstanceFormatError:
        """An error at the current line."""
        return InstanceFormatError(self.file, self.number or None, message)


def read_mplib(path: str | Path) -> SchedulingInstance:
    """Read an MPLIB multi-project instance (e.g. ``MPLIB1_Set3_0.txt``).

    Format (blank lines ignored): number of projects; number of resources; the
    capacities; then per project a line ``activities release_date``, a 0/1 line of
    the resources it uses, and one line per activity: duration, the demand per
    resource, the number of successors and the successors as ``project:activity``.
    Projects and activities are numbered from 1 as in the file.

    Raises:
        FileNotFoundError: the file does not exist.
        InstanceFormatError: a malformed line, with the file and its line number.
    """
    lines = _Lines(Path(path))
    (project_count,) = lines.integers("the number of projects", 1)
    (resource_count,) = lines.integers("the number of resources", 1)
    capacities = lines.integers("the resource capacities", resource_count)
    if project_count < 1 or resource_count < 0 or any(c < 0 for c in capacities):
        raise lines.error("counts and capacities must not be negative, projects at least 1")
    releases: dict[int, int] = {}
    rows: list[ActivityRow] = []
    row_lines: dict[tuple[int, int], int] = {}
    for project in range(1, project_count + 1):
        activity_count, release = lines.integers(
            f"'activities release_date' of project {project}", 2
        )
        if activity_count < 1 or release < 0:
            raise lines.error(
                f"project {project} needs at least 1 activity and a release date >= 0"
            )
        releases[project] = release
        used = lines.integers(f"the 0/1 resource line of project {project}", resource_count)
        for activity in range(1, activity_count + 1):
            rows.append(_activity_row(lines, project, activity, resource_count, used))
            row_lines[(project, activity)] = lines.number
    if (extra := lines.rest()) is not None:
        raise lines.error(f"unexpected content after the last project: {' '.join(extra)!r}")
    _check_successors(lines.file, rows, row_lines)
    return build_instance(Path(path).stem, capacities, releases, rows)


def _activity_row(
    lines: _Lines, project: int, activity: int, resource_count: int, used: list[int]
) -> ActivityRow:
    """One activity line: duration, demands, successor count and ``p:a`` successors."""
    what = f"activity {activity} of project {project}"
    tokens = lines.next(what)
    head = resource_count + 2
    try:
        duration, *demands, successor_count = (int(token) for token in tokens[:head])
    except ValueError:
        raise lines.error(
            f"{what}: duration, demands and successor count must be integers"
        ) from None
    if len(tokens) < head or len(tokens) != head + successor_count:
        raise lines.error(
            f"{what}: expected duration, {resource_count} demands, a successor count and "
            f"that many successors; found {len(tokens)} fields"
        )
    if duration < 0 or any(demand < 0 for demand in demands):
        raise lines.error(f"{what}: duration and demands must not be negative")
    if any(demand > 0 and not flag for demand, flag in zip(demands, used, strict=True)):
        raise lines.error(f"{what}: demands a resource its project's 0/1 line does not use")
    successors = []
    for token in tokens[head:]:
        parts = token.split(":")
        if len(parts) != 2 or not all(part.isdigit() for part in parts):
            raise lines.error(f"{what}: successor {token!r} is not 'project:activity'")
        successors.append((int(parts[0]), int(parts[1])))
    return (project, activity, duration, demands, successors)


def _check_successors(
    file: Path, rows: list[ActivityRow], row_lines: dict[tuple[int, int], int]
) -> None:
    """Every successor names an activity of the file."""
    for project, activity, _, _, successors in rows:
        for successor in successors:
            if successor not in row_lines:
                raise InstanceFormatError(
                    file,
                    row_lines[(project, activity)],
                    f"activity {project}:{activity} names successor "
                    f"{successor[0]}:{successor[1]}, which is not in the file",
                )
