"""``pmo-tui log`` and ``pmo-tui undo``: what changed, by whom, and putting it back.

Every write is a change set (docs/history.md): ``log`` lists them (newest first)
and, given one id, shows the before and after of each row it wrote; ``undo`` shows
what undoing one does, asks, and writes it as a new change set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from pmo_tui.cli.common import DATE, confirm, open_db, output_options, resolve_today, today_option
from pmo_tui.errors import UserError


@click.command("log")
@click.argument("change_set", type=int, required=False)
@click.option(
    "--entity", default=None, help="Only change sets that wrote KIND[:ID], e.g. person:ann."
)
@click.option("--user", default=None, help="Only those of this OS account.")
@click.option("--since", type=DATE, default=None, help="From this date (UTC).")
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many."
)
@output_options()
@click.pass_context
def log(
    ctx: click.Context,
    change_set: int | None,
    entity: str | None,
    user: str | None,
    since: dt.datetime | None,
    limit: int,
    fmt: str,
) -> None:
    """List the change sets (who, when, command, rows), or the rows of one CHANGE_SET."""
    from pmo_tui.history.log import change_set_rows, list_change_sets, parse_entity
    from pmo_tui.reporting.output import render_frame

    database = open_db(ctx)
    if change_set is not None:
        click.echo(render_frame(change_set_rows(database, change_set), fmt))
        return
    frame = list_change_sets(
        database,
        entity=parse_entity(entity) if entity else None,
        user=user,
        since=since.date() if since else None,
        limit=limit,
    )
    click.echo(render_frame(frame, fmt))


@click.command("undo")
@click.argument("change_set", type=int)
@click.option("--yes", is_flag=True, help="Do not ask (scripts).")
@click.option(
    "--force",
    is_flag=True,
    help="Undo even when later change sets wrote the same rows, or the rows are history.",
)
@today_option("Weeks before this date's week are history, which undo does not rewrite.")
@click.pass_context
def undo(ctx: click.Context, change_set: int, yes: bool, force: bool, today: Any) -> None:
    """Revert CHANGE_SET (an import, plan apply, promote or edit) as a new change set.

    Refused when later change sets wrote the same rows, or when it would rewrite a
    week before the current one (history), unless --force.
    """
    from pmo_tui.history.undo import apply_undo, plan_undo

    database = open_db(ctx, write=True)
    plan = plan_undo(database, change_set, today=resolve_today(today))
    info = plan.change_set
    click.echo(
        f"Change set {change_set}: {info['command']} by {info['who']} at {info['at']}", err=True
    )
    for line in plan.describe():
        click.echo(f"  {line}", err=True)
    if plan.blocked and not force:
        raise UserError(
            f"change set {change_set} was not undone: " + "; ".join(plan.reasons()),
            option="--force",
            fix=plan.fix("pass --force"),
        )
    for reason in plan.reasons():
        click.echo(f"  warning: {reason}", err=True)
    if not yes and not confirm(f"Undo change set {change_set}?", what="undo"):
        click.echo("Nothing was written.", err=True)
        return
    new_id = apply_undo(database, plan, force=force)
    click.echo(f"undone: change set {change_set} reverted by change set {new_id}")


COMMANDS = (log, undo)
