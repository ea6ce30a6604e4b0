"""``pmo-tui person|skill|leave|project|demand|allocation``: edit one thing without a CSV file.

Each command is one write transaction with a change-log entry (``pmo-tui log``
lists it, ``pmo-tui undo`` reverts it), checked as the importer checks the same
CSV columns. The column options are named after the CSV columns
(``--hours-per-week`` for ``hours_per_week``; docs/data-model.md); a test keeps
the lists below equal to the importer's. Removing a person, project or demand
says what goes with it and asks (``--yes`` answers for scripts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from pmo_tui.cli.common import (
    PmoGroup,
    confirm,
    open_db,
    output_options,
    resolve_today,
    today_option,
)

if TYPE_CHECKING:
    from pmo_tui.editing.records import Removal

#: The editable columns of each kind, as in its CSV file (people.csv, projects.csv, ...).
PERSON_COLUMNS = (
    "name",
    "email",
    "role",
    "unit",
    "region",
    "cost_rate",
    "max_concurrent_projects",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
)
PROJECT_COLUMNS = (
    "name",
    "program_id",
    "portfolio_id",
    "manager",
    "sponsor",
    "phase",
    "priority",
    "start",
    "finish",
    "budget",
    "actual_cost",
    "rag",
    "may_shift_weeks",
)
DEMAND_COLUMNS = (
    "project_id",
    "skill_id",
    "min_level",
    "start_week",
    "end_week",
    "hours_per_week",
    "description",
)


def column_options(columns: tuple[str, ...], csv_file: str) -> Callable[[Any], Any]:
    """One ``--column-name TEXT`` option per column (parameter named as the column)."""

    def decorate(command: Any) -> Any:
        for column in reversed(columns):
            command = click.option(
                "--" + column.replace("_", "-"),
                column,
                default=None,
                help=f"{column} as in {csv_file} (docs/data-model.md); '' clears it.",
            )(command)
        return command

    return decorate


def _given(values: dict[str, Any], columns: tuple[str, ...]) -> dict[str, str | None]:
    return {column: values[column] for column in columns if values.get(column) is not None}


def _confirm_removal(removal: Removal, yes: bool, what: str) -> bool:
    click.echo(f"Removing {removal.describe()}.", err=True)
    if yes or confirm(f"Remove {removal.label}?", what=what):
        return True
    click.echo("Nothing was removed.", err=True)
    return False


def _yes_option(command: Any) -> Any:
    return click.option("--yes", is_flag=True, help="Do not ask (scripts).")(command)


# ------------------------------------------------------------------ person


@click.group(cls=PmoGroup)
def person() -> None:
    """Add, edit or remove a person of the shared resource pool."""


@person.command("add")
@click.argument("person_id")
@column_options(PERSON_COLUMNS, "people.csv")
@click.pass_context
def person_add(ctx: click.Context, person_id: str, **values: Any) -> None:
    """Add a person: --name and --region needed; 8 h Monday to Friday unless given."""
    from pmo_tui.editing.people import add_person

    row = add_person(open_db(ctx, write=True), {"id": person_id, **_given(values, PERSON_COLUMNS)})
    click.echo(f"added person {row['id']} ({row['name']})")


@person.command("edit")
@click.argument("person_id")
@column_options(PERSON_COLUMNS, "people.csv")
@click.pass_context
def person_edit(ctx: click.Context, person_id: str, **values: Any) -> None:
    """Change some of a person's values (the options given)."""
    from pmo_tui.editing.people import edit_person

    changes = _given(values, PERSON_COLUMNS)
    if not changes:
        raise click.UsageError("give at least one value to change, e.g. --unit Finance")
    edit_person(open_db(ctx, write=True), person_id, changes)
    click.echo(f"changed person {person_id}: {', '.join(changes)}")


