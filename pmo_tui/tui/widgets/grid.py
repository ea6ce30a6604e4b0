"""The virtualised grid: textual-fastdatatable over an Arrow backend, with j/k/h/l and g/G.

Used for the capacity grids (2,000 people x 52 weeks): only the visible cells
are rendered, and polars hands its frame over as Arrow without a copy per cell.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from textual.binding import Binding, BindingType
from textual_fastdatatable import ArrowBackend
from textual_fastdatatable import DataTable as FastDataTable

from pmo_tui.tui.widgets.tables import VIM_KEYS


class GridTable(FastDataTable):
    """A virtualised table (Arrow backend) with ``j/k/h/l`` and ``g``/``G``.

    It cannot be cleared: to show new data, mount a new one (see :func:`grid_table`).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *VIM_KEYS,
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
    ]


def grid_table(
    frame: pl.DataFrame, labels: list[str], *, table_id: str, fixed_columns: int = 1
) -> GridTable:
    """A :class:`GridTable` over ``frame`` with column ``labels`` (one per column, in order)."""
    return GridTable(
        backend=ArrowBackend(frame.to_arrow()),
        column_labels=labels,
        fixed_columns=fixed_columns,
        show_row_labels=False,
        cursor_type="cell",
        id=table_id,
    )
