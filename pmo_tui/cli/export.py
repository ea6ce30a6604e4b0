"""``pmo-tui export``: capacity, allocations, a plan, findings, the portfolio or the change log.

The kinds, their help and their grids are declared once in
:data:`pmo_tui.reporting.export.EXPORT_KINDS`; the files are written by
:mod:`pmo_tui.reporting.spreadsheet` (formula injection neutralised in CSV and XLSX).
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from pmo_tui.cli.common import (
    OutputFile,
    open_db,
    policy_file_option,
    resolve_window,
    window_options,
)
from pmo_tui.errors import UserError
from pmo_tui.reporting.export import EXPORT_FORMATS, EXPORT_KINDS, SUFFIX_FORMATS


def _help() -> str:
    """The command's help, made from the kinds' declarations."""
    kinds = _listed(f"{kind.name}: {kind.summary}." for kind in EXPORT_KINDS.values())
    grids = _listed(
        f"{kind.name} --grid: {kind.grid}." for kind in EXPORT_KINDS.values() if kind.grid
    )
    suffixes = ", ".join(f"{suffix} {fmt}" for suffix, fmt in SUFFIX_FORMATS.items())
    return (
        "Write capacity, allocations, a plan, findings, the portfolio or the change log to a file "
        "(or stdout).\n\n"
        "\b\n"
        f"{kinds}\n\n"
        "--grid writes a person x week table, the weeks as columns in date order, "
        "named by ISO year and week (2026-W50):\n\n"
        "\b\n"
        f"{grids}\n\n"
        f"The format comes from --format, else from the file's suffix ({suffixes}), "
        "else CSV (no suffix, or stdout; another suffix is refused). CSV holds one table (a plan's moves); XLSX, JSON and Markdown hold every "
        "table of the kind. XLSX has a frozen header row, fitted widths, number formats and "
        "over-allocated cells coloured. In CSV and XLSX a text cell starting with =, +, -, @, "
        "tab or carriage return is written with a leading single quote, so that a spreadsheet "
        "does not run it as a formula.\n\n"
        "`export plan` plans with the deterministic search of `scenario run` (the same "
        "planning service as `plan --headless`); --policy FILE changes the policy."
    )


def _listed(lines: Iterable[str]) -> str:
    """Lines as an indented list, each wrapped to 78 columns (click keeps a ``\\b`` block as is)."""
    return "\n".join(
        textwrap.fill(line, 78, initial_indent="  ", subsequent_indent="    ") for line in lines
    )


@click.command(help=_help())
@click.argument("kind", type=click.Choice(list(EXPORT_KINDS)))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="File format (default: from the -o suffix, else csv).",
)
@click.option("--grid", is_flag=True, help="A person x week grid (capacity, allocations, plan).")
@click.option(
    "-o",
    "--output",
    type=OutputFile(),
    default=None,
    help="File to write (default: stdout; XLSX needs a file).",
)
@policy_file_option("TOML policy file for `export plan` (docs/planning.md).")
@window_options
@click.pass_context
def export(
    ctx: click.Context,
    kind: str,
    fmt: str | None,
    grid: bool,
    output: Path | None,
    policy_file: Path | None,
    today: Any,
    start: Any,
    end: Any,
) -> None:
    """Write the sheets of ``kind`` (help made by :func:`_help`)."""
    from pmo_tui.reporting.export import ExportSource, export_format, export_sheets
    from pmo_tui.reporting.spreadsheet import write_sheets

    declared = EXPORT_KINDS[kind]
    if not declared.weekly and (start or end):
        weekly = ", ".join(name for name, k in EXPORT_KINDS.items() if k.weekly)
        raise UserError(
            f"{kind} is not listed by week", option="--from", fix=f"use --from/--to with {weekly}"
        )
    if policy_file is not None and kind != "plan":
        raise UserError(
            "--policy is for `export plan`", option="--policy", fix="leave it out for " + kind
        )
    chosen = export_format(output, fmt)
    window = resolve_window(today, start, end)
    db = open_db(ctx)
    source = ExportSource(db, window, plan=lambda: _plan(db, window, policy_file))
    sheets = export_sheets(kind, source, grid=grid)
    try:
        written = write_sheets(sheets, chosen, output if output is not None else sys.stdout)
    except OSError as error:  # a folder that went away, a full disk, no permission
        raise UserError(
            f"cannot write the file: {error.strerror or error}",
            option="-o",
            file=str(output),
            fix="write to a folder that exists and that you may write to",
        ) from None
    _report(sheets, written, chosen, output)


def _plan(db: Any, window: Any, policy_file: Path | None) -> Any:
    """The plan to export: the planning service with the deterministic search."""
    from pmo_tui.planning.service import run_plan
    from pmo_tui.scenarios import scenario_policy

    click.echo("Planning (deterministic search)...", err=True)
    return run_plan(db, scenario_policy(policy_file), window=window)


def _report(sheets: list[Any], written: list[str], fmt: str, output: Path | None) -> None:
    """Say on stderr what was written where, and which tables a CSV left out."""
    left_out = [sheet.name for sheet in sheets if sheet.name not in written]
    if output is not None:
        rows = sum(sheet.frame.height for sheet in sheets if sheet.name in written)
        click.echo(f"wrote {', '.join(written)} ({rows} rows, {fmt}) to {output}", err=True)
    if left_out:
        click.echo(
            f"CSV holds one table; {', '.join(left_out)} are in --format xlsx, json or markdown",
            err=True,
        )


COMMANDS = (export,)
