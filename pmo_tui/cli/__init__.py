"""The ``pmo-tui`` command line: thin click commands over the services.

This module holds the group and :func:`main`; each command group lives in a
module of its own (``db``, ``imports``, ``capacity``, ``plan``, ``scenario``,
``audit``, ``governance``, ``report``, ``status``, ``raid``, ``gate``, ``digest``,
``advise``, ``export``) that imports only :mod:`pmo_tui.cli.common`. Each
command parses its options, calls one service function and formats the result
(results on stdout, diagnostics on stderr). Exit codes are in
:mod:`pmo_tui.cli.common`: 0 ok, 1 a check failed, 2 bad input (one message, no
traceback), 3 infeasible plan, 130 interrupted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from pmo_tui.cli import (
    advise,
    audit,
    capacity,
    db,
    dependency,
    digest,
    edit,
    export,
    gate,
    governance,
    history,
    imports,
    plan,
    raid,
    report,
    scenario,
    status,
    users,
)
from pmo_tui.cli.common import PmoGroup, resolve_window, run_app, window_options


@click.group(cls=PmoGroup, invoke_without_command=True)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Database file (default: $PMO_TUI_DB, else pmo.db in the user data folder, "
    "created with the demo organisation on first use). A file named here must exist: "
    "`pmo-tui --db FILE db init` creates one.",
)
@click.option(
    "--theme",
    default=None,
    help="TUI colour theme, e.g. ansi-dark for 16-colour terminals (NO_COLOR is honoured).",
)
@click.option("--no-mouse", is_flag=True, help="Leave the mouse to the terminal (select text).")
@click.version_option(package_name="pmo-tui")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, theme: str | None, no_mouse: bool) -> None:
    """pmo-tui: the Project Management Office in your terminal.

    One shared pool of people across all projects, capacity and demand per ISO
    week, and a plan that rebalances allocations (OR-Tools). With no command,
    opens the terminal UI on the portfolio.
    """
    from pmo_tui.store.paths import DB_ENV_VAR, default_db_path

    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path or default_db_path()
    ctx.obj["db_named"] = db_path is not None or bool(os.environ.get(DB_ENV_VAR))
    ctx.obj["theme"] = theme
    ctx.obj["no_mouse"] = no_mouse
    if ctx.invoked_subcommand is None:  # options only, e.g. `pmo-tui --db my.db`
        run_app(ctx, "portfolio", window=resolve_window(None, None, None))


@cli.command()
@window_options
@click.pass_context
def tui(ctx: click.Context, today: Any, start: Any, end: Any) -> None:
    """Open the terminal UI on the portfolio screen (also `pmo-tui` alone).

    The screens show and plan the weeks from the current one on (--from reaches back
    into history, which is shown but never planned).
    """
    run_app(ctx, "portfolio", window=resolve_window(today, start, end))


for _module in (
    db,
    users,
    imports,
    edit,
    history,
    capacity,
    plan,
    advise,
    scenario,
    audit,
    governance,
    report,
    status,
    raid,
    gate,
    dependency,
    digest,
    export,
):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(obj={})
