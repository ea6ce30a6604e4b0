"""The ``pmo-tui`` command line: thin click commands over the domain functions.

Each command parses its options, calls one library function and formats the
result (results on stdout, diagnostics on stderr). Exit codes: 0 ok,
2 bad input (a :class:`~pmo_tui.errors.UserError`, printed as one message),
3 infeasible plan. Heavy imports (ortools, textual, MPXJ) happen inside the
commands that need them, so ``pmo-tui --help`` stays fast.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click
from click_default_group import DefaultGroup

from pmo_tui.errors import UserError
from pmo_tui.reporting.formats import FORMATS

EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3


class BadInput(click.ClickException):
    """A user mistake, shown as ``Error: <file, row, column: what. Fix: ...>`` with exit code 2."""

    exit_code = EXIT_BAD_INPUT


class PmoGroup(DefaultGroup):
    """A click group that turns :class:`UserError` into a clean message and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as error:
            raise BadInput(error.render()) from error
        except KeyboardInterrupt:  # before a command's own handler took over
            click.echo("Interrupted: nothing was written.", err=True)
            sys.exit(130)
        except sqlite3.OperationalError as error:
            if "readonly" not in str(error) and "read-only" not in str(error):
                raise
            where = (ctx.obj or {}).get("db_path") or "the database"
            raise BadInput(
                f"{where}: cannot write the database ({error}); nothing was changed. "
                "Fix: check the file's permissions, or use another --db"
            ) from error


def _format_option(*choices: str) -> Any:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices or FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )


def _open_db(ctx: click.Context, *, seed_demo: bool = True):
    """The database of ``--db``/``$PMO_TUI_DB``, else the default one (made from the demo).

    A path the user named must exist: a typo should not quietly create a demo database.
    """
    from pmo_tui.bootstrap import open_database

    path: Path = ctx.obj["db_path"]
    if ctx.obj.get("db_named") and not path.exists():
        raise UserError(
            "no database at this path",
            file=str(path),
            fix=f"check the path, or create it: `pmo-tui --db {path} db init` "
            "(demo organisation) or `db init --empty`",
        )
    return open_database(path, seed_demo=seed_demo)


