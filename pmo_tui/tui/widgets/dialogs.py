"""Modal dialogs: errors, confirmation, the key help, a table of rows, and the base of the
dialogs that ask for values (:class:`AskDialog`).

Every dialog closes with ``esc``; the help is generated from the active
bindings of the screen it was opened on, never written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

from pmo_tui.tui.widgets.tables import KeyTable

if TYPE_CHECKING:
    import polars as pl


class Dialog(ModalScreen[bool]):
    """Base of the dialogs: ``esc`` (and ``q``) close with ``False``."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="close"),
    ]

    def action_close(self) -> None:
        """Close the dialog without confirming."""
        self.dismiss(False)


class ErrorDialog(Dialog):
    """An error shown as one message (never a traceback)."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="error")
        self._title = title
        self._message = message

    def compose(self) -> ComposeResult:
        """Title, message and an OK button."""
        with Vertical(id="dialog"):
            yield Label(f"✖ {self._title}", id="dialog-title")
            yield Static(self._message, id="dialog-body", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("OK", id="ok", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Any button closes the dialog."""
        event.stop()
        self.dismiss(False)


class ConfirmDialog(Dialog):
    """A yes/no question; dismisses with True on ``y`` or the confirm button."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes", id="yes"),
        Binding("n", "close", "No", id="no"),
    ]

    def __init__(self, title: str, message: str, confirm_label: str = "Yes") -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        """Question, details and two buttons."""
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            yield Static(self._message, id="dialog-body", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self._confirm_label} (y)", id="confirm", variant="primary")
                yield Button("Cancel (n)", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Confirm or cancel."""
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        """Confirm."""
        self.dismiss(True)


@dataclass(frozen=True)
class KeyHelp:
    """One line of the help: the keys, what they do, whether they act now."""

    keys: str
    description: str
    enabled: bool


def key_help(screen: Screen) -> list[KeyHelp]:
    """The active bindings of ``screen`` (focused widget, screen, app), grouped by action.

    Aliases of one action (``:`` and ``ctrl+p``) share a line; hidden bindings are
    listed too, since the footer only shows the main keys, and so are the screen's keys
    that cannot act now (marked as such).
    """
    groups: dict[tuple[int, str], list] = {}
    for key, active in screen.active_bindings.items():
        action = active.binding.action
        entry = groups.setdefault((id(active.node), action), [[], active])
        entry[0].append(
            screen.app.get_key_display(replace(active.binding, key_display=None)) or key
        )
    lines = [
        KeyHelp(
            ", ".join(dict.fromkeys(keys)),
            active.binding.description or action_name,
            active.enabled,
        )
        for (_, action_name), (keys, active) in groups.items()
    ]
    listed = {action for _, action in groups}
    hidden: dict[str, tuple[str, list[str]]] = {}  # keys hidden until they can act
    for binding in Binding.make_bindings(type(screen).BINDINGS):
        if binding.action not in listed and binding.description:
            display = screen.app.get_key_display(replace(binding, key_display=None))
            hidden.setdefault(binding.action, (binding.description, []))[1].append(display)
    lines += [KeyHelp(", ".join(keys), text, False) for text, keys in hidden.values()]
    return sorted(lines, key=lambda line: line.description.casefold())


class HelpDialog(Dialog):
    """The keys of the current screen, generated from its bindings."""

    def __init__(self, title: str, lines: list[KeyHelp]) -> None:
        super().__init__(classes="help")
        self._title = title
        self._lines = lines

    def compose(self) -> ComposeResult:
        """A table of key, action and state."""
        with Vertical(id="dialog"):
            yield Label(f"Keys: {self._title}", id="dialog-title")
            table = KeyTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_column("key", key="key")
            table.add_column("action", key="action")
            table.add_column("now", key="now")
            for line in self._lines:
                table.add_row(line.keys, line.description, "" if line.enabled else "(not now)")
            yield table
            yield Label("esc closes", id="dialog-note")


class RowsDialog(Dialog):
    """A read-only table of ``frame`` under a title (e.g. a person-week's allocations)."""

    def __init__(self, title: str, frame: pl.DataFrame, note: str = "") -> None:
        super().__init__(classes="rows")
        self._title = title
        self._frame = frame
        self._note = note

    def compose(self) -> ComposeResult:
        """Title, table and a note."""
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            table = KeyTable(id="rows-table", cursor_type="row")
            for column in self._frame.columns:
                table.add_column(column, key=column)
            table.add_rows(
                ["" if value is None else str(value) for value in row]
                for row in self._frame.iter_rows()
            )
            yield table
            yield Label(self._note or "esc closes", id="dialog-note")


class TextDialog(Dialog):
    """Read-only text under a title (e.g. a person's detail), scrolling when it is long."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="rows")
        self._title = title
        self._text = text

    def compose(self) -> ComposeResult:
        """Title, the text (scrollable) and a note."""
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            with VerticalScroll(id="dialog-text"):
                yield Static(self._text, id="dialog-body", markup=False)
            yield Label("esc closes · ↑/↓ scroll", id="dialog-note")


class AskDialog(ModalScreen[Any]):
    """Base of the dialogs that ask: ``esc`` cancels (None), ``ctrl+s`` applies."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", id="cancel"),
        Binding("ctrl+s", "apply", "Apply", id="apply"),
    ]

    def buttons(self, confirm_label: str) -> ComposeResult:
        """The complaint line and the two buttons."""
        yield Label("", id="dialog-note")
        with Horizontal(id="dialog-buttons"):
            yield Button(f"{confirm_label} (ctrl+s)", id="apply", variant="primary")
            yield Button("Cancel (esc)", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Apply or cancel."""
        event.stop()
        if event.button.id == "apply":
            self.action_apply()
        else:
            self.action_close()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field applies."""
        event.stop()
        self.action_apply()

    def complain(self, text: str, field_id: str | None = None) -> None:
        """Say what is wrong under the fields (and put the cursor in ``field_id``)."""
        self.query_one("#dialog-note", Label).update(f"✖ {text}")
        if field_id:
            self.query_one(field_id).focus()

    def action_apply(self) -> None:
        """Dismiss with the answer (subclasses)."""

    def action_close(self) -> None:
        """Cancel: nothing is changed."""
        self.dismiss(None)
