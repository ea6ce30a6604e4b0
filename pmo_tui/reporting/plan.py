"""The plan summary printed by ``pmo-tui plan --headless`` (table, Markdown or JSON)."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

import polars as pl

from pmo_tui.domain.horizon import iso_week_label
from pmo_tui.planning.service import PlanOutcome
from pmo_tui.reporting.output import dumps, markdown_table, text_table
from solver.status import STATUS_INFEASIBLE

#: KPI key -> label, in the order shown.
KPI_LABELS = {
    "coverage_pct": "coverage %",
    "weighted_coverage_pct": "weighted coverage %",
    "demand_hours": "demand hours",
    "covered_hours": "covered hours",
    "unmet_hours": "unmet hours",
    "over_allocated_person_weeks": "over-allocated person-weeks",
    "over_allocated_hours": "over-allocated hours",
    "people_moved": "people moved",
}


def kpi_frame(outcome: PlanOutcome) -> pl.DataFrame:
    """``kpi, before, after, change`` (Float64) for the KPIs of :data:`KPI_LABELS`.

    ``before`` and ``after`` are rounded to 0.1 as every front end shows them, and
    ``change`` is ``after - before`` of the rounded values, so that the figures add up
    as printed (79.2 -> 88.8 is a change of 9.6, never 9.5 from the unrounded values).
    """
    before, after = outcome.result.kpis_before, outcome.result.kpis_after
    return pl.DataFrame(
        {
            "kpi": list(KPI_LABELS.values()),
            "before": [round(float(before.get(key, 0.0)), 1) for key in KPI_LABELS],
            "after": [round(float(after.get(key, 0.0)), 1) for key in KPI_LABELS],
        }
    ).with_columns((pl.col("after") - pl.col("before")).round(1).alias("change"))


def moves_frame(outcome: PlanOutcome) -> pl.DataFrame:
    """The moves, largest first, with the person's name:
    ``person, from, to, demand, first_week, last_week, weeks, hours, gain, reason``
    (:func:`person_moves` without ``person_id``)."""
    return person_moves(outcome).drop("person_id")


def person_moves(outcome: PlanOutcome) -> pl.DataFrame:
    """The moves, largest first: ``person_id, person`` (the name), ``from, to`` (project
    ids; null for hours added or taken off), ``demand, first_week, last_week, weeks, hours,
    gain, reason``.

    A move between two demands of one project (``from`` = ``to``) says what it changes:
    its reason starts with ``moves hours within P from demand D1 to D2``.
    """
    moves = outcome.result.moves.join(outcome.people, on="person_id", how="left")
    order = ["hours", "person_id", "first_week", "demand_id", "from_project_id", "to_project_id"]
    order += ["last_week", "reason"]  # a total order: the same JSON on every run
    moves = moves.sort(order, descending=[True] + [False] * 7, nulls_last=True)
    sources = _demands_left(outcome, moves)
    within = pl.format(
        "moves hours within {} from demand {} to {}: {}",
        pl.col("from_project_id"),
        pl.col("left_demands").fill_null("(another)"),
        pl.col("demand_id"),
        pl.col("reason"),
    )
    same_project = pl.col("from_project_id") == pl.col("to_project_id")
    return moves.join(sources, on=MOVE_KEY, how="left", maintain_order="left").select(
        "person_id",
        pl.col("name").fill_null(pl.col("person_id")).alias("person"),
        pl.col("from_project_id").alias("from"),
        pl.col("to_project_id").alias("to"),
        pl.col("demand_id").alias("demand"),
        "first_week",
        "last_week",
        "weeks",
        "hours",
        "gain",
        pl.when(same_project.fill_null(False)).then(within).otherwise("reason").alias("reason"),
    )


#: The columns that tell one move from another.
MOVE_KEY = ["person_id", "from_project_id", "demand_id", "first_week"]


def _demands_left(outcome: PlanOutcome, moves: pl.DataFrame) -> pl.DataFrame:
    """For each move between two demands of one project: the demands the hours leave.

    Returns:
        :data:`MOVE_KEY` and ``left_demands`` (String, ``"D1, D2"``): the other demands
        of the project whose hours for the person fall in the move's weeks.
    """
    keys = ["person_id", "project_id", "demand_id", "week"]

    def hours(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        booked = frame.filter(pl.col("demand_id").is_not_null())
        return booked.group_by(keys).agg(pl.col("hours").sum().alias(name))

    change = hours(outcome.inputs.current, "before").join(
        hours(outcome.result.plan, "after"), on=keys, how="full", coalesce=True
    )
    left = change.filter(pl.col("after").fill_null(0.0) < pl.col("before").fill_null(0.0))
    within = moves.filter(pl.col("from_project_id") == pl.col("to_project_id"))
    return (
        within.select(*MOVE_KEY, "last_week")
        .join(
            left.select("person_id", "project_id", pl.col("demand_id").alias("left"), "week"),
            left_on=["person_id", "from_project_id"],
            right_on=["person_id", "project_id"],
        )
        .filter(
            pl.col("week").is_between("first_week", "last_week")
            & (pl.col("left") != pl.col("demand_id"))
        )
        .group_by(MOVE_KEY)
        .agg(pl.col("left").unique().sort().str.join(", ").alias("left_demands"))
    )


def unmet_frame(outcome: PlanOutcome) -> pl.DataFrame:
    """Unmet demand per project, skill and week with its reason."""
    return (
        outcome.result.unmet.group_by("project_id", "skill_id", "week", "reason")
        .agg(pl.col("unmet_hours").sum().round(1))
        .sort("week", "project_id", "skill_id", "reason", nulls_last=True)
        .select("project_id", "skill_id", "week", "unmet_hours", "reason")
    )


#: Objective terms that add to the objective; every other term is a cost subtracted from it.
GAIN_TERMS = ("cover",)

#: Rows of each list the plain-text summary shows; JSON and Markdown list everything.
TABLE_ROW_LIMIT = 40
#: Moves the plain-text summary shows in a terminal (the largest; the rest are counted).
TERMINAL_MOVES = 20
#: Where every row is: said under a list that shows only its first rows.
ALL_ROWS_HINT = (
    "--format markdown or json lists all; `pmo-tui export plan -o plan.xlsx` writes them "
    "to a spreadsheet"
)


def _terms_text(terms: dict[str, float]) -> str:
    """``cover 120.0 - churn 4.0 - fragmentation 6.0``."""
    text = " ".join(
        f"{'+' if name in GAIN_TERMS else '-'} {name} {value:.1f}" for name, value in terms.items()
    )
    return text.removeprefix("+ ")


def _limited(frame: pl.DataFrame, width: int | None, limit: int = TABLE_ROW_LIMIT) -> str:
    """The first ``limit`` rows as a text table fitted to ``width``, and how many more there are."""
    table = text_table(frame.head(limit), width=width)
    hidden = frame.height - limit
    return table + (
        _wrapped(f"... {hidden} more rows: {ALL_ROWS_HINT}", width) if hidden > 0 else ""
    )


def weeks_text(first: dt.date, last: dt.date, weeks: int) -> str:
    """``2027-W01–W11 (11 w)``; the year is repeated only when it changes."""
    start, end = iso_week_label(first), iso_week_label(last)
    if start == end:
        return f"{start} (1 w)"
    shown_end = end[5:] if end[:4] == start[:4] else end
    return f"{start}–{shown_end} ({weeks} w)"


def _moves_text(moves: pl.DataFrame, width: int | None) -> str:
    """The largest moves in a terminal of ``width`` columns: a table row each (the weeks in
    one column, :func:`weeks_text`, so that a row fits 80 columns), its whole reason wrapped
    on the lines below; then how many more there are and where they are."""
    shown = moves.head(TERMINAL_MOVES)
    if shown.is_empty():
        return text_table(shown)
    spans = [weeks_text(*span) for span in shown.select("first_week", "last_week", "weeks").rows()]
    row_columns = shown.drop("reason", "last_week", "weeks").with_columns(
        pl.Series("first_week", spans, dtype=pl.String)
    )
    table = text_table(row_columns.rename({"first_week": "weeks"}), width=width, whole=["weeks"])
    header, rule, *rows = table.split("\n")
    lines = [header, rule]
    for row, reason in zip(rows, shown["reason"], strict=True):
        lines += [row, _wrapped(reason, width, indent="    ").lstrip("\n")]
    hidden = moves.height - shown.height
    more = _wrapped(
        f"... the {TERMINAL_MOVES} largest of {moves.height} moves: {ALL_ROWS_HINT}", width
    )
    return "\n".join(lines) + (more if hidden > 0 else "")


def _wrapped(text: str, width: int | None, indent: str = "") -> str:
    """``text`` on a new line, wrapped to ``width`` (as is when None)."""
    if width is None:
        return "\n" + indent + text
    return "\n" + textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent)


def _headline(outcome: PlanOutcome) -> list[str]:
    result = outcome.result
    settings = result.settings
    terms = _terms_text(result.objective_terms)
    greedy = result.greedy_objective
    ratio = f"{result.objective / greedy:.3f}" if greedy and greedy > 0 else "n/a"
    return [
        (
            f"Plan status: {result.status} in {result.wall_time_s:.1f} s "
            f"(seed {settings.get('seed')}, {settings.get('workers')} workers, "
            f"time limit {settings.get('time_limit_s')} s, OR-Tools {result.solver_version})"
        ),
        f"Objective {result.objective:.1f} = {terms}",
        f"Bound {result.bound:.1f} (LP relaxation {result.lp_bound:.1f}), gap {100 * result.gap:.2f} %",
        f"Greedy baseline {greedy:.1f} (plan / greedy = {ratio})",
        *_held_back_lines(result),
        *(f"Note: {note}" for note in result.notes),
    ]


def _held_back_lines(result: Any) -> list[str]:
    """``Held back: 12 moves (35 h) worth at most 1 each or 5 per person they would
    move, 8.2 in total``, when any (the thresholds ``min_move_gain`` and
    ``min_person_gain`` of ``result.settings``; the second only when set)."""
    held = result.held_back
    if not held.get("moves"):
        return []
    threshold = result.settings.get("min_move_gain")
    per_person = result.settings.get("min_person_gain") or 0.0
    worth = f"worth at most {threshold:g} each"
    names = "min_move_gain"
    if per_person > 0:
        worth += f" or {per_person:g} per person they would move"
        names += ", min_person_gain"
    return [
        f"Held back: {held['moves']:.0f} moves ({held['hours']:.1f} h) {worth}, "
        f"{held['gain']:.1f} in total ({names})"
    ]


def shifts_frame(outcome: PlanOutcome) -> pl.DataFrame:
    """Projects that start later: ``project, weeks, first_week, new_first_week, reason``."""
    return outcome.result.shifts.select(
        pl.col("project_id").alias("project"),
        pl.col("shift_weeks").alias("weeks"),
        "first_week",
        "new_first_week",
        "reason",
    )


def _sections(outcome: PlanOutcome) -> list[tuple[str, pl.DataFrame]]:
    shifts = shifts_frame(outcome)
    shifted = [(f"Projects starting later ({shifts.height})", shifts)] if shifts.height else []
    return shifted + [
        ("KPIs before and after", kpi_frame(outcome)),
        (f"Moves ({outcome.result.moves.height})", moves_frame(outcome)),
        ("Unmet demand by project and skill (hours)", outcome.unmet_by_project_and_skill()),
        ("Unmet demand by week, with the reason", unmet_frame(outcome)),
        (
            "Shortfall no re-allocation can fix (demand above the capacity of everyone qualified)",
            shortfall_frame(outcome.result.shortfall),
        ),
        *_bottlenecks(outcome),
    ]


#: The shortfall's columns as a reader sees them (the table fits 80 columns).
SHORTFALL_LABELS = {
    "skill_id": "skill",
    "min_level": "level",
    "demand_hours": "demand_h",
    "qualified_capacity_hours": "qualified_h",
    "shortfall_hours": "shortfall_h",
}


def shortfall_frame(shortfall: pl.DataFrame) -> pl.DataFrame:
    """The solver's shortfall (``skill_id, min_level, week, demand_hours,
    qualified_capacity_hours, shortfall_hours``; hours per ISO week) with the short labels
    of :data:`SHORTFALL_LABELS`, for the table and Markdown summaries (JSON keeps the
    solver's names)."""
    return shortfall.rename({k: v for k, v in SHORTFALL_LABELS.items() if k in shortfall.columns})


#: Bottlenecks shown by ``plan``; ``pmo-tui advise hiring`` lists them all, re-solved.
TOP_BOTTLENECKS = 3


def hiring_frame(advice: pl.DataFrame) -> pl.DataFrame:
    """The hiring advice in a reader's words: ``skill, quarter, level, shortfall_h,
    unmet_h, one_fte_covers_h, one_fte_adds`` and, when checked, ``checked_h, checked_adds``."""
    frame = advice.select(
        pl.col("skill_id").alias("skill"),
        "quarter",
        "level",
        pl.col("shortfall_hours").alias("shortfall_h"),
        pl.col("unmet_hours").alias("unmet_h"),
        pl.col("fte_hours").alias("one_fte_covers_h"),
        pl.col("fte_value").alias("one_fte_adds"),
        pl.col("checked_hours").alias("checked_h"),
        pl.col("checked_value").alias("checked_adds"),
    )
    if frame["checked_h"].null_count() == frame.height:
        frame = frame.drop("checked_h", "checked_adds")
    return frame


def _bottlenecks(outcome: PlanOutcome) -> list[tuple[str, pl.DataFrame]]:
    if outcome.hiring is None or outcome.hiring.is_empty():
        return []
    return [
        (
            f"Bottlenecks: what one more FTE would cover (top {TOP_BOTTLENECKS}; "
            "`pmo-tui advise hiring` checks them by re-planning)",
            hiring_frame(outcome.hiring.head(TOP_BOTTLENECKS)),
        )
    ]


def render_outcome(outcome: PlanOutcome, fmt: str, *, width: int | None = None) -> str:
    """The whole summary in ``fmt``: ``table``, ``markdown`` or ``json``.

    ``width``: the terminal's columns. The table then fits it: long texts are cut
    (their cells end in ``…``), headlines wrap, and the moves show the
    :data:`TERMINAL_MOVES` largest, each with its whole reason on the lines below.
    None (a pipe or a file) keeps every line whole.
    """
    if fmt == "json":
        return dumps(outcome_json(outcome))
    if outcome.result.status == STATUS_INFEASIBLE:
        lines = ["Plan status: INFEASIBLE. These constraints cannot all hold:"]
        lines += [f"  - {conflict}" for conflict in outcome.result.conflicts]
        return "\n".join(lines)
    if fmt == "markdown":
        parts = ["# Plan", "", *(f"- {line}" for line in _headline(outcome))]
        for title, frame in _sections(outcome):
            parts += ["", f"## {title}", "", markdown_table(frame)]
        return "\n".join(parts)
    parts = [_wrapped(line, width).lstrip("\n") for line in _headline(outcome)]
    for title, frame in _sections(outcome):
        is_moves = title.startswith("Moves")
        text = _moves_text(frame, width) if is_moves and width else _limited(frame, width)
        parts += ["", _wrapped(title, width).lstrip("\n"), text]
    return "\n".join(parts)


def outcome_json(outcome: PlanOutcome) -> dict[str, Any]:
    """Everything the table shows, as plain data (frames become lists of records)."""
    result = outcome.result
    return {
        "status": result.status,
        "objective": result.objective,
        "objective_terms": result.objective_terms,
        "bound": result.bound,
        "lp_bound": result.lp_bound,
        "gap": result.gap,
        "greedy_objective": result.greedy_objective,
        "greedy_terms": result.greedy_terms,
        "wall_time_s": result.wall_time_s,
        "solver_version": result.solver_version,
        "settings": result.settings,
        "kpis_before": result.kpis_before,
        "kpis_after": result.kpis_after,
        "shifts": shifts_frame(outcome),
        "moves": moves_frame(outcome),
        "unmet_by_project_and_skill": outcome.unmet_by_project_and_skill(),
        "unmet": unmet_frame(outcome),
        "shortfall": result.shortfall,
        "hiring": outcome.hiring if outcome.hiring is not None else [],
        "conflicts": result.conflicts,
        "notes": result.notes,
        "time_limit_hit": result.time_limit_hit,
        "held_back": result.held_back,
    }
