"""What every screen shares: the navigation bar, ``/`` and ``esc``, worker failures, ``e``.

Each screen reads the store in a thread worker and renders what the worker
posts back; :meth:`PmoScreen.on_worker_state_changed` is the one place where a
failed worker becomes an error dialog (never a traceback). A screen that binds
``e`` says what it exports in :meth:`PmoScreen.export_request`; the sheets are
made and written (XLSX, :mod:`pmo_tui.reporting.spreadsheet`) in a worker, and a
notification shows the file's path.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Select, Static
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from pmo_tui.domain.horizon import Window
    from pmo_tui.reporting.sheet import Sheet

#: What a screen exports: the file name's stem, and what makes the sheets (run in a worker).
ExportRequest = tuple[str, Callable[[], "list[Sheet]"]]


class PmoAppState(Protocol):
    """What a screen uses of the running app (:class:`pmo_tui.tui.app.PmoApp` provides it).

    A protocol rather than the app class, so that the screens do not import the app
    that imports them.
    """

    db_path: Path
    today: dt.date
    window: Window
    data_version: int
    plan_defaults: dict[str, str]
    role: str
    role_note: str
    cancel_events: set[threading.Event]
    export_dir: Path

    async def action_back(self) -> None:
        """Go back to the previous screen."""

    def show_error(self, task: str, error: BaseException) -> None:
        """Show ``error`` from ``task`` in a dialog."""


#: Mode name -> label, in number-key order (1-7).
SCREENS: dict[str, str] = {
    "portfolio": "Portfolio",
    "capacity": "Capacity",
    "plan": "Plan",
    "findings": "Findings",
    "scenarios": "Scenarios",
    "dashboard": "Dashboard",
    "history": "History",
}


def nav_markup(current: str, db_name: str, role_note: str = "", width: int | None = None) -> str:
    """The navigation line: numbered screens, the current one in reverse video, why writes
    are disabled (a viewer) and the database.

    Within ``width`` columns (None: no limit), the screens lose their padding when they
    would not fit with it, so that every screen's number and label stay in view; then the
    viewer's note (else "read only") and the database's name follow when they fit whole
    (the notification of a refused edit says why too).
    """
    from textual.markup import escape

    room = width if width is not None else 10**6
    padded = [f" {number} {label} " for number, label in enumerate(SCREENS.values(), start=1)]
    compact = [text.strip() for text in padded]
    current_index = list(SCREENS).index(current) if current in SCREENS else -1
    texts = padded if len("│".join(padded)) <= room else compact
    if current_index >= 0:
        texts[current_index] = padded[current_index]
    room -= len("│".join(texts))
    markup = "│".join(
        f"[reverse b]{text}[/]" if index == current_index else text
        for index, text in enumerate(texts)
    )
    for style, *choices in _nav_tail(role_note, db_name):
        text = next((text for text in choices if len(text) + 2 <= room), None)
        if text is not None:
            markup += f"  [{style}]{escape(text)}[/]"
            room -= len(text) + 2
    return markup


def _nav_tail(role_note: str, db_name: str) -> list[tuple[str, ...]]:
    """What follows the screens, most important first, as (style, text, shorter text...):
    the viewer's note, the database."""
    if not role_note:
        return [("dim", db_name)]
    return [("b", role_note, "read only"), ("dim", db_name)]


def open_select(select: Select) -> None:
    """Focus the drop-down ``select`` and open its list (enter picks, esc closes)."""
    select.focus()
    select.action_show_overlay()


class NavBar(Static):
    """One line naming the screens and their number keys, the current one highlighted; it
    narrows with the terminal (:func:`nav_markup`)."""

    def __init__(self, current: str, db_name: str, role_note: str = "") -> None:
        super().__init__(nav_markup(current, db_name, role_note), id="nav")
        self.shown = (current, db_name, role_note)

    def on_resize(self) -> None:
        """Fit the line to the new width."""
        self.update(nav_markup(*self.shown, width=self.size.width))


