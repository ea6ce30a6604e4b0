"""``pmo-tui gate``: stage-gate decisions and the phase-change rule."""

from __future__ import annotations

import click

from pmo_tui.cli.common import PmoGroup, open_db, output_options, resolve_today, today_option

PHASE = click.Choice(("initiation", "planning", "execution", "closing"))
DECISION = click.Choice(("approved", "approved_with_conditions", "rejected", "deferred"))


@click.group("gate", cls=PmoGroup)
def gate() -> None:
    """Stage gates: decide a gate, move a project to its next phase, list decisions."""


@gate.command("decide")
@click.argument("project")
@click.option("--decision", type=DECISION, required=True, help="The board's decision.")
@click.option("--by", "decided_by", required=True, help="Who decided (name or board).")
@click.option(
    "--phase", type=PHASE, default=None, help="The phase the gate closes (default: current)."
)
@click.option("--conditions", default=None, help="Conditions of an approval with conditions.")
@click.option("--not-met", default="", help="Criterion ids not met, comma-separated.")
@click.option("--notes", default=None, help="Notes for the record.")
@click.option(
    "--advance", is_flag=True, help="After an approval, move the project to the next phase."
)
@today_option("The decision's date.")
@click.pass_context
def gate_decide(
    ctx: click.Context, project: str, not_met: str, advance: bool, today, **options
) -> None:
    """Record the decision on PROJECT's gate (criteria from its methodology version)."""
    from pmo_tui.portfolio_health.gates import APPROVALS, GateDecision, change_phase, decide_gate
    from pmo_tui.store.schema_governance import PHASES

    db = open_db(ctx, write=True)
    decision = GateDecision(
        project_id=project,
        decided_on=resolve_today(today),
        not_met=tuple(c.strip() for c in not_met.split(",") if c.strip()),
        **options,
    )
    decide_gate(db, decision)
    click.echo(f"{project}: gate {decision.decision} on {decision.decided_on}")
    if advance and decision.decision in APPROVALS:
        phase = db.execute("SELECT phase FROM project WHERE id = ?", [project]).fetchone()[0]
        if phase != PHASES[-1]:
            following = PHASES[PHASES.index(phase) + 1]
            change_phase(db, project, following, reason=f"gate {decision.decision}")
            click.echo(f"{project}: now in {following}")


@gate.command("advance")
@click.argument("project")
@click.argument("phase", type=PHASE)
@click.option("--force", is_flag=True, help="Override a missing gate approval (logged).")
@click.option("--reason", default=None, help="Why (required with --force).")
@click.pass_context
def gate_advance(
    ctx: click.Context, project: str, phase: str, force: bool, reason: str | None
) -> None:
    """Move PROJECT to PHASE: every gate it leaves must be approved unless --force."""
    from pmo_tui.domain.phases import gates_phrase
    from pmo_tui.portfolio_health.gates import change_phase

    overridden = change_phase(open_db(ctx, write=True), project, phase, force=force, reason=reason)
    note = f" (override of {gates_phrase(overridden)}, logged)" if overridden else ""
    click.echo(f"{project}: now in {phase}{note}")


@gate.command("list")
@click.option("--project", default=None, help="Only this project.")
@output_options()
@click.pass_context
def gate_list(ctx: click.Context, project: str | None, fmt: str) -> None:
    """Every gate decision, newest first."""
    import polars as pl

    from pmo_tui.reporting.output import render_frame
    from pmo_tui.store.reads import read_table

    frame = read_table(open_db(ctx), "gate_decision").sort("decided_on", "id", descending=True)
    if project is not None:
        frame = frame.filter(pl.col("project_id") == project)
    click.echo(render_frame(frame, fmt))


COMMANDS = (gate,)