@person.command("remove")
@click.argument("person_id")
@_yes_option
@click.pass_context
def person_remove(ctx: click.Context, person_id: str, yes: bool) -> None:
    """Remove a person with their skills, leave and allocations (says what goes, asks)."""
    from pmo_tui.editing.people import person_removal, remove_person

    database = open_db(ctx, write=True)
    removal = person_removal(database, person_id)
    if _confirm_removal(removal, yes, "person remove"):
        remove_person(database, removal)
        click.echo(f"removed {removal.describe()}")


# ------------------------------------------------------------------ skill


@click.group(cls=PmoGroup)
def skill() -> None:
    """Give a person a skill at a level (1-5), or take it away."""


@skill.command("set")
@click.argument("person_id")
@click.argument("skill_id")
@click.argument("level")
@click.option("--valid-until", default=None, help="Last day the skill counts (YYYY-MM-DD).")
@click.pass_context
def skill_set(
    ctx: click.Context, person_id: str, skill_id: str, level: str, valid_until: str | None
) -> None:
    """Set PERSON's SKILL to LEVEL (1 basic to 5 expert), optionally until a date."""
    from pmo_tui.editing.people import set_skill

    set_skill(open_db(ctx, write=True), person_id, skill_id, level, valid_until)
    click.echo(f"{person_id}: {skill_id} level {level}")


@skill.command("remove")
@click.argument("person_id")
@click.argument("skill_id")
@click.pass_context
def skill_remove(ctx: click.Context, person_id: str, skill_id: str) -> None:
    """Take SKILL away from PERSON."""
    from pmo_tui.editing.people import remove_skill

    remove_skill(open_db(ctx, write=True), person_id, skill_id)
    click.echo(f"{person_id}: {skill_id} removed")


# ------------------------------------------------------------------ leave


@click.group(cls=PmoGroup)
def leave() -> None:
    """List, add or remove a person's leave."""


@leave.command("list")
@click.argument("person_id")
@output_options()
@click.pass_context
def leave_list(ctx: click.Context, person_id: str, fmt: str) -> None:
    """List PERSON's leave with the ids `leave remove` takes."""
    from pmo_tui.editing.people import list_leave
    from pmo_tui.reporting.output import render_frame

    click.echo(render_frame(list_leave(open_db(ctx), person_id), fmt))


@leave.command("add")
@click.argument("person_id")
@click.argument("start")
@click.argument("end")
@click.option("--hours-per-day", default=None, help="Hours off per day (default: all day).")
@click.option("--reason", default=None, help="Why (holiday, training...).")
@click.pass_context
def leave_add(
    ctx: click.Context,
    person_id: str,
    start: str,
    end: str,
    hours_per_day: str | None,
    reason: str | None,
) -> None:
    """Add leave for PERSON from START to END (YYYY-MM-DD, inclusive)."""
    from pmo_tui.editing.people import add_leave

    leave_id = add_leave(
        open_db(ctx, write=True), person_id, start, end, hours_per_day=hours_per_day, reason=reason
    )
    click.echo(f"added leave {leave_id} for {person_id}: {start} to {end}")


@leave.command("remove")
@click.argument("leave_id", type=int)
@click.pass_context
def leave_remove(ctx: click.Context, leave_id: int) -> None:
    """Remove the leave LEAVE_ID (`leave list PERSON` shows the ids)."""
    from pmo_tui.editing.people import remove_leave

    row = remove_leave(open_db(ctx, write=True), leave_id)
    click.echo(f"removed leave {leave_id} of {row['person_id']}")


# ------------------------------------------------------------------ project


@click.group(cls=PmoGroup)
def project() -> None:
    """Add, edit or remove a project."""


@project.command("add")
@click.argument("project_id")
@column_options(PROJECT_COLUMNS, "projects.csv")
@click.pass_context
def project_add(ctx: click.Context, project_id: str, **values: Any) -> None:
    """Add a project: --name, --start, --finish and --portfolio-id (or --program-id) needed."""
    from pmo_tui.editing.projects import add_project

    row = add_project(
        open_db(ctx, write=True), {"id": project_id, **_given(values, PROJECT_COLUMNS)}
    )
    click.echo(f"added project {row['id']} ({row['name']})")


