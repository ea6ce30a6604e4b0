"""History screen: every change set (who, when, which command, how many rows), and undo.

The list is ``pmo-tui log``'s (:func:`pmo_tui.history.log.list_change_sets`), newest
first; ``/`` filters by entity (``KIND[:ID]``: ``allocation``, ``project:P-CRM``).
``enter`` shows one change set's rows, each changed column before and after
(:func:`pmo_tui.history.log.change_set_rows`). ``u`` undoes the highlighted change
set as ``pmo-tui undo`` does: what :func:`pmo_tui.history.undo.plan_undo` says it
will do is confirmed, then written as a new change set; a refusal (later change sets
wrote the same rows, rows in weeks of history, already undone) is shown with its
reasons, and forcing it takes a second, explicit confirmation. ``e`` exports the
change sets listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Input, Static

from pmo_tui.tui.screens.base import ExportRequest, export_binding
from pmo_tui.tui.screens.editing import EditingScreen
from pmo_tui.tui.widgets.tables import KeyTable

if TYPE_CHECKING:
    import polars as pl

    from pmo_tui.history.undo import UndoPlan

#: The list's columns: (label, column of the frame of :func:`list_change_sets`).
HISTORY_COLUMNS = (
    ("id", "change_set"),
    ("when (UTC)", "at"),
    ("who", "who"),
    ("command", "command"),
    ("rows", "rows"),
    ("undo", "undo"),
    ("tables", "tables"),
    ("reason", "reason"),
)


class HistoryLoaded(Message):
    """The worker read the change sets (filtered by ``entity``)."""

    def __init__(self, entity: str, change_sets: pl.DataFrame) -> None:
        super().__init__()
        self.entity, self.change_sets = entity, change_sets


class ChangeSetLoaded(Message):
    """The worker read one change set and its rows."""

    def __init__(self, change_set: dict[str, Any], rows: pl.DataFrame) -> None:
        super().__init__()
        self.change_set, self.rows = change_set, rows


class UndoPlanned(Message):
    """The worker worked out what undoing a change set does."""

    def __init__(self, plan: UndoPlan) -> None:
        super().__init__()
        self.plan = plan


class HistoryScreen(EditingScreen):
    """The change sets, newest first; their rows; undo."""

    MODE = "history"
    CSS_PATH = "history.tcss"
    AUTO_FOCUS = "#change-sets"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_change_set", "Rows", priority=True, id="rows"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("slash", "filter", "Filter", id="filter"),
        export_binding(),
        Binding("r,f5", "reload", "Reload", key_display="r", show=False, id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.change_sets: pl.DataFrame | None = None
        self.entity = ""

    def compose(self) -> ComposeResult:
        """Navigation, entity filter, status line, the list, footer."""
        yield self.nav_bar()
        yield Input(
            placeholder="/ entity: KIND or KIND:ID, e.g. allocation or project:P-CRM (enter)",
            id="entity",
            classes="filter-bar",
            compact=True,
        )
        yield Static("Loading the history…", id="status", classes="status-line")
        yield KeyTable(id="change-sets", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Set up the columns and read once the frame is painted."""
        table = self.query_one("#change-sets", KeyTable)
        for label, column in HISTORY_COLUMNS:
            table.add_column(label, key=column)
        self.load_after_paint()

    @work(thread=True, exclusive=True, group="history-load", exit_on_error=False,
          name="reading the history")  # fmt: skip
    def load(self, path: Path, entity: str) -> None:
        """Read the change sets in a thread (its own connection) and post them back."""
        from pmo_tui.tui.data import load_history

        self.post_message(HistoryLoaded(entity, load_history(path, entity)))

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        """Show the change sets, keeping the cursor on the one it was on."""
        from pmo_tui.tui.data import HISTORY_LIMIT
        from pmo_tui.tui.history_views import history_rows

        self.change_sets = message.change_sets
        table = self.query_one("#change-sets", KeyTable)
        selected = self.selected_change_set()
        table.clear()
        for row in history_rows(message.change_sets):
            table.add_row(*row, key=str(row[0]))
        if selected is not None and str(selected) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected)), animate=False)
        shown = message.change_sets.height
        what = "change set" if shown == 1 else "change sets"
        what += f" that wrote {message.entity}" if message.entity else ""
        newest = f" (the newest {HISTORY_LIMIT})" if shown >= HISTORY_LIMIT else ""
        self.query_one("#status", Static).update(
            f"{shown} {what}{newest}, newest first · enter: rows · u: undo"
        )
        self.refresh_bindings()

    def selected_change_set(self) -> int | None:
        """The id of the change set under the cursor, None when the list is empty."""
        table = self.query_one("#change-sets", KeyTable)
        if table.row_count == 0:
            return None
        return int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Rows and undo need a change set under the cursor; enter opens it only from the
        list (in the filter it applies the filter)."""
        if action == "open_change_set" and self.focused is not self.query_one("#change-sets"):
            return False
        if action in ("open_change_set", "undo"):
            return self.change_sets is not None and self.selected_change_set() is not None
        return True

    def action_open_change_set(self) -> None:
        """Show the rows of the change set under the cursor, before and after."""
        change_set = self.selected_change_set()
        if change_set is not None:
            self.load_change_set(self.db_path, change_set)

    @work(thread=True, exclusive=True, group="change-set", exit_on_error=False,
          name="reading the change set")  # fmt: skip
    def load_change_set(self, path: Path, change_set: int) -> None:
        """Read one change set's rows in a thread."""
        from pmo_tui.tui.data import load_change_set

        self.post_message(ChangeSetLoaded(*load_change_set(path, change_set)))

    def on_change_set_loaded(self, message: ChangeSetLoaded) -> None:
        """Show every changed column of every row, before and after."""
        from pmo_tui.tui.history_views import change_set_title
        from pmo_tui.tui.widgets.dialogs import RowsDialog

        rows = message.rows.drop("change_set")
        note = (
            "every changed column of every row: before → after · esc closes"
            if rows.height
            else "No rows recorded (written before pmo-tui kept row history). esc closes"
        )
        self.app.push_screen(RowsDialog(change_set_title(message.change_set), rows, note))

    def action_undo(self) -> None:
        """Work out what undoing the highlighted change set does, then confirm it (a viewer
        is told why not)."""
        change_set = self.selected_change_set()
        if change_set is None or not self.may_edit():
            return
        self.plan_undo(self.db_path, change_set)

    @work(thread=True, exclusive=True, group="undo-plan", exit_on_error=False,
          name="working out the undo")  # fmt: skip
    def plan_undo(self, path: Path, change_set: int) -> None:
        """What undoing ``change_set`` does (reads only; a thread)."""
        from pmo_tui.history.undo import plan_undo
        from pmo_tui.tui.data import connection

        with connection(path) as db:
            self.post_message(UndoPlanned(plan_undo(db, change_set, today=self.pmo_app.today)))

    def on_undo_planned(self, message: UndoPlanned) -> None:
        """Confirm the undo; a refused one shows why, and forcing it asks twice."""
        from pmo_tui.tui.edits import undo_edit
        from pmo_tui.tui.widgets.dialogs import ConfirmDialog

        plan = message.plan
        if not plan.blocked:
            self.confirm_edit(undo_edit(plan))
            return
        forced = undo_edit(plan, force=True)

        def answer(force: bool | None) -> None:
            if force:
                self.confirm_edit(forced)
            else:
                self.edit_cancelled(forced)

        reasons = "\n".join(f"• {reason}" for reason in plan.reasons())
        self.app.push_screen(
            ConfirmDialog(
                f"Undo change set {plan.change_set['id']}: refused",
                f"{forced.subject}\n\n{reasons}\n\n{plan.fix()[0].upper()}{plan.fix()[1:]}. "
                "Forcing loses what was done to them since. Force it? (You confirm once more.)",
                "Force…",
            ),
            answer,
        )

    def export_request(self) -> ExportRequest | None:
        """The change sets the entity filter keeps (all of them, not only the newest listed),
        every table named."""
        if self.change_sets is None:
            return None
        from pmo_tui.reporting.export import log_sheet
        from pmo_tui.tui.data import load_history

        path, entity = self.db_path, self.entity
        return "log", lambda: [log_sheet(load_history(path, entity, limit=None, every_table=True))]

    @on(Input.Submitted, "#entity")
    def _entity_submitted(self, event: Input.Submitted) -> None:
        self.entity = event.value.strip()
        self.action_reload()
        self.focus_main()

    def action_filter(self) -> None:
        """Focus the entity filter."""
        self.query_one("#entity", Input).focus()

    def action_reload(self) -> None:
        """Read the change sets again."""
        self.load(self.db_path, self.entity)

    def escape(self) -> bool:
        """Clear the entity filter first."""
        field = self.query_one("#entity", Input)
        if field.value or self.entity:
            field.value, self.entity = "", ""
            self.action_reload()
            return True
        return False

    def focus_main(self) -> None:
        """Focus the list."""
        self.query_one("#change-sets", KeyTable).focus()
