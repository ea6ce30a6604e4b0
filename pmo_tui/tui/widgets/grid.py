"""The virtualised grid: textual-fastdatatable over an Arrow backend, with j/k/h/l and g/G.

Used for the capacity grids (2,000 people x 52 weeks): only the visible cells
are rendered, and polars hands its frame over as Arrow without a copy per cell.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.text import Text
from textual.binding import Binding, BindingType
from textual_fastdatatable import ArrowBackend
from textual_fastdatatable import DataTable as FastDataTable

from pmo_tui.tui.widgets.tables import VIM_KEYS, WholeColumns


class GridTable(WholeColumns, FastDataTable):
    """A virtualised table (Arrow backend) with ``j/k/h/l`` and ``g``/``G``.

    Horizontal scrolling shows whole columns only (:class:`WholeColumns`): a week cell
    cut in half would read as another number (``123%`` as ``23%``). ``tab`` and
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

    def column_widths(self) -> list[int]:
        """The rendered width of every column."""
        return [column.render_width for column in self.ordered_columns]


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
