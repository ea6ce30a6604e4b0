"""Dialogs that ask for an edit's values: a value typed, a person picked, a project's fields.

They only ask: each checks what it can with a service's own check (the hours as
``allocations.csv`` checks them), says what is wrong under the field and stays
open, and dismisses with the answer (None when cancelled). The screens build the
edit and write it (:mod:`pmo_tui.tui.screens.editing`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from pmo_tui.errors import UserError, UserErrors
from pmo_tui.tui.widgets.dialogs import AskDialog, RowsDialog, TextDialog
from pmo_tui.tui.widgets.tables import KeyTable, cell_text

if TYPE_CHECKING:
    import polars as pl

#: Checks a typed value: returns it as it is to be written, or raises UserError.
Check = Callable[[str], str]


def required_text(what: str) -> Check:
    """A check refusing blank text (``a reason is required``)."""
    from pmo_tui.errors import UserError

    def check(text: str) -> str:
        if not text.strip():
            raise UserError(f"{what} is required")
        return text.strip()

    return check


class ValueDialog(AskDialog):
    """One value typed (hours, a reason), checked by ``check`` before it is accepted."""

    def __init__(
        self,
        title: str,
        text: str,
        placeholder: str,
        *,
        value: str = "",
        check: Check,
        confirm_label: str = "OK",
    ) -> None:
        super().__init__(classes="ask")
        self._title, self._text, self._placeholder = title, text, placeholder
        self._value, self._check, self._confirm_label = value, check, confirm_label

    def compose(self) -> ComposeResult:
        """Title, text, the field, complaint and buttons."""
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            yield Static(self._text, id="dialog-body", markup=False)
            yield Input(self._value, placeholder=self._placeholder, id="value")
            yield from self.buttons(self._confirm_label)

    def on_mount(self) -> None:
        """Start in the field."""
        self.query_one("#value", Input).focus()

    def action_apply(self) -> None:
        """Dismiss with the checked value, or say what is wrong and stay."""
        from pmo_tui.errors import UserError

        try:
            value = self._check(self.query_one("#value", Input).value)
        except UserError as error:
            self.complain(error.message, "#value")
            return
        self.dismiss(value)


class ChoiceDialog(AskDialog):
    """Pick one row of ``frame`` (enter or ``ctrl+s``); dismisses with its ``key`` value."""

    def __init__(self, title: str, frame: pl.DataFrame, key: str, note: str, empty: str) -> None:
        super().__init__(classes="ask rows")
        self._title, self._frame, self._key = title, frame, key
        self._note, self._empty = note, empty

    def compose(self) -> ComposeResult:
        """Title, the rows (or why there are none), a note and the buttons."""
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            table = KeyTable(id="choices", cursor_type="row", zebra_stripes=True)
            for column in self._frame.columns:
                table.add_column(column.replace("_", " "), key=column)
            for row in self._frame.iter_rows():
                table.add_row(*(cell_text(value) for value in row))
            yield table
            yield Static(self._note if self._frame.height else self._empty, id="dialog-body")
            yield from self.buttons("Choose")

    def on_mount(self) -> None:
        """Start in the table."""
        self.query_one("#choices", KeyTable).focus()

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        """Enter on a row chooses it."""
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        """Dismiss with the highlighted row's key (nothing to choose: say so)."""
        table = self.query_one("#choices", KeyTable)
        if table.row_count == 0:
            self.complain(self._empty)
            return
        self.dismiss(self._frame[self._key][table.cursor_row])


#: The project fields the portfolio's edit dialog offers, in order, with their labels.
PROJECT_FIELDS = (
    ("rag", "RAG status"),
    ("phase", "phase"),
    ("priority", "priority (1 highest)"),
    ("start", "start (YYYY-MM-DD)"),
    ("finish", "finish (YYYY-MM-DD)"),
)


class ProjectDialog(AskDialog):
    """A project's RAG status, phase, priority and dates; dismisses with the values changed
    (column -> text as typed), or None."""

    def __init__(
        self,
        project: Mapping[str, Any],
        choices: Mapping[str, tuple[str, ...]],
        typed: Mapping[str, str] | None = None,
        problem: UserError | None = None,
    ) -> None:
        """``typed``: values typed before (column -> text), shown instead of the project's;
        ``problem``: what was wrong with them, said under the fields."""
        super().__init__(classes="ask")
        self._project = {
            column: "" if project.get(column) is None else str(project[column])
            for column, _ in PROJECT_FIELDS
        }
        self._title = f"Edit {project['id']} {project.get('name') or ''}"
        self._choices = choices
        self._typed = dict(typed or {})
        self._problem = problem

    def compose(self) -> ComposeResult:
        """One labelled field per value: drop-downs for the choices, text for the rest."""
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            for column, label in PROJECT_FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    value = self._typed.get(column, self._project[column])
                    if column in self._choices:
                        options = [(choice, choice) for choice in self._choices[column]]
                        yield Select(
                            options,
                            value=value if value in self._choices[column] else Select.NULL,
                            allow_blank=value not in self._choices[column],
                            id=f"field-{column}",
                            compact=True,
                        )
                    else:
                        yield Input(value, id=f"field-{column}", compact=True)
            yield from self.buttons("Review")

    def on_mount(self) -> None:
        """Start in the first field, or in the one a problem is about (and say it)."""
        self.query_one(f"#field-{PROJECT_FIELDS[0][0]}").focus()
        if self._problem is not None:
            problems = self._problem.errors if isinstance(self._problem, UserErrors) else []
            problem = problems[0] if problems else self._problem
            column = (problem.option or "").removeprefix("--").replace("-", "_")
            field = f"#field-{column}" if column in self._project else None
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            fix = f" Fix: {problem.fix}" if problem.fix else ""
            self.complain(f"{problem.message.rstrip('.')}{more}.{fix}", field)

    def changed(self) -> dict[str, str]:
        """The fields whose text differs from the project's, column -> text."""
        values = {}
        for column, _ in PROJECT_FIELDS:
            widget = self.query_one(f"#field-{column}")
            if isinstance(widget, Select):
                value = "" if widget.value is Select.NULL else str(widget.value)
            else:
                value = widget.value.strip()  # type: ignore[attr-defined]
            if value != self._project[column]:
                values[column] = value
        return values

    def action_apply(self) -> None:
        """Dismiss with the changed values (none changed: say so and stay)."""
        changes = self.changed()
        if not changes:
            self.complain("nothing changed: change a value, or esc to cancel")
            return
        self.dismiss(changes)


