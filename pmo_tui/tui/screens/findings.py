"""Findings screen: audit findings (project, rule, severity, owner, due, status, age).

The store has no finding table yet: :func:`pmo_tui.tui.data.read_findings`
returns an empty frame with the right columns, and the screen shows an empty
state until later work adds findings. Filters: ``/`` text, severity, status.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Input, Select, Static

from pmo_tui.tui.screens.base import PmoScreen
from pmo_tui.tui.widgets.tables import KeyTable

if TYPE_CHECKING:
    import polars as pl

FINDING_LABELS = ("id", "project", "rule", "severity", "owner", "due", "status", "age (days)")
EMPTY_STATE = (
    "No audit findings yet.\n\n"
    "Findings appear here once audits are recorded: project, rule, severity, owner, due date, "
    "status and age. Filter them with / (text), severity and status."
)


class FindingsLoaded(Message):
    """The worker read the findings."""

    def __init__(self, findings: pl.DataFrame) -> None:
        super().__init__()
        self.findings = findings


class FindingsScreen(PmoScreen):
    """Audit findings with text, severity and status filters."""

    MODE = "findings"
    CSS_PATH = "findings.tcss"
    AUTO_FOCUS = "#findings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("r,f5", "reload", "Reload", key_display="r", id="reload"),
        Binding("s", "open_select('severity')", "Severity filter", show=False, id="severity"),
        Binding("t", "open_select('status-filter')", "Status filter", show=False, id="status"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.findings: pl.DataFrame | None = None

    def compose(self) -> ComposeResult:
        """Navigation, filters, table or empty state, footer."""
        yield self.nav_bar()
        with Horizontal(id="filters", classes="filter-bar"):
            yield Input(placeholder="/ project, rule or owner", id="text-filter", compact=True)
            yield Select([], prompt="severity: any", id="severity", compact=True)
            yield Select([], prompt="status: any", id="status-filter", compact=True)
        yield Static("Loading findings…", id="status", classes="status-line")
        yield KeyTable(id="findings", cursor_type="row")
        yield Static(EMPTY_STATE, id="empty", classes="empty-state")
        yield Footer()

    def on_mount(self) -> None:
        """Set up the columns and read once the frame is painted."""
        table = self.query_one("#findings", KeyTable)
        for label in FINDING_LABELS:
            table.add_column(label, key=label)
        self.load_after_paint()

    @work(
        thread=True,
        exclusive=True,
        group="findings-load",
        exit_on_error=False,
        name="reading findings",
    )
    def load(self, path: Path) -> None:
        """Read the findings in a thread (its own connection) and post them back."""
        from pmo_tui.tui.data import load_findings

        self.post_message(FindingsLoaded(load_findings(path)))

    def on_findings_loaded(self, message: FindingsLoaded) -> None:
        """Keep the findings, fill the drop-downs, show them."""
        from pmo_tui.tui.capacity_views import choices

        self.findings = message.findings
        self.query_one("#severity", Select).set_options(
            (s, s) for s in choices(self.findings, "severity")
        )
        self.query_one("#status-filter", Select).set_options(
            (s, s) for s in choices(self.findings, "status")
        )
        self.render_findings()

    def render_findings(self) -> None:
        """Fill the table with the filtered findings, or show the empty state."""
        if self.findings is None:
            return
        from pmo_tui.tui.findings_views import findings_view

        view = findings_view(
            self.findings,
            self.pmo_app.today,
            text=self.query_one("#text-filter", Input).value,
            severity=_selected(self.query_one("#severity", Select)),
            status=_selected(self.query_one("#status-filter", Select)),
        )
        table = self.query_one("#findings", KeyTable)
        table.clear()
        table.add_rows(["" if v is None else str(v) for v in row] for row in view.iter_rows())
        self.set_class(self.findings.is_empty(), "-empty")
        self.query_one("#status", Static).update(
            f"{view.height} of {self.findings.height} findings"
        )

    @on(Select.Changed)
    @on(Input.Changed, "#text-filter")
    def _filters_changed(self) -> None:
        self.render_findings()

    @on(Input.Submitted, "#text-filter")
    def _text_submitted(self) -> None:
        self.focus_main()

    def action_filter(self) -> None:
        """Focus the text filter."""
        self.query_one("#text-filter", Input).focus()

    def action_reload(self) -> None:
        """Read the store again."""
        self.load(self.db_path)

    def escape(self) -> bool:
        """Clear the text filter first."""
        field = self.query_one("#text-filter", Input)
        if field.value:
            field.value = ""
            return True
        return False

    def focus_main(self) -> None:
        """Focus the findings table."""
        self.query_one("#findings", KeyTable).focus()


def _selected(select: Select) -> str | None:
    """A drop-down's value, None when nothing is chosen."""
    return None if select.value is Select.NULL else str(select.value)
