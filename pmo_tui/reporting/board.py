"""The board report as Markdown or as one self-contained HTML page (inline SVG charts).

Rendering only: the figures come from
:func:`pmo_tui.portfolio_health.board.board_data`. The HTML needs no network
and no other file: styles are inline, charts are inline SVG
(:mod:`pmo_tui.reporting.charts`), and a print style sheet lays it out on A4.
Key figures carry ``data-figure`` attributes so tests (and scripts) can read
them back. docs/reporting.md shows a page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pmo_tui.domain.portfolio import NOT_RATED_LABEL, rag_label
from pmo_tui.portfolio_health.board import BoardData
from pmo_tui.portfolio_health.health import TREND_ARROWS
from pmo_tui.portfolio_health.rag import CONFIDENCE_LABELS, CONFIDENCE_ORDER
from pmo_tui.reporting import charts
from pmo_tui.reporting.output import markdown_table

REPORT_FORMATS = ("markdown", "html")
#: A cell that reads as a number (right-aligned): 1,234.5, -3, 0 (+0.0 %).
NUMERIC = re.compile(r"^[+-]?[\d,]+(\.\d+)?( \([^)]*\))?$")
RULE_TEXT = {
    "worst": "worst project (a single red project makes its program and portfolio red)",
    "budget": "budget-weighted mean of the projects' RAG (green 0, amber 1, red 2; rounded)",
}


@dataclass(frozen=True)
class Section:
    """One titled part of the report: an intro line, a table, a chart."""

    key: str
    title: str
    intro: str
    table: pl.DataFrame | None
    chart: str = ""
    empty: str = "None."


def money(value: float | None) -> str:
    """``12,345,678`` (no decimals); ``-`` when unknown."""
    return "-" if value is None else f"{value:,.0f}"


def _trend(word: str | None) -> str:
    return "" if word is None else f"{TREND_ARROWS.get(word, '')} {word}"


def sections(board: BoardData, *, with_charts: bool) -> list[Section]:
    """The report's sections in reading order (charts drawn only ``with_charts``)."""

    def chart(draw: Callable[[], str]) -> str:
        return draw() if with_charts else ""

    return [
        _summary_section(board),
        Section(
            "portfolios",
            "Health by portfolio",
            f"Roll-up rule: {RULE_TEXT[board.rule]}. Trend against the previous period.",
            _level_table(board.portfolios),
        ),
        Section("programs", "Health by program", "", _level_table(board.programs)),
        Section(
            "confidence",
            "Delivery confidence by period",
            "Projects per level in each period (imported snapshots; else the latest "
            "status report of each project per month).",
            _confidence_table(board.confidence_by_period),
            chart(lambda: charts.confidence_chart(board.confidence_by_period)),
        ),
        Section(
            "changed",
            "Projects whose status changed",
            "Overall status against the previous period.",
            board.changed.select(
                pl.col("project_id").alias("project"),
                "name",
                pl.col("previous_overall").alias("was"),
                pl.col("overall").alias("now"),
                pl.col("trend").map_elements(_trend, return_dtype=pl.String),
            ),
            empty="No project changed status.",
        ),
        Section(
            "watermelons",
            "Watermelon flags",
            "Green status reports that the data contradicts, with the evidence.",
            board.watermelons.select(
                pl.col("project_id").alias("project"), "reported_on", "kind", "evidence"
            ),
            empty="No green report is contradicted by the data.",
        ),
        Section(
            "risks",
            "Top risks",
            "Open risks by score (probability x impact, 1-25).",
            board.top_risks.select(
                pl.col("project_id").alias("project"),
                "title",
                "owner",
                "probability",
                "impact",
                "score",
            ),
        ),
        Section(
            "decisions", "Decisions needed", "", board.decisions.rename({"project_id": "project"})
        ),
        Section(
            "dependencies",
            "Cross-project dependencies late or at risk",
            "",
            board.dependencies.select(
                pl.col("from_project_id").alias("from"),
                pl.col("to_project_id").alias("to"),
                "deliverable",
                "needed_by",
                "expected",
                "state",
                "reason",
            ),  # fmt: skip
            empty="Every dependency is on track.",
        ),
        Section(
            "cost",
            "Cost: baseline, forecast and variance by portfolio",
            "Forecast minus baseline; positive is an overspend. Largest overspend "
            "(as a share of the baseline) first.",
            _cost_table(board.portfolios),
            chart(lambda: charts.cost_chart(board.portfolios)),
        ),
        Section(
            "evm",
            "Earned value",
            "Projects that report progress (PMI; docs/reporting.md): BAC the budget, PV "
            "planned value on a linear baseline, EV earned value, AC actual cost, "
            "CPI = EV / AC, SPI = EV / PV, EAC = BAC / CPI, VAC = BAC - EAC. Largest "
            "overrun at completion first.",
            _evm_table(board.projects),
            empty="No project reports its % complete.",
        ),
        Section(
            "capacity",
            "Capacity outlook",
            "Demand against the capacity of the people holding each skill, per quarter.",
            board.outlook,
            chart(lambda: charts.heatmap_chart(board.heatmap)),
            empty="No capacity data (no people in the pool).",
        ),
        Section(
            "bottlenecks",
            "Hiring bottlenecks",
            "Demand above the capacity of everyone qualified: only hiring or moving dates helps.",
            board.bottlenecks,
            empty="None: every skill's demand fits the capacity of the people who hold it.",
        ),
        Section("projects", "All projects", "", _project_table(board.projects)),
    ]