class Exported(Message):
    """The export worker wrote ``rows`` rows to ``path``."""

    def __init__(self, path: Path, rows: int) -> None:
        super().__init__()
        self.path, self.rows = path, rows


def export_binding() -> Binding:
    """The ``e`` key of the screens that export their table."""
    return Binding("e", "export", "Export", id="export")


class PmoScreen(Screen):
    """Base screen: navigation bar, filter and escape keys, error dialogs for failed workers."""

    #: The mode this screen is installed as (a key of :data:`SCREENS`).
    MODE: ClassVar[str] = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "escape", "Back", show=False, id="back"),
    ]

    #: The app's :attr:`~pmo_tui.tui.app.PmoApp.data_version` this screen last read.
    loaded_version: int = 0

    @property
    def pmo_app(self) -> PmoAppState:
        """The running :class:`~pmo_tui.tui.app.PmoApp`, as the screens see it."""
        return self.app  # type: ignore[return-value]

    @property
    def db_path(self) -> Path:
        """The database this app works on (each worker opens its own connection)."""
        return self.pmo_app.db_path

    def nav_bar(self) -> NavBar:
        """The navigation bar for this screen."""
        return NavBar(self.MODE, self.db_path.name, self.pmo_app.role_note)

    def allows(self, needed: str) -> bool:
        """True when the account's role allows writes that need ``needed`` (planner, admin);
        a key that writes is shown disabled otherwise, and the nav bar says why."""
        from pmo_tui.store.access import rank

        return rank(self.pmo_app.role) >= rank(needed)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Turn a failed worker into an error dialog; the screen keeps working."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.pmo_app.show_error(event.worker.name or "background task", event.worker.error)

    def on_screen_resume(self) -> None:
        """Read the store again when it was written since this screen read it (an accepted plan)."""
        if self.loaded_version != self.pmo_app.data_version:
            self.loaded_version = self.pmo_app.data_version
            self.action_reload()

    def action_open_select(self, select_id: str) -> None:
        """Focus the drop-down ``select_id`` and open its list (enter picks, esc closes)."""
        open_select(self.query_one(f"#{select_id}", Select))

    def action_reload(self) -> None:
        """Read the store again (screens that read it override this)."""

    def export_request(self) -> ExportRequest | None:
        """What ``e`` exports now (screens with an export override this); None: nothing yet."""
        return None

    def action_export(self) -> None:
        """Write the screen's table, with its filters, to an XLSX file and say where."""
        request = self.export_request()
        if request is None:
            self.notify("Nothing to export yet.", title="Export", severity="warning")
            return
        self.write_export(*request)

    @work(thread=True, group="export", exit_on_error=False, name="exporting the table")
    def write_export(self, stem: str, make_sheets: Callable[[], list[Sheet]]) -> None:
        """Make the sheets and write them next to the earlier exports (never over one)."""
        from pmo_tui.reporting.export import free_path
        from pmo_tui.reporting.spreadsheet import write_sheets

        sheets = make_sheets()
        path = free_path(self.pmo_app.export_dir, f"{stem}-{self.pmo_app.today.isoformat()}.xlsx")
        write_sheets(sheets, "xlsx", path)
        self.post_message(Exported(path, sum(sheet.frame.height for sheet in sheets)))

    def on_exported(self, message: Exported) -> None:
        """Show where the export went."""
        self.notify(f"{message.rows} rows written to {message.path}", title="Exported", timeout=12)

    def load_after_paint(self) -> None:
        """Start the first read once the screen's frame is painted.

        The read worker imports polars and the domain modules: started from
        ``on_mount`` it would compete for the GIL with the first paint.
        """
        self.call_after_refresh(self.action_reload)

    async def action_escape(self) -> None:
        """Leave a text field; else whatever :meth:`escape` does; else go back a screen."""
        if isinstance(self.focused, Input):
            self.focus_main()
            return
        if not self.escape():
            await self.pmo_app.action_back()

    def escape(self) -> bool:
        """Screen-specific escape (clear a filter...); True when it did something."""
        return False

    def focus_main(self) -> None:
        """Focus the screen's main table (screens override)."""
        self.focus_next()
