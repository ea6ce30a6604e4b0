"""What an edit made in the TUI asks for, stated before it is written (textual-free).

An :class:`Edit` is what the confirmation dialog states (the thing changed, then one
line per value: before -> after) and the one service call that writes it (a function
of :mod:`pmo_tui.editing` or :mod:`pmo_tui.history`); when a rule may refuse it and be
overridden with a reason (the stage gate), also the same call overriding it. The
screens build edits with the functions below and write them in a worker
(:class:`pmo_tui.tui.screens.editing.EditingScreen`), so a front end never writes by
itself and both front ends share every rule and message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pmo_tui.domain.horizon import iso_week_label

if TYPE_CHECKING:
    import sqlite_utils

    from pmo_tui.editing.allocations import Booking
    from pmo_tui.history.undo import UndoPlan


@dataclass(frozen=True)
class Edit:
    """One change the user asked for, told and ready to write.

    Attributes:
        title: what it is (``Change hours``): the dialog's title and the notification's.
        subject: the thing changed, in words (a booking, a project, a change set).
        lines: what changes, one line each (``hours: 40 → 30``).
        write: the one service call that writes it (one transaction) on a writable database.
        override: ``reason -> Edit``: the same edit overriding a refusal that may be
            overridden (:class:`pmo_tui.errors.OverridableError`); None: no override.
    """

    title: str
    subject: str
    lines: tuple[str, ...]
    write: Callable[[sqlite_utils.Database], object]
    override: Callable[[str], Edit] | None = None

    def describe(self) -> str:
        """The confirmation's text: the subject, then the lines."""
        return "\n".join([self.subject, "", *self.lines])


def change_line(what: str, before: Any, after: Any) -> str:
    """``what: before → after``, values as a user types them (``-`` for none)."""
    from pmo_tui.editing.fields import as_text

    return f"{what}: {as_text(before) or '-'} → {as_text(after) or '-'}"


# --------------------------------------------------------------------- bookings
@dataclass(frozen=True)
class BookingRow:
    """One booking of a person-week as the drill-down lists it (a row of
    :func:`pmo_tui.tui.capacity_views.person_week_allocations`) and whose it is."""

    person_id: str
    person: str
    week: dt.date
    project_id: str
    project: str | None
    demand_id: str | None
    hours: float
    kind: str
    pinned: bool

    def booking(self) -> Booking:
        """The booking the editing services act on: this person, project, demand and week."""
        from pmo_tui.editing.allocations import Booking

        return Booking(self.person_id, self.project_id, self.demand_id, self.week.isoformat())

    def subject(self) -> str:
        """``Ann Archer (ann) on P-CRM CRM upgrade, demand D1, week 2027-W02 (2027-01-11)``."""
        demand = f"demand {self.demand_id}" if self.demand_id else "no demand (fixed load)"
        return (
            f"{self.person} ({self.person_id}) on {self.project_id} {self.project or ''}, "
            f"{demand}, week {iso_week_label(self.week)} ({self.week})"
        )

    def booking_words(self, pinned: bool | None = None) -> str:
        """``soft``, ``hard`` or ``soft, pinned`` (as the drill-down says it)."""
        pinned = self.pinned if pinned is None else pinned
        return f"{self.kind}, pinned" if pinned else self.kind


def hours_edit(row: BookingRow, hours: float, current_week: dt.date) -> Edit:
    """Book ``hours`` instead of the row's hours (kind and pin kept)."""
    from pmo_tui.editing.allocations import set_allocation

    booking = row.booking()
    return Edit(
        "Change hours",
        row.subject(),
        (change_line("hours", row.hours, hours),),
        lambda db: set_allocation(db, booking, f"{hours:g}", current_week=current_week),
    )


def pin_edit(row: BookingRow, current_week: dt.date) -> Edit:
    """Pin the row's booking (a plan never moves it), or unpin it."""
    from pmo_tui.editing.allocations import pin_allocation

    booking, pinned = row.booking(), not row.pinned
    return Edit(
        "Pin booking" if pinned else "Unpin booking",
        row.subject(),
        (change_line("booking", row.booking_words(), row.booking_words(pinned)),),
        lambda db: pin_allocation(db, booking, pinned=pinned, current_week=current_week),
    )


