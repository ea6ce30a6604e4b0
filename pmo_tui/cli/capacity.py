"""``pmo-tui capacity``: capacity, allocation and utilisation per person and ISO week."""

from __future__ import annotations

from typing import Any

import click

from pmo_tui.cli.common import open_db, output_options, resolve_window, window_options
from pmo_tui.errors import UserError


@click.command()
@click.option("--over-allocated", is_flag=True, help="Only person-weeks allocated above capacity.")
@click.option("--unmet", is_flag=True, help="Demand per project, skill and week not covered.")
@click.option("--person", "person_id", default=None, help="Only this person (id).")
@click.option(
    "--daily",
    is_flag=True,
    help="Add each week's peak day; with --over-allocated, weeks with a day booked above capacity.",
)
@output_options()
@window_options
@click.pass_context
def capacity(
    ctx: click.Context,
    over_allocated: bool,
    unmet: bool,
    person_id: str | None,
    daily: bool,
    fmt: str,
    today: Any,
    start: Any,
    end: Any,
) -> None:
    """Capacity, allocation and utilisation per person and ISO week (hours).

    From the current week on by default; with --from in the past, earlier weeks are
    listed too, marked as history. Everyone in the pool is listed, booked or not.
    Planning is weekly; --daily adds the busiest day of each person-week (from the
    daily shape of imported plans, else spread over the calendar), so that an
    over-booked day is not hidden.
    """
    from pmo_tui.reporting.capacity import capacity_report, only_history_note
    from pmo_tui.reporting.output import render_frame

    if over_allocated and unmet:
        raise UserError(
            "--over-allocated and --unmet show different tables",
            option="--unmet",
            fix="pass one of them",
        )
    database, window = open_db(ctx), resolve_window(today, start, end)
    frame = capacity_report(
        database,
        over_allocated=over_allocated,
        unmet=unmet,
        person_id=person_id,
        window=window,
        daily=daily,
    )
    click.echo(render_frame(frame, fmt))
    note = only_history_note(database, window) if start is None else None
    if note:
        click.echo(note, err=True)


COMMANDS = (capacity,)
