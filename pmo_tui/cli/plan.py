"""``pmo-tui plan``: rebalance resources, in the plan screen or headless (for CI).

The optimizer's options are made from :data:`pmo_tui.planning.parameters.PARAMETERS`
and map onto :class:`solver.Policy` through :func:`pmo_tui.planning.policy.build_policy`
(``--policy FILE`` first, then each option given). Headless, the solver runs in
a thread so Ctrl-C stops it and writes nothing (exit 130); a progress bar on
stderr shows the best plan, the bound and the gap while it runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pmo_tui.cli.common import (
    EXIT_INFEASIBLE,
    open_db,
    output_options,
    policy_fields,
    policy_file_option,
    policy_options,
    resolve_window,
    run_app,
    run_interruptibly,
    terminal_width,
    window_options,
)
from pmo_tui.planning.parameters import PARAMETERS

#: Characters of the progress bar itself.
BAR_WIDTH = 20


@click.command()
@click.option(
    "--headless",
    is_flag=True,
    help="Print the plan instead of opening the plan screen (implied without a terminal).",
)
@output_options("table", "json", "markdown")
@click.option(
    "--apply", "apply_plan", is_flag=True, help="Write the plan (one transaction, change log)."
)
@policy_file_option(
    "TOML policy file: weights, limits, search (docs/planning.md); options below win."
)
@policy_options(PARAMETERS)
@window_options
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
    today: Any,
    start: Any,
    end: Any,
    progress: bool | None,
    **options: Any,
) -> None:
    """Rebalance allocations across projects, against a greedy baseline and an LP bound.

    The plan covers the weeks from the current one (--today) on: earlier weeks are
    history and are never changed.
    """
    from pmo_tui.cli.common import given_on_command_line
    from pmo_tui.planning.policy import build_policy
    from pmo_tui.planning.service import applied_text, apply_outcome
    from pmo_tui.reporting.capacity import only_history_note
    from pmo_tui.reporting.plan import render_outcome
    from solver import STATUS_INFEASIBLE

    window = resolve_window(today, start, end)
    if not headless and sys.stdin.isatty() and sys.stdout.isatty():
        defaults = given_on_command_line(ctx, (p.name for p in PARAMETERS))
        run_app(ctx, "plan", defaults, window)
        return
    policy = build_policy(policy_file, **policy_fields(options))
    database = open_db(ctx, write=apply_plan)
    if apply_plan:  # refuse before solving, not after
        from pmo_tui.store.access import require_role

        require_role(database, "planner", "plan --apply")
    show_progress = sys.stderr.isatty() if progress is None else progress
    outcome = _solve_interruptibly(ctx.obj["db_path"], policy, window, show_progress)
    click.echo(render_outcome(outcome, fmt, width=terminal_width()))
    note = only_history_note(database, window) if start is None else None
    if note:
        click.echo(note, err=True)
    if outcome.result.status == STATUS_INFEASIBLE:
        ctx.exit(EXIT_INFEASIBLE)
    if apply_plan:
        from pmo_tui.store.transactions import last_change_set

        written = apply_outcome(database, outcome)
        change_set = last_change_set(database) if written is not None else None
        click.echo(applied_text(written, change_set), err=True)


def progress_bar(elapsed_s: float, limit_s: float, best: float, bound: float, gap: float) -> str:
    """One line: ``[#####---------------]  2.5/10 s  best 361604  bound 370534  gap 2.41 %``."""
    done = min(BAR_WIDTH, int(BAR_WIDTH * elapsed_s / max(limit_s, 1e-9)))
    gap_text = "n/a" if gap == float("inf") else f"{100 * gap:.2f} %"
    return (
        f"[{'#' * done}{'-' * (BAR_WIDTH - done)}] {elapsed_s:5.1f}/{limit_s:g} s  "
        f"best {best:.0f}  bound {bound:.0f}  gap {gap_text}"
    )


def _solve_interruptibly(path: Path, policy: Any, window: Any, show_progress: bool) -> Any:
    """Run the planning service in a thread so that Ctrl-C stops the solver and writes nothing.

    After Ctrl-C the process exits with code 130: the plan is neither printed nor applied.
    """
    import threading

    from pmo_tui.bootstrap import open_database
    from pmo_tui.planning.service import run_plan

    latest: dict[str, Any] = {}
    drawn: list[bool] = []

    def solve(cancel: threading.Event) -> Any:
        database = open_database(path, seed_demo=False)
        try:
            return run_plan(
                database,
                policy,
                window=window,
                cancel=cancel,
                on_progress=lambda p: latest.update(progress=p),
            )
        finally:
            database.close()

    def draw(elapsed_s: float) -> None:
        progress = latest.get("progress")
        if not show_progress or progress is None:
            return
        line = progress_bar(
            elapsed_s, policy.time_limit_s, progress.incumbent, progress.bound, progress.gap
        )
        click.echo(line + ("\r" if sys.stderr.isatty() else "\n"), err=True, nl=False)
        drawn.append(True)

    click.echo(
        f"Solving (time limit {policy.time_limit_s:g} s; Ctrl-C stops and writes nothing)...",
        err=True,
    )
    outcome = run_interruptibly(
        solve,
        name="plan",
        interrupted="the plan was stopped; nothing was written.",
        on_tick=draw,
    )
    if drawn and sys.stderr.isatty():
        click.echo("", err=True)
    return outcome


COMMANDS = (plan,)