@project.command("edit")
@click.argument("project_id")
@column_options(PROJECT_COLUMNS, "projects.csv")
@click.option(
    "--force",
    is_flag=True,
    help="Change the phase without an approved gate (needs --reason; logged).",
)
@click.option("--reason", default=None, help="Why the gate rule is overridden (with --force).")
@click.pass_context
def project_edit(
    ctx: click.Context, project_id: str, force: bool, reason: str | None, **values: Any
) -> None:
    """Change a project's phase, priority, dates, manager, RAG status, may_shift_weeks...

    A new phase needs the stage gate that closes the current one approved
    (`pmo-tui gate decide`), unless --force with a --reason.
    """
    from pmo_tui.editing.projects import edit_project

    changes = _given(values, PROJECT_COLUMNS)
    if not changes:
        raise click.UsageError("give at least one value to change, e.g. --rag amber")
    edit_project(open_db(ctx, write=True), project_id, changes, force_phase=force, reason=reason)
    click.echo(f"changed project {project_id}: {', '.join(changes)}")


@project.command("remove")
@click.argument("project_id")
@_yes_option
@click.pass_context
def project_remove(ctx: click.Context, project_id: str, yes: bool) -> None:
    """Remove a project with its demand, allocations and governance records (says what goes)."""
    from pmo_tui.editing.projects import project_removal, remove_project

    database = open_db(ctx, write=True)
    removal = project_removal(database, project_id)
    if _confirm_removal(removal, yes, "project remove"):
        remove_project(database, removal)
        click.echo(f"removed {removal.describe()}")


# ------------------------------------------------------------------ demand


@click.group(cls=PmoGroup)
def demand() -> None:
    """Add, edit or remove a demand (a project's resource request)."""


@demand.command("add")
@click.argument("demand_id")
@column_options(DEMAND_COLUMNS, "demands.csv")
@click.pass_context
def demand_add(ctx: click.Context, demand_id: str, **values: Any) -> None:
    """Add a demand: project, skill, level and hours per week from one Monday to another."""
    from pmo_tui.editing.projects import add_demand

    row = add_demand(open_db(ctx, write=True), {"id": demand_id, **_given(values, DEMAND_COLUMNS)})
    click.echo(f"added demand {row['id']} on {row['project_id']}: {_weeks(row['weeks'])}")


@demand.command("edit")
@click.argument("demand_id")
@column_options(DEMAND_COLUMNS[1:], "demands.csv")
@click.pass_context
def demand_edit(ctx: click.Context, demand_id: str, **values: Any) -> None:
    """Change a demand's skill, level or description, or its hours in a week range."""
    from pmo_tui.editing.projects import edit_demand

    changes = _given(values, DEMAND_COLUMNS[1:])
    if not changes:
        raise click.UsageError("give at least one value to change, e.g. --min-level 3")
    row = edit_demand(open_db(ctx, write=True), demand_id, changes)
    click.echo(f"changed demand {demand_id}: {', '.join(changes)} ({_weeks(row['weeks'])} set)")


@demand.command("remove")
@click.argument("demand_id")
@_yes_option
@click.pass_context
def demand_remove(ctx: click.Context, demand_id: str, yes: bool) -> None:
    """Remove a demand with its weekly hours and allocations (says what goes, asks)."""
    from pmo_tui.editing.projects import demand_removal, remove_demand

    database = open_db(ctx, write=True)
    removal = demand_removal(database, demand_id)
    if _confirm_removal(removal, yes, "demand remove"):
        remove_demand(database, removal)
        click.echo(f"removed {removal.describe()}")


# ------------------------------------------------------------------ allocation


@click.group(cls=PmoGroup)
def allocation() -> None:
    """Book, remove, pin or unpin a person's hours on a project, week by week."""


def _booking_arguments(command: Any) -> Any:
    for decorator in reversed(
        (
            click.argument("person_id"),
            click.argument("project_id"),
            click.argument("start_week"),
            click.argument("end_week", required=False),
            click.option("--demand", "demand_id", default=None, help="The demand booked on."),
            today_option(
                "Weeks before this date's week are history: refused, as in the TUI (YYYY-MM-DD)."
            ),
        )
    ):
        command = decorator(command)
    return command