def move_edit(row: BookingRow, candidate: Mapping[str, Any], current_week: dt.date) -> Edit:
    """Move the row's booking to ``candidate`` (a row of
    :func:`pmo_tui.editing.candidates.move_candidates`)."""
    from pmo_tui.editing.allocations import move_allocation

    booking, to_person = row.booking(), str(candidate["person_id"])
    return Edit(
        "Move booking",
        row.subject(),
        (
            change_line(
                "person", f"{row.person} ({row.person_id})", f"{candidate['name']} ({to_person})"
            ),
            change_line(
                f"{candidate['name']}'s free hours that week",
                candidate["free_hours"],
                candidate["free_after_hours"],
            ),
        ),
        lambda db: move_allocation(db, booking, to_person, current_week=current_week),
    )


# --------------------------------------------------------------------- projects
def project_edit(
    project: Mapping[str, Any], changes: Mapping[str, str], before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> Edit:  # fmt: skip
    """Change a project's values: ``changes`` as typed, ``before``/``after`` the rows
    :func:`pmo_tui.editing.projects.project_changes` worked out (only changed values are
    listed). A phase change the stage gate refuses may be overridden with a reason."""
    from pmo_tui.editing.projects import edit_project

    project_id = str(project["id"])
    lines = tuple(
        change_line(column.replace("_", " "), before[column], after[column])
        for column in after
        if after[column] != before.get(column)
    )
    edit = Edit(
        "Edit project",
        f"{project_id} {project.get('name') or ''}",
        lines,
        lambda db: edit_project(db, project_id, changes),
    )

    def overridden(reason: str) -> Edit:
        return replace(
            edit,
            title="Edit project, overriding the stage gate",
            lines=(*lines, f"stage gate: overridden, because {reason}"),
            write=lambda db: edit_project(db, project_id, changes, force_phase=True, reason=reason),
            override=None,
        )

    return replace(edit, override=overridden)


# --------------------------------------------------------------------- undo
def undo_edit(plan: UndoPlan, *, force: bool = False) -> Edit:
    """Undo the change set of ``plan`` (:func:`pmo_tui.history.undo.plan_undo`): what it does
    (:meth:`~pmo_tui.history.undo.UndoPlan.describe`: per table, then the first rows with
    their values); with ``force``, also why it was refused."""
    from pmo_tui.history.undo import apply_undo

    info = plan.change_set
    lines = plan.describe()
    if force:
        lines += [f"⚠ {reason}" for reason in plan.reasons()]
    return Edit(
        f"Undo change set {info['id']}" + (", forced" if force else ""),
        f"Change set {info['id']}: {info['command']} by {info['who']} at {info['at']}",
        tuple(lines),
        lambda db: apply_undo(db, plan, force=force),
    )


# --------------------------------------------------------------------- leave
def leave_words(leave: Mapping[str, Any]) -> str:
    """``2027-02-01 to 2027-02-05, all day (holiday)``."""
    from pmo_tui.editing.fields import as_text

    hours = leave.get("hours_per_day")
    day = "all day" if hours in (None, "") else f"{as_text(hours)} h a day"
    reason = f" ({leave['reason']})" if leave.get("reason") else ""
    return f"{as_text(leave['start'])} to {as_text(leave['end'])}, {day}{reason}"


def add_leave_edit(person: Mapping[str, Any], values: Mapping[str, str]) -> Edit:
    """Add leave for ``person`` (its row): ``values`` start, end, hours_per_day, reason as
    typed (checked by :func:`pmo_tui.editing.people.add_leave`)."""
    from pmo_tui.editing.people import add_leave

    person_id = str(person["id"])
    return Edit(
        "Add leave",
        f"{person.get('name') or ''} ({person_id})",
        (change_line("leave", None, leave_words(values)),),
        lambda db: add_leave(
            db,
            person_id,
            values["start"],
            values["end"],
            hours_per_day=values.get("hours_per_day") or None,
            reason=values.get("reason") or None,
        ),
    )


def remove_leave_edit(person: Mapping[str, Any], leave: Mapping[str, Any]) -> Edit:
    """Remove the leave row ``leave`` (with its ``id``) of ``person``."""
    from pmo_tui.editing.people import remove_leave

    leave_id = int(leave["id"])
    return Edit(
        "Remove leave",
        f"{person.get('name') or ''} ({person['id']})",
        (change_line("leave", leave_words(leave), "removed"),),
        lambda db: remove_leave(db, leave_id),
    )
