"""Capacity views as pure polars functions: the utilisation heatmap, the demand grid, drill-down.

Textual-free (it lives beside the screens that render it, but imports only
polars), so each function is unit-tested with hand-computed values. Inputs
are the frames of :func:`pmo_tui.domain.capacity.capacity_tables`; weeks are ISO
weeks keyed by their Monday (``pl.Date``), hours ``Float64``, utilisation a
fraction (1.0 = 100 %).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from pmo_tui.reporting.sheet import Sheet
    from pmo_tui.tui.data import CapacityData, PersonDetail

#: Heatmap glyphs by utilisation band; the over-allocated glyph stands out without colour.
#: ``day_over``: the week is within capacity but one of its days is booked above that
#: day's capacity (:func:`pmo_tui.domain.daily_load.daily_peaks`).
HEAT_GLYPHS = {"idle": "·", "low": "░", "mid": "▒", "full": "▓", "over": "▲", "day_over": "△"}
#: The heatmap's legend, glyph by glyph.
HEAT_LEGEND = "·0 ░<50 ▒<85 ▓≤100 ▲over △a day over  - 0 h cap  ∞ on 0 h"
#: Demand grid glyphs: fully covered, partly covered, not covered at all.
COVER_GLYPHS = {"covered": "✔", "partial": "◐", "unmet": "✖"}


def filter_people(
    people: pl.DataFrame,
    person_skills: pl.DataFrame,
    *,
    skill: str | None = None,
    unit: str | None = None,
    region: str | None = None,
    text: str = "",
) -> pl.DataFrame:
    """The people (``id, name, unit, region, ...``) holding ``skill``, in ``unit`` and ``region``,
    whose name or id contains ``text`` (case-insensitive); None means any."""
    frame = people
    if skill:
        holders = person_skills.filter(pl.col("skill_id") == skill).select(
            pl.col("person_id").alias("id")
        )
        frame = frame.join(holders, on="id", how="semi")
    if unit:
        frame = frame.filter(pl.col("unit") == unit)
    if region:
        frame = frame.filter(pl.col("region") == region)
    needle = text.strip().casefold()
    if needle:
        haystack = (pl.col("name").fill_null("") + " " + pl.col("id")).str.to_lowercase()
        frame = frame.filter(haystack.str.contains(needle, literal=True))
    return frame


def heat_cell() -> pl.Expr:
    """The heatmap cell text of a utilisation row: percentage and glyph, e.g. ``" 95% ▓"``.

    Bands: 0 % ``·``, under 50 % ``░``, under 85 % ``▒``, up to capacity ``▓``,
    over-allocated ``▲`` in reverse video (stands out without colour); a week within
    capacity with a day booked above its capacity (column ``day_over_allocated``)
    ``△``. No capacity and nothing allocated: ``"  -"``; allocated without
    capacity: ``"  ∞ ▲"``.
    """
    pct = (pl.col("utilisation") * 100).round(0)
    glyph = (
        pl.when(pl.col("over_allocated"))
        .then(pl.lit(HEAT_GLYPHS["over"]))
        .when(pl.col("day_over_allocated"))
        .then(pl.lit(HEAT_GLYPHS["day_over"]))
        .when(pct <= 0)
        .then(pl.lit(HEAT_GLYPHS["idle"]))
        .when(pct < 50)
        .then(pl.lit(HEAT_GLYPHS["low"]))
        .when(pct < 85)
        .then(pl.lit(HEAT_GLYPHS["mid"]))
        .otherwise(pl.lit(HEAT_GLYPHS["full"]))
    )
    number = (pct.cast(pl.Int64).cast(pl.String) + "%").str.pad_start(5)
    text = (
        pl.when(pl.col("utilisation").is_null())
        .then(
            pl.when(pl.col("allocated_hours") > 0).then(pl.lit("    ∞")).otherwise(pl.lit("    -"))
        )
        .otherwise(number)
    )
    cell = (
        text
        + " "
        + pl.when(pl.col("utilisation").is_null() & (pl.col("allocated_hours") <= 0))
        .then(pl.lit(" "))
        .otherwise(glyph)
    )
    return pl.when(pl.col("over_allocated")).then("[reverse]" + cell + "[/]").otherwise(cell)


def _literal(column: str) -> pl.Expr:
    """Text shown as is in a markup-rendering table: every ``[`` escaped, nulls as ``""``."""
    return pl.col(column).fill_null("").str.replace_all("[", "\\[", literal=True)


def week_label(week: dt.date) -> str:
    """A week's column label: its ISO year and week, ``2026-W50``."""
    from pmo_tui.domain.horizon import iso_week_label

    return iso_week_label(week)


def heatmap(
    utilisation: pl.DataFrame, people: pl.DataFrame, *, over_only: bool = False
) -> pl.DataFrame:
    """Person x week utilisation grid for the ``people`` given (already filtered).

    Returns:
        ``person_id, person`` then one String column per week (named by its ISO
        date, in week order) holding :func:`heat_cell`; one row per person sorted
        by name. With ``over_only``, only people over capacity in some week or on
        some day. ``utilisation`` may carry ``day_over_allocated`` (False if absent).
    """
    chosen = people.select(pl.col("id").alias("person_id"), _literal("name").alias("person"))
    rows = utilisation.join(chosen, on="person_id", how="semi")
    if "day_over_allocated" not in rows.columns:
        rows = rows.with_columns(pl.lit(False).alias("day_over_allocated"))
    if over_only:
        over = pl.col("over_allocated") | pl.col("day_over_allocated")
        over_ids = rows.filter(over).select("person_id").unique()
        rows = rows.join(over_ids, on="person_id", how="semi")
        chosen = chosen.join(over_ids, on="person_id", how="semi")
    weeks = sorted(rows["week"].unique().to_list())
    if rows.is_empty():
        return chosen.head(0)
    cells = rows.select(
        "person_id", pl.col("week").dt.to_string("%Y-%m-%d"), heat_cell().alias("cell")
    )
    grid = cells.pivot(on="week", index="person_id", values="cell")
    ordered = [w.isoformat() for w in weeks]
    return (
        chosen.join(grid, on="person_id", how="inner")
        .select("person_id", "person", *[pl.col(w).fill_null("") for w in ordered])
        .sort("person", "person_id")
    )


def person_week_allocations(
    allocations: pl.DataFrame, projects: pl.DataFrame, person_id: str, week: dt.date
) -> pl.DataFrame:
    """One person-week's allocations by project.

    Returns ``project_id, project, demand_id, hours, kind, pinned``.

    Rows of the same project and demand are summed; largest first.
    """
    names = projects.select(pl.col("id").alias("project_id"), pl.col("name").alias("project"))
    rows = allocations.filter((pl.col("person_id") == person_id) & (pl.col("week") == week))
    return (
        rows.group_by("project_id", "demand_id", "kind", "pinned")
        .agg(pl.col("hours").sum().round(1))
        .join(names, on="project_id", how="left")
        .select("project_id", "project", "demand_id", "hours", "kind", "pinned")
        .sort(["hours", "project_id"], descending=[True, False])
    )


def demand_grid(
    coverage: pl.DataFrame, *, skill: str | None = None, text: str = "", unmet_only: bool = False
) -> pl.DataFrame:
    """Project/skill x week grid of covered against demanded hours.

    Args:
        coverage: :func:`pmo_tui.domain.capacity.demand_coverage` rows.
        skill: keep only this skill; text: project or skill contains it;
        unmet_only: keep only rows with some unmet hours.

    Returns:
        ``project_id, skill_id, unmet_hours`` (total), then one String column per
        week (ISO date) with ``covered/demand`` and a glyph: ``✔`` covered,
        ``◐`` partly, ``✖`` nothing covered; empty where there is no demand.
    """
    rows = coverage.with_columns(pl.col("skill_id").fill_null("(named)"))
    if skill:
        rows = rows.filter(pl.col("skill_id") == skill)
    needle = text.strip().casefold()
    if needle:
        rows = rows.filter(
            (pl.col("project_id") + " " + pl.col("skill_id"))
            .str.to_lowercase()
            .str.contains(needle, literal=True)
        )
    weekly = (
        rows.group_by("project_id", "skill_id", "week")
        .agg(pl.col("demand_hours").sum().round(1), pl.col("unmet_hours").sum().round(1))
        .with_columns(
            (pl.col("demand_hours") - pl.col("unmet_hours")).round(1).alias("covered_hours")
        )
    )
    totals = weekly.group_by("project_id", "skill_id").agg(pl.col("unmet_hours").sum().round(1))
    if unmet_only:
        totals = totals.filter(pl.col("unmet_hours") > 0)
    if totals.is_empty():
        return totals.select("project_id", "skill_id", "unmet_hours")
    weeks = sorted(weekly["week"].unique().to_list())
    cells = weekly.select(
        "project_id",
        "skill_id",
        pl.col("week").dt.to_string("%Y-%m-%d"),
        _cover_cell().alias("cell"),
    )
    grid = cells.pivot(on="week", index=["project_id", "skill_id"], values="cell")
    ordered = [w.isoformat() for w in weeks]
    return (
        totals.join(grid, on=["project_id", "skill_id"], how="left")
        .select(
            _literal("project_id"),
            _literal("skill_id"),
            "unmet_hours",
            *[pl.col(w).fill_null("") for w in ordered],
        )
        .sort("project_id", "skill_id")
    )


def _hours_text(column: str) -> pl.Expr:
    """Hours without a trailing ``.0`` (``40.0`` -> ``"40"``, ``7.5`` -> ``"7.5"``)."""
    return pl.col(column).round(1).cast(pl.String).str.replace(r"\.0$", "")


def _cover_cell() -> pl.Expr:
    glyph = (
        pl.when(pl.col("unmet_hours") <= 0)
        .then(pl.lit(COVER_GLYPHS["covered"]))
        .when(pl.col("covered_hours") <= 0)
        .then(pl.lit(COVER_GLYPHS["unmet"]))
        .otherwise(pl.lit(COVER_GLYPHS["partial"]))
    )
    cell = _hours_text("covered_hours") + "/" + _hours_text("demand_hours") + " " + glyph
    return pl.when(pl.col("demand_hours") <= 0).then(pl.lit("")).otherwise(cell)


def choices(frame: pl.DataFrame, column: str) -> list[str]:
    """The distinct non-null values of ``column``, sorted (for the filter drop-downs)."""
    if column not in frame.columns:
        return []
    return sorted(frame[column].drop_nulls().unique().to_list())


def allocation_words(rows: pl.DataFrame) -> pl.DataFrame:
    """A person-week's allocations (:func:`person_week_allocations`) told in words.

    Returns ``project, name, demand, hours, booking``: the demand is ``none (fixed
    load)`` for work on no demand; the booking is ``soft`` (the plan may move it),
    ``hard`` or ``soft, pinned`` (it stays).
    """
    booking = pl.when(pl.col("pinned")).then(pl.col("kind") + ", pinned").otherwise(pl.col("kind"))
    return rows.select(
        pl.col("project_id").alias("project"),
        pl.col("project").fill_null("").alias("name"),
        pl.col("demand_id").fill_null("none (fixed load)").alias("demand"),
        "hours",
        booking.alias("booking"),
    )


#: What the drill-down's note says about the booking column.
BOOKING_NOTE = "soft: the plan may move it · hard or pinned: it stays"


def booking_note(
    utilisation: pl.DataFrame, person_id: str, week: dt.date, *, history: bool = False
) -> str:
    """The drill-down's note: the week's capacity and allocation and its peak day (from a
    :class:`~pmo_tui.tui.data.CapacityData` utilisation row), what the booking column
    means, and, for a week before the current one, that it is history (not changed)."""
    load = utilisation.filter((pl.col("person_id") == person_id) & (pl.col("week") == week))
    lines = [_load_line(load.row(0, named=True))] if load.height else []
    lines.append(BOOKING_NOTE)
    if history:
        lines.append("History (a week before the current one): shown, never changed.")
    return "\n".join(lines)


def _load_line(load: dict) -> str:
    """Capacity and allocation of the week, and its peak day."""
    cap, alloc = load["capacity_hours"], load["allocated_hours"]
    note = f"capacity {cap:g} h, allocated {alloc:g} h" + (
        "  ▲ over-allocated" if alloc > cap else ""
    )
    if load.get("peak_date") is not None:
        flag = "  △ over on that day" if load.get("day_over_allocated") else ""
        note += (
            f"; peak day {load['peak_date']:%a %d %b}: {load['peak_load_hours']:g} h "
            f"of {load['peak_capacity_hours']:g} h{flag}"
        )
    return note


def shown_people_sheets(data: CapacityData, shown: pl.DataFrame) -> list[Sheet]:
    """What ``e`` exports from the heatmap: the utilisation grid of the people ``shown``
    (the grid's ``person_id`` column), then their capacity per person-week."""
    from pmo_tui.reporting.capacity import utilisation_rows
    from pmo_tui.reporting.export import capacity_sheets

    names = data.people.select(pl.col("id").alias("person_id"), "name")
    rows = utilisation_rows(
        data.utilisation.join(shown.select("person_id"), on="person_id", how="semi").join(
            names, on="person_id", how="left"
        )
    )
    return capacity_sheets(rows, grid=True) + capacity_sheets(rows, grid=False)


def shown_demand_sheets(data: CapacityData, shown: pl.DataFrame) -> list[Sheet]:
    """What ``e`` exports from the demand grid: unmet hours per project and skill (the rows
    ``shown``) x week, then the unmet demand per project, skill and week."""
    from pmo_tui.reporting.capacity import unmet_demand
    from pmo_tui.reporting.export import unmet_grid_sheet
    from pmo_tui.reporting.sheet import Sheet

    coverage = data.coverage.with_columns(pl.col("skill_id").fill_null("(named)"))
    keys = shown.select("project_id", "skill_id")
    unmet = unmet_demand(coverage.join(keys, on=["project_id", "skill_id"], how="semi"))
    return [unmet_grid_sheet(unmet), Sheet("unmet demand", unmet, key_columns=2)]


def person_text(detail: PersonDetail) -> str:
    """A person's detail in words: who, the working pattern (the calendar), skills,
    leave and availability (plain text, aligned tables; ``-`` where there is none)."""
    from pmo_tui.reporting.output import text_table
    from pmo_tui.store.tables import WEEKDAY_COLUMNS

    person = detail.person
    about = [f"{label} {person[key]}" for key, label in ABOUT_PERSON if person.get(key)]
    days = [(day, person[day] or 0.0) for day in WEEKDAY_COLUMNS]
    pattern = ", ".join(f"{day.title()} {hours:g} h" for day, hours in days if hours)
    week = sum(hours for _, hours in days)
    limit = person.get("max_concurrent_projects")
    lines = [
        " · ".join(about) or "-",
        f"Working pattern: {pattern or 'no working days'} ({week:g} h a week), "
        f"less the public holidays of region {person.get('region') or '-'}",
        f"At most {limit} projects at a time" if limit else "No limit on projects at a time",
        "",
        "Skills (level 1-5)",
        text_table(detail.skills.rename({"skill_id": "id", "valid_until": "valid until"})),
        "",
        "Leave",
        text_table(detail.leave.drop("id").rename({"hours_per_day": "hours a day"})),
        "",
        "Availability (percent of the working pattern)",
        text_table(detail.availability),
    ]
    return "\n".join(lines)


#: Person attributes the detail names, with their labels, in order.
ABOUT_PERSON = (("role", "role"), ("unit", "unit"), ("region", "region"), ("email", "email"))
