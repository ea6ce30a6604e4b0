"""Dashboard screen (key 6): the board report's figures with terminal charts, and the digest.

Tabs: **Health** (summary, portfolios with trend, delivery confidence by period
as stacked bars), **Watermelons** (green reports the data contradicts, with the
evidence), **Capacity** (demand against capacity per skill and month as a
heatmap, hiring bottlenecks) and **Digest** (the last two weeks). It reads the
same services as ``pmo-tui report`` and ``pmo-tui digest``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Markdown, Static, TabbedContent, TabPane

from pmo_tui.tui.screens.base import ExportRequest, PmoScreen
from pmo_tui.tui.widgets.tables import KeyTable, fill_table

if TYPE_CHECKING:
    from pmo_tui.tui.data import DashboardData

#: Cells of the stacked bars and months of the heatmap shown.
BAR_WIDTH = 40
HEAT_MONTHS = 8


class DashboardLoaded(Message):
    """The worker read the dashboard's figures."""

    def __init__(self, data: DashboardData) -> None:
        super().__init__()
        self.data = data


class DashboardScreen(PmoScreen):
    """Portfolio health, watermelons, capacity outlook and the digest."""

    MODE = "dashboard"
    CSS_PATH = "dashboard.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "tab('health')", "Health", id="tab-health"),
        Binding("w", "tab('watermelons')", "Watermelons", id="tab-watermelons"),
        Binding("c", "tab('capacity')", "Capacity", id="tab-capacity"),
        Binding("d", "tab('digest')", "Digest", id="tab-digest"),
        # e is left out of the footer: with it, "q Quit" no longer fits 80 columns
        Binding("e", "export", "Export", show=False, id="export"),
        Binding("r,f5", "reload", "Reload", key_display="r", show=False, id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: DashboardData | None = None

    def compose(self) -> ComposeResult:
        """Navigation, summary line, four tabs, footer."""
        yield self.nav_bar()
        yield Static("Reading the portfolio…", id="summary", classes="status-line")
        with TabbedContent(id="tabs"):
            with TabPane("Health", id="health"), VerticalScroll():
                yield KeyTable(id="portfolios", cursor_type="row")
                yield Static("", id="periods")
            with TabPane("Watermelons", id="watermelons"):
                yield KeyTable(id="flags", cursor_type="row")
            with TabPane("Capacity", id="capacity"), VerticalScroll():
                yield Static("", id="heatmap")
                yield KeyTable(id="bottlenecks", cursor_type="row")
            with TabPane("Digest", id="digest"), VerticalScroll():
                yield Markdown("", id="digest-text")
        yield Footer()

    def on_mount(self) -> None:
        """Read once the frame is painted."""
        self.load_after_paint()

    @work(thread=True, exclusive=True, group="dashboard-load", exit_on_error=False,
          name="reading the dashboard")  # fmt: skip
    def load(self, path: Path) -> None:
        """Read the figures in a thread (its own connection) and post them back."""
        from pmo_tui.tui.data import load_dashboard

        self.post_message(DashboardLoaded(load_dashboard(path, self.pmo_app.today)))

    def on_dashboard_loaded(self, message: DashboardLoaded) -> None:
        """Render every tab."""
        from pmo_tui.tui.dashboard_views import portfolio_rows, summary_text

        self.data = message.data
        board = message.data.board
        self.query_one("#summary", Static).update(summary_text(board))
        fill_table(self.query_one("#portfolios", KeyTable), portfolio_rows(board))
        self.query_one("#periods", Static).update(self._periods())
        fill_table(
            self.query_one("#flags", KeyTable),
            board.watermelons.select("project_id", "kind", "evidence"),
        )
        self.query_one("#heatmap", Static).update(self._heatmap())
        fill_table(self.query_one("#bottlenecks", KeyTable), board.bottlenecks)
        self.query_one("#digest-text", Markdown).update(message.data.digest)

    def _periods(self) -> Text:
        from pmo_tui.tui.dashboard_views import period_bars

        assert self.data is not None
        text = Text("Status by period\n", style="bold")
        for period, segments, counts in period_bars(
            self.data.board.confidence_by_period, BAR_WIDTH
        ):
            text.append(f"{period:>8} ")
            for glyphs, style in segments:
                text.append(glyphs, style=style)
            text.append(f" {counts}\n")
        return text

    def _heatmap(self) -> Text:
        from pmo_tui.tui.dashboard_views import LOAD_BANDS, heat_rows

        assert self.data is not None
        months, rows = heat_rows(self.data.board.heatmap, HEAT_MONTHS)
        if not rows:
            return Text("No capacity data (no people in the pool).")
        width = max(len(skill) for skill, _ in rows)
        text = Text("Demand / capacity by skill and month\n", style="bold")
        text.append(" " * (width + 1) + " ".join(m[2:] for m in months) + "\n", style="dim")
        for skill, cells in rows:
            text.append(f"{skill:<{width}} ")
            text.append(" ".join(cells[i : i + 3] for i in range(0, len(cells), 3)) + "\n")
        bands = "  ".join(
            f"{glyph} <{bound:g} %" if bound != float("inf") else f"{glyph} ≥100 %"
            for bound, glyph in LOAD_BANDS
        )
        text.append(bands, style="dim")
        return text

    def export_request(self) -> ExportRequest | None:
        """The dashboard's tables as numbers: portfolios, confidence by period, watermelons,
        load per skill and month, bottlenecks (None until read)."""
        if self.data is None:
            return None
        from pmo_tui.reporting.export import dashboard_sheets

        board = self.data.board
        return "dashboard", lambda: dashboard_sheets(board)

    def action_tab(self, tab: str) -> None:
        """Show the tab ``tab``."""
        self.query_one("#tabs", TabbedContent).active = tab

    def action_reload(self) -> None:
        """Read the store again."""
        self.load(self.db_path)

    def focus_main(self) -> None:
        """Focus the portfolio table."""
        self.query_one("#portfolios", KeyTable).focus()
