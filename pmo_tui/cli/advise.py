"""``pmo-tui advise``: advice the plan can give, starting with what to hire."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pmo_tui.cli.common import (
    OutputFile,
    PmoGroup,
    open_db,
    output_options,
    policy_fields,
    policy_options,
    resolve_window,
    window_options,
)
from pmo_tui.errors import UserError
from pmo_tui.planning.parameters import SEARCH_PARAMETERS


@click.group(cls=PmoGroup)
def advise() -> None:
    """Advice from the plan: what to hire."""


@advise.command("hiring")
@click.option(
    "--quarters", type=click.IntRange(min=1), default=None, help="Only the first N quarters."
)
@click.option(
    "--check",
    "check_top",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Re-plan with one more FTE for the first N bottlenecks (0: estimates only).",
)
@click.option(
    "--scenario",
    "scenario_path",
    type=OutputFile(),
    default=None,
    help="Also write a scenario file hiring one placeholder per checked bottleneck.",
)
@output_options()
@window_options
@policy_options(SEARCH_PARAMETERS)
@click.pass_context
def advise_hiring(
    ctx: click.Context,
    quarters: int | None,
    check_top: int,
    scenario_path: Path | None,
    fmt: str,
    today: Any,
    start: Any,
    end: Any,
    **options: Any,
) -> None:
    """Per skill and quarter: demand no re-allocation can fix, and what one more FTE buys.

    Plans first (as `plan --headless`), then estimates one more full-time person per
    skill and quarter from the plan's marginal values and checks the first ones by
    planning again with that person added (docs/planning.md, "What to hire").
    """
    import solver
    from pmo_tui.planning.hiring import hiring_advice, hiring_scenario
    from pmo_tui.planning.policy import build_policy
    from pmo_tui.planning.service import run_plan
    from pmo_tui.reporting.output import render_frame
    from pmo_tui.reporting.plan import hiring_frame
    from pmo_tui.store.reads import read_table

    if scenario_path is not None and not scenario_path.parent.is_dir():
        raise UserError(
            f"no folder {scenario_path.parent}",
            option="--scenario",
            fix="name a file in an existing folder",
        )
    policy = build_policy(None, **policy_fields(options))
    database = open_db(ctx)
    outcome = run_plan(database, policy, window=resolve_window(today, start, end))
    if outcome.hiring is None:
        raise UserError(
            "the plan is infeasible, so it has no bottlenecks to report",
            fix="run `pmo-tui plan --headless` to see the conflicts",
        )
    advice = hiring_advice(
        outcome.inputs,
        outcome.result,
        policy,
        quarters=quarters,
        check_top=check_top,
        solve=solver.solve_plan,
    )
    click.echo(render_frame(hiring_frame(advice), fmt))
    if scenario_path is not None:
        chosen = advice.head(max(check_top, 1)).filter(
            advice.head(max(check_top, 1))["fte_value"] > 0
        )
        text = hiring_scenario(
            chosen, read_table(database, "person"), read_table(database, "person_skill")
        )
        scenario_path.write_text(text, encoding="utf-8")
        click.echo(
            f"wrote {scenario_path}: {chosen.height} placeholder(s); "
            f"try it with `pmo-tui scenario run {scenario_path}`",
            err=True,
        )


COMMANDS = (advise,)