def _weeks(count: int) -> str:
    """``count`` weeks in words: ``1 week``, ``4 weeks``."""
    return f"{count} week" if count == 1 else f"{count} weeks"


def _booking(values: dict[str, Any]) -> Any:
    from pmo_tui.editing.allocations import Booking

    return Booking(
        values["person_id"],
        values["project_id"],
        values["demand_id"],
        values["start_week"],
        values["end_week"],
    )


def _current_week(values: dict[str, Any]) -> Any:
    """The Monday of ``--today``'s week: bookings before it are history (never changed)."""
    from pmo_tui.domain.horizon import monday

    return monday(resolve_today(values.pop("today")))


@allocation.command("set")
@_booking_arguments
@click.option("--hours", required=True, help="Hours per week (0-168).")
@click.option("--kind", default=None, help="soft (the plan may move it) or hard.")
@click.option("--pinned", default=None, help="true keeps it where it is.")
@click.pass_context
def allocation_set(
    ctx: click.Context, hours: str, kind: str | None, pinned: str | None, **values: Any
) -> None:
    """Book PERSON on PROJECT for --hours a week from START_WEEK to END_WEEK (Mondays)."""
    from pmo_tui.editing.allocations import set_allocation

    current_week = _current_week(values)
    weeks = set_allocation(
        open_db(ctx, write=True),
        _booking(values),
        hours,
        kind=kind,
        pinned=pinned,
        current_week=current_week,
    )
    click.echo(f"booked {values['person_id']} on {values['project_id']}: {_weeks(weeks)}")


@allocation.command("remove")
@_booking_arguments
@click.pass_context
def allocation_remove(ctx: click.Context, **values: Any) -> None:
    """Remove PERSON's bookings on PROJECT from START_WEEK to END_WEEK."""
    from pmo_tui.editing.allocations import remove_allocation

    current_week = _current_week(values)
    weeks = remove_allocation(open_db(ctx, write=True), _booking(values), current_week=current_week)
    click.echo(f"removed {_weeks(weeks)} of {values['person_id']} on {values['project_id']}")


@allocation.command("move")
@_booking_arguments
@click.option("--to", "to_person_id", required=True, help="The person who takes the bookings.")
@click.pass_context
def allocation_move(ctx: click.Context, to_person_id: str, **values: Any) -> None:
    """Move PERSON's bookings on PROJECT in those weeks to another person (--to)."""
    from pmo_tui.editing.allocations import move_allocation

    current_week = _current_week(values)
    weeks = move_allocation(
        open_db(ctx, write=True), _booking(values), to_person_id, current_week=current_week
    )
    click.echo(f"moved {_weeks(weeks)} from {values['person_id']} to {to_person_id}")


@allocation.command("pin")
@_booking_arguments
@click.pass_context
def allocation_pin(ctx: click.Context, **values: Any) -> None:
    """Pin PERSON's bookings on PROJECT in those weeks: a plan never moves them."""
    from pmo_tui.editing.allocations import pin_allocation

    current_week = _current_week(values)
    weeks = pin_allocation(
        open_db(ctx, write=True), _booking(values), pinned=True, current_week=current_week
    )
    click.echo(f"pinned {_weeks(weeks)}")


@allocation.command("unpin")
@_booking_arguments
@click.pass_context
def allocation_unpin(ctx: click.Context, **values: Any) -> None:
    """Unpin PERSON's bookings on PROJECT in those weeks: a plan may move them again."""
    from pmo_tui.editing.allocations import pin_allocation

    current_week = _current_week(values)
    weeks = pin_allocation(
        open_db(ctx, write=True), _booking(values), pinned=False, current_week=current_week
    )
    click.echo(f"unpinned {_weeks(weeks)}")


COMMANDS = (person, skill, leave, project, demand, allocation)
