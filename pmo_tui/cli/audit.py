"""``pmo-tui audit``, ``checklist`` and ``findings``: run audits, record checklists, work findings.

Thin click commands over :mod:`pmo_tui.governance`; heavy imports happen
inside the commands. Exit codes: 0 ok, 1 findings at or above ``--fail-on``
(audit), 2 bad input (unknown project, refused status change, bad rule file).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from pmo_tui.cli.common import (
    EXIT_CHECK_FAILED,
    PmoGroup,
    open_db,
    output_options,
    resolve_today,
    today_option,
)
from pmo_tui.errors import UserError

SEVERITY_NAMES = ("critical", "major", "minor", "observation")


@click.command()
@click.option("--project", "project_ids", multiple=True, help="Audit this project (repeatable).")
@click.option("--all", "all_projects", is_flag=True, help="Audit every project.")
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Rule file (TOML); default: the rules shipped with pmo-tui.",
)
@today_option("Audit as of this date (YYYY-MM-DD).")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITY_NAMES),
    default=None,
    help="Exit with code 1 when a finding of this severity or worse is raised or open.",
)
@output_options("table", "json", "markdown", "csv")
@click.pass_context
def audit(
    ctx: click.Context,
    project_ids: tuple[str, ...],
    all_projects: bool,
    rules_path: Path | None,
    today: dt.datetime | None,
    fail_on: str | None,
    fmt: str,
) -> None:
    """Audit projects against the rules and store the findings (no duplicates; repeats linked)."""
    from pmo_tui.governance.audit import run_audit
    from pmo_tui.governance.rules import load_rules
    from pmo_tui.reporting.output import dumps, render_frame

    if project_ids and all_projects:
        raise UserError(
            "--project and --all cannot be combined",
            option="--all",
            fix="pass either --project ID (repeatable) or --all",
        )
    if not project_ids and not all_projects:
        raise UserError(
            "say which projects to audit",
            option="--project",
            fix="pass --project ID (repeatable) or --all",
        )
    rule_set = load_rules(rules_path)
    run = run_audit(
        open_db(ctx, write=True),
        rule_set,
        today=resolve_today(today),
        project_ids=list(project_ids) or None,
    )
    if fmt == "json":
        click.echo(dumps(run.summary()))
    else:
        click.echo(
            render_frame(run.findings.drop("description") if fmt == "table" else run.findings, fmt)
        )
        click.echo(_audit_line(run), err=fmt != "table")
    if fail_on is not None and run.fails(fail_on):
        from pmo_tui.governance.frames import severity_rank

        failing = sum(
            severity_rank(s) <= severity_rank(fail_on) for s in run.findings["severity"].to_list()
        )
        click.echo(
            f"failing: {failing} finding(s) at {fail_on} or worse (--fail-on {fail_on})", err=True
        )
        ctx.exit(EXIT_CHECK_FAILED)


def _audit_line(run: Any) -> str:
    summary = run.summary()
    counts = ", ".join(f"{k} {v}" for k, v in summary["counts"].items())
    return (
        f"\nAudited {summary['projects_audited']} projects as of {run.today} with "
        f"{run.source}: {summary['new']} new findings, {summary['still_open']} still open "
        f"({counts})."
    )


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@output_options("table", "json")
@click.pass_context
def checklist(ctx: click.Context, file: Path, fmt: str) -> None:
    """Record a checklist audit from a TOML file; failed items become findings."""
    from pmo_tui.governance.checklist import record_checklist
    from pmo_tui.reporting.output import dumps, render_frame

    run = record_checklist(open_db(ctx, write=True), file)
    click.echo(dumps(run.summary()) if fmt == "json" else render_frame(run.findings, fmt))


@click.group(cls=PmoGroup, default_command="list")
def findings() -> None:
    """List, show and change the status of audit findings (`findings` alone lists them)."""


@findings.command("list")
@click.option("--project", "project_id", default=None, help="Only this project.")
@click.option(
    "--status",
    default=None,
    type=click.Choice(("open", "in_progress", "resolved", "verified", "accepted_risk")),
    help="Only this status.",
)
@click.option(
    "--severity", default=None, type=click.Choice(SEVERITY_NAMES), help="Only this severity."
)
@click.option("--owner", default=None, help="Only this owner (case-insensitive).")
@click.option("--overdue", is_flag=True, help="Only open or in-progress findings past due.")
@today_option("Date for --overdue (YYYY-MM-DD).")
@output_options()
@click.pass_context
def findings_list(
    ctx: click.Context,
    project_id: str | None,
    status: str | None,
    severity: str | None,
    owner: str | None,
    overdue: bool,
    today: dt.datetime | None,
    fmt: str,
) -> None:
    """List findings, most severe first, with filters."""
    from pmo_tui.governance.findings import list_findings
    from pmo_tui.reporting.output import render_frame

    frame = list_findings(
        open_db(ctx),
        project_id=project_id,
        status=status,
        severity=severity,
        owner=owner,
        overdue_on=resolve_today(today) if overdue else None,
    )
    click.echo(render_frame(frame.drop("description") if fmt == "table" else frame, fmt))


@findings.command("show")
@click.argument("finding_id", type=int)
@output_options("table", "json")
@click.pass_context
def findings_show(ctx: click.Context, finding_id: int, fmt: str) -> None:
    """One finding: description, corrective action, evidence, history and linked repeats."""
    from pmo_tui.governance.findings import finding_detail
    from pmo_tui.reporting.output import dumps

    detail = finding_detail(open_db(ctx), finding_id)
    click.echo(dumps(detail.to_json()) if fmt == "json" else render_detail(detail))


def render_detail(detail: Any) -> str:
    """The detail of a finding as plain text: fields, history, repeats."""
    from pmo_tui.reporting.output import text_table

    record = detail.record
    fields = (
        "project_id",
        "rule",
        "subject",
        "severity",
        "status",
        "owner",
        "manager",
        "due",
        "opened",
        "audit_id",
        "description",
        "corrective_action",
        "evidence",
    )
    lines = [f"Finding {record['id']}"]
    lines += [f"  {name.replace('_', ' ')}: {record.get(name) or '-'}" for name in fields]
    lines.append(f"  next statuses: {', '.join(record['next_statuses']) or 'none (final)'}")
    lines += ["", "History", text_table(detail.history)]
    lines += ["", "Repeats (earlier findings)", text_table(detail.repeats)]
    lines += ["", "Repeated by (later findings)", text_table(detail.repeated_by)]
    return "\n".join(lines)


@findings.command("set-status")
@click.argument("finding_id", type=int)
@click.argument("status")
@click.option("--reason", required=True, help="Why (kept in the finding's history).")
@click.option(
    "--evidence", default=None, help="Where the evidence is: a link (https://...) or a file path."
)
@click.option("--action", "corrective_action", default=None, help="Corrective action taken.")
@click.pass_context
def findings_set_status(
    ctx: click.Context,
    finding_id: int,
    status: str,
    reason: str,
    evidence: str | None,
    corrective_action: str | None,
) -> None:
    """Change a finding's status (the lifecycle decides which changes are allowed)."""
    from pmo_tui.governance.findings import set_finding_status

    outcome = set_finding_status(
        open_db(ctx, write=True),
        finding_id,
        status,
        reason=reason,
        evidence=evidence,
        corrective_action=corrective_action,
    )
    click.echo(
        f"finding {outcome['id']}: {outcome['from']} -> {outcome['to']} "
        f"({outcome['who']}: {outcome['reason']})"
    )


COMMANDS = (audit, checklist, findings)
