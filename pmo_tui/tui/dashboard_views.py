"""Dashboard views as pure functions: terminal charts over the board report's frames.

Textual-free (only polars), so each is unit-tested with hand-computed values.
Every level has its own glyph as well as its colour, so the charts read in 16
colours and without colour: the RAG glyphs of :data:`pmo_tui.domain.portfolio.RAG_GLYPHS`
and, for the five delivery-confidence levels, :data:`LEVEL_GLYPHS`.
"""

from __future__ import annotations

import polars as pl

from pmo_tui.portfolio_health.board import BoardData
from pmo_tui.portfolio_health.health import TREND_ARROWS

#: Level -> (glyph, theme style) for the stacked bars.
LEVEL_GLYPHS = {
    "green": ("●", "green"),
    "amber_green": ("◕", "yellow"),
    "amber": ("▲", "yellow"),
    "amber_red": ("◆", "dark_orange"),
    "red": ("■", "red"),
    "not_rated": ("·", "dim"),
}
#: Heatmap bands of demand as % of capacity: (upper bound, glyph).
LOAD_BANDS = ((50, "░"), (80, "▒"), (100, "▓"), (float("inf"), "█"))


def summary_text(board: BoardData) -> str:
    """One line: projects, RAG counts (and not rated ones), baseline, forecast and variance."""
    s = board.summary
    money = "" if s["baseline"] is None else (
        f" · baseline {s['baseline']:,.0f} · forecast {s['forecast'] or 0:,.0f}"
        f" · variance {s['variance'] or 0:+,.0f}"
    )  # fmt: skip
    unrated = f"  · {s['not_rated']} not rated" if s["not_rated"] else ""
    return (
        f"{s['projects']} projects: ● {s['green']} green  ▲ {s['amber']} amber  ■ {s['red']} red"
        + unrated
        + money
        + f" · as of {board.as_of.isoformat()}"
    )


def stacked_bar(counts: list[tuple[str, int]], width: int) -> list[tuple[str, str]]:
    """A bar of ``width`` cells split between levels in proportion to their counts.

    Cells are given by largest remainder (so they add up to ``width``; a level with a
    count gets at least one cell when there is room).

    Returns:
        ``(glyphs, style)`` segments in the order of ``counts``; empty when all are 0.
    """
    total = sum(count for _, count in counts)
    if total == 0 or width <= 0:
        return []
    exact = [count * width / total for _, count in counts]
    cells = [int(value) for value in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(exact[i] - cells[i]), i))
    for index in by_remainder[: width - sum(cells)]:
        cells[index] += 1
    for index, (_, count) in enumerate(counts):  # a level with a count stays visible
        largest = max(range(len(cells)), key=lambda i: cells[i])
        if count and not cells[index] and cells[largest] > 1:
            cells[index], cells[largest] = 1, cells[largest] - 1
    segments = []
    for (level, _), size in zip(counts, cells, strict=True):
        glyph, style = LEVEL_GLYPHS.get(level, ("?", "dim"))
        if size:
            segments.append((glyph * size, style))
    return segments


def period_bars(frame: pl.DataFrame, width: int) -> list[tuple[str, list[tuple[str, str]], str]]:
    """One stacked bar per period of ``period, level, projects`` (the board's
    ``confidence_by_period``): ``(period, segments, counts text)``."""
    rows = []
    for period in dict.fromkeys(frame["period"].to_list()):
        part = frame.filter(pl.col("period") == period)
        counts = list(zip(part["level"].to_list(), part["projects"].to_list(), strict=True))
        text = " ".join(f"{LEVEL_GLYPHS.get(level, ('?',))[0]}{n}" for level, n in counts)
        rows.append((period, stacked_bar(counts, width), text))
    return rows


def load_glyph(load_pct: float | None) -> str:
    """The heatmap glyph of a demand/capacity percentage (blank when unknown)."""
    if load_pct is None:
        return " "
    return next(glyph for bound, glyph in LOAD_BANDS if load_pct < bound)


def heat_rows(frame: pl.DataFrame, months: int) -> tuple[list[str], list[tuple[str, str]]]:
    """The capacity heatmap of ``skill_id, month, load_pct`` as text.

    Returns:
        (the first ``months`` months, [(skill, one glyph per month)]), skills sorted.
    """
    shown = sorted(set(frame["month"].to_list()))[:months]
    rows = []
    for skill in sorted(set(frame["skill_id"].to_list())):
        part = frame.filter(pl.col("skill_id") == skill)
        loads = dict(zip(part["month"].to_list(), part["load_pct"].to_list(), strict=True))
        rows.append((skill, "".join(load_glyph(loads.get(m)) * 3 for m in shown)))
    return shown, rows


def portfolio_rows(board: BoardData) -> pl.DataFrame:
    """The portfolios as the dashboard lists them: name, status, trend, projects, variance."""
    from pmo_tui.domain.portfolio import NOT_RATED_LABEL, rag_label

    return board.portfolios.select(
        "name",
        pl.col("rag")
        .map_elements(rag_label, return_dtype=pl.String)
        .fill_null(NOT_RATED_LABEL)
        .alias("status"),
        pl.col("trend")
        .map_elements(lambda t: f"{TREND_ARROWS.get(t, '')} {t}", return_dtype=pl.String)
        .alias("trend"),
        "projects",
        pl.col("variance")
        .map_elements(lambda v: f"{v:+,.0f}", return_dtype=pl.String)
        .fill_null("")
        .alias("variance"),
    )
