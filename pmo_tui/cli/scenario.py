"""``pmo-tui scenario``: what-if scenarios run, compared, merged and promoted (docs/scenarios.md).

``run`` and ``diff`` read the live database through a read-only connection and
never write it. Every run uses the same policy: ``--policy FILE`` and the
search options, with a deterministic-time budget by default so that the same
files, seed and worker count give the same figures on every machine. Exit
codes: 0 ok, 1 a ``--fail-if`` check failed or a scenario could not be planned,
2 bad input (nothing runs), 130 interrupted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from pmo_tui.cli.common import (
    EXIT_CHECK_FAILED,
    OutputFile,
    PmoGroup,
    confirm,
    current_db_path,
    open_db,
    output_options,
    policy_fields,
    policy_options,
    resolve_window,
    run_interruptibly,
    window_options,
)
from pmo_tui.errors import UserError
from pmo_tui.planning.parameters import SEARCH_PARAMETERS
from pmo_tui.scenarios import SCENARIO_SEARCH_DEFAULTS

REPORT_FORMATS = ("table", "json", "markdown", "junit")


def _solver_options(command: Any) -> Any:
    """The options shared by run, diff and promote: the weeks, the policy file and the search."""
    command = window_options(command)
    command = policy_options(SEARCH_PARAMETERS, defaults=SCENARIO_SEARCH_DEFAULTS)(command)
    return click.option(
        "--policy",
        "policy_file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="TOML policy file (docs/planning.md); the options below win.",
    )(command)


def _policy(policy_file: Path | None, options: dict[str, Any]) -> Any:
    """The policy of every run (:func:`pmo_tui.scenarios.scenario_policy`)."""
    from pmo_tui.scenarios import scenario_policy

    return scenario_policy(policy_file, policy_fields(options))


def _window(options: dict[str, Any]) -> Any:
    """The weeks of every run, from ``--today``, ``--from`` and ``--to`` (taken out of ``options``)."""
    return resolve_window(options.pop("today"), options.pop("start"), options.pop("end"))


def scenario_files(paths: tuple[Path, ...]) -> list[Path]:
    """The files of ``paths`` (a folder gives its ``*.toml``), sorted by path.

    Raises:
        UserError: a folder holds no ``*.toml`` file (a wrong folder or glob).
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = list(path.glob("*.toml"))
            if not found:
                raise UserError(
                    f"no *.toml scenario files in {path}",
                    file=str(path),
                    fix="name scenario files or a folder that holds them",
                )
            files += found
        else:
            files.append(path)
    return sorted(set(files), key=str)


def shard_files(files: list[Path], shard: str | None) -> list[Path]:
    """Files ``k`` (0-based, in sorted order) with ``k % n == i - 1`` for ``--shard i/n``."""
    if shard is None:
        return files
    try:
        index, count = (int(part) for part in shard.split("/"))
    except ValueError:
        index = count = 0
    if not 1 <= index <= count:
        raise UserError(
            f"cannot read the shard {shard!r}",
            option="--shard",
            fix="write i/n with 1 <= i <= n, e.g. 1/2",
        )
    return [path for k, path in enumerate(files) if k % count == index - 1]


def _solve(prepared: Any, *, include_base: bool = True, progress: bool = False) -> None:
    """Plan every run in a thread: Ctrl-C stops the solver and exits 130, nothing printed."""
    from pmo_tui.scenarios.evaluate import solve_runs

    started = time.perf_counter()

    def on_start(position: int, total: int, name: str) -> None:
        if progress:
            click.echo(
                f"[{position}/{total}] {time.perf_counter() - started:6.1f} s  planning {name}",
                err=True,
            )

    run_interruptibly(
        lambda cancel: solve_runs(
            prepared, include_base=include_base, on_start=on_start, cancel=cancel
        ),
        name="scenarios",
        interrupted="nothing was printed or written.",
    )
    runs = ([prepared.base] if include_base else []) + prepared.scenarios
    for run in runs:
        limit = run.policy.time_limit_s
        if run.result is not None and run.result.wall_time_s >= 0.9 * limit:
            click.echo(
                f"note: {run.name} stopped on the wall-clock limit ({limit:g} s): its figures may "
                "differ on another machine; raise --time-limit or lower --deterministic-time",
                err=True,
            )
    if progress:
        click.echo(f"planned {len(runs)} run(s) in {time.perf_counter() - started:.1f} s", err=True)


