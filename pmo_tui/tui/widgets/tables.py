"""Tables with the keys SSH users know (j/k/h/l, g/G).

:class:`KeyTable` is Textual's ``DataTable`` for small tables (the portfolio
tree, KPIs, moves); the virtualised :class:`~pmo_tui.tui.widgets.grid.GridTable`
for the large grids lives in its own module, imported when a grid is first
shown (it brings pyarrow, which the first paint does not need).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
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


def cell_text(value: object) -> str | Text:
    """A value as table text: numbers right-aligned (floats with one decimal), None as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return Text(f"{value:,.1f}", justify="right")
    if isinstance(value, int) and not isinstance(value, bool):
        return Text(str(value), justify="right")
    return str(value)


def fill_table(table: DataTable, frame: pl.DataFrame) -> None:
    """Replace the rows and columns of ``table`` with ``frame`` (column keys = column names)."""
    table.clear(columns=True)
    for column in frame.columns:
        table.add_column(column.replace("_", " "), key=column)
    table.add_rows([cell_text(value) for value in row] for row in frame.iter_rows())
