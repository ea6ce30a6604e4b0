"""``pmo-tui dependency``: dependencies between projects with their derived state."""

from __future__ import annotations

import click

from pmo_tui.cli.common import PmoGroup, open_db, output_options, resolve_today, today_option

STATE = click.Choice(("late", "at-risk", "on-track"))


@click.group("dependency", cls=PmoGroup, default_command="list")
def dependency() -> None:
    """Dependencies between projects (docs/reporting.md, "Dependencies")."""


@dependency.command("list")
@click.option("--project", default=None, help="Only the dependencies from or to this project.")
@click.option("--state", type=STATE, default=None, help="Only this state.")
@today_option("The status date the state is derived on.")
@output_options()
@click.pass_context
def dependency_list(
    ctx: click.Context, project: str | None, state: str | None, today, fmt: str
) -> None:
    """Every dependency with the date it is needed by, the date it is expected, its slack,
    its state (late, at risk, on track) and why; late first."""
    import polars as pl

    from pmo_tui.portfolio_health.data import read_portfolio
    from pmo_tui.portfolio_health.dependencies import dependency_states
    from pmo_tui.reporting.output import render_frame

    frame = dependency_states(read_portfolio(open_db(ctx), resolve_today(today)))
    if project is not None:
        frame = frame.filter(
            (pl.col("from_project_id") == project) | (pl.col("to_project_id") == project)
        )
    if state is not None:
        frame = frame.filter(pl.col("state") == state.replace("-", " "))
    click.echo(render_frame(frame, fmt))


COMMANDS = (dependency,)
