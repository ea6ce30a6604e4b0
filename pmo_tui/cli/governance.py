"""``pmo-tui standards``, ``templates``, ``drift``, ``lineage``, ``training``, ``coaching``.

Thin click commands over :mod:`pmo_tui.governance`: the standards library,
template versions and project lineage, training and coaching.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from pmo_tui.cli.common import DATE, PmoGroup, open_db, output_options, resolve_today, today_option
from pmo_tui.errors import UserError
from pmo_tui.governance.frames import STANDARD_KINDS, VERSION_STATUSES


def _echo(frame: Any, fmt: str) -> None:
    from pmo_tui.reporting.output import render_frame

    click.echo(render_frame(frame, fmt))


# -------------------------------------------------------------------- standards
@click.group(cls=PmoGroup)
def standards() -> None:
    """The standards library: standards, policies, procedures and the methodology, versioned."""


@standards.command("list")
@click.option("--kind", type=click.Choice(STANDARD_KINDS), default=None, help="Only this kind.")
@click.option(
    "--status",
    type=click.Choice(VERSION_STATUSES),
    default=None,
    help="Only versions in this status.",
)
@output_options()
@click.pass_context
def standards_list(ctx: click.Context, kind: str | None, status: str | None, fmt: str) -> None:
    """Every standard version with kind, owner, effective date and status."""
    from pmo_tui.governance.standards import list_standards

    _echo(list_standards(open_db(ctx), kind=kind, status=status), fmt)


@standards.command("show")
@click.argument("standard_id")
@click.option("--version", default=None, help="This version (default: the one in force).")
@click.pass_context
def standards_show(ctx: click.Context, standard_id: str, version: str | None) -> None:
    """One standard version; for a methodology, its phases, required artefacts and gate criteria."""
    from pmo_tui.governance.standards import get_standard, methodology_requirements
    from pmo_tui.reporting.output import text_table

    db = open_db(ctx)
    record = get_standard(db, standard_id, version)
    for name in (
        "id",
        "version",
        "kind",
        "title",
        "owner",
        "effective_date",
        "status",
        "supersedes",
        "summary",
    ):
        click.echo(f"{name.replace('_', ' ')}: {record.get(name) or '-'}")
    if record["kind"] == "methodology":
        parts = methodology_requirements(db, record["id"], record["version"])
        for title, key in (
            ("Phases", "phases"),
            ("Required artefacts", "artefacts"),
            ("Gate criteria", "gates"),
        ):
            click.echo(f"\n{title}\n{text_table(parts[key])}")


@standards.command("add")
@click.argument("standard_id")
@click.argument("version")
@click.option("--kind", type=click.Choice(STANDARD_KINDS), required=True, help="What it is.")
@click.option("--title", required=True, help="Title.")
@click.option("--owner", default=None, help="Who owns it.")
@click.option("--summary", default=None, help="What it requires, in a sentence.")
@click.pass_context
def standards_add(
    ctx: click.Context,
    standard_id: str,
    version: str,
    kind: str,
    title: str,
    owner: str | None,
    summary: str | None,
) -> None:
    """Add a draft version of a standard (publish puts it in force)."""
    from pmo_tui.governance.standards import add_standard

    add_standard(
        open_db(ctx, write=True),
        standard_id,
        version,
        kind=kind,
        title=title,
        owner=owner,
        summary=summary,
    )
    click.echo(f"added {standard_id} {version} as a draft")


@standards.command("edit")
@click.argument("standard_id")
@click.argument("version")
@click.option("--title", default=None, help="New title.")
@click.option("--owner", default=None, help="New owner.")
@click.option("--summary", default=None, help="New summary.")
@click.pass_context
def standards_edit(
    ctx: click.Context, standard_id: str, version: str, **fields: str | None
) -> None:
    """Edit a draft version (a version in force or superseded is immutable)."""
    from pmo_tui.governance.standards import edit_standard

    changes = {name: value for name, value in fields.items() if value is not None}
    if not changes:
        raise UserError(
            "nothing to change", option="--title", fix="pass --title, --owner or --summary"
        )
    edit_standard(open_db(ctx, write=True), standard_id, version, **changes)
    click.echo(f"edited draft {standard_id} {version}")


@standards.command("publish")
@click.argument("standard_id")
@click.argument("version")
@click.option("--effective", type=DATE, default=None, help="Effective date (default today).")
@click.pass_context
def standards_publish(
    ctx: click.Context, standard_id: str, version: str, effective: dt.datetime | None
) -> None:
    """Put a draft version in force; the version in force until now is superseded."""
    from pmo_tui.governance.standards import publish_standard

    outcome = publish_standard(
        open_db(ctx, write=True), standard_id, version, effective_date=resolve_today(effective)
    )
    old = outcome["superseded"]
    click.echo(f"{standard_id} {version} is in force" + (f"; {old} is superseded" if old else ""))


# -------------------------------------------------------------------- templates
@click.group(cls=PmoGroup)
def templates() -> None:
    """Templates (charter, risk register, status report, ...) and their versions."""


@templates.command("list")
@click.option(
    "--status",
    type=click.Choice(VERSION_STATUSES),
    default=None,
    help="Only versions in this status.",
)
@output_options()
@click.pass_context
def templates_list(ctx: click.Context, status: str | None, fmt: str) -> None:
    """Every template version and how many projects follow it."""
    from pmo_tui.governance.standards import list_templates

    _echo(list_templates(open_db(ctx), status=status), fmt)


@templates.command("publish")
@click.argument("template_id")
@click.argument("version")
@click.option("--effective", type=DATE, default=None, help="Effective date (default today).")
@click.pass_context
def templates_publish(
    ctx: click.Context, template_id: str, version: str, effective: dt.datetime | None
) -> None:
    """Put a draft template version in force, superseding the one in force."""
    from pmo_tui.governance.standards import publish_template

    outcome = publish_template(
        open_db(ctx, write=True), template_id, version, effective_date=resolve_today(effective)
    )
    old = outcome["superseded"]
    click.echo(f"{template_id} {version} is in force" + (f"; {old} is superseded" if old else ""))


# ------------------------------------------------------------------ lineage
@click.command()
@click.option("--project", "project_id", default=None, help="Only this project.")
@output_options()
@click.pass_context
def drift(ctx: click.Context, project_id: str | None, fmt: str) -> None:
    """Projects on superseded methodology or template versions, and the artefacts they lack."""
    from pmo_tui.governance.lineage import drift_report

    _echo(drift_report(open_db(ctx), project_id=project_id), fmt)


def _version_pair(text: str, option: str) -> tuple[str, str]:
    item, _, version = text.partition("@")
    if not item or not version:
        raise UserError(f"{text!r} is not ID@VERSION", option=option, fix="e.g. PMO-METHOD@2.0")
    return item, version


@click.command()
@click.argument("project_id")
@click.option("--methodology", default=None, help="ID@VERSION of the methodology followed.")
@click.option(
    "--template",
    "templates_followed",
    multiple=True,
    help="ID@VERSION of a template followed (repeatable).",
)
@click.pass_context
def lineage(
    ctx: click.Context,
    project_id: str,
    methodology: str | None,
    templates_followed: tuple[str, ...],
) -> None:
    """Record the methodology and template versions a project follows (versions in force)."""
    from pmo_tui.governance.lineage import follow_versions

    if methodology is None and not templates_followed:
        raise UserError(
            "nothing to record",
            option="--methodology",
            fix="pass --methodology ID@VERSION and/or --template ID@VERSION",
        )
    follow_versions(
        open_db(ctx, write=True),
        project_id,
        methodology=_version_pair(methodology, "--methodology") if methodology else None,
        templates=[_version_pair(t, "--template") for t in templates_followed],
    )
    click.echo(f"recorded the lineage of {project_id}")


# ------------------------------------------------------------ training, coaching
@click.group(cls=PmoGroup)
def training() -> None:
    """Courses and certifications per person, and mentor/mentee pairs."""


@training.command("list")
@click.option("--person", "person_id", default=None, help="Only this person (id).")
@click.option("--expired", is_flag=True, help="Only expired certifications.")
@today_option("Date for the state (YYYY-MM-DD).")
@output_options()
@click.pass_context
def training_list_command(
    ctx: click.Context, person_id: str | None, expired: bool, today: dt.datetime | None, fmt: str
) -> None:
    """Training records with state: valid, expiring (90 days), expired, no expiry."""
    from pmo_tui.governance.training import training_list

    _echo(
        training_list(
            open_db(ctx), resolve_today(today), person_id=person_id, expired_only=expired
        ),
        fmt,
    )


@training.command("mentors")
@today_option("Pairs active on this date.")
@output_options()
@click.pass_context
def training_mentors(ctx: click.Context, today: dt.datetime | None, fmt: str) -> None:
    """Active mentor/mentee pairs."""
    from pmo_tui.governance.training import mentoring_pairs

    _echo(mentoring_pairs(open_db(ctx), resolve_today(today)), fmt)


@click.group(cls=PmoGroup)
def coaching() -> None:
    """Coaching suggestions for project managers with repeat findings."""


@coaching.command("suggest")
@click.option(
    "--min-findings",
    type=click.IntRange(min=2),
    default=2,
    show_default=True,
    help="Findings of one kind that call for coaching.",
)
@today_option("Date for mentors and course validity.")
@output_options()
@click.pass_context
def coaching_suggest(
    ctx: click.Context, min_findings: int, today: dt.datetime | None, fmt: str
) -> None:
    """Managers with repeat findings of a kind, the findings, and a course or mentor that fits."""
    from pmo_tui.governance.training import coaching_suggestions

    _echo(coaching_suggestions(open_db(ctx), resolve_today(today), min_findings=min_findings), fmt)


COMMANDS = (standards, templates, drift, lineage, training, coaching)
