"""What every screen that edits shares: ask, confirm, write in a worker, say the change set.

An edit (:class:`pmo_tui.tui.edits.Edit`) goes the same way on every screen:

1. :meth:`EditingScreen.may_edit`: a viewer is refused with a notification saying why
   (the store refuses the write too);
2. :meth:`EditingScreen.confirm_edit`: a dialog states the change, before -> after;
3. :meth:`EditingScreen.write_edit`: a thread worker calls the edit's one service
   (one transaction); a refusal is an error dialog with the service's message, and a
   refusal that may be overridden (the stage gate) asks for a reason first;
4. :meth:`EditingScreen.on_edit_written`: a notification names the change set (the
   History screen lists it, ``u`` there undoes it), every screen re-reads the store
   when it is next shown, and this one at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from pmo_tui.tui.screens.base import PmoScreen

if TYPE_CHECKING:
    from pmo_tui.errors import OverridableError
    from pmo_tui.tui.edits import Edit


class EditWritten(Message):
    """The worker wrote ``edit`` as change set ``change_set``."""

    def __init__(self, edit: Edit, change_set: int | None) -> None:
        super().__init__()
        self.edit, self.change_set = edit, change_set


class EditRefused(Message):
    """A rule refused ``edit`` and may be overridden with a reason (``refusal`` says why)."""

    def __init__(self, edit: Edit, refusal: OverridableError) -> None:
        super().__init__()
        self.edit, self.refusal = edit, refusal


class EditingScreen(PmoScreen):
    """A screen whose keys change the data (capacity, portfolio, history)."""

    def may_edit(self) -> bool:
        """True when the account may write (planner, admin); else say why, and False."""
        if self.allows("planner"):
            return True
        note = self.pmo_app.role_note or f"your role ({self.pmo_app.role}) is read only"
        self.notify(note, title="Read only: nothing was changed", severity="warning", timeout=10)
        return False

    def confirm_edit(self, edit: Edit) -> None:
        """State ``edit`` (before -> after) and write it when confirmed."""
        from pmo_tui.tui.widgets.dialogs import ConfirmDialog

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                self.write_edit(self.db_path, edit)
            else:
                self.edit_cancelled(edit)

        self.app.push_screen(ConfirmDialog(edit.title, edit.describe(), "Write"), answer)

    @work(thread=True, exclusive=True, group="edit", exit_on_error=False, name="writing the change")
    def write_edit(self, path: Path, edit: Edit) -> None:
        """Write ``edit`` through its service in a thread (its own connection): one
        transaction; a service's refusal fails the worker (an error dialog)."""
        from pmo_tui.errors import OverridableError
        from pmo_tui.store.transactions import last_change_set
        from pmo_tui.tui.data import writable_connection

        with writable_connection(path) as db:
            try:
                edit.write(db)
            except OverridableError as refusal:
                if edit.override is None:
                    raise
                self.post_message(EditRefused(edit, refusal))
                return
            change_set = last_change_set(db)
        self.post_message(EditWritten(edit, change_set))

    def on_edit_written(self, message: EditWritten) -> None:
        """Name the change set, and let every screen that shows the data read it again."""
        self.pmo_app.data_version += 1
        self.loaded_version = self.pmo_app.data_version
        where = (
            f"change set {message.change_set} (7 History lists it; u there undoes it)"
            if message.change_set
            else "the change log"
        )
        self.notify(f"Written as {where}.", title=message.edit.title, timeout=12)
        self.action_reload()
        self.edit_written(message.edit, message.change_set)

    def on_edit_refused(self, message: EditRefused) -> None:
        """Show the refusal and offer the override, which needs a reason (it is logged)."""
        from pmo_tui.tui.widgets.edit_dialogs import ValueDialog, required_text

        edit, override = message.edit, message.edit.override
        if override is None:
            return

        def overridden(reason: str | None) -> None:
            if reason:
                self.write_edit(self.db_path, override(reason))
            else:
                self.edit_cancelled(edit)

        self.app.push_screen(
            ValueDialog(
                f"{edit.title}: refused",
                f"{message.refusal.message}.\n\nOverride it? The reason is logged with the change.",
                "reason for the override (required)",
                check=required_text("a reason"),
                confirm_label="Override",
            ),
            overridden,
        )

    def edit_written(self, edit: Edit, change_set: int | None) -> None:
        """After a write (screens with an open dialog refresh it)."""

    def edit_cancelled(self, edit: Edit) -> None:
        """After a cancelled edit: nothing was written."""
        self.notify("Nothing was written.", title=edit.title, timeout=4)
