"""``pmo-tui plan``: rebalance resources, in the plan screen or headless (for CI).

Options map onto :class:`solver.Policy` through :func:`pmo_tui.planning.policy.build_policy`
(``--policy FILE`` first, then each option given). Headless, the solver runs in
a thread so Ctrl-C stops it and writes nothing (exit 130); a progress bar on
stderr shows the best plan, the bound and the gap while it runs.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from pmo_tui.cli import EXIT_INFEASIBLE, _format_option, _open_db, _run_app

#: Seconds between two progress-bar redraws.
PROGRESS_EVERY_S = 0.25
#: Characters of the bar itself.
BAR_WIDTH = 20


@click.command()
@click.option(
    "--headless",
    is_flag=True,
    help="Print the plan instead of opening the plan screen (implied without a terminal).",
)
@_format_option("table", "json", "markdown")
@click.option(
    "--apply", "apply_plan", is_flag=True, help="Write the plan (one transaction, change log)."
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="TOML policy file: weights, limits, search (docs/planning.md); options below win.",
)
@click.option("--time-limit", "time_limit_s", type=float, help="Solver time limit, s [10].")
@click.option("--seed", type=int, help="Solver random seed [0].")
@click.option("--workers", type=int, help="Solver worker threads [2].")
@click.option(
    "--deterministic-time",
    type=float,
    help="CP-SAT work budget; the same result on every machine as long as --time-limit "
    "(a safety net) does not bind first: give it room, e.g. --time-limit 600. 0: no search.",
)
@click.option("--churn-weight", type=float, help="Cost per hour changed [0.2].")
@click.option("--fragmentation-weight", type=float, help="Cost per person-project-week [2.0].")
@click.option("--continuity-weight", type=float, help="Cost per assignment start (handover) [1].")
@click.option("--delay-weight", type=float, help="Cost per week a project starts later [10].")
@click.option(
    "--min-block", "min_block_hours", type=float, help="Least hours of an allocation [4]."
)
@click.option(
    "--max-concurrent",
    "max_concurrent_projects",
    type=int,
    help="Most projects per person-week, for people without their own limit.",
)
@click.option("--frozen-weeks", type=int, help="The first N weeks do not change [0].")
@click.option("--max-people-moved", type=int, help="Most people whose allocations change.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)
@click.pass_context
def plan(
    ctx: click.Context,
    headless: bool,
    fmt: str,
    apply_plan: bool,
    policy_file: Path | None,
    progress: bool | None,
    **options: Any,
) -> None:
    """Rebalance allocations across projects (CP-SAT), against a greedy baseline and an LP bound."""
    from pmo_tui.planning.policy import build_policy
    from pmo_tui.planning.service import apply_outcome
    from pmo_tui.reporting.plan import render_outcome

    if not headless and sys.stdin.isatty() and sys.stdout.isatty():
        _run_app(ctx, "plan", _plan_form_defaults(ctx))
        return
    policy = build_policy(policy_file, **options)
    database = _open_db(ctx)
    show_progress = sys.stderr.isatty() if progress is None else progress
    outcome = _solve_interruptibly(ctx.obj["db_path"], policy, show_progress)
    click.echo(render_outcome(outcome, fmt))
    if outcome.result.status == "INFEASIBLE":
        ctx.exit(EXIT_INFEASIBLE)
    if apply_plan:
        written = apply_outcome(database, outcome)
        click.echo(f"applied: {written} allocation rows written (see change_log)", err=True)


#: Plan-screen parameter name -> the command's parameter that prefills it.
_FORM_PARAMETERS = {
    "time_limit": "time_limit_s",
    "seed": "seed",
    "workers": "workers",
    "churn_weight": "churn_weight",
    "fragmentation_weight": "fragmentation_weight",
    "continuity_weight": "continuity_weight",
    "delay_weight": "delay_weight",
    "min_block": "min_block_hours",
    "max_concurrent": "max_concurrent_projects",
    "frozen_weeks": "frozen_weeks",
    "max_people_moved": "max_people_moved",
}


def _plan_form_defaults(ctx: click.Context) -> dict[str, str]:
    """The plan options given on the command line, as texts for the plan screen's form."""
    given = click.core.ParameterSource.COMMANDLINE
    return {
        name: str(ctx.params[param])
        for name, param in _FORM_PARAMETERS.items()
        if ctx.get_parameter_source(param) == given and ctx.params.get(param) is not None
    }


def _exit_now(code: int) -> None:
    """Exit at once after Ctrl-C: OR-Tools' native threads must not be torn down at exit."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def progress_bar(elapsed_s: float, limit_s: float, best: float, bound: float, gap: float) -> str:
    """One line: ``[#####---------------]  2.5/10 s  best 361604  bound 370534  gap 2.41 %``."""
    done = min(BAR_WIDTH, int(BAR_WIDTH * elapsed_s / max(limit_s, 1e-9)))
    gap_text = "n/a" if gap == float("inf") else f"{100 * gap:.2f} %"
    return (
        f"[{'#' * done}{'-' * (BAR_WIDTH - done)}] {elapsed_s:5.1f}/{limit_s:g} s  "
        f"best {best:.0f}  bound {bound:.0f}  gap {gap_text}"
    )


def _solve_interruptibly(path: Path, policy: Any, show_progress: bool) -> Any:
    """Run the planning service in a thread so that Ctrl-C stops the solver and writes nothing.

    After Ctrl-C the process exits with code 130: the plan is neither printed nor applied.
    """
    from pmo_tui.bootstrap import open_database
    from pmo_tui.planning.service import run_plan

    cancel = threading.Event()
    box: dict[str, Any] = {}

    def solve() -> None:
        try:
            database = open_database(path, seed_demo=False)
            try:
                box["outcome"] = run_plan(
                    database, policy, cancel=cancel, on_progress=lambda p: box.update(progress=p)
                )
            finally:
                database.close()
        except BaseException as error:  # noqa: BLE001 - handed to the main thread below
            box["error"] = error

    worker = threading.Thread(target=solve, name="plan", daemon=True)
    started = time.perf_counter()
    worker.start()
    try:
        click.echo(
            f"Solving (time limit {policy.time_limit_s:g} s; Ctrl-C stops and writes nothing)...",
            err=True,
        )
        _wait(worker, box, started, policy.time_limit_s, show_progress)
    except KeyboardInterrupt:
        cancel.set()
        worker.join()
        click.echo("\nInterrupted: the plan was stopped; nothing was written.", err=True)
        _exit_now(130)
    if "error" in box:
        raise box["error"]
    return box["outcome"]


def _wait(
    worker: threading.Thread, box: dict[str, Any], started: float, limit: float, show: bool
) -> None:
    """Join ``worker``, redrawing the progress bar on stderr when ``show``."""
    drawn = False
    while worker.is_alive():
        worker.join(PROGRESS_EVERY_S)
        progress = box.get("progress")
        if show and progress is not None:
            line = progress_bar(
                time.perf_counter() - started,
                limit,
                progress.incumbent,
                progress.bound,
                progress.gap,
            )
            end = "\r" if sys.stderr.isatty() else "\n"
            click.echo(line, err=True, nl=False)
            click.echo(end, err=True, nl=False)
            drawn = True
    if drawn and sys.stderr.isatty():
        click.echo("", err=True)
