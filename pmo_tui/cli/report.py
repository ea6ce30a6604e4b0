"""``pmo-tui report``: the board report (Markdown or one self-contained HTML file)."""

from __future__ import annotations

from pathlib import Path

import click

from pmo_tui.cli.common import DATE, OutputFile, open_db, resolve_today


@click.command("report")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("markdown", "html")),
    default="markdown",
    show_default=True,
    help="Markdown, or one HTML file with inline SVG charts (no network; prints on A4).",
)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    envvar="PMO_TUI_TODAY",
    default=None,
    help="Status date (YYYY-MM-DD); reports, snapshots and RAID entries after it are left "
    "out. Default: $PMO_TUI_TODAY, else today.",
)
@click.option(
    "--rollup",
    type=click.Choice(("worst", "budget")),
    default="worst",
    show_default=True,
    help="How project RAGs roll up to programs and portfolios (docs/reporting.md).",
)
@click.option(
    "-o",
    "--output",
    type=OutputFile(),
    default=None,
    help="Write the report to this file (default: standard output).",
)
@click.pass_context
def report(ctx: click.Context, fmt: str, as_of, rollup: str, output: Path | None) -> None:
    """The board report: portfolio summary, health by portfolio and program with trends,
    status changes, watermelon flags, top risks, decisions needed, dependencies, cost,
    capacity outlook and hiring bottlenecks, with charts in HTML."""
    from pmo_tui.portfolio_health.board import board_data
    from pmo_tui.portfolio_health.data import read_portfolio
    from pmo_tui.reporting.board import render_html, render_markdown

    board = board_data(read_portfolio(open_db(ctx), resolve_today(as_of)), rule=rollup)
    text = render_html(board) if fmt == "html" else render_markdown(board)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output} ({fmt}, as of {board.as_of.isoformat()})", err=True)


COMMANDS = (report,)