def _planned(run: Any) -> Any:
    """The result of a run :func:`_solve` planned (it plans every run it is given)."""
    assert run.result is not None, f"{run.name} was not planned"
    return run.result


def _emit(document: dict, fmt: str, junit_path: Path | None) -> None:
    """Print ``document`` in ``fmt``, write JUnit beside it, name failures on stderr."""
    from pmo_tui.reporting.junit import render_junit
    from pmo_tui.reporting.scenarios import dumps_document, render_markdown, render_table

    renderers = {
        "json": dumps_document,
        "table": render_table,
        "markdown": render_markdown,
        "junit": render_junit,
    }
    click.echo(renderers[fmt](document))
    if junit_path is not None:
        junit_path.write_text(render_junit(document) + "\n", encoding="utf-8")
    for check in document["checks"]:
        if not check["passed"]:
            click.echo(f"failed: {check['message']}", err=True)


@click.group("scenario", cls=PmoGroup)
def scenario() -> None:
    """What-if scenarios: run, diff, merge and promote TOML scenario files (never the live data)."""


_fail_if = click.option(
    "--fail-if",
    "fail_if",
    multiple=True,
    metavar="CHECK",
    help='Exit 1 when true for a scenario, e.g. "coverage < 0.9", "unmet_hours[data-engineering] > 200".',
)
_junit = click.option(
    "--junit",
    "junit_path",
    type=OutputFile(),
    help="Also write the checks as JUnit XML to this file.",
)
_report_format = output_options(*REPORT_FORMATS)


@scenario.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_report_format
@_fail_if
@_junit
@click.option(
    "--shard", default=None, metavar="I/N", help="Run only files k with k % N == I-1 (sorted)."
)
@click.option(
    "--progress/--no-progress", default=None, help="One line per plan on stderr [on a terminal]."
)
@_solver_options
@click.pass_context
def run_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    fail_if: tuple[str, ...],
    junit_path: Path | None,
    shard: str | None,
    progress: bool | None,
    policy_file: Path | None,
    **options: Any,
) -> None:
    """Plan each scenario file (or folder of them) and the base; KPIs side by side.

    Exit 1 when a --fail-if check fails or a scenario cannot be planned.
    """
    from pmo_tui.reporting.scenarios import run_document
    from pmo_tui.scenarios.evaluate import prepare_runs
    from pmo_tui.scenarios.schema import load_scenarios
    from pmo_tui.scenarios.thresholds import parse_check

    scenarios = load_scenarios(shard_files(scenario_files(paths), shard))
    for text in fail_if:
        parse_check(text)
    window = _window(options)
    policy = _policy(policy_file, options)
    prepared = prepare_runs(current_db_path(ctx), scenarios, policy, window=window)
    checks = [parse_check(text, prepared.skills) for text in fail_if]
    _solve(prepared, progress=sys.stderr.isatty() if progress is None else progress)
    document = run_document(prepared, checks, shard=shard)
    _emit(document, fmt, junit_path)
    if not document["passed"]:
        ctx.exit(EXIT_CHECK_FAILED)


@scenario.command("merge")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@_report_format
@_fail_if
@_junit
@click.pass_context
def merge_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    fmt: str,
    fail_if: tuple[str, ...],
    junit_path: Path | None,
) -> None:
    """Combine the JSON outputs of `scenario run --shard` into the report one run gives."""
    from pmo_tui.reporting.scenarios import merge_documents
    from pmo_tui.scenarios.thresholds import parse_check

    for text in fail_if:
        parse_check(text)
    document = merge_documents(list(files), [])
    checks = [parse_check(text, document["skills"]) for text in fail_if]
    document = merge_documents(list(files), checks)
    _emit(document, fmt, junit_path)
    if not document["passed"]:
        ctx.exit(EXIT_CHECK_FAILED)


