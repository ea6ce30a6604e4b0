"""The board report's charts as inline SVG (matplotlib, drawn offline: no network, no files).

Each function takes a frame of :class:`~pmo_tui.portfolio_health.board.BoardData`
and returns one ``<svg>`` element as text (no XML prologue), or ``""`` when
there is nothing to draw. Text stays text (``svg.fonttype = none``) so it
prints sharp and can be searched; element ids are salted with a constant so the
same data gives the same file. Colours follow the RAG scale and every bar is
also labelled, so no meaning rests on colour alone.
"""

from __future__ import annotations

import io

import polars as pl

from pmo_tui.portfolio_health.rag import CONFIDENCE_LABELS, CONFIDENCE_ORDER

#: Level -> fill colour (RAG and the five delivery-confidence levels).
LEVEL_COLOURS = {
    "green": "#2e7d32",
    "amber_green": "#9e9d24",
    "amber": "#f9a825",
    "amber_red": "#ef6c00",
    "red": "#c62828",
    "not_rated": "#9e9e9e",
}


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "pmo-tui",
            "font.size": 9,
            "font.family": "sans-serif",
        }
    )
    return plt.subplots(figsize=(width, height))


def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.tight_layout()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "pmo-tui"})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def confidence_chart(frame: pl.DataFrame) -> str:
    """Stacked bars: projects per delivery-confidence level (or RAG) for each period.

    Args:
        frame: ``period, level, projects`` (:func:`~pmo_tui.portfolio_health.board.confidence_by_period`).
    """
    if frame.is_empty():
        return ""
    periods = list(dict.fromkeys(frame["period"].to_list()))
    present = set(frame["level"].to_list())
    levels = [level for level in CONFIDENCE_ORDER if level in present]
    figure, axes = _figure(7.0, 0.55 * len(periods) + 1.4)
    left = [0] * len(periods)
    for level in levels:
        counts = [
            int(
                frame.filter((pl.col("period") == p) & (pl.col("level") == level))["projects"].sum()
            )
            for p in periods
        ]
        bars = axes.barh(
            periods, counts, left=left, color=LEVEL_COLOURS.get(level, "#607d8b"),
            label=CONFIDENCE_LABELS.get(level, level), edgecolor="white",
        )  # fmt: skip
        axes.bar_label(
            bars, labels=[str(c) if c else "" for c in counts], label_type="center", color="white"
        )
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel("projects")
    axes.legend(
        ncol=min(len(levels), 6), loc="upper center", bbox_to_anchor=(0.5, -0.35), frameon=False
    )
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def cost_chart(frame: pl.DataFrame, currency: str = "") -> str:
    """Grouped bars per portfolio: baseline against forecast, the variance written beside.

    Args:
        frame: ``name, baseline, forecast, variance`` (the board's portfolio rows).
    """
    rows = frame.filter(pl.col("baseline").is_not_null() | pl.col("forecast").is_not_null())
    if rows.is_empty():
        return ""
    amounts = [v for c in ("baseline", "forecast") for v in rows[c].to_list() if v is not None]
    scale, unit = _scale(max(amounts, default=0.0))
    names = [_short(n) for n in rows["name"].to_list()]
    figure, axes = _figure(7.0, 0.45 * len(names) + 1.3)
    positions = list(range(len(names)))
    baseline = [(v or 0) / scale for v in rows["baseline"].to_list()]
    forecast = [(v or 0) / scale for v in rows["forecast"].to_list()]
    axes.barh([p - 0.2 for p in positions], baseline, height=0.4, color="#90a4ae", label="baseline")
    bars = axes.barh(
        [p + 0.2 for p in positions], forecast, height=0.4, color="#37474f", label="forecast"
    )
    labels = [
        f"{'+' if (v or 0) > 0 else ''}{(v or 0) / scale:,.1f}" for v in rows["variance"].to_list()
    ]
    axes.bar_label(bars, labels=labels, padding=3, fontsize=8)
    axes.set_yticks(positions, names)
    axes.invert_yaxis()
    axes.set_xlabel(f"{currency} {unit}".strip() + " (variance beside the forecast)")
    axes.legend(loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def heatmap_chart(frame: pl.DataFrame) -> str:
    """Demand as % of the capacity of the people holding each skill, per month.

    Args:
        frame: ``skill_id, month, load_pct``.
    """
    if frame.is_empty():
        return ""
    grid = frame.pivot(on="month", index="skill_id", values="load_pct", sort_columns=True).sort(
        "skill_id"
    )
    months = grid.columns[1:]
    values = [[(v if v is not None else float("nan")) for v in row[1:]] for row in grid.iter_rows()]
    figure, axes = _figure(7.0, 0.32 * grid.height + 1.4)
    image = axes.imshow(values, cmap="RdYlGn_r", vmin=0, vmax=150, aspect="auto")
    axes.set_xticks(range(len(months)), months, rotation=45, ha="right")
    axes.set_yticks(range(grid.height), grid["skill_id"].to_list())
    for y, row in enumerate(values):
        for x, value in enumerate(row):
            if value == value:  # not NaN
                axes.text(x, y, f"{value:.0f}", ha="center", va="center", fontsize=7)
    figure.colorbar(image, ax=axes, label="demand / capacity %")
    return _svg(figure)


def _scale(largest: float) -> tuple[float, str]:
    if largest >= 5e8:
        return 1e9, "billion"
    if largest >= 5e5:
        return 1e6, "million"
    if largest >= 5e3:
        return 1e3, "thousand"
    return 1.0, ""


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