class BookingsDialog(RowsDialog):
    """A person-week's bookings (the capacity drill-down): ``c`` (or enter) changes the
    highlighted booking's hours, ``p`` pins or unpins it, ``m`` moves it to another person.

    The keys only say what was asked (``on_action(action, row index)``); the screen
    refuses (a viewer, a week of history) or asks for the values, confirms and writes.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "act('hours')", "Change hours", id="booking-hours"),
        Binding("p", "act('pin')", "Pin or unpin", id="booking-pin"),
        Binding("m", "act('move')", "Move to another person", id="booking-move"),
    ]
    #: The keys, as the note under the table says them.
    KEYS_NOTE = "c hours · p pin/unpin · m move · esc close"

    def __init__(
        self,
        title: str,
        words: pl.DataFrame,
        note: str,
        on_action: Callable[[str, int], None],
    ) -> None:
        super().__init__(title, words, f"{note}\n{self.KEYS_NOTE}")
        self._on_action = on_action

    def action_act(self, action: str) -> None:
        """Ask the screen for ``action`` on the highlighted booking."""
        table = self.query_one("#rows-table", KeyTable)
        if table.row_count:
            self._on_action(action, table.cursor_row)

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        """Enter on a booking changes its hours."""
        event.stop()
        self.action_act("hours")

    def show(self, title: str, words: pl.DataFrame, note: str) -> None:
        """Show the bookings as they are now (after an edit), the cursor where it was."""
        table = self.query_one("#rows-table", KeyTable)
        row = table.cursor_row
        table.clear()
        table.add_rows(
            ["" if value is None else str(value) for value in values]
            for values in words.iter_rows()
        )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
        self.query_one("#dialog-title", Label).update(title)
        self.query_one("#dialog-note", Label).update(f"{note}\n{self.KEYS_NOTE}")


#: The fields of the leave dialog, in order: column, label, placeholder.
LEAVE_FIELDS = (
    ("start", "from", "YYYY-MM-DD"),
    ("end", "to (inclusive)", "YYYY-MM-DD"),
    ("hours_per_day", "hours a day", "empty: all day"),
    ("reason", "reason", "optional: holiday, training..."),
)


class LeaveDialog(AskDialog):
    """Leave to add: from, to (inclusive), hours a day, reason; dismisses with the text typed
    (column -> text), which the editing service checks."""

    def __init__(self, title: str) -> None:
        super().__init__(classes="ask")
        self._title = title

    def compose(self) -> ComposeResult:
        """One labelled field a line."""
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            for column, label, placeholder in LEAVE_FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=placeholder, id=f"field-{column}", compact=True)
            yield from self.buttons("Review")

    def on_mount(self) -> None:
        """Start in the first field."""
        self.query_one(f"#field-{LEAVE_FIELDS[0][0]}", Input).focus()

    def action_apply(self) -> None:
        """Dismiss with the values (from and to needed: say so and stay)."""
        values = {
            column: self.query_one(f"#field-{column}", Input).value.strip()
            for column, *_ in LEAVE_FIELDS
        }
        for column, label, _ in LEAVE_FIELDS[:2]:
            if not values[column]:
                self.complain(f"{label} is needed", f"#field-{column}")
                return
        self.dismiss(values)


class PersonDialog(TextDialog):
    """A person's detail (skills, working pattern, leave, availability); ``a`` asks to add
    leave, ``x`` to remove some (``on_action(action)``; the screen asks, confirms, writes)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "act('add')", "Add leave", id="leave-add"),
        Binding("x", "act('remove')", "Remove leave", id="leave-remove"),
    ]
    NOTE = "a add leave · x remove leave · esc closes · ↑/↓ scroll"

    def __init__(self, title: str, text: str, on_action: Callable[[str], None]) -> None:
        super().__init__(title, text)
        self._on_action = on_action

    def on_mount(self) -> None:
        """Say the keys under the text."""
        self.query_one("#dialog-note", Label).update(self.NOTE)

    def action_act(self, action: str) -> None:
        """Ask the screen for ``action`` (``add`` or ``remove``)."""
        self._on_action(action)

    def show(self, text: str) -> None:
        """Show the person as they are now (after an edit)."""
        self.query_one("#dialog-body", Static).update(text)