@scenario.command("diff")
@click.argument("first")
@click.argument("second")
@click.option(
    "--by",
    type=click.Choice(("person", "project", "week")),
    default="project",
    show_default=True,
    help="Compare hours per person and project, coverage per project, or per week.",
)
@output_options()
@_solver_options
@click.pass_context
def diff_command(
    ctx: click.Context,
    first: str,
    second: str,
    by: str,
    fmt: str,
    policy_file: Path | None,
    **options: Any,
) -> None:
    """Plan two scenarios (either may be `base`) and list what differs, A then B."""
    from pmo_tui.reporting.output import render_frame
    from pmo_tui.scenarios.diff import diff_frame
    from pmo_tui.scenarios.evaluate import prepare_runs
    from pmo_tui.scenarios.schema import load_scenario
    from solver import STATUS_INFEASIBLE

    sides = [None if name == "base" else load_scenario(Path(name)) for name in (first, second)]
    window = _window(options)
    policy = _policy(policy_file, options)
    path = current_db_path(ctx)
    runs = []
    for side in sides:
        prepared = prepare_runs(path, [side] if side else [], policy, window=window)
        _solve(prepared, include_base=side is None)
        runs.append(prepared.scenarios[0] if side else prepared.base)
    results = [_planned(run) for run in runs]
    for name, result in zip((first, second), results, strict=True):
        if result.status == STATUS_INFEASIBLE:
            click.echo(f"{name} is INFEASIBLE; nothing to compare:", err=True)
            for conflict in result.conflicts:
                click.echo(f"  - {conflict}", err=True)
            ctx.exit(EXIT_CHECK_FAILED)
    click.echo(f"A = {first}, B = {second}; change = B - A (hours)", err=True)
    (a, b), (plan_a, plan_b) = runs, (result.plan for result in results)
    frame = diff_frame(by, a.inputs, plan_a, b.inputs, plan_b)
    click.echo(render_frame(frame, fmt))


@scenario.command("promote")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (scripts).")
@_solver_options
@click.pass_context
def promote_command(
    ctx: click.Context, file: Path, yes: bool, policy_file: Path | None, **options: Any
) -> None:
    """Apply a scenario's changes and plan to the live data: one transaction, change log."""
    from pmo_tui.scenarios.evaluate import prepare_from_state, read_base
    from pmo_tui.scenarios.promote import check_promotable, promote_scenario, promotion_rows
    from pmo_tui.scenarios.schema import load_scenario
    from pmo_tui.store.change_log import current_user

    scenario_file = load_scenario(file)
    window = _window(options)
    policy = _policy(policy_file, options)
    database = open_db(ctx, seed_demo=False, write=True)
    from pmo_tui.store.access import require_role

    require_role(database, "planner", "scenario promote")  # before solving, not after
    live, fingerprint = read_base(database)
    prepared = prepare_from_state(live, fingerprint, [scenario_file], policy, window=window)
    run = prepared.scenarios[0]
    if run.state.not_promotable:
        check_promotable(run)
    _solve(prepared, include_base=False)
    rows = promotion_rows(live, run, prepared.window)
    who = current_user()
    written = ", ".join(f"{table} {count}" for table, count in rows.summary().items())
    coverage = (run.kpis or {}).get("coverage_pct")
    click.echo(
        f"Scenario {run.name}: {_planned(run).status}, coverage {coverage} %; "
        f"rows to write: {written}",
        err=True,
    )
    shifted = ", ".join(f"{s['project_id']} +{s['shift_weeks']} weeks" for s in rows.shifts)
    if shifted:
        click.echo(f"Projects starting later: {shifted}", err=True)
    question = f"Promote scenario {run.name} to the live data as {who}?"
    if not yes and not confirm(question, what="promote"):
        click.echo("Nothing was written.", err=True)
        ctx.exit(0)
    summary = promote_scenario(database, prepared, run, rows=rows, who=who)
    click.echo(
        f"promoted {run.name}: "
        + ", ".join(f"{t} {n}" for t, n in summary.items())
        + " (see change_log)"
    )


COMMANDS = (scenario,)
