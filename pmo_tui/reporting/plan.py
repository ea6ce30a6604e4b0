"""The plan summary printed by ``pmo-tui plan --headless`` (table, Markdown or JSON)."""

from __future__ import annotations

from typing import Any

import polars as pl

from pmo_tui.planning.service import PlanOutcome
from pmo_tui.reporting.output import dumps, markdown_table, text_table

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
    """``kpi, before, after`` (Float64) for the KPIs of :data:`KPI_LABELS`."""
    before, after = outcome.result.kpis_before, outcome.result.kpis_after
    return pl.DataFrame(
        {
            "kpi": list(KPI_LABELS.values()),
            "before": [float(before.get(key, 0.0)) for key in KPI_LABELS],
            "after": [float(after.get(key, 0.0)) for key in KPI_LABELS],
        }
    )


def moves_frame(outcome: PlanOutcome) -> pl.DataFrame:
    """The moves, largest first, with the person's name:
    ``person, from, to, demand, first_week, last_week, weeks, hours, gain, reason``."""
    moves = outcome.result.moves.join(outcome.people, on="person_id", how="left")
    order = ["hours", "person_id", "first_week", "demand_id", "from_project_id", "to_project_id"]
    order += ["last_week", "reason"]  # a total order: the same JSON on every run
    moves = moves.sort(order, descending=[True] + [False] * 7, nulls_last=True)
    return moves.select(
        pl.col("name").fill_null(pl.col("person_id")).alias("person"),
        pl.col("from_project_id").alias("from"),
        pl.col("to_project_id").alias("to"),
        pl.col("demand_id").alias("demand"),
        "first_week",
        "last_week",
        "weeks",
        "hours",
        "gain",
        "reason",
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


def _terms_text(terms: dict[str, float]) -> str:
    """``cover 120.0 - churn 4.0 - fragmentation 6.0``."""
    text = " ".join(
        f"{'+' if name in GAIN_TERMS else '-'} {name} {value:.1f}" for name, value in terms.items()
    )
    return text.removeprefix("+ ")


def _limited(frame: pl.DataFrame) -> str:
    """The first :data:`TABLE_ROW_LIMIT` rows as a text table, and how many more there are."""
    table = text_table(frame.head(TABLE_ROW_LIMIT))
    hidden = frame.height - TABLE_ROW_LIMIT
    return table + (
        f"\n... {hidden} more rows (--format json or markdown lists all)" if hidden > 0 else ""
    )


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
    """``Held back: 12 moves (35 h) worth at most 1 each, 8.2 in total``, when any."""
    held = result.held_back
    if not held.get("moves"):
        return []
    threshold = result.settings.get("min_move_gain")
    return [
        f"Held back: {held['moves']:.0f} moves ({held['hours']:.1f} h) worth at most "
        f"{threshold:g} each, {held['gain']:.1f} in total (min_move_gain)"
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
            outcome.result.shortfall,
        ),
    ]


def render_outcome(outcome: PlanOutcome, fmt: str) -> str:
    """The whole summary in ``fmt``: ``table``, ``markdown`` or ``json``."""
    if fmt == "json":
        return dumps(outcome_json(outcome))
    if outcome.result.status == "INFEASIBLE":
        lines = ["Plan status: INFEASIBLE. These constraints cannot all hold:"]
        lines += [f"  - {conflict}" for conflict in outcome.result.conflicts]
        return "\n".join(lines)
    if fmt == "markdown":
        parts = ["# Plan", "", *(f"- {line}" for line in _headline(outcome))]
        for title, frame in _sections(outcome):
            parts += ["", f"## {title}", "", markdown_table(frame)]
        return "\n".join(parts)
    parts = _headline(outcome)
    for title, frame in _sections(outcome):
        parts += ["", title, _limited(frame)]
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
        "conflicts": result.conflicts,
        "notes": result.notes,
        "time_limit_hit": result.time_limit_hit,
        "held_back": result.held_back,
    }
