"""``pmo-tui db``: create, locate, back up, restore, check and upgrade the database.

docs/operations.md explains running one database for a team: permissions, roles,
backups, restore and upgrades.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pmo_tui.cli.common import (
    EXIT_CHECK_FAILED,
    PmoGroup,
    confirm,
    open_db,
    output_options,
    resolve_today,
    today_option,
)
from pmo_tui.errors import UserError


@click.group(cls=PmoGroup)
def db() -> None:
    """Create, locate, back up, restore, check or upgrade the database."""


@db.command("init")
@click.option("--empty", is_flag=True, help="Create a database without the demo organisation.")
@click.option(
    "--force", is_flag=True, help="Replace an existing database (admin; backs it up first, asks)."
)
@click.option("--yes", is_flag=True, help="Do not ask before replacing (scripts).")
@click.option(
    "--group", default=None, help="OS group that shares the database (mode 0660, else 0600)."
)
@today_option("The demo organisation's status date: its plan starts in this week (YYYY-MM-DD).")
@click.pass_context
def db_init(
    ctx: click.Context, empty: bool, force: bool, yes: bool, group: str | None, today: Any
) -> None:
    """Create a new database (with the demo organisation unless --empty); you are its admin.

    The demo is generated for the current week, so it always plans the coming 26 weeks.
    """
    from pmo_tui.bootstrap import open_database

    path: Path = ctx.obj["db_path"]
    if path.exists() and not force:
        raise UserError(
            "the database already exists", file=str(path), fix="pass --force to replace it"
        )
    if path.exists():
        backup = _replace_existing(path, yes)
        click.echo(f"Backed up the old database to {backup}", err=True)
    open_database(path, seed_demo=not empty, group=group, today=resolve_today(today)).close()
    click.echo(f"Created {'an empty' if empty else 'a demo'} database at {path}")


def _replace_existing(path: Path, yes: bool) -> Path:
    """Back up the database at ``path`` (admin only) and delete it and its WAL files."""
    from pmo_tui.bootstrap import open_database
    from pmo_tui.store.access import require_role
    from pmo_tui.store.files import automatic_backup_path
    from pmo_tui.store.maintenance import backup_database

    database = open_database(path, seed_demo=False, upgrade=False)
    try:
        require_role(database, "admin", "db init --force")
        if not yes and not confirm(
            f"Replace the database at {path} (a backup is kept beside it)?", what="db init --force"
        ):
            raise click.exceptions.Exit(0)
        backup = backup_database(database, path, automatic_backup_path(path, "before-init"))
    finally:
        database.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return backup


@db.command("path")
@click.pass_context
def db_path_command(ctx: click.Context) -> None:
    """Print the database path in use."""
    click.echo(str(ctx.obj["db_path"]))


@db.command("backup")
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def db_backup(ctx: click.Context, target: Path) -> None:
    """Copy the database to TARGET (consistent while others write; same file mode)."""
    from pmo_tui.store.maintenance import backup_database

    written = backup_database(open_db(ctx), ctx.obj["db_path"], target)
    click.echo(f"Backed up {ctx.obj['db_path']} to {written}")


@db.command("restore")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask (scripts).")
@click.pass_context
def db_restore(ctx: click.Context, source: Path, yes: bool) -> None:
    """Replace the database by the backup SOURCE (admin; backs up the current one first)."""
    from pmo_tui.store.access import require_role
    from pmo_tui.store.maintenance import check_restorable, restore_database

    path: Path = ctx.obj["db_path"]
    database = open_db(ctx, seed_demo=False, write=True)
    require_role(database, "admin", "db restore")
    check_restorable(source)  # a wrong file is refused before the question
    if not yes and not confirm(f"Replace {path} by {source}?", what="db restore"):
        click.echo("Nothing was changed.", err=True)
        return
    before = restore_database(database, path, source)
    click.echo(f"Restored {source} into {path}; the database as it was is in {before}")


@db.command("check")
@output_options("table", "json")
@click.pass_context
def db_check(ctx: click.Context, fmt: str) -> None:
    """Check integrity, foreign keys, the product's invariants, schema version and file mode.

    Exit code 1 when an error is found (warnings alone: 0).
    """
    import json

    from pmo_tui.store.maintenance import check_database
    from pmo_tui.store.readonly import read_connection

    path: Path = ctx.obj["db_path"]
    connection = read_connection(path)
    try:
        report = check_database(connection, path)
    finally:
        connection.close()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "version": report.version,
                    "errors": report.errors,
                    "warnings": report.warnings,
                },
                indent=2,
            )
        )
    else:
        for line in report.errors:
            click.echo(f"error: {line}")
        for line in report.warnings:
            click.echo(f"warning: {line}")
        click.echo(f"{path}: schema version {report.version}, {'ok' if report.ok else 'NOT OK'}")
    if not report.ok:
        ctx.exit(EXIT_CHECK_FAILED)


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Migrate an older database to this pmo-tui's schema (admin; backs it up first)."""
    from pmo_tui.store.db import connect
    from pmo_tui.store.migrations import SCHEMA_VERSION
    from pmo_tui.store.readonly import schema_version

    path: Path = ctx.obj["db_path"]
    if not path.exists():
        raise UserError("no database at this path", file=str(path), fix="check --db")
    before = schema_version(path)
    if before >= SCHEMA_VERSION:
        click.echo(f"{path} is at schema version {before}: nothing to do")
        return
    connect(path, upgrade_schema=True).close()
    click.echo(
        f"Upgraded {path} from schema version {before} to {SCHEMA_VERSION} (backup beside it)"
    )


COMMANDS = (db,)
