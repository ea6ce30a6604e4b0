"""Portfolio screen: the portfolio > program > project tree with roll-ups and a detail pane.

Rows show phase, RAG status (glyph and word), priority, dates, demand against
allocated hours and over-allocated people; portfolios and programs carry the
roll-ups of :func:`pmo_tui.domain.portfolio.portfolio_nodes`. ``/`` filters by name,
manager or status; ``space`` (or enter) folds a portfolio or program; ``e`` exports
the rows the filter keeps. The name column stays in view while ``l``/``h`` scroll
the others (phase, start, finish at 80 columns); from 120 columns every column
shows, with the detail below the tree (beside it from 160 columns).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Static

from pmo_tui.errors import OverridableError, UserError
from pmo_tui.tui.screens.base import ExportRequest, export_binding
from pmo_tui.tui.screens.editing import EditingScreen
from pmo_tui.tui.widgets.tables import ColumnTable, KeyTable

if TYPE_CHECKING:
    import polars as pl


class PortfolioLoaded(Message):
    """The worker read the portfolio tree."""

    def __init__(self, nodes: pl.DataFrame) -> None:
        super().__init__()
        self.nodes = nodes


class ProjectLogLoaded(Message):
    """The worker read a project's status history or RAID log."""

    def __init__(self, project_id: str, which: str, frame: pl.DataFrame) -> None:
        super().__init__()
        self.project_id = project_id
        self.which = which
        self.frame = frame


class ProjectPreviewed(Message):
    """The worker checked a project's changes: its row ``before`` and ``after`` them."""

    def __init__(self, project: dict, changes: dict[str, str], before: dict, after: dict) -> None:
        super().__init__()
        self.project, self.changes, self.before, self.after = project, changes, before, after


class ProjectRejected(Message):
    """The worker found a bad value among a project's changes: ``problem`` says which."""

    def __init__(self, project: dict, changes: dict[str, str], problem: UserError) -> None:
        super().__init__()
        self.project, self.changes, self.problem = project, changes, problem


