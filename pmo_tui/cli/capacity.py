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
@output_options()
@window_options
@click.pass_context
def capacity(
    ctx: click.Context,
    over_allocated: bool,
    unmet: bool,
    person_id: str | None,
    fmt: str,
    today: Any,
    start: Any,
    end: Any,
) -> None:
    """Capacity, allocation and utilisation per person and ISO week (hours).

    From the current week on by default; with --from in the past, earlier weeks are
    listed too, marked as history.
    """
    from pmo_tui.reporting.capacity import capacity_report
    from pmo_tui.reporting.output import render_frame

    if over_allocated and unmet:
        raise UserError(
            "--over-allocated and --unmet show different tables",
            option="--unmet",
            fix="pass one of them",
        )
    frame = capacity_report(
        open_db(ctx),
        over_allocated=over_allocated,
        unmet=unmet,
        person_id=person_id,
        window=resolve_window(today, start, end),
    )
    click.echo(render_frame(frame, fmt))


COMMANDS = (capacity,)
