"""The virtualised grid: textual-fastdatatable over an Arrow backend, with j/k/h/l and g/G.

Used for the capacity grids (2,000 people x 52 weeks): only the visible cells
are rendered, and polars hands its frame over as Arrow without a copy per cell.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual_fastdatatable import ArrowBackend
from textual_fastdatatable import DataTable as FastDataTable

from pmo_tui.tui.widgets.tables import VIM_KEYS


class GridTable(FastDataTable):
    """A virtualised table (Arrow backend) with ``j/k/h/l`` and ``g``/``G``.

    Horizontal scrolling shows whole columns only: a week cell cut in half
    would read as another number (``123%`` as ``23%``). ``tab`` and
    ``shift+tab`` move the focus (to the filters), not the cursor.
    It cannot be cleared: to show new data, mount a new one (see :func:`grid_table`).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *VIM_KEYS,
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("tab", "app.focus_next", "Next field", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False),
    ]

    def visible_span(self, scroll_x: int, width: int) -> tuple[int, int]:
        """The scrollable cells shown (offsets past the fixed columns): from the first
        column start at or right of ``scroll_x`` to the end of the last column that
        fits whole in ``width``."""
        fixed_width = self._fixed_width()
        start = end = 0
        for column in self.ordered_columns[self.fixed_columns :]:
            if end < scroll_x:
                start = end = end + column.render_width
            elif end + column.render_width - start <= width - fixed_width:
                end += column.render_width
            else:
                break
        return start, max(end, start)

    def render_line(self, y: int) -> Strip:
        """Render line ``y`` with whole columns only, so no number is cut at either edge."""
        width, _ = self.size
        scroll_x, scroll_y = self.scroll_offset
        fixed_rows_height = self.fixed_rows + (self.header_height if self.show_header else 0)
        if y >= fixed_rows_height:
            y += scroll_y
        start, end = self.visible_span(scroll_x, width)
        line = self._render_line(y, start, start + width, self.rich_style)
        shown = self._fixed_width() + end - start
        return line.crop(0, shown).extend_cell_length(width, self.rich_style)

    def _fixed_width(self) -> int:
        """Cells taken by the fixed (key) columns on the left."""
        return sum(column.render_width for column in self.ordered_columns[: self.fixed_columns])


def grid_table(
    frame: pl.DataFrame, labels: list[str], *, table_id: str, fixed_columns: int = 1
) -> GridTable:
    """A :class:`GridTable` over ``frame`` with column ``labels`` (one per column, in order)."""
    column_labels: list[str | Text] = list(labels)
    return GridTable(
        backend=ArrowBackend(frame.to_arrow()),
        column_labels=column_labels,
        fixed_columns=fixed_columns,
        show_row_labels=False,
        cursor_type="cell",
        id=table_id,
    )
