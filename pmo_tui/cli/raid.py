"""``pmo-tui raid``: the RAID log (risks, assumptions, issues, decisions, actions)."""

from __future__ import annotations

import click

from pmo_tui.cli.common import DATE, PmoGroup, open_db, output_options, resolve_today, today_option

KIND = click.Choice(("risk", "assumption", "issue", "decision", "action"))


@click.group("raid", cls=PmoGroup, default_command="list")
def raid() -> None:
    """The RAID log of each project."""


@raid.command("list")
@click.option("--project", default=None, help="Only this project.")
@click.option("--kind", type=KIND, default=None, help="Only this kind.")
@click.option("--open", "open_only", is_flag=True, help="Only open entries.")
@output_options()
@click.pass_context
def raid_list(
    ctx: click.Context, project: str | None, kind: str | None, open_only: bool, fmt: str
) -> None:
    """RAID entries, open first, risks by score (probability x impact)."""
    from pmo_tui.portfolio_health.raid import raid_log
    from pmo_tui.reporting.output import render_frame

    click.echo(render_frame(raid_log(open_db(ctx), project, kind=kind, open_only=open_only), fmt))


@raid.command("add")
@click.argument("project")
@click.option("--kind", type=KIND, required=True, help="What it is.")
@click.option("--title", required=True, help="One line.")
@click.option("--owner", default=None, help="Who owns it.")
@click.option("--due", type=DATE, default=None, help="Due date (actions, decisions).")
@click.option("--probability", type=int, default=None, help="Risk probability 1-5.")
@click.option("--impact", type=int, default=None, help="Impact 1-5.")
@click.option("--notes", default=None, help="More detail.")
@today_option("The date it is raised.")
@click.pass_context
def raid_add(ctx: click.Context, project: str, due, today, **options) -> None:
    """Add an entry to PROJECT's RAID log."""
    from pmo_tui.portfolio_health.raid import RaidEntry, add_raid_entry

    entry = RaidEntry(
        project_id=project,
        raised_on=resolve_today(today),
        due=due.date() if due else None,
        **options,
    )
    click.echo(f"RAID entry {add_raid_entry(open_db(ctx, write=True), entry)} added to {project}")


@raid.command("close")
@click.argument("entry_id", type=int)
@click.option("--reason", required=True, help="Why it is closed.")
@today_option("The date it is closed.")
@click.pass_context
def raid_close(ctx: click.Context, entry_id: int, reason: str, today) -> None:
    """Close RAID entry ENTRY_ID."""
    from pmo_tui.portfolio_health.raid import close_raid_entry

    close_raid_entry(open_db(ctx, write=True), entry_id, resolve_today(today), reason)
    click.echo(f"RAID entry {entry_id} closed")


COMMANDS = (raid,)
