"""``pmo-tui digest``: the weekly digest for stakeholders."""

from __future__ import annotations

import click

from pmo_tui.cli.common import DATE, open_db, resolve_today, today_option


@click.command("digest")
@click.option("--since", type=DATE, required=True, help="Changes after this date (YYYY-MM-DD).")
@today_option("The digest's date.")
@click.pass_context
def digest(ctx: click.Context, since, today) -> None:
    """What changed in status since a date, what is blocked across projects, which shared
    people are contested, overdue actions, gate decisions and gates coming up (Markdown)."""
    from pmo_tui.portfolio_health.data import read_portfolio
    from pmo_tui.portfolio_health.digest import build_digest
    from pmo_tui.reporting.digest import render_digest

    data = read_portfolio(open_db(ctx), resolve_today(today))
    click.echo(render_digest(build_digest(data, since.date())), nl=False)


COMMANDS = (digest,)