def _confidence_table(frame: pl.DataFrame) -> pl.DataFrame | None:
    """Periods down, levels across (best first), projects in the cells."""
    if frame.is_empty():
        return None
    wide = frame.pivot(on="level", index="period", values="projects")
    levels = [level for level in CONFIDENCE_ORDER if level in wide.columns]
    return wide.select(
        "period", *[pl.col(level).alias(CONFIDENCE_LABELS[level]) for level in levels]
    )


def _summary_section(board: BoardData) -> Section:
    summary = board.summary
    baseline, variance = summary["baseline"], summary["variance"]
    share = f" ({100 * variance / baseline:+.1f} %)" if baseline and variance is not None else ""
    rows = [
        ("projects", "Projects", str(summary["projects"])),
        ("green", rag_label("green"), str(summary["green"])),
        ("amber", rag_label("amber"), str(summary["amber"])),
        ("red", rag_label("red"), str(summary["red"])),
        ("not_rated", NOT_RATED_LABEL, str(summary["not_rated"])),
        ("baseline", "Baseline", money(baseline)),
        ("forecast", "Forecast", money(summary["forecast"])),
        ("variance", "Variance", money(variance) + share),
    ]
    table = pl.DataFrame(
        {"figure": [r[0] for r in rows], "": [r[1] for r in rows], "value": [r[2] for r in rows]}
    )
    return Section("summary", "Portfolio summary", _sources(board.snapshots), table)


def _sources(snapshots: pl.DataFrame) -> str:
    """Which imported snapshots the figures come from (empty without any)."""
    if snapshots.is_empty():
        return ""
    named = [
        f"{row['source']} {row['period']} as at {row['as_of']} ({row['projects']} projects)"
        for row in snapshots.iter_rows(named=True)
    ]
    return (
        f"Imported portfolio snapshots: {'; '.join(named)}. A project in one takes its "
        "baseline and forecast from the latest, and its status from its latest status "
        "report, else from that snapshot's delivery confidence."
    )


def _level_table(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        "name",
        pl.col("rag")
        .map_elements(rag_label, return_dtype=pl.String)
        .fill_null(NOT_RATED_LABEL)
        .alias("status"),
        pl.col("trend").map_elements(_trend, return_dtype=pl.String),
        "projects",
        pl.col("not_rated").alias("not rated"),
        *[
            pl.col(c).map_elements(money, return_dtype=pl.String)
            for c in ("baseline", "forecast", "variance")
        ],
    )


def _cost_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Portfolio, baseline, forecast, variance and variance % of the baseline, by that %."""
    share = (
        pl.when(pl.col("baseline") > 0)
        .then(100 * pl.col("variance") / pl.col("baseline"))
        .round(1)
        .alias("share")
    )
    return (
        frame.with_columns(share)
        .sort("share", "name", descending=[True, False], nulls_last=True)
        .select(
            "name",
            *[
                pl.col(c).map_elements(money, return_dtype=pl.String)
                for c in ("baseline", "forecast", "variance")
            ],
            pl.col("share")
            .map_elements(lambda v: f"{v:+.1f}", return_dtype=pl.String)
            .fill_null("-")
            .alias("variance %"),
        )
    )


def _evm_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The EVM measures of the projects with an earned value, lowest VAC first."""
    amounts = ("bac", "pv", "ev", "ac")
    return (
        frame.filter(pl.col("ev").is_not_null())
        .sort("vac", "project_id", nulls_last=True)
        .select(
            pl.col("project_id").alias("project"),
            *[
                pl.col(c).map_elements(money, return_dtype=pl.String).alias(c.upper())
                for c in amounts
            ],
            *[
                pl.col(c)
                .map_elements("{:.2f}".format, return_dtype=pl.String)
                .fill_null("-")
                .alias(c.upper())
                for c in ("cpi", "spi")
            ],
            *[
                pl.col(c)
                .map_elements(money, return_dtype=pl.String)
                .fill_null("-")
                .alias(c.upper())
                for c in ("eac", "vac")
            ],
        )  # fmt: skip
    )


