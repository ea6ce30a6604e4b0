"""Tables with the keys SSH users know (j/k/h/l, g/G).

:class:`KeyTable` is Textual's ``DataTable`` for small tables (the portfolio
tree, KPIs, moves); the virtualised :class:`~pmo_tui.tui.widgets.grid.GridTable`
for the large grids lives in its own module, imported when a grid is first
shown (it brings pyarrow, which the first paint does not need).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual.widgets import DataTable

if TYPE_CHECKING:
    import polars as pl

#: Vim-style aliases shared by both tables (hidden in the footer, listed in help).
VIM_KEYS = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
    Binding("h", "cursor_left", "Left", show=False),
    Binding("l", "cursor_right", "Right", show=False),
]


class KeyTable(DataTable):
    """Textual's DataTable with ``j/k/h/l`` and ``g``/``G`` for top and bottom."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *VIM_KEYS,
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
    ]


class WholeColumns:
    """Horizontal scrolling that shows whole columns only, beside the fixed (key) columns.

    A number cut at either edge would read as another number (``123%`` as ``23%``), so
    a column that does not fit whole is not drawn. Mixed into a table class (Textual's
    ``DataTable`` or textual-fastdatatable's) that says its columns' widths in
    :meth:`column_widths`.
    """

    def column_widths(self) -> list[int]:
        """The rendered width of every column, in order (fixed ones first)."""
        raise NotImplementedError

    def _fixed_width(self: Any) -> int:
        """Cells taken by the fixed (key) columns on the left."""
        return sum(self.column_widths()[: self.fixed_columns])

    def visible_span(self: Any, scroll_x: int, width: int) -> tuple[int, int]:
        """The scrollable cells shown (offsets past the fixed columns): from the first
        column start at or right of ``scroll_x`` to the end of the last column that
        fits whole in ``width``."""
        fixed_width = self._fixed_width()
        start = end = 0
        for column_width in self.column_widths()[self.fixed_columns :]:
            if end < scroll_x:
                start = end = end + column_width
            elif end + column_width - start <= width - fixed_width:
                end += column_width
            else:
                break
        return start, max(end, start)

    def render_line(self: Any, y: int) -> Strip:
        """Render line ``y`` with whole columns only, so no number is cut at either edge
        (nor hidden under the vertical scroll bar)."""
        width, _ = self.size
        scroll_x, scroll_y = self.scroll_offset
        fixed_rows_height = self.fixed_rows + (self.header_height if self.show_header else 0)
        if y >= fixed_rows_height:
            y += scroll_y
        start, end = self.visible_span(scroll_x, self.scrollable_content_region.width)
        line = self._render_line(y, start, start + width, self.rich_style)
        shown = self._fixed_width() + end - start
        return line.crop(0, shown).extend_cell_length(width, self.rich_style)


class ColumnTable(WholeColumns, KeyTable):
    """A :class:`KeyTable` of rows (the portfolio tree) too wide for 80 columns: the fixed
    first column stays, and ``l``/``h`` scroll the others one whole column at a time."""

    def column_widths(self) -> list[int]:
        """The rendered width of every column."""
        return [column.get_render_width(self) for column in self.ordered_columns]

    def action_cursor_right(self) -> None:
        """Scroll right to the next column's start (rows have no cell cursor to move)."""
        self._scroll_to_column(1)

    def action_cursor_left(self) -> None:
        """Scroll left to the previous column's start."""
        self._scroll_to_column(-1)

    def _scroll_to_column(self, direction: int) -> None:
        starts = [0]
        for column_width in self.column_widths()[self.fixed_columns : -1]:
            starts.append(starts[-1] + column_width)
        current = self.visible_span(int(self.scroll_x), self.scrollable_content_region.width)[0]
        after = [x for x in starts if x > current] if direction > 0 else []
        before = [x for x in starts if x < current] if direction < 0 else []
        target = after[0] if after else before[-1] if before else current
        self.scroll_to(x=min(target, self.max_scroll_x), animate=False)


def cell_text(value: object) -> str | Text:
    """A value as table text: numbers right-aligned (floats with one decimal), None as empty,
    text as written (never read as markup: ``[backend-dev]`` stays)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return Text(f"{value:,.1f}", justify="right")
    if isinstance(value, int) and not isinstance(value, bool):
        return Text(str(value), justify="right")
    return Text(str(value))


def fitted_widths(labels: Sequence[str], rows: Iterable[Sequence[str | Text]]) -> list[int]:
    """The width (terminal cells) of each column: its widest cell or label.

    Given to ``add_column(width=...)`` when a table is rebuilt in answer to a key: Textual
    measures auto-width columns only when idle, and a frame painted before that (after
    ``enter``) keeps the label widths, cutting ``2027-W01–W02 (2 w)`` to ``2027-W01–W``.
    """
    widths = [cell_len(label) for label in labels]
    for row in rows:
        for index, cell in enumerate(row):
            shown = cell.cell_len if isinstance(cell, Text) else cell_len(cell)
            widths[index] = max(widths[index], shown)
    return widths


def fill_table(table: DataTable, frame: pl.DataFrame) -> None:
    """Replace the rows and columns of ``table`` with ``frame`` (column keys = column names)."""
    table.clear(columns=True)
    for column in frame.columns:
        table.add_column(column.replace("_", " "), key=column)
    table.add_rows([cell_text(value) for value in row] for row in frame.iter_rows())