@click.group(cls=PmoGroup, default="tui", default_if_no_args=True, invoke_without_command=True)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Database file (default: $PMO_TUI_DB, else pmo.db in the user data folder). "
    "A new file is filled with the demo organisation.",
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
    week, and a plan that rebalances allocations (OR-Tools CP-SAT).
    """
    from pmo_tui.store.paths import DB_ENV_VAR, default_db_path

    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path or default_db_path()
    ctx.obj["db_named"] = db_path is not None or bool(os.environ.get(DB_ENV_VAR))
    ctx.obj["theme"] = theme
    ctx.obj["no_mouse"] = no_mouse
    if ctx.invoked_subcommand is None:  # options only, e.g. `pmo-tui --db my.db`
        _run_app(ctx, "portfolio")


@cli.command()
@click.pass_context
def tui(ctx: click.Context) -> None:
    """Open the terminal UI on the portfolio screen (the default command)."""
    _run_app(ctx, "portfolio")


def _run_app(
    ctx: click.Context, initial_screen: str, plan_defaults: dict[str, str] | None = None
) -> None:
    from pmo_tui.tui.app import make_app

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "the terminal UI needs an interactive terminal",
            fix="run it in a terminal (over SSH: ssh -t), or use the headless commands, "
            "e.g. `pmo-tui plan --headless`, `pmo-tui capacity`",
        )

    from pmo_tui.store.migrations import SCHEMA_VERSION
    from pmo_tui.store.readonly import schema_version

    if schema_version(ctx.obj["db_path"]) < SCHEMA_VERSION:
        _open_db(ctx).close()  # creates (with the demo on first run) or migrates the database
    obj = ctx.obj
    app = make_app(
        obj["db_path"],
        initial_screen,
        theme=obj["theme"],
        no_mouse=obj["no_mouse"],
        plan_defaults=plan_defaults,
    )
    app.run()


# --------------------------------------------------------------------------- db
@cli.group(cls=PmoGroup)
def db() -> None:
    """Create or locate the database."""


@db.command("init")
@click.option("--empty", is_flag=True, help="Create a database without the demo organisation.")
@click.option("--force", is_flag=True, help="Replace an existing database file.")
@click.pass_context
def db_init(ctx: click.Context, empty: bool, force: bool) -> None:
    """Create a new database (with the demo organisation unless --empty)."""
    from pmo_tui.bootstrap import open_database

    path: Path = ctx.obj["db_path"]
    if path.exists() and not force:
        raise UserError(
            "the database already exists", file=str(path), fix="pass --force to replace it"
        )
    if path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    open_database(path, seed_demo=not empty)
    click.echo(f"Created {'an empty' if empty else 'a demo'} database at {path}")


@db.command("path")
@click.pass_context
def db_path_command(ctx: click.Context) -> None:
    """Print the database path in use."""
    click.echo(str(ctx.obj["db_path"]))


# ----------------------------------------------------------------------- import
@cli.group("import", cls=PmoGroup)
def import_group() -> None:
    """Import what project managers hand in: project files or CSV."""


@import_group.command("project")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--replace", is_flag=True, help="Replace a project imported before from the same file."
)
@click.pass_context
def import_project(ctx: click.Context, files: tuple[Path, ...], replace: bool) -> None:
    """Import MS Project XML/MPX, GanttProject .gan or Planner files, one project each.

    People are merged into the shared pool by e-mail, then name; every
    assignment becomes the project's demand and that person's allocation per
    ISO week. Needs the extra `pip install 'pmo-tui[project-files]'` and Java.
    """
    from pmo_tui.importers.project_files import read_project_file
    from pmo_tui.importers.service import write_bundles

    bundles = [read_project_file(path) for path in files]
    database = _open_db(ctx)
    report = write_bundles(
        database, bundles, people="merge", replace=replace, reason="import project files"
    )
    _echo_report(report)


@import_group.command("csv")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_csv(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import people, skills, projects, demands, allocations, leave... from CSV files or folders.

    The file name says what it holds (people.csv, demands.csv, ...); the
    headers are documented in docs/data-model.md.
    """
    from pmo_tui.importers.csv_files import read_csv_bundle
    from pmo_tui.importers.service import write_bundles

    bundle = read_csv_bundle(list(paths))
    database = _open_db(ctx)
    report = write_bundles(database, [bundle], people="upsert", reason="import csv")
    _echo_report(report)


def _echo_report(report) -> None:
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for merged in report.merged_people:
        click.echo(f"merged: {merged}")
    if report.new_people:
        click.echo(
            f"new people: {len(report.new_people)} ({', '.join(report.new_people[:10])}"
            f"{', ...' if len(report.new_people) > 10 else ''})"
        )
    written = ", ".join(f"{table} {count}" for table, count in report.rows.items())
    click.echo(f"written: {written or 'nothing'}")


# --------------------------------------------------------------------- capacity
@cli.command()
@click.option("--over-allocated", is_flag=True, help="Only person-weeks allocated above capacity.")
@click.option("--unmet", is_flag=True, help="Demand per project, skill and week not covered.")
@click.option("--person", "person_id", default=None, help="Only this person (id).")
@_format_option()
@click.pass_context
def capacity(
    ctx: click.Context, over_allocated: bool, unmet: bool, person_id: str | None, fmt: str
) -> None:
    """Capacity, allocation and utilisation per person and ISO week (hours)."""
    from pmo_tui.reporting.capacity import capacity_report
    from pmo_tui.reporting.output import render_frame

    if over_allocated and unmet:
        raise UserError(
            "--over-allocated and --unmet show different tables",
            option="--unmet",
            fix="pass one of them",
        )

    frame = capacity_report(
        _open_db(ctx), over_allocated=over_allocated, unmet=unmet, person_id=person_id
    )
    click.echo(render_frame(frame, fmt))


from pmo_tui.cli.plan import plan
from pmo_tui.cli.scenario import scenario

cli.add_command(plan)
cli.add_command(scenario)


def main() -> None:
    """Console-script entry point."""
    cli(obj={})


# ------------------------------------------------------------------- governance
from pmo_tui.cli.governance import register as _register_governance

_register_governance(cli, import_group)
