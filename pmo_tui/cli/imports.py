"""``pmo-tui import``: what project managers and the PMO hand in (project files, CSV, governance)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmo_tui.cli.common import PmoGroup, open_db

if TYPE_CHECKING:
    from pmo_tui.importers.service import ImportReport


@click.group("import", cls=PmoGroup)
def import_group() -> None:
    """Import what project managers hand in: project files, CSV, governance CSV."""


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
    report = write_bundles(
        open_db(ctx, write=True),
        bundles,
        people="merge",
        replace=replace,
        reason="import project files",
        command="import project",
    )
    _echo_report(report)


@import_group.command("csv")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--separator",
    default=None,
    help="The character between values: ',', ';', tab or '|' (default: read from the header).",
)
@click.option(
    "--encoding",
    default=None,
    help="The files' encoding, e.g. iso-8859-1 (default: UTF-8, else ISO-8859-1 with a note).",
)
@click.pass_context
def import_csv(
    ctx: click.Context, paths: tuple[Path, ...], separator: str | None, encoding: str | None
) -> None:
    """Import people, skills, projects, demands, allocations, leave... from CSV files or folders.

    The file name says what it holds (people.csv, demands.csv, ...); the
    headers are documented in docs/data-model.md.
    """
    from pmo_tui.importers.csv_files import read_csv_bundle
    from pmo_tui.importers.csv_format import parse_encoding, parse_separator
    from pmo_tui.importers.service import write_bundles

    bundle = read_csv_bundle(
        list(paths), separator=parse_separator(separator), encoding=parse_encoding(encoding)
    )
    report = write_bundles(
        open_db(ctx, write=True),
        [bundle],
        people="upsert",
        reason="import csv",
        command="import csv",
    )
    _echo_report(report)


@import_group.command("governance")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_governance(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import governance CSV files or folders (standards.csv, findings.csv, ...; docs/governance.md)."""
    from pmo_tui.governance.loader import load_governance

    written = load_governance(open_db(ctx, write=True), list(paths))
    click.echo("written: " + ", ".join(f"{table} {count}" for table, count in written.items()))


def _echo_report(report: ImportReport) -> None:
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


COMMANDS = (import_group,)
