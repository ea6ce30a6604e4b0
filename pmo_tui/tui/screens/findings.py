"""Findings screen: audit findings (project, rule, severity, owner, due, status, age).

Filters: ``/`` text, severity, status. ``enter`` opens a finding's detail
(description, corrective action, evidence, history, repeat links); ``c``
changes its status through a dialog offering only the statuses the lifecycle
allows next, with a required reason. Reads run in thread workers on their own
read-only connections; the status change runs in a worker through
:func:`pmo_tui.governance.findings.set_finding_status` (one transaction), and a
refusal comes back as an error dialog. Without findings an empty state shows.
``e`` exports the findings the filters keep.
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

from pmo_tui.tui.screens.base import ExportRequest, PmoScreen, export_binding
from pmo_tui.tui.widgets.tables import KeyTable

if TYPE_CHECKING:
    import polars as pl

    from pmo_tui.governance.findings import FindingDetail

FINDING_LABELS = ("id", "project", "severity", "status", "due", "age (days)", "rule", "owner")
EMPTY_STATE = (
    "No audit findings yet.\n\n"
    "Findings appear here once audits are recorded (`pmo-tui audit --all`): project, rule, "
    "severity, owner, due date, status and age. Filter them with / (text), severity and status."
)


class FindingsLoaded(Message):
    """The worker read the findings."""

    def __init__(self, findings: pl.DataFrame) -> None:
        super().__init__()
        self.findings = findings


class DetailLoaded(Message):
    """The worker read one finding's detail; ``then_change`` opens the status dialog next."""

    def __init__(self, detail: FindingDetail, then_change: bool) -> None:
        super().__init__()
        self.detail = detail
        self.then_change = then_change


class StatusChanged(Message):
    """The worker changed a finding's status."""

    def __init__(self, outcome: dict) -> None:
        super().__init__()
        self.outcome = outcome


class FindingsScreen(PmoScreen):
    """Audit findings with text, severity and status filters."""

    MODE = "findings"
    CSS_PATH = "findings.tcss"
    AUTO_FOCUS = "#findings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_detail", "Detail", id="detail"),
        Binding("c", "change_status", "Change status", id="change-status"),
        Binding("slash", "filter", "Filter", id="filter"),
        export_binding(),
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

    def filtered_view(self, findings: pl.DataFrame) -> pl.DataFrame:
        """The findings the filters keep, as the table shows them."""
        from pmo_tui.tui.findings_views import findings_view

        return findings_view(
            findings,
            self.pmo_app.today,
            text=self.query_one("#text-filter", Input).value,
            severity=_selected(self.query_one("#severity", Select)),
            status=_selected(self.query_one("#status-filter", Select)),
        )

    def export_request(self) -> ExportRequest | None:
        """The findings the filters keep, in the table's order, with every column."""
        if self.findings is None:
            return None
        from pmo_tui.tui.findings_views import findings_sheet

        findings, view = self.findings, self.filtered_view(self.findings)
        return "findings", lambda: [findings_sheet(findings, view)]

    def render_findings(self) -> None:
        """Fill the table with the filtered findings, or show the empty state."""
        if self.findings is None:
            return
        view = self.filtered_view(self.findings)
        table = self.query_one("#findings", KeyTable)
        selected = self.selected_finding()
        table.clear()
        for row in view.iter_rows():
            table.add_row(*["" if v is None else str(v) for v in row], key=str(row[0]))
        if selected is not None and str(selected) in view["id"].cast(str).to_list():
            table.move_cursor(row=table.get_row_index(str(selected)))
        self.set_class(self.findings.is_empty(), "-empty")
        self.refresh_bindings()  # detail and status change need a finding under the cursor
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

    def selected_finding(self) -> int | None:
        """The id of the finding under the cursor, None when the table is empty."""
        table = self.query_one("#findings", KeyTable)
        if table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(str(row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Detail and status change need a finding under the cursor."""
        if action == "change_status" and not self.allows("planner"):
            return None
        if action in ("open_detail", "change_status"):
            return self.findings is not None and self.selected_finding() is not None
        return True

    @on(KeyTable.RowSelected, "#findings")
    def _row_selected(self) -> None:
        self.action_open_detail()

    def action_open_detail(self) -> None:
        """Read the finding under the cursor and show its detail."""
        finding_id = self.selected_finding()
        if finding_id is not None:
            self.load_detail(self.db_path, finding_id, False)

    def action_change_status(self) -> None:
        """Read the finding under the cursor and open the status dialog."""
        finding_id = self.selected_finding()
        if finding_id is not None:
            self.load_detail(self.db_path, finding_id, True)

    @work(
        thread=True,
        exclusive=True,
        group="finding-detail",
        exit_on_error=False,
        name="reading the finding",
    )
    def load_detail(self, path: Path, finding_id: int, then_change: bool) -> None:
        """Read one finding's detail in a thread."""
        from pmo_tui.governance.findings import finding_detail
        from pmo_tui.tui.data import connection

        with connection(path) as db:
            self.post_message(DetailLoaded(finding_detail(db, finding_id), then_change))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        """Show the detail, or go straight to the status dialog."""
        from pmo_tui.tui.widgets.finding_dialogs import FindingDialog

        detail = message.detail
        if message.then_change:
            self.open_status_dialog(detail)
            return

        def after(change: bool | None) -> None:
            if change:
                self.open_status_dialog(detail)

        self.app.push_screen(FindingDialog(detail), after)

    def open_status_dialog(self, detail: FindingDetail) -> None:
        """Offer the allowed next statuses; apply the choice in a worker."""
        from pmo_tui.tui.widgets.finding_dialogs import StatusDialog

        record = detail.record
        allowed = tuple(record["next_statuses"])
        if not allowed:
            self.notify(
                f"Finding {record['id']} is {record['status']}: it is final.", severity="warning"
            )
            return

        def after(change: dict | None) -> None:
            if change:
                self.change_status(self.db_path, record["id"], change)

        self.app.push_screen(StatusDialog(record["id"], record["status"], allowed), after)

    @work(
        thread=True,
        exclusive=True,
        group="finding-status",
        exit_on_error=False,
        name="changing the status",
    )
    def change_status(self, path: Path, finding_id: int, change: dict) -> None:
        """Write the status change (one transaction, history, change log) in a thread."""
        from pmo_tui.governance.findings import set_finding_status
        from pmo_tui.tui.data import writable_connection

        with writable_connection(path) as db:
            outcome = set_finding_status(
                db,
                finding_id,
                change["status"],
                reason=change["reason"],
                evidence=change["evidence"],
            )
        self.post_message(StatusChanged(outcome))

    def on_status_changed(self, message: StatusChanged) -> None:
        """Say what changed and read the findings again."""
        outcome = message.outcome
        self.pmo_app.data_version += 1
        self.loaded_version = self.pmo_app.data_version
        self.notify(f"Finding {outcome['id']}: {outcome['from']} → {outcome['to']}")
        self.action_reload()

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
