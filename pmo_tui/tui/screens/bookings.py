"""The capacity drill-down: a person-week's bookings, and changing them.

``enter`` on a heatmap cell opens the person-week's bookings
(:class:`~pmo_tui.tui.widgets.edit_dialogs.BookingsDialog`); on the highlighted one,
``c`` changes its hours, ``p`` pins or unpins it and ``m`` moves it to another
person, chosen among the people qualified for its demand with their free hours that
week, best first (:func:`pmo_tui.editing.candidates.move_candidates`). A week
before the current one is history: its bookings are shown, never changed
(:func:`pmo_tui.editing.allocations.refuse_history`). Every change is confirmed,
written by the editing service in one transaction and named by its change set
(:class:`~pmo_tui.tui.screens.editing.EditingScreen`); the list then shows the
bookings as they are.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from pmo_tui.tui.screens.editing import EditingScreen

if TYPE_CHECKING:
    import polars as pl

    from pmo_tui.tui.data import CapacityData
    from pmo_tui.tui.edits import BookingRow


class CandidatesLoaded(Message):
    """The worker listed who could take over ``row``'s booking."""

    def __init__(self, row: BookingRow, candidates: pl.DataFrame) -> None:
        super().__init__()
        self.row, self.candidates = row, candidates


class BookingEdits(EditingScreen):
    """The drill-down into a person-week's bookings, and their edits (hours, pin, move)."""

    data: CapacityData | None = None
    #: The person-week whose bookings are open: (person id, name, week), else None.
    drilled: tuple[str, str, dt.date] | None = None

    def open_bookings(self, person_id: str, person: str, week: dt.date) -> None:
        """Show the bookings of ``person_id`` in ``week`` (by project, largest first)."""
        from pmo_tui.tui.widgets.edit_dialogs import BookingsDialog

        self.drilled = (person_id, person, week)
        title, words, note = self.bookings_view()

        def closed(_: object) -> None:
            self.drilled = None

        self.app.push_screen(BookingsDialog(title, words, note, self.booking_action), closed)

    def bookings_view(self) -> tuple[str, pl.DataFrame, str]:
        """The open person-week's title, bookings in words and note (its load, history)."""
        from pmo_tui.tui.capacity_views import allocation_words, booking_note

        assert self.data is not None and self.drilled is not None
        person_id, person, week = self.drilled
        title = f"{person} ({person_id}), week of {week}"
        history = week < self.pmo_app.window.current_week
        note = booking_note(self.data.utilisation, person_id, week, history=history)
        return title, allocation_words(self.booking_frame()), note

    def booking_frame(self) -> pl.DataFrame:
        """The open person-week's bookings (:func:`person_week_allocations`)."""
        from pmo_tui.tui.capacity_views import person_week_allocations

        assert self.data is not None and self.drilled is not None
        person_id, _, week = self.drilled
        return person_week_allocations(self.data.allocations, self.data.projects, person_id, week)

    def refresh_bookings(self) -> None:
        """After a re-read: the open bookings dialog shows the bookings as they are now."""
        from pmo_tui.tui.widgets.edit_dialogs import BookingsDialog

        dialog = next((s for s in self.app.screen_stack if isinstance(s, BookingsDialog)), None)
        if dialog is not None and self.drilled is not None and self.data is not None:
            dialog.show(*self.bookings_view())

    def booking_row(self, index: int) -> BookingRow:
        """Booking ``index`` of the open person-week."""
        from pmo_tui.tui.edits import BookingRow

        assert self.drilled is not None
        person_id, person, week = self.drilled
        row = self.booking_frame().row(index, named=True)
        return BookingRow(
            person_id=person_id,
            person=person,
            week=week,
            project_id=row["project_id"],
            project=row["project"],
            demand_id=row["demand_id"],
            hours=float(row["hours"]),
            kind=row["kind"],
            pinned=bool(row["pinned"]),
        )

    def booking_action(self, action: str, index: int) -> None:
        """``hours``, ``pin`` or ``move`` on booking ``index``: refused for a viewer or a
        week of history (a notification says why), else asked, confirmed and written."""
        from pmo_tui.editing.allocations import refuse_history
        from pmo_tui.errors import UserError
        from pmo_tui.tui.edits import pin_edit

        if self.drilled is None or self.data is None or not self.may_edit():
            return
        row = self.booking_row(index)
        current_week = self.pmo_app.window.current_week
        try:
            refuse_history(row.booking(), current_week)
        except UserError as error:
            self.notify(error.render(), title="History: nothing was changed", severity="error")
            return
        if action == "hours":
            self.ask_hours(row)
        elif action == "pin":
            self.confirm_edit(pin_edit(row, current_week))
        elif action == "move":
            self.load_candidates(self.db_path, row)

    def ask_hours(self, row: BookingRow) -> None:
        """Ask for the new hours (checked as ``allocations.csv`` checks them), then confirm."""
        from pmo_tui.editing.allocations import checked_hours
        from pmo_tui.editing.fields import as_text
        from pmo_tui.tui.edits import hours_edit
        from pmo_tui.tui.widgets.edit_dialogs import ValueDialog

        def answer(text: str | None) -> None:
            if text is not None:
                self.confirm_edit(hours_edit(row, float(text), self.pmo_app.window.current_week))

        dialog = ValueDialog(
            "Change hours",
            f"{row.subject()}\nbooked {as_text(row.hours)} h ({row.booking_words()})",
            "hours that week (0 to 168)",
            value=as_text(row.hours) or "",
            check=lambda text: f"{checked_hours(row.booking(), text):g}",
            confirm_label="Review",
        )
        self.app.push_screen(dialog, answer)

    @work(thread=True, exclusive=True, group="candidates", exit_on_error=False,
          name="listing who could take the booking")  # fmt: skip
    def load_candidates(self, path: Path, row: BookingRow) -> None:
        """List the people qualified for the booking, with their free hours (a thread)."""
        from pmo_tui.editing.candidates import move_candidates
        from pmo_tui.tui.data import connection

        with connection(path) as db:
            candidates = move_candidates(db, row.booking(), today=self.pmo_app.today)
        self.post_message(CandidatesLoaded(row, candidates))

    def on_candidates_loaded(self, message: CandidatesLoaded) -> None:
        """Offer the qualified people, best first; the one chosen is confirmed, then written."""
        from pmo_tui.tui.edits import move_edit
        from pmo_tui.tui.widgets.edit_dialogs import ChoiceDialog

        row, candidates = message.row, message.candidates

        def chosen(person_id: Any) -> None:
            if person_id is None:
                return
            import polars as pl

            candidate = candidates.filter(pl.col("person_id") == person_id).row(0, named=True)
            self.confirm_edit(move_edit(row, candidate, self.pmo_app.window.current_week))

        shown = candidates.rename({"free_hours": "free h", "free_after_hours": "free h after"})
        self.app.push_screen(
            ChoiceDialog(
                f"Move {row.hours:g} h of {row.project_id} from {row.person} to…",
                shown,
                "person_id",
                note=_QUALIFIED_NOTE,
                empty="Nobody else is qualified for this demand in that week "
                "(its skill at its minimum level, still valid).",
            ),
            chosen,
        )


#: What the move dialog says about the people it offers.
_QUALIFIED_NOTE = (
    "Qualified: the demand's skill at its minimum level or above, valid that week. "
    "Best first: most free hours that week (capacity less bookings)."
)
