"""``pmo-tui users``: who may read, plan and administer this database (docs/operations.md)."""

from __future__ import annotations

import click

from pmo_tui.cli.common import PmoGroup, open_db, output_options

ROLE_NAMES = ("viewer", "planner", "admin")


@click.group(cls=PmoGroup, default_command="list")
def users() -> None:
    """List, grant or revoke roles: viewer (reads), planner (edits, imports, plans), admin."""


@users.command("list")
@output_options()
@click.pass_context
def users_list(ctx: click.Context, fmt: str) -> None:
    """List the role rules, and your own role."""
    from pmo_tui.reporting.output import render_frame
    from pmo_tui.store.roles import list_rules, whoami

    database = open_db(ctx)
    click.echo(render_frame(list_rules(database), fmt))
    click.echo(f"you are {whoami(database)}", err=True)


@users.command("grant")
@click.argument("subject")
@click.argument("role", type=click.Choice(ROLE_NAMES))
@click.pass_context
def users_grant(ctx: click.Context, subject: str, role: str) -> None:
    """Give ROLE to SUBJECT: an OS account, or group:NAME for every member of a group (admin)."""
    from pmo_tui.store.roles import grant_role, parse_subject

    parsed = parse_subject(subject)
    grant_role(open_db(ctx, write=True), parsed, role)  # type: ignore[arg-type]
    click.echo(f"{parsed[0]} {parsed[1]}: {role}")


@users.command("revoke")
@click.argument("subject")
@click.pass_context
def users_revoke(ctx: click.Context, subject: str) -> None:
    """Remove SUBJECT's rule: the account falls back to viewer (admin)."""
    from pmo_tui.store.roles import parse_subject, revoke_role

    parsed = parse_subject(subject)
    had = revoke_role(open_db(ctx, write=True), parsed)
    click.echo(f"{parsed[0]} {parsed[1]}: {had} revoked")


COMMANDS = (users,)
