"""The person, opened from the capacity screen's name column: detail, and adding or removing leave.

``enter`` on a name reads the person in a worker (:func:`pmo_tui.tui.data.load_person`)
and shows the skills, working pattern, leave and availability
(:class:`~pmo_tui.tui.widgets.edit_dialogs.PersonDialog`). There, ``a`` adds leave and
``x`` removes some, through :func:`pmo_tui.editing.people.add_leave` and
:func:`~pmo_tui.editing.people.remove_leave`: confirmed, one transaction, named by its
change set (:class:`~pmo_tui.tui.screens.editing.EditingScreen`); the detail and the
heatmap (leave changes capacity) are then read again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from pmo_tui.tui.screens.editing import EditingScreen

if TYPE_CHECKING:
    from pmo_tui.tui.data import PersonDetail
    from pmo_tui.tui.edits import Edit


class PersonLoaded(Message):
    """The worker read one person's detail."""

    def __init__(self, detail: PersonDetail) -> None:
        super().__init__()
        self.detail = detail


class PersonEdits(EditingScreen):
    """The person dialog of a screen, and its leave edits."""

    #: The person shown in the open person dialog, else None.
    person: PersonDetail | None = None

    @work(thread=True, exclusive=True, group="person", exit_on_error=False,
          name="reading the person")  # fmt: skip
    def load_person(self, path: Path, person_id: str) -> None:
        """Read one person's detail in a thread (its own connection)."""
        from pmo_tui.tui.data import load_person

        self.post_message(PersonLoaded(load_person(path, person_id)))

    def on_person_loaded(self, message: PersonLoaded) -> None:
        """Show the person (or, with the dialog open, show them as they are now)."""
        from pmo_tui.tui.capacity_views import person_text
        from pmo_tui.tui.widgets.edit_dialogs import PersonDialog

        self.person = message.detail
        text = person_text(message.detail)
        dialog = next((s for s in self.app.screen_stack if isinstance(s, PersonDialog)), None)
        if dialog is not None:
            dialog.show(text)
            return
        person = message.detail.person

        def closed(_: object) -> None:
            self.person = None

        self.app.push_screen(
            PersonDialog(f"{person['name']} ({person['id']})", text, self.person_action), closed
        )

    def person_action(self, action: str) -> None:
        """``add`` or ``remove`` leave of the open person (a viewer is told why not)."""
        if self.person is None or not self.may_edit():
            return
        if action == "add":
            self.ask_leave(self.person.person)
        else:
            self.choose_leave(self.person)

    def ask_leave(self, person: dict[str, Any]) -> None:
        """Ask for the leave's dates, hours and reason, then confirm."""
        from pmo_tui.tui.edits import add_leave_edit
        from pmo_tui.tui.widgets.edit_dialogs import LeaveDialog

        def answer(values: dict[str, str] | None) -> None:
            if values:
                self.confirm_edit(add_leave_edit(person, values))

        self.app.push_screen(LeaveDialog(f"Leave for {person['name']} ({person['id']})"), answer)

    def choose_leave(self, detail: PersonDetail) -> None:
        """Offer the person's leave to remove one, then confirm."""
        import polars as pl

        from pmo_tui.tui.edits import remove_leave_edit
        from pmo_tui.tui.widgets.edit_dialogs import ChoiceDialog

        leave, person = detail.leave, detail.person

        def chosen(leave_id: Any) -> None:
            if leave_id is not None:
                row = leave.filter(pl.col("id") == leave_id).row(0, named=True)
                self.confirm_edit(remove_leave_edit(person, row))

        self.app.push_screen(
            ChoiceDialog(
                f"Remove leave of {person['name']} ({person['id']})",
                leave,
                "id",
                note="enter removes the highlighted leave (after a confirmation)",
                empty=f"{person['name']} has no leave to remove.",
            ),
            chosen,
        )

    def edit_written(self, edit: Edit, change_set: int | None) -> None:
        """With the person open, read them again (their leave changed)."""
        if self.person is not None:
            self.load_person(self.db_path, str(self.person.person["id"]))
