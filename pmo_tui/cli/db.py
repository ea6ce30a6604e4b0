"""``pmo-tui db``: create the database or say where it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pmo_tui.cli.common import PmoGroup, resolve_today, today_option
from pmo_tui.errors import UserError


@click.group(cls=PmoGroup)
def db() -> None:
    """Create or locate the database."""


@db.command("init")
@click.option("--empty", is_flag=True, help="Create a database without the demo organisation.")
@click.option("--force", is_flag=True, help="Replace an existing database file.")
@today_option("The demo organisation's status date: its plan starts in this week (YYYY-MM-DD).")
@click.pass_context
def db_init(ctx: click.Context, empty: bool, force: bool, today: Any) -> None:
    """Create a new database (with the demo organisation unless --empty).

    The demo is generated for the current week, so it always plans the coming 26 weeks.
    """
    from pmo_tui.bootstrap import open_database

    path: Path = ctx.obj["db_path"]
    if path.exists() and not force:
        raise UserError(
            "the database already exists", file=str(path), fix="pass --force to replace it"
        )
    if path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    open_database(path, seed_demo=not empty, today=resolve_today(today)).close()
    click.echo(f"Created {'an empty' if empty else 'a demo'} database at {path}")


@db.command("path")
@click.pass_context
def db_path_command(ctx: click.Context) -> None:
    """Print the database path in use."""
    click.echo(str(ctx.obj["db_path"]))


COMMANDS = (db,)
