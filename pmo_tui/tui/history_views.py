"""The History screen's rows and titles (textual-free), from the frames of
:mod:`pmo_tui.history.log`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl


def history_rows(change_sets: pl.DataFrame) -> list[tuple[Any, ...]]:
    """One row per change set (:func:`pmo_tui.history.log.list_change_sets`), in the
    order of :data:`pmo_tui.tui.screens.history.HISTORY_COLUMNS`: id, when (``2027-01-06
    09:30``, UTC), who, command, rows, undo (``undoes 12`` / ``undone by 14``), tables,
    reason (text, never markup)."""
    from rich.text import Text

    rows = []
    for change_set in change_sets.iter_rows(named=True):
        rows.append(
            (
                change_set["change_set"],
                when(change_set["at"]),
                Text(change_set["who"] or ""),
                Text(change_set["command"] or ""),
                Text(str(change_set["rows"]), justify="right"),
                undo_note(change_set),
                Text(change_set["tables"] or ""),
                Text(change_set["reason"] or ""),
            )
        )
    return rows


def when(at: str | None) -> str:
    """An ISO UTC time to the minute: ``2027-01-06T09:30:12+00:00`` -> ``2027-01-06 09:30``."""
    return (at or "")[:16].replace("T", " ")


def undo_note(change_set: dict[str, Any]) -> str:
    """``undoes 12``, ``undone by 14``, both, or nothing."""
    parts = []
    if change_set.get("undoes"):
        parts.append(f"undoes {change_set['undoes']}")
    if change_set.get("undone_by"):
        parts.append(f"undone by {change_set['undone_by']}")
    return ", ".join(parts)


def change_set_title(change_set: dict[str, Any]) -> str:
    """``Change set 12: allocation set by ann at 2027-01-06 09:30 (UTC)``."""
    return (
        f"Change set {change_set['id']}: {change_set['command']} by {change_set['who']} "
        f"at {when(change_set['at'])} (UTC)"
    )
