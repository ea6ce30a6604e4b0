"""The plan screen's Moves tab: a row per person, their moves unfolded, the highlighted one in full.

The rows and texts come from :mod:`pmo_tui.tui.plan_views` (textual-free); this
widget owns the table, the line under it and the keys: ``space`` or ``enter`` on
a person unfolds (or folds) their moves, ``enter`` on a move shows all its fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from pmo_tui.tui.widgets.dialogs import RowsDialog
from pmo_tui.tui.widgets.tables import KeyTable, cell_text, fitted_widths

if TYPE_CHECKING:
    import polars as pl


class MovesPane(Vertical):
    """The moves of a plan grouped by person, with the highlighted row told in full below."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "fold", "Weeks", show=False, id="fold-move"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The plan's moves (:func:`pmo_tui.reporting.plan.person_moves` with a ``move`` index).
        self.moves: pl.DataFrame | None = None
        #: Person ids whose moves are unfolded.
        self.expanded: set[str] = set()

    def compose(self) -> ComposeResult:
        """The table and the line under it."""
        yield KeyTable(id="moves", cursor_type="row")
        yield Static("", id="move-detail", markup=False)

    @property
    def table(self) -> KeyTable:
        """The moves table."""
        return self.query_one("#moves", KeyTable)

    def show(self, moves: pl.DataFrame | None) -> None:
        """Show ``moves`` (None: no plan), every person folded."""
        self.moves = moves
        self.expanded = set()
        self.render_moves()

    def render_moves(self) -> None:
        """Fill the table: a row per person, their moves under the unfolded ones."""
        from pmo_tui.tui.plan_views import TREE_COLUMNS, moves_tree

        table = self.table
        current = row_key(table)
        table.clear(columns=True)
        if self.moves is not None:
            rows = [
                (key, [cell_text(cell) for cell in cells])
                for key, *cells in moves_tree(self.moves, self.expanded)
            ]
            labels = TREE_COLUMNS[1:]
            widths = fitted_widths(labels, [cells for _, cells in rows])
            for label, width in zip(labels, widths, strict=True):
                table.add_column(label, key=label, width=width)
            for key, cells in rows:
                table.add_row(*cells, key=key)
            if current is not None and current in table.rows:
                table.move_cursor(row=table.get_row_index(current), animate=False)
        self.show_detail()

    def show_detail(self) -> None:
        """Tell the highlighted row in full under the table."""
        from pmo_tui.tui.plan_views import move_detail

        key = row_key(self.table)
        text = "" if key is None or self.moves is None else move_detail(self.moves, key)
        self.query_one("#move-detail", Static).update(text)

    def action_fold(self) -> None:
        """Show or hide the weeks of the highlighted person's moves."""
        from pmo_tui.tui.plan_views import PERSON_KEY

        key = row_key(self.table)
        if key is None or self.moves is None:
            return
        is_person = key.startswith(PERSON_KEY)
        person_id = key.removeprefix(PERSON_KEY) if is_person else self.moves["person_id"][int(key)]
        self.expanded ^= {person_id}
        self.render_moves()
        self.table.move_cursor(row=self.table.get_row_index(PERSON_KEY + person_id), animate=False)

    @on(DataTable.RowHighlighted, "#moves")
    def _highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected, "#moves")
    def _selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a person folds; on a move it shows every field of the move."""
        event.stop()
        key = row_key(self.table)
        if key is None or self.moves is None:
            return
        if not key.isdigit():
            self.action_fold()
            return
        import polars as pl

        move = self.moves.row(int(key), named=True)
        fields = pl.DataFrame(
            {"field": list(move), "value": ["" if v is None else str(v) for v in move.values()]}
        )
        self.app.push_screen(RowsDialog(f"move of {move['person']}", fields))


def row_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, None when the table is empty."""
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