def _project_table(frame: pl.DataFrame) -> pl.DataFrame:
    def index(column: str) -> pl.Expr:
        return pl.col(column).round(2).cast(pl.String).fill_null("-")

    return frame.sort("portfolio_name", "project_id").select(
        pl.col("project_id").alias("project"),
        "name",
        pl.col("portfolio_id").alias("portfolio"),
        "phase",
        pl.col("overall").map_elements(rag_label, return_dtype=pl.String).fill_null("not rated"),
        pl.col("trend").map_elements(_trend, return_dtype=pl.String),
        *[
            pl.col(f"health_{d}").fill_null("-").alias(d)
            for d in ("schedule", "cost", "scope", "resources", "risk")
        ],
        index("cpi").alias("CPI"),
        index("spi").alias("SPI"),
    )


# ------------------------------------------------------------------- Markdown
def render_markdown(board: BoardData) -> str:
    """The report as Markdown (tables; the charts are in the HTML version)."""
    lines = [f"# Portfolio board report, as of {board.as_of.isoformat()}", ""]
    for section in sections(board, with_charts=False):
        lines += [f"## {section.title}", ""]
        if section.intro:
            lines += [section.intro, ""]
        if section.key == "summary" and section.table is not None:
            lines += [markdown_table(section.table.drop("figure")), ""]
        elif section.table is not None:
            lines += [markdown_table(section.table, empty=section.empty), ""]
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------- HTML
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121;
       margin: 2rem auto; max-width: 60rem; padding: 0 1rem; font-size: 10.5pt; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem;
     border-bottom: 1px solid #bdbdbd; padding-bottom: 0.2rem; }
p.intro { color: #555; margin: 0.3rem 0 0.6rem; }
table { border-collapse: collapse; width: 100%; margin: 0.4rem 0; }
th, td { text-align: left; padding: 0.2rem 0.45rem; border-bottom: 1px solid #e0e0e0;
         vertical-align: top; }
th { background: #f5f5f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.rag-green { color: #2e7d32; } .rag-amber { color: #b26a00; } .rag-red { color: #c62828; }
figure { margin: 0.6rem 0; } figure svg { max-width: 100%; height: auto; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; }
  h2 { break-after: avoid; } table, figure { break-inside: avoid; }
  tr { break-inside: avoid; }
}
"""


def render_html(board: BoardData) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG, no script, no link)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Portfolio board report {board.as_of.isoformat()}</title>",
        f"<style>{STYLE}</style></head><body>",
        f'<h1>Portfolio board report</h1><p class="intro">As of '
        f'<span data-figure="as_of">{board.as_of.isoformat()}</span>.</p>',
    ]
    for section in sections(board, with_charts=True):
        parts.append(f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>')
        if section.intro:
            parts.append(f'<p class="intro">{html.escape(section.intro)}</p>')
        if section.chart:
            parts.append(
                f'<figure class="chart" data-chart="{section.key}">{section.chart}</figure>'
            )
        if section.table is not None:
            parts.append(_html_table(section.table, section))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_table(table: pl.DataFrame, section: Section) -> str:
    if table.is_empty():
        return f"<p>{html.escape(section.empty)}</p>"
    summary = section.key == "summary"
    shown = table.columns[1:] if summary else table.columns
    texts = {c: ["" if v is None else str(v) for v in table[c].to_list()] for c in shown}
    numeric = {c for c in shown if all(NUMERIC.match(t) for t in texts[c] if t)}
    number_class = ' class="num"'
    head = "".join(
        f"<th{number_class if c in numeric else ''}>{html.escape(str(c))}</th>" for c in shown
    )
    figures = table["figure"].to_list() if summary else [None] * table.height
    rows = []
    for index, figure in enumerate(figures):
        cells = []
        for column in shown:
            text = texts[column][index]
            attributes = _cell_attributes(text, column, figure, column in numeric)
            cells.append(f"<td{attributes}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    css = ' class="summary"' if summary else ""
    return f"<table{css}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cell_attributes(text: str, column: str, figure: str | None, numeric: bool) -> str:
    classes = []
    for rag in ("green", "amber", "red"):
        if text == rag or text.endswith(f" {rag}"):
            classes.append(f"rag-{rag}")
    if numeric:
        classes.append("num")
    attributes = f' class="{" ".join(classes)}"' if classes else ""
    if figure is not None and column == "value":
        attributes += f' data-figure="{figure}"'
    return attributes
