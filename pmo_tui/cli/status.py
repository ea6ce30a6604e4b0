"""``pmo-tui status``: add a status report (never overwritten) and show a project's history."""

from __future__ import annotations

import click

from pmo_tui.cli.common import DATE, PmoGroup, open_db, output_options, resolve_today, today_option

RAG = click.Choice(("green", "amber", "red"))


@click.group("status", cls=PmoGroup)
def status() -> None:
    """Status reports: dated snapshots per project, never overwritten."""


@status.command("add")
@click.argument("project")
@click.option("--overall", type=RAG, required=True, help="Overall RAG status.")
@click.option("--schedule", type=RAG, default=None, help="Schedule RAG.")
@click.option("--cost", type=RAG, default=None, help="Cost (budget) RAG.")
@click.option("--scope", type=RAG, default=None, help="Scope RAG.")
@click.option("--resources", type=RAG, default=None, help="Resources RAG.")
@click.option("--risk", type=RAG, default=None, help="Risk RAG.")
@click.option("--summary", default=None, help="What happened this period.")
@click.option("--key-risks", default=None, help="The key risks, in a sentence.")
@click.option("--decisions", default=None, help="Decisions needed from the board.")
@click.option("--forecast-finish", type=DATE, default=None, help="Forecast finish date.")
@click.option("--percent-complete", type=float, default=None, help="Work done, 0-100 (for EVM).")
@click.option("--actual-cost", type=float, default=None, help="Actual cost to date (for EVM).")
@today_option("The report's date.")
@click.pass_context
def status_add(ctx: click.Context, project: str, **options) -> None:
    """Add a status report for PROJECT dated --today (one per project and date)."""
    from pmo_tui.portfolio_health.status import StatusReport, add_status_report

    forecast = options.pop("forecast_finish")
    report = StatusReport(
        project_id=project,
        reported_on=resolve_today(options.pop("today")),
        decisions_needed=options.pop("decisions"),
        forecast_finish=forecast.date() if forecast else None,
        **options,
    )
    report_id = add_status_report(open_db(ctx, write=True), report)
    click.echo(f"status report {report_id}: {project} {report.overall} on {report.reported_on}")


@status.command("history")
@click.argument("project")
@output_options()
@click.pass_context
def status_history(ctx: click.Context, project: str, fmt: str) -> None:
    """Every status report of PROJECT, newest first."""
    from pmo_tui.portfolio_health.status import status_history as history
    from pmo_tui.reporting.output import render_frame

    click.echo(render_frame(history(open_db(ctx), project), fmt))


COMMANDS = (status,)
