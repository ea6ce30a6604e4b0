"""The plan screen's Moves tab as pure polars functions: moves grouped by person (textual-free).

A plan of the demo organisation has thousands of moves: the tab shows one row per
person (their moves, hours and gain summed), and a person's moves, one row per
run of weeks, when the row is unfolded. The line under the table tells the
highlighted row in full (:func:`move_detail`), so no reason needs scrolling.
Moves are :func:`pmo_tui.reporting.plan.person_moves` rows with a ``move`` index.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from pmo_tui.domain.horizon import iso_week_label
from pmo_tui.reporting.plan import weeks_text

#: The Moves table's columns: row key, then what is shown.
TREE_COLUMNS = ("key", "person / weeks", "change", "hours", "gain", "reason")
#: Prefix of a person row's key (the rest is the person id); a move row's key is its index.
PERSON_KEY = "person:"


def change_text(source: str | None, target: str | None) -> str:
    """What a move changes: ``CX-BOT → RG-DORA``, ``→ OP-ITSM`` (hours added),
    ``CX-BOT → off`` (hours taken off), ``within OP-ITSM`` (between two of its demands)."""
    if source is None:
        return f"→ {target}"
    if target is None:
        return f"{source} → off"
    return f"within {source}" if source == target else f"{source} → {target}"


def person_groups(moves: pl.DataFrame) -> pl.DataFrame:
    """One row per person: ``person_id, person, moves (count), hours, gain`` (sums),
    largest hours first."""
    return (
        moves.group_by("person_id", "person")
        .agg(
            pl.len().alias("moves"),
            pl.col("hours").sum().round(1),
            pl.col("gain").sum().round(1),
        )
        .sort(["hours", "person"], descending=[True, False])
    )


def moves_tree(moves: pl.DataFrame, expanded: set[str]) -> list[tuple[Any, ...]]:
    """The Moves table's rows (:data:`TREE_COLUMNS`): each person, then, when their id is in
    ``expanded``, their moves (earliest first)."""
    rows: list[tuple[Any, ...]] = []
    for group in person_groups(moves).iter_rows(named=True):
        person_id = group["person_id"]
        unfolded = person_id in expanded
        marker = "▾" if unfolded else "▸"
        count = group["moves"]
        rows.append(
            (
                PERSON_KEY + person_id,
                f"{marker} {group['person']}",
                f"{count} move{'s' if count != 1 else ''}",
                group["hours"],
                group["gain"],
                "",
            )
        )
        if not unfolded:
            continue
        own = moves.filter(pl.col("person_id") == person_id).sort("first_week", "move")
        for move in own.iter_rows(named=True):
            rows.append(
                (
                    str(move["move"]),
                    "    " + weeks_text(move["first_week"], move["last_week"], move["weeks"]),
                    change_text(move["from"], move["to"]),
                    move["hours"],
                    move["gain"],
                    move["reason"],
                )
            )
    return rows


def move_detail(moves: pl.DataFrame, key: str) -> str:
    """The highlighted row in full: a person's totals, or a move's weeks, hours, gain and
    whole reason."""
    if key.startswith(PERSON_KEY):
        person_id = key.removeprefix(PERSON_KEY)
        group = person_groups(moves.filter(pl.col("person_id") == person_id)).row(0, named=True)
        return (
            f"{group['person']} ({person_id}): {group['moves']} moves, {group['hours']:g} h, "
            f"gain {group['gain']:g}. Space or enter shows the weeks of each move."
        )
    move = moves.filter(pl.col("move") == int(key)).row(0, named=True)
    first, last, weeks = move["first_week"], move["last_week"], move["weeks"]
    when = (
        f"week {iso_week_label(first)} ({first})"
        if weeks == 1
        else f"weeks {iso_week_label(first)} ({first}) to {iso_week_label(last)}, {weeks} weeks"
    )
    return (
        f"{move['person']} · {change_text(move['from'], move['to'])} · demand {move['demand']} · "
        f"{when} · {move['hours']:g} h ({move['hours'] / max(weeks, 1):.1f} h/week) · "
        f"gain {move['gain']:g}\n{move['reason']}"
    )
