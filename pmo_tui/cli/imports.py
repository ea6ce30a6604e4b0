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
    """Import what project managers hand in: project files, CSV, governance, portfolio files."""


@import_group.command("project")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the project imported before from this file, or holding the same plan.",
)
@click.option(
    "--as-new",
    is_flag=True,
    help="Import a plan that is already in the database as another project (load counted twice).",
)
@click.option(
    "--calendar-from",
    "calendar_from",
    type=click.Path(path_type=Path),
    default=None,
    help="A person in several files gets this file's calendar (working pattern, leave).",
)
@click.option(
    "--calendar-rule",
    type=click.Choice(["larger", "recent"]),
    default="larger",
    show_default=True,
    help="Else the calendar with more hours a week, or of the file saved last.",
)
@click.option(
    "--locale",
    default=None,
    metavar="CODE",
    help="The language an MPX file was saved in (en, de, fr, ...); found from the file if left out.",
)
@click.pass_context
def import_project(
    ctx: click.Context,
    files: tuple[Path, ...],
    replace: bool,
    as_new: bool,
    calendar_from: Path | None,
    calendar_rule: str,
    locale: str | None,
) -> None:
    """Import project plans, one project each: MS Project (.mpp, .xml, .mpx), Primavera
    (.xer, PMXML), GanttProject, Planner and the other formats MPXJ reads (docs/import.md).

    People are merged into the shared pool by e-mail, then name; roles and generic
    resources become demand for a skill. Every assignment becomes the project's
    demand and that person's allocation per ISO week, with its daily shape. Needs
    the extra `pip install 'pmo-tui[project-files]'` and Java.
    """
    from pmo_tui.errors import UserError
    from pmo_tui.importers.calendar_rule import CalendarChoice
    from pmo_tui.importers.project_files import read_project_file
    from pmo_tui.importers.service import write_bundles

    if replace and as_new:
        raise UserError(
            "--replace and --as-new ask for opposite things", option="--as-new", fix="pass one"
        )
    bundles = [read_project_file(path, locale=locale) for path in files]
    calendars = CalendarChoice(calendar_rule, calendar_from.name if calendar_from else None)
    report = write_bundles(
        open_db(ctx, write=True),
        bundles,
        people="merge",
        replace=replace,
        as_new=as_new,
        calendars=calendars,
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


@import_group.command("portfolio")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Column mapping TOML (default: the shipped mapping whose layout the file has: "
    "gmpp, portfolio; docs/reporting.md).",
)
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the readable rows and list the others (default: all or nothing).",
)
@click.pass_context
def import_portfolio(
    ctx: click.Context, file: Path, mapping_path: Path | None, skip_bad_rows: bool
) -> None:
    """Import a published portfolio CSV (e.g. the UK GMPP annual data) as a dated snapshot.

    Each portfolio code (GMPP: department) becomes a portfolio, each row a
    project with its delivery confidence, costs and dates; importing several
    periods gives a trend. Every row that cannot be read is listed with its
    row and column, and nothing is imported unless --skip-bad-rows.
    """
    from pmo_tui.importers.portfolio_csv import read_portfolio_file
    from pmo_tui.importers.portfolio_mapping import load_mapping
    from pmo_tui.importers.portfolio_service import import_portfolio as write_snapshot

    mapping = load_mapping(mapping_path) if mapping_path is not None else None
    portfolio = read_portfolio_file(file, mapping)
    report = write_snapshot(open_db(ctx, write=True), portfolio, skip_bad_rows=skip_bad_rows)
    for skipped in report.skipped_rows:
        click.echo(f"skipped: {skipped}", err=True)
    withheld = sum(report.withheld.values())
    click.echo(
        f"snapshot {report.source} {report.period} as of {report.as_of.isoformat()}"
        f"{' (replaced the earlier import)' if report.replaced_snapshot else ''}: "
        f"{report.projects} projects in {report.portfolios} portfolios "
        f"({report.new_projects} new); {len(report.skipped_rows)} rows skipped; "
        f"{withheld} withheld cells (exemptions) left empty"
    )


def _echo_report(report: ImportReport) -> None:
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for merged in report.merged_people:
        click.echo(f"merged: {merged}")
    for conflict in report.conflicts:
        click.echo(f"calendar conflict: {conflict}")
    if report.new_people:
        click.echo(
            f"new people: {len(report.new_people)} ({', '.join(report.new_people[:10])}"
            f"{', ...' if len(report.new_people) > 10 else ''})"
        )
    written = ", ".join(f"{table} {count}" for table, count in report.rows.items())
    click.echo(f"written: {written or 'nothing'}")


COMMANDS = (import_group,)
