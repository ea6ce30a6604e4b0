"""Capacity screen: person x week utilisation heatmap, and project/skill x week demand coverage.

The store is read once in a thread worker; every filter change re-pivots in
another worker (polars) and mounts a new virtualised table (Arrow backend),
so 2,000 people x 52 weeks stay responsive. ``enter`` on a heatmap cell
opens that person-week's bookings by project, where they are changed (hours, pin,
move: :mod:`pmo_tui.tui.screens.bookings`); on a name, the person (skills, working
pattern, leave, availability), where leave is added or removed
(:mod:`pmo_tui.tui.screens.person`); ``e`` exports the grid shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.widgets import Footer, Input, Select, Static
from textual.worker import get_current_worker

from pmo_tui.tui.screens.base import ExportRequest, export_binding
from pmo_tui.tui.screens.bookings import BookingEdits
from pmo_tui.tui.screens.person import PersonEdits

if TYPE_CHECKING:
    import polars as pl

    from pmo_tui.tui.data import CapacityData


@dataclass(frozen=True)
class GridFilters:
    """What the user chose: the view, the drop-downs, the name filter, the toggle."""

    view: str = "people"  # "people" (utilisation heatmap) or "demand" (coverage grid)
    skill: str | None = None
    unit: str | None = None
    region: str | None = None
    text: str = ""
    only_problems: bool = False  # people: over-allocated only; demand: unmet only


class CapacityLoaded(Message):
    """The worker read the capacity tables."""

    def __init__(self, data: CapacityData) -> None:
        super().__init__()
        self.data = data


class GridReady(Message):
    """A worker pivoted the grid for ``filters``."""

    def __init__(self, filters: GridFilters, frame: pl.DataFrame) -> None:
        super().__init__()
        self.filters = filters
        self.frame = frame


def build_grid(data: CapacityData, filters: GridFilters) -> pl.DataFrame:
    """The heatmap or demand grid for ``filters`` (pure polars, runs in a worker)."""
    from pmo_tui.tui.capacity_views import demand_grid, filter_people, heatmap

    if filters.view == "demand":
        return demand_grid(
            data.coverage, skill=filters.skill, text=filters.text, unmet_only=filters.only_problems
        )
    people = filter_people(
        data.people,
        data.person_skills,
        skill=filters.skill,
        unit=filters.unit,
        region=filters.region,
        text=filters.text,
    )
    return heatmap(data.utilisation, people, over_only=filters.only_problems)


def grid_labels(frame: pl.DataFrame, key_columns: int) -> list[str]:
    """Column labels: the key columns as named, week columns (ISO dates) as ``2026-W50``."""
    from pmo_tui.tui.capacity_views import week_label

    labels = [name.replace("_id", "").replace("_", " ") for name in frame.columns[:key_columns]]
    return labels + [
        week_label(dt.date.fromisoformat(name)) for name in frame.columns[key_columns:]
    ]


class CapacityScreen(BookingEdits, PersonEdits):
    """Utilisation heatmap and demand coverage, with filters, drill-down and booking edits."""

    MODE = "capacity"
    CSS_PATH = "capacity.tcss"
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("v", "switch_view", "View", id="view"),
        Binding("o", "only_problems", "Over/unmet only", id="only-problems"),
        Binding("enter", "drill", "Drill down", priority=True, id="drill"),
        export_binding(),
        Binding("s", "open_select('skill')", "Skill filter", show=False, id="skill"),
        Binding("u", "open_select('unit')", "Unit filter", show=False, id="unit"),
        Binding("w", "open_select('region')", "Region filter", show=False, id="region"),
        Binding("r,f5", "reload", "Reload", key_display="r", show=False, id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: CapacityData | None = None
        self.filters = GridFilters()
        self.frame: pl.DataFrame | None = None
        #: The filters of the grid shown (a re-read of the same grid keeps the cursor's cell).
        self.shown_filters: GridFilters | None = None

    def compose(self) -> ComposeResult:
        """Navigation, filters, status line, grid, footer."""
        yield self.nav_bar()
        with Horizontal(id="filters", classes="filter-bar"):
            yield Input(placeholder="/ name", id="text-filter", compact=True)
            yield Select([], prompt="skill: any", id="skill", compact=True)
            yield Select([], prompt="unit: any", id="unit", compact=True)
            yield Select([], prompt="region: any", id="region", compact=True)
        yield Static("Loading capacity…", id="status", classes="status-line")
        yield Container(id="grid-holder")
        yield Footer()

    def on_mount(self) -> None:
        """Read once the frame is painted."""
        self.load_after_paint()

    @work(
        thread=True,
        exclusive=True,
        group="capacity-load",
        exit_on_error=False,
        name="reading capacity",
    )
    def load(self, path: Path) -> None:
        """Read the capacity tables in a thread (its own connection) and post them back."""
        from pmo_tui.tui.data import load_capacity

        self.post_message(CapacityLoaded(load_capacity(path, self.pmo_app.window)))

    def on_capacity_loaded(self, message: CapacityLoaded) -> None:
        """Fill the drop-downs and pivot the first grid."""
        from pmo_tui.tui.capacity_views import choices

        self.data = message.data
        skills = choices(self.data.person_skills, "skill_id")
        self.query_one("#skill", Select).set_options((s, s) for s in skills)
        self.query_one("#unit", Select).set_options(
            (u, u) for u in choices(self.data.people, "unit")
        )
        self.query_one("#region", Select).set_options(
            (r, r) for r in choices(self.data.people, "region")
        )
        self.refresh_grid()
        self.refresh_bookings()

    def refresh_grid(self) -> None:
        """Pivot the grid for the current filters in a worker."""
        if self.data is not None:
            self.pivot(self.data, self.filters)

    @work(
        thread=True,
        exclusive=True,
        group="capacity-grid",
        exit_on_error=False,
        name="filtering capacity",
    )
    def pivot(self, data: CapacityData, filters: GridFilters) -> None:
        """Filter and pivot in polars off the UI thread; stale results are dropped."""
        frame = build_grid(data, filters)
        if not get_current_worker().is_cancelled:
            self.post_message(GridReady(filters, frame))

    async def on_grid_ready(self, message: GridReady) -> None:
        """Mount a fresh virtualised table for the new grid."""
        if message.filters != self.filters:
            return
        self.frame = message.frame
        holder = self.query_one("#grid-holder", Container)
        had_focus = _is_grid(self.focused) or self.focused is None
        from pmo_tui.tui.widgets.grid import GridTable, grid_table

        old = self.query("#grid").only_one(GridTable) if self.query("#grid") else None
        same_grid = old is not None and self.shown_filters == message.filters
        kept = old.cursor_coordinate if old is not None and same_grid else None
        self.shown_filters = message.filters
        await holder.remove_children()
        key_columns = 3 if self.filters.view == "demand" else 1
        shown = message.frame if self.filters.view == "demand" else message.frame.drop("person_id")

        table = grid_table(
            shown, grid_labels(shown, key_columns), table_id="grid", fixed_columns=key_columns
        )
        await holder.mount(table)
        current = self.pmo_app.window.current_week.isoformat()
        if kept is not None:  # the same grid read again (after an edit): stay on the cell
            table.move_cursor(row=kept.row, column=kept.column, animate=False)
        elif current in shown.columns[key_columns + 1 :]:  # history shown: open on this week
            table.move_cursor(column=shown.columns.index(current), animate=False)
        if had_focus:
            table.focus()
        self.update_status()

    def update_status(self) -> None:
        """Say what the grid shows and which filters are on."""
        if self.frame is None:
            return
        from pmo_tui.tui.capacity_views import week_label

        view = self.filters.view
        what = "people" if view == "people" else "demand rows"
        toggle = (
            ("over only" if view == "people" else "unmet only")
            if self.filters.only_problems
            else "all"
        )
        from pmo_tui.tui.capacity_views import HEAT_LEGEND

        legend = HEAT_LEGEND if view == "people" else "covered/demand h ✔ all ◐ part ✖ none"
        window = self.pmo_app.window
        history = (
            f"  history before {week_label(window.current_week)}"
            if window.first < window.current_week
            else ""
        )
        self.query_one("#status", Static).update(
            f"{self.frame.height} {what} ({toggle})  {legend}{history}"
        )

    def set_filters(self, **changes: Any) -> None:
        """Change some filters and re-pivot."""
        self.filters = replace(self.filters, **changes)
        self.refresh_grid()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.NULL else str(event.value)
        self.set_filters(**{str(event.select.id): value})

    @on(Input.Changed, "#text-filter")
    def _text_changed(self, event: Input.Changed) -> None:
        self.set_filters(text=event.value)

    @on(Input.Submitted, "#text-filter")
    def _text_submitted(self) -> None:
        self.focus_main()

    def action_filter(self) -> None:
        """Focus the name filter."""
        self.query_one("#text-filter", Input).focus()

    def action_switch_view(self) -> None:
        """Switch between the utilisation heatmap and the demand coverage grid."""
        self.set_filters(view="demand" if self.filters.view == "people" else "people")
        self.refresh_bindings()

    def action_only_problems(self) -> None:
        """Show only over-allocated people (heatmap) or unmet demand (demand grid)."""
        self.set_filters(only_problems=not self.filters.only_problems)

    def action_reload(self) -> None:
        """Read the store again."""
        self.load(self.db_path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Drill down only from a heatmap cell: elsewhere enter does what the widget does."""
        if action == "drill":
            if not _is_grid(self.focused):
                return False
            return True if self.filters.view == "people" else None
        return True

    def action_drill(self) -> None:
        """Open the person-week's bookings, or on a name the person."""
        target = self.cursor_person_week()
        if target is None or self.data is None:
            return
        person_id, person, week = target
        if week is None:
            self.load_person(self.db_path, person_id)
            return
        self.open_bookings(person_id, person, week)

    def cursor_person_week(self) -> tuple[str, str, dt.date | None] | None:
        """(person id, name, week) of the heatmap cell under the cursor; the week is None on
        the name column; None outside the heatmap."""
        if self.frame is None or self.frame.is_empty() or self.filters.view != "people":
            return None
        from pmo_tui.tui.widgets.grid import GridTable

        row, column = self.query_one("#grid", GridTable).cursor_coordinate
        week_column = column + 1  # the table hides person_id, the frame's first column
        if row >= self.frame.height:
            return None
        name = self.frame["person"][row]
        if week_column < 2:
            return self.frame["person_id"][row], name, None
        return (
            self.frame["person_id"][row],
            name,
            dt.date.fromisoformat(self.frame.columns[week_column]),
        )

    def export_request(self) -> ExportRequest | None:
        """The grid shown, with its filters: utilisation per person or unmet demand per row."""
        data, shown = self.data, self.frame
        if data is None or shown is None:
            return None
        from pmo_tui.tui.capacity_views import shown_demand_sheets, shown_people_sheets

        if self.filters.view == "people":
            return "capacity", lambda: shown_people_sheets(data, shown)
        return "demand", lambda: shown_demand_sheets(data, shown)

    def escape(self) -> bool:
        """Clear the name filter first."""
        field = self.query_one("#text-filter", Input)
        if field.value:
            field.value = ""
            return True
        return False

    def focus_main(self) -> None:
        """Focus the grid."""
        tables = self.query("#grid")
        if tables:
            tables.first().focus()


def _is_grid(widget: object) -> bool:
    """Whether ``widget`` is the capacity grid (by id: the grid module loads on first use)."""
    return getattr(widget, "id", None) == "grid"