class PortfolioScreen(EditingScreen):
    """Portfolio > program > project tree, filter and detail pane."""

    MODE = "portfolio"
    CSS_PATH = "portfolio.tcss"
    AUTO_FOCUS = "#tree"
    #: Every column fits from 120 columns on, the detail below the tree; beside it from 160.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide"), (160, "-widest")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("c", "edit_project", "Edit", id="edit-project"),
        Binding("space", "fold", "Fold", show=False, id="fold"),
        Binding("i", "toggle_detail", "Details", id="details"),
        Binding("s", "project_log('status')", "Status log", id="status-history"),
        Binding("R", "project_log('raid')", "RAID", id="raid-log"),
        export_binding(),
        Binding("r,f5", "reload", "Reload", key_display="r", show=False, id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.nodes: pl.DataFrame | None = None
        self.collapsed: set[str] = set()
        self.shown: pl.DataFrame | None = None

    def compose(self) -> ComposeResult:
        """Navigation, filter, tree table, detail pane, footer."""
        yield self.nav_bar()
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield Input(
                    placeholder="filter: name, manager or status (esc to leave)",
                    id="filter",
                    classes="filter-bar",
                )
                yield ColumnTable(id="tree", cursor_type="row", fixed_columns=1)
                yield Static("Loading the portfolio…", id="status", classes="status-line")
            yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        """Set up the columns and read once the frame is painted."""
        table = self.query_one("#tree", KeyTable)
        for label in SHOWN_COLUMNS:
            table.add_column(label, key=label)
        self.load_after_paint()

    @work(
        thread=True,
        exclusive=True,
        group="portfolio-load",
        exit_on_error=False,
        name="reading the portfolio",
    )
    def load(self, path: Path) -> None:
        """Read the tree in a thread (its own connection) and post it back."""
        from pmo_tui.tui.data import load_portfolio

        self.post_message(PortfolioLoaded(load_portfolio(path, self.pmo_app.window)))

    def on_portfolio_loaded(self, message: PortfolioLoaded) -> None:
        """Keep the tree and show it."""
        self.nodes = message.nodes
        self.render_tree()

    def render_tree(self) -> None:
        """Fill the table with the filtered, unfolded nodes, keeping the cursor's node."""
        if self.nodes is None:
            return
        import polars as pl

        from pmo_tui.domain.portfolio import filter_nodes, tree_cells, visible_nodes

        table = self.query_one("#tree", KeyTable)
        current = self.current_node_id()
        matched = filter_nodes(self.nodes, self.query_one("#filter", Input).value)
        self.shown = visible_nodes(matched, self.collapsed)
        table.clear()
        for node in self.shown.iter_rows(named=True):
            cells = tree_cells(node, node["node_id"] in self.collapsed)
            table.add_row(*_aligned(cells), key=node["node_id"])
        if current is not None and current in self.shown["node_id"].to_list():
            table.move_cursor(row=table.get_row_index(current), animate=False)
        projects = matched.filter(pl.col("level") == "project").height
        self.query_one("#status", Static).update(
            f"{projects} projects shown of {self.nodes.filter(pl.col('level') == 'project').height}"
        )
        self.show_detail()

    def current_node_id(self) -> str | None:
        """The node id under the cursor, if any."""
        table = self.query_one("#tree", KeyTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def current_node(self) -> dict | None:
        """The row of the node under the cursor."""
        node_id = self.current_node_id()
        if node_id is None or self.shown is None:
            return None
        import polars as pl

        return self.shown.filter(pl.col("node_id") == node_id).row(0, named=True)

    def show_detail(self) -> None:
        """Fill the detail pane with the selected node's summary or roll-ups."""
        node = self.current_node()
        if node is None:
            lines = []
        else:
            from pmo_tui.domain.portfolio import node_summary

            lines = node_summary(node)
        self.query_one("#detail", Static).update(_detail_renderable(lines, self.has_class("-wide")))

    def on_resize(self) -> None:
        """The detail's layout follows the width (two columns below the tree)."""
        self.show_detail()

    @on(DataTable.RowHighlighted, "#tree")
    def _row_highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected, "#tree")
    def _row_selected(self) -> None:
        self.action_fold()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.render_tree()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.focus_main()

    def action_filter(self) -> None:
        """Show and focus the filter field."""
        field = self.query_one("#filter", Input)
        field.add_class("-shown")
        field.focus()

    def action_fold(self) -> None:
        """Fold or unfold the portfolio or program under the cursor."""
        node = self.current_node()
        if node is None or node["level"] == "project":
            return
        self.collapsed ^= {node["node_id"]}
        self.render_tree()

    def action_project_log(self, which: str) -> None:
        """Open the status history (``status``) or RAID log (``raid``) of the project under
        the cursor."""
        node = self.current_node()
        if node is None or node["level"] != "project":
            self.notify("Select a project first.", severity="warning")
            return
        self.load_project_log(self.db_path, node["entity_id"], which)

    @work(thread=True, exclusive=True, group="project-log", exit_on_error=False,
          name="reading the project's log")  # fmt: skip
    def load_project_log(self, path: Path, project_id: str, which: str) -> None:
        """Read the project's status history and RAID log in a thread; post the one asked for."""
        from pmo_tui.tui.data import load_project_log

        history, raid = load_project_log(path, project_id)
        self.post_message(
            ProjectLogLoaded(project_id, which, history if which == "status" else raid)
        )

    def on_project_log_loaded(self, message: ProjectLogLoaded) -> None:
        """Show the rows in a dialog."""
        from pmo_tui.tui.widgets.dialogs import RowsDialog

        if message.which == "status":
            title = f"Status history of {message.project_id} (newest first)"
            frame = message.frame.select(
                "reported_on", "overall", "schedule", "cost", "scope", "resources", "risk",
                "percent_complete", "summary", "key_risks", "decisions_needed",
            )  # fmt: skip
        else:
            title = f"RAID log of {message.project_id} (open first, risks by score)"
            frame = message.frame.select(
                "id", "kind", "title", "owner", "due", "score", "state", "raised_on", "closed_on"
            )
        note = "esc closes" if frame.height else "Nothing recorded yet. esc closes"
        self.app.push_screen(RowsDialog(title, frame, note))

    def action_edit_project(self) -> None:
        """Edit the selected project's RAG status, phase, priority and dates (a viewer is
        told why not)."""
        node = self.current_node()
        if node is None or node["level"] != "project":
            self.notify("Select a project first.", severity="warning")
            return
        if not self.may_edit():
            return
        self.open_project_dialog({**node, "id": node["entity_id"]})

    def open_project_dialog(
        self,
        project: dict,
        typed: dict[str, str] | None = None,
        problem: UserError | None = None,
    ) -> None:
        """Ask for the project's new values (``typed`` and ``problem``: what the user typed
        before and what was wrong with it, shown again to be corrected)."""
        from pmo_tui.editing.fields import column_choices
        from pmo_tui.tui.widgets.edit_dialogs import ProjectDialog

        choices = {column: column_choices("projects", column) for column in ("rag", "phase")}

        def answer(changes: dict[str, str] | None) -> None:
            if changes:
                self.preview_project(self.db_path, project, changes)

        self.app.push_screen(ProjectDialog(project, choices, typed, problem), answer)

    @work(thread=True, exclusive=True, group="project-edit", exit_on_error=False,
          name="checking the project's changes")  # fmt: skip
    def preview_project(self, path: Path, project: dict, changes: dict[str, str]) -> None:
        """Check the changes as the editing service will (a bad value fails the worker: an
        error dialog) and post the project before and after them."""
        from pmo_tui.editing.projects import project_changes
        from pmo_tui.tui.data import connection

        with connection(path) as db:
            try:
                before, after = project_changes(db, project["id"], changes)
            except OverridableError:
                raise
            except UserError as problem:  # a bad value: the dialog again, as typed
                self.post_message(ProjectRejected(project, changes, problem))
                return
        self.post_message(ProjectPreviewed(project, changes, before, after))

    def on_project_rejected(self, message: ProjectRejected) -> None:
        """Open the dialog again with the values as typed and what is wrong."""
        self.open_project_dialog(message.project, message.changes, message.problem)

    def on_project_previewed(self, message: ProjectPreviewed) -> None:
        """State the change (before -> after) and write it when confirmed."""
        from pmo_tui.tui.edits import project_edit

        self.confirm_edit(
            project_edit(message.project, message.changes, message.before, message.after)
        )

    def action_toggle_detail(self) -> None:
        """Show or hide the detail pane (hidden by default below 120 columns)."""
        self.toggle_class("-detail-toggled")

    def export_request(self) -> ExportRequest | None:
        """The rows the filter keeps (folded ones too), with every column of the tree."""
        if self.nodes is None:
            return None
        from pmo_tui.domain.portfolio import filter_nodes
        from pmo_tui.reporting.export import portfolio_sheet

        matched = filter_nodes(self.nodes, self.query_one("#filter", Input).value)
        return "portfolio", lambda: [portfolio_sheet(matched)]

    def action_reload(self) -> None:
        """Read the store again (another user may have changed it)."""
        self.load(self.db_path)

    def escape(self) -> bool:
        """Clear an active filter first."""
        field = self.query_one("#filter", Input)
        if field.value or field.has_class("-shown"):
            field.value = ""
            field.remove_class("-shown")
            self.render_tree()
            return True
        return False

    def focus_main(self) -> None:
        """Focus the tree."""
        self.query_one("#tree", KeyTable).focus()


#: Columns of :data:`TREE_COLUMNS` holding numbers (right-aligned).
NUMBER_COLUMNS = frozenset({"prio", "demand h", "alloc h", "over"})
#: The order the table shows :data:`TREE_COLUMNS` in: what a PMO scans first fits in 80 columns.
SHOWN_COLUMNS = (
    "name",
    "status",
    "prio",
    "demand h",
    "alloc h",
    "over",
    "phase",
    "start",
    "finish",
)


def _aligned(cells: list[str]) -> list[Text]:
    """The cells in :data:`SHOWN_COLUMNS` order, number columns right-aligned (as text,
    never markup: a name like ``[Pilot] CRM`` shows as written)."""
    from pmo_tui.domain.portfolio import TREE_COLUMNS

    by_label = dict(zip(TREE_COLUMNS, cells, strict=True))
    return [
        Text(by_label[label], justify="right" if label in NUMBER_COLUMNS else "left")
        for label in SHOWN_COLUMNS
    ]


def _detail_renderable(lines: list[tuple[str, str]], two_columns: bool) -> Text:
    """The detail lines ``label: value``, one a line, or in two columns side by side."""
    cells = [Text.assemble((label, "bold"), ": ", value) for label, value in lines]
    if not two_columns or not cells:
        return Text("\n").join(cells)
    half = (len(cells) + 1) // 2
    left, right = cells[:half], cells[half:]
    width = max(cell.cell_len for cell in left) + 3
    rows = [
        Text.assemble(first, " " * (width - first.cell_len), second)
        for first, second in zip(left, [*right, Text("")], strict=False)
    ]
    return Text("\n").join(rows)
